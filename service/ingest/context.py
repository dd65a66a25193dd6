"""``IngestContext``: what an ingester's ``fetch`` gets besides its state."""

from __future__ import annotations

import logging
from dataclasses import dataclass
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

    @classmethod
    def ingester_logger(cls, name: str) -> logging.Logger:
        return logging.getLogger(f"talentflow.ingesters.{name}")

    def extra(self) -> dict[str, Any]:
        return {"instance": self.instance, "run_id": self.run_id}
