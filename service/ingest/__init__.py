"""The plugin host's API for ingesters (see docs/plugins.md).

Plugins import these names as ``talentflow`` (``from talentflow import hookimpl, Ingester``),
the distinctive name the distribution installs them under (``service/plugin_api/talentflow``);
``service.ingest`` keeps them for the host and for plugins written before that name existed.
"""

from __future__ import annotations

from service.ingest.context import IngestContext, PluginSettings
from service.ingest.cursor import Cursor, CursorRun
from service.ingest.errors import (
    FatalIngestError,
    IngestError,
    PluginError,
    RetriableIngestError,
    RunLocked,
    SkippableRecordError,
)
from service.ingest.hookspecs import NAME, hookimpl
from service.ingest.http import HttpClient, HttpResponse, Validators
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
    parse_observation_json,
)
from service.ingest.reference import (
    KnownInstitution,
    known_institutions,
    plugin_institution_aliases,
)
from service.ingest.storable import unstorable
from service.ingest.text import html_to_text, parse_date, parse_datetime

__all__ = [
    "NAME",
    "AffiliationSeen",
    "BaselineRateSeen",
    "Checkpoint",
    "Cursor",
    "CursorRun",
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
    "KnownInstitution",
    "MoveReported",
    "Observation",
    "PartialDateModel",
    "PersonRef",
    "PluginError",
    "PluginSettings",
    "RecordedMove",
    "ResearcherSeen",
    "RetriableIngestError",
    "RunLocked",
    "SkippableRecordError",
    "Validators",
    "hookimpl",
    "html_to_text",
    "known_institutions",
    "observation_json_schema",
    "parse_date",
    "parse_datetime",
    "parse_observation",
    "parse_observation_json",
    "plugin_institution_aliases",
    "unstorable",
]
