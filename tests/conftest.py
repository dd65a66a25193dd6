"""Shared fixtures: a real PostgreSQL for every test that needs one.

With DATABASE_URL set (CI sets it to the machine's server), tests use that server; otherwise the
suite starts an embedded PostgreSQL (pgserver) in a temporary folder. The schema is migrated once
into a template database; each test gets its own clone, so tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from service.db import migrations
from service.db.pool import create_pool
from service.db.urls import with_database
from tests.checkout import with_checkout

REPO_ROOT = Path(__file__).resolve().parents[1]
# Subprocesses (the CLI, a server) import the checkout too, ``talentflow`` included.
os.environ["PYTHONPATH"] = with_checkout(os.environ.get("PYTHONPATH"))
# Real API payloads recorded by other projects (provenance and licences in its README.md).
RECORDED = Path(
    os.environ.get("TALENTFLOW_RECORDED_FIXTURES", REPO_ROOT / "tests" / "fixtures" / "recorded")
)


def _run(coro: Any) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


LOOPBACK_NETWORKS = "127.0.0.0/8,::1/128"


def pytest_configure(config: pytest.Config) -> None:
    """The suite serves recorded payloads from 127.0.0.1, which ingesters may not reach by
    default (only public addresses): the tests allow loopback explicitly, as an operator would,
    before any module builds its settings. A test of the refusal passes its own networks."""
    os.environ.setdefault("TALENTFLOW_INGEST_ALLOWED_NETWORKS", LOOPBACK_NETWORKS)


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of a maintenance database on the PostgreSQL server the suite uses."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    from service.db.embedded import start_embedded, stop_embedded

    # Not under pytest's tmp dir: that is private to the user running the tests, and when that
    # user is root the embedded server runs as another user, which must reach its data folder.
    folder = Path(tempfile.mkdtemp(prefix="talentflow-tests-"))
    folder.chmod(0o755)
    try:
        yield start_embedded(folder, database="postgres")
    finally:
        stop_embedded(folder)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def embedded_data_dir() -> Iterator[Path]:
    """A TALENTFLOW_DATA_DIR for a command that starts its own embedded PostgreSQL. Not under
    pytest's tmp dir (private to its user): as root, pgserver runs the server as another user."""
    folder = Path(tempfile.mkdtemp(prefix="talentflow-data-"))
    folder.chmod(0o755)
    try:
        yield folder / "data"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def server_version(server_url: str) -> int:
    async def get() -> int:
        conn = await asyncpg.connect(server_url)
        try:
            return int(await conn.fetchval("SHOW server_version_num"))
        finally:
            await conn.close()

    version: int = _run(get())
    return version


@pytest.fixture(scope="session")
def template_db(server_url: str) -> Iterator[str]:
    """A database migrated to head, used as the template for each test's database."""
    name = f"tf_tpl_{uuid.uuid4().hex[:12]}"
    _run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    url = with_database(server_url, name)
    try:
        migrations.upgrade(url)
        _run(_admin(server_url, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false'))
        yield name
    finally:
        _run(
            _admin(
                server_url,
                f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true',
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
            )
        )


def clone_database(server_url: str, template: str, server_version: int) -> str:
    name = f"tf_t_{uuid.uuid4().hex[:12]}"
    strategy = " STRATEGY = FILE_COPY" if server_version >= 150000 else ""
    _run(_admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"{strategy}'))
    return name


def drop_database(server_url: str, name: str) -> None:
    _run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def db_url(server_url: str, template_db: str, server_version: int) -> Iterator[str]:
    """URL of a fresh database at the migration head, private to this test."""
    name = clone_database(server_url, template_db, server_version)
    try:
        yield with_database(server_url, name)
    finally:
        drop_database(server_url, name)


@pytest.fixture
def empty_db_url(server_url: str) -> Iterator[str]:
    """URL of a fresh, empty database (no migrations applied)."""
    name = f"tf_e_{uuid.uuid4().hex[:12]}"
    _run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    try:
        yield with_database(server_url, name)
    finally:
        drop_database(server_url, name)


@pytest_asyncio.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await create_pool(db_url, min_size=1, max_size=5)
    try:
        yield p
    finally:
        await p.close()


@pytest.fixture
def settings_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Point the service's settings at this test's database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TALENTFLOW_DATA_DIR", str(tmp_path / "data"))
    from service.config import get_settings

    get_settings.cache_clear()
    return db_url


@pytest_asyncio.fixture
async def app(settings_env: str) -> AsyncIterator[Any]:
    """The ASGI app with its lifespan running, on this test's database."""
    from service.api.app import create_app
    from service.config import load_settings

    application = create_app(load_settings())
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def recorded() -> Path:
    """The folder of recorded real API payloads, part of the repository: a test that reads it
    fails, never skips, when it is missing (a skip would hide a regression)."""
    assert RECORDED.is_dir(), f"recorded fixtures folder {RECORDED} is missing"
    return RECORDED
