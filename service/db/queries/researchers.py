"""Reading researchers: lookups that follow merge redirects, name search, paged lists."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from service.db.queries.affiliations import CURRENT_SQL as CURRENT
from service.db.queries.executor import Executor, Params
from service.db.queries.pagination import (
    ListQuery,
    Ordering,
    Page,
    PageArgs,
    count,
    count_by,
    fetch_page,
    fetch_pages,
    fetch_tiered_page,
    row_factory,
)
from service.db.queries.sql import (
    in_descendants_sql,
    institutions_condition,
    like_pattern,
    word_start_patterns,
    word_start_regex,
)
from service.domain.names import search_key, search_tokens

COLUMNS = (
    "r.id, r.display_name, r.native_name, r.name_order, r.topics, r.works_count, "
    "r.cited_by_count, r.h_index, r.merged_into_id, r.created_at, r.updated_at"
)


@dataclass(frozen=True, slots=True)
class ResearcherRow:
    id: int
    display_name: str
    native_name: str | None
    name_order: str | None
    topics: list[str]
    works_count: int | None
    cited_by_count: int | None
    h_index: int | None
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ResearcherAliasRow:
    researcher_id: int
    alias: str
    normalized: str
    source: str


@dataclass(frozen=True, slots=True)
class ResearcherExternalIdRow:
    owner_id: int
    scheme: str
    value: str


class ResearcherOrder(Enum):
    NAME = "NAME"
    NAME_DESC = "NAME_DESC"
    CITATIONS = "CITATIONS"
    NEWEST = "NEWEST"
    RELEVANCE = "RELEVANCE"


@dataclass(frozen=True, slots=True)
class ResearcherFilter:
    search: str | None = None
    current_institution: int | None = None
    include_descendants: bool = True
    country: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    has_moved_since: date | None = None


_researcher = row_factory(ResearcherRow)


def ordering(order: ResearcherOrder, search_param: str | None = None) -> Ordering:
    if order is ResearcherOrder.RELEVANCE and search_param is not None:
        return Ordering(
            "RELEVANCE",
            ((f"similarity(r.search_text, {search_param})", "real"), ("r.id", "bigint")),
            descending=True,
        )
    if order is ResearcherOrder.NAME_DESC:
        return Ordering("NAME", (("lower(r.display_name)", "text"), ("r.id", "bigint")), True)
    if order is ResearcherOrder.CITATIONS:
        return Ordering(
            "CITATIONS", (("coalesce(r.cited_by_count, -1)", "integer"), ("r.id", "bigint")), True
        )
    if order is ResearcherOrder.NEWEST:
        return Ordering("NEWEST", (("r.id", "bigint"),), True)
    return Ordering("NAME", (("lower(r.display_name)", "text"), ("r.id", "bigint")))


SHORT_TOKEN = 3  # name tokens shorter than a trigram match at a word's start


def build_query(flt: ResearcherFilter, params: Params | None = None) -> ListQuery:
    q = ListQuery(COLUMNS, "researcher r", ["r.merged_into_id IS NULL"], params or Params())
    p = q.params
    if flt.search is not None:
        tokens = search_tokens(flt.search)
        if not tokens:  # nothing searchable ("%", "_", punctuation): no match, not everyone
            q.where.append("false")
        # One LIKE per token, not LIKE ALL(array): only separate LIKEs can use the trigram index.
        short = {t for t in tokens if len(t) < SHORT_TOKEN and t.isascii() and t.isalnum()}
        for t in tokens:
            if t not in short:
                q.where.append(f"r.search_text LIKE {p.add(like_pattern(t), 'text')}")
            elif len(tokens) > 1:
                # Too short for a trigram: "%li%" reads every researcher (180 ms on 200,000)
                # and finds every Oliver. A short name token matches at the start of a word.
                # Beside other tokens, as one regular expression: the trigram index checks it
                # in the same scan as they are (the two LIKEs below made a BitmapOr of two
                # scans per short token: "camille ma" 8.9 -> 4.8 ms, "li ma" 11.3 -> 4.6 ms).
                # Alone, the two LIKEs are faster: the index then finds thousands of rows,
                # and rechecking a LIKE costs less than a regular expression (34 vs 59 ms).
                q.where.append(f"r.search_text ~ {p.add(word_start_regex(t), 'text')}")
            else:
                start, inner = (p.add(x, "text") for x in word_start_patterns(t))
                q.where.append(f"(r.search_text LIKE {start} OR r.search_text LIKE {inner})")
    if flt.current_institution is not None:
        cond = institutions_condition(
            "a.institution_id", [flt.current_institution], p, descendants=flt.include_descendants
        )
        q.where.append(
            f"EXISTS (SELECT 1 FROM affiliation a WHERE a.researcher_id = r.id AND {CURRENT} "
            f"AND {cond})"
        )
    if flt.country:
        countries = p.add([c.upper() for c in flt.country], "text[]")
        q.where.append(
            "EXISTS (SELECT 1 FROM affiliation a JOIN institution i ON i.id = a.institution_id "
            f"WHERE a.researcher_id = r.id AND {CURRENT} AND i.country_code = ANY({countries}))"
        )
    if flt.topic:
        q.where.append(f"r.topics && {p.add(list(flt.topic), 'text[]')}")
    if flt.has_moved_since is not None:
        q.where.append(
            "EXISTS (SELECT 1 FROM move m WHERE m.researcher_id = r.id "
            "AND m.status NOT IN ('retracted', 'rumoured') AND NOT m.is_visit "
            f"AND m.move_date >= {p.add(flt.has_moved_since, 'date')})"
        )
    return q


def _resolve_order(
    q: ListQuery, flt: ResearcherFilter, order: ResearcherOrder | None, trigram: bool
) -> Ordering:
    tokens = search_tokens(flt.search) if flt.search else []
    if order is None:
        order = ResearcherOrder.RELEVANCE if tokens and trigram else ResearcherOrder.NAME
    if order is ResearcherOrder.RELEVANCE:
        if tokens and trigram:
            return ordering(order, q.params.add(" ".join(tokens), "text"))
        order = ResearcherOrder.NAME
    return ordering(order)


# Exact and prefix matches of a search's name key, first (migration 0015).
KEY_ORDERING = Ordering("NAME_KEY", (("k.key", "text"), ("k.researcher_id", "bigint")))


def key_range(key: str) -> tuple[str, str | None]:
    """The byte-order range of the keys that start with ``key``: ``key <= k < upper`` (no
    upper bound when ``key`` is made of the last code point only). UTF-8's byte order is
    code-point order, so the upper bound is ``key`` with its last code point incremented."""
    chars = list(key)
    while chars:
        code = ord(chars.pop()) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates are not text
            code = 0xE000
        if code <= 0x10FFFF:
            return key, "".join(chars) + chr(code)
    return key, None


def _key_match(column: str, key: str, params: Params) -> str:
    low, high = key_range(key)
    cond = f"{column} >= {params.add(low, 'text')}"
    if high is not None:
        cond += f" AND {column} < {params.add(high, 'text')}"
    return cond


def name_key_tiers(
    flt: ResearcherFilter, order: ResearcherOrder | None, key: str, *, trigram: bool
) -> list[tuple[ListQuery, Ordering]]:
    """A search as two disjoint lists: the researchers with a name key that starts with the
    search's (``researcher_name_key``, in key order: exact matches first, a page read from the
    index), then the other matches of ``build_query`` in ``ordering`` (by similarity through
    the trigram index, by name without pg_trgm: ``order`` as :func:`_resolve_order` reads it).

    A key match matches every token of the search (its tokens are the start of one of the
    forms ``search_text`` joins), so the first list is inside the second's conditions, which
    it leaves out; each researcher appears once, at its first matching key."""
    rest = build_query(flt)
    # Named apart from the same ordering of an untiered list, so that a cursor of that list
    # (a search ordered by NAME, say) is not taken for one of this tier's (without pg_trgm the
    # tier is ordered by name too).
    resolved = _resolve_order(rest, flt, order, trigram)
    ordering = dataclasses.replace(resolved, name=f"AFTER_KEYS_{resolved.name}")
    p = rest.params
    rest.where.append(
        "NOT EXISTS (SELECT 1 FROM researcher_name_key _k WHERE _k.researcher_id = r.id "
        f"AND {_key_match('_k.key', key, p)})"
    )
    first = build_query(dataclasses.replace(flt, search=None))
    first.source = "researcher_name_key k JOIN researcher r ON r.id = k.researcher_id"
    pk = first.params
    first.where.append(_key_match("k.key", key, pk))
    # Not the researcher's first matching key: a smaller one starts with the search too (and
    # is below k.key, itself below the range's end). Without the end in this condition the
    # planner probes the (researcher_id, key) primary key per row instead of rereading the
    # whole range of the key index per row (1,134 heap fetches for a page of "wei zhang").
    first.where.append(
        "NOT EXISTS (SELECT 1 FROM researcher_name_key _k WHERE _k.researcher_id = k.researcher_id "
        f"AND _k.key >= {pk.add(key, 'text')} AND _k.key < k.key)"
    )
    return [(first, KEY_ORDERING), (rest, ordering)]


async def list_researchers(
    ex: Executor,
    flt: ResearcherFilter,
    order: ResearcherOrder | None,
    page: PageArgs,
    *,
    trigram: bool = False,
) -> Page[ResearcherRow]:
    """A page of researchers. A search in relevance order (its default) lists the exact and
    prefix matches of its name key first, then the other matches (:func:`name_key_tiers`)."""
    key = search_key(flt.search) if flt.search is not None else ""
    if key and order in (None, ResearcherOrder.RELEVANCE):
        tiers = name_key_tiers(flt, order, key, trigram=trigram)
        return await fetch_tiered_page(ex, tiers, page, _researcher)
    q = build_query(flt)
    return await fetch_page(ex, q, _resolve_order(q, flt, order, trigram), page, _researcher)


async def count_researchers(ex: Executor, flt: ResearcherFilter) -> int:
    return await count(ex, build_query(flt))


def _current_partition(descendants: bool) -> str:
    target = (
        in_descendants_sql("a.institution_id", "ARRAY[_parent.key]")
        if descendants
        else "a.institution_id = _parent.key"
    )
    return f"EXISTS (SELECT 1 FROM affiliation a WHERE a.researcher_id = r.id AND {CURRENT} AND {target})"


async def current_researchers_pages(
    ex: Executor,
    institution_ids: Sequence[int],
    order: ResearcherOrder | None,
    page: PageArgs,
    *,
    descendants: bool = False,
) -> dict[int, Page[ResearcherRow]]:
    """The researchers currently affiliated with each institution, one page per institution."""
    q = build_query(ResearcherFilter())
    return await fetch_pages(
        ex,
        q,
        ordering(order or ResearcherOrder.NAME),
        page,
        _researcher,
        partition=_current_partition(descendants),
        keys=institution_ids,
    )


async def count_current_researchers(
    ex: Executor, institution_ids: Sequence[int], *, descendants: bool = False
) -> dict[int, int]:
    q = build_query(ResearcherFilter())
    return await count_by(ex, q, partition=_current_partition(descendants), keys=institution_ids)


async def researchers_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, ResearcherRow]:
    """Each id mapped to the researcher it resolves to: itself, or its merge target."""
    rows = await ex.fetch(
        f"""
        WITH RECURSIVE up(key, id, next, depth) AS (
            SELECT id, id, merged_into_id, 0 FROM researcher WHERE id = ANY($1::bigint[])
            UNION ALL
            SELECT up.key, x.id, x.merged_into_id, up.depth + 1
            FROM up JOIN researcher x ON x.id = up.next WHERE up.depth < 64
        )
        SELECT up.key AS _key, {COLUMNS} FROM up JOIN researcher r ON r.id = up.id
        WHERE up.next IS NULL
        """,
        ids,
    )
    return {r["_key"]: _researcher(r) for r in rows}


async def researcher_ids_by_external(
    ex: Executor, scheme: str, values: Sequence[str]
) -> dict[str, int]:
    rows = await ex.fetch(
        "SELECT value, researcher_id FROM researcher_external_id "
        "WHERE scheme = $1 AND value = ANY($2::text[])",
        scheme,
        values,
    )
    return {r["value"]: r["researcher_id"] for r in rows}


_CLUSTER = """
    WITH RECURSIVE c(root, id) AS (
        SELECT k, k FROM unnest($1::bigint[]) AS k
        UNION SELECT c.root, x.id FROM researcher x JOIN c ON x.merged_into_id = c.id
    )
"""


async def aliases_by_researcher_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[ResearcherAliasRow]]:
    """Aliases of each researcher, including those of researchers merged into it."""
    rows = await ex.fetch(
        _CLUSTER + "SELECT c.root AS researcher_id, a.alias, a.normalized, a.source "
        "FROM c JOIN researcher_alias a ON a.researcher_id = c.id ORDER BY c.root, a.id",
        ids,
    )
    out: dict[int, list[ResearcherAliasRow]] = defaultdict(list)
    build = row_factory(ResearcherAliasRow)
    for r in rows:
        out[r["researcher_id"]].append(build(r))
    return out


async def external_ids_by_researcher_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[ResearcherExternalIdRow]]:
    """External ids of each researcher, including those of researchers merged into it."""
    rows = await ex.fetch(
        _CLUSTER + "SELECT c.root AS owner_id, e.scheme, e.value "
        "FROM c JOIN researcher_external_id e ON e.researcher_id = c.id "
        "ORDER BY c.root, e.scheme, e.value",
        ids,
    )
    out: dict[int, list[ResearcherExternalIdRow]] = defaultdict(list)
    build = row_factory(ResearcherExternalIdRow)
    for r in rows:
        out[r["owner_id"]].append(build(r))
    return out
