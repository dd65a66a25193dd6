from __future__ import annotations

import gc

import asyncpg
import httpx
import pytest


async def test_healthz(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


async def test_readyz_ok_at_head(client: httpx.AsyncClient) -> None:
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["database"] == "ok"


async def test_readyz_503_when_schema_not_at_head(client: httpx.AsyncClient, db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute("UPDATE alembic_version SET version_num = 'stale'")
    finally:
        await conn.close()
    r = await client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["migration"] == "stale"
    assert "talentflow db upgrade" in body["reason"]


@pytest.mark.parametrize("enabled", [True, False])
async def test_a_served_worker_freezes_what_it_holds_once_started(
    settings_env: str, monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    """`talentflow serve` workers move their start-up objects out of the collector's reach
    (TALENTFLOW_GC_FREEZE); an app built any other way (tests, embedding) never does."""
    from service.api.app import create_app, create_served_app
    from service.config import get_settings

    monkeypatch.setenv("TALENTFLOW_GC_FREEZE", str(enabled).lower())
    get_settings.cache_clear()
    gc.unfreeze()
    try:
        plain = create_app()
        async with plain.router.lifespan_context(plain):
            assert gc.get_freeze_count() == 0
        served = create_served_app()
        async with served.router.lifespan_context(served):
            assert (gc.get_freeze_count() > 10_000) is enabled
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=served), base_url="http://testserver"
            ) as c:
                assert (await c.get("/healthz")).status_code == 200
    finally:
        gc.unfreeze()  # this test process builds many apps: let the collector see them again
        get_settings.cache_clear()
