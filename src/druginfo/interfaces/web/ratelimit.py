"""A sliding-window counter of failed attempts, per key (an address, an account name).

Sign-in is where passwords are guessed and where each try costs an argon2 hash, so failures
are counted per client address and per name; past the limit the answer is 429 with the wait,
before any hash is computed. The counts live in this process's memory: a server run as
several processes limits per process, which still bounds guessing to a small multiple.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_s: float,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _fresh(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def retry_after(self, *keys: str) -> float:
        """Seconds to wait before any of `keys` may try again (0: go ahead)."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                hits = self._fresh(key, now)
                if len(hits) >= self.limit:
                    wait = max(wait, hits[0] + self.window_s - now)
        return wait

    def hit(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            if len(self._hits) >= self.max_keys:
                # Forget the stalest keys rather than grow without bound.
                for key in sorted(self._hits, key=lambda k: self._hits[k][-1])[
                    : self.max_keys // 10
                ]:
                    del self._hits[key]
            for key in keys:
                self._fresh(key, now)
                self._hits.setdefault(key, deque()).append(now)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._hits.pop(key, None)
