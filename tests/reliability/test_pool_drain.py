"""Nobody can drain the database pool: exports to clients that never read, huge hiring-signal
spans, statements that time out (and used to run twice), and subscription floods each stay
bounded while ``/readyz`` and ordinary reads keep answering."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from starlette.testclient import TestClient
from starlette.types import Message

from service.api.app import create_app
from service.api.graphql import subscriptions
from service.api.graphql.fast_path import FAST_PATH
from service.api.graphql.subscriptions import FEED_KEY, MoveFeed
from service.config import load_settings
from service.db.queries.moves import MoveFilter
from tests.api.graphql.seed import Seeded, seed_database

BUDGET_S = 0.6
NORMAL = "{ moves(first: 5) { edges { node { id researcher { name } } } } }"
STRAWBERRY = {"accept": "application/graphql-response+json"}


def codes(body: Any) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


@pytest_asyncio.fixture
async def tight_app(settings_env: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    monkeypatch.setenv("TALENTFLOW_READ_BUDGET_S", str(BUDGET_S))
    monkeypatch.setenv("TALENTFLOW_EXPORT_SEND_TIMEOUT_S", "1")
    monkeypatch.setenv("TALENTFLOW_EXPORT_POOL_SIZE", "2")
    application = create_app(load_settings())
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture
async def tight(tight_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=tight_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def normal_traffic_ok(client: httpx.AsyncClient) -> None:
    start = time.perf_counter()
    r = await client.get("/readyz")
    assert r.status_code == 200, r.text
    r = await client.post("/graphql", json={"query": NORMAL})
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    r = await client.get("/api/v1/moves", params={"limit": 5})
    assert r.status_code == 200
    assert time.perf_counter() - start < 1.0


async def test_exports_to_clients_that_never_read(
    tight_app: Any, tight: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO researcher (display_name, search_text) "
            "SELECT 'Researcher ' || g || ' ' || repeat('x', 200), 'r' FROM generate_series(1, 5000) g"
        )
    started: list[int] = []
    never = asyncio.Event()

    def stuck_client() -> tuple[Any, Any]:
        async def receive() -> Message:
            await never.wait()
            return {"type": "http.disconnect"}

        buffered = 0

        async def send(message: Message) -> None:
            nonlocal buffered
            if message["type"] == "http.response.start":
                started.append(message["status"])
            elif message["type"] == "http.response.body":
                # What socket buffers would take; then, the client not reading, send blocks.
                buffered += len(message.get("body", b""))
                if buffered > 256 * 1024:
                    await never.wait()

        return receive, send

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/v1/researchers",
        "raw_path": b"/api/v1/researchers",
        "root_path": "",
        "query_string": b"format=csv",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }
    start = time.perf_counter()
    exports = [asyncio.create_task(tight_app(dict(scope), *stuck_client())) for _ in range(10)]
    await asyncio.sleep(0.3)
    await normal_traffic_ok(tight)  # the main pool is untouched
    done, _ = await asyncio.wait(exports, timeout=10)
    assert len(done) == 10, "an export to a client that never reads was not ended"
    assert time.perf_counter() - start < 5
    assert started.count(200) == 2 and started.count(503) == 8, started
    export_pool = tight_app.state.talentflow.extras["rest.export_pool"]
    assert export_pool.get_idle_size() == export_pool.get_size()  # every connection back
    await normal_traffic_ok(tight)


@pytest.mark.parametrize(
    ("since", "until", "period"),
    [
        ("0001-01-01", "9999-12-31", "MONTH"),
        ("1900-01-01", None, "MONTH"),
        (None, "9999-12-31", "YEAR"),
    ],
)
async def test_hiring_span_is_refused_up_front(
    tight: httpx.AsyncClient, since: str | None, until: str | None, period: str
) -> None:
    params = {"period": period.lower(), **({"since": since} if since else {})}
    params.update({"until": until} if until else {})
    start = time.perf_counter()
    r = await tight.get("/api/v1/hiring-signals", params=params)
    assert r.status_code == 400 and r.json()["code"] == "LIMIT_EXCEEDED", r.text
    args = ", ".join(
        [f"period: {period}"]
        + ([f'since: "{since}"'] if since else [])
        + ([f'until: "{until}"'] if until else [])
    )
    query = f"{{ hiringSignals({args}) {{ openPostings }} }}"
    for headers in ({}, STRAWBERRY):
        r = await tight.post("/graphql", json={"query": query}, headers=headers)
        assert codes(r.json()) == ["LIMIT_EXCEEDED"], r.text
        assert "at most 600" in r.json()["errors"][0]["message"]
    assert time.perf_counter() - start < 1.0


async def test_a_timed_out_read_is_answered_once_within_the_budget(
    tight: httpx.AsyncClient, seeded: Seeded, db_url: str
) -> None:
    await normal_traffic_ok(tight)
    locker = await asyncpg.connect(db_url)
    try:
        tx = locker.transaction()
        await tx.start()
        await locker.execute("LOCK TABLE move IN ACCESS EXCLUSIVE MODE")
        fallbacks = FAST_PATH.labels("fallback")._value.get()
        for headers in ({}, STRAWBERRY):
            start = time.perf_counter()
            r = await tight.post("/graphql", json={"query": NORMAL}, headers=headers)
            elapsed = time.perf_counter() - start
            assert r.status_code == 503 and r.headers["retry-after"], r.text
            assert codes(r.json()) == ["QUERY_TIMEOUT"]
            assert elapsed < BUDGET_S * 1.8, (headers, elapsed)  # not run a second time
        assert FAST_PATH.labels("fallback")._value.get() == fallbacks
        start = time.perf_counter()  # a batch of ten has one budget, not ten
        r = await tight.post("/graphql", json=[{"query": NORMAL}] * 10)
        assert time.perf_counter() - start < BUDGET_S * 2.5
        assert all(codes(b) == ["QUERY_TIMEOUT"] for b in r.json())
        start = time.perf_counter()
        r = await tight.get("/api/v1/moves", params={"limit": 5})
        assert r.status_code == 503 and r.json()["code"] == "QUERY_TIMEOUT", r.text
        assert time.perf_counter() - start < BUDGET_S * 1.8
        r = await tight.get("/readyz")
        assert r.status_code == 200
        await tx.rollback()
    finally:
        await locker.close()
    await normal_traffic_ok(tight)


SUBSCRIPTION = "subscription { moveRecorded { id researcher { name } evidence { quote } } }"


def test_subscriptions_are_bounded_and_share_each_read(settings_env: str) -> None:
    s = asyncio.run(seed_database(settings_env))
    application = create_app(load_settings())
    with (
        TestClient(application) as tc,
        tc.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        limit = subscriptions.MAX_PER_CONNECTION
        for i in range(limit + 1):
            ws.send_json({"id": str(i), "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        refused = ws.receive_json()
        while refused["type"] == "ping":
            refused = ws.receive_json()
        assert refused["id"] == str(limit)
        assert refused["type"] in ("error", "next"), refused
        payload = refused["payload"]
        errors = payload if isinstance(payload, list) else payload.get("errors", [])
        assert [e["extensions"]["code"] for e in errors] == ["TOO_MANY_SUBSCRIPTIONS"]
        feed = application.state.talentflow.extras[FEED_KEY]
        deadline = time.monotonic() + 10
        while len(feed.subscribers) < limit or not feed.listening.is_set():
            assert time.monotonic() < deadline
            time.sleep(0.02)

        async def insert() -> int:
            conn = await asyncpg.connect(settings_env)
            try:
                pk: int = await conn.fetchval(
                    "INSERT INTO move (researcher_id, to_institution_id, confidence) "
                    "VALUES ($1, $2, 0.9) RETURNING id",
                    s.researchers["smith"],
                    s.institutions["openai"],
                )
                return pk
            finally:
                await conn.close()

        move_id = asyncio.run(insert())
        got = set()
        while len(got) < limit:
            message = ws.receive_json()
            if message["type"] == "next":
                got.add(message["id"])
        assert len(feed._events[move_id].reads) == 1  # one read for twenty subscribers
        main = application.state.talentflow.pool
        assert main.get_idle_size() == main.get_size()  # subscriptions hold no main connection
        assert tc.get("/readyz").status_code == 200


def test_subscribers_on_many_connections_share_one_read_of_each_selection(
    settings_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three websockets × five subscriptions with nested fields: one event reads its
    researcher once and its evidence once for all fifteen, not once per connection."""
    from service.db.queries import evidence, researchers

    calls = {"researchers": 0, "evidence": 0}
    real_researchers, real_evidence = researchers.researchers_by_ids, evidence.evidence_by_move_ids

    async def counted_researchers(ex: Any, ids: Any) -> Any:
        calls["researchers"] += 1
        return await real_researchers(ex, ids)

    async def counted_evidence(ex: Any, ids: Any) -> Any:
        calls["evidence"] += 1
        return await real_evidence(ex, ids)

    monkeypatch.setattr(researchers, "researchers_by_ids", counted_researchers)
    monkeypatch.setattr(evidence, "evidence_by_move_ids", counted_evidence)

    s = asyncio.run(seed_database(settings_env))
    application = create_app(load_settings())
    per_socket, sockets = 5, 3
    with TestClient(application) as tc, contextlib.ExitStack() as stack:
        wss = [
            stack.enter_context(
                tc.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
            )
            for _ in range(sockets)
        ]
        for ws in wss:
            ws.send_json({"type": "connection_init"})
            assert ws.receive_json()["type"] == "connection_ack"
            for i in range(per_socket):
                ws.send_json(
                    {"id": str(i), "type": "subscribe", "payload": {"query": SUBSCRIPTION}}
                )
        feed = application.state.talentflow.extras[FEED_KEY]
        deadline = time.monotonic() + 10
        while len(feed.subscribers) < per_socket * sockets or not feed.listening.is_set():
            assert time.monotonic() < deadline
            time.sleep(0.02)

        async def insert() -> None:
            conn = await asyncpg.connect(settings_env)
            try:
                await conn.execute(
                    "INSERT INTO move (researcher_id, to_institution_id, confidence) "
                    "VALUES ($1, $2, 0.9)",
                    s.researchers["smith"],
                    s.institutions["openai"],
                )
            finally:
                await conn.close()

        asyncio.run(insert())
        names = set()
        for ws in wss:
            got = 0
            while got < per_socket:
                message = ws.receive_json()
                if message["type"] == "next":
                    got += 1
                    names.add(message["payload"]["data"]["moveRecorded"]["researcher"]["name"])
        assert len(names) == 1
    assert calls == {"researchers": 1, "evidence": 1}, calls


async def test_a_subscriber_that_does_not_read_is_closed(db_url: str) -> None:
    closed: list[int] = []

    class Socket:
        async def close(self, code: int = 1000, reason: str | None = None) -> None:
            closed.append(code)

    feed = MoveFeed(db_url)
    async with feed.subscribe(MoveFilter(), Socket()) as sub:  # type: ignore[arg-type]
        for i in range(subscriptions.QUEUE_SIZE + 5):
            feed._notify(str(i))
        await asyncio.sleep(0.1)
        assert sub.dropped and sub.queue.qsize() == subscriptions.QUEUE_SIZE
        assert closed == [subscriptions.SLOW_READER_CLOSE_CODE]
