"""Read-only surface, optional API keys, CORS, and the headers every response carries."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app


def test_the_api_is_read_only(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    methods = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    writes = {(p, m) for p, m in methods if m != "get"}
    # POST /titration (and its per-format twins) computes a plan from its body, stores nothing.
    formats = {(f"/titration/{fmt}", "post") for fmt in ("fhir", "csv", "ics", "svg")}
    assert writes == {("/titration", "post")} | formats
    before = client.get("/drugs/baclofen").json()
    client.post("/titration", json={"drug": "baclofen", "target_daily_mg": 30})
    assert client.get("/drugs/baclofen").json() == before


@pytest.fixture(scope="module")
def keyed() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(API_KEYS="alpha-key, beta-key"))) as keyed_client:
        yield keyed_client


def test_api_keys_are_off_by_default(client: TestClient) -> None:
    assert client.get("/drugs").status_code == 200


@pytest.mark.parametrize("key", [None, "", "wrong", "alpha-key ", "ALPHA-KEY"])
def test_missing_or_wrong_api_key_is_401_problem(keyed: TestClient, key: str | None) -> None:
    headers = {} if key is None else {"X-API-Key": key}
    response = keyed.get("/drugs", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["title"] == "Missing or invalid API key"


@pytest.mark.parametrize("key", ["alpha-key", "beta-key"])
def test_any_configured_api_key_is_accepted(keyed: TestClient, key: str) -> None:
    assert keyed.get("/drugs", headers={"X-API-Key": key}).status_code == 200
    assert (
        keyed.post("/titration", json={"drug": "baclofen"}, headers={"X-API-Key": key}).status_code
        == 200
    )


def test_health_stays_open_for_load_balancers_when_keys_are_on(keyed: TestClient) -> None:
    assert keyed.get("/health").status_code == 200


def test_cors_allows_get_from_any_origin_by_default(client: TestClient) -> None:
    response = client.get("/drugs", headers={"Origin": "https://clinic.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/drugs",
        headers={"Origin": "https://clinic.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_cors_origins_are_configurable() -> None:
    with TestClient(create_app(Settings(CORS_ORIGINS="https://only.example"))) as restricted:
        allowed = restricted.get("/health", headers={"Origin": "https://only.example"})
        other = restricted.get("/health", headers={"Origin": "https://evil.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://only.example"
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize(
    "path", ["/health", "/drugs/baclofen", "/nowhere", "/titration?drug=baclofen&format=svg"]
)
def test_every_response_has_security_headers_and_no_server_version(
    client: TestClient, path: str
) -> None:
    response = client.get(path)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "server" not in response.headers
