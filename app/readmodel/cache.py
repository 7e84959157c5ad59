"""The one owner of cached response bodies: keys, LRU storage, ETags, 304s and the key check.

A read-only GET's body depends only on the data version, its path, its query string and its
Accept header, so the read model of each data version keeps the bodies it built. Routes store and
answer through `respond_to`; the fast path (`app.middleware.FastPath`) answers a repeated request
through `send_cached` before routing. Both run the same `guards` first (today the API-key check),
so a guard added here is never skipped by a cache hit.
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from threading import Lock

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope, Send

from app import errors, metrics

CACHE_CONTROL = "public, max-age=300"
GZIP_MIN_BYTES = 1024  # smaller bodies gain little and cost a header
Headers = Sequence[tuple[bytes, bytes]]
_FAST_PATH_HITS = metrics.CACHE_HITS.labels("fast_path")
_ROUTE_HITS = metrics.CACHE_HITS.labels("route")


@dataclass(frozen=True)
class CachedBody:
    """A body as built, and gzipped beside it (once, when stored) if it is worth compressing."""

    body: bytes
    etag: str
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()
    gzipped: bytes | None = None

    @property
    def gzip_etag(self) -> str:
        """The gzip representation's own strong ETag (RFC 9110 8.8.3)."""
        return self.etag[:-1] + '-gzip"'

    def header_list(self, gzipped: bool = False) -> list[tuple[bytes, bytes]]:
        """Headers sent with the body (and with a 304): ETag, caching, and the route's own."""
        return [
            (b"etag", (self.gzip_etag if gzipped else self.etag).encode()),
            (b"cache-control", CACHE_CONTROL.encode()),
            (b"vary", b"Accept-Encoding"),
            *((k.lower().encode(), v.encode()) for k, v in self.headers),
        ]

    def choose(self, accept_encoding: bytes | None) -> tuple[bytes, bool]:
        """The body to send for this Accept-Encoding, and whether it is the gzipped one."""
        if self.gzipped is not None and accepts_gzip(accept_encoding):
            return self.gzipped, True
        return self.body, False


def cached_body(
    body: bytes, media_type: str, headers: tuple[tuple[str, str], ...] = ()
) -> CachedBody:
    gzipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
    return CachedBody(body, _etag(body), media_type, headers, gzipped)


def accepts_gzip(accept_encoding: bytes | None) -> bool:
    """True when Accept-Encoding lists gzip (or *) without q=0."""
    if not accept_encoding:
        return False
    for part in accept_encoding.lower().split(b","):
        coding, _, params = part.partition(b";")
        if coding.strip() in (b"gzip", b"*"):
            q = params.strip().removeprefix(b"q=").strip()
            return not q or q.replace(b"0", b"").strip(b".") != b""
    return False


class BodyCache:
    """Bodies by request key, least recently used evicted first."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._entries: OrderedDict[str, CachedBody] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, key: str) -> CachedBody | None:
        hit = self._entries.get(key)
        if hit is not None:
            try:
                self._entries.move_to_end(key)
            except KeyError:  # evicted by another thread meanwhile
                pass
        return hit

    def store(
        self,
        key: str,
        build: Callable[[], bytes],
        media_type: str = "application/json",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> CachedBody:
        """The body for `key`, built at most once while it stays in the cache."""
        hit = self.lookup(key)
        if hit is not None:
            _ROUTE_HITS.inc()
            return hit
        metrics.CACHE_MISSES.inc()
        body = build()
        entry = cached_body(body, media_type, headers)
        with self._lock:
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return entry


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def cache_key(scope: Scope) -> str:
    """The path, the raw query string and the Accept header: what decides a GET's body."""
    query: bytes = scope.get("query_string", b"")
    accept = next((v for k, v in scope.get("headers", []) if k == b"accept"), b"")
    return f"{scope['path']}?{query.decode('latin-1')}|{accept.decode('latin-1')}"


def not_modified(if_none_match: bytes | None, *etags: str) -> bool:
    """True when If-None-Match names one of the body's ETags (or is `*`), weak or strong
    (RFC 9110): the plain and the gzip representation have the same content."""
    if if_none_match is None:
        return False
    wanted = {etag.encode() for etag in etags}
    for tag in if_none_match.split(b","):
        tag = tag.strip()
        if tag == b"*" or tag.removeprefix(b"W/") in wanted:
            return True
    return False


# --- guards: what every request must pass, on the fast path and through the routes ----------

Guard = Callable[[Headers], None]


def api_key_guard(keys: frozenset[str]) -> Guard:
    """A guard that refuses requests without a valid X-API-Key (no-op when no keys are set)."""
    encoded = [k.encode() for k in sorted(keys)]

    def check(headers: Headers) -> None:
        if not encoded:
            return
        given = next((v for k, v in headers if k == b"x-api-key"), b"")
        if not any(secrets.compare_digest(given, key) for key in encoded):
            raise errors.Unauthorized("Send a valid key in the X-API-Key header.")

    return check


def run_guards(guards: Sequence[Guard], headers: Headers) -> None:
    for guard in guards:
        guard(headers)


# --- answering ---------------------------------------------------------------------------------


async def send_cached(
    hit: CachedBody, request_headers: Headers, send: Send, extra: Headers = ()
) -> None:
    """Send a cached body (or 304) as raw ASGI messages: the fast path."""
    _FAST_PATH_HITS.inc()
    inm = ae = None
    for k, v in request_headers:
        if k == b"if-none-match":
            inm = v
        elif k == b"accept-encoding":
            ae = v
    body, gzipped = hit.choose(ae)
    out = hit.header_list(gzipped)
    out += extra
    if not_modified(inm, hit.etag, hit.gzip_etag):
        await send({"type": "http.response.start", "status": 304, "headers": out})
        await send({"type": "http.response.body", "body": b""})
        return
    out += [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", hit.media_type.encode()),
    ]
    if gzipped:
        out.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": 200, "headers": out})
    await send({"type": "http.response.body", "body": body})


def respond_to(
    request: Request,
    cache: BodyCache,
    build: Callable[[], bytes],
    media_type: str = "application/json",
    headers: tuple[tuple[str, str], ...] = (),
) -> Response:
    """A route's answer: the cached (or newly built and stored) body, or 304."""
    hit = cache.store(cache_key(request.scope), build, media_type, headers)
    given = request.headers.get("if-none-match")
    ae = request.headers.get("accept-encoding")
    body, gzipped = hit.choose(ae.encode("latin-1") if ae is not None else None)
    if not_modified(
        given.encode("latin-1") if given is not None else None, hit.etag, hit.gzip_etag
    ):
        response = Response(status_code=304)
        response.raw_headers = hit.header_list(gzipped)
        return response
    response = Response(body, media_type=hit.media_type)
    response.raw_headers = hit.header_list(gzipped) + response.raw_headers
    if gzipped:
        response.raw_headers.append((b"content-encoding", b"gzip"))
    return response
