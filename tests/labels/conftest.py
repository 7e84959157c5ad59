"""Fixtures for the label tests: a fresh database (SQLite file, or PostgreSQL when the suite runs
against it), the label fixtures in openFDA format, and a dump of the label tables."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.config import Settings
from app.db import make_engine
from app.labels import importer
from app.main import create_app, refresh_read_model

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BULK = FIXTURES / "bulk" / "drug-label-0001-of-0001.json"
BARE = FIXTURES / "bare" / "glucorex.json"
NEWER = FIXTURES / "versions" / "spastiva-v3.json"
OLDER = FIXTURES / "versions" / "spastiva-v1.json"
MALFORMED = FIXTURES / "malformed"
SPASTIVA = "5f2c3c5e-1a8e-4c1e-9b7a-0000000000a1"
PALOVEX = "5f2c3c5e-1a8e-4c1e-9b7a-0000000000b2"
QUIETOL = "5f2c3c5e-1a8e-4c1e-9b7a-0000000000c3"
GLUCOREX = "5f2c3c5e-1a8e-4c1e-9b7a-0000000000d4"

_TABLES = ("label_key", "label_section", "label_version", "label")
DATA = Path(__file__).resolve().parents[2] / "data"


@contextmanager
def client_with_labels(tmp: Path, name: str, files: list[Path]) -> Iterator[TestClient]:
    """An app serving baclofen (curated) over a fresh database with `files` imported."""
    data = tmp / "data"
    shutil.copytree(DATA / "vocabulary", data / "vocabulary")
    (data / "drugs").mkdir()
    shutil.copy(DATA / "drugs" / "baclofen.json", data / "drugs" / "baclofen.json")
    settings = Settings(
        DATABASE_URL=fresh_database_url(tmp, name), DATA_DIR=data, RELOAD_INTERVAL_S=0
    )
    with TestClient(create_app(settings)) as test_client:
        app = test_client.app
        report = importer.import_paths(app.state.engine, files)  # type: ignore[attr-defined]
        assert not report.failed
        refresh_read_model(app)  # type: ignore[arg-type]  # the monographs list label set ids
        yield test_client


def fresh_database_url(tmp: Path, name: str) -> str:
    """An empty database: a new SQLite file, or a new database on the suite's PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return f"sqlite:///{tmp / (name + '.db')}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    database = f"druginfo_{name}_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    built = make_engine(fresh_database_url(tmp_path, "labels_unit"))
    SQLModel.metadata.create_all(built)
    yield built
    built.dispose()


@pytest.fixture
def bulk_zip(tmp_path: Path) -> Path:
    """The bulk fixture as openFDA ships it: a zip holding one JSON file."""
    path = tmp_path / "drug-label-0001-of-0001.json.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(BULK, BULK.name)
    return path


def dump(engine: Engine) -> dict[str, Any]:
    """Every row of the label tables, and what the full-text index finds: to compare states."""
    out: dict[str, Any] = {}
    with engine.connect() as conn:
        for name in _TABLES:
            table = SQLModel.metadata.tables[name]
            rows = conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            out[name] = [tuple(row) for row in rows]
        if engine.dialect.name == "sqlite":
            conn.execute(text("INSERT INTO label_fts(label_fts) VALUES ('integrity-check')"))
            out["fts"] = conn.execute(
                text("SELECT rowid FROM label_fts WHERE label_fts MATCH 'adverse' ORDER BY rowid")
            ).all()
        else:
            out["fts"] = conn.execute(
                text("SELECT doc_id, search::text FROM label_version ORDER BY doc_id")
            ).all()
    return out
