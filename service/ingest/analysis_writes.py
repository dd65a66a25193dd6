"""Writing the observations behind the analysis measures: education and baseline series.

Called by the batch writer after people, affiliations and job postings are written, in the
same transaction. Education rows never feed move inference: they only say where someone
trained. Baseline rows are stored as their series publishes them, with the series' licence and
attribution.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from service.db.stores import baselines, educations
from service.ingest.observations import BaselineRateSeen, EducationSeen, PartialDateModel

if TYPE_CHECKING:
    from service.ingest.writer import BatchItem, BatchWriter

logger = logging.getLogger(__name__)


def partial_date_columns(value: PartialDateModel | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    return value.to_date().isoformat(), value.precision


async def write_analysis_observations(
    writer: BatchWriter,
    items: Sequence[BatchItem],
    live: list[int],
    statuses: list[str],
    doc_ids: dict[str, int],
) -> set[int]:
    """Write the batch's education and baseline observations; set their statuses. The
    researchers whose education changed: their moves are classed again (a return to a country
    of study is a returnee's move)."""
    educated = await _educations(writer, items, live, statuses, doc_ids)
    await _baselines(writer, items, live, statuses, doc_ids)
    return educated


async def _educations(
    writer: BatchWriter,
    items: Sequence[BatchItem],
    live: list[int],
    statuses: list[str],
    doc_ids: dict[str, int],
) -> set[int]:
    idx = [i for i in live if isinstance(items[i].observation, EducationSeen)]
    if not idx:
        return set()
    seen: list[EducationSeen] = [items[i].observation for i in idx]
    # Resolved with the people of the batch, as part of their document's sighting.
    people = [writer.person_of[i] for i in idx]
    rows: list[dict[str, Any]] = []
    for edu, person in zip(seen, people, strict=True):
        inst_id, _ = await writer.resolver.institution(edu.institution)
        start, start_p = partial_date_columns(edu.start)
        end, end_p = partial_date_columns(edu.end)
        rows.append(
            {
                "researcher_id": person,
                "institution_id": inst_id,
                "degree": edu.degree,
                "field": edu.field,
                "start_date": start,
                "start_precision": start_p,
                "end_date": end,
                "end_precision": end_p,
                "source": writer.plugin,
                "source_key": edu.source_key,
                "document_id": doc_ids.get(edu.document_url) if edu.document_url else None,
            }
        )
    changed: set[int] = set()
    for i, row, status in zip(idx, rows, await educations.upsert(writer.conn, rows), strict=True):
        statuses[i] = status
        if status != "unchanged":
            changed.add(row["researcher_id"])
    return changed


async def _baselines(
    writer: BatchWriter,
    items: Sequence[BatchItem],
    live: list[int],
    statuses: list[str],
    doc_ids: dict[str, int],
) -> None:
    idx = [i for i in live if isinstance(items[i].observation, BaselineRateSeen)]
    if not idx:
        return
    seen: list[BaselineRateSeen] = [items[i].observation for i in idx]
    series: dict[str, dict[str, Any]] = {}
    for row in seen:
        series[row.series] = {
            "name": row.series,
            "measure": row.measure,
            "title": row.title,
            "license": row.license,
            "attribution": row.attribution,
            "document_id": doc_ids.get(row.document_url) if row.document_url else None,
            "source": writer.plugin,
        }
    ids = await baselines.upsert_series(writer.conn, list(series.values()))
    rows = [
        {
            "series_id": ids[row.series],
            "country_code": row.country_code,
            "year": row.year,
            "population": row.population,
            "in_migrations": row.in_migrations,
            "out_migrations": row.out_migrations,
            "in_rate": row.in_rate,
            "out_rate": row.out_rate,
            "net_rate": row.net_rate,
        }
        for row in seen
    ]
    for i, status in zip(idx, await baselines.upsert_rates(writer.conn, rows), strict=True):
        statuses[i] = status
