"""Output formats of a titration plan, chosen by `format=` or the Accept header."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import orjson

from app import schemas
from app.render import calendar, chart, fhir, tabular


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
_BY_MEDIA = {media.split(";")[0]: fmt for fmt, media in MEDIA.items()}


def negotiate(accept: str, given: Format | None) -> Format:
    """`format=` wins; else the first Accept media type we serve; else JSON."""
    if given is not None:
        return given
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in _BY_MEDIA:
            return _BY_MEDIA[media]
    return Format.json


def render(plan: schemas.TitrationPublic, fmt: Format, meta: dict[str, Any]) -> bytes:
    """The plan's body in one format (JSON carries `meta`; the others are the format's own)."""
    if fmt is Format.json:
        return orjson.dumps({"meta": meta, "results": plan.model_dump(mode="json")})
    if fmt is Format.fhir:
        return orjson.dumps(fhir.medication_request(plan))
    if fmt is Format.csv:
        return tabular.steps_csv(plan).encode()
    if fmt is Format.ics:
        return calendar.plan_calendar(plan)
    return chart.step_chart(plan).encode()


def attachment_headers(name: str, fmt: Format) -> tuple[tuple[str, str], ...]:
    if fmt in (Format.csv, Format.ics):
        return (("Content-Disposition", f'attachment; filename="{name}.{fmt.value}"'),)
    return ()
