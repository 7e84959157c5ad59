"""The data-file format: one JSON document per drug, validated before anything is written."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.domain.frequency import FrequencyBand, band_for_incidence

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Section = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Pct = Annotated[float, Field(ge=0, le=100)]
PositiveMg = Annotated[float, Field(gt=0, le=100_000)]
Evidence = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=600),
    Field(
        description="verbatim quote from the cited section or table that contains the fact's "
        "wording or numbers; for a table row its cells as text; '...' joins verbatim parts"
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Cited(Strict):
    """A statement that names the source it came from and the section of that source."""

    source: Slug = Field(description="id of an entry in the drug's `sources`")
    section: Section = Field(description='section of the source, e.g. "6 ADVERSE REACTIONS"')
    evidence: Evidence | None = None


class Sourced(Cited):
    """A fact of the label: cited, with the verbatim quote that carries it."""

    evidence: Evidence


class SourceKind(StrEnum):
    fda_label = "fda_label"
    label_copy = "label_copy"
    literature = "literature"
    guideline = "guideline"
    secondary = "secondary"


class Source(Strict):
    id: Slug
    kind: SourceKind = Field(
        description="fda_label: an FDA label record (openFDA, DailyMed SPL, FDA); label_copy: a "
        "third party's copy of a label; literature; guideline; secondary (summaries, web pages)"
    )
    title: Name
    publisher: Name
    url: Annotated[str, StringConstraints(pattern=r"^https://", max_length=500)]
    set_id: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="DailyMed SPL set id, for FDA labels",
    )
    version: str | None = Field(default=None, max_length=40, description="SPL version number")
    effective_date: date | None = Field(default=None, description="label revision/effective date")

    @model_validator(mode="after")
    def _dated(self) -> Self:
        if self.version is None and self.effective_date is None:
            raise ValueError("a source needs a version or an effective_date")
        return self


class Product(Sourced):
    id: Slug
    name: Name
    form: Name = Field(description='dosage form, e.g. "tablet", "oral solution"')
    route: Name
    strengths_mg: list[PositiveMg] = Field(
        default_factory=list, description="strengths of one unit (tablet, capsule) in mg"
    )
    concentration_mg_ml: PositiveMg | None = Field(
        default=None, description="for liquids: mg per mL"
    )
    scored: bool = False
    brand_names: list[Name] = Field(default_factory=list)
    release: Name = Field(default="immediate", description="immediate, extended, delayed ...")


class IndicationStatus(StrEnum):
    indicated = "indicated"
    off_label = "off_label"
    not_indicated = "not_indicated"
    unsupported = "unsupported"


class Indication(Sourced):
    condition: Name = Field(description="a term of data/vocabulary/conditions.json")
    labeled: bool
    status: IndicationStatus = Field(
        description="indicated (in the label); off_label (practised, not in the label); "
        "not_indicated (the label says not indicated / not recommended); unsupported "
        "(claimed elsewhere, supported neither by the label nor by the cited evidence)"
    )
    population: Name | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.labeled != (self.status is IndicationStatus.indicated):
            raise ValueError("labeled must be true exactly when status is 'indicated'")
        if not self.labeled and self.note is None:
            raise ValueError("an indication that is not labeled needs a note")
        return self


class AdverseReaction(Sourced):
    effect: Name = Field(description="the label's term; must be in data/vocabulary/effects.json")
    incidence_low_pct: Pct | None = None
    incidence_high_pct: Pct | None = None
    placebo_pct: Pct | None = None
    serious: bool = False
    system_organ_class: Name | None = None
    population: Name | None = None
    wording: Text | None = Field(default=None, description="the label's own words")

    @model_validator(mode="after")
    def _range(self) -> Self:
        low, high = self.incidence_low_pct, self.incidence_high_pct
        if (low is None) != (high is None):
            raise ValueError("give both incidence bounds (equal for a single figure) or neither")
        if low is not None and high is not None and low > high:
            raise ValueError("incidence_low_pct must not exceed incidence_high_pct")
        return self

    @property
    def frequency_band(self) -> FrequencyBand:
        return band_for_incidence(self.incidence_high_pct)


class PrecautionCategory(StrEnum):
    boxed_warning = "boxed_warning"
    contraindication = "contraindication"
    warning = "warning"
    interaction = "interaction"
    renal = "renal"
    hepatic = "hepatic"
    pregnancy = "pregnancy"
    lactation = "lactation"
    pediatric = "pediatric"
    geriatric = "geriatric"
    administration = "administration"


class Precaution(Sourced):
    category: PrecautionCategory
    title: Name
    detail: Text
    plain_language: Text | None = None


class DoseStep(Strict):
    dose_mg: PositiveMg = Field(description="dose per administration")
    times_per_day: int = Field(ge=1, le=12)
    period_days: int = Field(default=1, ge=1, le=28, description="1 = daily, 2 = every other day")
    duration_days: int = Field(ge=1, le=3650)

    @property
    def daily_mg(self) -> float:
        return self.dose_mg * self.times_per_day / self.period_days


class IncrementRule(Strict):
    """How the label continues after its fixed steps: increments until the target range."""

    increment_daily_mg: PositiveMg
    interval_days: int = Field(ge=1, le=365)
    times_per_day: int = Field(ge=1, le=12)
    target_min_daily_mg: PositiveMg
    target_max_daily_mg: PositiveMg

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.target_min_daily_mg > self.target_max_daily_mg:
            raise ValueError("target_min_daily_mg must not exceed target_max_daily_mg")
        return self


class BandStart(Strict):
    """What a kidney or liver band changes at the start: the first dose, the step, the interval."""

    start_daily_mg: PositiveMg | None = Field(
        default=None, description="the band's own starting dose (replaces the label's first steps)"
    )
    step_daily_mg: PositiveMg | None = Field(default=None, description="the band's own increment")
    interval_days: int | None = Field(
        default=None, ge=1, le=365, description="the band's own interval"
    )


class RenalBand(BandStart):
    crcl_min_ml_min: float = Field(ge=0, description="inclusive lower bound")
    crcl_max_ml_min: float | None = Field(
        default=None, gt=0, description="upper bound (exclusive unless crcl_max_inclusive)"
    )
    crcl_max_inclusive: bool = Field(
        default=False, description="true when the label's row includes its upper bound"
    )
    min_daily_mg: PositiveMg | None = None
    max_daily_mg: PositiveMg | None = None
    proportional_to_ml_min: float | None = Field(
        default=None,
        gt=0,
        description="the label reduces the dose in proportion to clearance in this band: its "
        "min/max/start are for this clearance and scale by CrCl / this value",
    )
    doses_per_day: int | None = Field(default=None, ge=1, le=12)
    not_recommended: bool = False
    note: Text | None = None

    @model_validator(mode="after")
    def _band(self) -> Self:
        if self.crcl_max_ml_min is not None and self.crcl_max_ml_min <= self.crcl_min_ml_min:
            raise ValueError("crcl_max_ml_min must exceed crcl_min_ml_min")
        if not self.not_recommended and self.max_daily_mg is None:
            raise ValueError("a band needs max_daily_mg unless it is not_recommended")
        lo, hi = self.min_daily_mg, self.max_daily_mg
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("min_daily_mg must not exceed max_daily_mg")
        return self


class Renal(Sourced):
    bands: list[RenalBand] = Field(min_length=1)
    note: Text | None = None

    @model_validator(mode="after")
    def _contiguous(self) -> Self:
        bands = sorted(self.bands, key=lambda b: b.crcl_min_ml_min)
        for lower, upper in zip(bands, bands[1:], strict=False):
            if lower.crcl_max_ml_min is None or lower.crcl_max_ml_min > upper.crcl_min_ml_min:
                raise ValueError(f"kidney bands overlap at {upper.crcl_min_ml_min} mL/min")
            if lower.crcl_max_ml_min < upper.crcl_min_ml_min:
                raise ValueError(
                    f"kidney bands leave a gap between {lower.crcl_max_ml_min} and "
                    f"{upper.crcl_min_ml_min} mL/min"
                )
        if bands[-1].crcl_max_ml_min is not None:
            raise ValueError("the highest kidney band must have no upper bound (null)")
        return self


class ChildPugh(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class HepaticBand(BandStart):
    child_pugh: ChildPugh = Field(description="Child-Pugh class: A mild, B moderate, C severe")
    max_daily_mg: PositiveMg | None = None
    doses_per_day: int | None = Field(
        default=None, ge=1, le=12, description='e.g. 2 for "50 mg every 12 hours"'
    )
    not_recommended: bool = False
    note: Text | None = None

    @model_validator(mode="after")
    def _band(self) -> Self:
        if not self.not_recommended and self.max_daily_mg is None and self.start_daily_mg is None:
            raise ValueError("a liver band needs max_daily_mg, start_daily_mg or not_recommended")
        return self


class Hepatic(Sourced):
    """Liver-function dosing by Child-Pugh class; a class the label does not name is unchanged."""

    bands: list[HepaticBand] = Field(min_length=1)
    note: Text | None = None

    @model_validator(mode="after")
    def _unique(self) -> Self:
        _unique([b.child_pugh.value for b in self.bands], "hepatic bands")
        return self


class PerKg(Strict):
    """Weight-based dosing in mg per kg of body weight per day."""

    start_mg_kg_day: PositiveMg
    step_mg_kg_day: PositiveMg | None = None
    interval_days: int | None = Field(default=None, ge=1, le=365)
    target_mg_kg_day: PositiveMg | None = None
    max_mg_kg_day: PositiveMg
    times_per_day: int = Field(ge=1, le=12)

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.start_mg_kg_day > self.max_mg_kg_day:
            raise ValueError("start_mg_kg_day exceeds max_mg_kg_day")
        if self.target_mg_kg_day is not None and self.target_mg_kg_day > self.max_mg_kg_day:
            raise ValueError("target_mg_kg_day exceeds max_mg_kg_day")
        if (self.step_mg_kg_day is None) != (self.interval_days is None):
            raise ValueError("give step_mg_kg_day and interval_days together")
        return self


class DoseLimit(Sourced):
    """A maximum that applies to part of the population: a weight or an age band."""

    max_daily_mg: PositiveMg
    weight_min_kg: float | None = Field(default=None, ge=0, description="inclusive")
    weight_max_kg: float | None = Field(default=None, gt=0, description="exclusive")
    age_min_years: float | None = Field(default=None, ge=0, description="inclusive")
    age_max_years: float | None = Field(default=None, gt=0, description="exclusive")
    note: Text | None = None

    @model_validator(mode="after")
    def _banded(self) -> Self:
        bounds = (self.weight_min_kg, self.weight_max_kg, self.age_min_years, self.age_max_years)
        if all(b is None for b in bounds):
            raise ValueError("a dose limit needs a weight or an age bound")
        return self


class Taper(Sourced):
    labeled: bool = Field(
        description="false when the label gives no schedule and this is a default"
    )
    step_daily_mg: PositiveMg | None = Field(default=None, description="reduce by this much")
    step_fraction: float | None = Field(
        default=None, gt=0, le=1, description="or reduce by this fraction of the current dose"
    )
    interval_days: int = Field(ge=1, le=365)
    min_duration_days: int | None = Field(default=None, ge=1, le=3650)
    note: Text

    @model_validator(mode="after")
    def _one_step(self) -> Self:
        if (self.step_daily_mg is None) == (self.step_fraction is None):
            raise ValueError("give exactly one of step_daily_mg or step_fraction")
        return self


class RegimenWarning(Sourced):
    text: Text


class Regimen(Sourced):
    id: Slug
    name: Name
    indication: Name = Field(description="a term of data/vocabulary/conditions.json")
    population: Name
    product: Slug | None = Field(default=None, description="id of the product it is written for")
    steps: list[DoseStep] = Field(default_factory=list)
    rule: IncrementRule | None = None
    target_daily_mg: PositiveMg | None = Field(
        default=None, description="the label's usual target; default for a schedule"
    )
    max_dose_mg: PositiveMg | None = Field(default=None, description="per administration")
    max_daily_mg: PositiveMg | None = Field(
        default=None,
        description="the label's maximum daily dose (on a dosing day, for every-other-day or "
        "weekly steps); required unless per_kg gives the maximum (then: the label's absolute "
        "cap, if it states one)",
    )
    per_kg: PerKg | None = Field(default=None, description="weight-based dosing (mg/kg/day)")
    limits: list[DoseLimit] = Field(
        default_factory=list, description="maxima for part of the population (weight, age)"
    )
    renal: Renal | None = None
    hepatic: Hepatic | None = None
    taper: Taper | None = None
    warnings: list[RegimenWarning] = Field(default_factory=list)
    note: Text | None = None

    @model_validator(mode="after")
    def _schedule(self) -> Self:
        if not self.steps and self.rule is None and self.per_kg is None:
            raise ValueError("a regimen needs steps, a rule, or per_kg dosing")
        if self.steps:
            start = self.steps[0].daily_mg
        elif self.rule is not None:
            start = self.rule.target_min_daily_mg
        else:
            start = 0.0
        if self.max_daily_mg is None:
            if self.per_kg is None:
                raise ValueError("a regimen needs max_daily_mg (or per_kg with max_mg_kg_day)")
            return self
        if self.max_daily_mg < start:
            raise ValueError("max_daily_mg is below the starting daily dose")
        for i, step in enumerate(self.steps):
            if step.dose_mg * step.times_per_day > self.max_daily_mg + 1e-9:
                raise ValueError(f"steps[{i}] exceeds max_daily_mg")
            if self.max_dose_mg is not None and step.dose_mg > self.max_dose_mg + 1e-9:
                raise ValueError(f"steps[{i}] exceeds max_dose_mg")
        if self.target_daily_mg is not None and self.target_daily_mg > self.max_daily_mg:
            raise ValueError("target_daily_mg exceeds max_daily_mg")
        if self.rule is not None and self.rule.target_max_daily_mg > self.max_daily_mg:
            raise ValueError("rule.target_max_daily_mg exceeds max_daily_mg")
        return self


class ClaimStatus(StrEnum):
    labeled = "labeled"
    off_label = "off_label"
    contradicted_by_label = "contradicted_by_label"
    not_in_label = "not_in_label"
    partly_supported = "partly_supported"


class Claim(Cited):
    """A claim made about the drug elsewhere (e.g. a consumer article), checked against sources."""

    claim: Text
    claimed_in: Name
    status: ClaimStatus
    finding: Text


class Drug(Strict):
    id: Slug
    generic_name: Name
    brand_names: list[Name] = Field(default_factory=list)
    synonyms: list[Name] = Field(default_factory=list)
    drug_class: Name = Field(description="FDA established pharmacologic class (EPC)")
    rxcui: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,10}$")] | None = None
    atc_codes: list[Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{2}[A-Z]{2}[0-9]{2}$")]]
    routes: list[Name] = Field(min_length=1)
    products: list[Product] = Field(min_length=1)
    sources: list[Source] = Field(min_length=1)
    indications: list[Indication] = Field(min_length=1)
    adverse_reactions: list[AdverseReaction] = Field(default_factory=list)
    precautions: list[Precaution] = Field(default_factory=list)
    regimens: list[Regimen] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    is_synthetic: bool = Field(default=False, description="test data, never seeded by default")

    @model_validator(mode="after")
    def _references(self) -> Self:
        source_ids = [s.id for s in self.sources]
        _unique(source_ids, "sources")
        _unique([p.id for p in self.products], "products")
        _unique([r.id for r in self.regimens], "regimens")
        known = set(source_ids)
        product_ids = {p.id for p in self.products}
        for path, fact in self.facts():
            if fact.source not in known:
                raise ValueError(f"{path}: source '{fact.source}' is not in sources")
        for i, regimen in enumerate(self.regimens):
            if regimen.product is not None and regimen.product not in product_ids:
                raise ValueError(f"regimens[{i}]: product '{regimen.product}' is not in products")
        if not any(ind.labeled for ind in self.indications):
            raise ValueError("a drug needs at least one labeled indication")
        return self

    def facts(self) -> list[tuple[str, Cited]]:
        """Every sourced fact in the document, with its JSON path."""
        found: list[tuple[str, Cited]] = []
        groups: list[tuple[str, list[Cited]]] = [
            ("products", list(self.products)),
            ("indications", list(self.indications)),
            ("adverse_reactions", list(self.adverse_reactions)),
            ("precautions", list(self.precautions)),
            ("regimens", list(self.regimens)),
            ("claims", list(self.claims)),
        ]
        for name, items in groups:
            found.extend((f"{name}[{i}]", item) for i, item in enumerate(items))
        for i, regimen in enumerate(self.regimens):
            if regimen.renal is not None:
                found.append((f"regimens[{i}].renal", regimen.renal))
            if regimen.hepatic is not None:
                found.append((f"regimens[{i}].hepatic", regimen.hepatic))
            found.extend(
                (f"regimens[{i}].limits[{j}]", limit) for j, limit in enumerate(regimen.limits)
            )
            if regimen.taper is not None:
                found.append((f"regimens[{i}].taper", regimen.taper))
            found.extend(
                (f"regimens[{i}].warnings[{j}]", w) for j, w in enumerate(regimen.warnings)
            )
        return found

    def names(self) -> list[str]:
        """Every name the drug answers to: id, generic name, brand names, synonyms."""
        return [self.id, self.generic_name, *self.brand_names, *self.synonyms]


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate id '{value}' in {what}")
        seen.add(value)


class VocabularyTerm(Strict):
    term: Name
    synonyms: list[Name] = Field(default_factory=list)
    broader: list[Name] = Field(
        default_factory=list,
        description="preferred terms this one is a kind of; a search for them finds it too",
    )


class VocabularyKind(StrEnum):
    """The two controlled vocabularies: what `condition=` and `effect=` accept."""

    conditions = "conditions"
    effects = "effects"


class Vocabulary(Strict):
    kind: VocabularyKind
    terms: list[VocabularyTerm]
