"""An embedded PostgreSQL from the ``pgserver`` wheel, for when no DATABASE_URL is set.

The server keeps its data in ``settings.data_dir / "pgdata"`` (the platform's user-data folder
unless ``TALENTFLOW_DATA_DIR`` says otherwise) and listens only on a Unix socket in that folder.
It ships PostgreSQL 16 with plpgsql and pgvector, no contrib extensions: the schema and queries
do not depend on them. When started as root, pgserver runs the server as a separate system user.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from service.db.urls import with_database
from service.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

DATABASE_NAME = "talentflow"

_servers: dict[Path, Any] = {}


def start_embedded(data_dir: Path, *, database: str = DATABASE_NAME) -> str:
    """Start (or reuse) the embedded server in ``data_dir``; return a URL for ``database``.

    The database is created if missing. The server keeps running while this process lives,
    and is stopped when the last process using it exits.
    """
    pgdata = (data_dir / "pgdata").resolve()
    server = _servers.get(pgdata)
    if server is None:
        try:
            # pgserver asks platformdirs for a runtime dir when it is imported, only for a lock
            # file; without XDG_RUNTIME_DIR platformdirs warns (RuntimeDirWarning) and falls back
            # to a folder under /tmp, which serves. The warning would print on every command.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
                import pgserver
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise DatabaseUnavailable(
                "the embedded PostgreSQL needs the 'pgserver' package; install it or set "
                "DATABASE_URL"
            ) from exc
        pgdata.mkdir(parents=True, exist_ok=True)
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        try:
            server = pgserver.get_server(pgdata, cleanup_mode="stop")  # type: ignore[attr-defined]
        except Exception as exc:
            raise DatabaseUnavailable(
                f"could not start the embedded PostgreSQL in {pgdata}: {exc}"
            ) from exc
        _servers[pgdata] = server
        logger.info("embedded PostgreSQL running in %s", pgdata)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "1 row" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return with_database(str(server.get_uri()), database)


def stop_embedded(data_dir: Path) -> None:
    """Stop the embedded server in ``data_dir`` if this process started it."""
    server = _servers.pop((data_dir / "pgdata").resolve(), None)
    if server is not None:
        server.cleanup()
