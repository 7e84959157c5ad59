"""The read model: every answer's parts, built once per data version from the database."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from threading import Lock

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app import models, schemas
from app.catalog.loader import Terms
from app.catalog.models import Drug, Sourced
from app.domain import names

_CACHE_SIZE = 4096


@dataclass(frozen=True)
class CachedBody:
    body: bytes
    etag: str
    media_type: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class ReadModel:
    data_version: str
    last_updated: date | None
    drugs: dict[str, Drug]
    conditions: Terms
    effects: Terms
    name_index: dict[str, str]
    summaries: list[dict[str, object]]
    monographs: dict[str, dict[str, object]]
    indications_by_drug: dict[str, list[dict[str, object]]]
    indications_by_condition: dict[str, list[dict[str, object]]]
    side_effects_by_drug: dict[str, list[dict[str, object]]]
    side_effects_by_effect: dict[str, list[dict[str, object]]]
    precautions_by_drug: dict[str, list[dict[str, object]]]
    terms: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    _cache: OrderedDict[str, CachedBody] = field(default_factory=OrderedDict)
    _lock: Lock = field(default_factory=Lock)

    @property
    def all_indications(self) -> list[dict[str, object]]:
        return [row for rows in self.indications_by_drug.values() for row in rows]

    @property
    def all_side_effects(self) -> list[dict[str, object]]:
        return [row for rows in self.side_effects_by_drug.values() for row in rows]

    @property
    def all_precautions(self) -> list[dict[str, object]]:
        return [row for rows in self.precautions_by_drug.values() for row in rows]

    def drug_names(self) -> list[str]:
        return [n for d in self.drugs.values() for n in d.names()]

    def resolve_drug(self, query: str) -> str | None:
        return names.resolve(query, self.name_index)

    def suggest_drugs(self, query: str) -> list[str]:
        found = names.suggest(query, self.drug_names())
        # Name each drug once, by the name that matched best.
        seen: set[str] = set()
        out = []
        for name in found:
            drug_id = self.name_index[names.normalize(name)]
            if drug_id not in seen:
                seen.add(drug_id)
                out.append(name)
        return out

    def peek(self, key: str) -> CachedBody | None:
        """A body already built for this key."""
        return self._cache.get(key)

    def cached(
        self,
        key: str,
        build: Callable[[], bytes],
        media_type: str = "application/json",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> CachedBody:
        """A response body with its ETag and headers, built at most once per data version."""
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        body = build()
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        entry = CachedBody(body, etag, media_type, headers)
        with self._lock:
            self._cache[key] = entry
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return entry


def source_ref(drug: Drug, fact: Sourced) -> dict[str, object]:
    """The source a fact cites, with the section it cites, as the API shows it."""
    source = next(s for s in drug.sources if s.id == fact.source)
    return schemas.SourceRef(
        id=source.id,
        title=source.title,
        publisher=source.publisher,
        url=source.url,
        set_id=source.set_id,
        version=source.version,
        effective_date=source.effective_date,
        section=fact.section,
    ).model_dump(mode="json")


def _drug_ref(drug: Drug) -> dict[str, object]:
    return {"id": drug.id, "generic_name": drug.generic_name}


def build(
    drugs: Iterable[Drug],
    conditions: Terms,
    effects: Terms,
    data_version: str,
    last_updated: date | None,
) -> ReadModel:
    """Precompute every list the endpoints serve, as plain JSON-ready dicts."""
    by_id = {d.id: d for d in sorted(drugs, key=lambda d: d.id)}
    name_index = {names.normalize(n): d.id for d in by_id.values() for n in d.names()}
    ind_by_drug: dict[str, list[dict[str, object]]] = {}
    ind_by_condition: dict[str, list[dict[str, object]]] = defaultdict(list)
    se_by_drug: dict[str, list[dict[str, object]]] = {}
    se_by_effect: dict[str, list[dict[str, object]]] = defaultdict(list)
    pre_by_drug: dict[str, list[dict[str, object]]] = {}
    monographs: dict[str, dict[str, object]] = {}
    summaries = []
    for drug in by_id.values():
        ref = _drug_ref(drug)
        inds = [
            schemas.IndicationPublic.model_validate(
                {
                    "drug": ref,
                    "condition": conditions.resolve(i.condition) or i.condition,
                    "condition_label": i.condition,
                    "labeled": i.labeled,
                    "status": i.status,
                    "population": i.population,
                    "note": i.note,
                    "source": source_ref(drug, i),
                }
            ).model_dump(mode="json")
            for i in drug.indications
        ]
        ses = [
            schemas.SideEffectPublic.model_validate(
                {
                    "drug": ref,
                    "effect": effects.resolve(a.effect) or a.effect,
                    "effect_label": a.effect,
                    "incidence_low_pct": a.incidence_low_pct,
                    "incidence_high_pct": a.incidence_high_pct,
                    "placebo_pct": a.placebo_pct,
                    "frequency_band": a.frequency_band,
                    "serious": a.serious,
                    "system_organ_class": a.system_organ_class,
                    "population": a.population,
                    "wording": a.wording,
                    "source": source_ref(drug, a),
                }
            ).model_dump(mode="json")
            for a in drug.adverse_reactions
        ]
        pres = [
            schemas.PrecautionPublic.model_validate(
                {
                    "drug": ref,
                    "category": p.category,
                    "title": p.title,
                    "detail": p.detail,
                    "plain_language": p.plain_language,
                    "source": source_ref(drug, p),
                }
            ).model_dump(mode="json")
            for p in drug.precautions
        ]
        ind_by_drug[drug.id] = inds
        se_by_drug[drug.id] = ses
        pre_by_drug[drug.id] = pres
        for row in inds:
            ind_by_condition[str(row["condition"])].append(row)
        for row in ses:
            se_by_effect[str(row["effect"])].append(row)
        summary = schemas.DrugSummary(
            id=drug.id,
            generic_name=drug.generic_name,
            brand_names=drug.brand_names,
            drug_class=drug.drug_class,
            rxcui=drug.rxcui,
        ).model_dump(mode="json")
        summaries.append(summary)
        document = drug.model_dump(mode="json", exclude={"is_synthetic"})
        document.update(indications=inds, adverse_reactions=ses, precautions=pres)
        monographs[drug.id] = document
    terms = {
        "conditions": _term_rows(conditions, ind_by_condition),
        "effects": _term_rows(effects, se_by_effect),
    }
    return ReadModel(
        terms=terms,
        data_version=data_version,
        last_updated=last_updated,
        drugs=by_id,
        conditions=conditions,
        effects=effects,
        name_index=name_index,
        summaries=summaries,
        monographs=monographs,
        indications_by_drug=ind_by_drug,
        indications_by_condition=dict(ind_by_condition),
        side_effects_by_drug=se_by_drug,
        side_effects_by_effect=dict(se_by_effect),
        precautions_by_drug=pre_by_drug,
    )


def _term_rows(
    vocabulary: Terms, rows_by_term: dict[str, list[dict[str, object]]]
) -> list[dict[str, object]]:
    """Each preferred term with its names, its neighbours and how many drugs use it."""
    names: dict[str, list[str]] = defaultdict(list)
    for name, term in vocabulary.preferred.items():
        names[term].append(name)
    out = []
    for term in sorted(names, key=str.casefold):
        users = {
            str(row["drug"]["id"])  # type: ignore[index]
            for narrower in vocabulary.expand(term)
            for row in rows_by_term.get(narrower, [])
        }
        out.append(
            schemas.TermPublic(
                term=term,
                names=sorted(names[term]),
                broader=list(vocabulary.broader.get(term, ())),
                narrower=sorted(vocabulary.expand(term) - {term}, key=str.casefold),
                drugs=len(users),
            ).model_dump(mode="json")
        )
    return out


def _terms(rows: Iterable[models.VocabularyRow], kind: str) -> Terms:
    preferred: dict[str, str] = {}
    broader: dict[str, tuple[str, ...]] = {}
    for row in rows:
        if row.kind != kind:
            continue
        preferred[row.normalized] = row.term
        parents = tuple(json.loads(row.broader))
        if parents:
            broader[row.term] = parents
    return Terms(kind, preferred, broader)


def load(engine: Engine) -> ReadModel:
    """Build the read model from what the seed wrote to the database."""
    with Session(engine) as session:
        meta = {row.key: row.value for row in session.exec(select(models.CatalogMeta))}
        documents = session.exec(select(models.DrugRow.document)).all()
        vocabulary = session.exec(select(models.VocabularyRow)).all()
    drugs = [Drug.model_validate_json(doc) for doc in documents]
    updated = meta.get("last_updated") or None
    return build(
        drugs,
        _terms(vocabulary, "conditions"),
        _terms(vocabulary, "effects"),
        meta.get("data_version", "empty"),
        date.fromisoformat(updated) if updated else None,
    )
