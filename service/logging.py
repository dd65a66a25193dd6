"""Logging setup: only the CLI and the app entry points call this.

``TALENTFLOW_LOG_FORMAT=json`` gives one JSON object per line (for log shippers); ``text`` gives
plain lines for people. Secrets are never passed to loggers: URLs are redacted before logging and
configs are not logged.
"""

from __future__ import annotations

import logging
import sys

from service.config import Settings


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
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
