"""Flow aggregates: moves counted between countries, institutions or parent organisations.

- ``flows``: one cell per (origin, destination, period) with its count.
- ``net_flows``: per (entity, period) the inflow, the outflow and the net. Moves inside one
  entity (a domestic move at country level, a move between two labs of one parent at parent
  level) are neither in nor out.
- ``institution_flow_series``: the same for given institutions, each with its descendants.

The ``move`` filter applies as everywhere else (retracted and rumoured moves are left out by default).
A period groups by the move date truncated to the year, quarter or month; undated moves only
count in ``ALL``. A move known to the year only falls in that year's first quarter or month.

The enums, the small-number rule and these semantics are stated in :mod:`service.domain.flows`;
this is the one SQL implementation of them, shared by GraphQL and REST. It takes the same
:class:`~service.db.queries.moves.MoveFilter` as the moves list (researcher, directional
institutions with descendants, provisional), so a flow and the list of moves behind it agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from service.db.queries.executor import Executor, Params
from service.db.queries.moves import MoveFilter, filter_conditions
from service.db.queries.rollups import Rollup, rollup_for
from service.domain.flows import Level, Period, mark_small

__all__ = [
    "FlowRow",
    "Level",
    "NetFlowRow",
    "Period",
    "SeriesPoint",
    "Weight",
    "flows",
    "flows_sql",
    "institution_flow_series",
    "institution_flow_series_sql",
    "mark_small",
    "net_flows",
    "net_flows_sql",
    "series_source",
    "source",
]


class Weight(Enum):
    """What a flow cell adds up beside its count of moves."""

    COUNT = "count"
    CITATIONS = "citations"


@dataclass(frozen=True, slots=True)
class FlowRow:
    origin: str | int | None
    destination: str | int | None
    period: date | None
    count: int
    citations: int | None = None
    """With ``Weight.CITATIONS``: the movers' citation counts summed (a missing count is 0)."""


@dataclass(frozen=True, slots=True)
class NetFlowRow:
    entity: str | int
    period: date | None
    inflow: int
    outflow: int
    inflow_citations: int | None = None
    """With ``Weight.CITATIONS``: the arrivals' citation counts summed (a missing count is 0)."""
    outflow_citations: int | None = None
    """With ``Weight.CITATIONS``: the departures' citation counts summed."""

    @property
    def net(self) -> int:
        return self.inflow - self.outflow

    @property
    def net_citations(self) -> int | None:
        if self.inflow_citations is None or self.outflow_citations is None:
            return None
        return self.inflow_citations - self.outflow_citations


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    period: date | None
    inflow: int
    outflow: int

    @property
    def net(self) -> int:
        return self.inflow - self.outflow


ROOTS_CTE = """_roots(id, root, depth) AS (
    SELECT id, id, 0 FROM institution WHERE parent_id IS NULL
    UNION ALL
    SELECT i.id, _roots.root, _roots.depth + 1 FROM institution i
    JOIN _roots ON i.parent_id = _roots.id WHERE _roots.depth < 32
)"""


def period_sql(period: Period) -> str:
    if period is Period.ALL:
        return "NULL::date"
    return f"date_trunc('{period.value.lower()}', m.move_date)::date"


def source(
    level: Level, flt: MoveFilter, weight: Weight = Weight.COUNT, *, rollups: bool = True
) -> Rollup | None:
    """The rollup a flow aggregate reads (see :mod:`service.db.queries.rollups`), or None
    for the scan of ``move``. Citation weights read the researchers' current counts, which the
    rollups do not keep."""
    if not rollups or weight is not Weight.COUNT:
        return None
    return rollup_for(flt, institutions=level is not Level.COUNTRY)


def _from(rollup: Rollup | None) -> tuple[str, str]:
    """The FROM item (alias ``m``) and what one of its rows counts."""
    if rollup is None:
        return "move m", "1"
    return f"{rollup.value} m", "m.moves"


def _aggregate(
    level: Level,
    period: Period,
    flt: MoveFilter,
    weight: Weight = Weight.COUNT,
    *,
    rollups: bool = True,
) -> tuple[str, Params]:
    """``WITH ... _flows(o, d, p, n, w)``: moves counted per origin, destination and period,
    and (``Weight.CITATIONS``) the movers' citations summed in ``w`` (NULL otherwise).

    At PARENT level moves are counted per institution pair first, then mapped to top-level
    ancestors; a move inside one organisation is not a flow. The counts come from a rollup
    when one covers the filter (``rollups``), else from the moves themselves.
    """
    table, one = _from(source(level, flt, weight, rollups=rollups))
    p = Params()
    where = filter_conditions(flt, p)
    if period is not Period.ALL:
        where.append("m.move_date IS NOT NULL")
    cond = " AND ".join(f"({w})" for w in where)
    per = period_sql(period)
    if level is Level.COUNTRY:
        sides = "m.from_country, m.to_country"
    else:
        sides = "m.from_institution_id, m.to_institution_id"
    if weight is Weight.CITATIONS:
        agg = (
            f"SELECT {sides}, {per}, count(*), sum(coalesce(_w.cited_by_count, 0)) "
            f"FROM move m JOIN researcher _w ON _w.id = m.researcher_id WHERE {cond} "
            "GROUP BY 1, 2, 3"
        )
    else:
        # a rollup cell may sum to nothing (moves gone, deltas not compacted yet)
        counted = "count(*)" if one == "1" else f"sum({one})"
        having = "" if one == "1" else f" HAVING {counted} <> 0"
        agg = (
            f"SELECT {sides}, {per}, {counted}, NULL::bigint FROM {table} WHERE {cond} "
            f"GROUP BY 1, 2, 3{having}"
        )
    if level is not Level.PARENT:
        return f"WITH _flows(o, d, p, n, w) AS ({agg})", p
    return (
        f"WITH RECURSIVE {ROOTS_CTE}, _inst(o, d, p, n, w) AS ({agg}), "
        "_flows(o, d, p, n, w) AS (SELECT _fr.root, _tr.root, _inst.p, sum(_inst.n), "
        "sum(_inst.w) FROM _inst "
        "LEFT JOIN _roots _fr ON _fr.id = _inst.o LEFT JOIN _roots _tr ON _tr.id = _inst.d "
        "WHERE _fr.root IS DISTINCT FROM _tr.root GROUP BY 1, 2, 3)"
    ), p


def flows_sql(
    level: Level,
    period: Period,
    flt: MoveFilter,
    weight: Weight = Weight.COUNT,
    *,
    rollups: bool = True,
) -> tuple[str, list[object]]:
    """Rows (o, d, p, n, w): NULL is an unknown end; oldest period first, largest first."""
    with_, p = _aggregate(level, period, flt, weight, rollups=rollups)
    sql = (
        f"{with_} SELECT o, d, p, n::int AS n, w::bigint AS w FROM _flows "
        "ORDER BY p NULLS FIRST, n DESC, o NULLS LAST, d NULLS LAST"
    )
    return sql, p.values


def net_flows_sql(
    level: Level,
    period: Period,
    flt: MoveFilter,
    weight: Weight = Weight.COUNT,
    *,
    rollups: bool = True,
) -> tuple[str, list[object]]:
    """Rows (e, p, inflow, outflow, inflow_w, outflow_w) per known entity; moves within one
    entity are left out. ``inflow_w`` and ``outflow_w`` sum the flow cells' citations
    (``Weight.CITATIONS``), so a mover's citations count wherever the mover counts; NULL
    otherwise. The order is by the net count whatever the weight."""
    with_, p = _aggregate(level, period, flt, weight, rollups=rollups)
    sql = f"""
        {with_}
        SELECT e, p, sum(i)::int AS inflow, sum(o)::int AS outflow,
               sum(iw)::bigint AS inflow_w, sum(ow)::bigint AS outflow_w FROM (
            SELECT d AS e, p, n AS i, 0 AS o, w AS iw, 0 * w AS ow FROM _flows
            WHERE d IS NOT NULL AND d IS DISTINCT FROM o
            UNION ALL
            SELECT o AS e, p, 0 AS i, n AS o, 0 * w AS iw, w AS ow FROM _flows
            WHERE o IS NOT NULL AND o IS DISTINCT FROM d
        ) AS _e
        GROUP BY e, p ORDER BY p NULLS FIRST, sum(i) - sum(o) DESC, e
    """
    return sql, p.values


async def flows(
    ex: Executor,
    level: Level,
    period: Period,
    flt: MoveFilter,
    weight: Weight = Weight.COUNT,
    *,
    rollups: bool = True,
) -> list[FlowRow]:
    sql, params = flows_sql(level, period, flt, weight, rollups=rollups)
    rows = await ex.fetch(sql, *params)
    return [FlowRow(r["o"], r["d"], r["p"], r["n"], r["w"]) for r in rows]


async def net_flows(
    ex: Executor,
    level: Level,
    period: Period,
    flt: MoveFilter,
    weight: Weight = Weight.COUNT,
    *,
    rollups: bool = True,
) -> list[NetFlowRow]:
    sql, params = net_flows_sql(level, period, flt, weight, rollups=rollups)
    rows = await ex.fetch(sql, *params)
    return [
        NetFlowRow(r["e"], r["p"], r["inflow"], r["outflow"], r["inflow_w"], r["outflow_w"])
        for r in rows
    ]


def series_source(flt: MoveFilter, *, rollups: bool = True) -> Rollup | None:
    """The rollup an institution series reads (``move_rollup_institution_side``, with the
    moves inside each tree taken back from ``move_rollup_institution``), or None for the scan
    of ``move``: as for flows, when every filter is one a rollup row answers; a filter by a
    second institution reads the moves."""
    if not rollups or rollup_for(flt, institutions=True) is None:
        return None
    return Rollup.INSTITUTION_SIDE


def institution_flow_series_sql(
    institution_ids: Sequence[int], period: Period, flt: MoveFilter, *, rollups: bool = True
) -> tuple[str, list[object]]:
    """Rows (root, p, inflow, outflow) per institution (with its descendants) and period.

    From the rollups when they cover the filter (:func:`series_source`): the cells of the
    tree's institutions through their index, whatever the number of moves; else counted from
    the move table through its institution indexes."""
    p = Params()
    where = filter_conditions(flt, p)
    if period is not Period.ALL:
        where.append("m.move_date IS NOT NULL")
    cond = " AND ".join(f"({w})" for w in where)
    keys = p.add(list(institution_ids), "bigint[]")
    per = period_sql(period)
    sub = f"""
        WITH RECURSIVE _sub(root, id) AS (
            SELECT k, k FROM unnest({keys}) AS k
            UNION SELECT _sub.root, i.id FROM institution i JOIN _sub ON i.parent_id = _sub.id
        )"""
    tail = "GROUP BY root, p HAVING sum(i) <> 0 OR sum(o) <> 0 ORDER BY root, p NULLS FIRST"
    if series_source(flt, rollups=rollups) is not None:
        # A move inside the tree is a cell in and a cell out of it: taken back from the pair
        # rollup, whose (from, to) index finds the tree's pairs.
        sql = f"""{sub}
        SELECT root, p, sum(i)::int AS inflow, sum(o)::int AS outflow FROM (
            SELECT s.root, {per} AS p, CASE WHEN m.inflow THEN m.moves ELSE 0 END AS i,
                   CASE WHEN m.inflow THEN 0 ELSE m.moves END AS o
            FROM _sub s JOIN {Rollup.INSTITUTION_SIDE.value} m ON m.institution_id = s.id
            WHERE {cond}
            UNION ALL
            SELECT s.root, {per} AS p, -m.moves AS i, -m.moves AS o
            FROM _sub s JOIN _sub s2 ON s2.root = s.root
            JOIN {Rollup.INSTITUTION.value} m
              ON m.from_institution_id = s.id AND m.to_institution_id = s2.id
            WHERE {cond}
        ) AS _e
        {tail}
        """
        return sql, p.values
    sql = f"""{sub}
        SELECT root, p, sum(i)::int AS inflow, sum(o)::int AS outflow FROM (
            SELECT s.root, {per} AS p, 1 AS i, 0 AS o FROM move m
            JOIN _sub s ON s.id = m.to_institution_id
            WHERE {cond} AND NOT EXISTS (
                SELECT 1 FROM _sub s2 WHERE s2.root = s.root AND s2.id = m.from_institution_id)
            UNION ALL
            SELECT s.root, {per} AS p, 0 AS i, 1 AS o FROM move m
            JOIN _sub s ON s.id = m.from_institution_id
            WHERE {cond} AND NOT EXISTS (
                SELECT 1 FROM _sub s2 WHERE s2.root = s.root AND s2.id = m.to_institution_id)
        ) AS _e
        {tail}
    """
    return sql, p.values


async def institution_flow_series(
    ex: Executor,
    institution_ids: Sequence[int],
    period: Period,
    flt: MoveFilter,
    *,
    rollups: bool = True,
) -> dict[int, list[SeriesPoint]]:
    """Inflow, outflow and net per period for each institution together with its descendants;
    moves inside that tree are neither in nor out."""
    sql, params = institution_flow_series_sql(institution_ids, period, flt, rollups=rollups)
    rows = await ex.fetch(sql, *params)
    out: dict[int, list[SeriesPoint]] = defaultdict(list)
    for r in rows:
        out[r["root"]].append(SeriesPoint(r["p"], r["inflow"], r["outflow"]))
    return out
