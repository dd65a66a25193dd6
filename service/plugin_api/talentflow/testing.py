"""Helpers for a plugin's tests: recorded HTTP, an offline run, a conformance suite.

Also a pytest plugin (installed with Talentflow), so ``recorded_server`` is a fixture.
"""

from __future__ import annotations

from service.ingest.testing import (
    IngestOutput,
    RecordedRequest,
    RecordedResponse,
    RecordedServer,
    StateBuilder,
    arun_ingester_offline,
    get_ingester_test_class,
    recorded_server,
    register_plugin,
    run_ingester_offline,
)

__all__ = [
    "IngestOutput",
    "RecordedRequest",
    "RecordedResponse",
    "RecordedServer",
    "StateBuilder",
    "arun_ingester_offline",
    "get_ingester_test_class",
    "recorded_server",
    "register_plugin",
    "run_ingester_offline",
]
