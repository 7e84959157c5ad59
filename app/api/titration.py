"""/titration: label schedules and custom plans, up or down, checked against every maximum."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.responses import Response

from app import errors, render, schemas
from app.api import deps
from app.config import Settings
from app.domain import titration
from app.domain.regimen import RegimenSpec
from app.readmodel import DrugEntry, ReadModel
from app.requests import TitrationIn, TitrationQuery

router = APIRouter(prefix="/titration", tags=["titration"])

FormatQuery = Annotated[
    render.Format | None, Query(description="json, fhir, csv, ics or svg (else the Accept header)")
]


def _regimen(drug: DrugEntry, wanted: str | None) -> RegimenSpec:
    if not drug.regimens:
        raise errors.NotFound(
            f"The label data for '{drug.id}' has no titration regimen "
            "(none could be verified in its label)."
        )
    if wanted is None:
        return drug.regimens[0]
    for regimen in drug.regimens:
        if regimen.id == wanted.strip():
            return regimen
    raise errors.UnknownRegimen(drug.id, wanted, [r.id for r in drug.regimens])


def _plan(drug: DrugEntry, body: TitrationIn) -> schemas.TitrationPublic:
    """Resolve the regimen, run the domain planner, map its answer (or refusal) to HTTP."""
    regimen = _regimen(drug, body.regimen)
    product = drug.products.get(regimen.product_id) if regimen.product_id else None
    liquid = next((p for p in drug.products.values() if p.is_liquid and p is not product), None)
    patient = body.patient.model_dump()
    patient["child_pugh"] = body.patient.child_pugh.value if body.patient.child_pugh else None
    request = titration.PlanRequest(
        **body.model_dump(exclude={"drug", "regimen", "patient"}),
        patient=titration.Patient(**patient),
    )
    try:
        return to_public(drug, regimen, titration.plan(regimen, request, product, liquid))
    except titration.LimitExceeded as exc:
        raise errors.DoseLimitExceeded(
            str(exc),
            limit={"name": exc.name, "value_mg": exc.limit_mg, "requested_mg": exc.requested_mg},
            source=drug.source_ref(exc.citation).model_dump(mode="json")
            if exc.citation is not None
            else None,
        ) from None
    except titration.MissingInput as exc:
        raise errors.InvalidInput(
            str(exc), [errors.InvalidParam(location=exc.field_name, message=str(exc))]
        ) from None
    except titration.TitrationError as exc:
        members = (
            {"source": drug.source_ref(exc.citation).model_dump(mode="json")}
            if exc.citation is not None
            else {}
        )
        raise errors.InvalidPlan(str(exc), **members) from None
    except ValueError as exc:
        raise errors.InvalidPlan(str(exc)) from None


def to_public(
    drug: DrugEntry, regimen: RegimenSpec, plan: titration.Plan
) -> schemas.TitrationPublic:
    """The one mapping from a domain plan to the public model."""
    product = next((p for p in drug.monograph.products if p.id == regimen.product_id), None)
    band = plan.renal_band
    return schemas.TitrationPublic(
        drug=schemas.DrugRef(
            id=drug.id, generic_name=drug.summary.generic_name, rxcui=drug.summary.rxcui
        ),
        regimen=schemas.RegimenRef(
            id=regimen.id,
            name=regimen.name,
            indication=regimen.indication,
            population=regimen.population,
            source=drug.source_ref(regimen.citation),
        ),
        product=schemas.ProductRef(
            id=product.id,
            name=product.name,
            form=product.form,
            route=product.route,
            strengths_mg=product.strengths_mg,
            scored=product.scored,
        )
        if product is not None
        else None,
        direction=plan.direction.value,
        steps=[
            schemas.StepPublic(
                **{**vars(s), "units": [schemas.UnitPublic(**vars(u)) for u in s.units]}
            )
            for s in plan.steps
        ],
        max_daily_mg=plan.max_daily_mg,
        max_dose_mg=plan.max_dose_mg,
        crcl_ml_min=plan.crcl_ml_min,
        renal_band=schemas.RenalBandPublic(
            **vars(band), source=drug.source_ref(regimen.kidney.citation)
        )
        if band is not None and regimen.kidney is not None
        else None,
        hepatic_band=schemas.HepaticBandPublic(**vars(plan.hepatic_band))
        if plan.hepatic_band is not None
        else None,
        limits=[
            schemas.LimitPublic(
                name=limit.name,
                value_mg=limit.value_mg,
                what=limit.what,
                source=drug.source_ref(limit.citation),
            )
            for limit in plan.limits
        ],
        warnings=[
            schemas.WarningPublic(
                text=w.text,
                source=drug.source_ref(w.citation) if w.citation is not None else None,
            )
            for w in plan.warnings
        ],
    )


def _body(
    settings: Settings, read_model: ReadModel, plan: schemas.TitrationPublic, fmt: render.Format
) -> bytes:
    if fmt is render.Format.ics and plan.steps[0].start_date is None:
        raise errors.InvalidInput(
            "An iCalendar schedule needs a start date.",
            [errors.InvalidParam(location="query.start_date", message="required for format=ics")],
        )
    return render.render(plan, fmt, deps.meta(settings, read_model))


async def require_json(request: Request) -> None:
    """Refuse bodies that are not JSON, before trying to read them as a plan."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise errors.UnsupportedMediaType(
            f"Send the plan as application/json (got '{media or 'no content type'}')."
        )


FORMAT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The schedule, as JSON (default), FHIR, CSV, iCalendar or SVG.",
        "content": {
            "application/fhir+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "text/calendar": {"schema": {"type": "string"}},
            "image/svg+xml": {"schema": {"type": "string"}},
        },
    },
    **errors.PROBLEM_RESPONSES,
    **errors.NOT_FOUND,
}

POST_DESCRIPTION = (
    " The body sets the plan: start_daily_mg, step_daily_mg, interval_days, target_daily_mg, "
    "doses_per_day (up), or current_daily_mg with an optional step and interval (down)."
)
DESCRIPTION = (
    "A titration schedule from the label's regimen (the drug's first regimen unless `regimen` "
    "names one). Every step is checked against the label's per-dose maximum, daily maximum and, "
    "when kidney function is given, the creatinine-clearance band's maximum. An explicit target "
    "above any maximum is refused with 422 `dose-limit-exceeded` naming the limit, its value and "
    "its source; without a target, a kidney band that lowers the label's target is applied and "
    "said in `warnings`. Kidney function: `crcl_ml_min`, or `age_years`, `weight_kg`, `sex` and "
    "`serum_creatinine_mg_dl` for Cockcroft-Gault: CrCl (mL/min) = (140 - age) x weight (kg, "
    "actual body weight) / (72 x serum creatinine in mg/dL), x 0.85 for women. "
    "`format` (or the Accept header) selects JSON, FHIR R4 MedicationRequest, CSV, iCalendar "
    "(needs `start_date`) or an SVG chart. `direction=down` with `current_daily_mg` tapers to 0."
)


@router.get(
    "",
    response_model=schemas.One[schemas.TitrationPublic],
    summary="Label titration schedule",
    description=DESCRIPTION
    + " Generated clients: use the per-format operations (`/titration/csv` and so on), each "
    "with one media type.",
    responses=FORMAT_RESPONSES,
)
async def read_titration(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    query: Annotated[TitrationQuery, Query()],
    format: FormatQuery = None,
) -> Response:
    """Build the label's titration (or taper) schedule."""
    fmt = render.negotiate(request.headers.get("accept", ""), format)
    return _read(request, read_model, settings, query, fmt)


@router.post(
    "",
    response_model=schemas.One[schemas.TitrationPublic],
    summary="Custom titration or taper plan",
    description=DESCRIPTION + POST_DESCRIPTION,
    responses=FORMAT_RESPONSES,
)
async def create_titration(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    _json: Annotated[None, Depends(require_json)],
    body: Annotated[TitrationIn, Body()],
    format: FormatQuery = None,
) -> Response:
    """Build a custom titration or taper plan."""
    fmt = render.negotiate(request.headers.get("accept", ""), format)
    return _create(read_model, settings, body, fmt)


def _read(
    request: Request,
    read_model: ReadModel,
    settings: Settings,
    query: TitrationQuery,
    fmt: render.Format,
) -> Response:
    body = query.to_body()
    drug = read_model.drugs[deps.resolve_drug_id(read_model, body.drug)]
    name = f"{drug.id}-{_regimen(drug, body.regimen).id}"

    def build() -> bytes:
        return _body(settings, read_model, _plan(drug, body), fmt)

    headers = render.attachment_headers(name, fmt)
    return deps.cached(request, read_model, build, render.MEDIA[fmt], headers)


def _create(
    read_model: ReadModel, settings: Settings, body: TitrationIn, fmt: render.Format
) -> Response:
    drug = read_model.drugs[deps.resolve_drug_id(read_model, body.drug)]
    plan = _plan(drug, body)
    return Response(
        _body(settings, read_model, plan, fmt),
        media_type=render.MEDIA[fmt],
        headers={
            "Cache-Control": "no-store",
            **dict(render.attachment_headers(f"{drug.id}-{plan.regimen.id}", fmt)),
        },
    )


# One operation per format, each with one media type, so that generated clients decode them.
FHIR_REF = {"$ref": "#/components/schemas/MedicationRequest"}
_FORMAT_SCHEMAS: dict[render.Format, tuple[str, dict[str, Any]]] = {
    render.Format.fhir: ("a FHIR R4 MedicationRequest, one Dosage per step", FHIR_REF),
    render.Format.csv: ("CSV, one row per step", {"type": "string"}),
    render.Format.ics: ("iCalendar, one all-day event per dose change", {"type": "string"}),
    render.Format.svg: ("an SVG step chart", {"type": "string"}),
}


def _format_routes(fmt: render.Format, what: str, schema: dict[str, Any]) -> None:
    media = render.MEDIA[fmt].split(";")[0]
    responses: dict[int | str, dict[str, Any]] = {
        200: {"description": f"The schedule as {what}.", "content": {media: {"schema": schema}}},
        **errors.PROBLEM_RESPONSES,
        **errors.NOT_FOUND,
    }

    async def read(
        request: Request,
        read_model: deps.ReadModelDep,
        settings: deps.SettingsDep,
        query: Annotated[TitrationQuery, Query()],
    ) -> Response:
        return _read(request, read_model, settings, query, fmt)

    async def create(
        read_model: deps.ReadModelDep,
        settings: deps.SettingsDep,
        _json: Annotated[None, Depends(require_json)],
        body: Annotated[TitrationIn, Body()],
    ) -> Response:
        return _create(read_model, settings, body, fmt)

    common: dict[str, Any] = {
        "response_model": None,
        "response_class": Response,
        "responses": responses,
    }
    router.add_api_route(
        f"/{fmt.value}",
        read,
        methods=["GET"],
        name=f"read_titration_{fmt.value}",
        summary=f"Label titration schedule as {fmt.value.upper()}",
        description=f"As `GET /titration?format={fmt.value}`: {what}.",
        **common,
    )
    router.add_api_route(
        f"/{fmt.value}",
        create,
        methods=["POST"],
        name=f"create_titration_{fmt.value}",
        summary=f"Custom titration or taper plan as {fmt.value.upper()}",
        description=f"As `POST /titration?format={fmt.value}`: {what}." + POST_DESCRIPTION,
        **common,
    )


for _fmt, (_what, _schema) in _FORMAT_SCHEMAS.items():
    _format_routes(_fmt, _what, _schema)
