"""One search box across researchers and institutions."""

from __future__ import annotations

from dataclasses import dataclass

from service.db.queries.executor import Executor
from service.db.queries.institutions import InstitutionFilter, InstitutionRow, list_institutions
from service.db.queries.pagination import PageArgs
from service.db.queries.researchers import ResearcherFilter, ResearcherRow, list_researchers


@dataclass(frozen=True, slots=True)
class SearchResults:
    researchers: list[ResearcherRow]
    institutions: list[InstitutionRow]


async def search(ex: Executor, query: str, first: int, *, trigram: bool = False) -> SearchResults:
    """Up to ``first`` of each kind, best matches first (name order without pg_trgm)."""
    page = PageArgs(first=first)
    researchers = await list_researchers(
        ex, ResearcherFilter(search=query), None, page, trigram=trigram
    )
    institutions = await list_institutions(
        ex, InstitutionFilter(search=query), None, page, trigram=trigram
    )
    return SearchResults(researchers.items, institutions.items)
