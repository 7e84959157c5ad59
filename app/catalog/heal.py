"""Heal a damaged embedded SQLite file: it is derived from data/, so keep it aside and rebuild."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

log = logging.getLogger("druginfo")

_COMPANIONS = ("", "-wal", "-shm")  # the WAL holds committed pages too: it moves with the file
# What SQLite (and Python's sqlite3) say when reading damaged bytes, as opposed to a busy or
# locked database, which must never be moved aside.
_DAMAGE_SIGNS = ("malformed", "not a database", "could not decode", "corrupt")


def sqlite_path(engine: Engine) -> Path | None:
    """The file behind an embedded SQLite engine (None for other databases and :memory:)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database)


def damage(path: Path) -> str | None:
    """Why SQLite cannot use the file (its own words), or None when it checks out."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        connection = sqlite3.connect(path)
        try:
            rows = connection.execute("PRAGMA quick_check(1)").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = str(rows[0][0]) if rows else "no answer to quick_check"
    return None if found == "ok" else found


def is_damage(exc: BaseException) -> bool:
    """Whether an error reading an embedded SQLite file means its bytes are damaged."""
    orig = getattr(exc, "orig", None) or exc
    return isinstance(orig, sqlite3.DatabaseError) and any(
        sign in str(orig).lower() for sign in _DAMAGE_SIGNS
    )


def heal_if_damaged(engine: Engine) -> Path | None:
    """Move a damaged SQLite file (and its WAL) aside, named with the time; return where.

    The caller then seeds an empty database from the data files. Call it under the seed lock.
    """
    path = sqlite_path(engine)
    if path is None:
        return None
    why = damage(path)
    if why is None:
        return None
    return move_aside(engine, path, why)


def move_aside(engine: Engine, path: Path, why: str) -> Path:
    """Rename the file and its companions to `<name>.damaged-<UTC time>`, with one log line."""
    engine.dispose()  # pooled connections still point at the damaged file
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    suffix = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{suffix}")
        suffix += 1
    for companion in _COMPANIONS:
        source = Path(f"{path}{companion}")
        if source.exists():
            source.rename(Path(f"{aside}{companion}"))
    log.error(
        "database %s is damaged (%s): moved it aside to %s and rebuilding it from the data files",
        path,
        why,
        aside,
        extra={"damaged_file": str(aside), "reason": why},
    )
    return aside
