"""Seeding: one transaction, all or nothing; twice gives the same database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.catalog import loader
from app.catalog import seed as seed_service
from app.cli import cli
from app.config import get_settings
from app.db import get_engine, make_engine
from tests.conftest import read_json, write_json


def _dump(db: Path) -> str:
    connection = sqlite3.connect(db)
    try:
        return "\n".join(connection.iterdump())
    finally:
        connection.close()


def test_seeding_twice_gives_the_same_database(tiny_data: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    engine = make_engine(f"sqlite:///{db}")
    seed_service.seed(engine, tiny_data)
    first = _dump(db)
    seed_service.seed(engine, tiny_data)
    assert _dump(db) == first
    assert "baclofen" in first


def test_unchanged_data_is_not_rewritten(tiny_data: Path, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    assert not seed_service.seed(engine, tiny_data, force=False).skipped
    assert seed_service.seed(engine, tiny_data, force=False).skipped


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point the settings (and so the CLI) at a fresh database file for one test."""
    db = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield db
    get_engine().dispose()
    monkeypatch.undo()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.mark.parametrize(
    "breakage",
    ["malformed", "bad dose", "unknown term", "duplicate brand"],
)
def test_bad_data_leaves_the_database_exactly_as_it_was(
    tiny_data: Path, database_url: Path, breakage: str
) -> None:
    db = database_url
    first = CliRunner().invoke(cli, ["seed", "--data-dir", str(tiny_data)])
    assert first.exit_code == 0, first.output
    get_engine().dispose()
    before = db.read_bytes()
    dump_before = _dump(db)
    path = tiny_data / "drugs" / "baclofen.json"
    document = read_json(path)
    if breakage == "malformed":
        path.write_text("{", encoding="utf-8")
    elif breakage == "bad dose":
        document["regimens"][0]["steps"][0]["dose_mg"] = 0
        write_json(path, document)
    elif breakage == "unknown term":
        document["indications"][0]["condition"] = "lycanthropy"
        write_json(path, document)
    else:
        other = dict(
            document, id="second", generic_name="second", brand_names=["Lioresal"], synonyms=[]
        )
        write_json(tiny_data / "drugs" / "second.json", other)
    result = CliRunner().invoke(cli, ["seed", "--data-dir", str(tiny_data)])
    assert result.exit_code == 1
    assert "drugs/" in result.output and "$" in result.output
    assert "the database is as it was" in result.output
    assert _dump(db) == dump_before
    assert db.read_bytes() == before


def test_a_failure_inside_the_write_rolls_everything_back(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "d.db"
    engine = make_engine(f"sqlite:///{db}")
    seed_service.seed(engine, tiny_data)
    before = _dump(db)
    catalog = loader.load_catalog(tiny_data)

    def boom(done: int, total: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        seed_service.write_catalog(engine, catalog, progress=boom)
    assert _dump(db) == before
