"""Flow aggregates over the ``move`` table, as SQL text plus bind parameters.

Pure builders: each returns ``(sql, params)`` for asyncpg's ``$n`` placeholders; every value a
user gave travels as a bind parameter, and only fixed fragments chosen from enums are written
into the text.

Choices, stated once:

- ``Level.COUNTRY`` groups by ``from_country``/``to_country``; ``INSTITUTION`` by the move's
  institution ids (a site row is its own entity); ``PARENT`` by the top-level ancestor, found
  with a recursive CTE over ``institution`` and joined *after* the moves are aggregated (the
  aggregate has at most a few hundred thousand groups even over millions of moves). At the
  PARENT level a move inside one organisation (Google Research → Google DeepMind, both
  Alphabet) is not a flow and is left out.
- An unknown end is a NULL origin or destination.
- ``Period`` truncates ``move_date``; a move known only to the year is counted at the start of
  its year at QUARTER or MONTH periods. Moves without a date have a NULL period (and are left
  out whenever a date bound is given). ``ALL`` gives one NULL period.
- ``date_from`` and ``date_to`` are both inclusive.
- Net flows leave out moves whose origin and destination are the same entity (a domestic move
  changes no country's balance).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

logger = logging.getLogger(__name__)

MOVE_KINDS = frozenset(
    {
        "academia_to_industry",
        "industry_to_academia",
        "industry_to_industry",
        "academia_to_academia",
        "unknown",
    }
)
MOVE_STATUSES = frozenset({"reported", "corroborated", "confirmed", "retracted"})
DEFAULT_STATUSES: tuple[str, ...] = ("reported", "corroborated", "confirmed")
SMALL_COUNT_THRESHOLD = 5


class Level(Enum):
    COUNTRY = "country"
    INSTITUTION = "institution"
    PARENT = "parent"


class Period(Enum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True)
class FlowFilter:
    date_from: date | None = None
    date_to: date | None = None
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    min_confidence: float | None = None
    topics: tuple[str, ...] = ()
    cross_border_only: bool = False
    from_countries: tuple[str, ...] = ()
    to_countries: tuple[str, ...] = ()
    institution_ids: tuple[int, ...] = ()
    include_provisional: bool = True

    def validate(self) -> None:
        """Raise ValueError for values the schema cannot hold."""
        unknown = set(self.kinds) - MOVE_KINDS
        if unknown:
            raise ValueError(f"unknown move kinds: {sorted(unknown)}")
        unknown = set(self.statuses) - MOVE_STATUSES
        if unknown:
            raise ValueError(f"unknown move statuses: {sorted(unknown)}")
        if self.min_confidence is not None and not 0.0 <= self.min_confidence <= 1.0:
            raise ValueError("min_confidence must be between 0 and 1")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        for code in (*self.from_countries, *self.to_countries):
            if len(code) != 2 or not code.isalpha():
                raise ValueError(f"not a country code: {code!r}")


class _Params:
    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


_PERIOD_SQL = {
    Period.YEAR: "date_trunc('year', mv.move_date)::date",
    Period.QUARTER: "date_trunc('quarter', mv.move_date)::date",
    Period.MONTH: "date_trunc('month', mv.move_date)::date",
    Period.ALL: "NULL::date",
}


def _where(flt: FlowFilter, params: _Params) -> str:
    flt.validate()
    clauses: list[str] = []
    statuses = flt.statuses or DEFAULT_STATUSES
    clauses.append(f"mv.status = ANY({params.add(list(statuses))}::text[])")
    if flt.date_from is not None:
        clauses.append(f"mv.move_date >= {params.add(flt.date_from)}::date")
    if flt.date_to is not None:
        clauses.append(f"mv.move_date <= {params.add(flt.date_to)}::date")
    if flt.kinds:
        clauses.append(f"mv.kind = ANY({params.add(list(flt.kinds))}::text[])")
    if flt.min_confidence is not None:
        clauses.append(f"mv.confidence >= {params.add(float(flt.min_confidence))}::real")
    if flt.topics:
        clauses.append(
            "EXISTS (SELECT 1 FROM researcher r WHERE r.id = mv.researcher_id "
            f"AND r.topics && {params.add(list(flt.topics))}::text[])"
        )
    if flt.cross_border_only:
        clauses.append("mv.cross_border")
    if flt.from_countries:
        codes = [c.upper() for c in flt.from_countries]
        clauses.append(f"mv.from_country = ANY({params.add(codes)}::text[])")
    if flt.to_countries:
        codes = [c.upper() for c in flt.to_countries]
        clauses.append(f"mv.to_country = ANY({params.add(codes)}::text[])")
    if flt.institution_ids:
        ids = params.add([int(i) for i in flt.institution_ids])
        clauses.append(
            f"(mv.from_institution_id = ANY({ids}::bigint[]) "
            f"OR mv.to_institution_id = ANY({ids}::bigint[]))"
        )
    if not flt.include_provisional:
        clauses.append("NOT mv.provisional")
    return " AND ".join(clauses)


def _flows_body(level: Level, period: Period, flt: FlowFilter, params: _Params) -> str:
    """A query yielding (origin, destination, period_start, count)."""
    where = _where(flt, params)
    period_sql = _PERIOD_SQL[period]
    if level is Level.COUNTRY:
        return (
            "SELECT mv.from_country AS origin, mv.to_country AS destination, "
            f"{period_sql} AS period_start, count(*)::bigint AS count "
            f"FROM move mv WHERE {where} GROUP BY 1, 2, 3"
        )
    aggregated = (
        "SELECT mv.from_institution_id AS origin, mv.to_institution_id AS destination, "
        f"{period_sql} AS period_start, count(*)::bigint AS count "
        f"FROM move mv WHERE {where} GROUP BY 1, 2, 3"
    )
    if level is Level.INSTITUTION:
        return aggregated
    return (
        "WITH RECURSIVE tree AS ("
        "SELECT id, id AS top FROM institution WHERE parent_id IS NULL "
        "UNION ALL SELECT i.id, t.top FROM institution i JOIN tree t ON i.parent_id = t.id"
        f"), agg AS ({aggregated}) "
        "SELECT fo.top AS origin, td.top AS destination, agg.period_start, "
        "sum(agg.count)::bigint AS count FROM agg "
        "LEFT JOIN tree fo ON fo.id = agg.origin "
        "LEFT JOIN tree td ON td.id = agg.destination "
        "WHERE fo.top IS DISTINCT FROM td.top "
        "GROUP BY 1, 2, 3"
    )


def flows_sql(level: Level, period: Period, flt: FlowFilter) -> tuple[str, list[Any]]:
    """Rows (origin, destination, period_start, count), oldest period first, largest first.

    Origin and destination are country codes at ``Level.COUNTRY`` and institution ids
    otherwise; NULL is an unknown end.
    """
    params = _Params()
    body = _flows_body(level, period, flt, params)
    sql = (
        f"SELECT origin, destination, period_start, count FROM ({body}) f "
        "ORDER BY period_start NULLS FIRST, count DESC, origin NULLS LAST, destination NULLS LAST"
    )
    return sql, params.values


def net_flows_sql(level: Level, period: Period, flt: FlowFilter) -> tuple[str, list[Any]]:
    """Rows (entity, period_start, inflow, outflow, net) per known entity and period."""
    params = _Params()
    body = _flows_body(level, period, flt, params)
    sql = (
        f"WITH flows AS ({body}), sides AS ("
        "SELECT destination AS entity, period_start, count AS inflow, 0::bigint AS outflow "
        "FROM flows WHERE destination IS NOT NULL AND origin IS DISTINCT FROM destination "
        "UNION ALL "
        "SELECT origin AS entity, period_start, 0::bigint AS inflow, count AS outflow "
        "FROM flows WHERE origin IS NOT NULL AND origin IS DISTINCT FROM destination) "
        "SELECT entity, period_start, sum(inflow)::bigint AS inflow, "
        "sum(outflow)::bigint AS outflow, (sum(inflow) - sum(outflow))::bigint AS net "
        "FROM sides GROUP BY entity, period_start "
        "ORDER BY period_start NULLS FIRST, net DESC, entity"
    )
    return sql, params.values


def mark_small(count: int, threshold: int = SMALL_COUNT_THRESHOLD) -> bool:
    """Whether a count is too small to show without a caution (fewer than ``threshold``)."""
    return count < threshold
