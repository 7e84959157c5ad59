"""The titration planner: a regimen (and a caller's plan) in, a checked schedule of steps out.

Pure functions over plain values: no HTTP, no database. Every limit that refuses a plan names
the fact (and so the source) it comes from; nothing is clipped silently. Every dose served is
one the product's strengths make (rounded down, with a warning, when asked for one they cannot).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from app.domain import kidney, units
from app.domain.regimen import (
    Citation,
    HepaticBand,
    KidneyBand,
    ProductSpec,
    RegimenSpec,
)

EPSILON = 1e-9
MAX_STEPS = 200
LIQUID_ML_STEP = 0.1  # an oral solution is measured to 0.1 mL


class Direction(StrEnum):
    up = "up"
    down = "down"


class TaperMethod(StrEnum):
    label = "label"
    proportional = "proportional"


@dataclass(frozen=True)
class PlanNote:
    """A warning that comes with a plan: the label's (with its citation) or the planner's own."""

    text: str
    citation: Citation | None = None


@dataclass(frozen=True)
class PlannedStep:
    step: int
    day_start: int
    day_end: int
    dose_mg: float
    times_per_day: int
    period_days: int
    daily_mg: float
    units: tuple[units.Unit, ...] = ()
    volume_ml: float | None = None
    units_per_dose: float | None = None
    unit: str | None = None
    start_date: date | None = None
    end_date: date | None = None

    @property
    def dosing_day_mg(self) -> float:
        """What is taken on a day the dose is given (every-other-day steps count in full)."""
        return self.dose_mg * self.times_per_day


@dataclass(frozen=True)
class Patient:
    age_years: float | None = None
    weight_kg: float | None = None
    sex: kidney.Sex | None = None
    serum_creatinine_mg_dl: float | None = None
    crcl_ml_min: float | None = None
    child_pugh: str | None = None  # "A", "B" or "C"


@dataclass(frozen=True)
class PlanRequest:
    """What a caller asks for; everything optional falls back to the regimen's label values."""

    direction: Direction = Direction.up
    target_daily_mg: float | None = None
    start_daily_mg: float | None = None
    step_daily_mg: float | None = None
    interval_days: int | None = None
    doses_per_day: int | None = None
    current_daily_mg: float | None = None
    strength_mg: float | None = None
    allow_half_tablets: bool = False
    start_date: date | None = None
    taper_method: TaperMethod = TaperMethod.label
    taper_percent: float | None = None
    patient: Patient = field(default_factory=Patient)

    @property
    def is_custom(self) -> bool:
        return any(
            v is not None for v in (self.start_daily_mg, self.step_daily_mg, self.interval_days)
        )


@dataclass(frozen=True)
class Limit:
    """A daily maximum that applies to this plan, where it comes from, and what it is for."""

    name: str
    value_mg: float
    citation: Citation
    what: str


@dataclass(frozen=True)
class Plan:
    direction: Direction
    steps: list[PlannedStep]
    max_daily_mg: float
    max_dose_mg: float | None
    crcl_ml_min: float | None
    renal_band: KidneyBand | None
    warnings: list[PlanNote]
    hepatic_band: HepaticBand | None = None
    limits: list[Limit] = field(default_factory=list)


class TitrationError(Exception):
    """The request cannot be planned as asked (bad combination of values)."""

    def __init__(self, message: str, citation: Citation | None = None) -> None:
        super().__init__(message)
        self.citation = citation


class MissingInput(TitrationError):
    """The regimen needs a value the request did not give (e.g. the weight for mg/kg dosing)."""

    def __init__(self, message: str, field_name: str, citation: Citation | None = None) -> None:
        super().__init__(message, citation)
        self.field_name = field_name


class LimitExceeded(TitrationError):
    """A step would exceed a labeled maximum."""

    def __init__(
        self, message: str, *, name: str, limit_mg: float, requested_mg: float, citation: Citation
    ) -> None:
        super().__init__(message, citation)
        self.name = name
        self.limit_mg = limit_mg
        self.requested_mg = requested_mg


@dataclass(frozen=True)
class _Dose:
    """One step before numbering: per-administration dose, frequency and duration."""

    dose_mg: float
    times_per_day: int
    period_days: int
    duration_days: int
    liquid: bool = False

    @property
    def daily_mg(self) -> float:
        return self.dose_mg * self.times_per_day / self.period_days


def _round(mg: float) -> float:
    return round(mg + 0.0, 4)


def creatinine_clearance(patient: Patient) -> float | None:
    """The clearance given directly, else computed by Cockcroft-Gault when all inputs are given."""
    if patient.crcl_ml_min is not None:
        return patient.crcl_ml_min
    values = (patient.age_years, patient.weight_kg, patient.sex, patient.serum_creatinine_mg_dl)
    if all(v is not None for v in values):
        return kidney.cockcroft_gault(
            patient.age_years,  # type: ignore[arg-type]
            patient.weight_kg,  # type: ignore[arg-type]
            patient.sex,  # type: ignore[arg-type]
            patient.serum_creatinine_mg_dl,  # type: ignore[arg-type]
        )
    # Weight and age alone are for mg/kg dosing and population limits; sex or serum creatinine
    # mean the caller meant Cockcroft-Gault.
    if patient.sex is not None or patient.serum_creatinine_mg_dl is not None:
        raise TitrationError(
            "Cockcroft-Gault needs age_years, weight_kg, sex and serum_creatinine_mg_dl together "
            "(or give crcl_ml_min directly)."
        )
    return None


def _label_daily_doses(regimen: RegimenSpec) -> list[tuple[float, int, int, int]]:
    """The label's fixed steps as (dose_mg, times_per_day, period_days, duration_days)."""
    return [(s.dose_mg, s.times_per_day, s.period_days, s.duration_days) for s in regimen.steps]


def _default_target(regimen: RegimenSpec) -> float:
    if regimen.target_daily_mg is not None:
        return regimen.target_daily_mg
    if regimen.increment is not None:
        return regimen.increment.target_min_daily_mg
    if regimen.steps:
        last = regimen.steps[-1]
        return last.dose_mg * last.times_per_day / last.period_days
    raise TitrationError("the regimen has neither steps nor a rule")


def _up_label(
    regimen: RegimenSpec, target: float, truncate: bool, explicit: bool
) -> list[tuple[float, int, int, int]]:
    """The label schedule up to `target` mg/day: fixed steps, then the rule's increments.

    With `truncate` (a caller's target, or a kidney band's lower maximum) the fixed steps stop at
    the target; otherwise they stand as written (some labels load high, then step down).
    """
    if not truncate:
        plan = _label_daily_doses(regimen)
    else:
        plan = []
        for dose, tpd, period, days in _label_daily_doses(regimen):
            daily = dose * tpd / period
            if daily > target + EPSILON:
                # The target falls inside the label's steps: finish on the target itself.
                plan.append((target / tpd, tpd, 1, days))
                return plan
            plan.append((dose, tpd, period, days))
            if abs(daily - target) <= EPSILON:
                return plan
    reached = plan[-1][0] * plan[-1][1] / plan[-1][2] if plan else 0.0
    if reached >= target - EPSILON:
        return plan
    rule = regimen.increment
    if rule is None:
        if not plan:
            raise TitrationError("the regimen has neither steps nor a rule")
        if explicit:
            raise TitrationError(
                f"The label's schedule for this regimen ends at {_round(reached):g} mg/day and "
                f"names no further increments; to go to {_round(target):g} mg/day, POST a custom "
                "plan with step_daily_mg and interval_days.",
                regimen.citation,
            )
        return plan
    daily = reached if plan else 0.0
    if not plan:
        first = min(rule.increment_daily_mg, target)
        plan.append((first / rule.times_per_day, rule.times_per_day, 1, rule.interval_days))
        daily = first
    while daily < target - EPSILON:
        daily = min(daily + rule.increment_daily_mg, target)
        plan.append((daily / rule.times_per_day, rule.times_per_day, 1, rule.interval_days))
    return plan


def _band_range(band: KidneyBand) -> str:
    if band.crcl_max_ml_min is None:
        return f">= {band.crcl_min_ml_min:g} mL/min"
    return f"{band.crcl_min_ml_min:g} to < {band.crcl_max_ml_min:g} mL/min"


def _kidney_band(
    regimen: RegimenSpec, crcl: float | None, notes: list[PlanNote]
) -> KidneyBand | None:
    renal = regimen.kidney
    if crcl is None:
        return None
    if renal is None:
        notes.append(
            PlanNote(
                "The label gives no creatinine-clearance bands for this regimen; "
                "see its renal precautions."
            )
        )
        return None
    band = kidney.band_for(crcl, renal.bands)
    if band is None:
        raise TitrationError(
            f"The label gives no dosing for creatinine clearance {crcl:g} mL/min "
            f"(its bands start at {min(b.crcl_min_ml_min for b in renal.bands):g} mL/min).",
            renal.citation,
        )
    if band.not_recommended:
        raise LimitExceeded(
            f"The label does not recommend this regimen at creatinine clearance {crcl:g} mL/min"
            + (f": {band.note}" if band.note else "."),
            name="renal_not_recommended",
            limit_mg=0.0,
            requested_mg=0.0,
            citation=renal.citation,
        )
    if band.proportional_to_ml_min is not None:
        notes.append(
            PlanNote(
                f"Doses reduced in proportion to creatinine clearance ({crcl:g} of "
                f"{band.proportional_to_ml_min:g} mL/min), as the label directs: at most "
                f"{_round(band.max_daily_mg or 0):g} mg/day.",
                renal.citation,
            )
        )
    return band


def _liver_band(
    regimen: RegimenSpec, child_pugh: str | None, notes: list[PlanNote]
) -> HepaticBand | None:
    if child_pugh is None:
        return None
    hepatic = regimen.hepatic
    if hepatic is None:
        notes.append(
            PlanNote(
                "The label gives no Child-Pugh dosing for this regimen; "
                "see its hepatic precautions."
            )
        )
        return None
    band = next((b for b in hepatic.bands if b.child_pugh == child_pugh), None)
    if band is None:
        notes.append(
            PlanNote(
                f"The label gives no dose change for Child-Pugh class {child_pugh}.",
                hepatic.citation,
            )
        )
        return None
    if band.not_recommended:
        raise LimitExceeded(
            f"The label does not recommend this regimen in Child-Pugh class {child_pugh} "
            "hepatic impairment" + (f": {band.note}" if band.note else "."),
            name="hepatic_not_recommended",
            limit_mg=0.0,
            requested_mg=0.0,
            citation=hepatic.citation,
        )
    return band


def _weight(regimen: RegimenSpec, patient: Patient) -> float | None:
    if regimen.per_kg is not None and patient.weight_kg is None:
        raise MissingInput(
            "This regimen is dosed in mg/kg: give the patient's weight (patient.weight_kg).",
            "patient.weight_kg",
            regimen.citation,
        )
    return patient.weight_kg


def _in(value: float | None, low: float | None, high: float | None) -> bool | None:
    """Whether value lies in [low, high); None when the value is unknown."""
    if value is None:
        return None
    return (low is None or value >= low) and (high is None or value < high)


def _limits(
    regimen: RegimenSpec,
    patient: Patient,
    band: KidneyBand | None,
    liver: HepaticBand | None,
    notes: list[PlanNote],
) -> list[Limit]:
    """Every daily maximum that applies, the label's first; unknown weight or age is taken
    at its most restrictive."""
    found = []
    if regimen.max_daily_mg is not None:
        found.append(
            Limit("max_daily_mg", regimen.max_daily_mg, regimen.citation, "the label's maximum")
        )
    weight = patient.weight_kg
    if regimen.per_kg is not None and weight is not None:
        found.append(
            Limit(
                "max_mg_kg_day",
                _round(regimen.per_kg.max_mg_kg_day * weight),
                regimen.citation,
                f"the label's {regimen.per_kg.max_mg_kg_day:g} mg/kg/day at {weight:g} kg",
            )
        )
    for limit in regimen.limits:
        by_weight = _in(weight, limit.weight_min_kg, limit.weight_max_kg)
        by_age = _in(patient.age_years, limit.age_min_years, limit.age_max_years)
        weighs = limit.weight_min_kg is not None or limit.weight_max_kg is not None
        aged = limit.age_min_years is not None or limit.age_max_years is not None
        applies = (not weighs or by_weight is not False) and (not aged or by_age is not False)
        unknown = (weighs and by_weight is None) or (aged and by_age is None)
        general = regimen.max_daily_mg if regimen.max_daily_mg is not None else math.inf
        if not applies or limit.max_daily_mg >= general and unknown:
            continue
        what = limit.note or "the label's maximum for this weight or age"
        if unknown:
            notes.append(
                PlanNote(
                    f"Maximum {limit.max_daily_mg:g} mg/day applied: the label's maximum depends "
                    "on weight or age, which the request does not give.",
                    limit.citation,
                )
            )
        found.append(Limit("population_max_daily_mg", limit.max_daily_mg, limit.citation, what))
    if band is not None and band.max_daily_mg is not None and regimen.kidney is not None:
        found.append(
            Limit(
                "renal_max_daily_mg",
                band.max_daily_mg,
                regimen.kidney.citation,
                f"the label's maximum for creatinine clearance {_band_range(band)}",
            )
        )
    if liver is not None and liver.max_daily_mg is not None and regimen.hepatic is not None:
        found.append(
            Limit(
                "hepatic_max_daily_mg",
                liver.max_daily_mg,
                regimen.hepatic.citation,
                f"the label's maximum in Child-Pugh class {liver.child_pugh}",
            )
        )
    return found


def _ceiling(limits: list[Limit]) -> Limit:
    return min(limits, key=lambda limit: limit.value_mg)


@dataclass(frozen=True)
class _Start:
    """Where an up-titration starts and how it climbs, when not the label's fixed steps."""

    start_daily_mg: float
    step_daily_mg: float | None
    interval_days: int | None
    doses_per_day: int


def _band_start(
    regimen: RegimenSpec, band: KidneyBand | None, liver: HepaticBand | None, weight: float | None
) -> tuple[_Start, Citation] | None:
    """A kidney or liver band's own start (the lower start, the smaller step, the longer
    interval when both have one)."""
    chosen = [
        (b, c)
        for b, c in (
            (band, regimen.kidney.citation if regimen.kidney else None),
            (liver, regimen.hepatic.citation if regimen.hepatic else None),
        )
        if b is not None and c is not None and b.start_daily_mg is not None
    ]
    if not chosen:
        return None
    base = _label_start(regimen, weight)
    starts = [b.start_daily_mg for b, _ in chosen if b.start_daily_mg is not None]
    steps = [b.step_daily_mg for b, _ in chosen if b.step_daily_mg is not None]
    intervals = [b.interval_days for b, _ in chosen if b.interval_days is not None]
    start = _Start(
        start_daily_mg=min(starts),
        step_daily_mg=min(steps) if steps else base.step_daily_mg,
        interval_days=max(intervals) if intervals else base.interval_days,
        doses_per_day=(band.doses_per_day if band and band.doses_per_day else None)
        or base.doses_per_day,
    )
    return start, chosen[0][1]


def _label_start(regimen: RegimenSpec, weight: float | None) -> _Start:
    """The label's own start, step and interval, as one rule."""
    if regimen.per_kg is not None and weight is not None:
        per_kg = regimen.per_kg
        return _Start(
            start_daily_mg=_round(per_kg.start_mg_kg_day * weight),
            step_daily_mg=_round(per_kg.step_mg_kg_day * weight) if per_kg.step_mg_kg_day else None,
            interval_days=per_kg.interval_days,
            doses_per_day=per_kg.times_per_day,
        )
    first = regimen.steps[0] if regimen.steps else None
    rule = regimen.increment
    if first is not None:
        start = first.daily_mg
    elif rule is not None:
        start = min(rule.increment_daily_mg, rule.target_min_daily_mg)
    else:
        raise TitrationError("the regimen has neither steps nor a rule", regimen.citation)
    if rule is not None:
        step: float | None = rule.increment_daily_mg
    elif len(regimen.steps) > 1:
        step = regimen.steps[1].daily_mg - regimen.steps[0].daily_mg
    else:
        step = None
    interval = rule.interval_days if rule is not None else (first.duration_days if first else None)
    doses = first.times_per_day if first is not None else (rule.times_per_day if rule else 1)
    return _Start(start, step if step and step > 0 else None, interval, doses)


def _climb(start: _Start, target: float) -> list[_Dose]:
    """From the start, by the step every interval, to the target."""
    doses = start.doses_per_day
    first = min(start.start_daily_mg, target)
    if start.step_daily_mg is None or start.interval_days is None:
        if first < target - EPSILON:
            raise TitrationError(
                "give step_daily_mg and interval_days: the label names no increment"
            )
        return [_Dose(first / doses, doses, 1, start.interval_days or 1)]
    plan = [_Dose(first / doses, doses, 1, start.interval_days)]
    daily = first
    while daily < target - EPSILON:
        daily = min(daily + start.step_daily_mg, target)
        plan.append(_Dose(daily / doses, doses, 1, start.interval_days))
        if len(plan) > MAX_STEPS:
            raise TitrationError(f"the plan would need more than {MAX_STEPS} steps")
    return plan


def _default_up_target(regimen: RegimenSpec, weight: float | None) -> float:
    per_kg = regimen.per_kg
    if per_kg is not None and weight is not None:
        return _round((per_kg.target_mg_kg_day or per_kg.start_mg_kg_day) * weight)
    return _default_target(regimen)


def _up(
    regimen: RegimenSpec,
    request: PlanRequest,
    band: KidneyBand | None,
    liver: HepaticBand | None,
    limits: list[Limit],
    notes: list[PlanNote],
) -> list[_Dose]:
    weight = request.patient.weight_kg
    ceiling = _ceiling(limits)
    explicit = request.target_daily_mg is not None
    target = (
        request.target_daily_mg
        if request.target_daily_mg is not None
        else _default_up_target(regimen, weight)
    )
    if explicit and target > ceiling.value_mg + EPSILON:
        raise LimitExceeded(
            f"target_daily_mg {_round(target):g} is above {ceiling.what} of "
            f"{_round(ceiling.value_mg):g} mg/day.",
            name=ceiling.name,
            limit_mg=ceiling.value_mg,
            requested_mg=_round(target),
            citation=ceiling.citation,
        )
    lowered = False
    if not explicit and target > ceiling.value_mg + EPSILON:
        notes.append(
            PlanNote(
                f"Target lowered from {_round(target):g} to {_round(ceiling.value_mg):g} mg/day: "
                f"{ceiling.what}.",
                ceiling.citation,
            )
        )
        target, lowered = ceiling.value_mg, True
    recommended = regimen.target_daily_mg
    if explicit and recommended is not None and target > recommended + EPSILON:
        quote = f' The label: "{regimen.citation.evidence}"' if regimen.citation.evidence else ""
        notes.append(
            PlanNote(
                f"{_round(target):g} mg/day is above the label's usual target of "
                f"{_round(recommended):g} mg/day (within its maximum of "
                f"{_round(ceiling.value_mg):g} mg/day).{quote}",
                regimen.citation,
            )
        )
    banded = _band_start(regimen, band, liver, weight)
    if request.is_custom or request.doses_per_day is not None:
        base = banded[0] if banded else _label_start(regimen, weight)
        start = _Start(
            start_daily_mg=request.start_daily_mg or base.start_daily_mg,
            step_daily_mg=request.step_daily_mg or base.step_daily_mg,
            interval_days=request.interval_days or base.interval_days,
            doses_per_day=request.doses_per_day or base.doses_per_day,
        )
        if request.start_daily_mg is not None and request.start_daily_mg > target + EPSILON:
            raise TitrationError(
                f"start_daily_mg ({_round(request.start_daily_mg):g}) is above target_daily_mg "
                f"({_round(target):g}); use direction 'down' to taper."
            )
        plan = _climb(start, target)
    elif banded is not None:
        start, citation = banded
        notes.append(
            PlanNote(
                f"Started at {_round(start.start_daily_mg):g} mg/day, the label's starting dose "
                "for this kidney or liver function.",
                citation,
            )
        )
        if start.step_daily_mg is None or start.interval_days is None:
            # The label gives the band's start but no increment: plan the start, say so.
            target = min(target, start.start_daily_mg)
            notes.append(
                PlanNote(
                    "The label names no increment for this kidney or liver function: the plan "
                    "stays at the starting dose; titrate as the label directs.",
                    citation,
                )
            )
        plan = _climb(start, target)
    elif regimen.per_kg is not None:
        plan = _climb(_label_start(regimen, weight), target)
    else:
        if (
            not explicit
            and not lowered
            and any(s.daily_mg > ceiling.value_mg + EPSILON for s in regimen.steps)
        ):
            notes.append(
                PlanNote(
                    f"Schedule stopped at {_round(ceiling.value_mg):g} mg/day: {ceiling.what}.",
                    ceiling.citation,
                )
            )
            target, lowered = min(target, ceiling.value_mg), True
        raw = _up_label(regimen, target, explicit or lowered, explicit)
        plan = [_Dose(*r) for r in raw]
    start_daily = plan[0].daily_mg if plan else 0.0
    label_start = _label_start(regimen, weight).start_daily_mg
    if explicit and target < label_start - EPSILON:
        notes.append(
            PlanNote(
                f"target_daily_mg {_round(target):g} is below the label's starting dose of "
                f"{_round(label_start):g} mg/day: the plan starts at "
                f"{_round(start_daily):g} mg/day.",
                regimen.citation,
            )
        )
    return plan


def _taper(
    regimen: RegimenSpec,
    request: PlanRequest,
    band: KidneyBand | None,
    round_down: Callable[[float], tuple[float, bool] | None] | None,
    notes: list[PlanNote],
) -> list[_Dose]:
    current = request.current_daily_mg
    if current is None:
        raise TitrationError("a taper needs current_daily_mg")
    taper = regimen.taper
    doses = request.doses_per_day or (band.doses_per_day if band and band.doses_per_day else None)
    if doses is None:
        doses = regimen.steps[0].times_per_day if regimen.steps else 1
    interval = request.interval_days or (taper.interval_days if taper is not None else None)
    levels: list[tuple[float, bool]] = []
    if request.taper_method is TaperMethod.proportional:
        if request.taper_percent is None:
            raise TitrationError("a proportional taper needs taper_percent (10 to 50)")
        if round_down is None:
            raise TitrationError(
                "a proportional taper needs the product's strengths; this regimen names no product"
            )
        if interval is None:
            fallback = _label_start(regimen, request.patient.weight_kg).interval_days
            interval = fallback
        if interval is None:
            raise TitrationError("give interval_days: the label names no taper interval")
        levels = _proportional_levels(current, request.taper_percent, doses, round_down)
    else:
        if request.step_daily_mg is not None:
            step = request.step_daily_mg
        elif taper is not None and taper.step_daily_mg is not None:
            step = taper.step_daily_mg
        elif taper is not None and taper.step_fraction is not None:
            step = current * taper.step_fraction
        else:
            raise TitrationError(
                "The label gives no taper for this regimen; give step_daily_mg and "
                "interval_days, or taper_method 'proportional' with taper_percent.",
                regimen.citation,
            )
        if interval is None:
            raise TitrationError("give interval_days: the label names no taper interval")
        daily = current
        while daily > EPSILON:
            levels.append((daily, False))
            daily = max(daily - step, 0.0)
            if len(levels) > MAX_STEPS:
                raise TitrationError(f"the taper would need more than {MAX_STEPS} steps")
    if taper is not None and taper.min_duration_days and request.interval_days is None:
        needed = math.ceil(taper.min_duration_days / len(levels))
        if needed > interval:
            interval = needed
            notes.append(
                PlanNote(
                    f"Intervals lengthened to {interval} days so the taper lasts at least "
                    f"{taper.min_duration_days} days, as the label asks.",
                    taper.citation,
                )
            )
    plan = [_Dose(level / doses, doses, 1, interval, liquid) for level, liquid in levels]
    plan.append(_Dose(0.0, doses, 1, 1))
    if taper is not None and request.taper_method is TaperMethod.label:
        notes.append(PlanNote(taper.note, taper.citation))
    return plan


def _proportional_levels(
    current: float,
    percent: float,
    doses: int,
    round_down: Callable[[float], tuple[float, bool] | None],
) -> list[tuple[float, bool]]:
    """Daily doses, each `percent` below the one before, rounded down to what can be made,
    strictly decreasing; the last is the smallest dose that can be made."""
    first = round_down(current / doses)
    if first is None:
        raise TitrationError(
            f"{_round(current / doses):g} mg per dose cannot be made from the product's strengths."
        )
    level = _round(first[0] * doses)
    levels = [(level, first[1])]
    while True:
        made = round_down(level * (1 - percent / 100) / doses)
        if made is not None and made[0] * doses >= level - EPSILON:
            made = round_down(level / doses - 1e-6)
        if made is None or made[0] <= EPSILON:
            return levels
        level = _round(made[0] * doses)
        levels.append((level, made[1]))
        if len(levels) > MAX_STEPS:
            raise TitrationError(f"the taper would need more than {MAX_STEPS} steps")


def _strengths(product: ProductSpec, request: PlanRequest) -> tuple[float, ...]:
    if request.strength_mg is None:
        return product.strengths_mg
    if request.strength_mg not in product.strengths_mg:
        known = ", ".join(f"{s:g}" for s in product.strengths_mg)
        raise TitrationError(
            f"{product.name} comes in {known} mg; {request.strength_mg:g} mg is not a strength."
        )
    return (request.strength_mg,)


def _rounder(
    product: ProductSpec | None, liquid: ProductSpec | None, request: PlanRequest
) -> Callable[[float], tuple[float, bool] | None] | None:
    """A function giving the largest makeable per-dose amount not above the one asked
    (and whether the liquid makes it), or None when there is no product to make doses from."""
    if product is None:
        return None
    if product.is_liquid:
        return lambda dose: _liquid_amount(dose, product)
    if not product.strengths_mg:
        return None  # the label data gives no strengths: doses cannot be checked or counted
    strengths = _strengths(product, request)

    def round_down(dose: float) -> tuple[float, bool] | None:
        # A dose the label itself asks for that only half of a scored tablet makes is made so.
        if product.scored and units.make_dose(dose, strengths, product.form, halves=True):
            return dose, False
        made = units.largest_makeable(dose, strengths, halves=product.scored)
        if made is not None:
            return made, False
        if liquid is not None and liquid.concentration_mg_ml is not None:
            return _liquid_amount(dose, liquid)
        return None

    return round_down


def _liquid_amount(dose: float, liquid: ProductSpec) -> tuple[float, bool] | None:
    if liquid.concentration_mg_ml is None:
        return None
    step = LIQUID_ML_STEP * liquid.concentration_mg_ml
    made = math.floor(dose / step + 1e-9) * step
    return (_round(made), True) if made > EPSILON else None


def _makeable(
    plan: list[_Dose],
    product: ProductSpec | None,
    round_down: Callable[[float], tuple[float, bool] | None] | None,
    notes: list[PlanNote],
    *,
    tapering: bool = False,
    max_dose_mg: float | None = None,
) -> list[_Dose]:
    """Every dose one the product makes: rounded down (never up) with a warning, or refused.
    A taper whose next dose is below the smallest the product makes stops there."""
    if round_down is None or product is None:
        return plan
    out = []
    rounded: list[str] = []
    regrouped: list[str] = []
    for dose in plan:
        if dose.dose_mg <= EPSILON or dose.liquid:
            out.append(dose)
            continue
        made = round_down(dose.dose_mg)
        if made is None:
            fewer = _fewer_doses(dose, round_down, max_dose_mg)
            if fewer is not None:
                out.append(fewer)
                regrouped.append(
                    f"{_round(dose.daily_mg):g} mg/day as {fewer.times_per_day} x "
                    f"{_round(fewer.dose_mg):g} mg"
                )
                continue
        if made is None and tapering:
            out.append(plan[-1])  # the stop
            notes.append(
                PlanNote(
                    f"The taper stops after {_round(out[-2].daily_mg) if len(out) > 1 else 0} "
                    "mg/day: the next dose is below the smallest the product makes."
                )
            )
            break
        if made is None:
            smallest = units.smallest_piece_mg(product.strengths_mg, halves=False)
            raise TitrationError(
                f"{_round(dose.dose_mg):g} mg per dose cannot be made from {product.name} "
                f"(its smallest unit is {smallest:g} mg); give fewer doses_per_day, allow half "
                "tablets if it is scored, or choose a regimen for a liquid product."
            )
        if abs(made[0] - dose.dose_mg) > 1e-6:
            rounded.append(f"{_round(dose.dose_mg):g} -> {_round(made[0]):g} mg")
        out.append(replace(dose, dose_mg=made[0], liquid=made[1]))
    if regrouped:
        notes.append(
            PlanNote(
                "Given in fewer doses a day, because the product cannot make equal smaller "
                "doses: " + ", ".join(dict.fromkeys(regrouped)) + "."
            )
        )
    if rounded:
        notes.append(
            PlanNote(
                "Doses rounded down to what the product's strengths make (per dose): "
                + ", ".join(dict.fromkeys(rounded))
                + "."
            )
        )
    return out


def _fewer_doses(
    dose: _Dose,
    round_down: Callable[[float], tuple[float, bool] | None],
    max_dose_mg: float | None,
) -> _Dose | None:
    """The same daily dose in fewer equal doses a day, where the product makes those exactly
    (never above the per-dose maximum)."""
    for times in range(dose.times_per_day - 1, 0, -1):
        per_dose = dose.dose_mg * dose.times_per_day / times
        if max_dose_mg is not None and per_dose > max_dose_mg + EPSILON:
            return None
        made = round_down(per_dose)
        if made is not None and not made[1] and abs(made[0] - per_dose) <= 1e-6:
            return replace(dose, dose_mg=per_dose, times_per_day=times)
    return None


def _number(plan: list[_Dose], start_date: date | None) -> list[PlannedStep]:
    steps = []
    day = 1
    for i, dose in enumerate(plan, start=1):
        first, last = day, day + dose.duration_days - 1
        steps.append(
            PlannedStep(
                step=i,
                day_start=first,
                day_end=last,
                dose_mg=_round(dose.dose_mg),
                times_per_day=dose.times_per_day,
                period_days=dose.period_days,
                daily_mg=_round(dose.daily_mg),
                volume_ml=None,
                start_date=start_date + timedelta(days=first - 1) if start_date else None,
                end_date=start_date + timedelta(days=last - 1) if start_date else None,
            )
        )
        day = last + 1
    return steps


def _check(steps: list[PlannedStep], regimen: RegimenSpec, limits: list[Limit]) -> None:
    for s in steps:
        if regimen.max_dose_mg is not None and s.dose_mg > regimen.max_dose_mg + EPSILON:
            raise LimitExceeded(
                f"Step {s.step} gives {_round(s.dose_mg):g} mg per dose, above the label's maximum "
                f"of {_round(regimen.max_dose_mg):g} mg per dose.",
                name="max_dose_mg",
                limit_mg=regimen.max_dose_mg,
                requested_mg=_round(s.dose_mg),
                citation=regimen.citation,
            )
        for limit in limits:
            if s.dosing_day_mg > limit.value_mg + EPSILON:
                raise LimitExceeded(
                    f"Step {s.step} gives {_round(s.dosing_day_mg):g} mg/day, above {limit.what} "
                    f"of {_round(limit.value_mg):g} mg/day.",
                    name=limit.name,
                    limit_mg=limit.value_mg,
                    requested_mg=_round(s.dosing_day_mg),
                    citation=limit.citation,
                )


def _with_units(
    steps: list[PlannedStep],
    plan: list[_Dose],
    product: ProductSpec | None,
    liquid: ProductSpec | None,
    request: PlanRequest,
    notes: list[PlanNote],
) -> list[PlannedStep]:
    if product is None:
        if request.strength_mg is not None:
            raise TitrationError("this regimen names no product, so strength_mg cannot be applied")
        return steps
    if request.allow_half_tablets and not product.scored and not product.is_liquid:
        notes.append(
            PlanNote(
                f"Half tablets not used: the label does not describe {product.name} as scored."
            )
        )
    if not product.strengths_mg and not product.is_liquid:
        notes.append(
            PlanNote(f"Units are not given: the data names no strengths of {product.name}.")
        )
        return steps
    strengths = () if product.is_liquid else _strengths(product, request)
    halves = request.allow_half_tablets and product.scored
    halved: list[int] = []
    out = []
    for step, dose in zip(steps, plan, strict=True):
        if step.dose_mg <= EPSILON:
            out.append(step)
            continue
        solution = product if product.is_liquid else (liquid if dose.liquid else None)
        if solution is not None and solution.concentration_mg_ml is not None:
            volume = _round(step.dose_mg / solution.concentration_mg_ml)
            out.append(replace(step, volume_ml=volume, units_per_dose=volume, unit="mL"))
            continue
        made = units.make_dose(step.dose_mg, strengths, product.form, halves=halves)
        if made is None and product.scored:
            made = units.make_dose(step.dose_mg, strengths, product.form, halves=True)
            if made is not None:
                halved.append(step.step)
        if made is None:  # _makeable rounded every dose, so this is a bug, not a user error
            raise TitrationError(f"step {step.step}: {step.dose_mg:g} mg cannot be made")
        count = sum(u.count for u in made)
        label = f"{product.form} ({made[0].strength_mg:g} mg)" if len(made) == 1 else product.form
        out.append(replace(step, units=made, units_per_dose=count, unit=label))
    if halved:
        notes.append(
            PlanNote(
                f"Half tablets in step(s) {', '.join(map(str, halved))}: the dose needs them, and "
                f"the label describes {product.name} as scored."
            )
        )
    if any(d.liquid for d in plan) and liquid is not None and not product.is_liquid:
        notes.append(
            PlanNote(
                f"Doses below the smallest tablet are given as {liquid.name} "
                f"({liquid.concentration_mg_ml:g} mg/mL)."
            )
        )
    return out


def _regroup(
    raw: list[_Dose],
    doses_per_day: int | None,
    why: str,
    citation: Citation | None,
    notes: list[PlanNote],
) -> list[_Dose]:
    """The same daily doses in the number of doses a day a kidney or liver band gives."""
    if doses_per_day is None or citation is None:
        return raw
    n = doses_per_day
    regrouped = [
        replace(d, dose_mg=d.daily_mg / n, times_per_day=n, period_days=1)
        if d.times_per_day != n
        else d
        for d in raw
    ]
    if regrouped != raw:
        notes.append(
            PlanNote(f"Doses given {n} time(s) a day, as the label advises {why}.", citation)
        )
    return regrouped


def plan(
    regimen: RegimenSpec,
    request: PlanRequest,
    product: ProductSpec | None = None,
    liquid: ProductSpec | None = None,
) -> Plan:
    """Turn a regimen and a request into a checked schedule, or raise naming the limit broken.

    `product` is the regimen's product; `liquid`, the drug's oral solution (if any), is used
    for taper doses smaller than the product's smallest unit.
    """
    notes: list[PlanNote] = []
    _weight(regimen, request.patient)
    crcl = creatinine_clearance(request.patient)
    band = _kidney_band(regimen, crcl, notes)
    liver = _liver_band(regimen, request.patient.child_pugh, notes)
    limits = _limits(regimen, request.patient, band, liver, notes)
    # An oral solution makes the small doses at the end of a taper; an up-titration keeps to the
    # regimen's own product.
    tapering = request.direction is Direction.down
    round_down = _rounder(product, liquid if tapering else None, request)
    if tapering:
        raw = _taper(regimen, request, band, round_down, notes)
    else:
        raw = _up(regimen, request, band, liver, limits, notes)
    if request.doses_per_day is None:  # a caller's doses a day win over a band's
        if liver is not None and regimen.hepatic is not None:
            why = f"in Child-Pugh class {liver.child_pugh}"
            raw = _regroup(raw, liver.doses_per_day, why, regimen.hepatic.citation, notes)
        if band is not None and regimen.kidney is not None:
            why = f"for creatinine clearance {_band_range(band)}"
            raw = _regroup(raw, band.doses_per_day, why, regimen.kidney.citation, notes)
    raw = _makeable(
        raw, product, round_down, notes, tapering=tapering, max_dose_mg=regimen.max_dose_mg
    )
    steps = _number(raw, request.start_date)
    _check(steps, regimen, limits)
    steps = _with_units(steps, raw, product, liquid, request, notes)
    notes.extend(PlanNote(n.text, n.citation) for n in regimen.notes)
    return Plan(
        direction=request.direction,
        steps=steps,
        max_daily_mg=_ceiling(limits).value_mg,
        max_dose_mg=regimen.max_dose_mg,
        crcl_ml_min=crcl,
        renal_band=band,
        warnings=notes,
        hepatic_band=liver,
        limits=limits,
    )
