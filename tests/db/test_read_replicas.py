"""Read replicas, against a real streaming replica.

The module starts a primary cluster of its own (``initdb``) and a replica from its base backup
(``pg_basebackup -R``) on free ports, migrates and seeds the primary, and runs the API with the
replica in ``TALENTFLOW_DATABASE_READ_URLS``. The servers' own statistics
(``pg_stat_database.xact_commit``) say which server ran the reads.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest

from service.api.app import create_app
from service.api.state import AppState
from service.config import load_settings
from service.db import migrations
from service.db.pool import init_connection
from service.db.stores.institutions import institution_search_text
from tests.api.graphql.seed import seed
from tests.conftest import _run
from tests.pg_cluster import Cluster, bin_dir, primary_and_replica

pytestmark = pytest.mark.skipif(bin_dir() is None, reason="no PostgreSQL server binaries")

DB = "talentflow"

MOVES = "{ moves(first: 20) { edges { node { id date { text } researcher { name } } } } }"
RESEARCHERS = "{ researchers(first: 10) { edges { node { id name } } } }"
INSTITUTION = "query($slug: String!) { institution(slug: $slug) { name country { code } } }"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with primary_and_replica() as c:

        async def create() -> None:
            admin = await asyncpg.connect(c.primary_url())
            try:
                await admin.execute(f'CREATE DATABASE "{DB}"')
            finally:
                await admin.close()

        async def fill() -> None:
            conn = await asyncpg.connect(c.primary_url(DB))
            try:
                await init_connection(conn)
                await seed(conn)
            finally:
                await conn.close()

        _run(create())
        migrations.upgrade(c.primary_url(DB))
        _run(fill())
        yield c


@asynccontextmanager
async def api(
    cluster: Cluster, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, AppState]]:
    settings = load_settings(
        database_url=cluster.primary_url(DB),
        database_read_urls=[cluster.replica_url(DB)],
        database_replica_check_interval_s=0.2,
        db_acquire_timeout_s=3.0,
        connect_timeout_s=2.0,
        **overrides,
    )
    app = create_app(settings, database_url=cluster.primary_url(DB))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c, app.state.talentflow


async def wait_for(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)


async def commits(url: str) -> int:
    """Transactions committed in the app's database on that server (flushed: the app's
    connections are closed before this is read)."""
    conn = await asyncpg.connect(url)
    try:
        await asyncio.sleep(0.3)
        n = await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", DB)
        return int(n)
    finally:
        await conn.close()


async def gql(
    client: httpx.AsyncClient, query: str, variables: Any = None, *, get: bool = False
) -> Any:
    if get:  # a GET is never planned by the fast path: strawberry runs it
        r = await client.get("/graphql", params={"query": query})
    else:
        r = await client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    return body["data"]


async def add_institution(cluster: Cluster, slug: str, name: str, delay_s: float = 0) -> None:
    conn = await asyncpg.connect(cluster.primary_url(DB))
    try:
        await conn.execute(
            "INSERT INTO institution (slug, name, kind, country_code, search_text) "
            "VALUES ($1, $2, 'lab', 'FR', $3)",
            slug,
            name,
            institution_search_text([name]),
        )
    finally:
        await conn.close()


async def test_reads_run_on_the_replica_and_see_writes_once_replayed(cluster: Cluster) -> None:
    primary_before = await commits(cluster.primary_url())
    replica_before = await commits(cluster.replica_url())
    async with api(cluster) as (client, state):
        reads = state.reads
        assert reads is not None and reads.replicas[0].healthy, reads
        for _ in range(10):
            assert len((await gql(client, MOVES))["moves"]["edges"]) > 0  # fast path
            await gql(client, RESEARCHERS, get=True)  # strawberry
            r = await client.get("/api/v1/moves", params={"limit": 5})  # REST
            assert r.status_code == 200, r.text

        await add_institution(cluster, "replica-lab", "Replica Lab")
        deadline = time.monotonic() + 10
        found = None
        while found is None and time.monotonic() < deadline:
            found = (await gql(client, INSTITUTION, {"slug": "replica-lab"}))["institution"]
            if found is None:
                await asyncio.sleep(0.05)
        assert found == {"name": "Replica Lab", "country": {"code": "FR"}}
        r = await client.get("/api/v1/institutions", params={"limit": 100})
        assert "replica-lab" in r.text
        served = reads.replicas[0].served
        assert reads.primary_served == 0, "a read ran on the primary while the replica was fine"
        assert served >= 30
        # a mutation's statements (and its key check) run on the primary, not on the replica
        r = await client.post(
            "/graphql",
            json={"query": 'mutation { retractMove(id: "x", reason: "r") { __typename } }'},
        )
        assert reads.replicas[0].served == served
    primary_delta = await commits(cluster.primary_url()) - primary_before
    replica_delta = await commits(cluster.replica_url()) - replica_before
    # The replica committed the load's reads (and its health checks); the primary only the
    # API's own start-up, listener and key lookups, and our insert.
    assert replica_delta >= served, (replica_delta, served)
    assert primary_delta < replica_delta / 3, (primary_delta, replica_delta)


async def test_a_lagging_replica_is_skipped_and_reads_see_the_primary(cluster: Cluster) -> None:
    replica = await asyncpg.connect(cluster.replica_url(DB))
    try:
        await replica.execute("ALTER SYSTEM SET recovery_min_apply_delay = '30s'")
        await replica.execute("SELECT pg_reload_conf()")
        async with api(cluster, database_replica_max_lag_ms=300) as (client, state):
            reads = state.reads
            assert reads is not None
            await add_institution(cluster, "lagging-lab", "Lagging Lab")
            await wait_for(lambda: not reads.replicas[0].healthy)
            assert not reads.replicas[0].healthy
            assert "lag" in reads.replicas[0].reason, reads.replicas[0].reason
            # The replica has not applied the insert; the primary answers, so it is seen.
            absent = "SELECT count(*) FROM institution WHERE slug = 'lagging-lab'"
            assert await replica.fetchval(absent) == 0
            found = (await gql(client, INSTITUTION, {"slug": "lagging-lab"}))["institution"]
            assert found is not None and found["name"] == "Lagging Lab"
            assert reads.primary_served > 0
    finally:
        await replica.execute("ALTER SYSTEM RESET recovery_min_apply_delay")
        await replica.execute("SELECT pg_reload_conf()")
        await replica.close()


async def test_stopping_the_replica_mid_load_fails_no_request(cluster: Cluster) -> None:
    async with api(cluster) as (client, state):
        reads = state.reads
        assert reads is not None
        await wait_for(lambda: reads.replicas[0].healthy)  # replayed the previous test's delay
        assert reads.replicas[0].healthy
        failures: list[str] = []
        done = 0
        stop_at = time.monotonic() + 4.0

        async def worker(i: int) -> None:
            nonlocal done
            while time.monotonic() < stop_at:
                try:
                    if i % 3 == 0:
                        await gql(client, MOVES)
                    elif i % 3 == 1:
                        await gql(client, RESEARCHERS, get=True)
                    else:
                        r = await client.get("/api/v1/researchers", params={"limit": 5})
                        assert r.status_code == 200, r.text
                    done += 1
                except AssertionError as exc:
                    failures.append(str(exc)[:300])

        async def stop_replica() -> None:
            await asyncio.sleep(1.0)
            served = reads.replicas[0].served
            await asyncio.to_thread(cluster.stop_replica, "fast")
            assert served > 0

        try:
            await asyncio.gather(stop_replica(), *(worker(i) for i in range(6)))
            # Read before the replica restarts: once it is back, a health check may pass again.
            healthy_after_stop = reads.replicas[0].healthy
        finally:
            await asyncio.to_thread(cluster.start_replica)
        assert failures == []
        assert done > 30
        assert not healthy_after_stop
        assert reads.primary_served > 0  # after the stop, the primary served the reads
        print(
            f"requests {done}, failovers {reads.failovers}, "
            f"replica {reads.replicas[0].served}, primary {reads.primary_served}"
        )
