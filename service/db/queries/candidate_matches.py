"""Reading candidate matches: pairs of researchers that may be the same person."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.db.queries.executor import Executor
from service.db.queries.pagination import (
    ListQuery,
    Ordering,
    Page,
    PageArgs,
    count,
    fetch_page,
    row_factory,
)

COLUMNS = (
    "c.id, c.researcher_id, c.candidate_id, c.score, c.reasons, c.status, c.created_at, "
    "c.resolved_at, c.resolved_by"
)
ORDERING = Ordering("SCORE", (("c.score", "float8"), ("c.id", "bigint")), True)


@dataclass(frozen=True, slots=True)
class CandidateMatchRow:
    id: int
    researcher_id: int
    candidate_id: int
    score: float
    reasons: Any
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None


@dataclass(frozen=True, slots=True)
class CandidateMatchFilter:
    status: tuple[str, ...] = ()
    min_score: float | None = None


_match = row_factory(CandidateMatchRow)


def build_query(flt: CandidateMatchFilter) -> ListQuery:
    q = ListQuery(COLUMNS, "candidate_match c")
    if flt.status:
        q.where.append(f"c.status = ANY({q.params.add(list(flt.status), 'text[]')})")
    if flt.min_score is not None:
        q.where.append(f"c.score >= {q.params.add(flt.min_score, 'float8')}")
    return q


async def list_candidate_matches(
    ex: Executor, flt: CandidateMatchFilter, page: PageArgs
) -> Page[CandidateMatchRow]:
    return await fetch_page(ex, build_query(flt), ORDERING, page, _match)


async def count_candidate_matches(ex: Executor, flt: CandidateMatchFilter) -> int:
    return await count(ex, build_query(flt))


async def candidate_matches_by_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, CandidateMatchRow]:
    rows = await ex.fetch(
        f"SELECT {COLUMNS} FROM candidate_match c WHERE c.id = ANY($1::bigint[])", ids
    )
    return {r["id"]: _match(r) for r in rows}


async def candidate_matches_by_researcher_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[CandidateMatchRow]]:
    """Open and resolved matches in which each researcher takes part (either side)."""
    rows = await ex.fetch(
        f"SELECT k AS _key, {COLUMNS} FROM unnest($1::bigint[]) AS k "
        "JOIN candidate_match c ON c.researcher_id = k OR c.candidate_id = k "
        "ORDER BY k, c.score DESC, c.id",
        ids,
    )
    out: dict[int, list[CandidateMatchRow]] = defaultdict(list)
    for r in rows:
        out[r["_key"]].append(_match(r))
    return out
