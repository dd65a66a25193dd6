"""Read-replica settings and the checks that keep a server out of the read rotation, on the
suite's own server (no replica needed: a primary or a closed port must both be skipped)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from service.config import load_settings
from service.db.pool import create_pool, create_read_router
from service.errors import ConfigError
from tests.pg_cluster import free_port


def test_read_urls_are_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "TALENTFLOW_DATABASE_READ_URLS", "postgresql://r1:5432/tf, postgresql://r2:5432/tf"
    )
    settings = load_settings()
    assert settings.database_read_urls == ["postgresql://r1:5432/tf", "postgresql://r2:5432/tf"]
    assert settings.database_replica_max_lag_ms == 5000


def test_a_bad_read_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTFLOW_DATABASE_READ_URLS", "postgresql://r1/tf,mysql://r2/tf")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "TALENTFLOW_DATABASE_READ_URLS" in err.value.message
    assert "URL 2" in err.value.message and "mysql" in err.value.message


async def test_a_primary_in_the_read_urls_is_skipped(db_url: str) -> None:
    """A server not in recovery is no replica (a misconfigured URL): reads stay on the primary."""
    primary = await create_pool(db_url, min_size=1, max_size=2)
    settings = load_settings(database_url=db_url, database_read_urls=[db_url])
    router = await create_read_router(settings, primary)
    try:
        assert router is not None
        assert not router.replicas[0].healthy
        assert "not in recovery" in router.replicas[0].reason
        assert router.read_target() == (primary, None)
    finally:
        if router is not None:
            await router.close()
        await primary.close()


@pytest_asyncio.fixture
async def client_with_dead_replica(
    settings_env: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    dead = f"postgresql://postgres@127.0.0.1:{free_port()}/talentflow"
    monkeypatch.setenv("TALENTFLOW_DATABASE_READ_URLS", dead)
    from service.api.app import create_app

    app = create_app(load_settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c, app.state.talentflow


async def test_the_api_starts_and_reads_with_its_replica_down(
    client_with_dead_replica: tuple[httpx.AsyncClient, Any],
) -> None:
    client, state = client_with_dead_replica
    assert state.reads is not None and not state.reads.replicas[0].healthy
    r = await client.post("/graphql", json={"query": "{ moves(first: 1) { edges { cursor } } }"})
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    r = await client.get("/api/v1/moves")
    assert r.status_code == 200, r.text
    assert state.reads.primary_served >= 2
    metrics = (await client.get("/metrics")).text
    assert 'talentflow_db_reads_total{server="primary"}' in metrics
    assert "talentflow_db_replica_healthy{server=" in metrics
