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
from service.ingest import *  # noqa: F403  (exactly the names of service.ingest.__all__)
from service.ingest import __all__ as _host_api

# One list, service.ingest.__all__, so the two names for the API cannot drift apart.
__all__ = ["__version__", *_host_api]
