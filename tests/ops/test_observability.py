"""Metrics exposure, structured logs with request ids, secrets kept out of logs, CORS and
trusted hosts from settings."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families

from service.config import load_settings
from service.logging import configure_logging


def settings(db_url: str, tmp_path: Path, **overrides: Any) -> Any:
    return load_settings(database_url=db_url, data_dir=tmp_path, **overrides)


@pytest_asyncio.fixture
async def make_client(db_url: str, tmp_path: Path) -> AsyncIterator[Any]:
    from contextlib import asynccontextmanager

    from service.api.app import create_app

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings(db_url, tmp_path, **overrides), database_url=db_url)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield c

    yield make


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_exposure(make_client: Any, db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        await conn.execute(
            "INSERT INTO ingest_run (plugin, instance, status, seen, created, rejected) VALUES "
            "('news', 'news-en', 'succeeded', 10, 4, 1), ('news', 'news-en', 'failed', 3, 0, 0)"
        )
    finally:
        await conn.close()
    async with make_client() as c:
        before = samples((await c.get("/metrics")).text)
        key = (
            "talentflow_http_requests_total",
            (("method", "GET"), ("route", "/api/v1/moves/{id}"), ("status", "404")),
        )
        for _ in range(2):
            await c.get("/api/v1/moves/424242")
        await c.get("/no/such/path/123")
        await c.post(
            "/graphql",
            json={"query": "query TopMovers { __typename }", "operationName": "TopMovers"},
        )
        await c.get("/graphql", params={"query": "query ByGet { __typename }"})
        r = await c.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    after = samples(r.text)
    assert after[key] - before.get(key, 0) == 2
    assert (
        "talentflow_http_request_duration_seconds_count",
        (("method", "GET"), ("route", "/api/v1/moves/{id}")),
    ) in after
    # Raw paths never become labels.
    assert not any("424242" in str(labels) for _, labels in after)
    assert any(
        labels == (("method", "GET"), ("route", "unmatched"), ("status", "404"))
        for name, labels in after
        if name == "talentflow_http_requests_total"
    )
    assert after[("talentflow_graphql_operations_total", (("operation", "TopMovers"),))] >= 1
    assert after[("talentflow_graphql_operations_total", (("operation", "ByGet"),))] >= 1
    assert after[("talentflow_db_up", ())] == 1
    assert after[("talentflow_db_pool_size", ())] >= 1
    assert ("talentflow_db_pool_in_use", ()) in after
    runs = (("plugin", "news"), ("status", "succeeded"))
    assert after[("talentflow_ingest_runs", runs)] == 1
    assert (
        after[("talentflow_ingest_observations", (("outcome", "seen"), ("plugin", "news")))] == 13
    )
    assert (
        after[("talentflow_ingest_observations", (("outcome", "rejected"), ("plugin", "news")))]
        == 1
    )


def test_graphql_operation_labels_are_bounded() -> None:
    from service import metrics

    labels = {metrics.operation_label(f"Op{i}") for i in range(metrics.MAX_OPERATIONS + 50)}
    assert len(labels) <= metrics.MAX_OPERATIONS + 1
    assert "other" in labels
    assert metrics.operation_label("DROP TABLE; --") == "invalid"
    assert metrics.operation_label(None) == "anonymous"


def test_ingest_counters_api() -> None:
    from prometheus_client import generate_latest

    from service import metrics

    metrics.record_ingest_run("openalex", "succeeded")
    metrics.record_observations("openalex", "created", 7)
    text = generate_latest(metrics.REGISTRY).decode()
    assert 'talentflow_ingest_runs_finished_total{outcome="succeeded",plugin="openalex"}' in text
    assert (
        'talentflow_ingest_observations_processed_total{outcome="created",plugin="openalex"}'
        in text
    )


@pytest.fixture
def captured(db_url: str, tmp_path: Path) -> Iterator[io.StringIO]:
    """Logs as the service writes them (JSON), captured from the root handler."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging(settings(db_url, tmp_path, log_format="json", log_level="DEBUG"))
    root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
    try:
        yield stream
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


async def test_json_logs_carry_the_request_id_and_no_secrets(
    make_client: Any, captured: io.StringIO, db_url: str
) -> None:
    from service.db.pool import create_pool
    from service.db.stores.api_keys import create_key

    pool = await create_pool(db_url, min_size=1, max_size=1)
    async with pool.acquire() as conn:
        _, secret = await create_key(conn, "ops", ["curate"])
    await pool.close()
    password_url = "postgresql://admin:hunter2-password@db.example:5432/x"
    async with make_client() as c:
        r = await c.get(
            "/api/v1/institutions",
            params={"api_key": "query-secret-123", "country": "US"},
            headers={"Authorization": f"Bearer {secret}", "X-Request-ID": "req-abc-1"},
        )
        assert r.headers["x-request-id"] == "req-abc-1"
        await c.post("/api/v1/moves/1/confirm", headers={"Authorization": f"Bearer {secret}"})
        await c.post(
            "/api/v1/moves/1/confirm", headers={"Authorization": "Bearer tf_badbadba_nope"}
        )
        r = await c.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
        generated = r.headers["x-request-id"]
        assert generated != "bad id with spaces" and len(generated) == 32
        logging.getLogger("service.test").info("connecting to %s", password_url.split("@")[1])
    text = captured.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    access = [x for x in lines if x.get("logger") == "service.api.access"]
    assert len(access) == 4
    first = access[0]
    assert first["request_id"] == "req-abc-1"
    # (api_key is no parameter of this endpoint: 400, and its value still stays out of logs)
    assert first["status"] == 400 and first["route"] == "/api/v1/institutions"
    assert "api_key=%2A%2A%2A" in first["query"] and "country=US" in first["query"]
    assert access[-1]["request_id"] == generated
    for forbidden in (
        secret,
        secret.split("_", 2)[2],
        "query-secret-123",
        "tf_badbadba_nope",
        "hunter2-password",
        "Bearer",
    ):
        assert forbidden not in text, forbidden


async def test_cors_and_trusted_hosts_from_settings(make_client: Any) -> None:
    async with make_client(
        cors_origins=["https://dash.example"], trusted_hosts=["api.example", "testserver"]
    ) as c:
        r = await c.get("/healthz", headers={"Origin": "https://dash.example"})
        assert r.headers["access-control-allow-origin"] == "https://dash.example"
        r = await c.options(
            "/api/v1/moves",
            headers={"Origin": "https://dash.example", "Access-Control-Request-Method": "GET"},
        )
        assert r.status_code == 200
        r = await c.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        assert (await c.get("/healthz", headers={"Host": "api.example"})).status_code == 200
        r = await c.get("/healthz", headers={"Host": "attacker.example"})
        assert r.status_code == 400
    async with make_client() as c:  # defaults: no CORS headers, any host
        r = await c.get("/healthz", headers={"Origin": "https://dash.example"})
        assert "access-control-allow-origin" not in r.headers
        assert (await c.get("/healthz", headers={"Host": "anything.example"})).status_code == 200
