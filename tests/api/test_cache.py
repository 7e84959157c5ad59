"""The fast path for repeated GETs answers exactly as the route does."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app

PATHS = [
    "/indications?drug=baclofen",
    "/side-effects?drug=baclofen&frequency=common",
    "/drugs/baclofen",
    "/titration?drug=baclofen&format=csv&start_date=2026-12-01",
    "/titration?drug=baclofen&format=svg",
]
KEPT = ("content-type", "etag", "cache-control", "content-disposition", "x-content-type-options")


@pytest.mark.parametrize("path", PATHS)
def test_repeated_get_is_identical_to_the_first(client: TestClient, path: str) -> None:
    first = client.get(path)
    again = client.get(path)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    for header in KEPT:
        assert again.headers.get(header) == first.headers.get(header), header


def test_fast_path_answers_if_none_match_with_304(client: TestClient) -> None:
    etag = client.get("/precautions?drug=baclofen").headers["etag"]
    response = client.get("/precautions?drug=baclofen", headers={"If-None-Match": f'"x", {etag}'})
    assert response.status_code == 304
    assert response.headers["etag"] == etag


def test_accept_header_is_part_of_the_key(client: TestClient) -> None:
    as_json = client.get("/titration?drug=baclofen")
    as_csv = client.get("/titration?drug=baclofen", headers={"Accept": "text/csv"})
    assert as_json.headers["content-type"] == "application/json"
    assert as_csv.headers["content-type"].startswith("text/csv")


def test_errors_are_never_cached(client: TestClient) -> None:
    for _ in range(2):
        response = client.get("/drugs/baclofn")
        assert response.status_code == 404


def test_fast_path_still_requires_the_api_key() -> None:
    with TestClient(create_app(Settings(API_KEYS="k1"))) as keyed:
        assert keyed.get("/drugs/baclofen", headers={"X-API-Key": "k1"}).status_code == 200
        assert keyed.get("/drugs/baclofen").status_code == 401
        assert keyed.get("/drugs/baclofen", headers={"X-API-Key": "k2"}).status_code == 401
