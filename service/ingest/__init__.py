"""The plugin API for ingesters (see docs/plugins.md).

A plugin needs nothing else: ``from service.ingest import hookimpl, Ingester, Checkpoint, ...``.
"""

from __future__ import annotations

from service.ingest.context import IngestContext
from service.ingest.errors import (
    FatalIngestError,
    IngestError,
    PluginError,
    RetriableIngestError,
    RunLocked,
    SkippableRecordError,
)
from service.ingest.hookspecs import NAME, hookimpl
from service.ingest.http import HttpClient, HttpResponse
from service.ingest.ingester import Checkpoint, Ingester, IngesterConfig
from service.ingest.notifications import RecordedMove
from service.ingest.observations import (
    AffiliationSeen,
    BaselineRateSeen,
    DocumentSeen,
    EducationSeen,
    InstitutionRef,
    InstitutionRelationRef,
    InstitutionSeen,
    JobPostingClosed,
    JobPostingSeen,
    MoveReported,
    Observation,
    PartialDateModel,
    PersonRef,
    ResearcherSeen,
    observation_json_schema,
    parse_observation,
)
from service.ingest.text import html_to_text, parse_date, parse_datetime

__all__ = [
    "NAME",
    "AffiliationSeen",
    "BaselineRateSeen",
    "Checkpoint",
    "DocumentSeen",
    "EducationSeen",
    "FatalIngestError",
    "HttpClient",
    "HttpResponse",
    "IngestContext",
    "IngestError",
    "Ingester",
    "IngesterConfig",
    "InstitutionRef",
    "InstitutionRelationRef",
    "InstitutionSeen",
    "JobPostingClosed",
    "JobPostingSeen",
    "MoveReported",
    "Observation",
    "PartialDateModel",
    "PersonRef",
    "PluginError",
    "RecordedMove",
    "ResearcherSeen",
    "RetriableIngestError",
    "RunLocked",
    "SkippableRecordError",
    "hookimpl",
    "html_to_text",
    "observation_json_schema",
    "parse_date",
    "parse_datetime",
    "parse_observation",
]
