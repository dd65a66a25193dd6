"""What pyproject.toml cannot say: the migrations ship inside the package.

The hand-written migrations stay in the top-level ``alembic/`` folder, where the ``alembic`` tool
and contributors expect them; the wheel carries them as the package ``service.migrations``, so an
installed ``talentflow`` can migrate a database (``service/db/migrations.py`` finds them with
``importlib.resources``). Everything else is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

MIGRATIONS = "service.migrations"

setup(
    packages=[
        *find_namespace_packages(include=["service*", "plugins*"], exclude=["*.__pycache__"]),
        MIGRATIONS,
        f"{MIGRATIONS}.versions",
    ],
    package_dir={MIGRATIONS: "alembic"},
)
