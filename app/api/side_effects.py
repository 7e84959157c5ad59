"""/side-effects: a drug's adverse reactions, or which drugs cause an effect."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.api import labels as labels_api
from app.catalog.loader import Terms
from app.catalog.models import SourceKind, VocabularyKind
from app.config import Settings
from app.domain import names
from app.domain.frequency import FrequencyBand, at_least, band_for_incidence
from app.labels import queries as label_queries
from app.labels import schemas as label_schemas
from app.readmodel import ReadModel

router = APIRouter(prefix="/side-effects", tags=["side effects"])


@router.get(
    "",
    response_model=schemas.Page[schemas.SideEffectPublic],
    summary="Find side effects (adverse reactions)",
    description="Adverse reactions of a drug (`drug=`), or the drugs that cause an effect "
    "(`effect=`, any term or synonym of the effects vocabulary: `drowsiness` finds somnolence). "
    "`frequency=` keeps that CIOMS band or more frequent (`unknown` keeps reactions the label "
    "gives no figure for); `serious=` filters on seriousness. Sorted by incidence, highest first. "
    "A `drug` that is not curated but has an imported openFDA label is answered from the rows "
    "the importer extracted from its adverse-reaction table (`curation: extracted`, each with "
    "its arms and source: set id, version, table); curated rows say `curation: curated`.",
    responses={**errors.PROBLEM_RESPONSES, **errors.NOT_FOUND},
)
async def read_side_effects(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    drug: deps.DrugFilter = None,
    effect: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="an effect term or synonym",
            examples=["drowsiness"],
        ),
    ] = None,
    frequency: Annotated[
        FrequencyBand | None, Query(description="this band or more frequent")
    ] = None,
    serious: Annotated[bool | None, Query(description="serious reactions only, or none")] = None,
    evidence: deps.EvidenceFilter = None,
    limit: deps.Limit = 20,
    offset: deps.Offset = 0,
) -> Response:
    """List adverse reactions, by drug or by effect."""
    drug_id = read_model.resolve_drug(drug) if drug is not None else None
    term = (
        deps.resolve_term(read_model, VocabularyKind.effects, effect)
        if effect is not None
        else None
    )
    if drug is not None and drug_id is None:
        return await _extracted(
            request, settings, read_model, drug, term, frequency, serious, limit, offset
        )

    def build() -> bytes:
        rows = read_model.find_side_effects(drug_id, term, frequency, serious, evidence)
        return deps.page_body(settings, read_model, rows, limit, offset)

    return deps.cached(request, read_model, build)


def from_label(
    row: label_schemas.ExtractedSideEffect, name: str, effects: Terms
) -> schemas.SideEffectPublic:
    """The one mapping from a row the importer extracted to the public side effect."""
    # Where a table splits arms by grade, the figure comparable to a curated one is "all grades".
    overall = [i for i in row.incidences if i.measure is None or "all" in i.measure.casefold()]
    shown = overall or row.incidences
    placebo = [i for i in shown if "placebo" in i.arm.casefold()]
    arms = [i for i in shown if i not in placebo]
    percents = [i.percent for i in arms if i.percent is not None and i.qualifier is None]
    high = max(percents) if percents else None
    placebo_pct = next((i.percent for i in placebo if i.percent is not None), None)
    source = row.source
    caption = f": {source.caption}" if source.caption else ""
    cells = " | ".join([row.effect, *(i.text for i in row.incidences)])
    return schemas.SideEffectPublic(
        drug=schemas.DrugRef(id=source.set_id, generic_name=name),
        effect=effects.resolve(row.effect) or row.effect,
        effect_label=row.effect,
        incidence_low_pct=min(percents) if percents else None,
        incidence_high_pct=high,
        placebo_pct=placebo_pct,
        frequency_band=band_for_incidence(high),
        serious=False,
        system_organ_class=row.system_organ_class,
        population=source.caption,
        wording=None,
        curation=schemas.Curation.extracted,
        arms=[
            schemas.ArmPublic(arm=i.arm, n=i.n, text=i.text, percent=i.percent)
            for i in row.incidences
        ],
        evidence=cells[:600],
        source=schemas.SourceRef(
            id=f"openfda-{source.set_id}",
            kind=SourceKind.fda_label,
            title=source.title,
            publisher="U.S. FDA, openFDA drug label record (imported)",
            url=f"https://dailymed.nlm.nih.gov/dailymed/lookup.cfm?setid={source.set_id}",
            set_id=source.set_id,
            version=str(source.version),
            effective_date=source.effective_date,
            section=f"adverse_reactions_table, table {source.table}{caption}"[:200],
        ),
    )


async def _extracted(
    request: Request,
    settings: Settings,
    read_model: ReadModel,
    drug: str,
    term: str | None,
    frequency: FrequencyBand | None,
    serious: bool | None,
    limit: int,
    offset: int,
) -> Response:
    """A drug that is not curated: the rows extracted from its newest imported label."""
    engine = request.app.state.engine
    bands = at_least(frequency) if frequency is not None else None

    def build() -> bytes:
        with label_queries.session(engine) as session:
            found = label_queries.side_effect_rows_for_name(session, drug)
            if not found and not label_queries.set_ids_for_names(session, [drug]):
                suggestions = read_model.suggest_drugs(drug) or label_queries.suggest_names(
                    session, drug
                )
                raise errors.UnknownDrug(drug.strip(), suggestions)
        rows = [from_label(r, names.normalize(drug), read_model.effects) for r in found]
        rows = [
            r
            for r in rows
            if (term is None or r.effect == term)
            and (bands is None or r.frequency_band in bands)
            and (serious is None or r.serious is serious)
        ]
        return deps.page_body(settings, read_model, rows, limit, offset)

    return await labels_api.cached_answer(request, build)
