"""Job postings of many institutions: one LATERAL statement per distinct request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.db.queries import job_postings
from service.db.queries.executor import Executor
from service.db.queries.job_postings import JobPostingFilter, JobPostingRow
from service.db.queries.pagination import Page, PageArgs


@dataclass(frozen=True, slots=True)
class PostingsRequest:
    flt: JobPostingFilter
    page: PageArgs


async def fetch_pages(
    ex: Executor, req: PostingsRequest, ids: Sequence[int]
) -> dict[int, Page[JobPostingRow]]:
    return await job_postings.institution_postings_pages(ex, ids, req.flt, req.page)


async def fetch_counts(ex: Executor, req: PostingsRequest, ids: Sequence[int]) -> dict[int, int]:
    return await job_postings.count_institution_postings(ex, ids, req.flt)
