"""A real, throw-away PostgreSQL server for tests.

Finds Debian's PostgreSQL binaries (installing the `postgresql` package with apt-get when they
are missing and we are root), runs `initdb` into a temporary directory as an unprivileged user
(initdb refuses to run as root), starts the server on 127.0.0.1 with a free port and its unix
socket inside the temporary directory, and stops and deletes everything afterwards.

Usage from a conftest.py:

    from support.postgres import postgres_server  # noqa: F401  (the session fixture)

    def test_x(postgres_server):
        url = postgres_server.create_database()

If the server truly cannot be had, tests that need it are skipped with a loud reason; when
the environment variable CI is set they fail instead, because CI must exercise PostgreSQL.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_USER_FALLBACK = "druginfo-pg"
DB_SUPERUSER = "druginfo"


class PostgresUnavailable(RuntimeError):
    pass


def _find_bindir() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    return None


def _install() -> None:
    if os.geteuid() != 0:
        raise PostgresUnavailable("PostgreSQL binaries are missing and we are not root")
    if not shutil.which("apt-get"):
        raise PostgresUnavailable("PostgreSQL binaries are missing and apt-get is not available")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "postgresql", "postgresql-contrib"],
    ):
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(cmd)} failed: {proc.stderr[-2000:]}")


def _run_as() -> list[str]:
    """Command prefix that drops root for initdb/pg_ctl (empty when already unprivileged)."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", PG_USER_FALLBACK):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        break
    else:
        user = PG_USER_FALLBACK
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
            check=True,
            capture_output=True,
        )
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", user, "--"]
    return ["su", user, "-s", "/bin/sh", "-c"]  # pragma: no cover - runuser is in util-linux


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """One running server; `create_database()` hands out fresh, empty databases.

    Tests run it fast and throw-away (no fsync); a benchmark that measures durable writes
    states its own `settings` and keeps initdb's sync."""

    settings: tuple[str, ...] = (
        "fsync=off",
        "synchronous_commit=off",
        "full_page_writes=off",
        "max_connections=40",
        "shared_buffers=64MB",
    )
    initdb_sync = False

    def __init__(self) -> None:
        bindir = _find_bindir()
        if bindir is None:
            _install()
            bindir = _find_bindir()
        if bindir is None:
            raise PostgresUnavailable("PostgreSQL was installed but initdb was not found")
        self.bindir = bindir
        self.prefix = _run_as()
        self.tmp = Path(tempfile.mkdtemp(prefix="druginfo-pg-"))
        self.data = self.tmp / "data"
        self.port = _free_port()
        self.url_base = f"postgresql://{DB_SUPERUSER}@127.0.0.1:{self.port}"
        self._started = False
        if self.prefix:
            user = self.prefix[2] if self.prefix[0].endswith("runuser") else self.prefix[1]
            shutil.chown(self.tmp, user=user)
            os.chmod(self.tmp, 0o700)

    def _cmd(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        if self.prefix and self.prefix[-1] == "-c":  # su needs one shell string
            import shlex

            full = [*self.prefix, shlex.join(args)]
        else:
            full = [*self.prefix, *args]
        proc = subprocess.run(full, capture_output=True, text=True, timeout=120, cwd=self.tmp)
        if proc.returncode != 0:
            log = self.tmp / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr[-2000:]}\n{tail}"
            )
        return proc

    def start(self) -> None:
        self._cmd(
            [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                DB_SUPERUSER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                *(() if self.initdb_sync else ("--no-sync",)),
            ]
        )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.tmp} " + " ".join(
            f"-c {setting}" for setting in self.settings
        )
        self._cmd(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.tmp / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )
        self._started = True

    def create_database(self, name: str | None = None) -> str:
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"{self.url_base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # name is ours, never user input
        return f"{self.url_base}/{name}"

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(f"{self.url_base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self._started:
            with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                self._cmd(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
                )
            self._started = False
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A started server for scripts and benchmarks (stopped and deleted on exit)."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _unavailable(reason: str) -> None:
    message = f"POSTGRESQL TESTS NOT RUN: {reason}"
    warnings.warn(message, stacklevel=2)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer()
        server.start()
    except (PostgresUnavailable, OSError, subprocess.SubprocessError) as exc:
        _unavailable(str(exc))
        raise AssertionError("unreachable") from exc
    try:
        yield server
    finally:
        server.stop()
