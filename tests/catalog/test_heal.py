"""A damaged SQLite file is healed; an unreachable database is one clear line, never a traceback."""

from __future__ import annotations

import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import db
from app.catalog import heal
from app.catalog import seed as seed_service
from app.config import Settings
from app.db import make_engine
from app.main import create_app

DRUGINFO = str(Path(sys.executable).parent / "druginfo")
PAGE = 4096


def seeded_then_damaged(data_dir: Path, path: Path, offset: int, garbage: bytes) -> bytes:
    """Seed, fold the WAL into the file (as a clean shutdown does), overwrite a few bytes."""
    engine = make_engine(f"sqlite:///{path}")
    seed_service.seed(engine, data_dir)
    engine.dispose()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with path.open("r+b") as handle:
        handle.seek(offset)
        handle.write(garbage)
    return path.read_bytes()


def aside_files(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.glob(f"{path.name}.damaged-*") if p.suffix != ".db-wal")


@pytest.mark.parametrize(
    ("offset", "garbage"),
    [(0, b"not a database!!"), (PAGE, b"\xff" * 12)],
    ids=["header", "btree-page"],
)
def test_seed_moves_a_damaged_file_aside_and_rebuilds_it(
    tiny_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, offset: int, garbage: bytes
) -> None:
    path = tmp_path / "damaged.db"
    damaged = seeded_then_damaged(tiny_data, path, offset, garbage)
    assert heal.damage(path) is not None
    engine = make_engine(f"sqlite:///{path}")
    with caplog.at_level(logging.INFO, logger="druginfo"):
        result = seed_service.seed(engine, tiny_data, force=False)
    engine.dispose()
    assert not result.skipped
    assert result.drugs == 1
    assert heal.damage(path) is None
    [aside] = aside_files(path)
    assert re.fullmatch(r"damaged\.db\.damaged-\d{8}T\d{6}Z", aside.name)
    assert aside.read_bytes() == damaged  # kept as it was, for a post-mortem
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1
    assert "damaged" in errors[0].getMessage() and str(aside) in errors[0].getMessage()


def test_a_sound_file_is_left_alone(tiny_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "sound.db"
    engine = make_engine(f"sqlite:///{path}")
    seed_service.seed(engine, tiny_data)
    assert heal.heal_if_damaged(engine) is None
    assert seed_service.seed(engine, tiny_data, force=False).skipped
    engine.dispose()
    assert aside_files(path) == []


def test_the_server_heals_a_damaged_file_at_start(tiny_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "start.db"
    seeded_then_damaged(tiny_data, path, 0, b"\x00" * 16)
    settings = Settings(DATABASE_URL=f"sqlite:///{path}", DATA_DIR=tiny_data)
    with TestClient(create_app(settings)) as client:
        health = client.get("/health")
        ready = client.get("/health/ready")
    assert health.status_code == 200
    assert health.json()["drugs"] == 1
    assert ready.status_code == 200
    assert len(aside_files(path)) == 1


def test_the_server_heals_damage_inside_rows_that_quick_check_cannot_see(
    tiny_data: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "rows.db"
    seeded_then_damaged(tiny_data, path, 0, b"SQLite format 3\x00")  # the header, as it was
    content = path.read_bytes()
    # Not UTF-8 where the rows (and index entries) say "spasticity": fails only when read.
    path.write_bytes(content.replace(b"spasticity", b"\xff\xfe\xfd\xfcticity"))
    assert heal.damage(path) is None
    settings = Settings(DATABASE_URL=f"sqlite:///{path}", DATA_DIR=tiny_data)
    with caplog.at_level(logging.INFO, logger="druginfo"), TestClient(create_app(settings)) as c:
        indications = c.get("/indications?drug=baclofen")
    assert indications.status_code == 200
    assert any("spasticity" in i["condition"] for i in indications.json()["results"])
    [aside] = aside_files(path)
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(errors) == 1
    assert "decode" in errors[0].getMessage() and str(aside) in errors[0].getMessage()


def test_a_locked_database_is_not_mistaken_for_damage() -> None:
    assert not heal.is_damage(sqlite3.OperationalError("database is locked"))
    assert heal.is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    assert heal.is_damage(sqlite3.OperationalError("Could not decode to UTF-8 column 'note'"))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def test_an_unreachable_database_is_retried_with_bounded_backoff(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeTime()
    monkeypatch.setattr(db, "time", fake)
    port = _closed_port()
    engine = make_engine(f"postgresql+psycopg://druginfo:s3cret-pw@127.0.0.1:{port}/druginfo")
    with pytest.raises(db.DatabaseUnavailable) as raised:
        db.wait_until_reachable(engine, timeout_s=12)
    engine.dispose()
    assert fake.pauses == [0.25, 0.5, 1.0, 2.0, 4.0, 4.25]  # doubling, capped, ends at 12 s
    message = str(raised.value)
    assert f"127.0.0.1:{port}/druginfo" in message
    assert "after 7 attempt(s) in 12.0 s" in message
    assert "s3cret-pw" not in message
    assert "\n" not in message


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LOG_FORMAT": "text", **env}
    return subprocess.run(
        [DRUGINFO, *args], env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
@pytest.mark.parametrize("command", ["seed", "serve"])
def test_cli_names_an_unreachable_host_in_one_line_without_a_traceback(command: str) -> None:
    port = _closed_port()
    url = f"postgresql+psycopg://druginfo:s3cret-pw@127.0.0.1:{port}/druginfo"
    done = run_cli(command, DATABASE_URL=url, DB_CONNECT_TIMEOUT_S="0.6")
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert "s3cret-pw" not in output
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: cannot reach the database (postgresql at 127.0.0.1:{port}/")
    retries = [line for line in output.splitlines() if "retrying in" in line]
    assert len(retries) >= 2


@pytest.mark.slow
def test_cli_debug_shows_the_traceback() -> None:
    url = f"postgresql+psycopg://druginfo:s3cret-pw@127.0.0.1:{_closed_port()}/druginfo"
    done = run_cli("--debug", "seed", DATABASE_URL=url, DB_CONNECT_TIMEOUT_S="0")
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert "DatabaseUnavailable" in done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr


@pytest.mark.slow
def test_cli_seed_heals_a_damaged_file_with_one_log_line(tiny_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "cli.db"
    seeded_then_damaged(tiny_data, path, 0, b"garbage garbage!")
    done = run_cli("seed", DATABASE_URL=f"sqlite:///{path}", DATA_DIR=str(tiny_data))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    [line] = [x for x in done.stderr.splitlines() if x.strip()]
    assert "is damaged (file is not a database)" in line
    assert str(aside_files(path)[0]) in line
    assert done.stdout.startswith("seeded 1 drugs")
