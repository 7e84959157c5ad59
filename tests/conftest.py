"""Fixtures: a temporary database seeded from the real data/, and a client with the lifespan run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"

# Settings are read once; point them at a throwaway database before the app is imported.
_TMP = Path(tempfile.mkdtemp(prefix="druginfo-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP / 'test.db'}")
os.environ["DATA_DIR"] = str(DATA)
# The session's app keeps the read model it started with; tests that reseed say so themselves.
os.environ["RELOAD_INTERVAL_S"] = "0"
os.environ.pop("API_KEYS", None)

from fastapi.testclient import TestClient  # noqa: E402

from app.main import create_app  # noqa: E402


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from app.db import get_engine

    get_engine().dispose()
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A data directory with the real vocabularies and baclofen only, to break on purpose."""
    (tmp_path / "drugs").mkdir()
    shutil.copytree(
        DATA / "vocabulary",
        tmp_path / "vocabulary",
        ignore=shutil.ignore_patterns("*.lock", "*.tmp"),
    )
    shutil.copy(DATA / "drugs" / "baclofen.json", tmp_path / "drugs" / "baclofen.json")
    return tmp_path


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on a free loopback port in a thread; yield its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
