"""This checkout's import roots, for tests that start Python in a subprocess.

``service`` and ``plugins`` import from the checkout's root; the plugin API, which the
distribution installs as ``talentflow``, from ``service/plugin_api``. An installed (or editable)
Talentflow needs neither; a subprocess started from the checkout needs both.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLUGIN_API = ROOT / "service" / "plugin_api"
PYTHONPATH = os.pathsep.join([str(ROOT), str(PLUGIN_API)])


def with_checkout(pythonpath: str | None) -> str:
    """``pythonpath`` with the checkout's roots first."""
    return os.pathsep.join([PYTHONPATH, pythonpath]) if pythonpath else PYTHONPATH
