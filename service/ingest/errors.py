"""Ingestion errors, grouped by the remedy.

- ``FatalIngestError``: stop the run; what was committed stays (bad config, 401/403, a source
  that no longer exists).
- ``RetriableIngestError``: a transient failure (timeouts, 429/5xx after retries); the run fails
  and a later run resumes from the last checkpoint.
- ``SkippableRecordError``: one record is bad; it is rejected with its reason and position and
  the run goes on.
"""

from __future__ import annotations

from service.errors import TalentflowError


class IngestError(TalentflowError):
    """Root of ingestion errors."""

    code = "INGEST"


class FatalIngestError(IngestError):
    code = "INGEST_FATAL"


class RetriableIngestError(IngestError):
    code = "INGEST_RETRIABLE"


class SkippableRecordError(IngestError):
    code = "INGEST_SKIPPED_RECORD"

    def __init__(self, message: str, *, position: str | None = None, record: object = None) -> None:
        super().__init__(message, position=position)
        self.position = position
        self.record = record


class PluginError(IngestError):
    """A plugin misbehaved (raised unexpectedly, yielded the wrong type)."""

    code = "PLUGIN"


class RunLocked(IngestError):
    """Another run of the same ingester instance is in progress."""

    code = "RUN_LOCKED"
