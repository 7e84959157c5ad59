"""The application factory: lifespan (seed, read model), middleware, error handlers, routers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from starlette.responses import Response

from app import db, errors, metrics, observability, openapi, ratelimit
from app.api import (
    deps,
    docs,
    drugs,
    health,
    indications,
    labels,
    operations,
    planner,
    precautions,
    side_effects,
    titration,
    vocabulary,
)
from app.catalog import heal, loader
from app.catalog import seed as seed_service
from app.config import Settings, get_settings
from app.db import get_engine, make_engine
from app.labels import queries as label_queries
from app.middleware import BodySizeLimit, FastPath, HeadAsGet, SecurityHeaders
from app.readmodel import ReadModel, cache
from app.readmodel import build as readmodel_build

log = logging.getLogger("druginfo")


def load_read_model(engine: Engine) -> ReadModel:
    """Build a read model from the database, recording its version and build time."""
    start = time.perf_counter()
    read_model = readmodel_build.load(engine)
    metrics.record_read_model(
        read_model.data_version, len(read_model.drugs), time.perf_counter() - start
    )
    return read_model


def refresh_read_model(app: FastAPI) -> None:
    """Build a new read model from the database and swap it in atomically."""
    app.state.read_model = load_read_model(app.state.engine)


async def _watch_data_version(app: FastAPI, interval_s: float) -> None:
    """Pick up a reseed or a label import done by another process: rebuild and swap."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            version = await anyio.to_thread.run_sync(seed_service.stored_version, app.state.engine)
            labels = await anyio.to_thread.run_sync(label_queries.generation, app.state.engine)
            current = app.state.read_model
            if version is not None and (
                version != current.data_version or labels != current.labels_generation
            ):
                fresh = await anyio.to_thread.run_sync(load_read_model, app.state.engine)
                app.state.read_model = fresh
                log.info("data %s loaded (reseeded or labels imported)", fresh.data_version)
        except Exception as exc:  # keep serving the current data; try again next time
            log.warning("could not check the data version: %s", db.reason(exc, app.state.engine))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    engine = app.state.engine
    db.wait_until_reachable(engine, settings.DB_CONNECT_TIMEOUT_S)
    if settings.SEED_ON_STARTUP:
        try:
            result = seed_service.seed(engine, settings.DATA_DIR, force=False)
        except loader.CatalogError as exc:
            log.error("the data files do not validate; nothing was written:\n%s", exc)
            if seed_service.stored_version(engine) is None:
                raise
            log.warning("serving the data already in the database")
        else:
            log.info(
                "data %s: %d drugs (%s)",
                result.data_version,
                result.drugs,
                "unchanged" if result.skipped else "seeded",
            )
    else:
        seed_service.create_tables(engine)
    try:
        refresh_read_model(app)
    except DBAPIError as exc:
        # Damaged bytes inside rows pass SQLite's quick_check and fail only when read.
        path = heal.sqlite_path(engine)
        if path is None or not settings.SEED_ON_STARTUP or not heal.is_damage(exc):
            raise
        with seed_service.seed_lock(engine):
            heal.move_aside(engine, path, db.reason(exc, engine))
            seed_service.write_catalog(engine, loader.load_catalog(settings.DATA_DIR))
        refresh_read_model(app)
    watcher = None
    if settings.RELOAD_INTERVAL_S > 0:
        watcher = asyncio.create_task(_watch_data_version(app, settings.RELOAD_INTERVAL_S))
    try:
        yield
    finally:
        if watcher is not None:
            watcher.cancel()
        if app.state.owns_engine:
            engine.dispose()
        metrics.mark_process_dead()


def guard_dependency(guards: list[cache.Guard]) -> Any:
    """The guards the fast path runs, as one route dependency (the same functions)."""

    async def run(request: Request) -> None:
        cache.run_guards(guards, request.headers.raw)

    return Depends(run)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    access_log = observability.configure_logging(settings.LOG_FORMAT, settings.LOG_LEVEL)
    app = FastAPI(
        title="druginfo",
        version="0.1.0",
        summary="Sourced drug information and titration schedules",
        description=openapi.DESCRIPTION,
        openapi_tags=openapi.TAGS,
        lifespan=lifespan,
        license_info={"name": "MIT (code); FDA labeling is public domain"},
        generate_unique_id_function=openapi.operation_id,
        docs_url=None,  # served offline by app.api.docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.owns_engine = settings is not get_settings()
    app.state.engine = make_engine(settings.DATABASE_URL) if app.state.owns_engine else get_engine()
    errors.install(app)
    guards = [cache.api_key_guard(settings.api_keys)]
    common: list[Any] = [Depends(deps.strict_query), guard_dependency(guards)]
    for module in (drugs, indications, side_effects, precautions, titration, vocabulary):
        app.include_router(module.router, dependencies=common)
    app.include_router(labels.router, dependencies=common)
    app.include_router(health.router, dependencies=[Depends(deps.strict_query)])
    app.include_router(operations.router)
    app.include_router(planner.router)
    app.mount("/static", StaticFiles(directory=planner.STATIC_DIR), name="static")
    docs.install(app)
    # Uncached answers (POSTed plans, problems); cached ones carry their gzipped body already.
    app.add_middleware(GZipMiddleware, minimum_size=cache.GZIP_MIN_BYTES)
    app.add_middleware(observability.RouteLabel)
    rate_limited = settings.RATE_LIMIT_PER_MINUTE > 0
    if rate_limited:  # the fast path inside the rate limit: cached answers count too
        app.add_middleware(FastPath, guards=guards)
        app.add_middleware(
            ratelimit.RateLimit,
            per_minute=settings.RATE_LIMIT_PER_MINUTE,
            api_keys=settings.api_keys,
        )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type", "X-API-Key", "If-None-Match", "X-Request-ID"],
        expose_headers=["ETag", "Content-Disposition", "X-Request-ID", "Retry-After"],
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.MAX_BODY_BYTES)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    if not rate_limited:  # a cached GET needs none of the four above (see FastPath)
        app.add_middleware(FastPath, guards=guards, outermost=True)
    app.add_middleware(
        observability.RequestContext, access_log=access_log if settings.ACCESS_LOG else None
    )

    app.openapi = lambda: openapi.problem_openapi(app)  # type: ignore[method-assign]

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return Response(status_code=307, headers={"Location": "/docs"})

    return app


app = create_app()
