"""Sign-in and registration limits counted in the store: two server instances (each with its own
connection, as two processes have) over one store share the count, on SQLite and PostgreSQL; the
stored keys reveal no name or address; old rows are pruned; a limited attempt computes no hash."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_fakes import FakeService

from conftest import site_app
from druginfo.interfaces.web import accounts, auth
from druginfo.interfaces.web.ratelimit import AttemptLimiter, Limit, address_key
from druginfo.store import open_store
from druginfo.store.private import PrivateRecords
from support.postgres import PostgresServer, postgres_server
from support.web_client import BrowserClient

__all__ = ["postgres_server"]

PASSWORD = "a long passphrase"
NAME = "shared.limit@example.org"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'limits.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def two_servers(
    store_url: str, data_dir: Path
) -> Iterator[tuple[BrowserClient, BrowserClient, Any]]:
    """Two app instances, each over its own connection to one store (as two processes)."""
    stores = [open_store(store_url, bootstrap=False) for _ in range(2)]
    clients = []
    for store in stores:
        fake = FakeService(data_dir)
        fake.private = PrivateRecords(store)  # type: ignore[arg-type]
        clients.append(BrowserClient(site_app(fake), base_url="http://druginfo.test"))
    try:
        with clients[0] as a, clients[1] as b:
            a.register(NAME, PASSWORD)
            yield a, b, stores[0]
    finally:
        for store in stores:
            store.close()


def sign_in(client: BrowserClient, password: str, name: str = NAME) -> Any:
    return client.post("/account/sign-in", data={"username": name, "password": password})


def test_two_instances_share_one_count(
    two_servers: tuple[BrowserClient, BrowserClient, Any],
) -> None:
    a, b, _store = two_servers
    limit = accounts.SIGN_IN_PER_NAME.limit
    statuses = [sign_in((a, b)[i % 2], f"wrong guess {i}").status_code for i in range(limit + 2)]
    # Per-process counting would have allowed 2 × limit failures before any 429.
    assert statuses == [401] * limit + [429, 429]
    for client in (a, b):
        limited = sign_in(client, PASSWORD)  # even the right password waits
        assert limited.status_code == 429
        assert 0 < int(limited.headers["retry-after"]) <= accounts.SIGN_IN_PER_NAME.window_s + 1
        assert "Try again in" in limited.text
    # Another name from the same address is not locked out by this name's count.
    assert sign_in(b, "wrong guess", name="someone.else").status_code == 401


def test_simultaneous_guesses_across_instances_stay_within_the_limit(
    two_servers: tuple[BrowserClient, BrowserClient, Any],
) -> None:
    a, b, _store = two_servers
    limit = accounts.SIGN_IN_PER_NAME.limit
    tokens = {id(c): c.csrf_token() for c in (a, b)}
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(client: BrowserClient, i: int) -> None:
        r = client.post(
            "/account/sign-in",
            data={"username": NAME, "password": f"guess {i}", "csrf_token": tokens[id(client)]},
        )
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=((a, b)[i % 2], i)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [401] * limit + [429] * (12 - limit)


def test_stored_keys_reveal_no_name_or_address(
    two_servers: tuple[BrowserClient, BrowserClient, Any],
) -> None:
    a, _b, store = two_servers
    assert sign_in(a, "wrong guess").status_code == 401
    rows = store._query("SELECT bucket, key_hash FROM limited_attempts")
    assert sorted(r[0] for r in rows) == ["register-address", "sign-in-address", "sign-in-name"]
    dump = repr(rows)
    for clear in (NAME, "shared.limit", "testclient", "127.0.0.1"):
        assert clear not in dump
    assert all(len(r[1]) == 64 for r in rows)
    # A success forgives its own attempt and the name's failures.
    assert (
        a.post(
            "/account/sign-in",
            data={"username": NAME, "password": PASSWORD},
            follow_redirects=False,
        ).status_code
        == 303
    )
    left = store._query("SELECT bucket FROM limited_attempts WHERE bucket <> 'register-address'")
    assert [r[0] for r in left] == ["sign-in-address"]  # the earlier failure still counts


def test_limited_attempts_compute_no_hash(
    two_servers: tuple[BrowserClient, BrowserClient, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _store = two_servers
    calls = []
    real = auth._HASHER

    class Counting:
        def verify(self, *args: Any) -> Any:
            calls.append(1)
            return real.verify(*args)

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(auth, "_HASHER", Counting())
    limit = accounts.SIGN_IN_PER_NAME.limit
    for i in range(limit):
        assert sign_in((a, b)[i % 2], f"wrong guess {i}").status_code == 401
    assert len(calls) == limit
    for client in (a, b, a):
        assert sign_in(client, PASSWORD).status_code == 429
    assert len(calls) == limit


def test_window_slides_and_old_rows_are_pruned(store_url: str) -> None:
    store: Any = open_store(store_url, bootstrap=False)
    try:
        now = [1_000_000.0]
        limiter = AttemptLimiter(PrivateRecords(store), clock=lambda: now[0])
        two = Limit("test", 2, 60)
        assert limiter.take((two, "k")).allowed
        now[0] += 10
        assert limiter.take((two, "k")).allowed
        blocked = limiter.take((two, "k"))
        assert not blocked.allowed and blocked.wait == pytest.approx(50)
        assert limiter.take((two, "other")).allowed  # keys are counted apart
        now[0] += 51  # the first attempt has left the window, the second has not
        assert limiter.take((two, "k")).allowed
        assert not limiter.take((two, "k")).allowed
        now[0] += 1000
        assert limiter.take((Limit("elsewhere", 5, 60), "x")).allowed
        # Every row older than its window is gone; only the new one is left.
        assert store._query("SELECT count(*) FROM limited_attempts")[0][0] == 1
    finally:
        store.close()


def test_all_or_nothing_over_several_keys(store_url: str) -> None:
    store: Any = open_store(store_url, bootstrap=False)
    try:
        limiter = AttemptLimiter(PrivateRecords(store), clock=lambda: 5_000.0)
        one, many = Limit("one", 1, 60), Limit("many", 10, 60)
        assert limiter.take((one, "x"), (many, "y")).allowed
        assert not limiter.take((one, "x"), (many, "y")).allowed
        # The refused attempt counted against neither key.
        assert store._query("SELECT count(*) FROM limited_attempts")[0][0] == 2
    finally:
        store.close()


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (None, "unknown"),
        ("testclient", "testclient"),
    ],
)
def test_address_key_groups_an_ipv6_client(host: str | None, key: str) -> None:
    assert address_key(host) == key
