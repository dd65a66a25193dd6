"""Running the hand-written alembic migrations from code (CLI, app start, tests)."""

from __future__ import annotations

import asyncio
import importlib.util
from pathlib import Path

import asyncpg
from alembic.config import Config
from alembic.script import ScriptDirectory

from alembic import command
from service.errors import DatabaseError, SchemaOutOfDate

PACKAGE = "service.migrations"
SOURCE_TREE = Path(__file__).resolve().parents[2] / "alembic"


def script_location() -> Path:
    """The folder of the migration scripts.

    An installed wheel carries them as the package ``service.migrations`` (setup.py maps the
    top-level ``alembic/`` folder there). Running from a source checkout (an editable install,
    or the checkout on ``PYTHONPATH``) they are the checkout's own ``alembic/`` folder.
    """
    spec = importlib.util.find_spec(PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        if (Path(folder) / "env.py").is_file():
            return Path(folder)
    if (SOURCE_TREE / "env.py").is_file():
        return SOURCE_TREE
    raise DatabaseError(
        f"migrations not found: neither the package {PACKAGE} nor {SOURCE_TREE} holds env.py"
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = url
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("postgresql://unused/unused"))
    head = script.get_current_head()
    if head is None:  # pragma: no cover - there is always a first revision
        raise DatabaseError("no migrations found")
    return head


def upgrade(url: str, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (blocking; call from a thread in async code)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    await asyncio.to_thread(upgrade, url, revision)


async def downgrade_async(url: str, revision: str) -> None:
    await asyncio.to_thread(downgrade, url, revision)


async def current_revision(conn: asyncpg.Connection) -> str | None:
    exists = await conn.fetchval("SELECT to_regclass('alembic_version') IS NOT NULL")
    if not exists:
        return None
    value: str | None = await conn.fetchval("SELECT version_num FROM alembic_version LIMIT 1")
    return value


async def check_at_head(conn: asyncpg.Connection) -> None:
    """Raise SchemaOutOfDate unless the database is at this code's migration head."""
    current = await current_revision(conn)
    head = head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"database schema is at revision {current or '(empty)'}, this code needs {head}; "
            "run `talentflow db upgrade`"
        )


def execute_script(sql: str) -> None:
    """Run a multi-statement SQL script inside the current migration transaction.

    SQLAlchemy's asyncpg adapter prepares each statement, which PostgreSQL refuses for a script
    of several statements; the raw asyncpg connection runs it through the simple protocol.
    """
    from sqlalchemy.util import await_only

    from alembic import op

    bind = op.get_bind()
    driver_conn = bind.connection.driver_connection
    await_only(driver_conn.execute(sql))  # type: ignore[union-attr]
