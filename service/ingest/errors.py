"""Ingestion errors, grouped by the remedy.

- ``FatalIngestError``: stop the run; what was committed stays (bad config, 401/403, a source
  that no longer exists).
- ``RetriableIngestError``: a transient failure (timeouts, 429/5xx after retries); the run fails
  and a later run resumes from the last checkpoint.
- ``SkippableRecordError``: one record is bad; it is rejected with its reason and position and
  the run goes on.
"""

from __future__ import annotations

import re

from service.errors import TalentflowError

# An absolute file path (POSIX, or a Windows drive) or a file: URL, where it is not part of a
# URL (a path after a host is preceded by a name character, not by a space or a quote).
_PATHS = re.compile(
    r"(?i)\bfile:[^\s'\"]*|(?<![\w.:/~-])(?:~|\.{1,2})?/[^\s'\",;)]+|\b[a-z]:\\[^\s'\",;)]*"
)


def without_paths(message: str) -> str:
    """``message`` with local file paths replaced by ``<path>``: what a run's error may say to
    anyone who can read runs, which is everyone (it says what failed, not which files exist)."""
    return _PATHS.sub("<path>", message)


def run_error_for(error: str | None, *, admin: bool) -> str | None:
    """A stored run error as one caller may read it: whole for an ``admin`` key (the operator
    needs the path to fix it), without local paths for everyone else."""
    if error is None or admin:
        return error
    return without_paths(error)


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
