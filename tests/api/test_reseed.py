"""Reseed while serving: readers see the old data or the new, never a mix, never an error."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.catalog import seed as seed_service
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from tests.conftest import live_server, read_json, write_json


@pytest.fixture
def served(tiny_data: Path, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    settings = Settings(DATABASE_URL=url, DATA_DIR=tiny_data, RELOAD_INTERVAL_S=0.05)
    with live_server(create_app(settings)) as base:
        yield base, tiny_data, url


def test_readers_see_old_or_new_data_never_a_mix_during_reseed(
    served: tuple[str, Path, str],
) -> None:
    base, data_dir, url = served
    first = httpx.get(f"{base}/drugs/baclofen").json()
    old_version = first["meta"]["data_version"]
    assert "Reseedex" not in first["results"]["brand_names"]

    seen: list[tuple[int, str, bool, bool]] = []
    stop = threading.Event()

    def reader() -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            while not stop.is_set():
                drug = http.get("/drugs/baclofen")
                effects = http.get("/side-effects", params={"drug": "baclofen", "limit": 100})
                body = drug.json()
                rows = effects.json()["results"] if effects.status_code == 200 else []
                seen.append(
                    (
                        min(drug.status_code, effects.status_code) if rows else effects.status_code,
                        body["meta"]["data_version"],
                        "Reseedex" in body["results"]["brand_names"],
                        any(r["effect_label"] == "transient drowsiness" for r in rows),
                    )
                )

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    time.sleep(0.3)

    path = data_dir / "drugs" / "baclofen.json"
    document = read_json(path)
    document["brand_names"].append("Reseedex")
    write_json(path, document)
    writer = make_engine(url)
    new_version = seed_service.seed(writer, data_dir).data_version
    writer.dispose()

    deadline = time.monotonic() + 10
    while not any(version == new_version for _, version, _, _ in seen[-20:]):
        assert time.monotonic() < deadline, "the server never picked up the new data"
        time.sleep(0.05)
    time.sleep(0.3)
    stop.set()
    for thread in readers:
        thread.join()

    assert seen and all(status == 200 for status, _, _, _ in seen)
    versions = {version for _, version, _, _ in seen}
    assert versions == {old_version, new_version}
    for _, version, has_new_brand, has_reactions in seen:
        assert has_new_brand == (version == new_version)
        assert has_reactions
