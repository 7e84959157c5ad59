"""A titration plan as a FHIR R4 MedicationRequest, one Dosage per step (fhir.resources).

The medication is coded with its RxNorm ingredient (when the drug has an RxCUI); the label's
warnings and the kidney band's cap are notes; a taper's last Dosage says to stop after it, as
FHIR has no "0 mg" dose.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.medicationrequest import MedicationRequest

from app import schemas
from app.render.text import step_text

UCUM = "http://unitsofmeasure.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def _qty(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _dosage(
    plan: schemas.TitrationPublic, step: schemas.StepPublic, then_stop: bool
) -> dict[str, Any]:
    text = step_text(plan.drug.generic_name, step)
    if then_stop:
        text += f" Then stop (day {step.day_end + 1})."
    repeat: dict[str, Any] = {
        "frequency": step.times_per_day,
        "period": step.period_days,
        "periodUnit": "d",
    }
    if step.start_date is not None and step.end_date is not None:
        repeat["boundsPeriod"] = {
            "start": step.start_date.isoformat(),
            "end": step.end_date.isoformat(),
        }
    else:
        repeat["boundsDuration"] = _qty(step.day_end - step.day_start + 1, "d")
    dosage: dict[str, Any] = {
        "sequence": step.step,
        "text": text,
        "timing": {"repeat": repeat},
        "doseAndRate": [{"doseQuantity": _qty(step.dose_mg, "mg")}],
        "maxDosePerPeriod": {
            "numerator": _qty(plan.max_daily_mg, "mg"),
            "denominator": _qty(1, "d"),
        },
    }
    if plan.product is not None:
        dosage["route"] = {"text": plan.product.route}
    return dosage


def medication_request(plan: schemas.TitrationPublic) -> dict[str, Any]:
    """Build and validate the resource; return it as JSON-ready data."""
    doses = [s for s in plan.steps if s.daily_mg > 0]
    stops = len(doses) < len(plan.steps)
    dosages = [
        _dosage(plan, step, then_stop=stops and i == len(doses) - 1) for i, step in enumerate(doses)
    ]
    medication: dict[str, Any] = {"text": plan.drug.generic_name}
    if plan.drug.rxcui is not None:
        medication["coding"] = [
            {"system": RXNORM, "code": plan.drug.rxcui, "display": plan.drug.generic_name}
        ]
    source = plan.regimen.source
    notes = [
        {
            "text": f"Regimen '{plan.regimen.name}' from {source.title} ({source.url}), "
            f"section {source.section}. Information, not medical advice."
        }
    ]
    if plan.renal_band is not None and plan.renal_band.max_daily_mg is not None:
        notes.append(
            {
                "text": f"Kidney function: at most {plan.renal_band.max_daily_mg:g} mg/day for "
                f"creatinine clearance {plan.crcl_ml_min:g} mL/min "
                f"({plan.renal_band.source.section})."
            }
        )
    notes += [{"text": w.text} for w in plan.warnings]
    resource = {
        "resourceType": "MedicationRequest",
        "status": "draft",
        "intent": "proposal",
        "medicationCodeableConcept": medication,
        "subject": {"display": "Patient (not identified)"},
        "reasonCode": [{"text": plan.regimen.indication}],
        "note": notes,
        "dosageInstruction": dosages,
    }
    validated = MedicationRequest.model_validate(resource)
    out: dict[str, Any] = validated.model_dump(mode="json", exclude_none=True)
    return out
