"""``IngestContext``: what an ingester's ``fetch`` gets besides its state."""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from service.config import Settings
from service.ingest.http import HttpClient

PLUGIN_OPTION_PREFIX = "TALENTFLOW_PLUGIN_"


@dataclass(frozen=True)
class PluginSettings:
    """What of the operator's settings a plugin sees: how to introduce itself to a source, and
    its own options. Nothing else (no database URL, no API keys of the host, no other plugin's
    options).

    ``options`` are the environment variables ``TALENTFLOW_PLUGIN_<INGESTER>__<KEY>`` of this
    ingester, keyed by ``<key>`` in lower case: operator-wide values (an API key, a mirror URL)
    that are not part of one instance's config. Their values are never shown in a repr.
    """

    contact_email: str = ""
    user_agent: str = ""
    options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @classmethod
    def for_ingester(
        cls,
        settings: Settings,
        ingester: str,
        user_agent: str,
        environ: Mapping[str, str] | None = None,
    ) -> PluginSettings:
        prefix = f"{PLUGIN_OPTION_PREFIX}{ingester.upper()}__"
        env = os.environ if environ is None else environ
        options = {
            key[len(prefix) :].lower(): value
            for key, value in env.items()
            if key.upper().startswith(prefix) and len(key) > len(prefix)
        }
        return cls(
            contact_email=settings.contact_email,
            user_agent=user_agent,
            options=MappingProxyType(options),
        )


@dataclass
class IngestContext:
    """Built by the framework for one run of one ingester instance."""

    http: HttpClient
    config: BaseModel
    logger: logging.Logger
    instance: str
    settings: PluginSettings
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
