"""Helpers shared by the benchmark scripts: servers, wrk, memory."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVER_FLAGS = [
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--no-access-log",
    "--no-server-header",
    "--workers",
    "1",
    "--log-level",
    "warning",
]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing; installing it from Debian's packages", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, timeout_s: float = 60.0) -> float:
    """Seconds until `url` answers 200."""
    start = time.perf_counter()
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.perf_counter() - start
        except httpx.HTTPError:
            pass
        if time.perf_counter() - start > timeout_s:
            raise RuntimeError(f"{url} did not become healthy")
        time.sleep(0.02)


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    started_s: float
    log: Path

    def log_lines(self) -> int:
        """Lines the server wrote to stdout/stderr so far (the access log is one per request)."""
        with self.log.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))

    def rss_mb(self) -> float:
        """Resident memory of the server process and its children, in MB."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            total += int(match.group(1)) if match else 0
        return total / 1024


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    kids = [int(p) for p in text.split()]
    return kids + [g for k in kids for g in _children(k)]


@contextmanager
def serve(
    app: str, env: dict[str, str], health: str = "/health", cwd: Path = ROOT
) -> Iterator[Server]:
    """Start `app` with uvicorn; its output (druginfo's JSON access log) goes to a file, as a
    log collector would take it, not to the terminal."""
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="druginfo-bench-"))
    log = log_dir / "server.log"
    output = log.open("wb")
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *SERVER_FLAGS,
        ],
        cwd=cwd,
        env={**os.environ, **env},
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(base + health)
        except RuntimeError:
            print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
            raise
        yield Server(process, base, time.perf_counter() - start, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        output.close()
        log.unlink(missing_ok=True)
        log_dir.rmdir()


@dataclass
class WrkResult:
    requests_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    requests: int


def _ms(text: str) -> float:
    found = re.match(r"([\d.]+)(\w+)", text)
    if found is None:
        raise RuntimeError(f"cannot read a latency from {text!r}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(
    url: str,
    *,
    threads: int = 2,
    connections: int = 32,
    duration_s: int = 10,
    script: str | None = None,
    headers: tuple[str, ...] = (),
) -> WrkResult:
    cmd = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--latency"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    if "Latency Distribution" not in out:
        raise RuntimeError(f"wrk gave no latency distribution for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    return WrkResult(
        requests_s=rps,
        p50_ms=p50,
        p99_ms=p99,
        non_2xx=int(non2xx.group(1)) if non2xx else 0,
        socket_errors=sum(int(g) for g in errors.groups()) if errors else 0,
        requests=total,
    )
