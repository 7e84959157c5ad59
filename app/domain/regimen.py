"""The domain's own view of a label regimen: plain frozen values, mapped in at the boundary.

Nothing here knows the data files, the database or HTTP. A `Citation` names the source and
section a limit comes from, so a refusal can say where its number is written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Citation:
    source: str
    section: str
    evidence: str | None = None  # the label's words, quoted where a warning cites them


@dataclass(frozen=True)
class ProductSpec:
    id: str
    name: str
    form: str
    strengths_mg: tuple[float, ...] = ()
    concentration_mg_ml: float | None = None
    scored: bool = False

    @property
    def is_liquid(self) -> bool:
        return self.concentration_mg_ml is not None and not self.strengths_mg


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
    crcl_max_inclusive: bool = False
    proportional_to_ml_min: float | None = None
    start_daily_mg: float | None = None
    step_daily_mg: float | None = None
    interval_days: int | None = None

    def holds(self, crcl_ml_min: float) -> bool:
        upper = self.crcl_max_ml_min
        if crcl_ml_min < self.crcl_min_ml_min:
            return False
        if upper is None or crcl_ml_min < upper:
            return True
        return self.crcl_max_inclusive and crcl_ml_min == upper

    def at(self, crcl_ml_min: float) -> KidneyBand:
        """The band as it applies at this clearance: proportional bands scale their doses."""
        if self.proportional_to_ml_min is None:
            return self
        factor = min(crcl_ml_min / self.proportional_to_ml_min, 1.0)

        def scaled(mg: float | None) -> float | None:
            return None if mg is None else round(mg * factor, 4)

        return replace(
            self,
            min_daily_mg=scaled(self.min_daily_mg),
            max_daily_mg=scaled(self.max_daily_mg),
            start_daily_mg=scaled(self.start_daily_mg),
            step_daily_mg=scaled(self.step_daily_mg),
        )


@dataclass(frozen=True)
class KidneyDosing:
    bands: tuple[KidneyBand, ...]
    citation: Citation


@dataclass(frozen=True)
class HepaticBand:
    child_pugh: str  # "A", "B" or "C"
    max_daily_mg: float | None = None
    doses_per_day: int | None = None
    not_recommended: bool = False
    note: str | None = None
    start_daily_mg: float | None = None
    step_daily_mg: float | None = None
    interval_days: int | None = None


@dataclass(frozen=True)
class HepaticDosing:
    bands: tuple[HepaticBand, ...]
    citation: Citation


@dataclass(frozen=True)
class PerKg:
    start_mg_kg_day: float
    max_mg_kg_day: float
    times_per_day: int
    step_mg_kg_day: float | None = None
    interval_days: int | None = None
    target_mg_kg_day: float | None = None


@dataclass(frozen=True)
class DoseLimit:
    """A maximum for part of the population: bounds are [min, max), None = open."""

    max_daily_mg: float
    citation: Citation
    weight_min_kg: float | None = None
    weight_max_kg: float | None = None
    age_min_years: float | None = None
    age_max_years: float | None = None
    note: str | None = None


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
    max_daily_mg: float | None  # None only when per_kg gives the maximum
    product_id: str | None = None
    steps: tuple[ScheduleStep, ...] = ()
    increment: Increment | None = None
    target_daily_mg: float | None = None
    max_dose_mg: float | None = None
    kidney: KidneyDosing | None = None
    hepatic: HepaticDosing | None = None
    per_kg: PerKg | None = None
    limits: tuple[DoseLimit, ...] = ()
    taper: TaperSpec | None = None
    notes: tuple[RegimenNote, ...] = ()
