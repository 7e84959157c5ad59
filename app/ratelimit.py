"""Requests per minute per API key, or per client address without keys: 429 with Retry-After.

The limiter is the generic cell rate algorithm: one number per caller (when its next request is
"due"), so a caller may send the whole minute's allowance at once and then one request every
60/limit seconds. It runs before the fast path, so cached answers count too. One worker keeps the
numbers in memory; the workers of one `druginfo serve --workers N` share them in a small
memory-mapped file under a lock (`SharedRateLimiter`). Separate replicas count apart.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import mmap
import os
import secrets
import struct
import time
from collections.abc import Callable
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from app import errors

EXEMPT_PATHS = ("/health", "/metrics")
WINDOW_S = 60.0


class RateLimiter:
    """At most `per_minute` requests per caller in any minute, refilled evenly."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        max_callers: int = 100_000,
    ) -> None:
        self.interval = WINDOW_S / per_minute
        self.clock = clock
        self._due: dict[str, float] = {}
        self.max_callers = max_callers
        self._sweep_at = max_callers

    def acquire(self, caller: str) -> float:
        """0 when the request may go ahead; else the seconds until it would be allowed."""
        now = self.clock()
        due = max(self._due.get(caller, now), now) + self.interval
        if due - now > WINDOW_S:
            return due - WINDOW_S - now
        self._due[caller] = due
        if len(self._due) > self._sweep_at:
            self._sweep(now)
        return 0.0

    def _sweep(self, now: float) -> None:
        """Forget callers whose allowance is full again (they are the same as new callers)."""
        self._due = {caller: due for caller, due in self._due.items() if due > now}
        self._sweep_at = max(self.max_callers, 2 * len(self._due))


class SharedRateLimiter(RateLimiter):
    """The same limit, its numbers in a file every worker of one server maps.

    A fixed table of (caller hash, due time) slots, probed linearly from the hash; a slot whose
    due time has passed is free. Should the probe window be full, the slot due soonest is reused
    (that caller starts afresh). CLOCK_MONOTONIC is the same for every process of the machine.
    """

    SLOTS = 1 << 16
    PROBE = 16
    _SLOT = struct.Struct("<Qd")

    def __init__(
        self, per_minute: int, path: Path, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(per_minute, clock)
        size = self.SLOTS * self._SLOT.size
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)
        self._table = mmap.mmap(self._fd, size)

    def acquire(self, caller: str) -> float:
        key = int.from_bytes(hashlib.blake2b(caller.encode(), digest_size=8).digest()) or 1
        first = key % self.SLOTS
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            now = self.clock()
            slot, stored = self._find(key, first, now)
            due = max(stored, now) + self.interval
            if due - now > WINDOW_S:
                return due - WINDOW_S - now
            self._SLOT.pack_into(self._table, slot * self._SLOT.size, key, due)
            return 0.0
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _find(self, key: int, first: int, now: float) -> tuple[int, float]:
        """The caller's slot and due time (0 when new): its own, else a free or the oldest."""
        free: int | None = None
        oldest, oldest_due = first, math.inf
        for offset in range(self.PROBE):
            slot = (first + offset) % self.SLOTS
            held, due = self._SLOT.unpack_from(self._table, slot * self._SLOT.size)
            if held == key:
                return slot, due
            if free is None and (held == 0 or due <= now):
                free = slot
            if due < oldest_due:
                oldest, oldest_due = slot, due
        return (free if free is not None else oldest), 0.0


SHARED_FILE_ENV = "DRUGINFO_RATE_LIMIT_FILE"


def limiter(per_minute: int) -> RateLimiter:
    """The workers' shared limiter when `druginfo serve --workers N` set one up, else one's own."""
    shared = os.environ.get(SHARED_FILE_ENV)
    return SharedRateLimiter(per_minute, Path(shared)) if shared else RateLimiter(per_minute)


def exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith("/health/")


class RateLimit:
    """Refuse a caller's requests over the limit with 429 problem+json and Retry-After."""

    def __init__(self, app: ASGIApp, per_minute: int, api_keys: frozenset[str]) -> None:
        self.app = app
        self.limiter = limiter(per_minute)
        self.per_minute = per_minute
        self.keys = [k.encode() for k in sorted(api_keys)]

    def caller(self, scope: Scope) -> str:
        """A valid API key (by position, never the key itself), else the client's address."""
        if self.keys:
            given = next((v for k, v in scope["headers"] if k == b"x-api-key"), b"")
            for index, key in enumerate(self.keys):
                if secrets.compare_digest(given, key):
                    return f"key:{index}"
        client = scope.get("client")
        return f"addr:{client[0] if client else 'unknown'}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or exempt(scope["path"]):
            await self.app(scope, receive, send)
            return
        wait_s = self.limiter.acquire(self.caller(scope))
        if wait_s <= 0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait_s))
        problem = errors.TooManyRequests(
            f"More than {self.per_minute} requests in a minute; retry after {retry_after} s.",
            retry_after_s=retry_after,
        )
        response = errors.problem_response(
            problem.status,
            problem.title,
            problem.detail,
            problem.slug,
            scope["path"],
            disclaimer=scope["app"].state.settings.DISCLAIMER,
            **problem.members,
        )
        await response(scope, receive, send)
