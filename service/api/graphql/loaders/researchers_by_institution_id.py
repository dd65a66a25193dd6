"""Researchers currently at many institutions: one LATERAL statement per distinct request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.db.queries import researchers
from service.db.queries.executor import Executor
from service.db.queries.pagination import Page, PageArgs
from service.db.queries.researchers import ResearcherOrder, ResearcherRow


@dataclass(frozen=True, slots=True)
class CurrentResearchersRequest:
    order: ResearcherOrder | None
    page: PageArgs
    descendants: bool


async def fetch_pages(
    ex: Executor, req: CurrentResearchersRequest, ids: Sequence[int]
) -> dict[int, Page[ResearcherRow]]:
    return await researchers.current_researchers_pages(
        ex, ids, req.order, req.page, descendants=req.descendants
    )


async def fetch_counts(
    ex: Executor, req: CurrentResearchersRequest, ids: Sequence[int]
) -> dict[int, int]:
    return await researchers.count_current_researchers(ex, ids, descendants=req.descendants)
