"""Writing a batch's job postings: upserts, touches and closings."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from service.db.stores import (
    job_postings,
)
from service.ingest.observations import (
    JobPostingClosed,
    JobPostingSeen,
)
from service.ingest.writing import (
    BatchItem,
    Status,
    WriterBase,
    iso_or_none,
)

logger = logging.getLogger(__name__)


class JobPostingWriting(WriterBase):
    """Job postings seen and closed."""

    async def _job_postings(
        self, items: Sequence[BatchItem], live: list[int], statuses: list[Status]
    ) -> None:
        idx = [i for i in live if isinstance(items[i].observation, JobPostingSeen)]
        wanted: dict[tuple[str, str], dict[str, Any]] = {}
        key_of: dict[int, tuple[str, str]] = {}
        for i in idx:
            job: JobPostingSeen = items[i].observation
            inst_id = (
                (await self.resolver.institution(job.institution))[0] if job.institution else None
            )
            key = (job.source, job.external_id)
            key_of[i] = key
            wanted[key] = {
                "source": job.source,
                "external_id": job.external_id,
                "institution_id": inst_id,
                "title": job.title,
                "team": job.team,
                "department": job.department,
                "location": job.location,
                "country_code": job.country_code,
                "remote": job.remote,
                "posted_at": job.posted_at,
                "updated_at": job.updated_at,
                "url": job.url,
                "description": job.description,
                "is_research": job.is_research,
                "role_category": job.role_category,
                "topics": list(job.topics),
            }
        existing = await job_postings.fetch_by_keys(self.conn, sorted(wanted))
        changed: list[dict[str, Any]] = []
        unchanged_ids: list[int] = []
        state: dict[tuple[str, str], str] = {}
        for key, row in wanted.items():
            old = existing.get(key)
            if old is None:
                state[key] = "created"
            elif old["closed_at"] is not None or any(
                (list(old[f] or []) if f == "topics" else old[f]) != row[f]
                for f in job_postings.FIELDS
            ):
                state[key] = "updated"
            else:
                state[key] = "unchanged"
                unchanged_ids.append(old["id"])
                continue
            changed.append(
                {
                    **row,
                    "posted_at": iso_or_none(row["posted_at"]),
                    "updated_at": iso_or_none(row["updated_at"]),
                }
            )
        await job_postings.upsert(self.conn, changed)
        await job_postings.touch(self.conn, unchanged_ids)
        done: set[tuple[str, str]] = set()
        for i in idx:
            key = key_of[i]
            statuses[i] = "unchanged" if key in done else state[key]
            done.add(key)
        for i in live:
            obs = items[i].observation
            if isinstance(obs, JobPostingClosed):
                result = await job_postings.close(
                    self.conn, obs.source, obs.external_id, obs.closed_at
                )
                statuses[i] = (
                    f"rejected: no job posting {obs.source}/{obs.external_id} is known"
                    if result == "missing"
                    else result
                )
