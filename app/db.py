"""The database engine, the session dependency, and whether the database can be reached."""

import logging
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from app.config import get_settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    # A server that does not answer fails in seconds, not at the TCP timeout.
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings().DATABASE_URL)


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


log = logging.getLogger("druginfo")


class DatabaseUnavailable(Exception):
    """The database could not be reached; the message names the host, never the password."""


def describe(engine: Engine) -> str:
    """'PostgreSQL at db.internal:5432/druginfo' or 'SQLite file ./druginfo.db'."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    port = f":{url.port}" if url.port else ""
    return f"{url.get_backend_name()} at {url.host}{port}/{url.database}"


def reason(exc: BaseException, engine: Engine) -> str:
    """The driver's own first line (not SQLAlchemy's wrapping), with any password masked."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    first = lines[0].strip() if lines else type(orig).__name__
    password = engine.url.password
    return first.replace(str(password), "***") if password else first


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def wait_until_reachable(engine: Engine, timeout_s: float) -> None:
    """Connect, retrying with doubling pauses (at most 5 s) for `timeout_s`; else raise.

    An embedded SQLite file is always there (a damaged one is healed by seeding instead).
    """
    if engine.dialect.name == "sqlite":
        return
    start = time.monotonic()
    pause = 0.25
    attempts = 0
    while True:
        attempts += 1
        try:
            ping(engine)
            return
        except DBAPIError as exc:
            elapsed = time.monotonic() - start
            left = timeout_s - elapsed
            if left <= 0:
                raise DatabaseUnavailable(
                    f"cannot reach the database ({describe(engine)}) after {attempts} "
                    f"attempt(s) in {elapsed:.1f} s: {reason(exc, engine)}"
                ) from exc
            wait = min(pause, left)
            log.warning(
                "database %s not reachable (%s); retrying in %.2f s",
                describe(engine),
                reason(exc, engine),
                wait,
            )
            time.sleep(wait)
            pause = min(pause * 2, 5.0)
