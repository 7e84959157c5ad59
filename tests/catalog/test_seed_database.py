"""Seeding against the configured database (SQLite by default, PostgreSQL under
scripts/with-postgres.sh): one transaction, and concurrent starts seed once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from app.catalog import loader
from app.catalog import seed as seed_service
from app.config import get_settings
from app.db import make_engine
from tests.conftest import DATA, read_json, write_json


@pytest.fixture
def engine() -> Iterator[Engine]:
    engine = make_engine(get_settings().DATABASE_URL)
    yield engine
    # Leave the shared database holding the real data for the tests that follow.
    seed_service.seed(engine, DATA, force=False)
    engine.dispose()


def _dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with Session(engine) as session:
        for table in sorted(SQLModel.metadata.sorted_tables, key=lambda t: t.name):
            # Sorted here: PostgreSQL cannot ORDER BY a json column.
            rows = session.execute(select(*table.columns)).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def test_a_failure_inside_the_write_leaves_every_table_as_it_was(
    engine: Engine, tiny_data: Path
) -> None:
    seed_service.seed(engine, DATA, force=False)
    before = _dump(engine)
    catalog = loader.load_catalog(tiny_data)
    calls = 0

    def fail_late(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("connection lost")

    with pytest.raises(RuntimeError):
        seed_service.write_catalog(engine, catalog, progress=fail_late)
    assert calls == 1
    assert _dump(engine) == before
    assert before["drug"]


def test_concurrent_starts_seed_once(engine: Engine, tiny_data: Path) -> None:
    path = tiny_data / "drugs" / "baclofen.json"
    document = read_json(path)
    document["synonyms"].append("concurrency-test")
    write_json(path, document)
    results: list[seed_service.SeedResult] = []
    failures: list[BaseException] = []

    def start() -> None:
        own = make_engine(get_settings().DATABASE_URL)
        try:
            results.append(seed_service.seed(own, tiny_data, force=False))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert sorted(r.skipped for r in results) == [False, True, True, True]
    assert len({r.data_version for r in results}) == 1
    assert seed_service.count_drugs(engine) == 1
