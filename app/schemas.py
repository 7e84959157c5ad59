"""Response models: what the API returns, in openFDA's {meta, results} envelope."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.catalog.models import ClaimStatus, IndicationStatus, PrecautionCategory, SourceKind
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


class SourcePublic(Public):
    id: str
    kind: SourceKind = Field(
        description="fda_label (an FDA label record), label_copy (a third party's copy of a "
        "label), literature, guideline or secondary"
    )
    title: str
    publisher: str
    url: str
    set_id: str | None
    version: str | None
    effective_date: date | None


class SourceRef(Public):
    id: str
    kind: SourceKind
    title: str
    publisher: str
    url: str
    set_id: str | None
    version: str | None
    effective_date: date | None
    section: str = Field(description="the section of the source this fact comes from")

    @classmethod
    def of(cls, source: SourcePublic, section: str) -> SourceRef:
        """The source as a fact cites it: the source and the section."""
        return cls(**source.model_dump(), section=section)


class FactPublic(Public):
    """What every fact carries: the verbatim quote and the source it comes from."""

    evidence: str | None = Field(
        description="verbatim quote from the cited section or table ('...' joins parts)"
    )
    source: SourceRef


class DrugRef(Public):
    id: str
    generic_name: str
    rxcui: str | None = Field(default=None, description="RxNorm ingredient RXCUI")


class DrugSummary(Public):
    id: str
    generic_name: str
    brand_names: list[str]
    drug_class: str
    rxcui: str | None


class IndicationPublic(FactPublic):
    drug: DrugRef
    condition: str = Field(description="preferred term from the conditions vocabulary")
    condition_label: str = Field(description="the term as written in the source")
    labeled: bool
    status: IndicationStatus
    population: str | None
    note: str | None


class Curation(StrEnum):
    curated = "curated"
    extracted = "extracted"


class ArmPublic(Public):
    arm: str = Field(description="the table's arm: a drug and dose, or placebo")
    n: int | None = Field(description="patients in the arm, from the header's N=")
    text: str = Field(description="the cell as printed")
    percent: float | None


class SideEffectPublic(FactPublic):
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
    curation: Curation = Field(
        default=Curation.curated,
        description="curated (reviewed against the label by a curator) or extracted (read by "
        "the importer from an imported label's adverse-reaction table, for drugs not curated)",
    )
    arms: list[ArmPublic] | None = Field(
        default=None, description="for extracted rows: every arm of the table row"
    )


class PrecautionPublic(FactPublic):
    drug: DrugRef
    category: PrecautionCategory
    title: str
    detail: str
    plain_language: str | None


class ProductPublic(FactPublic):
    id: str
    name: str
    form: str
    route: str
    strengths_mg: list[float]
    concentration_mg_ml: float | None
    scored: bool
    brand_names: list[str]
    release: str


class DoseStepPublic(Public):
    dose_mg: float = Field(description="per administration")
    times_per_day: int
    period_days: int = Field(description="1 = daily, 2 = every other day")
    duration_days: int


class IncrementRulePublic(Public):
    increment_daily_mg: float
    interval_days: int
    times_per_day: int
    target_min_daily_mg: float
    target_max_daily_mg: float


class BandStartPublic(Public):
    start_daily_mg: float | None = Field(description="the band's own starting dose")
    step_daily_mg: float | None = Field(description="the band's own increment")
    interval_days: int | None = Field(description="the band's own interval")


class KidneyBandPublic(BandStartPublic):
    crcl_min_ml_min: float = Field(description="inclusive lower bound")
    crcl_max_ml_min: float | None = Field(description="upper bound; null = none")
    crcl_max_inclusive: bool = Field(description="true when the upper bound is included")
    min_daily_mg: float | None
    max_daily_mg: float | None
    proportional_to_ml_min: float | None = Field(
        description="doses scale by CrCl / this value within the band (the label's proportional "
        "reduction)"
    )
    doses_per_day: int | None
    not_recommended: bool
    note: str | None


class HepaticBandPublic(BandStartPublic):
    child_pugh: str = Field(description="Child-Pugh class A, B or C")
    max_daily_mg: float | None
    doses_per_day: int | None
    not_recommended: bool
    note: str | None


class HepaticDosingPublic(FactPublic):
    bands: list[HepaticBandPublic]
    note: str | None


class PerKgPublic(Public):
    start_mg_kg_day: float
    step_mg_kg_day: float | None
    interval_days: int | None
    target_mg_kg_day: float | None
    max_mg_kg_day: float
    times_per_day: int


class DoseLimitPublic(FactPublic):
    max_daily_mg: float
    weight_min_kg: float | None = Field(description="inclusive")
    weight_max_kg: float | None = Field(description="exclusive")
    age_min_years: float | None = Field(description="inclusive")
    age_max_years: float | None = Field(description="exclusive")
    note: str | None


class KidneyDosingPublic(FactPublic):
    bands: list[KidneyBandPublic]
    note: str | None


class TaperPublic(FactPublic):
    labeled: bool = Field(
        description="false when the label gives no schedule and this is a default"
    )
    step_daily_mg: float | None
    step_fraction: float | None
    interval_days: int
    min_duration_days: int | None
    note: str


class RegimenWarningPublic(FactPublic):
    text: str


class RegimenPublic(FactPublic):
    id: str
    name: str
    indication: str = Field(description="preferred term from the conditions vocabulary")
    population: str
    product: str | None = Field(description="id of the product it is written for")
    steps: list[DoseStepPublic]
    rule: IncrementRulePublic | None
    target_daily_mg: float | None = Field(description="the label's usual target")
    max_dose_mg: float | None = Field(description="per administration")
    max_daily_mg: float | None = Field(
        description="the label's maximum daily dose; null when per_kg gives the maximum"
    )
    per_kg: PerKgPublic | None = Field(description="weight-based dosing (mg/kg/day)")
    limits: list[DoseLimitPublic] = Field(description="maxima for part of the population")
    renal: KidneyDosingPublic | None
    hepatic: HepaticDosingPublic | None
    taper: TaperPublic | None
    warnings: list[RegimenWarningPublic]
    note: str | None


class ClaimPublic(FactPublic):
    claim: str
    claimed_in: str
    status: ClaimStatus
    finding: str


class DrugPublic(Public):
    id: str
    generic_name: str
    brand_names: list[str]
    synonyms: list[str]
    drug_class: str
    rxcui: str | None
    atc_codes: list[str]
    routes: list[str]
    products: list[ProductPublic]
    sources: list[SourcePublic]
    indications: list[IndicationPublic]
    adverse_reactions: list[SideEffectPublic]
    precautions: list[PrecautionPublic]
    regimens: list[RegimenPublic]
    claims: list[ClaimPublic]
    label_set_ids: list[str] = Field(
        default_factory=list,
        description="set ids of this drug's imported openFDA labels (see GET /labels/{set_id})",
    )


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
    route: str
    strengths_mg: list[float]
    scored: bool


class UnitPublic(Public):
    strength_mg: float = Field(description="strength of one tablet or capsule")
    count: float = Field(description="how many per dose; 0.5 = half a scored tablet")
    form: str


class StepPublic(Public):
    step: int = Field(ge=1)
    day_start: int = Field(ge=1)
    day_end: int = Field(ge=1)
    dose_mg: float = Field(ge=0, description="per administration")
    times_per_day: int = Field(ge=1)
    period_days: int = Field(ge=1, description="1 = daily, 2 = every other day")
    daily_mg: float = Field(ge=0, description="average per day; 0 = stop")
    units: list[UnitPublic] = Field(
        description="what makes one dose: the fewest tablets or capsules of the product's "
        "strengths (their strength x count adds up to dose_mg)"
    )
    volume_ml: float | None = Field(description="for an oral solution: mL per dose")
    units_per_dose: float | None = Field(description="tablets (or mL) per administration")
    unit: str | None
    start_date: date | None
    end_date: date | None


class WarningPublic(Public):
    text: str
    source: SourceRef | None = Field(description="null for the engine's own notes")


class RenalBandPublic(KidneyBandPublic):
    source: SourceRef


class LimitPublic(Public):
    name: str = Field(description="max_daily_mg, max_mg_kg_day, renal_max_daily_mg, ...")
    value_mg: float = Field(description="mg/day")
    what: str
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
    hepatic_band: HepaticBandPublic | None = Field(
        description="the Child-Pugh band applied, when patient.child_pugh is given"
    )
    limits: list[LimitPublic] = Field(
        description="every daily maximum that applied to this plan, the lowest is max_daily_mg"
    )
    warnings: list[WarningPublic]
