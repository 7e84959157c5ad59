"""RATE_LIMIT_PER_MINUTE: 429 problem+json with Retry-After past the limit; probes exempt."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import ratelimit
from app.config import Settings
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]


def limited_client(tmp_path: Path, per_minute: int, api_keys: str = "") -> TestClient:
    settings = Settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'limit.db'}",
        DATA_DIR=ROOT / "data",
        RATE_LIMIT_PER_MINUTE=per_minute,
        API_KEYS=api_keys,
    )
    return TestClient(create_app(settings))


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limiter_allows_the_minutes_allowance_at_once_then_one_per_interval() -> None:
    clock = FakeClock()
    limiter = ratelimit.RateLimiter(6, clock=clock)  # one every 10 s
    assert [limiter.acquire("a") for _ in range(6)] == [0.0] * 6
    assert limiter.acquire("a") == pytest.approx(10.0)
    assert limiter.acquire("b") == 0.0  # callers are counted apart
    clock.now += 9.9
    assert limiter.acquire("a") == pytest.approx(0.1)
    clock.now += 0.1
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") == pytest.approx(10.0)
    clock.now += 60
    assert [limiter.acquire("a") for _ in range(6)] == [0.0] * 6


def test_limiter_forgets_callers_whose_allowance_is_full_again() -> None:
    clock = FakeClock()
    limiter = ratelimit.RateLimiter(60, clock=clock, max_callers=10)
    for caller in range(10):
        limiter.acquire(f"c{caller}")
    clock.now += 120
    limiter.acquire("late")  # 11 callers > 10: the 10 idle ones are swept
    assert list(limiter._due) == ["late"]


def test_workers_sharing_a_table_share_the_allowance(tmp_path: Path) -> None:
    clock = FakeClock()
    table = tmp_path / "limits.bin"
    one = ratelimit.SharedRateLimiter(5, table, clock=clock)
    two = ratelimit.SharedRateLimiter(5, table, clock=clock)
    assert [one.acquire("addr:10.0.0.1") for _ in range(3)] == [0.0] * 3
    assert [two.acquire("addr:10.0.0.1") for _ in range(2)] == [0.0] * 2
    assert one.acquire("addr:10.0.0.1") == pytest.approx(12.0)
    assert two.acquire("addr:10.0.0.1") == pytest.approx(12.0)
    assert two.acquire("addr:10.0.0.2") == 0.0
    clock.now += 12
    assert one.acquire("addr:10.0.0.1") == 0.0
    assert two.acquire("addr:10.0.0.1") == pytest.approx(12.0)


def test_a_full_probe_window_reuses_the_slot_due_soonest(tmp_path: Path) -> None:
    clock = FakeClock()
    shared = ratelimit.SharedRateLimiter(1, tmp_path / "tiny.bin", clock=clock)
    shared.SLOTS, shared.PROBE = 4, 4  # four slots: a fifth caller must evict one
    for caller in range(4):
        clock.now += 1
        assert shared.acquire(f"c{caller}") == 0.0
    assert shared.acquire("c4") == 0.0  # took c0's slot (due soonest)
    assert shared.acquire("c4") > 0
    assert shared.acquire("c0") == 0.0  # c0 starts afresh (and takes c1's slot)
    assert shared.acquire("c3") > 0  # the others are still counted


def test_requests_past_the_limit_get_429_with_retry_after(tmp_path: Path) -> None:
    with limited_client(tmp_path, per_minute=5) as client:
        # The first is routed, the rest are fast-path hits: all of them count.
        answers = [client.get("/drugs/baclofen") for _ in range(5)]
        refused = client.get("/drugs/baclofen", headers={"X-Request-ID": "over-1"})
        also_refused = client.post("/titration", json={"drug": "baclofen"})
    assert [r.status_code for r in answers] == [200] * 5
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["retry-after"]) <= 12
    assert refused.headers["x-request-id"] == "over-1"
    problem = refused.json()
    assert problem["type"].endswith("/rate-limited")
    assert problem["status"] == 429
    assert problem["retry_after_s"] == int(refused.headers["retry-after"])
    assert "5 requests" in problem["detail"]
    assert also_refused.status_code == 429


def test_health_and_metrics_are_exempt_from_the_limit(tmp_path: Path) -> None:
    with limited_client(tmp_path, per_minute=2) as client:
        for _ in range(3):
            client.get("/indications?drug=baclofen")
        assert client.get("/indications?drug=baclofen").status_code == 429
        for _ in range(5):
            for path in ("/health", "/health/live", "/health/ready", "/metrics"):
                assert client.get(path).status_code == 200, path


def test_each_api_key_has_its_own_allowance(tmp_path: Path) -> None:
    with limited_client(tmp_path, per_minute=3, api_keys="key-one,key-two") as client:
        one = {"X-API-Key": "key-one"}
        assert [client.get("/drugs", headers=one).status_code for _ in range(3)] == [200] * 3
        assert client.get("/drugs", headers=one).status_code == 429
        two = {"X-API-Key": "key-two"}
        assert client.get("/drugs", headers=two).status_code == 200
        # Made-up keys do not buy fresh allowances: they count against the client's address.
        made_up = [client.get("/drugs", headers={"X-API-Key": f"guess-{i}"}) for i in range(4)]
    assert [r.status_code for r in made_up] == [401, 401, 401, 429]


def test_no_limit_by_default(client: TestClient) -> None:
    assert all(client.get("/health/live").status_code == 200 for _ in range(3))
    assert all(client.get("/drugs/baclofen").status_code == 200 for _ in range(70))
