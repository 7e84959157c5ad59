"""A titration plan as an RFC 5545 calendar: one all-day event per dose change (icalendar)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from app import schemas
from app.render.text import step_text


def plan_calendar(plan: schemas.TitrationPublic, now: datetime | None = None) -> bytes:
    """Events stamped with the time of generation; each UID names the dose change itself
    (drug, regimen, step, start date), so re-importing an updated schedule replaces events."""
    drug, regimen, source = plan.drug, plan.regimen, plan.regimen.source
    calendar = Calendar()
    calendar.add("prodid", "-//druginfo//titration schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{drug.generic_name}: {regimen.name}")
    stamp = (now or datetime.now(UTC)).replace(microsecond=0)
    for step in plan.steps:
        if step.start_date is None or step.end_date is None:
            raise ValueError("an iCalendar schedule needs dated steps (give start_date)")
        event = Event()
        event.add(
            "uid", f"{drug.id}.{regimen.id}.{plan.direction}.{step.step}.{step.start_date}@druginfo"
        )
        event.add("dtstamp", stamp)
        event.add("dtstart", step.start_date)
        event.add("dtend", step.end_date + timedelta(days=1))
        event.add("summary", step_text(drug.generic_name, step))
        event.add(
            "description",
            f"Step {step.step} of {len(plan.steps)}. Source: {source.title}, {source.section} "
            f"({source.url}). Maximum {plan.max_daily_mg:g} mg/day. "
            "Information, not medical advice.",
        )
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body
