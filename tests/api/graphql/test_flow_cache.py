"""The in-process flows cache and the pre-shaped flows answer: same answers as the normal
path, forgotten when a move is recorded, after a curator write, and refreshed after the TTL."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from service.api.graphql.flow_cache import FlowCache, flow_cache
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import Seeded, data_of, gid

WAIT_S = 10.0  # how long to wait for the listener or a notification before giving up

CELLS = "origin { code name } destination { code name } period count small"
PLAIN = f"""{{ year: flows(level: COUNTRY, period: YEAR) {{ {CELLS} }}
    all: flows(level: INSTITUTION, period: ALL) {{
      __typename o: origin {{ __typename code }} destination {{ code name }} n: count period }}
    net: netFlows(level: COUNTRY, period: ALL) {{ entity {{ code }} inflow outflow net }} }}"""
# The same selection with a directive on each cell field: resolved field by field.
FIELD_BY_FIELD = """{ year: flows(level: COUNTRY, period: YEAR) {
      origin @include(if: true) { code name } destination @include(if: true) { code name }
      period @include(if: true) count @include(if: true) small @include(if: true) }
    all: flows(level: INSTITUTION, period: ALL) {
      __typename @include(if: true) o: origin { __typename code } destination { code name }
      n: count period }
    net: netFlows(level: COUNTRY, period: ALL) {
      entity @include(if: true) { code } inflow outflow net } }"""


async def listening(app: Any) -> FlowCache:
    cache = flow_cache(app.state.talentflow)
    cache.start()
    await asyncio.wait_for(cache.listening.wait(), WAIT_S)
    return cache


async def until_empty(cache: FlowCache) -> None:
    """Wait (up to WAIT_S) for a notification to empty the cache."""
    for _ in range(int(WAIT_S / 0.01)):
        if not len(cache):
            return
        await asyncio.sleep(0.01)
    assert len(cache) == 0


def total(data: dict[str, Any]) -> int:
    return sum(c["count"] for c in data["year"])


async def test_cached_answer_equals_fresh_and_field_by_field(
    gql: Gql, seeded: Seeded, app: Any
) -> None:
    cache = await listening(app)
    first = data_of(await gql(PLAIN))
    assert len(cache._entries["flows"]) == 3 and cache.misses == 6  # 3 answers, 3 encodings
    assert len(cache._entries["encoded"]) == 3  # the three selections, encoded once each
    hit = data_of(await gql(PLAIN))
    assert cache.hits == 6
    assert hit == first
    slow = data_of(await gql(FIELD_BY_FIELD))
    assert cache.hits == 9  # the answers again, completed field by field (no encoding)
    assert slow == first
    cache.invalidate()
    assert len(cache) == 0
    fresh = data_of(await gql(PLAIN))
    assert fresh == first and cache.misses == 12
    assert total(first) > 0
    assert first["all"][0]["__typename"] == "FlowCell"
    assert first["all"][0]["o"] is None or first["all"][0]["o"]["__typename"] == "FlowEntity"
    assert all(isinstance(c["period"], str) for c in first["year"])


async def test_institution_field_is_resolved_normally(gql: Gql, seeded: Seeded, app: Any) -> None:
    await listening(app)
    q = "{ flows(level: PARENT, period: ALL) { origin { code institution { slug } } count } }"
    for _ in range(2):  # a miss, then a hit: both through the normal path
        cells = data_of(await gql(q))["flows"]
        assert cells[0]["origin"]["institution"]["slug"] == cells[0]["origin"]["code"]


async def test_recorded_move_invalidates(
    gql: Gql, seeded: Seeded, app: Any, pool: asyncpg.Pool
) -> None:
    cache = await listening(app)
    before = total(data_of(await gql(PLAIN)))
    assert len(cache._entries["flows"]) == 3
    await pool.execute(
        "INSERT INTO move (researcher_id, from_institution_id, to_institution_id, from_country, "
        "to_country, move_date, date_precision, kind, status, confidence, provisional, origin) "
        "SELECT researcher_id, from_institution_id, to_institution_id, from_country, "
        "to_country, move_date, date_precision, kind, 'confirmed', confidence, provisional, "
        "origin FROM move WHERE move_date IS NOT NULL AND status <> 'retracted' LIMIT 1"
    )

    await until_empty(cache)
    assert total(data_of(await gql(PLAIN))) == before + 1


async def test_curator_write_invalidates_at_once(
    gql: Gql, seeded: Seeded, app: Any, keys: dict[str, str]
) -> None:
    cache = await listening(app)
    before = total(data_of(await gql(PLAIN)))
    assert len(cache._entries["flows"]) == 3
    r = "mutation($id: ID!) { retractMove(id: $id) { ... on Move { status } } }"
    out = data_of(await gql(r, {"id": gid("Move", seeded.moves["garcia"])}, key=keys["curate"]))
    assert out["retractMove"] == {"status": "RETRACTED"}
    assert len(cache) == 0  # an UPDATE sends no notification: the write itself forgot them
    assert total(data_of(await gql(PLAIN))) == before - 1


async def test_ttl_notification_and_single_flight(db_url: str) -> None:
    now = [0.0]
    cache = FlowCache(db_url, ttl_s=30.0, clock=lambda: now[0])
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.01)
        return calls

    try:
        cache.start()
        await asyncio.wait_for(cache.listening.wait(), WAIT_S)
        # Concurrent lookups of a missing key aggregate once.
        assert (
            await asyncio.gather(*(cache.get_or_compute("k", compute) for _ in range(5))) == [1] * 5
        )
        now[0] = 29.9
        assert await cache.get_or_compute("k", compute) == 1
        now[0] = 30.0
        # Expired: the first lookup aggregates afresh; those arriving meanwhile are answered
        # with the entry they have instead of queueing behind it.
        refreshing = asyncio.create_task(cache.get_or_compute("k", compute))
        await asyncio.sleep(0)
        assert [await cache.get_or_compute("k", compute) for _ in range(3)] == [1, 1, 1]
        assert await refreshing == 2 and calls == 2
        assert cache.get("k") == 2
        now[0] = 30.0 + 59.9  # stale again; the next lookup refreshes it
        assert await cache.get_or_compute("k", compute) == 3
        now[0] = 89.9 + 60.0  # too old to answer at all: everyone waits for the new value
        assert (
            await asyncio.gather(*(cache.get_or_compute("k", compute) for _ in range(3))) == [4] * 3
        )

        async def racing() -> int:
            cache.invalidate()  # a move recorded while aggregating: the answer is not kept
            return await compute()

        assert await cache.get_or_compute("r", racing) == 5
        assert cache.get("r") is None
        assert await cache.get_or_compute("k", compute) == 6  # emptied by that invalidation
        assert await cache.get_or_compute("k", compute) == 6
        conn = await asyncpg.connect(db_url)
        try:
            await conn.execute("NOTIFY move_recorded, '1'")
        finally:
            await conn.close()

        await until_empty(cache)
        assert await cache.get_or_compute("k", compute) == 7
    finally:
        await cache.close()
    assert not cache.listening.is_set()
    assert await cache.get_or_compute("k", compute) == 8  # closed: never served from memory


SERIES = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on Institution { slug
    flowSeries(period: ALL) { period inflow outflow net } } } }"""


async def test_institution_series_are_kept_apart_and_forgotten_on_a_new_move(
    gql: Gql, seeded: Seeded, app: Any, pool: asyncpg.Pool
) -> None:
    cache = await listening(app)
    ids = [gid("Institution", seeded.institutions[s]) for s in ("openai", "tencent")]
    first = data_of(await gql(SERIES, {"ids": ids}))["nodes"]
    assert len(cache._entries["series"]) == 2 and len(cache._entries["flows"]) == 0
    misses = cache.misses
    assert data_of(await gql(SERIES, {"ids": ids}))["nodes"] == first
    assert cache.misses == misses  # both answered from memory
    openai = first[0]["flowSeries"][0]
    await pool.execute(
        "INSERT INTO move (researcher_id, from_institution_id, to_institution_id, kind, "
        "status, confidence, provisional, origin) VALUES ($1, $2, $3, 'unknown', 'confirmed', "
        "0.9, false, 'manual')",
        seeded.researchers["jones"],
        seeded.institutions["tencent"],
        seeded.institutions["openai"],
    )
    await until_empty(cache)
    again = data_of(await gql(SERIES, {"ids": ids}))["nodes"]
    assert again[0]["flowSeries"][0]["inflow"] == openai["inflow"] + 1


async def test_an_encoded_answer_serves_every_transport(
    gql: Gql, seeded: Seeded, app: Any, client: Any
) -> None:
    """The encoded flows (kept once per selection) are spliced by the fast path and by the
    normal path alike: a JSON POST, a GET and a batch give the same cells."""
    await listening(app)
    query = "{ flows(level: COUNTRY, period: YEAR) { origin { code } count } }"
    posted = data_of(await gql(query))
    got = await client.get("/graphql", params={"query": query})
    batch = await client.post("/graphql", json=[{"query": query}, {"query": query}])
    assert got.json()["data"] == posted
    assert [b["data"] for b in batch.json()] == [posted, posted]
    assert posted["flows"] and all(set(c) == {"origin", "count"} for c in posted["flows"])


async def test_a_derived_value_follows_the_entry_it_came_from(db_url: str) -> None:
    now = [0.0]
    cache = FlowCache(db_url, ttl_s=30.0, clock=lambda: now[0])
    made: list[object] = []

    async def compute() -> list[int]:
        return [len(made)]

    def derive(cells: list[int]) -> object:
        def encode() -> object:
            made.append(object())
            return made[-1]

        return cache.derive("k", cells, encode, bucket="encoded")

    try:
        cache.start()
        await asyncio.wait_for(cache.listening.wait(), WAIT_S)
        cells = await cache.get_or_compute("k", compute)
        first = derive(cells)
        assert derive(await cache.get_or_compute("k", compute)) is first  # same cells
        now[0] = 30.0  # the cells are refreshed: what was derived from the old ones is not kept
        refreshed = await cache.get_or_compute("k", compute)
        assert refreshed is not cells
        second = derive(refreshed)
        assert second is not first and derive(refreshed) is second and len(made) == 2
        cache.invalidate()
        assert derive(await cache.get_or_compute("k", compute)) is not second
    finally:
        await cache.close()
