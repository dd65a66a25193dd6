"""Helpers for a plugin's tests: recorded HTTP, an offline run, a conformance suite.

Also a pytest plugin (installed with Talentflow), so ``recorded_server`` is a fixture.
"""

from __future__ import annotations

from service.ingest.testing import *  # noqa: F403  (the names of its __all__)
from service.ingest.testing import __all__ as _host_testing

__all__ = list(_host_testing)
