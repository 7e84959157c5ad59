"""The domain's own view of a label regimen: plain frozen values, mapped in at the boundary.

Nothing here knows the data files, the database or HTTP. A `Citation` names the source and
section a limit comes from, so a refusal can say where its number is written.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Citation:
    source: str
    section: str


@dataclass(frozen=True)
class ProductSpec:
    id: str
    name: str
    form: str
    strengths_mg: tuple[float, ...] = ()
    concentration_mg_ml: float | None = None
    scored: bool = False


@dataclass(frozen=True)
class ScheduleStep:
    """One fixed step of the label's escalation."""

    dose_mg: float
    times_per_day: int
    period_days: int
    duration_days: int

    @property
    def daily_mg(self) -> float:
        return self.dose_mg * self.times_per_day / self.period_days


@dataclass(frozen=True)
class Increment:
    """How the label continues after its fixed steps: raise by a daily amount every interval."""

    increment_daily_mg: float
    interval_days: int
    times_per_day: int
    target_min_daily_mg: float
    target_max_daily_mg: float


@dataclass(frozen=True)
class KidneyBand:
    crcl_min_ml_min: float
    crcl_max_ml_min: float | None
    min_daily_mg: float | None = None
    max_daily_mg: float | None = None
    doses_per_day: int | None = None
    not_recommended: bool = False
    note: str | None = None


@dataclass(frozen=True)
class KidneyDosing:
    bands: tuple[KidneyBand, ...]
    citation: Citation


@dataclass(frozen=True)
class TaperSpec:
    labeled: bool
    interval_days: int
    note: str
    citation: Citation
    step_daily_mg: float | None = None
    step_fraction: float | None = None
    min_duration_days: int | None = None


@dataclass(frozen=True)
class RegimenNote:
    text: str
    citation: Citation


@dataclass(frozen=True)
class RegimenSpec:
    id: str
    name: str
    indication: str
    population: str
    citation: Citation
    max_daily_mg: float
    product_id: str | None = None
    steps: tuple[ScheduleStep, ...] = ()
    increment: Increment | None = None
    target_daily_mg: float | None = None
    max_dose_mg: float | None = None
    kidney: KidneyDosing | None = None
    taper: TaperSpec | None = None
    notes: tuple[RegimenNote, ...] = ()
