"""Writes over HTTP: curation with the curate scope, queuing runs with the ingest scope, and a
database outage answered with 503 + Retry-After, recovered from without a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.api.rest.conftest import Data, make_settings
from tests.outage import outage_control

API = "/api/v1"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_confirm_and_retract(
    client: httpx.AsyncClient, fresh_data: Data, keys: dict[str, str], db_url: str
) -> None:
    move = fresh_data.moves["bo_openai_tencent"]
    r = await client.post(
        f"{API}/moves/{move}/confirm",
        json={"note": "checked the announcement"},
        headers=bearer(keys["curate"]),
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status"] == "confirmed"
    assert r.json()["data"]["evidence"][0]["document"]["publisher"] == "Example News"

    r = await client.post(f"{API}/moves/{move}/retract", headers=bearer(keys["curate"]))
    assert r.status_code == 200
    assert r.json()["data"]["status"] == "retracted"
    listed = await client.get(API + "/moves", params={"limit": 100})
    assert move not in [m["id"] for m in listed.json()["data"]]

    r = await client.post(f"{API}/moves/{move}/confirm", headers=bearer(keys["curate"]))
    assert r.status_code == 409 and r.json()["code"] == "CONFLICT"
    r = await client.post(f"{API}/moves/999999/retract", headers=bearer(keys["curate"]))
    assert r.status_code == 404
    r = await client.post(
        f"{API}/moves/{move}/retract", json={"reason": "x"}, headers=bearer(keys["curate"])
    )
    assert r.status_code == 400 and r.json()["errors"][0] == {
        "name": "reason",
        "in": "body",
        "detail": "unknown field",
    }

    conn = await asyncpg.connect(db_url)
    try:
        audit = await conn.fetch(
            "SELECT actor, action, details FROM audit_log WHERE entity_id = $1 ORDER BY id", move
        )
    finally:
        await conn.close()
    assert [a["action"] for a in audit] == ["move.confirm", "move.retract"]
    # Named as the GraphQL mutations name their caller.
    assert audit[0]["actor"].startswith("api_key:") and audit[0]["actor"].endswith(":test-curate")
    assert '"checked the announcement"' in audit[0]["details"]


async def test_queue_an_ingest_run(
    client: httpx.AsyncClient, keys: dict[str, str], db_url: str, tmp_path: Path, app: Any
) -> None:
    # a local file given through the API must lie under the operator's ingest directory
    app.state.talentflow.settings.ingest_dir = tmp_path
    path = tmp_path / "obs.jsonl"
    path.write_text("", encoding="utf-8")
    body = {"plugin": "jsonl", "instance": "manual-load", "config": {"path": str(path)}}
    r = await client.post(API + "/ingest-runs", json=body, headers=bearer(keys["ingest"]))
    assert r.status_code == 202, r.text
    queued = r.json()["data"]
    assert queued["status"] == "queued" and queued["instance"] == "manual-load"
    assert queued["workers"] == 0 and "no worker is listening" in queued["warning"]
    r = await client.post(API + "/ingest-runs", json=body, headers=bearer(keys["ingest"]))
    assert r.status_code == 409
    assert "already queued" in r.json()["detail"]

    # A worker that beat lately counts; one whose last beat is old does not.
    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '5 min')"
        )
        stale = await client.post(
            API + "/ingest-runs", json={**body, "instance": "stale"}, headers=bearer(keys["ingest"])
        )
        assert stale.json()["data"]["workers"] == 0
        await conn.execute("INSERT INTO procrastinate_workers DEFAULT VALUES")
    finally:
        await conn.close()
    live = await client.post(
        API + "/ingest-runs", json={**body, "instance": "live"}, headers=bearer(keys["ingest"])
    )
    assert live.status_code == 202, live.text
    assert live.json()["data"]["workers"] == 1 and "warning" not in live.json()["data"]

    r = await client.post(
        API + "/ingest-runs", json={"plugin": "no-such-plugin"}, headers=bearer(keys["ingest"])
    )
    assert r.status_code == 400 and r.json()["errors"][0]["name"] == "plugin"
    r = await client.post(
        API + "/ingest-runs",
        json={"plugin": "jsonl", "config": {"checkpoint_every": 0}},
        headers=bearer(keys["ingest"]),
    )
    assert r.status_code == 400 and r.json()["errors"][0]["name"] == "config"

    conn = await asyncpg.connect(db_url)
    try:
        job = await conn.fetchrow("SELECT id, task_name, queueing_lock FROM procrastinate_jobs")
    finally:
        await conn.close()
    assert job["id"] == queued["job_id"]
    assert job["task_name"] == "talentflow.ingest"
    assert job["queueing_lock"] == "ingest:manual-load"


async def test_database_outage_is_a_fast_503_and_recovers(
    db_url: str, server_url: str, fresh_data: Data, tmp_path: Path
) -> None:
    from service.api.app import create_app

    settings = make_settings(db_url, tmp_path, db_acquire_timeout_s=1.0, pool_min_size=1)
    app = create_app(settings, database_url=db_url)
    async with outage_control(server_url, db_url) as outage, app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            assert (await c.get(API + "/moves")).status_code == 200
            # The database goes away: no new connections, existing ones cut.
            await outage.begin()
            for _ in range(3):
                started = asyncio.get_running_loop().time()
                r = await c.get(API + "/moves")
                elapsed = asyncio.get_running_loop().time() - started
                assert r.status_code == 503, r.text
                assert r.headers["content-type"] == "application/problem+json"
                assert r.headers["retry-after"] == str(settings.retry_after_s)
                assert elapsed < 3
            # It comes back; the next requests succeed without a restart.
            await outage.end()
            r = await c.get(API + "/moves")
            assert r.status_code == 200, r.text
            assert len(r.json()["data"]) == 5
