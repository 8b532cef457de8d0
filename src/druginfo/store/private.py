"""People's private records: accounts, sign-in sessions, diary entries and saved plans.

Why one module over both backends: every statement here filters by the owner, and keeping
them in one place (rather than once per backend) means there is exactly one spot to review
for "can one person reach another's row". Ids are `secrets.token_urlsafe` values, so an id
seen in a link reveals nothing and cannot be guessed from another; session tokens are stored
only as SHA-256 hashes, so a copy of the database does not let anyone sign in as someone else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from druginfo.model import DiaryEntry

# Random ids: 24 bytes → 32 URL-safe characters. Anything else is refused before a query runs.
ID_BYTES = 24
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class _Backend(Protocol):
    _P: str

    def _tx(self) -> AbstractContextManager[Any]: ...

    def _query(self, sql: str, params: Any = ()) -> list[Any]: ...


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    created: dt.datetime


@dataclass(frozen=True)
class LimitedKey:
    """One counter of an attempt limit: `key_hash` is already a keyed hash of the name or
    address (the store never sees either), counted in `bucket` up to `limit` per `window_s`."""

    bucket: str
    key_hash: str
    limit: int
    window_s: float


@dataclass(frozen=True)
class SavedPlan:
    id: str
    drug: str
    answers: dict[str, str]
    created: dt.datetime
    expires: dt.datetime | None


def new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def is_id(text: object) -> bool:
    """A well-formed record id (what `new_id` makes); checked before any lookup."""
    return isinstance(text, str) and ID_PATTERN.fullmatch(text) is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> int:
    return int(time.time())


def _when(epoch: int | None) -> dt.datetime | None:
    return None if epoch is None else dt.datetime.fromtimestamp(int(epoch), dt.UTC)


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class PrivateRecords:
    """Owner-checked reads and writes of private rows, over a SqliteStore or PostgresStore."""

    def __init__(self, store: _Backend) -> None:
        self._store = store
        self._p = store._P

    def _sql(self, text: str) -> str:
        return text.replace("?", self._p)

    def _run(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        """A statement that writes, in its own transaction."""
        with self._store._tx() as conn:
            cur = conn.execute(self._sql(sql), params)
            return list(cur.fetchall()) if cur.description else []

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
        """A read: no write transaction (every page view of a signed-in person makes one)."""
        return list(self._store._query(self._sql(sql), params))

    def _count(self, sql: str, params: tuple[object, ...]) -> int:
        with self._store._tx() as conn:
            cur = conn.execute(self._sql(sql), params)
            return int(cur.rowcount or 0)

    # server secret -----------------------------------------------------------------------
    def secret(self, name: str) -> str:
        """A random secret kept in the store (created on first use), so every process serving
        the same database signs and checks cookies with the same key."""
        rows = self._read("SELECT value FROM app_secrets WHERE name = ?", (name,))
        if rows:
            return str(rows[0][0])
        self._run(
            "INSERT INTO app_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, secrets.token_urlsafe(48)),
        )
        return str(self._read("SELECT value FROM app_secrets WHERE name = ?", (name,))[0][0])

    # accounts ----------------------------------------------------------------------------
    def create_account(self, username: str, password_hash: str) -> Account | None:
        """A new account, or None when the name is taken."""
        account = Account(new_id(), username, dt.datetime.fromtimestamp(_now(), dt.UTC))
        inserted = self._count(
            "INSERT INTO accounts (id, username, password_hash, created) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (username) DO NOTHING",
            (account.id, username, password_hash, int(account.created.timestamp())),
        )
        return account if inserted == 1 else None

    def credentials(self, username: str) -> tuple[Account, str] | None:
        """(account, stored password hash) for a user name, for checking a sign-in."""
        rows = self._read(
            "SELECT id, username, created, password_hash FROM accounts WHERE username = ?",
            (username,),
        )
        if not rows:
            return None
        r = rows[0]
        return Account(str(r[0]), str(r[1]), _when(r[2]) or dt.datetime.now(dt.UTC)), str(r[3])

    def update_password_hash(self, account_id: str, password_hash: str) -> None:
        self._run("UPDATE accounts SET password_hash = ? WHERE id = ?", (password_hash, account_id))

    def delete_account(self, account_id: str) -> None:
        """Everything of one person, in one transaction: entries, plans, sessions, account."""
        with self._store._tx() as conn:
            for sql, key in (
                ("DELETE FROM diary_entries WHERE account_id = ?", account_id),
                ("DELETE FROM plans WHERE owner = ?", account_owner(account_id)),
                ("DELETE FROM sessions WHERE account_id = ?", account_id),
                ("DELETE FROM accounts WHERE id = ?", account_id),
            ):
                conn.execute(self._sql(sql), (key,))

    # sessions ----------------------------------------------------------------------------
    def open_session(self, account_id: str, lifetime_s: int) -> str:
        """A new session token (returned once, stored only as its hash)."""
        token = secrets.token_urlsafe(32)
        now = _now()
        self._run(
            "INSERT INTO sessions (token_hash, account_id, created, expires) VALUES (?, ?, ?, ?)",
            (token_hash(token), account_id, now, now + lifetime_s),
        )
        return token

    def session_account(self, token: str) -> Account | None:
        rows = self._read(
            "SELECT a.id, a.username, a.created FROM sessions s"
            " JOIN accounts a ON a.id = s.account_id"
            " WHERE s.token_hash = ? AND s.expires > ?",
            (token_hash(token), _now()),
        )
        if not rows:
            return None
        r = rows[0]
        return Account(str(r[0]), str(r[1]), _when(r[2]) or dt.datetime.now(dt.UTC))

    def close_session(self, token: str) -> None:
        self._run("DELETE FROM sessions WHERE token_hash = ?", (token_hash(token),))

    def purge_expired(self) -> None:
        """Ended sessions and visitors' expired plans (health answers) leave the store, not
        just the views: run whenever a plan is saved or someone signs in, so they never
        outlive their two hours by much on a site in use."""
        now = _now()
        with self._store._tx() as conn:
            conn.execute(self._sql("DELETE FROM sessions WHERE expires <= ?"), (now,))
            conn.execute(
                self._sql("DELETE FROM plans WHERE expires IS NOT NULL AND expires <= ?"), (now,)
            )

    # diary -------------------------------------------------------------------------------
    def add_entry(self, account_id: str, entry: DiaryEntry) -> DiaryEntry:
        entry = DiaryEntry.model_validate(entry.model_dump())
        now = _now()
        saved = entry.model_copy(update={"id": new_id(), "created": _when(now)})
        self._run(
            "INSERT INTO diary_entries"
            " (id, account_id, drug, reaction, started, severity, outcome, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                saved.id,
                account_id,
                saved.drug,
                saved.reaction,
                saved.started.isoformat(),
                saved.severity,
                saved.outcome,
                now,
            ),
        )
        return saved

    def entries(self, account_id: str, drug: str | None = None) -> list[DiaryEntry]:
        """One person's entries, newest first."""
        sql = (
            "SELECT id, drug, reaction, started, severity, outcome, created FROM diary_entries"
            " WHERE account_id = ?"
        )
        params: tuple[object, ...] = (account_id,)
        if drug is not None:
            sql += " AND drug = ?"
            params += (drug,)
        rows = self._run(sql + " ORDER BY started DESC, created DESC, id", params)
        return [_entry(r) for r in rows]

    def entry(self, account_id: str, entry_id: str) -> DiaryEntry | None:
        """The entry if it exists AND belongs to this person; otherwise None, either way."""
        if not is_id(entry_id):
            return None
        rows = self._read(
            "SELECT id, drug, reaction, started, severity, outcome, created FROM diary_entries"
            " WHERE account_id = ? AND id = ?",
            (account_id, entry_id),
        )
        return _entry(rows[0]) if rows else None

    def delete_entry(self, account_id: str, entry_id: str) -> bool:
        if not is_id(entry_id):
            return False
        return (
            self._count(
                "DELETE FROM diary_entries WHERE account_id = ? AND id = ?",
                (account_id, entry_id),
            )
            == 1
        )

    # plans -------------------------------------------------------------------------------
    def save_plan(
        self, owner: str, drug: str, answers: dict[str, str], lifetime_s: int | None
    ) -> SavedPlan:
        """A plan's answers under an owner (`account_owner` / `visitor_owner`); `lifetime_s`
        None keeps it until the owner deletes it."""
        self.purge_expired()
        now = _now()
        expires = None if lifetime_s is None else now + lifetime_s
        plan = SavedPlan(
            new_id(), drug, dict(answers), _when(now) or dt.datetime.now(dt.UTC), _when(expires)
        )
        self._run(
            "INSERT INTO plans (id, owner, drug, answers, created, expires)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (plan.id, owner, drug, json.dumps(plan.answers, ensure_ascii=False), now, expires),
        )
        return plan

    def plan(self, owner: str, plan_id: str) -> SavedPlan | None:
        if not is_id(plan_id):
            return None
        rows = self._read(
            "SELECT id, drug, answers, created, expires FROM plans"
            " WHERE owner = ? AND id = ? AND (expires IS NULL OR expires > ?)",
            (owner, plan_id, _now()),
        )
        return _plan(rows[0]) if rows else None

    def plans(self, owner: str) -> list[SavedPlan]:
        rows = self._read(
            "SELECT id, drug, answers, created, expires FROM plans"
            " WHERE owner = ? AND (expires IS NULL OR expires > ?) ORDER BY created DESC, id",
            (owner, _now()),
        )
        return [_plan(r) for r in rows]

    def delete_plans(self, owner: str) -> int:
        """Every plan of one owner (a browser's visitor plans when its person deletes their
        account: those were theirs too)."""
        return self._count("DELETE FROM plans WHERE owner = ?", (owner,))

    def delete_plan(self, owner: str, plan_id: str) -> bool:
        if not is_id(plan_id):
            return False
        return self._count("DELETE FROM plans WHERE owner = ? AND id = ?", (owner, plan_id)) == 1

    # attempt limits ----------------------------------------------------------------------
    def take_attempt(self, keys: Sequence[LimitedKey], now: float) -> tuple[float, list[str]]:
        """Count one attempt against every key, or none at all: when some key already has its
        limit of attempts inside its window, (seconds until the oldest leaves it, []) and
        nothing is recorded; otherwise (0, the new attempts' ids).

        Check and record are one transaction, serialised per key (SQLite's write lock; an
        advisory lock per key on PostgreSQL), so processes sharing the store cannot together
        let more attempts through than one process would. Expired rows are pruned here too.
        """
        ordered = sorted(keys, key=lambda k: (k.bucket, k.key_hash))
        with self._store._tx() as conn:
            if self._p == "%s":
                for k in ordered:
                    conn.execute(
                        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                        (f"{k.bucket}:{k.key_hash}",),
                    )
            conn.execute(self._sql("DELETE FROM limited_attempts WHERE expires <= ?"), (now,))
            wait = 0.0
            for k in ordered:
                cur = conn.execute(
                    self._sql(
                        "SELECT count(*), min(at) FROM limited_attempts"
                        " WHERE bucket = ? AND key_hash = ? AND at > ?"
                    ),
                    (k.bucket, k.key_hash, now - k.window_s),
                )
                count, oldest = cur.fetchone()
                if int(count) >= k.limit:
                    wait = max(wait, float(oldest) + k.window_s - now)
            if wait > 0:
                return wait, []
            ids = []
            for k in ordered:
                ids.append(new_id())
                conn.execute(
                    self._sql(
                        "INSERT INTO limited_attempts (id, bucket, key_hash, at, expires)"
                        " VALUES (?, ?, ?, ?, ?)"
                    ),
                    (ids[-1], k.bucket, k.key_hash, now, now + k.window_s),
                )
            return 0.0, ids

    def forget_attempts(self, ids: Sequence[str] = (), keys: Sequence[LimitedKey] = ()) -> None:
        """Remove attempts by id (an attempt that turned out not to count) and every attempt of
        some keys (a name whose owner just signed in)."""
        with self._store._tx() as conn:
            for attempt_id in ids:
                conn.execute(self._sql("DELETE FROM limited_attempts WHERE id = ?"), (attempt_id,))
            for k in keys:
                conn.execute(
                    self._sql("DELETE FROM limited_attempts WHERE bucket = ? AND key_hash = ?"),
                    (k.bucket, k.key_hash),
                )


def account_owner(account_id: str) -> str:
    return f"account:{account_id}"


def visitor_owner(visitor_token: str) -> str:
    """A browser without an account owns its short-lived plans through its visitor cookie
    (hashed, so the stored owner is not the cookie itself)."""
    return f"visitor:{token_hash(visitor_token)}"


def _entry(r: Any) -> DiaryEntry:
    return DiaryEntry(
        id=str(r[0]),
        drug=r[1],
        reaction=r[2],
        started=_date(r[3]),
        severity=r[4],
        outcome=r[5],
        created=_when(r[6]),
    )


def _plan(r: Any) -> SavedPlan:
    answers = json.loads(r[2])
    return SavedPlan(
        id=str(r[0]),
        drug=str(r[1]),
        answers={str(k): str(v) for k, v in answers.items()} if isinstance(answers, dict) else {},
        created=_when(r[3]) or dt.datetime.now(dt.UTC),
        expires=_when(r[4]),
    )


def iter_export(records: PrivateRecords, account: Account) -> Iterator[tuple[str, Any]]:
    """Everything stored about one person, for their own export."""
    yield "account", {"username": account.username, "created": account.created.isoformat()}
    yield (
        "diary",
        [e.model_dump(mode="json") for e in records.entries(account.id)],
    )
    yield (
        "plans",
        [
            {
                "id": p.id,
                "drug": p.drug,
                "answers": p.answers,
                "created": p.created.isoformat(),
            }
            for p in records.plans(account_owner(account.id))
        ],
    )
