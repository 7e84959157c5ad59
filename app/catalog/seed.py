"""Write a validated catalog to the database in one transaction, or not at all."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app import models
from app.catalog import loader
from app.catalog.models import Drug
from app.domain.names import normalize

Progress = Callable[[int, int], None]

# Children first, so deleting never trips a foreign key.
_TABLES: tuple[type[SQLModel], ...] = (
    models.DrugNameRow,
    models.SourceRow,
    models.IndicationRow,
    models.AdverseReactionRow,
    models.PrecautionRow,
    models.RegimenRow,
    models.VocabularyRow,
    models.DrugRow,
    models.CatalogMeta,
)
_BATCH = 500


@dataclass(frozen=True)
class SeedResult:
    drugs: int
    data_version: str
    skipped: bool = False


def create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)


def stored_version(engine: Engine) -> str | None:
    create_tables(engine)
    with Session(engine) as session:
        row = session.get(models.CatalogMeta, "data_version")
        return row.value if row is not None else None


def last_updated(drugs: list[Drug]) -> str | None:
    dates = [s.effective_date for d in drugs for s in d.sources if s.effective_date is not None]
    return max(dates).isoformat() if dates else None


def _rows(drug: Drug, catalog: loader.Catalog) -> dict[type[SQLModel], list[dict[str, Any]]]:
    conditions, effects = catalog.conditions, catalog.effects
    names: list[dict[str, Any]] = []
    seen: set[str] = set()
    for kind, values in (
        ("id", [drug.id]),
        ("generic", [drug.generic_name]),
        ("brand", drug.brand_names),
        ("synonym", drug.synonyms),
    ):
        for value in values:
            key = normalize(value)
            if key not in seen:
                seen.add(key)
                names.append({"normalized": key, "name": value, "kind": kind, "drug_id": drug.id})
    return {
        models.DrugRow: [
            {
                "id": drug.id,
                "generic_name": drug.generic_name,
                "drug_class": drug.drug_class,
                "rxcui": drug.rxcui,
                "document": drug.model_dump_json(exclude_defaults=False),
            }
        ],
        models.DrugNameRow: names,
        models.SourceRow: [
            {
                "drug_id": drug.id,
                "source_key": s.id,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "set_id": s.set_id,
                "version": s.version,
                "effective_date": s.effective_date.isoformat() if s.effective_date else None,
            }
            for s in drug.sources
        ],
        models.IndicationRow: [
            {
                "drug_id": drug.id,
                "condition": conditions.resolve(i.condition) or i.condition,
                "condition_label": i.condition,
                "labeled": i.labeled,
                "status": i.status.value,
                "population": i.population,
                "note": i.note,
                "source_key": i.source,
                "section": i.section,
            }
            for i in drug.indications
        ],
        models.AdverseReactionRow: [
            {
                "drug_id": drug.id,
                "effect": effects.resolve(a.effect) or a.effect,
                "effect_label": a.effect,
                "incidence_low_pct": a.incidence_low_pct,
                "incidence_high_pct": a.incidence_high_pct,
                "placebo_pct": a.placebo_pct,
                "frequency_band": a.frequency_band.value,
                "serious": a.serious,
                "system_organ_class": a.system_organ_class,
                "wording": a.wording,
                "source_key": a.source,
                "section": a.section,
            }
            for a in drug.adverse_reactions
        ],
        models.PrecautionRow: [
            {
                "drug_id": drug.id,
                "category": p.category.value,
                "title": p.title,
                "detail": p.detail,
                "plain_language": p.plain_language,
                "source_key": p.source,
                "section": p.section,
            }
            for p in drug.precautions
        ],
        models.RegimenRow: [
            {
                "drug_id": drug.id,
                "regimen_key": r.id,
                "name": r.name,
                "indication": conditions.resolve(r.indication) or r.indication,
                "max_daily_mg": r.max_daily_mg,
                "document": r.model_dump_json(),
            }
            for r in drug.regimens
        ],
    }


def _vocabulary_rows(terms: loader.Terms) -> list[dict[str, Any]]:
    return [
        {
            "kind": terms.kind,
            "normalized": key,
            "term": term,
            "broader": json.dumps(list(terms.broader.get(term, ()))),
        }
        for key, term in sorted(terms.preferred.items())
    ]


def write_catalog(
    engine: Engine, catalog: loader.Catalog, progress: Progress | None = None
) -> None:
    """Replace the whole catalog in ONE transaction; any failure leaves the database as it was."""
    create_tables(engine)
    pending: dict[type[SQLModel], list[dict[str, Any]]] = {t: [] for t in _TABLES}
    with Session(engine) as session, session.begin():
        for table in _TABLES:
            session.execute(delete(table))
        total = len(catalog.drugs)
        for done, drug in enumerate(catalog.drugs, start=1):
            for table, rows in _rows(drug, catalog).items():
                pending[table].extend(rows)
            if done % _BATCH == 0 or done == total:
                _flush(session, pending)
            if progress is not None:
                progress(done, total)
        pending[models.VocabularyRow] = _vocabulary_rows(catalog.conditions) + _vocabulary_rows(
            catalog.effects
        )
        pending[models.CatalogMeta] = [
            {"key": "data_version", "value": catalog.data_version},
            {"key": "last_updated", "value": last_updated(catalog.drugs) or ""},
        ]
        _flush(session, pending)


def _flush(session: Session, pending: dict[type[SQLModel], list[dict[str, Any]]]) -> None:
    # Parents before children, the reverse of the delete order.
    for table in reversed(_TABLES):
        rows = pending[table]
        if rows:
            session.execute(insert(table), rows)
            rows.clear()


@contextmanager
def seed_lock(engine: Engine) -> Iterator[None]:
    """Serialize seeding across processes (several workers or replicas starting together)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(7263001)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7263001)"))
                conn.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    import fcntl

    lock_path = Path(f"{database}.seed.lock")
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def seed(
    engine: Engine,
    data_dir: Path,
    *,
    force: bool = True,
    include_synthetic: bool = False,
    progress: Progress | None = None,
) -> SeedResult:
    """Validate data_dir, then write it; with force=False skip when the data is unchanged."""
    with seed_lock(engine):
        if not force:
            current = loader.data_version(data_dir)
            if stored_version(engine) == current:
                return SeedResult(drugs=count_drugs(engine), data_version=current, skipped=True)
        catalog = loader.load_catalog(data_dir, include_synthetic=include_synthetic)
        write_catalog(engine, catalog, progress)
        return SeedResult(drugs=len(catalog.drugs), data_version=catalog.data_version)


def count_drugs(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(models.DrugRow.id)).all())
