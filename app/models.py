"""SQLModel tables derived from the data files; written only by the seed step."""

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class CatalogMeta(SQLModel, table=True):
    __tablename__ = "catalog_meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str


class DrugRow(SQLModel, table=True):
    __tablename__ = "drug"

    id: str = Field(primary_key=True, max_length=80)
    generic_name: str = Field(index=True, max_length=200)
    drug_class: str = Field(index=True, max_length=200)
    rxcui: str | None = Field(default=None, index=True, max_length=10)
    document: str = Field(sa_column=Column(Text, nullable=False))


class DrugNameRow(SQLModel, table=True):
    __tablename__ = "drug_name"

    normalized: str = Field(primary_key=True, max_length=200)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)


class SourceRow(SQLModel, table=True):
    __tablename__ = "source"
    __table_args__ = (UniqueConstraint("drug_id", "source_key"),)

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    source_key: str = Field(max_length=80)
    title: str
    publisher: str
    url: str
    set_id: str | None = Field(default=None, index=True, max_length=36)
    version: str | None = None
    effective_date: str | None = None


class IndicationRow(SQLModel, table=True):
    __tablename__ = "indication"

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    condition: str = Field(index=True, max_length=200)
    condition_label: str
    labeled: bool = Field(index=True)
    status: str = Field(max_length=20)
    population: str | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    source_key: str
    section: str


class AdverseReactionRow(SQLModel, table=True):
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
    wording: str | None = Field(default=None, sa_column=Column(Text))
    source_key: str
    section: str


class PrecautionRow(SQLModel, table=True):
    __tablename__ = "precaution"

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    category: str = Field(index=True, max_length=32)
    title: str
    detail: str = Field(sa_column=Column(Text, nullable=False))
    plain_language: str | None = Field(default=None, sa_column=Column(Text))
    source_key: str
    section: str


class RegimenRow(SQLModel, table=True):
    __tablename__ = "regimen"
    __table_args__ = (UniqueConstraint("drug_id", "regimen_key"),)

    id: int | None = Field(default=None, primary_key=True)
    drug_id: str = Field(foreign_key="drug.id", index=True, max_length=80)
    regimen_key: str = Field(max_length=80)
    name: str
    indication: str = Field(index=True, max_length=200)
    max_daily_mg: float
    document: str = Field(sa_column=Column(Text, nullable=False))


class VocabularyRow(SQLModel, table=True):
    __tablename__ = "vocabulary_term"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True, max_length=16)
    normalized: str = Field(index=True, max_length=200)
    term: str = Field(index=True, max_length=200)
    broader: str = Field(default="[]", description="JSON list of broader preferred terms")
