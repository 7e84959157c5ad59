"""What callers send: the titration query (GET) and body (POST), each field declared once."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from app.catalog.models import ChildPugh
from app.domain.kidney import Sex
from app.domain.titration import Direction, TaperMethod


class PatientIn(BaseModel):
    """Who the plan is for; kidney function as `crcl_ml_min` or the Cockcroft-Gault inputs."""

    model_config = ConfigDict(extra="forbid")

    age_years: float | None = Field(default=None, gt=0, lt=130, description="years")
    weight_kg: float | None = Field(
        default=None, gt=0, le=500, description="actual body weight in kg"
    )
    sex: Sex | None = Field(default=None, description="for Cockcroft-Gault (x 0.85 for women)")
    serum_creatinine_mg_dl: float | None = Field(
        default=None, gt=0, le=30, description="serum creatinine in mg/dL"
    )
    crcl_ml_min: float | None = Field(
        default=None, ge=0, le=300, description="creatinine clearance in mL/min, if known"
    )
    child_pugh: ChildPugh | None = Field(
        default=None, description="Child-Pugh class of hepatic impairment: A, B or C"
    )


class PlanOptions(BaseModel):
    """What GET and POST share: which regimen, which way, to what dose, from which date."""

    model_config = ConfigDict(extra="forbid")

    drug: str = Field(
        min_length=1,
        max_length=200,
        description="id, generic name, brand name or synonym of the drug",
        examples=["baclofen"],
    )
    regimen: str | None = Field(
        default=None, max_length=80, description="regimen id; the drug's first regimen if absent"
    )
    direction: Direction = Field(default=Direction.up, description="up (default) or down")
    target_daily_mg: float | None = Field(
        default=None, gt=0, le=100_000, description="mg/day to titrate to; the label's if absent"
    )
    current_daily_mg: float | None = Field(
        default=None, gt=0, le=100_000, description="mg/day taken now (for a taper)"
    )
    start_date: date | None = Field(
        default=None, description="YYYY-MM-DD; adds dates to the steps (needed for iCalendar)"
    )
    strength_mg: float | None = Field(
        default=None, gt=0, le=100_000, description="use only this strength of the product"
    )
    allow_half_tablets: bool = Field(
        default=False,
        description="use half tablets freely where the label says they are scored (without it, "
        "halves are used only where a dose needs them)",
    )
    taper_method: TaperMethod = Field(
        default=TaperMethod.label,
        description="down only: 'label' (the label's taper, or step_daily_mg) or 'proportional' "
        "(each step lowers the dose by taper_percent)",
    )
    taper_percent: float | None = Field(
        default=None, ge=10, le=50, description="for taper_method=proportional: % per step"
    )


class TitrationQuery(PlanOptions, PatientIn):
    """GET /titration: the options and the patient as flat query parameters."""

    # Unknown parameters are refused by deps.strict_query, which knows `format` too.
    model_config = ConfigDict(extra="ignore")

    def to_body(self) -> TitrationIn:
        patient = PatientIn(**{k: getattr(self, k) for k in PatientIn.model_fields})
        return TitrationIn(
            **{k: getattr(self, k) for k in PlanOptions.model_fields}, patient=patient
        )


class TitrationIn(PlanOptions):
    """POST /titration: a custom plan. Values left out come from the regimen's label dosing."""

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

    start_daily_mg: float | None = Field(
        default=None, gt=0, le=100_000, description="first step's mg/day (custom up-titration)"
    )
    step_daily_mg: float | None = Field(
        default=None, gt=0, le=100_000, description="mg/day added (up) or removed (down) per step"
    )
    interval_days: int | None = Field(default=None, ge=1, le=365, description="days per step")
    doses_per_day: int | None = Field(default=None, ge=1, le=12, description="doses a day")
    patient: PatientIn = Field(
        default_factory=PatientIn,
        description="who the plan is for: kidney function (crcl_ml_min, or age, weight, sex and "
        "serum creatinine), weight for mg/kg regimens, Child-Pugh class",
    )
