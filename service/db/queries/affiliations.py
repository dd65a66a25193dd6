"""Reading affiliations (stints): a researcher's history, current positions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from service.db.queries.executor import Executor
from service.db.queries.pagination import row_factory

# An open stint is current; a stint known only from publication years is current while its
# last year is this year or the last (publications lag).
CURRENT_SQL = (
    "(a.end_date IS NULL AND (a.start_date IS NOT NULL OR cardinality(a.years) = 0 "
    "OR (SELECT max(_y) FROM unnest(a.years) AS _y) >= extract(year FROM current_date)::int - 1))"
)

COLUMNS = (
    "a.id, a.researcher_id, a.institution_id, a.role, a.department, a.start_date, "
    "a.start_precision, a.end_date, a.end_precision, a.years, a.source"
)


@dataclass(frozen=True, slots=True)
class AffiliationRow:
    id: int
    researcher_id: int
    institution_id: int
    role: str | None
    department: str | None
    start_date: date | None
    start_precision: str | None
    end_date: date | None
    end_precision: str | None
    years: list[int]
    source: str

    @property
    def current(self) -> bool:
        if self.end_date is not None:
            return False
        if self.start_date is not None or not self.years:
            return True
        return max(self.years) >= date.today().year - 1


_affiliation = row_factory(AffiliationRow)


async def affiliations_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, AffiliationRow]:
    rows = await ex.fetch(
        f"SELECT {COLUMNS} FROM affiliation a WHERE a.id = ANY($1::bigint[])", ids
    )
    return {r["id"]: _affiliation(r) for r in rows}


async def affiliations_by_researcher_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[AffiliationRow]]:
    """Each researcher's affiliation history, oldest first (undated stints first)."""
    rows = await ex.fetch(
        f"SELECT {COLUMNS} FROM affiliation a WHERE a.researcher_id = ANY($1::bigint[]) "
        "ORDER BY a.researcher_id, coalesce(a.start_date, make_date(a.years[1], 1, 1)) "
        "NULLS FIRST, a.id",
        ids,
    )
    out: dict[int, list[AffiliationRow]] = defaultdict(list)
    for r in rows:
        out[r["researcher_id"]].append(_affiliation(r))
    return out


def current_affiliation(history: Sequence[AffiliationRow]) -> AffiliationRow | None:
    """The open stint that started last (history is oldest first)."""
    open_ = [a for a in history if a.current]
    return open_[-1] if open_ else None
