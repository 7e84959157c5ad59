"""A titration plan as CSV: one row per step."""

from __future__ import annotations

import csv
import io

from app import schemas
from app.render import text

COLUMNS = (
    "step",
    "day_start",
    "day_end",
    "start_date",
    "end_date",
    "dose_mg",
    "times_per_day",
    "period_days",
    "daily_mg",
    "units_per_dose",
    "unit",
    "dose_made_of",
    "volume_ml",
)


def steps_csv(plan: schemas.TitrationPublic) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for step in plan.steps:
        row = {**step.model_dump(mode="json"), "dose_made_of": text.dose_made_of(step)}
        writer.writerow(["" if row.get(c) is None else row[c] for c in COLUMNS])
    return buffer.getvalue()
