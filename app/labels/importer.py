"""Stream openFDA label JSON (bulk zips, API responses, bare records) into the label tables.

One transaction per file: a malformed file or record rolls that file back and is reported with
the file, the record index and the field; the other files go on. Importing the same records
again changes nothing; a newer `version` of a set id becomes current, older ones stay as history.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

import ijson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from app import errors
from app.labels import tables
from app.labels.tables import Label, LabelKey, LabelSection, LabelVersion

METADATA_FIELDS = frozenset({"set_id", "id", "version", "effective_time", "openfda"})
TABLE_SUFFIX = "_table"
_CLASS_SUFFIX = re.compile(r"\s*\[[A-Za-z]+\]\s*$")
_SPACE = re.compile(r"\s+")

Progress = Callable[[str, int], None]
"""Called after each record with the file's name and the number of records read from it."""


class OpenFdaBlock(BaseModel):
    """The fields of a label's `openfda` block that druginfo keeps (others are ignored)."""

    model_config = ConfigDict(extra="ignore")

    brand_name: list[str] = []
    generic_name: list[str] = []
    substance_name: list[str] = []
    manufacturer_name: list[str] = []
    route: list[str] = []
    application_number: list[str] = []
    product_type: list[str] = []
    rxcui: list[str] = []
    unii: list[str] = []
    pharm_class_epc: list[str] = []
    pharm_class_moa: list[str] = []
    pharm_class_pe: list[str] = []
    pharm_class_cs: list[str] = []


class LabelRecord(BaseModel):
    """One openFDA `drug/label` record; every field not named here is a section (list of str)."""

    model_config = ConfigDict(extra="allow", strict=True)

    set_id: str = Field(min_length=1, max_length=64)
    id: str = Field(min_length=1, max_length=64)
    version: int = Field(ge=0, le=1_000_000)
    effective_time: date | None = None
    openfda: OpenFdaBlock = OpenFdaBlock()

    @field_validator("version", mode="before")
    @classmethod
    def _version_digits(cls, value: Any) -> Any:
        if isinstance(value, str) and value.isdigit():
            return int(value)
        return value

    @field_validator("effective_time", mode="before")
    @classmethod
    def _yyyymmdd(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return datetime.strptime(value, "%Y%m%d").date()
            except ValueError:
                raise ValueError("must be a date written YYYYMMDD") from None
        return value

    def sections(self) -> dict[str, tuple[list[str], list[str]]]:
        """Section name -> (text items, table HTML items), from the extra fields."""
        out: dict[str, tuple[list[str], list[str]]] = {}
        for name, items in (self.model_extra or {}).items():
            if name.startswith("_") or not items:
                continue
            base = name.removesuffix(TABLE_SUFFIX)
            texts, tables_ = out.setdefault(base, ([], []))
            (tables_ if name.endswith(TABLE_SUFFIX) else texts).extend(items)
        return out


def _check_sections(record: dict[str, Any]) -> str | None:
    """The first extra field that is not a list of strings, as a JSON path, or None."""
    for name, value in record.items():
        if name in METADATA_FIELDS or name.startswith("_"):
            continue
        if not isinstance(value, list):
            return name
        for i, item in enumerate(value):
            if not isinstance(item, str):
                return f"{name}[{i}]"
    return None


class RecordError(Exception):
    """A record (or the file around it) that cannot be imported."""

    def __init__(self, message: str, index: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index
        self.field = field


def validate_record(raw: Any, index: int) -> LabelRecord:
    if not isinstance(raw, dict):
        raise RecordError(f"a label must be a JSON object, not {type(raw).__name__}", index)
    bad = _check_sections(raw)
    if bad is not None:
        raise RecordError("a section must be a list of strings", index, bad)
    try:
        return LabelRecord.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = errors.location(first["loc"]) or None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise RecordError(message, index, where) from None


@dataclass
class FileReport:
    path: str
    records: int = 0
    new: int = 0
    updated: int = 0
    history: int = 0
    unchanged: int = 0
    error: str | None = None
    record_index: int | None = None
    field: str | None = None
    warning: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def describe(self) -> str:
        if self.error is None:
            return f"{self.path}: {self.warning}" if self.warning else self.path
        where = [] if self.record_index is None else [f"record {self.record_index}"]
        if self.field:
            where.append(f"field {self.field}")
        at = f" ({', '.join(where)})" if where else ""
        return f"{self.path}{at}: {self.error}; nothing from this file was written"


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0

    def _sum(self, name: str) -> int:
        return sum(int(getattr(f, name)) for f in self.files if not f.failed)

    @property
    def records(self) -> int:
        return self._sum("records")

    @property
    def new(self) -> int:
        return self._sum("new")

    @property
    def updated(self) -> int:
        return self._sum("updated")

    @property
    def history(self) -> int:
        return self._sum("history")

    @property
    def unchanged(self) -> int:
        return self._sum("unchanged")

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if f.failed]

    @property
    def warnings(self) -> list[FileReport]:
        return [f for f in self.files if f.warning is not None]


# ---- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One JSON document to import: a file, or one member of a zip."""

    name: str
    path: Path
    member: str | None = None

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        if self.member is None:
            with self.path.open("rb") as stream:
                yield stream
        else:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as stream:
                yield stream


def _is_label_file(path: Path) -> bool:
    return path.name.endswith((".json", ".json.zip"))


def sources(paths: Iterable[Path]) -> Iterator[Source | FileReport]:
    """Every JSON document under `paths` (sorted), or a failed report for what cannot be read."""
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_label_file(p))
        elif path.exists():
            files = [path]
        else:
            yield FileReport(str(path), error="no such file or directory")
            continue
        for file in files:
            if file.name.endswith(".zip"):
                try:
                    with zipfile.ZipFile(file) as archive:
                        members = [m for m in archive.namelist() if m.endswith(".json")]
                except (zipfile.BadZipFile, OSError) as exc:
                    yield FileReport(str(file), error=f"not a readable zip file ({exc})")
                    continue
                if not members:
                    yield FileReport(str(file), error="the zip holds no .json file")
                for member in members:
                    yield Source(f"{file}!{member}", file, member)
            else:
                yield Source(str(file), file)


_LABEL_KEYS = METADATA_FIELDS | {
    "spl_product_data_elements",
    "package_label_principal_display_panel",
}


def _looks_like_label(document: dict[str, Any]) -> bool:
    return any(k in _LABEL_KEYS or k.endswith(TABLE_SUFFIX) for k in document)


def read_records(source: Source) -> Iterator[tuple[int, Any]]:
    """(index, raw record) for each label in the document, streamed; RecordError if malformed.

    The bulk envelope (and an API response) is streamed record by record; a top-level array of
    labels too. A document without label records yields nothing.
    """
    count = 0
    try:
        with source.open() as stream:
            for count, raw in enumerate(ijson.items(stream, "results.item", use_float=True), 1):
                yield count - 1, raw
        if count:
            return
        with source.open() as stream:
            first = next(ijson.parse(stream, use_float=True), None)
        if first is None:
            raise RecordError("the file is empty")
        if first[1] == "start_array":
            with source.open() as stream:
                for count, raw in enumerate(ijson.items(stream, "item", use_float=True), 1):
                    yield count - 1, raw
            return
        if first[1] != "start_map":
            raise RecordError("the document is not a JSON object or array")
        with source.open() as stream:
            document = next(ijson.items(stream, "", use_float=True))
        if "results" in document:
            if not isinstance(document["results"], list):
                raise RecordError("must be a list of label objects", None, "results")
            return
        if _looks_like_label(document):
            yield 0, document
    except ijson.JSONError as exc:
        first_line = next(iter(str(exc).splitlines()), "").strip()
        raise RecordError(f"invalid JSON ({first_line or type(exc).__name__})", count) from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise RecordError(f"cannot read the file ({exc})", count) from None


# ---- writing ---------------------------------------------------------------------------------


def normalize(value: str) -> str:
    return _SPACE.sub(" ", value).strip().casefold()


def normalize_class(value: str) -> str:
    """'Aminoglycoside Antibacterial [EPC]' -> 'aminoglycoside antibacterial'."""
    return normalize(_CLASS_SUFFIX.sub("", value))


def _title(record: LabelRecord) -> str:
    block = record.openfda
    name = next(iter(block.brand_name or block.generic_name or block.substance_name), "")
    generic = next(iter(block.generic_name), "")
    if name and generic and normalize(generic) != normalize(name):
        name = f"{name} ({generic})"
    maker = next(iter(block.manufacturer_name), "")
    title = f"{name} - {maker}" if name and maker else name or maker or record.set_id
    return title[:500]


def _label_values(record: LabelRecord, synthetic: bool) -> dict[str, Any]:
    return {
        "set_id": record.set_id,
        "version": record.version,
        "effective_date": record.effective_time,
        "title": _title(record),
        **record.openfda.model_dump(),
        "is_synthetic": synthetic,
    }


def _keys(record: LabelRecord) -> list[dict[str, str]]:
    block = record.openfda
    found: set[tuple[str, str]] = set()
    for name in (*block.brand_name, *block.generic_name, *block.substance_name):
        found.add(("name", normalize(name)[:300]))
    found |= {("rxcui", v.strip()[:300]) for v in block.rxcui}
    found |= {("unii", v.strip().upper()[:300]) for v in block.unii}
    for value in (
        *block.pharm_class_epc,
        *block.pharm_class_moa,
        *block.pharm_class_pe,
        *block.pharm_class_cs,
    ):
        found.add(("pharm_class", normalize_class(value)[:300]))
    return [{"kind": k, "value": v, "set_id": record.set_id} for k, v in sorted(found) if v]


_SQLITE_INDEX = text(
    "INSERT INTO label_fts(rowid, names, body) "
    "SELECT doc_id, names, body FROM label_document WHERE doc_id = :doc_id"
)
_POSTGRES_INDEX = text(
    """
    UPDATE label_version AS v SET search =
        setweight(to_tsvector('english', l.title || ' ' || l.brand_name::text || ' '
            || l.generic_name::text || ' ' || l.substance_name::text || ' '
            || l.manufacturer_name::text), 'A')
        || setweight(to_tsvector('english', coalesce(
            (SELECT string_agg(s.text, E'\\n' ORDER BY s.name) FROM label_section s
              WHERE s.doc_id = v.doc_id), '')), 'B')
    FROM label l WHERE l.set_id = v.set_id AND v.doc_id = :doc_id
    """
)


def _index(conn: Connection, doc_id: int) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(_SQLITE_INDEX, {"doc_id": doc_id})
    elif conn.dialect.name == "postgresql":
        conn.execute(_POSTGRES_INDEX, {"doc_id": doc_id})


_SQLITE_UNINDEX = text(
    "INSERT INTO label_fts(label_fts, rowid, names, body) "
    "SELECT 'delete', d.doc_id, d.names, d.body FROM label_document d "
    "JOIN label_version v ON v.doc_id = d.doc_id WHERE v.set_id = :set_id"
)
_POSTGRES_UNINDEX = text(
    "UPDATE label_version SET search = NULL WHERE set_id = :set_id AND search IS NOT NULL"
)


def _unindex(conn: Connection, set_id: str) -> None:
    """Take the label's current version out of the index (before a newer one replaces it)."""
    if conn.dialect.name == "sqlite":
        conn.execute(_SQLITE_UNINDEX, {"set_id": set_id})
    elif conn.dialect.name == "postgresql":
        conn.execute(_POSTGRES_UNINDEX, {"set_id": set_id})


_label = Label.__table__  # type: ignore[attr-defined]
_version = LabelVersion.__table__  # type: ignore[attr-defined]
_section = LabelSection.__table__  # type: ignore[attr-defined]
_key = LabelKey.__table__  # type: ignore[attr-defined]


# Statements built once, so SQLAlchemy compiles each once (values go in as parameters).
_INSERT_LABEL = insert(_label)
_INSERT_VERSION = insert(_version).returning(_version.c.doc_id)


def write_record(conn: Connection, record: LabelRecord, synthetic: bool = False) -> str:
    """Store one record; 'new', 'updated' (a newer version), 'history' or 'unchanged'."""
    current = conn.execute(
        select(_label.c.version).where(_label.c.set_id == record.set_id)
    ).scalar_one_or_none()
    if current is not None:
        known = conn.execute(
            select(_version.c.doc_id).where(
                _version.c.set_id == record.set_id, _version.c.version == record.version
            )
        ).first()
        if known is not None:
            return "unchanged"
    becomes_current = current is None or record.version > current
    if becomes_current and current is not None:
        _unindex(conn, record.set_id)
    if current is None:
        conn.execute(_INSERT_LABEL, _label_values(record, synthetic))
    doc_id = conn.execute(
        _INSERT_VERSION,
        {
            "set_id": record.set_id,
            "version": record.version,
            "id": record.id,
            "effective_date": record.effective_time,
        },
    ).scalar_one()
    rows = [
        {
            "doc_id": doc_id,
            "name": name,
            "text": "\n".join(texts),
            "tables_zlib": tables.encode_tables(tables_),
        }
        for name, (texts, tables_) in sorted(record.sections().items())
    ]
    if rows:
        conn.execute(insert(_section), rows)
    if not becomes_current:
        return "history"
    if current is not None:
        conn.execute(
            update(_label)
            .where(_label.c.set_id == record.set_id)
            .values(_label_values(record, synthetic))
        )
        conn.execute(delete(_key).where(_key.c.set_id == record.set_id))
    keys = _keys(record)
    if keys:
        conn.execute(insert(_key), keys)
    _index(conn, doc_id)
    return "new" if current is None else "updated"


def import_source(
    engine: Engine, source: Source, progress: Progress | None = None, synthetic: bool = False
) -> FileReport:
    report = FileReport(source.name)
    counts = {"new": 0, "updated": 0, "history": 0, "unchanged": 0}
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            for index, raw in read_records(source):
                record = validate_record(raw, index)
                counts[write_record(conn, record, synthetic)] += 1
                report.records += 1
                if progress is not None:
                    progress(source.name, report.records)
        except RecordError as exc:
            transaction.rollback()
            report.error = exc.message
            report.record_index = exc.index
            report.field = exc.field
            return report
        except Exception:
            transaction.rollback()
            raise
        transaction.commit()
    for name, value in counts.items():
        setattr(report, name, value)
    if report.records == 0:
        report.warning = "no label records (not an openFDA label file); skipped"
    return report


def import_paths(
    engine: Engine,
    paths: Sequence[Path | str],
    progress: Progress | None = None,
    *,
    synthetic: bool = False,
) -> ImportReport:
    """Import every label file under `paths`; each file in its own transaction."""
    SQLModel.metadata.create_all(engine)
    start = time.perf_counter()
    report = ImportReport()
    for item in sources(Path(p) for p in paths):
        if isinstance(item, FileReport):
            report.files.append(item)
        else:
            report.files.append(import_source(engine, item, progress, synthetic))
    report.seconds = time.perf_counter() - start
    return report
