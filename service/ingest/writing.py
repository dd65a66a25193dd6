"""What the parts of the batch writer share: the batch's items and outcome, the writer's state,
and the conversions of partial dates between observations, rows and the domain."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from service.config import Settings
from service.db.stores import (
    documents,
    institution_writes,
)
from service.domain.dates import PartialDate
from service.domain.institutions import InstitutionIndex
from service.ingest.observations import (
    PartialDateModel,
)
from service.ingest.resolver import (
    Resolver,
)

logger = logging.getLogger(__name__)

Status = str  # "created" | "updated" | "unchanged" | "rejected: <reason>"


@dataclass
class BatchItem:
    position: str
    observation: Any
    extractor: str
    extractor_version: str | None
    prepared: bool = False  # ``BatchWriter.prepare`` ran: ``id_problem`` is set
    id_problem: str | None = None


@dataclass
class BatchOutcome:
    statuses: list[Status]
    new_moves: list[dict[str, Any]] = field(default_factory=list)


def partial_date_columns(value: PartialDateModel | None) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    return value.to_date(), value.precision


def partial_date(value: PartialDateModel | None) -> PartialDate | None:
    return PartialDate(value.year, value.month, value.day) if value else None


def partial_date_from_row(day: Any, precision: str | None) -> PartialDate | None:
    if day is None or precision is None:
        return None
    return PartialDate.from_date(day, precision)


class WriterBase:
    """What every part of the batch writer shares: the fields of ``BatchWriter`` and the state
    one batch's write keeps."""

    conn: asyncpg.Connection
    plugin: str
    instance: str
    settings: Settings
    resolver: Resolver
    index: InstitutionIndex
    new_people: set[int]
    reported_people: set[int]
    fresh_history: dict[int, list[dict[str, Any]]]
    fresh_infos: dict[int, dict[str, Any]]
    person_of: dict[int, int]
    _source_doc: int | None

    async def source_document(self) -> int:
        """The document standing for the source itself (observations without a document)."""
        if self._source_doc is None:
            url = f"urn:talentflow:source:{self.plugin}:{self.instance}"
            await documents.insert_documents(
                self.conn,
                [{"url": url, "kind": "dataset", "title": f"{self.plugin} source"}],
                self.plugin,
            )
            found = await documents.fetch_by_urls(self.conn, [url])
            self._source_doc = int(found[url]["id"])
        return self._source_doc

    async def _infos(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        return await institution_writes.fetch_info(self.conn, sorted(i for i in ids if i))


def iso_or_none(value: Any) -> Any:
    return value.isoformat() if value is not None else None
