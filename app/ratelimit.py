"""Requests per minute per API key, or per client address without keys: 429 with Retry-After.

The limiter is the generic cell rate algorithm: one number per caller (when its next request is
"due"), so a caller may send the whole minute's allowance at once and then one request every
60/limit seconds. It runs before the fast path, so cached answers count too. State is in the
worker's memory: with `--workers N` each worker counts its own connections (see docs/deploy.md).
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable

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


def exempt(path: str) -> bool:
    return path in EXEMPT_PATHS or path.startswith("/health/")


class RateLimit:
    """Refuse a caller's requests over the limit with 429 problem+json and Retry-After."""

    def __init__(self, app: ASGIApp, per_minute: int, api_keys: frozenset[str]) -> None:
        self.app = app
        self.limiter = RateLimiter(per_minute)
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
