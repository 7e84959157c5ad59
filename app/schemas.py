"""Response models: what the API returns, in openFDA's {meta, results} envelope."""

from __future__ import annotations

from datetime import date
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.catalog.models import (
    Claim,
    IndicationStatus,
    PrecautionCategory,
    Product,
    Regimen,
    Source,
)
from app.domain.frequency import FrequencyBand

T = TypeVar("T")


class Public(BaseModel):
    model_config = ConfigDict(frozen=True)


class ResultsInfo(Public):
    total: int = Field(ge=0, description="number of results matching the query")
    limit: int = Field(ge=0)
    offset: int = Field(ge=0)


class Meta(Public):
    disclaimer: str = Field(description="information, not medical advice")
    license: str
    last_updated: date | None = Field(description="effective date of the newest cited label")
    data_version: str = Field(description="hash of the data files the answer was built from")
    results: ResultsInfo | None = None


class Page(Public, Generic[T]):
    meta: Meta
    results: list[T]


class One(Public, Generic[T]):
    meta: Meta
    results: T


class SourceRef(Public):
    id: str
    title: str
    publisher: str
    url: str
    set_id: str | None
    version: str | None
    effective_date: date | None
    section: str = Field(description="the section of the source this fact comes from")


class DrugRef(Public):
    id: str
    generic_name: str


class DrugSummary(Public):
    id: str
    generic_name: str
    brand_names: list[str]
    drug_class: str
    rxcui: str | None


class IndicationPublic(Public):
    drug: DrugRef
    condition: str = Field(description="preferred term from the conditions vocabulary")
    condition_label: str = Field(description="the term as written in the source")
    labeled: bool
    status: IndicationStatus
    population: str | None
    note: str | None
    source: SourceRef


class SideEffectPublic(Public):
    drug: DrugRef
    effect: str = Field(description="preferred term from the effects vocabulary")
    effect_label: str = Field(description="the label's own term")
    incidence_low_pct: float | None
    incidence_high_pct: float | None
    placebo_pct: float | None
    frequency_band: FrequencyBand = Field(
        description="CIOMS band of incidence_high_pct: very_common >= 10 %, common 1 to < 10 %, "
        "uncommon 0.1 to < 1 %, rare 0.01 to < 0.1 %, very_rare < 0.01 %, unknown = no figure"
    )
    serious: bool
    system_organ_class: str | None
    population: str | None
    wording: str | None
    source: SourceRef


class PrecautionPublic(Public):
    drug: DrugRef
    category: PrecautionCategory
    title: str
    detail: str
    plain_language: str | None
    source: SourceRef


class DrugPublic(Public):
    id: str
    generic_name: str
    brand_names: list[str]
    synonyms: list[str]
    drug_class: str
    rxcui: str | None
    atc_codes: list[str]
    routes: list[str]
    products: list[Product]
    sources: list[Source]
    indications: list[IndicationPublic]
    adverse_reactions: list[SideEffectPublic]
    precautions: list[PrecautionPublic]
    regimens: list[Regimen]
    claims: list[Claim]


class TermPublic(Public):
    term: str = Field(description="the preferred term")
    names: list[str] = Field(description="every name it answers to, normalized (lower case)")
    broader: list[str] = Field(description="preferred terms this one is a kind of")
    narrower: list[str] = Field(description="preferred terms that are a kind of this one")
    drugs: int = Field(ge=0, description="drugs with an indication or reaction of this term")


class HealthMeta(Public):
    disclaimer: str


class Health(Public):
    model_config = ConfigDict(
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "meta": {"disclaimer": "For information only, not medical advice. ..."},
                    "status": "ok",
                    "drugs": 45,
                    "data_version": "3cbb6facd4244b9c",
                    "last_updated": "2026-01-28",
                }
            ]
        },
    )

    meta: HealthMeta
    status: str
    drugs: int
    data_version: str
    last_updated: date | None


class RegimenRef(Public):
    id: str
    name: str
    indication: str
    population: str
    source: SourceRef


class ProductRef(Public):
    id: str
    name: str
    form: str
    strengths_mg: list[float]
    scored: bool


class StepPublic(Public):
    step: int = Field(ge=1)
    day_start: int = Field(ge=1)
    day_end: int = Field(ge=1)
    dose_mg: float = Field(ge=0, description="per administration")
    times_per_day: int = Field(ge=1)
    period_days: int = Field(ge=1, description="1 = daily, 2 = every other day")
    daily_mg: float = Field(ge=0, description="average per day; 0 = stop")
    units_per_dose: float | None = Field(description="tablets (or mL) per administration")
    unit: str | None
    start_date: date | None
    end_date: date | None


class WarningPublic(Public):
    text: str
    source: SourceRef | None = Field(description="null for the engine's own notes")


class RenalBandPublic(Public):
    crcl_min_ml_min: float
    crcl_max_ml_min: float | None
    min_daily_mg: float | None
    max_daily_mg: float | None
    doses_per_day: int | None
    not_recommended: bool
    note: str | None
    source: SourceRef


class TitrationPublic(Public):
    drug: DrugRef
    regimen: RegimenRef
    product: ProductRef | None
    direction: str = Field(description="up or down")
    steps: list[StepPublic]
    max_daily_mg: float = Field(description="the lower of the label's and the kidney band's")
    max_dose_mg: float | None
    crcl_ml_min: float | None = Field(description="given, or computed by Cockcroft-Gault")
    renal_band: RenalBandPublic | None
    warnings: list[WarningPublic]
