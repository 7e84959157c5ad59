"""A titration plan as an RFC 5545 calendar: one all-day event per dose change (icalendar)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from app.render.fhir import _step_text


def plan_calendar(plan: dict[str, Any], data_version: str) -> bytes:
    drug = plan["drug"]
    regimen = plan["regimen"]
    calendar = Calendar()
    calendar.add("prodid", "-//druginfo//titration schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{drug['generic_name']}: {regimen['name']}")
    stamp = datetime(2000, 1, 1, tzinfo=UTC)
    for step in plan["steps"]:
        start = date.fromisoformat(step["start_date"])
        end = date.fromisoformat(step["end_date"])
        event = Event()
        event.add(
            "uid", f"{drug['id']}-{regimen['id']}-{step['step']}-{start}-{data_version}@druginfo"
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", end + timedelta(days=1))
        event.add("summary", _step_text(drug["generic_name"], step))
        event.add(
            "description",
            f"Step {step['step']} of {len(plan['steps'])}. Source: {regimen['source']['title']}, "
            f"{regimen['source']['section']} ({regimen['source']['url']}). "
            f"Maximum {plan['max_daily_mg']:g} mg/day. Information, not medical advice.",
        )
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body
