"""Response models of the label routes (inside the usual {meta, results} envelope)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from app.labels.extract import ExtractedTable, Incidence
from app.schemas import Public


class LabelSummary(Public):
    set_id: str = Field(description="the label's set id (stable across versions)")
    version: int
    effective_date: date | None
    title: str = Field(description="brand (generic) - manufacturer, from the openfda block")
    brand_name: list[str]
    generic_name: list[str]
    substance_name: list[str]
    manufacturer_name: list[str]
    route: list[str]
    application_number: list[str]
    product_type: list[str]
    rxcui: list[str]
    unii: list[str]
    pharm_class_epc: list[str] = Field(description="established pharmacologic class")
    pharm_class_moa: list[str] = Field(description="mechanism of action")
    pharm_class_pe: list[str] = Field(description="physiologic effect")
    pharm_class_cs: list[str] = Field(description="chemical structure")
    is_synthetic: bool = Field(description="true for benchmark copies, never for a real label")


class LabelHit(LabelSummary):
    score: float | None = Field(
        description="relevance for `search` (higher is better); null without `search`"
    )
    snippet: str | None = Field(
        description="a short passage around the matched words, HTML-escaped, matches in <mark>"
    )


class VersionRef(Public):
    version: int
    id: str = Field(description="openFDA's id of this version")
    effective_date: date | None
    current: bool


class SectionPublic(Public):
    set_id: str
    version: int
    name: str = Field(description="the openFDA field name: boxed_warning, adverse_reactions...")
    text: str
    tables: list[str] = Field(description="the section's tables as HTML (the `*_table` field)")


class SectionRef(Public):
    name: str
    text: str
    tables: list[str]


class LabelPublic(LabelSummary):
    """One version of a label (the current one unless `version=` asks for another).

    `version` and `effective_date` are the version shown; the names, codes and classes are those
    of the current version (openFDA gives them per label, not per version).
    """

    current_version: int
    versions: list[VersionRef]
    sections: list[SectionRef]


class AdverseReactionTables(Public):
    set_id: str
    version: int
    effective_date: date | None
    title: str
    tables: list[ExtractedTable]


class ExtractedSource(Public):
    set_id: str
    version: int
    effective_date: date | None
    title: str
    section: Literal["adverse_reactions_table"] = "adverse_reactions_table"
    table: int = Field(description="index of the table in the section")
    caption: str | None


class ExtractedSideEffect(Public):
    """A side effect read from a label's table, not curated: for drugs without curated data."""

    curation: Literal["extracted"] = "extracted"
    effect: str = Field(description="the term as the table writes it")
    system_organ_class: str | None
    incidences: list[Incidence]
    footnotes: list[str]
    source: ExtractedSource
