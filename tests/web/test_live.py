"""A move written to the database while the explorer is open appears in its Live list."""

from __future__ import annotations

import importlib.util
from datetime import date
from typing import Any

import asyncpg
import pytest

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
    page.wait_for_function("document.getElementById('main').dataset.ready === 'flows'")
    page.wait_for_function("document.getElementById('live-state').textContent === 'on'")
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
            ids, countries = await dataset.institution_ids(conn)
            await dataset.insert_move(conn, ids, countries, spec)
        finally:
            await conn.close()

    run_async(insert)
    item = live.locator("li.fresh", has_text="Grace Okafor")
    item.wait_for(timeout=10_000)
    assert "Stanford University → Anthropic" in item.inner_text()
