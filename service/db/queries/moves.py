"""Reading moves: typed filters, keyset-paged lists, per-researcher and per-institution lists.

Retracted and rumoured moves are left out unless the filter asks for them by status; visits (a
short stint away from a home institution, see :mod:`service.domain.moves`) and dual
affiliations (a stint abroad while staying at home, see :mod:`service.domain.move_classes`)
unless it asks for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from service.db.queries.cohorts import top_cited_condition
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
    row_factory,
)
from service.db.queries.sql import in_descendants_sql, institutions_condition, researcher_root_sql

COLUMNS = (
    "m.id, m.researcher_id, m.from_institution_id, m.to_institution_id, m.from_country, "
    "m.to_country, m.move_date, m.date_precision, m.kind, m.cross_border, m.is_returnee, "
    "m.status, m.confidence, m.provisional, m.origin, m.created_at, m.updated_at, "
    "m.is_visit, m.date_earliest, m.earliest_precision, m.date_latest, m.latest_precision, "
    "m.reasons, m.doubts, m.is_dual_affiliation, m.is_first_job_after_doctorate"
)

# Undated moves sort as the oldest; the same expression is indexed (migration 0002).
DATE_KEY = "coalesce(m.move_date, date '0001-01-01')"


@dataclass(frozen=True, slots=True)
class MoveRow:
    id: int
    researcher_id: int
    from_institution_id: int | None
    to_institution_id: int | None
    from_country: str | None
    to_country: str | None
    move_date: date | None
    date_precision: str | None
    kind: str
    cross_border: bool
    is_returnee: bool
    status: str
    confidence: float
    provisional: bool
    origin: str
    created_at: datetime
    updated_at: datetime
    is_visit: bool = False
    date_earliest: date | None = None
    earliest_precision: str | None = None
    date_latest: date | None = None
    latest_precision: str | None = None
    reasons: Any = None
    doubts: Any = ()
    is_dual_affiliation: bool = False
    is_first_job_after_doctorate: bool = False


class MoveOrder(Enum):
    DATE_DESC = "DATE_DESC"
    DATE_ASC = "DATE_ASC"
    CONFIDENCE_DESC = "CONFIDENCE_DESC"
    NEWEST = "NEWEST"


@dataclass(frozen=True, slots=True)
class MoveFilter:
    researcher: int | None = None
    from_institution: int | None = None
    to_institution: int | None = None
    include_descendants: bool = True
    from_country: tuple[str, ...] = ()
    to_country: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    kind: tuple[str, ...] = ()
    status: tuple[str, ...] = ()
    min_confidence: float | None = None
    topic: tuple[str, ...] = ()
    cross_border_only: bool = False
    provisional: bool | None = None
    origin: tuple[str, ...] = ()
    include_visits: bool = False
    returnee: bool | None = None
    min_h_index: int | None = None
    min_citations: int | None = None
    include_dual_affiliations: bool = False
    dual_affiliation: bool | None = None
    first_job_after_doctorate: bool | None = None
    top_cited_percent: float | None = None
    """Only researchers in the top N % by citations within ``topic`` (within everyone if no
    topic): see :mod:`service.db.queries.cohorts`."""


_move = row_factory(MoveRow)


def ordering(order: MoveOrder) -> Ordering:
    if order is MoveOrder.DATE_ASC:
        return Ordering("DATE", ((DATE_KEY, "date"), ("m.id", "bigint")))
    if order is MoveOrder.CONFIDENCE_DESC:
        return Ordering("CONFIDENCE", (("m.confidence", "float8"), ("m.id", "bigint")), True)
    if order is MoveOrder.NEWEST:
        return Ordering("NEWEST", (("m.id", "bigint"),), True)
    return Ordering("DATE", ((DATE_KEY, "date"), ("m.id", "bigint")), True)


def filter_conditions(flt: MoveFilter, p: Params) -> list[str]:
    """The WHERE conditions (on alias ``m``) for a move filter."""
    where: list[str] = []
    if flt.status:
        where.append(f"m.status = ANY({p.add(list(flt.status), 'text[]')})")
    else:
        where.append("m.status NOT IN ('retracted', 'rumoured')")
    if flt.researcher is not None:
        where.append(f"m.researcher_id = {researcher_root_sql(p.add(flt.researcher, 'bigint'))}")
    if flt.from_institution is not None:
        where.append(
            institutions_condition(
                "m.from_institution_id",
                [flt.from_institution],
                p,
                descendants=flt.include_descendants,
            )
        )
    if flt.to_institution is not None:
        where.append(
            institutions_condition(
                "m.to_institution_id",
                [flt.to_institution],
                p,
                descendants=flt.include_descendants,
            )
        )
    if flt.from_country:
        where.append(
            f"m.from_country = ANY({p.add([c.upper() for c in flt.from_country], 'text[]')})"
        )
    if flt.to_country:
        where.append(f"m.to_country = ANY({p.add([c.upper() for c in flt.to_country], 'text[]')})")
    if flt.date_from is not None:
        where.append(f"m.move_date >= {p.add(flt.date_from, 'date')}")
    if flt.date_to is not None:
        where.append(f"m.move_date <= {p.add(flt.date_to, 'date')}")
    if flt.kind:
        where.append(f"m.kind = ANY({p.add(list(flt.kind), 'text[]')})")
    if flt.min_confidence is not None:
        where.append(f"m.confidence >= {p.add(flt.min_confidence, 'float8')}")
    if flt.topic:
        where.append(
            "EXISTS (SELECT 1 FROM researcher _t WHERE _t.id = m.researcher_id "
            f"AND _t.topics && {p.add(list(flt.topic), 'text[]')})"
        )
    if flt.cross_border_only:
        where.append("m.cross_border")
    if flt.provisional is not None:
        where.append(f"m.provisional = {p.add(flt.provisional, 'boolean')}")
    if flt.origin:
        where.append(f"m.origin = ANY({p.add(list(flt.origin), 'text[]')})")
    if not flt.include_visits:
        where.append("NOT m.is_visit")
    if flt.dual_affiliation is not None:
        where.append(f"m.is_dual_affiliation = {p.add(flt.dual_affiliation, 'boolean')}")
    elif not flt.include_dual_affiliations:
        where.append("NOT m.is_dual_affiliation")
    if flt.top_cited_percent is not None:
        where.append(top_cited_condition("m.researcher_id", flt.top_cited_percent, flt.topic, p))
    if flt.first_job_after_doctorate is not None:
        where.append(
            f"m.is_first_job_after_doctorate = {p.add(flt.first_job_after_doctorate, 'boolean')}"
        )
    if flt.returnee is not None:
        where.append(f"m.is_returnee = {p.add(flt.returnee, 'boolean')}")
    if flt.min_h_index is not None:
        where.append(
            "EXISTS (SELECT 1 FROM researcher _h WHERE _h.id = m.researcher_id "
            f"AND _h.h_index >= {p.add(flt.min_h_index, 'int')})"
        )
    if flt.min_citations is not None:
        where.append(
            "EXISTS (SELECT 1 FROM researcher _c WHERE _c.id = m.researcher_id "
            f"AND _c.cited_by_count >= {p.add(flt.min_citations, 'int')})"
        )
    return where


def build_query(flt: MoveFilter) -> ListQuery:
    q = ListQuery(COLUMNS, "move m")
    q.where.extend(filter_conditions(flt, q.params))
    return q


async def list_moves(
    ex: Executor, flt: MoveFilter, order: MoveOrder | None, page: PageArgs
) -> Page[MoveRow]:
    return await fetch_page(
        ex, build_query(flt), ordering(order or MoveOrder.DATE_DESC), page, _move
    )


async def count_moves(ex: Executor, flt: MoveFilter) -> int:
    return await count(ex, build_query(flt))


def _institution_partition(direction: str, descendants: bool) -> str:
    column = "m.to_institution_id" if direction == "in" else "m.from_institution_id"
    if descendants:
        return in_descendants_sql(column, "ARRAY[_parent.key]")
    return f"{column} = _parent.key"


async def institution_moves_pages(
    ex: Executor,
    direction: str,
    institution_ids: Sequence[int],
    flt: MoveFilter,
    order: MoveOrder | None,
    page: PageArgs,
    *,
    descendants: bool = False,
) -> dict[int, Page[MoveRow]]:
    """Moves into (``direction="in"``) or out of each institution, one page per institution."""
    return await fetch_pages(
        ex,
        build_query(flt),
        ordering(order or MoveOrder.DATE_DESC),
        page,
        _move,
        partition=_institution_partition(direction, descendants),
        keys=institution_ids,
        fenced=True,
    )


async def count_institution_moves(
    ex: Executor,
    direction: str,
    institution_ids: Sequence[int],
    flt: MoveFilter,
    *,
    descendants: bool = False,
) -> dict[int, int]:
    return await count_by(
        ex,
        build_query(flt),
        partition=_institution_partition(direction, descendants),
        keys=institution_ids,
    )


async def moves_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, MoveRow]:
    rows = await ex.fetch(f"SELECT {COLUMNS} FROM move m WHERE m.id = ANY($1::bigint[])", ids)
    return {r["id"]: _move(r) for r in rows}


async def moves_by_researcher_ids(
    ex: Executor, ids: Sequence[int], *, include_retracted: bool = False
) -> dict[int, list[MoveRow]]:
    """Each researcher's moves (retracted and rumoured ones left out unless asked), oldest
    first."""
    rows = await ex.fetch(
        f"SELECT {COLUMNS} FROM move m WHERE m.researcher_id = ANY($1::bigint[]) "
        f"AND ($2 OR m.status NOT IN ('retracted', 'rumoured')) ORDER BY m.researcher_id, {DATE_KEY}, m.id",
        ids,
        include_retracted,
    )
    out: dict[int, list[MoveRow]] = defaultdict(list)
    for r in rows:
        out[r["researcher_id"]].append(_move(r))
    return out


async def move_matches(ex: Executor, move_id: int, flt: MoveFilter) -> MoveRow | None:
    """The move if it exists and passes ``flt`` (how subscriptions filter notifications)."""
    q = build_query(flt)
    cond = f"m.id = {q.params.add(move_id, 'bigint')}"
    row = await ex.fetchrow(
        f"SELECT {COLUMNS} FROM move m WHERE {q.where_sql([cond])}", *q.params.values
    )
    return _move(row) if row is not None else None
