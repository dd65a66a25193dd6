"""Hiring signals from job postings, and the job-postings list with its filters.

A posting is *open* from its opening time until its ``closed_at`` (exclusive). The opening time
is ``posted_at`` when the board gives one, else the time we first saw it. For each entity (an
institution or a country) and each period (a UTC calendar month, quarter or year),
:func:`hiring_signals` counts:

- ``open_postings`` / ``open_research_postings``: postings open at the end of the period (for the
  current period: open now), all of them / research roles only;
- ``newly_opened``: postings whose opening time falls in the period;
- ``closed``: postings closed in the period.

Every count obeys the filter. Periods in which an entity had nothing open, opened or closed are
left out. At the ``INSTITUTION`` level each posting counts for the institution of its board (a
filter on Alphabet with descendants gives rows for Google DeepMind, Google Research, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum

from service.db.queries.executor import Executor, Params
from service.db.queries.job_postings import COLUMNS, ORDERING, JobPostingRow
from service.db.queries.pagination import (
    ListQuery,
    Page,
    PageArgs,
    count,
    fetch_page,
    row_factory,
)
from service.db.queries.sql import institutions_condition
from service.errors import LimitExceeded, UserError

__all__ = [
    "MAX_PERIODS",
    "HiringLevel",
    "HiringPeriod",
    "HiringSignalRow",
    "JobPostingsFilter",
    "count_job_postings",
    "hiring_signals",
    "job_postings_page",
    "postings_query",
]

MAX_PERIODS = 600
OPENED_AT = "coalesce(j.posted_at, j.first_seen_at)"


class HiringLevel(Enum):
    INSTITUTION = "institution"
    COUNTRY = "country"


class HiringPeriod(Enum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_STEP = {
    HiringPeriod.MONTH: "1 month",
    HiringPeriod.QUARTER: "3 months",
    HiringPeriod.YEAR: "1 year",
}


@dataclass(frozen=True, slots=True)
class JobPostingsFilter:
    """Which postings. Every condition given must hold; empty tuples mean "any"."""

    institution_ids: tuple[int, ...] = ()
    include_descendants: bool = True
    country_codes: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    """Any of these topics."""
    research_only: bool = False
    open_only: bool = False
    """Open now (not closed)."""
    open_at: datetime | None = None
    """Open at this time: opened at or before it and not closed by then."""
    sources: tuple[str, ...] = ()
    """Board systems (``greenhouse``, ``lever``, ``ashby``, ...)."""
    remote: bool | None = None
    """True: remote postings only; False: none of them."""
    posted_since: datetime | None = None
    """Posted (or first seen) at or after this time."""


@dataclass(frozen=True, slots=True)
class HiringSignalRow:
    institution_id: int | None
    """Set at the INSTITUTION level."""
    country_code: str | None
    """Set at the COUNTRY level."""
    period_start: date
    period_end: date
    """Exclusive: the first day of the next period."""
    open_postings: int
    open_research_postings: int
    newly_opened: int
    closed: int


def _where(flt: JobPostingsFilter, params: Params) -> list[str]:
    where: list[str] = []
    if flt.institution_ids:
        where.append(
            institutions_condition(
                "j.institution_id",
                list(flt.institution_ids),
                params,
                descendants=flt.include_descendants,
            )
        )
    if flt.country_codes:
        where.append(f"j.country_code = ANY({params.add(list(flt.country_codes), 'text[]')})")
    if flt.topics:
        where.append(f"j.topics && {params.add(list(flt.topics), 'text[]')}")
    if flt.research_only:
        where.append("j.is_research")
    if flt.open_only:
        where.append("j.closed_at IS NULL")
    if flt.open_at is not None:
        at = params.add(flt.open_at, "timestamptz")
        where.append(f"{OPENED_AT} <= {at} AND (j.closed_at IS NULL OR j.closed_at > {at})")
    if flt.sources:
        where.append(f"j.source = ANY({params.add(list(flt.sources), 'text[]')})")
    if flt.remote is not None:
        where.append(f"j.remote = {params.add(flt.remote, 'boolean')}")
    if flt.posted_since is not None:
        where.append(f"{OPENED_AT} >= {params.add(flt.posted_since, 'timestamptz')}")
    return where


def postings_query(flt: JobPostingsFilter) -> ListQuery:
    q = ListQuery(COLUMNS, "job_posting j")
    q.where.extend(_where(flt, q.params))
    return q


_posting = row_factory(JobPostingRow)


async def job_postings_page(
    ex: Executor, flt: JobPostingsFilter, page: PageArgs
) -> Page[JobPostingRow]:
    """One page of postings matching ``flt``, newest (posted, else first seen) first."""
    return await fetch_page(ex, postings_query(flt), ORDERING, page, _posting)


async def count_job_postings(ex: Executor, flt: JobPostingsFilter) -> int:
    return await count(ex, postings_query(flt))


def _utc(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _index(period: HiringPeriod, day: date | datetime) -> int:
    """The period holding ``day``, numbered from year 0."""
    if period is HiringPeriod.YEAR:
        return day.year
    if period is HiringPeriod.QUARTER:
        return day.year * 4 + (day.month - 1) // 3
    return day.year * 12 + day.month - 1


def check_span(
    period: HiringPeriod,
    since: date | datetime | None,
    until: date | datetime | None,
    now: datetime | None = None,
) -> None:
    """Refuse, before any SQL, a series longer than ``MAX_PERIODS`` periods: from ``since``
    to ``until`` (default now), or from now to an ``until`` in the future. Each period is a
    row per entity and a pass over the postings, so the span bounds the statement's cost."""
    today = _utc(now or datetime.now(UTC))
    end = _utc(until) if until is not None else today
    start = _utc(since) if since is not None else min(today, end)
    periods = _index(period, end) - _index(period, start) + 1
    if periods > MAX_PERIODS:
        raise LimitExceeded(
            f"since/until span {periods} {period.value} periods; at most {MAX_PERIODS} "
            f"(about {_SPAN_HINT[period]}). Narrow since/until or use a longer period.",
            field="since" if since is not None else "until",
            maximum=MAX_PERIODS,
        )


_SPAN_HINT = {
    HiringPeriod.MONTH: f"{MAX_PERIODS // 12} years",
    HiringPeriod.QUARTER: f"{MAX_PERIODS // 4} years",
    HiringPeriod.YEAR: f"{MAX_PERIODS} years",
}


def hiring_signals_sql(
    level: HiringLevel,
    period: HiringPeriod,
    flt: JobPostingsFilter,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    now: datetime | None = None,
) -> tuple[str, list[object]]:
    """The statement behind :func:`hiring_signals` and its parameters."""
    params = Params()
    where = _where(flt, params)
    entity = "j.institution_id" if level is HiringLevel.INSTITUTION else "j.country_code"
    where.append(f"{entity} IS NOT NULL")
    unit = period.value
    step = f"interval '{_STEP[period]}'"  # a constant of this module, not user input
    now_p = params.add(_utc(now or datetime.now(UTC)), "timestamptz")
    since_p = params.add(_utc(since) if since is not None else None, "timestamptz")
    until_p = params.add(_utc(until) if until is not None else None, "timestamptz")
    max_p = params.add(MAX_PERIODS, "int")
    sql = f"""
WITH p AS (
    SELECT {entity} AS entity, ({OPENED_AT} AT TIME ZONE 'UTC') AS opened,
           (j.closed_at AT TIME ZONE 'UTC') AS closed, j.is_research
    FROM job_posting j
    WHERE {" AND ".join(f"({w})" for w in where)}
),
bounds AS (
    SELECT date_trunc('{unit}', coalesce({since_p} AT TIME ZONE 'UTC', min(p.opened))) AS lo,
           date_trunc('{unit}', coalesce({until_p}, {now_p}) AT TIME ZONE 'UTC') AS hi
    FROM p
),
periods AS (
    SELECT s AS period_start, s + {step} AS period_end
    FROM bounds, generate_series(bounds.lo, bounds.hi, {step}) AS s
    LIMIT {max_p} + 1
)
SELECT p.entity, periods.period_start::date AS period_start,
       periods.period_end::date AS period_end,
       count(*) FILTER (WHERE p.opened < periods.period_end
                         AND (p.closed IS NULL OR p.closed >= periods.period_end))
           AS open_postings,
       count(*) FILTER (WHERE p.is_research AND p.opened < periods.period_end
                         AND (p.closed IS NULL OR p.closed >= periods.period_end))
           AS open_research_postings,
       count(*) FILTER (WHERE p.opened >= periods.period_start
                         AND p.opened < periods.period_end) AS newly_opened,
       count(*) FILTER (WHERE p.closed >= periods.period_start
                         AND p.closed < periods.period_end) AS closed,
       (SELECT count(*) FROM periods) AS n_periods
FROM periods
JOIN p ON p.opened < periods.period_end
      AND (p.closed IS NULL OR p.closed >= periods.period_start)
GROUP BY p.entity, periods.period_start, periods.period_end
ORDER BY p.entity, periods.period_start
"""
    return sql, params.values


async def hiring_signals(
    ex: Executor,
    level: HiringLevel,
    period: HiringPeriod,
    flt: JobPostingsFilter | None = None,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    now: datetime | None = None,
) -> list[HiringSignalRow]:
    """Per entity and period: open postings at the period's end, newly opened, closed.

    The series runs from the period of ``since`` (default: of the earliest matching posting)
    to the period of ``until`` (default: now), at most ``MAX_PERIODS`` periods.
    """
    flt = flt or JobPostingsFilter()
    if since is not None and until is not None and _utc(until) < _utc(since):
        raise UserError("`until` is before `since`", field="until")
    check_span(period, since, until, now)
    sql, args = hiring_signals_sql(level, period, flt, since, until, now)
    rows = await ex.fetch(sql, *args)
    if rows and rows[0]["n_periods"] > MAX_PERIODS:
        raise LimitExceeded(
            f"the series has more than {MAX_PERIODS} periods; narrow it with since/until "
            "or a longer period",
            field="period",
            maximum=MAX_PERIODS,
        )
    institution = level is HiringLevel.INSTITUTION
    return [
        HiringSignalRow(
            institution_id=r["entity"] if institution else None,
            country_code=None if institution else r["entity"],
            period_start=r["period_start"],
            period_end=r["period_end"],
            open_postings=r["open_postings"],
            open_research_postings=r["open_research_postings"],
            newly_opened=r["newly_opened"],
            closed=r["closed"],
        )
        for r in rows
    ]


def signals_by_entity(
    rows: Sequence[HiringSignalRow],
) -> dict[int | str, list[HiringSignalRow]]:
    """Rows grouped by their entity (institution id or country code), in period order."""
    out: dict[int | str, list[HiringSignalRow]] = {}
    for row in rows:
        key: int | str | None = (
            row.institution_id if row.institution_id is not None else row.country_code
        )
        if key is not None:
            out.setdefault(key, []).append(row)
    return out
