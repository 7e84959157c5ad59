"""/titration: label schedules and custom plans, up or down, checked against every maximum."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from app import errors, schemas
from app.api import deps
from app.config import Settings
from app.domain import kidney, titration
from app.domain.regimen import RegimenSpec
from app.readmodel import DrugEntry, ReadModel
from app.render import calendar, chart, fhir, tabular

router = APIRouter(prefix="/titration", tags=["titration"])


class Format(StrEnum):
    json = "json"
    fhir = "fhir"
    csv = "csv"
    ics = "ics"
    svg = "svg"


MEDIA = {
    Format.json: "application/json",
    Format.fhir: "application/fhir+json",
    Format.csv: "text/csv; charset=utf-8",
    Format.ics: "text/calendar; charset=utf-8",
    Format.svg: "image/svg+xml",
}
_ACCEPT = {
    "application/fhir+json": Format.fhir,
    "text/csv": Format.csv,
    "text/calendar": Format.ics,
    "image/svg+xml": Format.svg,
    "application/json": Format.json,
}


class PatientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age_years: float | None = Field(default=None, gt=0, lt=130)
    weight_kg: float | None = Field(default=None, gt=0, le=500)
    sex: kidney.Sex | None = None
    serum_creatinine_mg_dl: float | None = Field(default=None, gt=0, le=30)
    crcl_ml_min: float | None = Field(default=None, ge=0, le=300)


class TitrationIn(BaseModel):
    """A custom plan. Values left out come from the regimen's label dosing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "drug": "baclofen",
                    "direction": "up",
                    "start_daily_mg": 15,
                    "step_daily_mg": 15,
                    "interval_days": 3,
                    "target_daily_mg": 60,
                    "doses_per_day": 3,
                    "start_date": "2026-12-01",
                },
                {"drug": "baclofen", "direction": "down", "current_daily_mg": 60},
            ]
        },
    )

    drug: str = Field(min_length=1, max_length=200, description="any name of the drug")
    regimen: str | None = Field(
        default=None, max_length=80, description="regimen id; default first"
    )
    direction: titration.Direction = titration.Direction.up
    start_daily_mg: float | None = Field(default=None, gt=0, le=100_000)
    step_daily_mg: float | None = Field(default=None, gt=0, le=100_000)
    interval_days: int | None = Field(default=None, ge=1, le=365)
    target_daily_mg: float | None = Field(default=None, gt=0, le=100_000)
    doses_per_day: int | None = Field(default=None, ge=1, le=12)
    current_daily_mg: float | None = Field(default=None, gt=0, le=100_000)
    strength_mg: float | None = Field(default=None, gt=0, le=100_000)
    allow_half_tablets: bool = False
    start_date: date | None = None
    patient: PatientIn = Field(default_factory=PatientIn)


def _format(request: Request, given: Format | None) -> Format:
    if given is not None:
        return given
    accept = request.headers.get("accept", "")
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in _ACCEPT:
            return _ACCEPT[media]
    return Format.json


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


def _resolve(read_model: ReadModel, body: TitrationIn) -> tuple[DrugEntry, RegimenSpec]:
    drug = read_model.drugs[deps.resolve_drug_id(read_model, body.drug)]
    return drug, _regimen(drug, body.regimen)


def _plan(drug: DrugEntry, regimen: RegimenSpec, body: TitrationIn) -> titration.Plan:
    product = drug.products.get(regimen.product_id) if regimen.product_id else None
    request = titration.PlanRequest(
        **body.model_dump(exclude={"drug", "regimen", "patient"}),
        patient=titration.Patient(**body.patient.model_dump()),
    )
    try:
        return titration.plan(regimen, request, product)
    except titration.LimitExceeded as exc:
        raise errors.DoseLimitExceeded(
            str(exc),
            limit={"name": exc.name, "value_mg": exc.limit_mg, "requested_mg": exc.requested_mg},
            source=drug.source_ref(exc.citation).model_dump(mode="json")
            if exc.citation is not None
            else {},
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


def to_public(drug: DrugEntry, regimen: RegimenSpec, plan: titration.Plan) -> dict[str, Any]:
    """The one mapping from a domain plan to the public model (as JSON-ready data)."""
    product = drug.products.get(regimen.product_id) if regimen.product_id else None
    band = plan.renal_band
    result = schemas.TitrationPublic(
        drug=schemas.DrugRef(id=drug.id, generic_name=drug.summary.generic_name),
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
            strengths_mg=list(product.strengths_mg),
            scored=product.scored,
        )
        if product is not None
        else None,
        direction=plan.direction.value,
        steps=[schemas.StepPublic(**vars(s)) for s in plan.steps],
        max_daily_mg=plan.max_daily_mg,
        max_dose_mg=plan.max_dose_mg,
        crcl_ml_min=plan.crcl_ml_min,
        renal_band=schemas.RenalBandPublic(
            **vars(band), source=drug.source_ref(regimen.kidney.citation)
        )
        if band is not None and regimen.kidney is not None
        else None,
        warnings=[
            schemas.WarningPublic(
                text=w.text,
                source=drug.source_ref(w.citation) if w.citation is not None else None,
            )
            for w in plan.warnings
        ],
    )
    return result.model_dump(mode="json")


def _render_body(
    settings: Settings, read_model: ReadModel, plan: dict[str, Any], fmt: Format
) -> bytes:
    if fmt is Format.json:
        return orjson.dumps({"meta": deps.meta(settings, read_model), "results": plan})
    if fmt is Format.fhir:
        return orjson.dumps(fhir.medication_request(plan))
    if fmt is Format.csv:
        return tabular.steps_csv(plan).encode()
    if fmt is Format.ics:
        if plan["steps"][0]["start_date"] is None:
            raise errors.InvalidInput(
                "An iCalendar schedule needs a start date.",
                [
                    errors.InvalidParam(
                        location="query.start_date", message="required for format=ics"
                    )
                ],
            )
        return calendar.plan_calendar(plan, read_model.data_version)
    return chart.step_chart(plan).encode()


def _headers(plan_name: str, fmt: Format) -> tuple[tuple[str, str], ...]:
    if fmt in (Format.csv, Format.ics):
        return (("Content-Disposition", f'attachment; filename="{plan_name}.{fmt.value}"'),)
    return ()


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
    description=DESCRIPTION,
    responses=FORMAT_RESPONSES,
)
async def read_titration(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    drug: deps.DrugQuery,
    regimen: Annotated[str | None, Query(max_length=80, description="regimen id")] = None,
    direction: Annotated[
        titration.Direction, Query(description="up (default) or down")
    ] = titration.Direction.up,
    target_daily_mg: Annotated[float | None, Query(gt=0, le=100_000)] = None,
    current_daily_mg: Annotated[
        float | None, Query(gt=0, le=100_000, description="for a taper")
    ] = None,
    start_date: Annotated[
        date | None, Query(description="YYYY-MM-DD; adds dates to the steps")
    ] = None,
    strength_mg: Annotated[float | None, Query(gt=0, le=100_000)] = None,
    allow_half_tablets: bool = False,
    crcl_ml_min: Annotated[float | None, Query(ge=0, le=300)] = None,
    age_years: Annotated[float | None, Query(gt=0, lt=130)] = None,
    weight_kg: Annotated[float | None, Query(gt=0, le=500)] = None,
    sex: kidney.Sex | None = None,
    serum_creatinine_mg_dl: Annotated[float | None, Query(gt=0, le=30)] = None,
    format: Annotated[Format | None, Query(description="json, fhir, csv, ics or svg")] = None,
) -> Response:
    """Build the label's titration (or taper) schedule."""
    body = TitrationIn(
        drug=drug,
        regimen=regimen,
        direction=direction,
        target_daily_mg=target_daily_mg,
        current_daily_mg=current_daily_mg,
        start_date=start_date,
        strength_mg=strength_mg,
        allow_half_tablets=allow_half_tablets,
        patient=PatientIn(
            crcl_ml_min=crcl_ml_min,
            age_years=age_years,
            weight_kg=weight_kg,
            sex=sex,
            serum_creatinine_mg_dl=serum_creatinine_mg_dl,
        ),
    )
    fmt = _format(request, format)
    found, chosen = _resolve(read_model, body)

    def build() -> bytes:
        plan = to_public(found, chosen, _plan(found, chosen, body))
        return _render_body(settings, read_model, plan, fmt)

    headers = _headers(f"{found.id}-{chosen.id}", fmt)
    return deps.cached(request, read_model, build, MEDIA[fmt], headers)


@router.post(
    "",
    response_model=schemas.One[schemas.TitrationPublic],
    summary="Custom titration or taper plan",
    description=DESCRIPTION
    + " The body sets the plan: start_daily_mg, step_daily_mg, interval_days, target_daily_mg, "
    "doses_per_day (up), or current_daily_mg with an optional step and interval (down).",
    responses=FORMAT_RESPONSES,
)
async def create_titration(
    request: Request,
    read_model: deps.ReadModelDep,
    settings: deps.SettingsDep,
    _json: Annotated[None, Depends(require_json)],
    body: Annotated[TitrationIn, Body()],
    format: Annotated[Format | None, Query(description="json, fhir, csv, ics or svg")] = None,
) -> Response:
    """Build a custom titration or taper plan."""
    fmt = _format(request, format)
    found, chosen = _resolve(read_model, body)
    plan = to_public(found, chosen, _plan(found, chosen, body))
    name = f"{found.id}-{chosen.id}"
    return Response(
        _render_body(settings, read_model, plan, fmt),
        media_type=MEDIA[fmt],
        headers={"Cache-Control": "no-store", **dict(_headers(name, fmt))},
    )
