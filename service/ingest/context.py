"""``IngestContext``: what an ingester's ``fetch`` gets besides its state."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from service.config import Settings
from service.ingest.http import HttpClient


@dataclass
class IngestContext:
    """Built by the framework for one run of one ingester instance."""

    http: HttpClient
    config: BaseModel
    logger: logging.Logger
    instance: str
    settings: Settings
    limit: int | None = None
    run_id: int | None = None
    id_lookup: Callable[[str], Awaitable[list[str]]] | None = field(default=None, repr=False)

    async def known_ids(self, scheme: str) -> list[str]:
        """External ids of one scheme (``"orcid"``, ``"openalex"``, …) held by the researchers
        already stored, sorted; so an ingester can follow everyone Talentflow knows about.
        Read-only: a plugin still never writes SQL."""
        if self.id_lookup is None:
            return []
        return await self.id_lookup(scheme)

    @classmethod
    def ingester_logger(cls, name: str) -> logging.Logger:
        return logging.getLogger(f"talentflow.ingesters.{name}")

    def extra(self) -> dict[str, Any]:
        return {"instance": self.instance, "run_id": self.run_id}
