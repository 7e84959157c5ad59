"""ASGI middleware, each with one job; the factory in app.main wires them."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import errors
from app.readmodel import cache


class FastPath:
    """Answer a repeated GET from the read model's body cache, before routing.

    The guards (the API-key check) run here exactly as the routes' dependency runs them, so a
    cache hit is refused or answered just as the route would answer it. `outermost`: wired
    outside the security-header, HEAD, body-size and CORS middleware (nothing of theirs applies
    to a cached GET without an Origin), it sends the security headers itself and leaves
    cross-origin requests to the inner chain.
    """

    def __init__(
        self, app: ASGIApp, guards: Sequence[cache.Guard], outermost: bool = False
    ) -> None:
        self.app = app
        self.guards = guards
        self.outermost = outermost
        self.extra = SecurityHeaders.HEADERS if outermost else ()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if self.outermost and any(k == b"origin" for k, _ in scope["headers"]):
            await self.app(scope, receive, send)  # CORS headers come from the inner chain
            return
        read_model = getattr(scope["app"].state, "read_model", None)
        hit = read_model.cache.lookup(cache.cache_key(scope)) if read_model is not None else None
        if hit is None:
            await self.app(scope, receive, send)
            return
        try:
            cache.run_guards(self.guards, scope["headers"])
        except errors.ProblemError:
            await self.app(scope, receive, send)  # let the route's dependency refuse it
            return
        await cache.send_cached(hit, scope["headers"], send, self.extra)


class SecurityHeaders:
    """Headers every response carries; no server version is ever sent."""

    HEADERS = (
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                headers += self.HEADERS
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeadAsGet:
    """Answer HEAD as the GET of the same URL would, without the body (load balancers use it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


class BodySizeLimit:
    """Refuse request bodies over the limit before they are read into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                response = errors.problem_response(
                    413,
                    "Request body too large",
                    f"The body is {int(value)} bytes; the limit is {self.max_bytes}.",
                    "payload-too-large",
                    scope.get("path"),
                    disclaimer=scope["app"].state.settings.DISCLAIMER,
                )
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise errors.PayloadTooLarge(f"The body exceeds {self.max_bytes} bytes.")
            return message

        await self.app(scope, limited_receive, send)
