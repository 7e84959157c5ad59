"""A titration plan as a FHIR R4 MedicationRequest, one Dosage per step (fhir.resources)."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.medicationrequest import MedicationRequest

UCUM = "http://unitsofmeasure.org"


def _qty(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _step_text(drug_name: str, step: dict[str, Any]) -> str:
    if step["daily_mg"] == 0:
        return f"Stop {drug_name} (day {step['day_start']})."
    every = (
        "every other day"
        if step["period_days"] == 2
        else ("daily" if step["period_days"] == 1 else f"every {step['period_days']} days")
    )
    return (
        f"{drug_name} {step['dose_mg']:g} mg {step['times_per_day']} time(s) {every} "
        f"on days {step['day_start']}-{step['day_end']} ({step['daily_mg']:g} mg/day)."
    )


def medication_request(plan: dict[str, Any]) -> dict[str, Any]:
    """Build and validate the resource; return it as JSON-ready data."""
    drug = plan["drug"]
    regimen = plan["regimen"]
    max_daily = plan["max_daily_mg"]
    dosages = []
    for step in plan["steps"]:
        days = step["day_end"] - step["day_start"] + 1
        dosage: dict[str, Any] = {
            "sequence": step["step"],
            "text": _step_text(drug["generic_name"], step),
            "timing": {
                "repeat": {
                    "boundsDuration": _qty(days, "d"),
                    "frequency": step["times_per_day"],
                    "period": step["period_days"],
                    "periodUnit": "d",
                }
            },
            "doseAndRate": [{"doseQuantity": _qty(step["dose_mg"], "mg")}],
            "maxDosePerPeriod": {"numerator": _qty(max_daily, "mg"), "denominator": _qty(1, "d")},
        }
        if step.get("start_date"):
            dosage["timing"]["repeat"].pop("boundsDuration")
            dosage["timing"]["repeat"]["boundsPeriod"] = {
                "start": step["start_date"],
                "end": step["end_date"],
            }
        dosages.append(dosage)
    source = regimen["source"]
    resource = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "medicationCodeableConcept": {"text": drug["generic_name"]},
        "subject": {"display": "Patient (not identified)"},
        "reasonCode": [{"text": regimen["indication"]}],
        "note": [
            {
                "text": f"Regimen '{regimen['name']}' from {source['title']} "
                f"({source['url']}), section {source['section']}. "
                "Information, not medical advice."
            }
        ],
        "dosageInstruction": dosages,
    }
    validated = MedicationRequest.model_validate(resource)
    out: dict[str, Any] = validated.model_dump(mode="json", exclude_none=True)
    return out
