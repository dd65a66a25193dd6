"""moveRecorded over graphql-transport-ws, fed by LISTEN/NOTIFY on move_recorded."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
from starlette.testclient import TestClient

from service.api.app import create_app
from service.api.graphql.subscriptions import FEED_KEY
from service.config import load_settings
from tests.api.graphql.seed import Seeded, seed_database

SUBSCRIPTION = """subscription($f: MoveFilterInput) {
  moveRecorded(filter: $f) { id status researcher { name } from { slug } to { slug }
    toCountry { code } } }"""


def _run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _insert_move(url: str, s: Seeded, src: str, dst: str, to_country: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        pk: int = await conn.fetchval(
            "INSERT INTO move (researcher_id, from_institution_id, to_institution_id, "
            "from_country, to_country, confidence) VALUES ($1, $2, $3, 'US', $4, 0.9) "
            "RETURNING id",
            s.researchers["smith"],
            s.institutions[src],
            s.institutions[dst],
            to_country,
        )
        return pk
    finally:
        await conn.close()


def _subscribe(ws: Any, app: Any, variables: dict[str, Any]) -> None:
    """Open a moveRecorded subscription and wait until the server's LISTEN is in place."""
    ws.send_json({"type": "connection_init"})
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json(
        {
            "id": "1",
            "type": "subscribe",
            "payload": {"query": SUBSCRIPTION, "variables": variables},
        }
    )
    deadline = time.monotonic() + 10
    while True:
        feed = app.state.talentflow.extras.get(FEED_KEY)
        if feed is not None and feed.listening.is_set():
            break
        assert time.monotonic() < deadline, "the listener did not start"
        time.sleep(0.02)


def _next_message(ws: Any) -> dict[str, Any]:
    """The next message that is not a keep-alive ping."""
    message: dict[str, Any] = ws.receive_json()
    while message["type"] == "ping":
        ws.send_json({"type": "pong"})
        message = ws.receive_json()
    return message


def test_move_recorded_reaches_subscriber(settings_env: str) -> None:
    url = settings_env
    seeded = _run(seed_database(url))
    app = create_app(load_settings())
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, app, {"f": {"toCountry": ["CN"]}})
        _run(_insert_move(url, seeded, "tencent", "openai", "US"))  # filtered out
        wanted = _run(_insert_move(url, seeded, "openai", "tencent", "CN"))
        message = _next_message(ws)
        assert message["type"] == "next", message
        move = message["payload"]["data"]["moveRecorded"]
        assert move["to"]["slug"] == "tencent" and move["toCountry"]["code"] == "CN"
        assert move["researcher"]["name"] == "Alice Smith"
        import base64

        assert base64.b64decode(move["id"]).decode() == f"Move:{wanted}"
        ws.send_json({"id": "1", "type": "complete"})


async def _ingest_news_move(url: str, path: str) -> Any:
    from service.db.pool import create_pool
    from service.ingest.pipeline import run_ingester

    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        return await run_ingester(pool, "jsonl", {"path": path}, settings=load_settings())
    finally:
        await pool.close()


def test_a_move_recorded_by_an_ingest_run_reaches_subscriber(
    settings_env: str, tmp_path: Any
) -> None:
    """The whole path: an ingester reports a move, the pipeline commits it, PostgreSQL
    NOTIFYs, and a dashboard's subscription receives it."""
    import json

    url = settings_env
    _run(seed_database(url))
    article = "https://news.example.org/2026/11/lin-joins-tencent"
    lines = [
        {"type": "document_seen", "url": article, "kind": "news_article", "publisher": "Example"},
        {
            "type": "move_reported",
            "person": {"name": "Lin Qiao"},
            "from_institution": {"slug": "openai"},
            "to_institution": {"slug": "tencent"},
            "date": "2026-11",
            "quote": "Lin Qiao, a researcher at OpenAI, has joined Tencent.",
            "document_url": article,
            "confidence": 0.9,
        },
    ]
    feed = tmp_path / "moves.jsonl"
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    app = create_app(load_settings())
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        _subscribe(ws, app, {"f": {"toCountry": ["CN"]}})
        result = _run(_ingest_news_move(url, str(feed)))
        assert result.ok, result.error
        message = _next_message(ws)
        assert message["type"] == "next", message
        move = message["payload"]["data"]["moveRecorded"]
        assert move["researcher"]["name"] == "Lin Qiao"
        assert move["from"]["slug"] == "openai" and move["to"]["slug"] == "tencent"
        ws.send_json({"id": "1", "type": "complete"})
