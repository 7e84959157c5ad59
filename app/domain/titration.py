"""The titration engine: a regimen (and a caller's plan) in, a checked schedule of steps out.

Pure functions over plain values: no HTTP, no database. Every limit that refuses a plan names
the fact (and so the source) it comes from; nothing is clipped silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from app.domain import kidney
from app.domain.regimen import Citation, KidneyBand, ProductSpec, RegimenSpec

EPSILON = 1e-9


class Direction(StrEnum):
    up = "up"
    down = "down"


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
    patient: Patient = field(default_factory=Patient)

    @property
    def is_custom(self) -> bool:
        return any(
            v is not None for v in (self.start_daily_mg, self.step_daily_mg, self.interval_days)
        )


@dataclass(frozen=True)
class Plan:
    direction: Direction
    steps: list[PlannedStep]
    max_daily_mg: float
    max_dose_mg: float | None
    crcl_ml_min: float | None
    renal_band: KidneyBand | None
    warnings: list[PlanNote]


class TitrationError(Exception):
    """The request cannot be planned as asked (bad combination of values)."""

    def __init__(self, message: str, citation: Citation | None = None) -> None:
        super().__init__(message)
        self.citation = citation


class LimitExceeded(TitrationError):
    """A step would exceed a labeled maximum."""

    def __init__(
        self, message: str, *, name: str, limit_mg: float, requested_mg: float, citation: Citation
    ) -> None:
        super().__init__(message, citation)
        self.name = name
        self.limit_mg = limit_mg
        self.requested_mg = requested_mg


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
    if any(v is not None for v in values):
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
                f"The label's schedule for this regimen ends at {_round(reached)} mg/day and names "
                f"no further increments; to go to {_round(target)} mg/day, POST a custom plan "
                "with step_daily_mg and interval_days.",
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


def _up_custom(
    regimen: RegimenSpec, request: PlanRequest, target: float
) -> list[tuple[float, int, int, int]]:
    first = regimen.steps[0] if regimen.steps else None
    start = request.start_daily_mg
    if start is None:
        start = first.daily_mg if first is not None else regimen.increment.target_min_daily_mg  # type: ignore[union-attr]
    step = request.step_daily_mg
    if step is None:
        if regimen.increment is not None:
            step = regimen.increment.increment_daily_mg
        elif len(regimen.steps) > 1:
            step = regimen.steps[1].daily_mg - regimen.steps[0].daily_mg
        else:
            raise TitrationError("give step_daily_mg: the label names no increment")
    interval = request.interval_days
    if interval is None:
        if regimen.increment is not None:
            interval = regimen.increment.interval_days
        elif first is not None:
            interval = first.duration_days
        else:
            raise TitrationError("give interval_days: the label names no interval")
    doses = request.doses_per_day or (first.times_per_day if first is not None else 1)
    if step <= 0:
        raise TitrationError("step_daily_mg must be positive for an up-titration")
    if start > target + EPSILON:
        raise TitrationError(
            f"start_daily_mg ({_round(start)}) is above target_daily_mg ({_round(target)}); "
            "use direction 'down' to taper."
        )
    plan = [(start / doses, doses, 1, interval)]
    daily = start
    while daily < target - EPSILON:
        daily = min(daily + step, target)
        plan.append((daily / doses, doses, 1, interval))
    return plan


def _taper(
    regimen: RegimenSpec, request: PlanRequest, band: KidneyBand | None
) -> tuple[list[tuple[float, int, int, int]], list[PlanNote]]:
    current = request.current_daily_mg
    if current is None:
        raise TitrationError("a taper needs current_daily_mg")
    taper = regimen.taper
    warnings: list[PlanNote] = []
    if request.step_daily_mg is not None:
        step = request.step_daily_mg
    elif taper is not None and taper.step_daily_mg is not None:
        step = taper.step_daily_mg
    elif taper is not None and taper.step_fraction is not None:
        step = current * taper.step_fraction
    else:
        raise TitrationError(
            "The label gives no taper for this regimen; give step_daily_mg and interval_days.",
            regimen.citation,
        )
    if step <= 0:
        raise TitrationError("step_daily_mg must be positive for a taper")
    interval = request.interval_days or (taper.interval_days if taper is not None else None)
    if interval is None:
        raise TitrationError("give interval_days: the label names no taper interval")
    doses = request.doses_per_day or (band.doses_per_day if band and band.doses_per_day else None)
    if doses is None:
        doses = regimen.steps[0].times_per_day if regimen.steps else 1
    levels = []
    daily = current
    while daily > EPSILON:
        levels.append(daily)
        daily = max(daily - step, 0.0)
    if taper is not None and taper.min_duration_days and request.interval_days is None:
        needed = math.ceil(taper.min_duration_days / len(levels))
        if needed > interval:
            interval = needed
            warnings.append(
                PlanNote(
                    f"Intervals lengthened to {interval} days so the taper lasts at least "
                    f"{taper.min_duration_days} days, as the label asks.",
                    taper.citation,
                )
            )
    plan = [(level / doses, doses, 1, interval) for level in levels]
    plan.append((0.0, doses, 1, 1))
    if taper is not None:
        warnings.append(PlanNote(taper.note, taper.citation))
    return plan, warnings


def _check(
    steps: list[PlannedStep],
    regimen: RegimenSpec,
    band: KidneyBand | None,
    renal_fact: Citation | None,
) -> None:
    for s in steps:
        if regimen.max_dose_mg is not None and s.dose_mg > regimen.max_dose_mg + EPSILON:
            raise LimitExceeded(
                f"Step {s.step} gives {_round(s.dose_mg)} mg per dose, above the label's maximum "
                f"of {_round(regimen.max_dose_mg)} mg per dose.",
                name="max_dose_mg",
                limit_mg=regimen.max_dose_mg,
                requested_mg=_round(s.dose_mg),
                citation=regimen.citation,
            )
        if s.dosing_day_mg > regimen.max_daily_mg + EPSILON:
            raise LimitExceeded(
                f"Step {s.step} gives {_round(s.dosing_day_mg)} mg/day, above the label's maximum "
                f"of {_round(regimen.max_daily_mg)} mg/day.",
                name="max_daily_mg",
                limit_mg=regimen.max_daily_mg,
                requested_mg=_round(s.dosing_day_mg),
                citation=regimen.citation,
            )
        if (
            band is not None
            and band.max_daily_mg is not None
            and renal_fact is not None
            and s.dosing_day_mg > band.max_daily_mg + EPSILON
        ):
            raise LimitExceeded(
                f"Step {s.step} gives {_round(s.dosing_day_mg)} mg/day, above the label's maximum "
                f"of {_round(band.max_daily_mg)} mg/day for creatinine clearance "
                f"{_band_range(band)}.",
                name="renal_max_daily_mg",
                limit_mg=band.max_daily_mg,
                requested_mg=_round(s.dosing_day_mg),
                citation=renal_fact,
            )


def _band_range(band: KidneyBand) -> str:
    if band.crcl_max_ml_min is None:
        return f">= {band.crcl_min_ml_min:g} mL/min"
    return f"{band.crcl_min_ml_min:g} to < {band.crcl_max_ml_min:g} mL/min"


def units_for(dose_mg: float, strength_mg: float, *, halves: bool) -> float | None:
    """How many units of `strength_mg` make `dose_mg`: whole units, or halves when allowed."""
    if dose_mg <= EPSILON:
        return 0.0
    units = dose_mg / strength_mg
    granularity = 2 if halves else 1
    scaled = units * granularity
    if abs(scaled - round(scaled)) <= 1e-6:
        return round(scaled) / granularity
    return None


def _choose_units(
    steps: list[PlannedStep], product: ProductSpec | None, request: PlanRequest
) -> tuple[list[PlannedStep], list[PlanNote]]:
    warnings: list[PlanNote] = []
    if product is None:
        if request.strength_mg is not None:
            raise TitrationError("this regimen names no product, so strength_mg cannot be applied")
        return steps, warnings
    if product.concentration_mg_ml is not None and not product.strengths_mg:
        return [
            replace(s, units_per_dose=_round(s.dose_mg / product.concentration_mg_ml), unit="mL")
            for s in steps
        ], warnings
    halves = request.allow_half_tablets and product.scored
    if request.allow_half_tablets and not product.scored:
        warnings.append(
            PlanNote(
                f"Half tablets not used: the label does not describe {product.name} as scored."
            )
        )
    strengths = (
        [request.strength_mg] if request.strength_mg is not None else sorted(product.strengths_mg)
    )
    if request.strength_mg is not None and request.strength_mg not in product.strengths_mg:
        known = ", ".join(f"{s:g}" for s in product.strengths_mg)
        raise TitrationError(
            f"{product.name} comes in {known} mg; {request.strength_mg:g} mg is not a strength."
        )
    unit = product.form
    # Prefer the largest strength that makes every dose; else say which doses cannot be made.
    for strength in sorted(strengths, reverse=True):
        units = [units_for(s.dose_mg, strength, halves=halves) for s in steps]
        if all(u is not None for u in units):
            return [
                replace(s, units_per_dose=u, unit=f"{unit} ({strength:g} mg)")
                for s, u in zip(steps, units, strict=True)
            ], warnings
    if request.strength_mg is not None:
        bad = next(
            s for s in steps if units_for(s.dose_mg, request.strength_mg, halves=halves) is None
        )
        raise TitrationError(
            f"Step {bad.step} needs {_round(bad.dose_mg)} mg per dose, which cannot be made from "
            f"{request.strength_mg:g} mg {unit}s"
            + (" (halves allowed)." if halves else "; allow_half_tablets may help if scored.")
        )
    warnings.append(
        PlanNote(f"No single strength of {product.name} makes every dose; units are not given.")
    )
    return steps, warnings


def _number(plan: list[tuple[float, int, int, int]], start_date: date | None) -> list[PlannedStep]:
    steps = []
    day = 1
    for i, (dose, tpd, period, days) in enumerate(plan, start=1):
        first, last = day, day + days - 1
        steps.append(
            PlannedStep(
                step=i,
                day_start=first,
                day_end=last,
                dose_mg=_round(dose),
                times_per_day=tpd,
                period_days=period,
                daily_mg=_round(dose * tpd / period),
                start_date=start_date + timedelta(days=first - 1) if start_date else None,
                end_date=start_date + timedelta(days=last - 1) if start_date else None,
            )
        )
        day = last + 1
    return steps


def plan(regimen: RegimenSpec, request: PlanRequest, product: ProductSpec | None = None) -> Plan:
    """Turn a regimen and a request into a checked schedule, or raise naming the limit broken."""
    crcl = creatinine_clearance(request.patient)
    renal = regimen.kidney
    band = kidney.band_for(crcl, renal.bands) if (crcl is not None and renal is not None) else None
    renal_citation = renal.citation if renal is not None else None
    warnings: list[PlanNote] = []
    if crcl is not None and renal is not None and band is None:
        raise TitrationError(
            f"The label gives no dosing for creatinine clearance {crcl:g} mL/min "
            f"(its bands start at {min(b.crcl_min_ml_min for b in renal.bands):g} mL/min).",
            renal.citation,
        )
    if band is not None and renal_citation is not None and band.not_recommended:
        raise LimitExceeded(
            f"The label does not recommend this regimen at creatinine clearance {crcl:g} mL/min"
            + (f": {band.note}" if band.note else "."),
            name="renal_not_recommended",
            limit_mg=0.0,
            requested_mg=0.0,
            citation=renal_citation,
        )
    if crcl is not None and renal is None:
        warnings.append(
            PlanNote(
                "The label gives no creatinine-clearance bands for this regimen; "
                "see its renal precautions."
            )
        )

    if request.direction is Direction.down:
        raw, taper_warnings = _taper(regimen, request, band)
        warnings.extend(taper_warnings)
    else:
        explicit = request.target_daily_mg is not None
        target = (
            request.target_daily_mg
            if request.target_daily_mg is not None
            else _default_target(regimen)
        )
        lowered = False
        if band is not None and band.max_daily_mg is not None and target > band.max_daily_mg:
            if not explicit:
                warnings.append(
                    PlanNote(
                        f"Target lowered from {_round(target)} to {_round(band.max_daily_mg)} "
                        f"mg/day: the label's maximum for creatinine clearance "
                        f"{_band_range(band)}.",
                        renal_citation,
                    )
                )
                target = band.max_daily_mg
                lowered = True
        if (
            not explicit
            and band is not None
            and band.max_daily_mg is not None
            and any(s.daily_mg > band.max_daily_mg + EPSILON for s in regimen.steps)
        ):
            # The label's steps themselves climb past the band's maximum: stop there.
            if not lowered:
                warnings.append(
                    PlanNote(
                        f"Schedule stopped at {_round(band.max_daily_mg)} mg/day: the label's "
                        f"maximum for creatinine clearance {_band_range(band)}.",
                        renal_citation,
                    )
                )
            target = min(target, band.max_daily_mg)
            lowered = True
        if explicit and target > regimen.max_daily_mg + EPSILON:
            raise LimitExceeded(
                f"target_daily_mg {_round(target)} is above the label's maximum of "
                f"{_round(regimen.max_daily_mg)} mg/day.",
                name="max_daily_mg",
                limit_mg=regimen.max_daily_mg,
                requested_mg=_round(target),
                citation=regimen.citation,
            )
        raw = (
            _up_custom(regimen, request, target)
            if request.is_custom or request.doses_per_day is not None
            else _up_label(regimen, target, explicit or lowered, explicit)
        )
    if band is not None and band.doses_per_day is not None and request.doses_per_day is None:
        reshaped = [
            (dose * tpd / period / band.doses_per_day, band.doses_per_day, 1, days)
            if dose > 0
            else (0.0, band.doses_per_day, 1, days)
            for dose, tpd, period, days in raw
        ]
        if reshaped != raw:
            warnings.append(
                PlanNote(
                    f"Doses given {band.doses_per_day} time(s) a day, as the label advises for "
                    f"creatinine clearance {_band_range(band)}.",
                    renal_citation,
                )
            )
        raw = reshaped
    steps = _number(raw, request.start_date)
    _check(steps, regimen, band, renal_citation)
    steps, unit_warnings = _choose_units(steps, product, request)
    warnings.extend(unit_warnings)
    warnings.extend(PlanNote(n.text, n.citation) for n in regimen.notes)
    return Plan(
        direction=request.direction,
        steps=steps,
        max_daily_mg=min(regimen.max_daily_mg, band.max_daily_mg)
        if band is not None and band.max_daily_mg is not None
        else regimen.max_daily_mg,
        max_dose_mg=regimen.max_dose_mg,
        crcl_ml_min=crcl,
        renal_band=band,
        warnings=warnings,
    )
