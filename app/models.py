"""SQLModel tables derived from the data files: written by the seed step, read by the read model.

Each fact is one row; a nested list of plain values (a product's strengths, a drug's ATC codes)
is a JSON column of that row. Children point at their drug (and regimen) by natural keys, so the
seed writes every table in one pass and the read model reads each table with one query.
"""

from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _json() -> Any:
    return Field(default_factory=list, sa_type=JSON, nullable=False)


class CatalogMeta(SQLModel, table=True):
    __tablename__ = "catalog_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class FactColumns(SQLModel):
    """Where a fact comes from: its source, the section and the verbatim quote."""

    source_key: str = Field(max_length=80)
    section: str
    evidence: str | None = Field(default=None, sa_type=Text)


class RegimenChild(SQLModel):
    """A row that belongs to one regimen, named by its drug and regimen key."""

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    regimen_key: str = Field(max_length=80)


class DrugRow(SQLModel, table=True):
    __tablename__ = "drug"

    id: str = Field(primary_key=True, max_length=80)
    generic_name: str = Field(index=True, max_length=200)
    drug_class: str = Field(index=True, max_length=200)
    rxcui: str | None = Field(default=None, index=True, max_length=10)
    atc_codes: list[str] = _json()
    routes: list[str] = _json()


class DrugNameRow(SQLModel, table=True):
    __tablename__ = "drug_name"

    id: int | None = Field(default=None, primary_key=True)
    normalized: str = Field(index=True, max_length=200)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    position: int = 0
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)


class SourceRow(SQLModel, table=True):
    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("drug_id", "source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    source_key: str = Field(max_length=80)
    kind: str = Field(index=True, max_length=16)
    title: str
    publisher: str
    url: str
    set_id: str | None = Field(default=None, index=True, max_length=36)
    version: str | None = None
    effective_date: str | None = None


class ProductRow(FactColumns, table=True):
    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("drug_id", "product_key"),)

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    product_key: str = Field(max_length=80)
    name: str
    form: str
    route: str
    strengths_mg: list[float] = _json()
    concentration_mg_ml: float | None = None
    scored: bool = False
    brand_names: list[str] = _json()
    release: str


class IndicationRow(FactColumns, table=True):
    __tablename__ = "indication"

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    condition: str = Field(index=True, max_length=200)
    condition_label: str
    labeled: bool = Field(index=True)
    status: str = Field(max_length=20)
    population: str | None = None
    note: str | None = Field(default=None, sa_type=Text)


class AdverseReactionRow(FactColumns, table=True):
    __tablename__ = "adverse_reaction"

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    effect: str = Field(index=True, max_length=200)
    effect_label: str
    incidence_low_pct: float | None = None
    incidence_high_pct: float | None = None
    placebo_pct: float | None = None
    frequency_band: str = Field(index=True, max_length=16)
    serious: bool = Field(index=True)
    system_organ_class: str | None = None
    population: str | None = None
    wording: str | None = Field(default=None, sa_type=Text)


class PrecautionRow(FactColumns, table=True):
    __tablename__ = "precaution"

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    category: str = Field(index=True, max_length=32)
    title: str
    detail: str = Field(sa_type=Text, nullable=False)
    plain_language: str | None = Field(default=None, sa_type=Text)


class RegimenRow(FactColumns, table=True):
    """A regimen with its increment rule (columns `rule_*`, all null when it has none)."""

    __tablename__ = "regimen"
    __table_args__ = (UniqueConstraint("drug_id", "regimen_key"),)

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    regimen_key: str = Field(max_length=80)
    position: int
    name: str
    indication: str = Field(index=True, max_length=200)
    indication_label: str
    population: str
    product_key: str | None = Field(default=None, max_length=80)
    target_daily_mg: float | None = None
    max_dose_mg: float | None = None
    max_daily_mg: float | None = None
    note: str | None = Field(default=None, sa_type=Text)
    rule_increment_daily_mg: float | None = None
    rule_interval_days: int | None = None
    rule_times_per_day: int | None = None
    rule_target_min_daily_mg: float | None = None
    rule_target_max_daily_mg: float | None = None
    per_kg_start_mg_kg_day: float | None = None
    per_kg_step_mg_kg_day: float | None = None
    per_kg_interval_days: int | None = None
    per_kg_target_mg_kg_day: float | None = None
    per_kg_max_mg_kg_day: float | None = None
    per_kg_times_per_day: int | None = None


class RegimenStepRow(RegimenChild, table=True):
    __tablename__ = "regimen_step"

    position: int
    dose_mg: float
    times_per_day: int
    period_days: int
    duration_days: int


class BandColumns(RegimenChild):
    """What a kidney or liver band holds besides its range: limits, frequency, its own start."""

    position: int
    max_daily_mg: float | None = None
    doses_per_day: int | None = None
    not_recommended: bool = False
    note: str | None = Field(default=None, sa_type=Text)
    start_daily_mg: float | None = None
    step_daily_mg: float | None = None
    interval_days: int | None = None


class KidneyDosingRow(RegimenChild, FactColumns, table=True):
    """A regimen's creatinine-clearance dosing: its citation and note; the bands are rows below."""

    __tablename__ = "kidney_dosing"
    __table_args__ = (UniqueConstraint("drug_id", "regimen_key"),)

    note: str | None = Field(default=None, sa_type=Text)


class KidneyBandRow(BandColumns, table=True):
    __tablename__ = "kidney_band"

    crcl_min_ml_min: float
    crcl_max_ml_min: float | None = None
    crcl_max_inclusive: bool = False
    min_daily_mg: float | None = None
    proportional_to_ml_min: float | None = None


class HepaticDosingRow(RegimenChild, FactColumns, table=True):
    """A regimen's Child-Pugh dosing: its citation and note; the bands are rows below."""

    __tablename__ = "hepatic_dosing"
    __table_args__ = (UniqueConstraint("drug_id", "regimen_key"),)

    note: str | None = Field(default=None, sa_type=Text)


class HepaticBandRow(BandColumns, table=True):
    __tablename__ = "hepatic_band"

    child_pugh: str = Field(max_length=1)


class DoseLimitRow(RegimenChild, FactColumns, table=True):
    """A maximum for part of a regimen's population (a weight or an age band)."""

    __tablename__ = "dose_limit"

    position: int
    max_daily_mg: float
    weight_min_kg: float | None = None
    weight_max_kg: float | None = None
    age_min_years: float | None = None
    age_max_years: float | None = None
    note: str | None = Field(default=None, sa_type=Text)


class TaperRow(RegimenChild, FactColumns, table=True):
    __tablename__ = "taper"
    __table_args__ = (UniqueConstraint("drug_id", "regimen_key"),)

    labeled: bool
    step_daily_mg: float | None = None
    step_fraction: float | None = None
    interval_days: int
    min_duration_days: int | None = None
    note: str = Field(sa_type=Text, nullable=False)


class RegimenWarningRow(RegimenChild, FactColumns, table=True):
    __tablename__ = "regimen_warning"

    position: int
    text: str = Field(sa_type=Text, nullable=False)


class ClaimRow(FactColumns, table=True):
    __tablename__ = "claim"

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    claim: str = Field(sa_type=Text, nullable=False)
    claimed_in: str
    status: str = Field(max_length=32)
    finding: str = Field(sa_type=Text, nullable=False)


class VocabularyRow(SQLModel, table=True):
    __tablename__ = "vocabulary_term"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=16)
    normalized: str = Field(index=True, max_length=200)
    term: str = Field(index=True, max_length=200)
    broader: list[str] = _json()
