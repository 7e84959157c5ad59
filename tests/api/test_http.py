"""HTTP details a client meets: gzip (cached beside the plain body), Vary, ETags, Allow, CORS."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from app.readmodel import cache

MONOGRAPH = "/drugs/baclofen"
GZIP = {"Accept-Encoding": "gzip"}
PLAIN = {"Accept-Encoding": "identity"}


def test_monograph_is_gzipped_on_the_route_and_on_the_fast_path(client: TestClient) -> None:
    plain = client.get(MONOGRAPH, headers=PLAIN)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    for _ in range(2):  # the second answer comes from the fast path
        zipped = client.get(MONOGRAPH, headers=GZIP)
        assert zipped.status_code == 200
        assert zipped.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["vary"]
        assert zipped.json() == plain.json()
        assert int(zipped.headers["content-length"]) < len(plain.content) / 4
        assert zipped.headers["etag"] != plain.headers["etag"]
    assert "Accept-Encoding" in plain.headers["vary"]


def test_a_cache_hit_costs_no_compression(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.get("/side-effects?drug=baclofen&limit=3", headers=GZIP)
    calls: list[int] = []
    real = gzip.compress

    def counting(data: bytes, *args: object, **kwargs: object) -> bytes:
        calls.append(len(data))
        return real(data, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache.gzip, "compress", counting)
    for _ in range(3):
        response = client.get("/side-effects?drug=baclofen&limit=3", headers=GZIP)
        assert response.headers["content-encoding"] == "gzip"
    assert calls == []


def test_small_bodies_are_sent_plain(client: TestClient) -> None:
    response = client.get("/drugs?limit=1", headers=GZIP)
    assert response.status_code == 200
    assert len(response.content) < cache.GZIP_MIN_BYTES
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize("value", ["gzip;q=0", "br", "identity", ""])
def test_gzip_only_when_accepted(client: TestClient, value: str) -> None:
    response = client.get(MONOGRAPH, headers={"Accept-Encoding": value})
    assert response.status_code == 200 and "content-encoding" not in response.headers


def test_either_etag_revalidates_either_representation(client: TestClient) -> None:
    plain_tag = client.get(MONOGRAPH, headers=PLAIN).headers["etag"]
    gzip_tag = client.get(MONOGRAPH, headers=GZIP).headers["etag"]
    for tag in (plain_tag, gzip_tag, f"W/{gzip_tag}"):
        for encoding in (GZIP, PLAIN):
            response = client.get(MONOGRAPH, headers={"If-None-Match": tag, **encoding})
            assert response.status_code == 304, (tag, encoding)
            assert "Accept-Encoding" in response.headers["vary"]


def test_posted_plan_is_gzipped_when_large(client: TestClient) -> None:
    response = client.post(
        "/titration",
        json={"drug": "baclofen", "direction": "down", "current_daily_mg": 60},
        headers=GZIP,
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["results"]["steps"][-1]["daily_mg"] == 0


def test_405_allows_head_where_get_is_allowed(client: TestClient) -> None:
    response = client.delete("/drugs")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    both = client.put("/titration")
    assert both.headers["allow"] == "GET, HEAD, POST"


def test_cors_exposes_content_disposition_and_etag(client: TestClient) -> None:
    response = client.get(
        "/titration?drug=baclofen&start_date=2026-12-01&format=csv",
        headers={"Origin": "https://app.example"},
    )
    assert response.status_code == 200
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert {"content-disposition", "etag"} <= exposed
    assert response.headers["content-disposition"].startswith("attachment;")


def test_fast_path_hits_carry_the_security_headers(client: TestClient) -> None:
    for _ in range(2):  # the second answer comes from the fast path
        response = client.get("/precautions?drug=baclofen", headers=GZIP)
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-request-id"]
