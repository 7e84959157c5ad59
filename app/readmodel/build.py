"""Build the read model from the tables: the one mapping from rows to public and domain values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from app import models, schemas
from app.catalog.loader import Terms
from app.catalog.models import SourceKind, VocabularyKind
from app.domain import names
from app.domain.regimen import (
    Citation,
    DoseLimit,
    HepaticBand,
    HepaticDosing,
    Increment,
    KidneyBand,
    KidneyDosing,
    PerKg,
    ProductSpec,
    RegimenNote,
    RegimenSpec,
    ScheduleStep,
    TaperSpec,
)
from app.labels import queries as label_queries
from app.readmodel import DrugEntry, ReadModel

RowT = TypeVar("RowT", bound=SQLModel)


def _grouped(rows: Iterable[RowT], *keys: str) -> dict[tuple[Any, ...], list[RowT]]:
    out: dict[tuple[Any, ...], list[RowT]] = defaultdict(list)
    for row in rows:
        out[tuple(getattr(row, k) for k in keys)].append(row)
    return out


class _Rows:
    """Every table, read once and grouped by drug (and regimen)."""

    def __init__(self, session: Session) -> None:
        def all_of(table: type[RowT]) -> Sequence[RowT]:
            # Rows were inserted in file order, so their ids keep it.
            return session.exec(select(table).order_by(col(table.id))).all()  # type: ignore[attr-defined]

        self.meta = {row.key: row.value for row in session.exec(select(models.CatalogMeta))}
        self.drugs = session.exec(select(models.DrugRow).order_by(col(models.DrugRow.id))).all()
        by_drug = "drug_id"
        by_regimen = ("drug_id", "regimen_key")
        self.names = _grouped(all_of(models.DrugNameRow), by_drug)
        self.sources = _grouped(all_of(models.SourceRow), by_drug)
        self.products = _grouped(all_of(models.ProductRow), by_drug)
        self.indications = _grouped(all_of(models.IndicationRow), by_drug)
        self.reactions = _grouped(all_of(models.AdverseReactionRow), by_drug)
        self.precautions = _grouped(all_of(models.PrecautionRow), by_drug)
        self.claims = _grouped(all_of(models.ClaimRow), by_drug)
        self.regimens = _grouped(all_of(models.RegimenRow), by_drug)
        self.steps = _grouped(all_of(models.RegimenStepRow), *by_regimen)
        self.kidney = _grouped(all_of(models.KidneyDosingRow), *by_regimen)
        self.bands = _grouped(all_of(models.KidneyBandRow), *by_regimen)
        self.tapers = _grouped(all_of(models.TaperRow), *by_regimen)
        self.hepatic = _grouped(all_of(models.HepaticDosingRow), *by_regimen)
        self.hepatic_bands = _grouped(all_of(models.HepaticBandRow), *by_regimen)
        self.limits = _grouped(all_of(models.DoseLimitRow), *by_regimen)
        self.warnings = _grouped(all_of(models.RegimenWarningRow), *by_regimen)
        self.vocabulary = session.exec(select(models.VocabularyRow)).all()
        self.session = session  # for the imported labels' set ids, during the build


def _citation(row: models.FactColumns) -> Citation:
    return Citation(row.source_key, row.section, row.evidence)


def _fields(row: SQLModel, *exclude: str) -> dict[str, Any]:
    skip = {"id", "drug_id", "regimen_key", "position", "source_key", "section", *exclude}
    return {k: v for k, v in row.model_dump().items() if k not in skip}


class _DrugBuilder:
    def __init__(self, row: models.DrugRow, rows: _Rows) -> None:
        self.row = row
        self.rows = rows
        key = (row.id,)
        self.sources = {
            s.source_key: schemas.SourcePublic(
                id=s.source_key,
                kind=SourceKind(s.kind),
                title=s.title,
                publisher=s.publisher,
                url=s.url,
                set_id=s.set_id,
                version=s.version,
                effective_date=date.fromisoformat(s.effective_date) if s.effective_date else None,
            )
            for s in rows.sources.get(key, [])
        }
        self.ref = schemas.DrugRef(id=row.id, generic_name=row.generic_name, rxcui=row.rxcui)

    def source(self, fact: models.FactColumns) -> schemas.SourceRef:
        return schemas.SourceRef.of(self.sources[fact.source_key], fact.section)

    def names_of(self, kind: str) -> list[str]:
        return [n.name for n in self.rows.names.get((self.row.id,), []) if n.kind == kind]

    def regimen(self, r: models.RegimenRow) -> tuple[schemas.RegimenPublic, RegimenSpec]:
        key = (r.drug_id, r.regimen_key)
        steps = self.rows.steps.get(key, [])
        kidney = next(iter(self.rows.kidney.get(key, [])), None)
        bands = self.rows.bands.get(key, [])
        taper = next(iter(self.rows.tapers.get(key, [])), None)
        warnings = self.rows.warnings.get(key, [])
        hepatic = next(iter(self.rows.hepatic.get(key, [])), None)
        hepatic_bands = self.rows.hepatic_bands.get(key, [])
        limits = self.rows.limits.get(key, [])
        per_kg = (
            schemas.PerKgPublic(
                start_mg_kg_day=r.per_kg_start_mg_kg_day,
                step_mg_kg_day=r.per_kg_step_mg_kg_day,
                interval_days=r.per_kg_interval_days,
                target_mg_kg_day=r.per_kg_target_mg_kg_day,
                max_mg_kg_day=r.per_kg_max_mg_kg_day,
                times_per_day=r.per_kg_times_per_day,
            )
            if r.per_kg_start_mg_kg_day is not None
            else None
        )
        rule = (
            schemas.IncrementRulePublic(
                increment_daily_mg=r.rule_increment_daily_mg,
                interval_days=r.rule_interval_days,
                times_per_day=r.rule_times_per_day,
                target_min_daily_mg=r.rule_target_min_daily_mg,
                target_max_daily_mg=r.rule_target_max_daily_mg,
            )
            if r.rule_increment_daily_mg is not None
            else None
        )
        public = schemas.RegimenPublic(
            id=r.regimen_key,
            name=r.name,
            indication=r.indication,
            population=r.population,
            product=r.product_key,
            steps=[schemas.DoseStepPublic(**_fields(s)) for s in steps],
            rule=rule,
            target_daily_mg=r.target_daily_mg,
            max_dose_mg=r.max_dose_mg,
            max_daily_mg=r.max_daily_mg,
            per_kg=per_kg,
            limits=[
                schemas.DoseLimitPublic(**_fields(limit), source=self.source(limit))
                for limit in limits
            ],
            hepatic=schemas.HepaticDosingPublic(
                bands=[schemas.HepaticBandPublic(**_fields(b)) for b in hepatic_bands],
                note=hepatic.note,
                evidence=hepatic.evidence,
                source=self.source(hepatic),
            )
            if hepatic is not None
            else None,
            renal=schemas.KidneyDosingPublic(
                bands=[schemas.KidneyBandPublic(**_fields(b)) for b in bands],
                note=kidney.note,
                evidence=kidney.evidence,
                source=self.source(kidney),
            )
            if kidney is not None
            else None,
            taper=schemas.TaperPublic(**_fields(taper), source=self.source(taper))
            if taper is not None
            else None,
            warnings=[
                schemas.RegimenWarningPublic(
                    text=w.text, evidence=w.evidence, source=self.source(w)
                )
                for w in warnings
            ],
            note=r.note,
            evidence=r.evidence,
            source=self.source(r),
        )
        spec = RegimenSpec(
            id=r.regimen_key,
            name=r.name,
            indication=r.indication,
            population=r.population,
            citation=_citation(r),
            max_daily_mg=r.max_daily_mg,
            product_id=r.product_key,
            steps=tuple(ScheduleStep(**_fields(s, "evidence")) for s in steps),
            increment=Increment(**rule.model_dump()) if rule is not None else None,
            target_daily_mg=r.target_daily_mg,
            max_dose_mg=r.max_dose_mg,
            kidney=KidneyDosing(tuple(KidneyBand(**_fields(b)) for b in bands), _citation(kidney))
            if kidney is not None
            else None,
            hepatic=HepaticDosing(
                tuple(HepaticBand(**_fields(b)) for b in hepatic_bands), _citation(hepatic)
            )
            if hepatic is not None
            else None,
            per_kg=PerKg(**per_kg.model_dump()) if per_kg is not None else None,
            limits=tuple(
                DoseLimit(**_fields(limit, "evidence"), citation=_citation(limit))
                for limit in limits
            ),
            taper=TaperSpec(**_fields(taper, "evidence"), citation=_citation(taper))
            if taper is not None
            else None,
            notes=tuple(RegimenNote(w.text, _citation(w)) for w in warnings),
        )
        return public, spec

    def build(
        self,
    ) -> tuple[
        DrugEntry,
        list[schemas.IndicationPublic],
        list[schemas.SideEffectPublic],
        list[schemas.PrecautionPublic],
    ]:
        row, key = self.row, (self.row.id,)
        indications = [
            schemas.IndicationPublic(drug=self.ref, **_fields(i), source=self.source(i))
            for i in self.rows.indications.get(key, [])
        ]
        reactions = [
            schemas.SideEffectPublic(drug=self.ref, **_fields(a), source=self.source(a))
            for a in self.rows.reactions.get(key, [])
        ]
        precautions = [
            schemas.PrecautionPublic(drug=self.ref, **_fields(p), source=self.source(p))
            for p in self.rows.precautions.get(key, [])
        ]
        products = [
            schemas.ProductPublic(
                id=p.product_key, **_fields(p, "product_key"), source=self.source(p)
            )
            for p in self.rows.products.get(key, [])
        ]
        regimens = [self.regimen(r) for r in self.rows.regimens.get(key, [])]
        claims = [
            schemas.ClaimPublic(**_fields(c), source=self.source(c))
            for c in self.rows.claims.get(key, [])
        ]
        brand_names = self.names_of("brand")
        summary = schemas.DrugSummary(
            id=row.id,
            generic_name=row.generic_name,
            brand_names=brand_names,
            drug_class=row.drug_class,
            rxcui=row.rxcui,
        )
        monograph = schemas.DrugPublic(
            id=row.id,
            generic_name=row.generic_name,
            brand_names=brand_names,
            synonyms=self.names_of("synonym"),
            drug_class=row.drug_class,
            rxcui=row.rxcui,
            atc_codes=row.atc_codes,
            routes=row.routes,
            products=products,
            sources=list(self.sources.values()),
            indications=indications,
            adverse_reactions=reactions,
            precautions=precautions,
            regimens=[public for public, _ in regimens],
            claims=claims,
            label_set_ids=label_queries.set_ids_for_names(
                self.rows.session, [n.name for n in self.rows.names.get(key, [])]
            ),
        )
        entry = DrugEntry(
            summary=summary,
            monograph=monograph,
            names=tuple(n.name for n in self.rows.names.get(key, [])),
            sources=self.sources,
            products={
                p.id: ProductSpec(
                    id=p.id,
                    name=p.name,
                    form=p.form,
                    strengths_mg=tuple(p.strengths_mg),
                    concentration_mg_ml=p.concentration_mg_ml,
                    scored=p.scored,
                )
                for p in products
            },
            regimens=tuple(spec for _, spec in regimens),
        )
        return entry, indications, reactions, precautions


def _terms(rows: Iterable[models.VocabularyRow], kind: VocabularyKind) -> Terms:
    preferred: dict[str, str] = {}
    broader: dict[str, tuple[str, ...]] = {}
    for row in rows:
        if row.kind != kind.value:
            continue
        preferred[row.normalized] = row.term
        if row.broader:
            broader[row.term] = tuple(row.broader)
    return Terms(kind, preferred, broader)


def _term_rows(vocabulary: Terms, drugs_by_term: dict[str, set[str]]) -> list[schemas.TermPublic]:
    """Each preferred term with its names, its neighbours and how many drugs use it."""
    term_names: dict[str, list[str]] = defaultdict(list)
    for name, term in vocabulary.preferred.items():
        term_names[term].append(name)
    out = []
    for term in sorted(term_names, key=str.casefold):
        narrower = vocabulary.expand(term)
        users = set().union(*(drugs_by_term.get(t, set()) for t in narrower))
        out.append(
            schemas.TermPublic(
                term=term,
                names=sorted(term_names[term]),
                broader=list(vocabulary.broader.get(term, ())),
                narrower=sorted(narrower - {term}, key=str.casefold),
                drugs=len(users),
            )
        )
    return out


def load(engine: Engine) -> ReadModel:
    """Build the read model from what the seed wrote to the tables."""
    generation = label_queries.generation(engine)
    with Session(engine) as session:
        rows = _Rows(session)
        return _assemble(rows, generation)


def _assemble(rows: _Rows, labels_generation: int) -> ReadModel:
    conditions = _terms(rows.vocabulary, VocabularyKind.conditions)
    effects = _terms(rows.vocabulary, VocabularyKind.effects)
    drugs: dict[str, DrugEntry] = {}
    indications: dict[str, list[schemas.IndicationPublic]] = {}
    side_effects: dict[str, list[schemas.SideEffectPublic]] = {}
    precautions: dict[str, list[schemas.PrecautionPublic]] = {}
    for row in rows.drugs:
        entry, inds, ses, pres = _DrugBuilder(row, rows).build()
        drugs[row.id] = entry
        indications[row.id], side_effects[row.id], precautions[row.id] = inds, ses, pres
    by_condition: dict[str, set[str]] = defaultdict(set)
    by_effect: dict[str, set[str]] = defaultdict(set)
    for drug_id, inds in indications.items():
        for i in inds:
            by_condition[i.condition].add(drug_id)
    for drug_id, ses in side_effects.items():
        for s in ses:
            by_effect[s.effect].add(drug_id)
    updated = rows.meta.get("last_updated") or None
    return ReadModel(
        data_version=rows.meta.get("data_version", "empty"),
        last_updated=date.fromisoformat(updated) if updated else None,
        drugs=drugs,
        conditions=conditions,
        effects=effects,
        indications=indications,
        side_effects=side_effects,
        precautions=precautions,
        terms={
            VocabularyKind.conditions: _term_rows(conditions, by_condition),
            VocabularyKind.effects: _term_rows(effects, by_effect),
        },
        name_index={names.normalize(n): d.id for d in drugs.values() for n in d.names},
    )
