"""SQLModel tables for imported openFDA labels, and their full-text index (FTS5 or tsvector).

Each text is stored once: a section's text and its tables' HTML (compressed) live in
`label_section`, keyed by the version's integer `doc_id`; the full-text index reads them through
the `label_document` view (SQLite, external content) or holds only lexemes (PostgreSQL
`tsvector` on `label_version`).
"""

from __future__ import annotations

import zlib
from datetime import date

import orjson
from sqlalchemy import DDL, JSON, Column, Index, LargeBinary, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel


class Label(SQLModel, table=True):
    """One label (a set id) as of its current version, with the openFDA block's fields."""

    __tablename__ = "label"

    set_id: str = Field(primary_key=True, max_length=64)
    version: int = Field(description="the current (highest imported) version")
    effective_date: date | None = None
    title: str = Field(max_length=500)
    brand_name: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    generic_name: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    substance_name: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    manufacturer_name: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    route: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    application_number: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    product_type: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rxcui: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    unii: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pharm_class_epc: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pharm_class_moa: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pharm_class_pe: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    pharm_class_cs: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    is_synthetic: bool = Field(default=False, description="a benchmark copy, not a real label")


class LabelVersion(SQLModel, table=True):
    """Every imported version of a label: the history behind `?version=`."""

    __tablename__ = "label_version"
    __table_args__ = (UniqueConstraint("set_id", "version"),)

    doc_id: int | None = Field(default=None, primary_key=True)
    set_id: str = Field(foreign_key="label.set_id", max_length=64)
    version: int
    id: str = Field(max_length=64, description="openFDA's id of this version (the SPL id)")
    effective_date: date | None = None


class LabelSection(SQLModel, table=True):
    """One section of one version: the openFDA field's text and its `*_table` HTML."""

    __tablename__ = "label_section"

    doc_id: int = Field(foreign_key="label_version.doc_id", primary_key=True)
    name: str = Field(primary_key=True, max_length=100, description="the openFDA field name")
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    tables_zlib: bytes | None = Field(
        default=None,
        sa_column=Column(LargeBinary),
        description="the `*_table` field's HTML tables: a JSON list, zlib-compressed",
    )

    @property
    def tables(self) -> list[str]:
        return decode_tables(self.tables_zlib)


def encode_tables(tables: list[str]) -> bytes | None:
    """Table HTML is not searched and compresses about tenfold: kept as zlib'd JSON."""
    return zlib.compress(orjson.dumps(tables), 1) if tables else None


def decode_tables(value: bytes | None) -> list[str]:
    return list(orjson.loads(zlib.decompress(value))) if value else []


class LabelKey(SQLModel, table=True):
    """Normalized look-up keys of a label's current version: names, RxCUIs, classes, UNIIs."""

    __tablename__ = "label_key"

    kind: str = Field(primary_key=True, max_length=16)
    value: str = Field(primary_key=True, max_length=300)
    set_id: str = Field(primary_key=True, foreign_key="label.set_id", max_length=64)


Index("ix_label_key_set_id", LabelKey.__table__.c.set_id)  # type: ignore[attr-defined]

# Subsections whose text openFDA also gives inside their parent section (pregnancy inside
# use_in_specific_populations or precautions, pharmacokinetics inside clinical_pharmacology...):
# in the corpus 95 to 100% of them are. They are stored, but indexed once, through the parent.
NESTED_SECTIONS = (
    "abuse",
    "animal_pharmacology_and_or_toxicology",
    "carcinogenesis_and_mutagenesis_and_impairment_of_fertility",
    "controlled_substance",
    "dependence",
    "drug_and_or_laboratory_test_interactions",
    "general_precautions",
    "geriatric_use",
    "labor_and_delivery",
    "laboratory_tests",
    "mechanism_of_action",
    "microbiology",
    "nonteratogenic_effects",
    "nursing_mothers",
    "pediatric_use",
    "pharmacodynamics",
    "pharmacogenomics",
    "pharmacokinetics",
    "pregnancy",
    "risks",
    "storage_and_handling",
    "teratogenic_effects",
)
_NESTED = ", ".join(f"'{name}'" for name in NESTED_SECTIONS)

# SQLite: an external-content FTS5 index over a view, so no text is stored twice. The view gives
# one document per label, its current version: the names, then the sections' text in name order.
# Only current versions are indexed; the importer takes the old one out before a newer one comes.
_SQLITE_DDL = [
    """
    CREATE VIEW IF NOT EXISTS label_document AS
    SELECT v.doc_id AS doc_id,
           l.title || ' ' || l.brand_name || ' ' || l.generic_name || ' '
               || l.substance_name || ' ' || l.manufacturer_name AS names,
           (SELECT group_concat(t.text, char(10)) FROM
              (SELECT s.text AS text FROM label_section s
                WHERE s.doc_id = v.doc_id AND s.name NOT IN (:nested) ORDER BY s.name) AS t)
           AS body
      FROM label l JOIN label_version v ON v.set_id = l.set_id AND v.version = l.version
    """.replace(":nested", _NESTED),  # nosec B608 - constant section names, not input
    """
    CREATE VIRTUAL TABLE IF NOT EXISTS label_fts USING fts5(
        names, body, content='label_document', content_rowid='doc_id',
        tokenize='porter unicode61 remove_diacritics 2', detail=full
    )
    """,
]
# PostgreSQL: lexemes only (names weighted A, sections B) in a GIN-indexed tsvector column.
_POSTGRES_DDL = [
    "ALTER TABLE label_version ADD COLUMN IF NOT EXISTS search tsvector",
    "CREATE INDEX IF NOT EXISTS ix_label_version_search ON label_version USING gin (search)",
]


def _ddl(statement: str, dialect: str) -> DDL:
    return DDL(statement).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]


for _statement in _SQLITE_DDL:
    event.listen(
        LabelSection.__table__,  # type: ignore[attr-defined]
        "after_create",
        _ddl(_statement, "sqlite"),
    )
for _statement in _POSTGRES_DDL:
    event.listen(
        LabelVersion.__table__,  # type: ignore[attr-defined]
        "after_create",
        _ddl(_statement, "postgresql"),
    )

for _statement in ("DROP TABLE IF EXISTS label_fts", "DROP VIEW IF EXISTS label_document"):
    event.listen(
        LabelSection.__table__,  # type: ignore[attr-defined]
        "before_drop",
        _ddl(_statement, "sqlite"),
    )
