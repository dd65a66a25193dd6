"""Reading institutions: by id, slug or external id; filtered, ordered and paged lists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from service.db.queries.executor import Executor, Params
from service.db.queries.pagination import (
    ListQuery,
    Ordering,
    Page,
    PageArgs,
    count,
    fetch_page,
    row_factory,
)
from service.db.queries.sql import institutions_condition, like_pattern
from service.domain.names import check_search, fold

COLUMNS = (
    "i.id, i.slug, i.name, i.native_name, i.kind, i.country_code, i.city, i.parent_id, "
    "i.is_site, i.website, i.reviewed, i.created_at, i.updated_at"
)


@dataclass(frozen=True, slots=True)
class InstitutionRow:
    id: int
    slug: str
    name: str
    native_name: str | None
    kind: str
    country_code: str | None
    city: str | None
    parent_id: int | None
    is_site: bool
    website: str | None
    reviewed: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class InstitutionAliasRow:
    institution_id: int
    alias: str
    normalized: str
    lang: str | None
    source: str


@dataclass(frozen=True, slots=True)
class ExternalIdRow:
    owner_id: int
    scheme: str
    value: str


class InstitutionOrder(Enum):
    NAME = "NAME"
    NAME_DESC = "NAME_DESC"
    SLUG = "SLUG"
    NEWEST = "NEWEST"
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True, slots=True)
class InstitutionFilter:
    kind: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    parent: int | None = None
    include_descendants: bool = False
    search: str | None = None


_institution = row_factory(InstitutionRow)


def ordering(order: InstitutionOrder, search_param: str | None = None) -> Ordering:
    if order is InstitutionOrder.RELEVANCE and search_param is not None:
        return Ordering(
            "RELEVANCE",
            ((f"similarity(i.search_text, {search_param})", "real"), ("i.id", "bigint")),
            descending=True,
        )
    if order is InstitutionOrder.NAME_DESC:
        return Ordering("NAME", (("lower(i.name)", "text"), ("i.id", "bigint")), True)
    if order is InstitutionOrder.SLUG:
        return Ordering("SLUG", (("i.slug", "text"), ("i.id", "bigint")))
    if order is InstitutionOrder.NEWEST:
        return Ordering("NEWEST", (("i.id", "bigint"),), True)
    return Ordering("NAME", (("lower(i.name)", "text"), ("i.id", "bigint")))


def search_words(query: str) -> list[str]:
    check_search(query)
    return [w for w in fold(query).split() if w]


def build_query(flt: InstitutionFilter, params: Params | None = None) -> ListQuery:
    q = ListQuery(COLUMNS, "institution i", params=params or Params())
    p = q.params
    if flt.kind:
        q.where.append(f"i.kind = ANY({p.add(list(flt.kind), 'text[]')})")
    if flt.country:
        q.where.append(f"i.country_code = ANY({p.add([c.upper() for c in flt.country], 'text[]')})")
    if flt.parent is not None:
        if flt.include_descendants:
            cond = institutions_condition("i.parent_id", [flt.parent], p, descendants=True)
        else:
            cond = f"i.parent_id = {p.add(flt.parent, 'bigint')}"
        q.where.append(cond)
    if flt.search is not None:
        words = search_words(flt.search)
        if not words:  # nothing searchable ("%", "_", punctuation): no match, not everyone
            q.where.append("false")
        else:
            # One LIKE per word (a trigram index serves ``LIKE $n``, not ``LIKE ALL($n)``), and
            # the name columns as a union, so each can use its own index (0005). The search
            # text holds the folded name, the native name and the aliases known when it was
            # written (every writer of a name writes it); aliases learned later are only in
            # institution_alias. The name itself needs no branch of its own: the words are
            # folded, and a folded word found in lower(name) is in the folded name too.
            pats = [p.add(like_pattern(w), "text") for w in words]

            def every(column: str) -> str:
                return " AND ".join(f"{column} LIKE {pat}" for pat in pats)

            q.where.append(
                f"i.id IN (SELECT id FROM institution WHERE {every('search_text')} "
                f"UNION ALL SELECT institution_id FROM institution_alias "
                f"WHERE {every('normalized')})"
            )
    return q


async def list_institutions(
    ex: Executor,
    flt: InstitutionFilter,
    order: InstitutionOrder | None,
    page: PageArgs,
    *,
    trigram: bool = False,
) -> Page[InstitutionRow]:
    q = build_query(flt)
    order = order or (
        InstitutionOrder.RELEVANCE if flt.search and trigram else InstitutionOrder.NAME
    )
    search_param = None
    if order is InstitutionOrder.RELEVANCE:
        if flt.search and trigram:
            search_param = q.params.add(" ".join(search_words(flt.search)), "text")
        else:
            order = InstitutionOrder.NAME
    return await fetch_page(ex, q, ordering(order, search_param), page, _institution)


async def count_institutions(ex: Executor, flt: InstitutionFilter) -> int:
    return await count(ex, build_query(flt))


async def institutions_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, InstitutionRow]:
    rows = await ex.fetch(
        f"SELECT {COLUMNS} FROM institution i WHERE i.id = ANY($1::bigint[])", ids
    )
    return {r["id"]: _institution(r) for r in rows}


async def institution_ids_by_slugs(ex: Executor, slugs: Sequence[str]) -> dict[str, int]:
    rows = await ex.fetch("SELECT slug, id FROM institution WHERE slug = ANY($1::text[])", slugs)
    return {r["slug"]: r["id"] for r in rows}


async def institution_ids_by_external(
    ex: Executor, scheme: str, values: Sequence[str]
) -> dict[str, int]:
    rows = await ex.fetch(
        "SELECT value, institution_id FROM institution_external_id "
        "WHERE scheme = $1 AND value = ANY($2::text[])",
        scheme,
        values,
    )
    return {r["value"]: r["institution_id"] for r in rows}


async def aliases_by_institution_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[InstitutionAliasRow]]:
    rows = await ex.fetch(
        "SELECT institution_id, alias, normalized, lang, source FROM institution_alias "
        "WHERE institution_id = ANY($1::bigint[]) ORDER BY institution_id, id",
        ids,
    )
    out: dict[int, list[InstitutionAliasRow]] = defaultdict(list)
    build = row_factory(InstitutionAliasRow)
    for r in rows:
        out[r["institution_id"]].append(build(r))
    return out


async def external_ids_by_institution_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[ExternalIdRow]]:
    rows = await ex.fetch(
        "SELECT institution_id AS owner_id, scheme, value FROM institution_external_id "
        "WHERE institution_id = ANY($1::bigint[]) ORDER BY institution_id, scheme",
        ids,
    )
    out: dict[int, list[ExternalIdRow]] = defaultdict(list)
    build = row_factory(ExternalIdRow)
    for r in rows:
        out[r["owner_id"]].append(build(r))
    return out


async def children_by_parent_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[InstitutionRow]]:
    rows = await ex.fetch(
        f"SELECT {COLUMNS} FROM institution i WHERE i.parent_id = ANY($1::bigint[]) "
        "ORDER BY lower(i.name), i.id",
        ids,
    )
    out: dict[int, list[InstitutionRow]] = defaultdict(list)
    for r in rows:
        out[r["parent_id"]].append(_institution(r))
    return out


async def has_trigram(ex: Executor) -> bool:
    """Whether pg_trgm is installed in this database (similarity ordering needs it)."""
    value: bool = await ex.fetchval(
        "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')"
    )
    return value


@dataclass(frozen=True, slots=True)
class RelationRow:
    """One predecessor → successor relation seen from one side: ``other_id`` is the other."""

    other_id: int
    kind: str
    relation_date: date | None
    date_precision: str | None
    note: str | None


async def relations_of(ex: Executor, institution_id: int, direction: str) -> list[RelationRow]:
    """The institution's predecessors (``direction="predecessors"``) or successors, by date."""
    mine, other = (
        ("successor_id", "predecessor_id")
        if direction == "predecessors"
        else ("predecessor_id", "successor_id")
    )
    rows = await ex.fetch(
        f"SELECT {other} AS other_id, kind, relation_date, date_precision, note "
        f"FROM institution_relation WHERE {mine} = $1 ORDER BY relation_date, id",
        institution_id,
    )
    return [RelationRow(**dict(r)) for r in rows]
