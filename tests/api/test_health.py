from __future__ import annotations

import asyncpg
import httpx


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
