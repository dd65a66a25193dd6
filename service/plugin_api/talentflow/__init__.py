"""Talentflow's plugin API: every name an ingester plugin may import.

```python
from talentflow import Checkpoint, Cursor, Ingester, hookimpl
```

The distribution installs this package under the distinctive name ``talentflow`` (its sources
live in ``service/plugin_api/talentflow/``), so a plugin never imports the host's own package,
``service``, whose generic name other distributions use too. ``talentflow.testing`` holds the
helpers for a plugin's tests. What is not exported here is not part of the contract: first-party
plugins in ``plugins/`` are held to this list by ``tests/test_layers.py``.
"""

from __future__ import annotations

from service import __version__
from service.ingest import (
    NAME,
    AffiliationSeen,
    BaselineRateSeen,
    Checkpoint,
    Cursor,
    CursorRun,
    DocumentSeen,
    EducationSeen,
    FatalIngestError,
    HttpClient,
    HttpResponse,
    IngestContext,
    Ingester,
    IngesterConfig,
    IngestError,
    InstitutionRef,
    InstitutionRelationRef,
    InstitutionSeen,
    JobPostingClosed,
    JobPostingSeen,
    KnownInstitution,
    MoveReported,
    Observation,
    PartialDateModel,
    PersonRef,
    PluginError,
    PluginSettings,
    RecordedMove,
    ResearcherSeen,
    RetriableIngestError,
    RunLocked,
    SkippableRecordError,
    Validators,
    hookimpl,
    known_institutions,
    observation_json_schema,
    parse_observation,
    parse_observation_json,
    plugin_institution_aliases,
    unstorable,
)

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
    "__version__",
    "hookimpl",
    "known_institutions",
    "observation_json_schema",
    "parse_observation",
    "parse_observation_json",
    "plugin_institution_aliases",
    "unstorable",
]
