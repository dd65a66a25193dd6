"""The ``Ingester`` base class and ``Checkpoint``: what a plugin implements.

An ingester has a ``name``, a pydantic ``Config`` model (validated before ``fetch`` runs) and an
async generator ``fetch(ctx, state)`` that yields observations and, now and then, a
``Checkpoint`` carrying its new state. The framework owns the state: a checkpoint is committed in
the same transaction as the observations before it, so a crash and a re-run lose nothing and
duplicate nothing. Checkpoint part-way through a stream only where the source is sorted by the
cursor; otherwise checkpoint at the end.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from service.ingest.errors import SkippableRecordError
from service.ingest.observations import Observation

if TYPE_CHECKING:
    from service.ingest.context import IngestContext


@dataclass(frozen=True)
class Checkpoint:
    """The ingester's state after every observation yielded so far (JSON-serialisable)."""

    state: dict[str, Any] = field(default_factory=dict)


class IngesterConfig(BaseModel):
    """Base for ingester configs: unknown keys are an error, so typos are caught."""

    model_config = ConfigDict(extra="forbid")


class Ingester:
    """Subclass, set ``name`` and ``Config``, implement ``fetch``."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    Config: ClassVar[type[BaseModel]] = IngesterConfig
    description: ClassVar[str] = ""
    #: True only for an ingester whose every observation is a fresh result of
    #: ``parse_observation`` that it neither keeps nor changes after yielding it. The pipeline
    #: then takes the observation as validated; for any other ingester it validates each one
    #: again, since a model may have been built with ``model_construct``/``model_copy`` or
    #: changed after it was validated.
    yields_parsed_observations: ClassVar[bool] = False
    #: True only for an ingester that itself rejects every observation holding a value
    #: PostgreSQL cannot store (``service.ingest.storable``); the pipeline then skips its own
    #: check of each one.
    yields_storable_observations: ClassVar[bool] = False
    #: This ingester's own limits for each ``ctx.http`` request, instead of the operator's
    #: ``TALENTFLOW_HTTP_MAX_RESPONSE_BYTES`` / ``TALENTFLOW_HTTP_DEADLINE_S`` (None: those).
    #: For a source known to serve large files or to answer slowly.
    #: Config fields that name a local file. Given through the API, such a path must lie under
    #: the operator's ingest directory (``TALENTFLOW_INGEST_DIR``); see ``api_config``.
    local_path_fields: ClassVar[tuple[str, ...]] = ()
    http_max_response_bytes: ClassVar[int | None] = None
    http_deadline_s: ClassVar[float | None] = None

    @classmethod
    def http_limits(cls) -> dict[str, Any]:
        """The ``HttpClient`` options this ingester sets for itself."""
        limits: dict[str, Any] = {}
        if cls.http_max_response_bytes is not None:
            limits["max_response_bytes"] = cls.http_max_response_bytes
        if cls.http_deadline_s is not None:
            limits["deadline_s"] = cls.http_deadline_s
        return limits

    def __init__(self, config: BaseModel) -> None:
        self.config = config

    @property
    def logger(self) -> logging.Logger:
        return logging.getLogger(f"talentflow.ingesters.{self.name}")

    def fetch(
        self, ctx: IngestContext, state: dict[str, Any] | None
    ) -> AsyncIterator[Observation | Checkpoint | SkippableRecordError]:
        """Yield observations and checkpoints. ``state``: the last committed checkpoint.

        To reject one bad source record and go on, *yield* a ``SkippableRecordError`` (with a
        ``position`` and the ``record``): raising it ends the generator, and so the run.
        """
        raise NotImplementedError
