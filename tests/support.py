"""The shipped data as the app sees it: seeded into a temporary SQLite, read back."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from sqlmodel import create_engine

from app.catalog import seed
from app.readmodel import DrugEntry, ReadModel
from app.readmodel import build as readmodel_build

DATA = Path(__file__).resolve().parents[1] / "data"


@cache
def shipped_read_model() -> ReadModel:
    folder = tempfile.mkdtemp(prefix="druginfo-test-")
    engine = create_engine(f"sqlite:///{folder}/data.db")
    try:
        seed.seed(engine, DATA)
        return readmodel_build.load(engine)
    finally:
        engine.dispose()


def shipped_drugs() -> list[DrugEntry]:
    return list(shipped_read_model().drugs.values())
