"""Logging setup: only the CLI and the app entry points call this.

``TALENTFLOW_LOG_FORMAT=json`` gives one JSON object per line (for log shippers); ``text`` gives
plain lines for people. Secrets are never passed to loggers: URLs are redacted before logging and
configs are not logged.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

from service.config import Settings


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not to the stream that was
    current at setup: a replaced (and later closed) stderr, as under test runners, never ends up
    receiving log lines. ``setStream`` still pins an explicit stream."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self._pinned: TextIO | None = None

    @property
    def stream(self) -> TextIO:
        return self._pinned if self._pinned is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        # StreamHandler.__init__ and setStream assign here; only an explicit setStream pins.
        if value is not sys.stderr:
            self._pinned = value


def configure_logging(settings: Settings) -> None:
    handler = StderrHandler()
    if settings.log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("httpx", "httpcore", "alembic.runtime.migration", "pgserver"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
