"""Start-up: a bad data file never takes down a server that has data to serve."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.catalog import loader
from app.catalog import seed as seed_service
from app.config import Settings
from app.db import make_engine
from app.main import create_app


def test_bad_data_at_startup_keeps_serving_what_the_database_has(
    tiny_data: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'keep.db'}"
    engine = make_engine(url)
    good = seed_service.seed(engine, tiny_data).data_version
    engine.dispose()
    (tiny_data / "drugs" / "baclofen.json").write_text("{ broken", encoding="utf-8")
    with TestClient(create_app(Settings(DATABASE_URL=url, DATA_DIR=tiny_data))) as client:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["data_version"] == good


def test_bad_data_and_an_empty_database_refuse_to_start(tiny_data: Path, tmp_path: Path) -> None:
    (tiny_data / "drugs" / "baclofen.json").write_text("{ broken", encoding="utf-8")
    app = create_app(
        Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}", DATA_DIR=tiny_data)
    )
    with pytest.raises(loader.CatalogError), TestClient(app):
        pass


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    get = client.get("/health")
    head = client.head("/health")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
