"""Selections of moves and researchers written as JSON by PostgreSQL, one statement per page.

The dashboard's hottest selection is a page of moves with their researcher, both
institutions and the evidence with its documents. Resolved in Python, every one of its
objects is a row decoded by asyncpg, a strawberry object and a response dict. When the
selection below a ``Move`` uses only the fields listed here, the fast path (``fast_path``)
asks PostgreSQL for the finished objects instead, as PostGraphile does: one statement that
reads the page's moves by id and nests the rest with ``json_build_object``.

Each field here is written to give exactly what the Python resolvers give, and the fast
path's differential test compares the two on a corpus:

- relay ids are ``base64("Type:id")``; enum values map to the schema's enum names;
- floats are read as ``float8`` (confidences and scores are stored so), which PostgreSQL
  writes as the shortest text that reads back as the same double, as Python's ``repr`` does:
  a confidence of 0.91 reads 0.91 on both paths;
- timestamps are written as Python's ``isoformat()`` writes an aware UTC datetime;
- a researcher is read as ``researcher_by_id`` reads it, except that a move whose researcher
  was merged into another is not followed here: the statement flags it and the fast path hands
  the request to the normal path, which follows the merge;
- evidence comes strongest first (``confidence DESC, id``), as the loaders order it.

A selection with any other field (``Country.name``, a researcher's aliases...) is resolved in
Python as before.

This module is SQL and knows nothing of GraphQL: it reads a selection through the two small
protocols below (``Selection``, ``SelectionStep``), which the fast path's plans implement.
``tests/db/test_json_objects.py`` checks its objects against the rows the other query modules
read for the same moves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Shape = Literal["typename", "leaf", "object", "abstract"]


class SelectionStep(Protocol):
    """One response key of a selection, as this module needs to know it."""

    @property
    def key(self) -> str: ...  # the response key (an alias or the field name)

    @property
    def field_name(self) -> str: ...

    @property
    def shape(self) -> Shape: ...

    @property
    def has_args(self) -> bool: ...

    @property
    def scalar_name(self) -> str | None: ...  # a scalar leaf's type name (None otherwise)

    @property
    def enum_outputs(self) -> Mapping[str, str] | None: ...  # an enum leaf: stored -> output

    @property
    def sub(self) -> Selection | None: ...  # an object field's selection


class Selection(Protocol):
    """The fields selected on one object type."""

    @property
    def type_name(self) -> str: ...

    @property
    def steps(self) -> Sequence[SelectionStep]: ...


def _timestamp(column: str) -> str:
    """Python's ``isoformat()`` of an aware UTC datetime: microseconds only when not zero."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE "
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN date_part('microseconds', {utc})::bigint % 1000000 = 0 THEN '' "
        f"ELSE to_char({utc}, '.US') END || '+00:00' END"
    )


# GraphQL type -> field -> (column, how its value is written); None: written by leaf type.
COLUMNS: dict[str, dict[str, str]] = {
    "Move": {
        "id": "id",
        "kind": "kind",
        "status": "status",
        "confidence": "confidence",
        "provisional": "provisional",
        "crossBorder": "cross_border",
        "isReturnee": "is_returnee",
        "isDualAffiliation": "is_dual_affiliation",
        "isFirstJobAfterDoctorate": "is_first_job_after_doctorate",
        "origin": "origin",
        "createdAt": "created_at",
        "updatedAt": "updated_at",
        "reasons": "reasons",
        "doubts": "doubts",
    },
    "Researcher": {
        "id": "id",
        "name": "display_name",
        "nativeName": "native_name",
        "nameOrder": "name_order",
        "topics": "topics",
        "worksCount": "works_count",
        "citedByCount": "cited_by_count",
        "hIndex": "h_index",
        "createdAt": "created_at",
        "updatedAt": "updated_at",
    },
    "Institution": {
        "id": "id",
        "slug": "slug",
        "name": "name",
        "nativeName": "native_name",
        "kind": "kind",
        "city": "city",
        "isSite": "is_site",
        "website": "website",
        "createdAt": "created_at",
        "updatedAt": "updated_at",
    },
    "Evidence": {
        "id": "id",
        "quote": "quote",
        "extractor": "extractor",
        "extractorVersion": "extractor_version",
        "confidence": "confidence",
        "createdAt": "created_at",
    },
    "Affiliation": {
        "id": "id",
        "role": "role",
        "department": "department",
        "years": "years",
        "source": "source",
    },
    "ExternalId": {"scheme": "scheme", "value": "value"},
    "Document": {
        "id": "id",
        "kind": "kind",
        "url": "url",
        "title": "title",
        "publisher": "publisher",
        "publishedAt": "published_at",
        "fetchedAt": "fetched_at",
        "language": "language",
    },
}


@dataclass(frozen=True, slots=True)
class One:
    """A related row by a foreign key on the parent (null when the key is null)."""

    table: str
    key: str
    guard: str | None = None  # must hold for the related row, else the request falls back


@dataclass(frozen=True, slots=True)
class Many:
    """Related rows pointing at the parent, in a fixed order (``{b}``: the rows' alias)."""

    table: str
    foreign_key: str
    order: str
    where: str = "true"


@dataclass(frozen=True, slots=True)
class Scalar:
    """A leaf computed by a subquery (``{a}``: the parent's alias)."""

    sql: str


@dataclass(frozen=True, slots=True)
class Value:
    """A small value object built from the parent's own columns."""

    kind: str  # "partial_date", "country", "span"
    columns: tuple[str, ...]


# What a researcher's aliases and external ids read: its own rows. The loaders also read those
# of researchers merged into it; when there are any, the request falls back.
UNMERGED = "NOT EXISTS (SELECT 1 FROM researcher x WHERE x.merged_into_id = {a}.id)"
Relation = One | Many | Value | Scalar

RELATIONS: dict[str, dict[str, Relation]] = {
    "Move": {
        "researcher": One("researcher", "researcher_id", guard="merged_into_id IS NULL"),
        "from": One("institution", "from_institution_id"),
        "to": One("institution", "to_institution_id"),
        "evidence": Many("evidence", "move_id", "{b}.confidence DESC, {b}.id"),
        "date": Value("partial_date", ("move_date", "date_precision")),
        "fromCountry": Value("country", ("from_country",)),
        "toCountry": Value("country", ("to_country",)),
    },
    "Institution": {"country": Value("country", ("country_code",))},
    "Researcher": {
        "moves": Many(
            "move",
            "researcher_id",
            "coalesce({b}.move_date, date '0001-01-01'), {b}.id",
            "{b}.status NOT IN ('retracted', 'rumoured') AND NOT {b}.is_visit",
        ),
        "affiliations": Many(
            "affiliation",
            "researcher_id",
            "coalesce({b}.start_date, make_date({b}.years[1], 1, 1)) NULLS FIRST, {b}.id",
        ),
        "externalIds": Many("researcher_external_id", "researcher_id", "{b}.scheme, {b}.value"),
        "aliases": Scalar(
            "(SELECT coalesce(json_agg(s.alias ORDER BY s.first), '[]'::json) FROM "
            "(SELECT alias, min(id) AS first FROM researcher_alias "
            "WHERE researcher_id = {a}.id GROUP BY alias) s)"
        ),
        "orcid": Scalar(
            "(SELECT min(value) FROM researcher_external_id "
            "WHERE researcher_id = {a}.id AND scheme = 'orcid')"
        ),
        "openalexId": Scalar(
            "(SELECT min(value) FROM researcher_external_id "
            "WHERE researcher_id = {a}.id AND scheme = 'openalex')"
        ),
    },
    "Affiliation": {
        "institution": One("institution", "institution_id"),
        "start": Value("partial_date", ("start_date", "start_precision")),
        "end": Value("partial_date", ("end_date", "end_precision")),
    },
    "Evidence": {
        "document": One("document", "document_id"),
        "span": Value("span", ("span_start", "span_end")),
    },
}
TABLE_TYPES = {
    "researcher": "Researcher",
    "institution": "Institution",
    "document": "Document",
    "move": "Move",
    "evidence": "Evidence",
    "affiliation": "Affiliation",
    "researcher_external_id": "ExternalId",
}
ROOTS = {"Move": "move", "Researcher": "researcher"}
# Query fields that look one object up by ``id`` and that one statement may answer whole
# (the lookup included): field name -> the type it returns.
BY_ID = {"researcher": "Researcher"}
# The type whose rows a request prefetches into its loaders unless every selection of it is
# written by PostgreSQL (``context.prefetch_moves``).
PREFETCHED = "Move"
ValueFields = dict[str, Callable[[Any], str]]  # field -> its SQL, given the plan step


def _partial_date(day: str, precision: str) -> tuple[str, ValueFields]:
    text = (
        f"CASE {precision} WHEN 'year' THEN to_char({day}, 'YYYY') "
        f"WHEN 'quarter' THEN to_char({day}, 'YYYY') || '-Q' || extract(quarter FROM {day})::int "
        f"WHEN 'month' THEN to_char({day}, 'YYYY-MM') ELSE to_char({day}, 'YYYY-MM-DD') END"
    )
    return f"{day} IS NULL OR {precision} IS NULL", {
        "date": lambda _: f"to_char({day}, 'YYYY-MM-DD')",
        "precision": lambda step: _enum_case(precision, step),
        "text": lambda _: text,
    }


def _country(code: str) -> tuple[str, ValueFields]:
    return f"coalesce({code}, '') = ''", {"code": lambda _: code}


def _span(start: str, end: str) -> tuple[str, ValueFields]:
    return f"{start} IS NULL", {"start": lambda _: start, "end": lambda _: end}


# Value kind -> (its columns -> (when it is null, how each of its fields is written)).
_VALUES: dict[str, Callable[..., tuple[str, ValueFields]]] = {
    "partial_date": _partial_date,
    "country": _country,
    "span": _span,
}


BASE64_LINE_BYTES = 57  # input bytes per line of PostgreSQL's encode(..., 'base64')


def relay_id_sql(type_name: str, alias: str) -> str:
    """The relay id of ``alias.id`` (``base64("Type:id")``), as the schema writes it.

    PostgreSQL's base64 breaks lines every 76 characters (57 bytes of input); "Type:" and a
    bigint's 20 characters stay within one line for any type name this short, so there is no
    newline to remove (a translate() around it cost ~5% of a 50-move page's statement).
    """
    if len(type_name) + 1 + 20 > BASE64_LINE_BYTES:
        raise NotSql(f"{type_name}.id: a relay id that long would wrap")
    return f"encode(convert_to({_literal(type_name + ':')} || {alias}.id, 'UTF8'), 'base64')"


class NotSql(Exception):
    """The selection uses a field this module does not write."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _enum_case(expr: str, step: SelectionStep) -> str:
    outputs = step.enum_outputs
    if not outputs:
        raise NotSql(f"enum {step.field_name}")
    whens = " ".join(
        f"WHEN {_literal(stored)} THEN {_literal(output)}" for stored, output in outputs.items()
    )
    return f"CASE {expr} {whens} END"


class Builder:
    """SQL for one selection on a ``Move`` or a ``Researcher``."""

    def __init__(self, parent: Builder | None = None) -> None:
        self.root: Builder = parent.root if parent is not None else self
        self.aliases = 0
        self.reads = 0  # subqueries reading other tables (what Python would load)
        self.guards: list[str] = []  # conditions on this scope's rows, else fall back

    def alias(self) -> str:
        self.root.aliases += 1
        return f"t{self.root.aliases}"

    def leaf(self, type_name: str, field: str, step: SelectionStep, a: str) -> str:
        column = COLUMNS.get(type_name, {}).get(field)
        if column is None:
            raise NotSql(f"{type_name}.{field}")
        if field == "id":
            return relay_id_sql(type_name, a)
        if step.enum_outputs is not None:
            return _enum_case(f"{a}.{column}", step)
        scalar = step.scalar_name
        if scalar == "DateTime":
            return _timestamp(f"{a}.{column}")
        if scalar == "Float":
            return f"{a}.{column}::float8"
        if scalar in ("String", "Int", "Boolean", "ID"):
            return f"{a}.{column}"
        raise NotSql(f"{type_name}.{field}: {scalar}")

    def value(self, value: Value, plan: Selection, a: str) -> str:
        null, fields = _VALUES[value.kind](*(f"{a}.{c}" for c in value.columns))
        pairs: list[str] = []
        for step in plan.steps:
            field = step.field_name
            if field == "__typename":
                expr = _literal(plan.type_name)
            elif field in fields:
                expr = fields[field](step)
            else:
                raise NotSql(f"{plan.type_name}.{field}")
            pairs.append(f"{_literal(step.key)}, {expr}")
        return f"CASE WHEN {null} THEN NULL ELSE {self.build_object(pairs)} END"

    @staticmethod
    def build_object(pairs: list[str]) -> str:
        if len(pairs) > 50:  # json_build_object takes at most 100 arguments
            raise NotSql("too many fields")
        return f"json_build_object({', '.join(pairs)})"

    def object(self, plan: Selection, a: str) -> str:
        """``json_build_object(...)`` of ``plan``'s selection on the row aliased ``a``."""
        type_name = plan.type_name
        relations = RELATIONS.get(type_name, {})
        pairs: list[str] = []
        for step in plan.steps:
            field = step.field_name
            if step.shape == "typename":
                expr = _literal(type_name)
            elif step.has_args:
                raise NotSql(f"{type_name}.{field} has arguments")
            elif step.shape == "leaf" and isinstance(relations.get(field), Scalar):
                scalar = relations[field]
                assert isinstance(scalar, Scalar)
                expr = scalar.sql.format(a=a)
                self.root.reads += 1
                if type_name == "Researcher" and UNMERGED.format(a=a) not in self.guards:
                    self.guards.append(UNMERGED.format(a=a))
            elif step.shape == "leaf":
                expr = self.leaf(type_name, field, step, a)
            elif step.shape == "object" and step.sub is not None:
                relation = relations.get(field)
                if relation is None or isinstance(relation, Scalar):
                    raise NotSql(f"{type_name}.{field}")
                if field == "externalIds" and UNMERGED.format(a=a) not in self.guards:
                    self.guards.append(UNMERGED.format(a=a))
                expr = self.relation(relation, step.sub, a)
            else:
                raise NotSql(f"{type_name}.{field}")
            pairs.append(f"{_literal(step.key)}, {expr}")
        return self.build_object(pairs)

    def relation(self, relation: One | Many | Value, plan: Selection, a: str) -> str:
        if isinstance(relation, Value):
            return self.value(relation, plan, a)
        if TABLE_TYPES.get(relation.table) != plan.type_name:
            raise NotSql(plan.type_name)
        b = self.alias()
        self.root.reads += 1
        inner = Builder(self)
        obj = inner.object(plan, b)
        if isinstance(relation, One):
            guards = ([f"{b}.{relation.guard}"] if relation.guard else []) + inner.guards
            if guards:
                self.guards.append(
                    f"NOT EXISTS (SELECT 1 FROM {relation.table} {b} WHERE "
                    f"{b}.id = {a}.{relation.key} AND NOT ({' AND '.join(guards)}))"
                )
            return f"(SELECT {obj} FROM {relation.table} {b} WHERE {b}.id = {a}.{relation.key})"
        rows = (
            f"FROM {relation.table} {b} WHERE {b}.{relation.foreign_key} = {a}.id "
            f"AND {relation.where.format(b=b)}"
        )
        if inner.guards:
            self.guards.append(
                f"NOT EXISTS (SELECT 1 {rows} AND NOT ({' AND '.join(inner.guards)}))"
            )
        order = relation.order.format(b=b)
        return f"coalesce((SELECT json_agg({obj} ORDER BY {order}) {rows}), '[]'::json)"


def statement(plan: Selection, *, unmerged_root: bool = False) -> str | None:
    """The statement that writes ``plan`` (a selection on a type of ``ROOTS``) for the rows
    ``$1``, in order: (ord, ok, obj), ``ok`` false where the request must fall back, ``obj``
    the JSON text (spliced into the response as it is, never decoded); None
    when the selection uses a field not written here, or reads nothing beyond the row itself
    (the objects in hand answer that without a statement)."""
    table = ROOTS.get(plan.type_name)
    if table is None:
        return None
    builder = Builder()
    try:
        obj = builder.object(plan, "m")
    except NotSql:
        return None
    if not builder.reads and not unmerged_root:
        return None  # only the row's own columns: Python has them already, no statement needed
    if unmerged_root:  # looked up by id: a merged record is the normal path's to redirect
        builder.guards.append("m.merged_into_id IS NULL")
    ok = " AND ".join(builder.guards) or "true"
    return (
        f"SELECT k.ord, {ok} AS ok, ({obj})::text AS obj "
        f"FROM unnest($1::bigint[]) WITH ORDINALITY AS k(id, ord) "
        f"JOIN {table} m ON m.id = k.id ORDER BY k.ord"
    )
