"""The read model: every answer's parts, built once per data version from the database tables.

`build.load(engine)` queries the tables (a handful of queries) and maps rows to the public
models and to the domain's regimen values; the typed queries below are all a route calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from app import schemas
from app.catalog.loader import Terms
from app.catalog.models import PrecautionCategory, SourceKind, VocabularyKind
from app.domain import names
from app.domain.frequency import FrequencyBand, at_least
from app.domain.regimen import Citation, ProductSpec, RegimenSpec
from app.readmodel.cache import BodyCache

_T = TypeVar("_T")


@dataclass(frozen=True)
class DrugEntry:
    """One curated drug as the routes need it: public parts and the domain's regimen values."""

    summary: schemas.DrugSummary
    monograph: schemas.DrugPublic
    names: tuple[str, ...]
    sources: dict[str, schemas.SourcePublic]
    products: dict[str, ProductSpec]
    regimens: tuple[RegimenSpec, ...]

    @property
    def id(self) -> str:
        return self.summary.id

    def source_ref(self, citation: Citation) -> schemas.SourceRef:
        return schemas.SourceRef.of(self.sources[citation.source], citation.section)


def _kept(kind: SourceKind | None, ref: schemas.SourceRef) -> bool:
    return kind is None or ref.kind is kind


@dataclass
class ReadModel:
    data_version: str
    last_updated: date | None
    drugs: dict[str, DrugEntry]
    conditions: Terms
    effects: Terms
    indications: dict[str, list[schemas.IndicationPublic]]
    side_effects: dict[str, list[schemas.SideEffectPublic]]
    precautions: dict[str, list[schemas.PrecautionPublic]]
    terms: dict[VocabularyKind, list[schemas.TermPublic]]
    name_index: dict[str, str] = field(default_factory=dict)
    labels_generation: int = 0  # the imported labels it saw (their set ids are in monographs)
    cache: BodyCache = field(default_factory=BodyCache)

    # --- names ---------------------------------------------------------------------------

    def vocabulary(self, kind: VocabularyKind) -> Terms:
        return self.conditions if kind is VocabularyKind.conditions else self.effects

    def resolve_drug(self, query: str) -> str | None:
        return names.resolve(query, self.name_index)

    def suggest_drugs(self, query: str) -> list[str]:
        found = names.suggest(query, [n for d in self.drugs.values() for n in d.names])
        seen: set[str] = set()
        out = []
        for name in found:  # name each drug once, by its best-matching name
            drug_id = self.name_index[names.normalize(name)]
            if drug_id not in seen:
                seen.add(drug_id)
                out.append(name)
        return out

    # --- queries ---------------------------------------------------------------------------

    def find_drugs(self, q: str | None) -> list[schemas.DrugSummary]:
        entries: Sequence[DrugEntry] = list(self.drugs.values())
        if q is not None and q.strip():
            wanted = names.normalize(q)
            entries = [d for d in entries if any(wanted in names.normalize(n) for n in d.names)]
        return [d.summary for d in entries]

    def find_indications(
        self,
        drug_id: str | None,
        condition: str | None,
        labeled: bool | None,
        evidence: SourceKind | None,
    ) -> list[schemas.IndicationPublic]:
        rows = self._by_drug(self.indications, drug_id)
        if condition is not None:
            wanted = self.conditions.expand(condition)
            rows = sorted(
                (r for r in rows if r.condition in wanted), key=lambda r: (r.drug.id, r.condition)
            )
        return [
            r
            for r in rows
            if (labeled is None or r.labeled is labeled) and _kept(evidence, r.source)
        ]

    def find_side_effects(
        self,
        drug_id: str | None,
        effect: str | None,
        frequency: FrequencyBand | None,
        serious: bool | None,
        evidence: SourceKind | None,
    ) -> list[schemas.SideEffectPublic]:
        bands = at_least(frequency) if frequency is not None else None
        rows = [
            r
            for r in self._by_drug(self.side_effects, drug_id)
            if (effect is None or r.effect == effect)
            and (bands is None or r.frequency_band in bands)
            and (serious is None or r.serious is serious)
            and _kept(evidence, r.source)
        ]
        return sorted(rows, key=_by_incidence)

    def find_precautions(
        self,
        drug_id: str | None,
        category: PrecautionCategory | None,
        evidence: SourceKind | None,
    ) -> list[schemas.PrecautionPublic]:
        return [
            r
            for r in self._by_drug(self.precautions, drug_id)
            if (category is None or r.category is category) and _kept(evidence, r.source)
        ]

    def find_terms(self, kind: VocabularyKind, q: str | None) -> list[schemas.TermPublic]:
        rows = self.terms[kind]
        if q is not None and q.strip():
            wanted = names.normalize(q)
            rows = [r for r in rows if any(wanted in n for n in r.names)]
        return rows

    @staticmethod
    def _by_drug(table: dict[str, list[_T]], drug_id: str | None) -> list[_T]:
        if drug_id is not None:
            return table.get(drug_id, [])
        return [row for rows in table.values() for row in rows]


def _by_incidence(row: schemas.SideEffectPublic) -> tuple[float, str, str]:
    high = row.incidence_high_pct if row.incidence_high_pct is not None else -1.0
    return (-high, row.drug.id, row.effect)
