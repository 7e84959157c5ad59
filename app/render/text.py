"""One step of a plan in words, as the calendar and FHIR renderers say it."""

from __future__ import annotations

from app import schemas


def frequency(step: schemas.StepPublic) -> str:
    if step.period_days == 1:
        return "daily"
    if step.period_days == 2:
        return "every other day"
    return f"every {step.period_days} days"


def units(step: schemas.StepPublic) -> str:
    """'2 x 10 mg tablet' (or '7.5 mL'), or '' when the product's units are not given."""
    if step.units_per_dose is None or step.unit is None:
        return ""
    return f" ({step.units_per_dose:g} {step.unit} per dose)"


def step_text(drug_name: str, step: schemas.StepPublic) -> str:
    if step.daily_mg == 0:
        return f"Stop {drug_name} (from day {step.day_start})."
    return (
        f"{drug_name} {step.dose_mg:g} mg {step.times_per_day} time(s) {frequency(step)}"
        f"{units(step)} on days {step.day_start}-{step.day_end} ({step.daily_mg:g} mg/day)."
    )
