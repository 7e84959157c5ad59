"""One step of a plan in words, as the calendar and FHIR renderers say it."""

from __future__ import annotations

from app import schemas


def frequency(step: schemas.StepPublic) -> str:
    if step.period_days == 1:
        return "daily"
    if step.period_days == 2:
        return "every other day"
    return f"every {step.period_days} days"


def dose_made_of(step: schemas.StepPublic) -> str:
    """'1 x 10 mg tablet + 1 x 5 mg tablet', '7.5 mL', or '' when the product gives no units."""
    if step.volume_ml is not None:
        return f"{step.volume_ml:g} mL"
    return " + ".join(f"{u.count:g} x {u.strength_mg:g} mg {u.form}" for u in step.units)


def units(step: schemas.StepPublic) -> str:
    made = dose_made_of(step)
    return f" ({made} per dose)" if made else ""


def step_text(drug_name: str, step: schemas.StepPublic) -> str:
    if step.daily_mg == 0:
        return f"Stop {drug_name} (from day {step.day_start})."
    return (
        f"{drug_name} {step.dose_mg:g} mg {step.times_per_day} time(s) {frequency(step)}"
        f"{units(step)} on days {step.day_start}-{step.day_end} ({step.daily_mg:g} mg/day)."
    )
