"""What pyproject.toml cannot say: two packages installed under another name than their folder.

- The hand-written migrations stay in the top-level ``alembic/`` folder, where the ``alembic``
  tool and contributors expect them; the wheel carries them as the package ``service.migrations``,
  so an installed ``talentflow`` can migrate a database (``service/db/migrations.py`` finds them
  with ``importlib.resources``).
- The plugin API, ``service/plugin_api/talentflow/``, is installed as the top-level package
  ``talentflow``: the distinctive name plugins import (``from talentflow import hookimpl``), not
  the host's generic ``service`` (docs/architecture.md says why).

Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

MIGRATIONS = "service.migrations"
PLUGIN_API = "talentflow"

setup(
    packages=[
        *find_namespace_packages(
            include=["service*", "plugins*"],
            exclude=["*.__pycache__", "service.plugin_api", "service.plugin_api.*"],
        ),
        MIGRATIONS,
        f"{MIGRATIONS}.versions",
        PLUGIN_API,
    ],
    package_dir={MIGRATIONS: "alembic", PLUGIN_API: "service/plugin_api/talentflow"},
)
