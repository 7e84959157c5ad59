"""Write a validated catalog to the database in one transaction, or not at all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app import models
from app.catalog import heal, loader
from app.catalog.models import Cited, Drug
from app.domain.names import normalize

Progress = Callable[[int, int], None]

# Children first, so deleting never trips a foreign key.
_TABLES: tuple[type[SQLModel], ...] = (
    models.DrugNameRow,
    models.SourceRow,
    models.ProductRow,
    models.IndicationRow,
    models.AdverseReactionRow,
    models.PrecautionRow,
    models.ClaimRow,
    models.RegimenStepRow,
    models.KidneyBandRow,
    models.KidneyDosingRow,
    models.HepaticBandRow,
    models.HepaticDosingRow,
    models.DoseLimitRow,
    models.TaperRow,
    models.RegimenWarningRow,
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
    """Create missing tables; catalog tables of an older layout are dropped (seeding refills them).

    The catalog tables hold nothing but what the data files say, so a layout change is handled
    by rebuilding them rather than by a migration.
    """
    tables = [t.__table__ for t in _TABLES]  # type: ignore[attr-defined]
    existing = inspect(engine)
    stale = [
        t
        for t in tables
        if existing.has_table(t.name)
        and {c["name"] for c in existing.get_columns(t.name)} != set(t.columns.keys())
    ]
    if stale:
        SQLModel.metadata.drop_all(engine, tables=[t for t in tables if existing.has_table(t.name)])
    SQLModel.metadata.create_all(engine)


def stored_version(engine: Engine) -> str | None:
    create_tables(engine)
    with Session(engine) as session:
        row = session.get(models.CatalogMeta, "data_version")
        return row.value if row is not None else None


def last_updated(drugs: list[Drug]) -> str | None:
    dates = [s.effective_date for d in drugs for s in d.sources if s.effective_date is not None]
    return max(dates).isoformat() if dates else None


def _fact(fact: Cited) -> dict[str, Any]:
    return {"source_key": fact.source, "section": fact.section, "evidence": fact.evidence}


def _names(drug: Drug) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kind, values in (
        ("id", [drug.id]),
        ("generic", [drug.generic_name]),
        ("brand", drug.brand_names),
        ("synonym", drug.synonyms),
    ):
        for position, value in enumerate(values):
            rows.append(
                {
                    "normalized": normalize(value),
                    "name": value,
                    "kind": kind,
                    "position": position,
                    "drug_id": drug.id,
                }
            )
    return rows


def _regimen_rows(
    drug: Drug, catalog: loader.Catalog
) -> dict[type[SQLModel], list[dict[str, Any]]]:
    out: dict[type[SQLModel], list[dict[str, Any]]] = {
        models.RegimenRow: [],
        models.RegimenStepRow: [],
        models.KidneyDosingRow: [],
        models.KidneyBandRow: [],
        models.HepaticDosingRow: [],
        models.HepaticBandRow: [],
        models.DoseLimitRow: [],
        models.TaperRow: [],
        models.RegimenWarningRow: [],
    }
    for position, r in enumerate(drug.regimens):
        key = {"drug_id": drug.id, "regimen_key": r.id}
        rule = r.rule
        out[models.RegimenRow].append(
            {
                **key,
                **_fact(r),
                "position": position,
                "name": r.name,
                "indication": catalog.conditions.resolve(r.indication) or r.indication,
                "indication_label": r.indication,
                "population": r.population,
                "product_key": r.product,
                "target_daily_mg": r.target_daily_mg,
                "max_dose_mg": r.max_dose_mg,
                "max_daily_mg": r.max_daily_mg,
                "note": r.note,
                "rule_increment_daily_mg": rule.increment_daily_mg if rule else None,
                "rule_interval_days": rule.interval_days if rule else None,
                "rule_times_per_day": rule.times_per_day if rule else None,
                "rule_target_min_daily_mg": rule.target_min_daily_mg if rule else None,
                "rule_target_max_daily_mg": rule.target_max_daily_mg if rule else None,
                **{
                    f"per_kg_{k}": v for k, v in (r.per_kg.model_dump() if r.per_kg else {}).items()
                },
            }
        )
        out[models.RegimenStepRow].extend(
            {**key, "position": i, **step.model_dump()} for i, step in enumerate(r.steps)
        )
        if r.renal is not None:
            out[models.KidneyDosingRow].append({**key, **_fact(r.renal), "note": r.renal.note})
            out[models.KidneyBandRow].extend(
                {**key, "position": i, **band.model_dump()} for i, band in enumerate(r.renal.bands)
            )
        if r.hepatic is not None:
            out[models.HepaticDosingRow].append({**key, **_fact(r.hepatic), "note": r.hepatic.note})
            out[models.HepaticBandRow].extend(
                {**key, "position": i, **band.model_dump(mode="json")}
                for i, band in enumerate(r.hepatic.bands)
            )
        out[models.DoseLimitRow].extend(
            {
                **key,
                **_fact(limit),
                "position": i,
                **limit.model_dump(exclude={"source", "section", "evidence"}),
            }
            for i, limit in enumerate(r.limits)
        )
        if r.taper is not None:
            taper = r.taper.model_dump(exclude={"source", "section", "evidence"})
            out[models.TaperRow].append({**key, **_fact(r.taper), **taper})
        out[models.RegimenWarningRow].extend(
            {**key, **_fact(w), "position": i, "text": w.text} for i, w in enumerate(r.warnings)
        )
    return out


def _rows(drug: Drug, catalog: loader.Catalog) -> dict[type[SQLModel], list[dict[str, Any]]]:
    """The one mapping from a validated drug document to table rows."""
    conditions, effects = catalog.conditions, catalog.effects
    ref = {"drug_id": drug.id}
    return {
        models.DrugRow: [
            {
                "id": drug.id,
                "generic_name": drug.generic_name,
                "drug_class": drug.drug_class,
                "rxcui": drug.rxcui,
                "atc_codes": drug.atc_codes,
                "routes": drug.routes,
            }
        ],
        models.DrugNameRow: _names(drug),
        models.SourceRow: [
            {
                **ref,
                "source_key": s.id,
                "kind": s.kind.value,
                "title": s.title,
                "publisher": s.publisher,
                "url": s.url,
                "set_id": s.set_id,
                "version": s.version,
                "effective_date": s.effective_date.isoformat() if s.effective_date else None,
            }
            for s in drug.sources
        ],
        models.ProductRow: [
            {
                **ref,
                **_fact(p),
                "product_key": p.id,
                **p.model_dump(exclude={"id", "source", "section", "evidence"}),
            }
            for p in drug.products
        ],
        models.IndicationRow: [
            {
                **ref,
                **_fact(i),
                "condition": conditions.resolve(i.condition) or i.condition,
                "condition_label": i.condition,
                "labeled": i.labeled,
                "status": i.status.value,
                "population": i.population,
                "note": i.note,
            }
            for i in drug.indications
        ],
        models.AdverseReactionRow: [
            {
                **ref,
                **_fact(a),
                "effect": effects.resolve(a.effect) or a.effect,
                "effect_label": a.effect,
                "incidence_low_pct": a.incidence_low_pct,
                "incidence_high_pct": a.incidence_high_pct,
                "placebo_pct": a.placebo_pct,
                "frequency_band": a.frequency_band.value,
                "serious": a.serious,
                "system_organ_class": a.system_organ_class,
                "population": a.population,
                "wording": a.wording,
            }
            for a in drug.adverse_reactions
        ],
        models.PrecautionRow: [
            {
                **ref,
                **_fact(p),
                "category": p.category.value,
                "title": p.title,
                "detail": p.detail,
                "plain_language": p.plain_language,
            }
            for p in drug.precautions
        ],
        models.ClaimRow: [
            {
                **ref,
                **_fact(c),
                "claim": c.claim,
                "claimed_in": c.claimed_in,
                "status": c.status.value,
                "finding": c.finding,
            }
            for c in drug.claims
        ],
        **_regimen_rows(drug, catalog),
    }


def _vocabulary_rows(terms: loader.Terms) -> list[dict[str, Any]]:
    return [
        {
            "kind": terms.kind,
            "normalized": key,
            "term": term,
            "broader": list(terms.broader.get(term, ())),
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
    """Validate data_dir, then write it; with force=False skip when the data is unchanged.

    A damaged SQLite file is moved aside first and rebuilt (`heal`).
    """
    with seed_lock(engine):
        heal.heal_if_damaged(engine)
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
