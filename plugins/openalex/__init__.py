"""The ``openalex`` ingester plugin (entry point ``openalex = "plugins.openalex"``).

See ``docs/plugins/openalex.md``.
"""

from __future__ import annotations

from plugins.openalex.config import OpenAlexConfig
from plugins.openalex.ingester import OpenAlexIngester
from talentflow import Ingester, hookimpl

__all__ = ["OpenAlexConfig", "OpenAlexIngester", "register_ingesters"]


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [OpenAlexIngester]
