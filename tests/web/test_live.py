"""A move written to the database while the explorer is open appears in its Live list.

The page shows "on" when the socket is acknowledged (graphql-transport-ws ``connection_ack``);
the server puts its ``LISTEN`` in place only after the ``subscribe`` message that follows, so a
move committed in between is never notified. The test waits for the subscription's ``LISTEN``
connection, as ``pg_stat_activity`` shows it, before it writes.
"""

from __future__ import annotations

import asyncio
import importlib.util
from datetime import date
from typing import Any

import asyncpg
import pytest

from service.api.graphql.subscriptions import APPLICATION_NAME
from tests.web import dataset
from tests.web.conftest import Server, run_async

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not any(importlib.util.find_spec(m) for m in ("websockets", "wsproto")),
        reason="uvicorn has no WebSocket library (websockets or wsproto) to serve subscriptions",
    ),
]


def test_a_move_recorded_during_the_visit_appears_live(server: Server, page: Any) -> None:
    page.goto(f"{server.url}/#/flows")
    # Selectors, not string predicates: the page's CSP forbids evaluating strings.
    page.wait_for_selector("#main[data-ready='flows']", state="attached")
    page.wait_for_selector("#live-state:text-is('on')", state="attached")
    live = page.locator("#live-list")
    assert live.get_attribute("aria-live") == "polite"
    spec = dataset.MoveSpec(
        "Grace Okafor",
        "stanford",
        "anthropic",
        date(2026, 1, 5),
        "academia_to_industry",
        0.9,
        "Grace Okafor joins Anthropic from Stanford.",
    )

    async def insert() -> None:
        conn = await asyncpg.connect(server.db_url)
        try:
            deadline = asyncio.get_running_loop().time() + 10
            while not await conn.fetchval(
                "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = $1 AND state = 'idle' AND query ILIKE 'LISTEN %'",
                APPLICATION_NAME,
            ):
                assert asyncio.get_running_loop().time() < deadline, (
                    "the subscription never listened"
                )
                await asyncio.sleep(0.05)
            ids, countries = await dataset.institution_ids(conn)
            await dataset.insert_move(conn, ids, countries, spec)
        finally:
            await conn.close()

    run_async(insert)
    item = live.locator("li.fresh", has_text="Grace Okafor")
    item.wait_for(timeout=10_000)
    assert "Stanford University → Anthropic" in item.inner_text()
