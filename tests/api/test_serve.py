"""`druginfo serve` as operators run it: SIGTERM drains in-flight requests; workers sum metrics."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

DRUGINFO = str(Path(sys.executable).parent / "druginfo")
# uvicorn re-raises the signal once it has shut down gracefully, so the exit status says SIGTERM.
EXITED_ON_SIGTERM = (0, -signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(
    data_dir: Path, db: Path, *args: str, **env: str
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    port = _free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "DATA_DIR": str(data_dir),
        "RELOAD_INTERVAL_S": "0",
        "LOG_FORMAT": "json",
        **env,
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(
        [DRUGINFO, "serve", "--port", str(port), *args],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(base + "/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield process, base
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_sigterm_lets_the_request_in_flight_finish_then_exits(
    tiny_data: Path, tmp_path: Path
) -> None:
    body = json.dumps({"drug": "baclofen", "start_date": "2026-12-01"}).encode()
    with serving(tiny_data, tmp_path / "serve.db") as (process, base):
        port = int(base.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"POST /titration HTTP/1.1\r\nHost: druginfo\r\nX-Request-ID: in-flight-1\r\n"
                b"Content-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body[:10]
            )
            time.sleep(0.3)  # the server has the headers: the request is in flight
            process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            time.sleep(0.3)  # shutting down now, waiting for this request
            sock.sendall(body[10:])
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        output = process.communicate(timeout=10)[0]
        exited_s = time.monotonic() - signalled
    head, _, payload = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), received[:300]
    assert b"x-request-id: in-flight-1" in head.lower()
    assert json.loads(payload)["results"]["steps"]
    assert process.returncode in EXITED_ON_SIGTERM
    assert exited_s < 5
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    logged = [line for line in lines if line.get("request_id") == "in-flight-1"]
    assert [(line["method"], line["path"], line["status"]) for line in logged] == [
        ("POST", "/titration", 200)
    ]
    assert "Traceback" not in output


def _sum(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{"):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit(" ", 1)[0]))
            if all(found.get(k) == v for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_of_several_workers_are_summed_by_any_worker(
    tiny_data: Path, tmp_path: Path
) -> None:
    with serving(tiny_data, tmp_path / "workers.db", "--workers", "2") as (process, base):
        for _ in range(30):  # a new connection each: the kernel spreads them over the workers
            assert httpx.get(base + "/drugs/baclofen").status_code == 200
        scrapes = [httpx.get(base + "/metrics").text for _ in range(6)]
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)[0]
    for text in scrapes:
        served = _sum(text, "http_requests_total", route="/drugs/{drug}", status="200")
        assert served == 30
        pids = set(re.findall(r'druginfo_read_model_info\{[^}]*pid="(\d+)"', text))
        assert len(pids) == 2, text
    assert process.returncode in EXITED_ON_SIGTERM, output


def test_workers_share_one_rate_limit(tiny_data: Path, tmp_path: Path) -> None:
    env = {"RATE_LIMIT_PER_MINUTE": "10"}
    with serving(tiny_data, tmp_path / "limit.db", "--workers", "2", **env) as (process, base):
        statuses = [httpx.get(base + "/drugs/baclofen").status_code for _ in range(15)]
        scrapes = [httpx.get(base + "/metrics").text for _ in range(4)]
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
    assert statuses == [200] * 10 + [429] * 5
    pids = set(re.findall(r'druginfo_read_model_info\{[^}]*pid="(\d+)"', scrapes[-1]))
    assert len(pids) == 2
