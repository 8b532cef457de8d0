"""Sliding-window limits on attempts (sign-ins per name and per address, registrations per
address), counted in the store.

Sign-in is where passwords are guessed and where each try costs an argon2 hash, so attempts are
limited before any hash is computed. The counts live in the store rather than in a process's
memory, so a server run as several processes (or several machines over one PostgreSQL) allows
no more guesses than one process would. What is stored for a name or an address is an HMAC under
a secret of the store: nobody reading the table learns who tried to sign in, from where, or what
they typed as a name (sometimes a password typed into the wrong field). Rows last one window.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from druginfo.store.private import LimitedKey, PrivateRecords


@dataclass(frozen=True)
class Limit:
    """At most `limit` attempts per key in any `window_s` seconds, counted under `bucket`."""

    bucket: str
    limit: int
    window_s: float


@dataclass(frozen=True)
class Attempt:
    """The answer to "may this attempt go ahead?": `wait` 0 means yes, and it has been counted
    (its counted rows are `ids`); otherwise the seconds to wait, and nothing was counted."""

    wait: float
    ids: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.wait <= 0


def address_key(host: str | None) -> str:
    """The part of a client address that identifies one client for counting: an IPv6 client
    usually holds a whole /64, so counting single IPv6 addresses would not limit it at all."""
    if not host:
        return "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class AttemptLimiter:
    """Limits over one store's records (shared by every process serving that store)."""

    def __init__(self, records: PrivateRecords, clock: Callable[[], float] = time.time) -> None:
        self.records = records
        self.clock = clock  # wall-clock time: the processes sharing the rows must agree on it
        self._secret: bytes | None = None

    def _hash(self, limit: Limit, key: str) -> str:
        if self._secret is None:
            self._secret = self.records.secret("attempt-keys").encode()
        message = f"{limit.bucket}\x00{key}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _keys(self, pairs: tuple[tuple[Limit, str], ...]) -> list[LimitedKey]:
        return [
            LimitedKey(limit.bucket, self._hash(limit, key), limit.limit, limit.window_s)
            for limit, key in pairs
        ]

    def take(self, *pairs: tuple[Limit, str]) -> Attempt:
        """Count an attempt against each (limit, key), all or none (see PrivateRecords.take_attempt)."""
        wait, ids = self.records.take_attempt(self._keys(pairs), self.clock())
        return Attempt(wait, ids)

    def forgive(self, attempt: Attempt) -> None:
        """This attempt does not count after all (it succeeded)."""
        if attempt.ids:
            self.records.forget_attempts(ids=attempt.ids)

    def reset(self, *pairs: tuple[Limit, str]) -> None:
        """Forget every counted attempt of these keys."""
        self.records.forget_attempts(keys=self._keys(pairs))
