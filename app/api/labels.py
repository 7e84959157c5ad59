"""/labels: the imported openFDA label corpus: search, one label, its sections and reactions.

These answers come from the database (the corpus is far too large for the read model), so each
route runs its query and serialization in a worker thread and keeps the event loop free.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

import anyio
import orjson
from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.labels import queries
from app.labels import schemas as label_schemas
from app.readmodel import cache

router = APIRouter(prefix="/labels", tags=["labels"])

EXAMPLE_SET_ID = "9333c79b-d487-4538-a9f0-71b91a02b287"

SetId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9-]+$",
        description="the label's set id",
        examples=[EXAMPLE_SET_ID],
    ),
]
Version = Annotated[
    int | None,
    Query(ge=0, le=1_000_000, description="a version from the label's history (default current)"),
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": errors.ProblemDetail, "description": "Unknown label, version or section"}
}


def _body(meta: dict[str, Any], results: BaseModel | list[Any]) -> bytes:
    dumped = (
        results.model_dump(mode="json")
        if isinstance(results, BaseModel)
        else [r.model_dump(mode="json") for r in results]
    )
    return orjson.dumps({"meta": meta, "results": dumped})


async def _answer(build: Callable[[], bytes]) -> Response:
    body = await anyio.to_thread.run_sync(build)
    return Response(body, media_type="application/json")


class LabelBodies:
    """Bodies of one-label answers, kept while no import has changed the labels.

    Every import adds label_version rows, so the highest doc_id names the labels' state; it is
    read again at most once a CHECK_S, so an import shows within that time.
    """

    CHECK_S = 1.0

    def __init__(self, engine: Engine, size: int = 256) -> None:
        self.engine = engine
        self.size = size
        self.cache = cache.BodyCache(size)
        self.generation: int | None = None
        self.checked_at = -1.0

    async def current(self) -> cache.BodyCache:
        if time.monotonic() - self.checked_at >= self.CHECK_S:
            self.checked_at = time.monotonic()
            generation = await anyio.to_thread.run_sync(queries.generation, self.engine)
            if generation != self.generation:
                self.cache, self.generation = cache.BodyCache(self.size), generation
        return self.cache


def _bodies(request: Request) -> LabelBodies:
    state = request.app.state
    bodies: LabelBodies | None = getattr(state, "label_bodies", None)
    if bodies is None or bodies.engine is not state.engine:
        bodies = state.label_bodies = LabelBodies(state.engine)
    return bodies


async def cached_answer(request: Request, build: Callable[[], bytes]) -> Response:
    """A one-label answer from the body cache (with its ETag and 304), built in a thread once."""
    bodies = await _bodies(request).current()
    if bodies.lookup(cache.cache_key(request.scope)) is None:
        body = await anyio.to_thread.run_sync(build)
        return cache.respond_to(request, bodies, lambda: body)
    return cache.respond_to(request, bodies, build)


def _meta(request: Request) -> dict[str, Any]:
    """The envelope's meta, read from the app state only when a body is built (not per hit)."""
    return deps.meta(request.app.state.settings, request.app.state.read_model)


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


@router.get(
    "",
    response_model=schemas.Page[label_schemas.LabelHit],
    summary="Search the imported labels",
    description="Labels of the imported openFDA corpus. `search` finds words in the names and in "
    "every section's text (stemmed: `headaches` finds headache), ranked by relevance, names "
    "weighing most, each hit with a highlighted `snippet`; every word must occur. Punctuation and "
    "full-text operators are only word separators; a search with no letter or digit is a 422. "
    "A word in more than 5,000 labels is matched but not ranked: newest imported first. "
    "`drug=` keeps the labels of a drug (a curated drug's names first, then label brand, generic "
    "and substance names; an unknown name is a 404 with suggestions), `rxcui=` and "
    "`pharm_class=` (EPC, MoA, PE or CS, with or without its `[EPC]` suffix) filter too. Without "
    "`search`, labels come in set id order.",
    responses={**errors.PROBLEM_RESPONSES, **errors.NOT_FOUND},
)
async def read_labels(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    search: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=500,
            description="words to find (all of them), in names and section text",
            examples=["nausea vomiting"],
        ),
    ] = None,
    drug: deps.DrugFilter = None,
    rxcui: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=20,
            pattern=r"^\d+$",
            description="an RxNorm concept id of one of the label's products",
            examples=["1547545"],
        ),
    ] = None,
    pharm_class: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=300,
            description="a pharmacologic class of the openfda block",
            examples=["Programmed Death Receptor-1 Blocker [EPC]"],
        ),
    ] = None,
    limit: deps.Limit = 10,
    offset: deps.Offset = 0,
) -> Response:
    """Search labels by words, drug name, RxCUI or pharmacologic class."""
    names: tuple[str, ...] = ()
    curated = False
    if drug is not None:
        drug_id = read_model.resolve_drug(drug)
        curated = drug_id is not None
        entry = read_model.drugs.get(drug_id) if drug_id is not None else None
        names = (drug, *(entry.names if entry is not None else ()))
    filters = queries.Filters(names=names, rxcui=rxcui, pharm_class=pharm_class)
    engine = _engine(request)

    def build() -> bytes:
        with queries.session(engine) as session:
            if drug is not None and not curated and not queries.set_ids_for_names(session, [drug]):
                suggestions = read_model.suggest_drugs(drug) or queries.suggest_names(session, drug)
                raise errors.UnknownDrug(drug.strip(), suggestions)
            total, hits = queries.search_labels(session, search, filters, limit, offset)
        return _body(deps.meta(settings, read_model, total, limit, offset), hits)

    return await _answer(build)


@router.get(
    "/{set_id}",
    response_model=schemas.One[label_schemas.LabelPublic],
    summary="Read a label",
    description="One label with all its sections (text and table HTML): the current version, or "
    "`version=` from its history (`versions` lists them). Names, codes and classes are those "
    "of the current version.",
    responses={**errors.PROBLEM_RESPONSES, **NOT_FOUND},
)
async def read_label(
    request: Request,
    set_id: SetId,
    version: Version = None,
) -> Response:
    """Read one label version with its sections."""
    engine = _engine(request)

    def build() -> bytes:
        with queries.session(engine) as session:
            label = queries.read_label(session, set_id, version)
        return _body(_meta(request), label)

    return await cached_answer(request, build)


@router.get(
    "/{set_id}/sections/{section}",
    response_model=schemas.One[label_schemas.SectionPublic],
    summary="Read one section of a label",
    description="One section by its openFDA field name (`boxed_warning`, `adverse_reactions`, "
    "`dosage_and_administration`, ...; `adverse_reactions_table` gives the same section): its "
    "text and its tables' HTML. An unknown section is a 404 whose `suggestions` list the "
    "label's sections.",
    responses={**errors.PROBLEM_RESPONSES, **NOT_FOUND},
)
async def read_label_section(
    request: Request,
    set_id: SetId,
    section: Annotated[
        str,
        Path(
            min_length=1,
            max_length=100,
            pattern=r"^[a-z_]+$",
            description="an openFDA section field name",
            examples=["boxed_warning"],
        ),
    ],
    version: Version = None,
) -> Response:
    """Read one section of one label version."""
    engine = _engine(request)

    def build() -> bytes:
        with queries.session(engine) as session:
            found = queries.read_section(session, set_id, section, version)
        return _body(_meta(request), found)

    return await cached_answer(request, build)


@router.get(
    "/{set_id}/adverse-reactions",
    response_model=schemas.One[label_schemas.AdverseReactionTables],
    summary="Read the adverse reactions extracted from a label's tables",
    description="Rows read from the label's `adverse_reactions_table` HTML: per table its "
    "caption (which indication, which population), its arms (drug doses, placebo) with N, and "
    "per row the reaction term, its system organ class (or other group) header and each arm's "
    "incidence as printed and as numbers (`<1%` is percent 1 with qualifier `<`). A table that "
    "yields no rows says why in `problem`. Extracted by machine, not curated: check the label.",
    responses={**errors.PROBLEM_RESPONSES, **NOT_FOUND},
)
async def read_label_adverse_reactions(
    request: Request,
    set_id: SetId,
    version: Version = None,
) -> Response:
    """Read the rows extracted from a label's adverse-reaction tables."""
    engine = _engine(request)

    def build() -> bytes:
        with queries.session(engine) as session:
            found = queries.read_adverse_reactions(session, set_id, version)
        return _body(_meta(request), found)

    return await cached_answer(request, build)
