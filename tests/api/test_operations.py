"""Operating druginfo: request ids, access-log lines, /metrics, liveness and readiness."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import LogFormat, Settings
from app.db import make_engine
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ops_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """An app of its own (JSON logs, access log on) with a route that fails unexpectedly."""
    db = tmp_path_factory.mktemp("ops") / "ops.db"
    app = create_app(Settings(DATABASE_URL=f"sqlite:///{db}", DATA_DIR=ROOT / "data"))

    @app.get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("kaboom")

    yield app


@pytest.fixture
def ops(ops_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(ops_app, raise_server_exceptions=False) as client:
        yield client


def access_lines(captured: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in the Prometheus text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit(" ", 1)[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


# --- request ids ---------------------------------------------------------------------------------


def test_request_id_is_generated_when_the_caller_sends_none(ops: TestClient) -> None:
    first = ops.get("/health")
    second = ops.get("/health")
    assert first.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_request_id_from_the_caller_is_echoed(ops: TestClient) -> None:
    response = ops.get("/drugs/baclofen", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "lb-7f3a.42"


def test_request_id_that_could_forge_log_lines_is_replaced(ops: TestClient) -> None:
    response = ops.get("/health", headers={"X-Request-ID": 'x" status=200 "' + "a" * 200})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/drugs/baclofn", 404),
        ("GET", "/indications?drug=baclofen&limit=0", 422),
        ("GET", "/no/such/path", 404),
        ("DELETE", "/drugs/baclofen", 405),
        ("GET", "/boom", 500),
    ],
)
def test_request_id_is_echoed_on_errors(
    ops: TestClient, method: str, path: str, status: int
) -> None:
    response = ops.request(method, path, headers={"X-Request-ID": f"err-{status}"})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == f"err-{status}"


def test_request_id_is_echoed_on_fast_path_hits_and_304s(ops: TestClient) -> None:
    first = ops.get("/side-effects?drug=baclofen")
    hit = ops.get("/side-effects?drug=baclofen", headers={"X-Request-ID": "hit-1"})
    revalidated = ops.get(
        "/side-effects?drug=baclofen",
        headers={"X-Request-ID": "hit-2", "If-None-Match": first.headers["etag"]},
    )
    assert hit.status_code == 200
    assert hit.headers["x-request-id"] == "hit-1"
    assert revalidated.status_code == 304
    assert revalidated.headers["x-request-id"] == "hit-2"


# --- access log ----------------------------------------------------------------------------------


def test_one_json_access_line_per_request_with_the_operator_fields(
    ops: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    ops.get("/drugs/baclofen", headers={"X-Request-ID": "log-1"})
    ops.get("/drugs/baclofen", headers={"X-Request-ID": "log-2"})  # a fast-path hit
    ops.get("/drugs/nosuchdrug", headers={"X-Request-ID": "log-3"})
    lines = access_lines(capsys.readouterr().out)
    assert [line["request_id"] for line in lines] == ["log-1", "log-2", "log-3"]
    assert [line["status"] for line in lines] == [200, 200, 404]
    for line in lines:
        assert line["method"] == "GET"
        assert str(line["path"]).startswith("/drugs/")
        assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
        assert line["client"] == "testclient"
        assert line["level"] == "info"
        assert "timestamp" in line


def test_an_unexpected_error_is_logged_as_json_with_its_request_id(
    ops: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    ops.get("/boom", headers={"X-Request-ID": "boom-1"})
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")]
    failure = next(line for line in lines if line.get("level") == "error")
    assert failure["request_id"] == "boom-1"
    assert "kaboom" in failure["exception"]
    assert [line["status"] for line in access_lines_of(lines)] == [500]


def access_lines_of(lines: list[dict[str, object]]) -> list[dict[str, object]]:
    return [line for line in lines if line.get("event") == "request"]


def test_text_log_format_and_access_log_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(
        DATABASE_URL=f"sqlite:///{tmp_path / 'text.db'}",
        DATA_DIR=ROOT / "data",
        LOG_FORMAT=LogFormat.text,
    )
    with TestClient(create_app(settings)) as client:
        capsys.readouterr()
        client.get("/health", headers={"X-Request-ID": "text-1"})
        text = capsys.readouterr().out
    assert "request" in text and "request_id=text-1" in text and "status=200" in text
    assert not text.lstrip().startswith("{")
    quiet = settings.model_copy(update={"ACCESS_LOG": False, "LOG_FORMAT": LogFormat.json})
    with TestClient(create_app(quiet)) as client:
        capsys.readouterr()
        assert client.get("/health").status_code == 200
        assert access_lines(capsys.readouterr().out) == []


# --- metrics -------------------------------------------------------------------------------------


def test_metrics_count_requests_by_route_template_and_status(ops: TestClient) -> None:
    before = ops.get("/metrics").text
    ops.get("/precautions?drug=baclofen")  # built by the route
    ops.get("/precautions?drug=baclofen")  # answered by the fast path
    ops.get("/precautions?drug=baclofen")  # answered by the fast path
    ops.get("/drugs/nosuchdrug")
    response = ops.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    after = response.text

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    route = {"method": "GET", "route": "/precautions"}
    assert delta("http_requests_total", **route, status="200") == 3
    assert delta("http_requests_total", method="GET", route="/drugs/{drug}", status="404") == 1
    assert delta("http_request_duration_seconds_count", **route) == 3
    assert delta("druginfo_cache_hits_total", layer="fast_path") >= 2
    assert delta("druginfo_cache_misses_total") >= 1
    assert "# TYPE http_request_duration_seconds histogram" in after


def test_metrics_report_the_read_model_served(ops: TestClient) -> None:
    version = ops.get("/health").json()["data_version"]
    text = ops.get("/metrics").text
    assert sample(text, "druginfo_read_model_info", data_version=version) == 1
    assert sample(text, "druginfo_read_model_build_seconds") > 0
    assert sample(text, "druginfo_read_model_drugs") == ops.get("/health").json()["drugs"]


def test_head_requests_are_labelled_with_their_route(ops: TestClient) -> None:
    before = sample(ops.get("/metrics").text, "http_requests_total", method="HEAD", route="/health")
    assert ops.head("/health").status_code == 200
    after = sample(ops.get("/metrics").text, "http_requests_total", method="HEAD", route="/health")
    assert after - before == 1


def test_unknown_paths_share_one_metrics_label(ops: TestClient) -> None:
    ops.get("/scan/one")
    ops.get("/scan/two")
    text = ops.get("/metrics").text
    assert "/scan/" not in text
    assert sample(text, "http_requests_total", route="unmatched", status="404") >= 2


# --- liveness and readiness ---------------------------------------------------------------------


def test_live_and_ready_answer_200_when_serving(ops: TestClient) -> None:
    live = ops.get("/health/live")
    ready = ops.get("/health/ready")
    assert live.status_code == 200
    assert live.json()["status"] == "ok"
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["data_version"] == ops.get("/health").json()["data_version"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ready_is_503_when_the_database_is_unreachable_and_data_keeps_being_served(
    ops: TestClient, ops_app: FastAPI
) -> None:
    engine = ops_app.state.engine
    down = make_engine(f"postgresql+psycopg://druginfo:hunter2@127.0.0.1:{_closed_port()}/x")
    ops_app.state.engine = down
    try:
        ready = ops.get("/health/ready")
        served = ops.get("/indications?drug=baclofen")
        live = ops.get("/health/live")
    finally:
        ops_app.state.engine = engine
        down.dispose()
    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    problem = ready.json()
    assert problem["type"].endswith("/not-ready")
    assert "127.0.0.1" in problem["detail"]
    assert "hunter2" not in ready.text
    assert ready.headers["retry-after"] == "5"
    assert served.status_code == 200
    assert served.json()["results"]
    assert live.status_code == 200
    assert ops.get("/health/ready").status_code == 200


def test_ready_is_503_before_the_read_model_is_built(ops_app: FastAPI) -> None:
    client = TestClient(ops_app)  # no `with`: the lifespan has not run
    saved = ops_app.state.read_model if hasattr(ops_app.state, "read_model") else None
    if saved is not None:
        del ops_app.state.read_model
    try:
        response = client.get("/health/ready")
    finally:
        if saved is not None:
            ops_app.state.read_model = saved
    assert response.status_code == 503
    assert "read model" in response.json()["detail"]
