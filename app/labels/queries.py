"""Reads over the imported labels: ranked search, one label or section, extracted reactions.

`search` never reaches the full-text engine as written: it is cut into words (letters and
digits), each word quoted, so FTS5 operators (quotes, NEAR, *, -, parentheses, `col:`) and
tsquery operators are only ever words. Text with no word at all is refused as invalid input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, func, select

from app import errors
from app.domain import names as name_matching
from app.labels import extract, importer, snippets, tables
from app.labels.schemas import (
    AdverseReactionTables,
    ExtractedSideEffect,
    ExtractedSource,
    LabelHit,
    LabelPublic,
    LabelSummary,
    SectionPublic,
    SectionRef,
    VersionRef,
)
from app.labels.tables import Label, LabelKey, LabelSection, LabelVersion

MAX_TERMS = 12
MAX_TERM_LENGTH = 64
_WORD = re.compile(r"[^\W_]+")
NAMES_WEIGHT = 10.0
RANK_LIMIT = 5_000


class UnknownLabel(errors.NotFound):
    slug = "unknown-label"
    title = "Unknown label"


class UnknownSection(errors.NotFound):
    slug = "unknown-section"
    title = "Unknown section"


def search_terms(search: str) -> list[str]:
    """The words of a search string, as the full-text index would cut them; 422 if none."""
    words = [w.casefold() for w in _WORD.findall(search)]
    problem = None
    if not words:
        problem = "has no word to search for (letters or digits)"
    elif len(words) > MAX_TERMS:
        problem = f"has {len(words)} words; at most {MAX_TERMS} are searched"
    elif any(len(w) > MAX_TERM_LENGTH for w in words):
        problem = f"has a word longer than {MAX_TERM_LENGTH} characters"
    if problem is not None:
        raise errors.InvalidInput(
            f"search {problem}.",
            [errors.InvalidParam(location="query.search", message=problem, input=search[:200])],
        )
    return list(dict.fromkeys(words))


def fts5_query(words: Sequence[str]) -> str:
    """Each word quoted (a literal token), all required: `"nausea" "near"`."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def _summary(label: Label) -> dict[str, Any]:
    return LabelSummary.model_validate(label, from_attributes=True).model_dump()


@dataclass(frozen=True)
class Filters:
    names: tuple[str, ...] = ()
    rxcui: str | None = None
    pharm_class: str | None = None

    def clauses(self) -> tuple[list[str], dict[str, Any]]:
        sql: list[str] = []
        params: dict[str, Any] = {}
        if self.names:
            sql.append(
                "l.set_id IN (SELECT set_id FROM label_key WHERE kind = 'name' AND value IN :names)"
            )
            params["names"] = sorted({importer.normalize(n) for n in self.names})
        if self.rxcui is not None:
            sql.append(
                "l.set_id IN (SELECT set_id FROM label_key WHERE kind = 'rxcui' AND value = :rxcui)"
            )
            params["rxcui"] = self.rxcui.strip()
        if self.pharm_class is not None:
            sql.append(
                "l.set_id IN (SELECT set_id FROM label_key WHERE kind = 'pharm_class' "
                "AND value = :pharm_class)"
            )
            params["pharm_class"] = importer.normalize_class(self.pharm_class)
        return sql, params


def _statement(sql: str, params: dict[str, Any]) -> Any:
    statement = text(sql)
    if "names" in params:
        statement = statement.bindparams(bindparam("names", expanding=True))
    return statement


def search_labels(
    session: Session,
    search: str | None = None,
    filters: Filters = Filters(),
    limit: int = 20,
    offset: int = 0,
) -> tuple[int, list[LabelHit]]:
    """(total, one page of labels): by relevance with `search`, else by set id."""
    words = search_terms(search) if search is not None else None
    where, params = filters.clauses()
    params |= {"limit": limit, "offset": offset}
    dialect = session.get_bind().dialect.name
    scores: dict[str, float] = {}
    docs: dict[str, int] = {}
    try:
        if words is None:
            # `where` holds fixed SQL fragments only; every value is a bound parameter.
            clause = " AND ".join(where) or "1 = 1"
            total = session.execute(
                _statement(f"SELECT count(*) FROM label l WHERE {clause}", params),  # nosec B608
                params,
            ).scalar_one()
            ids = list(
                session.execute(
                    _statement(
                        f"SELECT l.set_id FROM label l WHERE {clause} "  # nosec B608
                        "ORDER BY l.set_id LIMIT :limit OFFSET :offset",
                        params,
                    ),
                    params,
                ).scalars()
            )
        elif dialect == "sqlite":
            total, ids = _search_sqlite(session, words, where, params, scores, docs)
        else:
            total, ids = _search_postgres(session, words, where, params, scores, docs)
    except DBAPIError as exc:  # an engine that still refuses the quoted words: the caller's input
        session.rollback()
        raise errors.InvalidInput(
            "search cannot be run as a full-text query.",
            [errors.InvalidParam(location="query.search", message=str(exc.orig)[:200])],
        ) from None
    labels = {
        row.set_id: row for row in session.exec(select(Label).where(col(Label.set_id).in_(ids)))
    }
    bodies = _bodies(session, list(docs.values())) if words else {}
    hits = []
    for set_id in ids:
        if set_id not in labels:
            continue
        snippet = None
        if words:
            body = bodies.get(docs[set_id], "")
            snippet = snippets.make(body, words) or snippets.make(labels[set_id].title, words)
        hits.append(LabelHit(**_summary(labels[set_id]), score=scores.get(set_id), snippet=snippet))
    return int(total), hits


def _bodies(session: Session, doc_ids: list[int]) -> dict[int, str]:
    """The indexed text of each version: its sections (nested ones aside) in name order."""
    if not doc_ids:
        return {}
    rows = session.execute(
        select(LabelSection.doc_id, LabelSection.text)
        .where(
            col(LabelSection.doc_id).in_(doc_ids),
            col(LabelSection.name).not_in(tables.NESTED_SECTIONS),
        )
        .order_by(col(LabelSection.doc_id), col(LabelSection.name))
    ).all()
    out: dict[int, list[str]] = {}
    for doc_id, body in rows:
        out.setdefault(int(doc_id), []).append(body)
    return {doc_id: "\n".join(parts) for doc_id, parts in out.items()}


def _page(
    session: Session,
    order: str,
    params: dict[str, Any],
    total: int,
    scores: dict[str, float],
    docs: dict[str, int],
    *,
    sign: float,
) -> tuple[int, list[str]]:
    """One page of hits in `order`, recording each hit's document and score."""
    rows = session.execute(
        _statement(f"SELECT v.set_id, v.doc_id, {order} LIMIT :limit OFFSET :offset", params),
        params,
    ).all()
    docs.update({str(r.set_id): int(r.doc_id) for r in rows})
    scores.update(
        {str(r.set_id): round(sign * float(r.score), 6) for r in rows if r.score is not None}
    )
    return int(total), [str(r.set_id) for r in rows]


def _search_sqlite(
    session: Session,
    words: list[str],
    where: list[str],
    params: dict[str, Any],
    scores: dict[str, float],
    docs: dict[str, int],
) -> tuple[int, list[str]]:
    params = params | {"q": fts5_query(words)}
    # The index holds current versions only: without filters it answers alone.
    joins = (
        "FROM label_fts JOIN label_version v ON v.doc_id = label_fts.rowid"
        + ("" if not where else " JOIN label l ON l.set_id = v.set_id")
        + " WHERE label_fts MATCH :q"
        + "".join(f" AND {w}" for w in where)
    )
    counted = "FROM label_fts WHERE label_fts MATCH :q" if not where else joins
    total = session.execute(_statement(f"SELECT count(*) {counted}", params), params).scalar_one()
    # bm25 costs a look-up per matching document: past RANK_LIMIT matches (a word most labels
    # use), the newest imported come first instead, so no search reads the whole index.
    order = (
        f"bm25(label_fts, {NAMES_WEIGHT}, 1.0) AS score {joins} ORDER BY score, v.set_id"
        if total <= RANK_LIMIT
        else f"NULL AS score {joins} ORDER BY label_fts.rowid DESC"
    )
    # bm25 is lower for a better match; the API's score is higher for one.
    return _page(session, order, params, total, scores, docs, sign=-1.0)


def _search_postgres(
    session: Session,
    words: list[str],
    where: list[str],
    params: dict[str, Any],
    scores: dict[str, float],
    docs: dict[str, int],
) -> tuple[int, list[str]]:
    params = params | {"q": " ".join(words)}
    joins = (
        "FROM label_version v JOIN label l ON l.set_id = v.set_id AND l.version = v.version, "
        "plainto_tsquery('english', :q) AS query "
        "WHERE v.search @@ query" + "".join(f" AND {w}" for w in where)
    )
    total = session.execute(_statement(f"SELECT count(*) {joins}", params), params).scalar_one()
    order = (
        f"ts_rank(v.search, query) AS score {joins} ORDER BY score DESC, v.set_id"
        if total <= RANK_LIMIT
        else f"NULL AS score {joins} ORDER BY v.doc_id DESC"
    )
    return _page(session, order, params, total, scores, docs, sign=1.0)


# ---- one label ---------------------------------------------------------------------------------


def _label(session: Session, set_id: str) -> Label:
    label = session.get(Label, set_id)
    if label is None:
        raise UnknownLabel(f"No label with set id '{set_id}' has been imported.")
    return label


def _version(session: Session, label: Label, version: int | None) -> LabelVersion:
    wanted = label.version if version is None else version
    found = session.exec(
        select(LabelVersion).where(
            LabelVersion.set_id == label.set_id, LabelVersion.version == wanted
        )
    ).first()
    if found is None:
        known = session.exec(
            select(LabelVersion.version)
            .where(LabelVersion.set_id == label.set_id)
            .order_by(col(LabelVersion.version))
        ).all()
        raise UnknownLabel(
            f"Label '{label.set_id}' has no version {wanted}; "
            f"imported versions: {', '.join(str(v) for v in known)}.",
            suggestions=[str(v) for v in known],
        )
    return found


def read_label(session: Session, set_id: str, version: int | None = None) -> LabelPublic:
    label = _label(session, set_id)
    shown = _version(session, label, version)
    versions = session.exec(
        select(LabelVersion)
        .where(LabelVersion.set_id == set_id)
        .order_by(col(LabelVersion.version).desc())
    ).all()
    sections = session.exec(
        select(LabelSection)
        .where(LabelSection.doc_id == shown.doc_id)
        .order_by(col(LabelSection.name))
    ).all()
    return LabelPublic(
        **(_summary(label) | {"version": shown.version, "effective_date": shown.effective_date}),
        current_version=label.version,
        versions=[
            VersionRef(
                version=v.version,
                id=v.id,
                effective_date=v.effective_date,
                current=v.version == label.version,
            )
            for v in versions
        ],
        sections=[SectionRef(name=s.name, text=s.text, tables=s.tables) for s in sections],
    )


def read_section(
    session: Session, set_id: str, name: str, version: int | None = None
) -> SectionPublic:
    label = _label(session, set_id)
    shown = _version(session, label, version)
    base = name.removesuffix(importer.TABLE_SUFFIX)
    section = session.get(LabelSection, (shown.doc_id, base))
    if section is None:
        present = session.exec(
            select(LabelSection.name)
            .where(LabelSection.doc_id == shown.doc_id)
            .order_by(col(LabelSection.name))
        ).all()
        raise UnknownSection(
            f"Label '{set_id}' version {shown.version} has no section '{name}'.",
            suggestions=list(present),
        )
    return SectionPublic(
        set_id=set_id,
        version=shown.version,
        name=section.name,
        text=section.text,
        tables=section.tables,
    )


def read_adverse_reactions(
    session: Session, set_id: str, version: int | None = None
) -> AdverseReactionTables:
    """Rows extracted from the version's `adverse_reactions_table` (empty when it has none)."""
    label = _label(session, set_id)
    shown = _version(session, label, version)
    section = session.get(LabelSection, (shown.doc_id, "adverse_reactions"))
    html_ = "".join(section.tables) if section is not None else ""
    return AdverseReactionTables(
        set_id=set_id,
        version=shown.version,
        effective_date=shown.effective_date,
        title=label.title,
        tables=extract.extract_tables(html_),
    )


# ---- helpers for /side-effects and /drugs --------------------------------------------------------


def set_ids_for_names(session: Session, names: Iterable[str]) -> list[str]:
    """Set ids of the labels whose brand, generic or substance name is one of `names`."""
    # No label name holds a NUL, and PostgreSQL refuses one in a query parameter.
    wanted = sorted({importer.normalize(n) for n in names if n.strip() and "\x00" not in n})
    if not wanted:
        return []
    found = session.exec(
        select(LabelKey.set_id)
        .where(LabelKey.kind == "name", col(LabelKey.value).in_(wanted))
        .distinct()
        .order_by(col(LabelKey.set_id))
    ).all()
    return list(found)


def side_effect_rows_for_name(session: Session, name: str) -> list[ExtractedSideEffect]:
    """Extracted rows of the newest label named `name` that has adverse-reaction table rows.

    Labels are tried newest effective date first (real before synthetic); each row keeps its
    source: set id, version, table index and caption.
    """
    ids = set_ids_for_names(session, [name])
    if not ids:
        return []
    labels = session.exec(
        select(Label)
        .where(col(Label.set_id).in_(ids))
        .order_by(
            col(Label.is_synthetic),
            col(Label.effective_date).is_(None),
            col(Label.effective_date).desc(),
            col(Label.set_id),
        )
    ).all()
    for label in labels:
        found = read_adverse_reactions(session, label.set_id)
        out = [
            ExtractedSideEffect(
                effect=row.term,
                system_organ_class=row.system_organ_class,
                incidences=row.incidences,
                footnotes=row.footnotes,
                source=ExtractedSource(
                    set_id=label.set_id,
                    version=found.version,
                    effective_date=found.effective_date,
                    title=label.title,
                    table=table.index,
                    caption=table.caption,
                ),
            )
            for table in found.tables
            for row in table.rows
        ]
        if out:
            return out
    return []


def generation(engine: Engine) -> int:
    """A number that grows with every import that changed the labels (0 before any)."""
    with Session(engine) as session:
        return int(session.execute(select(func.max(LabelVersion.doc_id))).scalar_one() or 0)


def session(engine: Engine) -> Session:
    """A session for one request's worker thread."""
    return Session(engine)


def suggest_names(session: Session, name: str, limit: int = 5) -> list[str]:
    """Label names close to `name` (among those sharing its first letter)."""
    wanted = importer.normalize(name)
    if not wanted or "\x00" in wanted:
        return []
    candidates = session.exec(
        select(LabelKey.value)
        .where(LabelKey.kind == "name", col(LabelKey.value).startswith(wanted[0]))
        .distinct()
        .limit(20_000)
    ).all()
    return name_matching.suggest(wanted, candidates, limit=limit)
