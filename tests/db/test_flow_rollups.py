"""Flow rollups (migration 0014, service/db/queries/rollups.py): which filters they answer, the
plans that show which table a query reads, and a generated differential test: after random
batch inserts, field updates, status changes, retractions, merges and unmerges, deletions,
re-parented institutions and compactions, every flow, net-flow and series answer read from
the rollups equals the one counted from the moves, exactly."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from datetime import date
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.db.pool import init_connection
from service.db.queries.flows import (
    Level,
    Period,
    Weight,
    flows,
    flows_sql,
    institution_flow_series,
    institution_flow_series_sql,
    net_flows,
    net_flows_sql,
    source,
)
from service.db.queries.moves import MoveFilter
from service.db.queries.rollups import CONFIDENCE_BANDS, ROLLUP_FIELDS, Rollup, covers
from service.db.stores import curation, move_decisions, rollups
from service.db.stores import moves as move_store
from service.errors import Conflict, NotFound

# --------------------------------------------------------------------------------------------
# Which filters the rollups answer


def test_rollup_fields_are_move_filter_fields() -> None:
    assert {f.name for f in dataclasses.fields(MoveFilter)} >= ROLLUP_FIELDS


@pytest.mark.parametrize(
    ("flt", "covered"),
    [
        (MoveFilter(), True),
        (MoveFilter(kind=("academia_to_industry",), status=("confirmed",)), True),
        (MoveFilter(cross_border_only=True, from_country=("US",), to_country=("CN",)), True),
        (MoveFilter(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31)), True),
        (MoveFilter(date_from=date(2024, 3, 1), date_to=date(2024, 2, 29)), True),
        (MoveFilter(date_from=date(2024, 1, 2)), False),
        (MoveFilter(date_to=date(2024, 12, 30)), False),
        (MoveFilter(date_to=date.max), True),
        *((MoveFilter(min_confidence=c), True) for c in (0.0, *CONFIDENCE_BANDS)),
        (MoveFilter(min_confidence=0.8), False),
        (MoveFilter(include_visits=True, dual_affiliation=True, provisional=False), True),
        (MoveFilter(origin=("inferred",), returnee=True, first_job_after_doctorate=False), True),
        (MoveFilter(from_institution=1, include_descendants=False), True),
        (MoveFilter(researcher=1), False),
        (MoveFilter(topic=("nlp",)), False),
        (MoveFilter(min_h_index=3), False),
        (MoveFilter(min_citations=3), False),
        (MoveFilter(top_cited_percent=10), False),
    ],
)
def test_covers(flt: MoveFilter, covered: bool) -> None:
    assert covers(flt) is covered


def test_sources() -> None:
    assert source(Level.COUNTRY, MoveFilter()) is Rollup.COUNTRY
    # One institution's moves come faster through the move table's institution indexes.
    assert source(Level.COUNTRY, MoveFilter(to_institution=1)) is None
    assert source(Level.INSTITUTION, MoveFilter(from_institution=1)) is None
    assert source(Level.PARENT, MoveFilter()) is Rollup.INSTITUTION
    assert source(Level.COUNTRY, MoveFilter(), Weight.CITATIONS) is None
    assert source(Level.COUNTRY, MoveFilter(), rollups=False) is None
    assert source(Level.INSTITUTION, MoveFilter(topic=("nlp",))) is None


async def test_band_bounds_match_the_migration(pool: asyncpg.Pool) -> None:
    """The bands the query layer trusts are the ones the trigger writes."""
    async with pool.acquire() as conn:
        got = await conn.fetch(
            "SELECT c, tf_confidence_band(c) AS b FROM unnest($1::float8[]) AS c",
            [0.0, 0.49999, *CONFIDENCE_BANDS, 0.69999, 0.89999, 1.0],
        )
    floor = {r["c"]: max([0.0, *(b for b in CONFIDENCE_BANDS if b <= r["c"])]) for r in got}
    assert {r["c"]: r["b"] for r in got} == floor


# --------------------------------------------------------------------------------------------
# Plans: covered filters read a rollup, the others the moves


async def _relations(conn: asyncpg.Connection, sql: str, params: list[object]) -> set[str]:
    plan = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {sql}", *params)
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "Relation Name" in node:
                found.add(node["Relation Name"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(plan) if isinstance(plan, str) else plan)
    return found


COVERED = MoveFilter(
    kind=("industry_to_industry",),
    cross_border_only=True,
    status=("reported", "confirmed"),
    min_confidence=0.7,
    date_from=date(2020, 1, 1),
    date_to=date(2024, 12, 31),
)
UNCOVERED = dataclasses.replace(COVERED, topic=("nlp",))


async def test_plans_show_which_table_a_flow_query_reads(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        for build in (flows_sql, net_flows_sql):
            for level in Level:
                rollup = (
                    "move_rollup_country" if level is Level.COUNTRY else "move_rollup_institution"
                )
                got = await _relations(conn, *build(level, Period.YEAR, COVERED))
                assert rollup in got and "move" not in got, (build, level, got)
                got = await _relations(conn, *build(level, Period.YEAR, UNCOVERED))
                assert "move" in got and not {t.value for t in Rollup} & got, (build, level, got)
                got = await _relations(conn, *build(level, Period.YEAR, COVERED, Weight.CITATIONS))
                assert "move" in got and not {t.value for t in Rollup} & got
                got = await _relations(conn, *build(level, Period.YEAR, COVERED, rollups=False))
                assert "move" in got and not {t.value for t in Rollup} & got
        # Series: one institution's rollup (and the pair rollup for moves inside a tree) when
        # it covers the filter, else the move table (through its institution indexes).
        side = {Rollup.INSTITUTION_SIDE.value, Rollup.INSTITUTION.value}
        got = await _relations(conn, *institution_flow_series_sql([1, 2], Period.YEAR, COVERED))
        assert side <= got and "move" not in got, got
        for flt, rollups in ((UNCOVERED, True), (COVERED, False)):
            sql = institution_flow_series_sql([1, 2], Period.YEAR, flt, rollups=rollups)
            got = await _relations(conn, *sql)
            assert "move" in got and not {t.value for t in Rollup} & got, got


# --------------------------------------------------------------------------------------------
# Generated differential test: the rollups against the scan

# slug, country, parent slug
INSTITUTIONS = (
    ("a", "US", None),
    ("a1", "GB", "a"),
    ("a2", "US", "a1"),
    ("b", "CN", None),
    ("c", "US", None),
    ("d", None, None),
)
PEOPLE = 4
KINDS = (
    "academia_to_industry",
    "industry_to_academia",
    "industry_to_industry",
    "academia_to_academia",
    "unknown",
)
STATUSES = ("reported", "corroborated", "confirmed", "retracted", "rumoured")
ORIGINS = ("reported", "inferred", "manual")
CONFIDENCES = (0.0, 0.3, 0.5, 0.55, 0.69999, 0.7, 0.89999, 0.9, 1.0)
COUNTRIES = ("US", "GB", "CN")
DATES = st.one_of(st.none(), st.dates(min_value=date(2019, 12, 1), max_value=date(2023, 2, 28)))


@st.composite
def move_specs(draw: st.DrawFn) -> dict[str, Any]:
    ends = draw(
        st.tuples(st.none() | st.integers(0, 5), st.none() | st.integers(0, 5)).filter(
            lambda t: t != (None, None) and t[0] != t[1]
        )
    )
    when = draw(DATES)
    return {
        "researcher": draw(st.integers(0, PEOPLE - 1)),
        "from": ends[0],
        "to": ends[1],
        # a move's countries are mostly its institutions', sometimes not (a site abroad)
        "from_country": draw(st.sampled_from(("inst", "inst", None, *COUNTRIES))),
        "to_country": draw(st.sampled_from(("inst", "inst", None, *COUNTRIES))),
        "move_date": when,
        "date_precision": None if when is None else "day",
        "kind": draw(st.sampled_from(KINDS)),
        "status": draw(st.sampled_from(STATUSES)),
        "confidence": draw(st.sampled_from(CONFIDENCES)),
        "provisional": draw(st.booleans()),
        "origin": draw(st.sampled_from(ORIGINS)),
        "is_returnee": draw(st.booleans()),
        "is_visit": draw(st.booleans()),
        "is_dual_affiliation": draw(st.booleans()),
        "is_first_job_after_doctorate": draw(st.booleans()),
    }


UPDATABLE = st.sampled_from(
    (
        "status",
        "kind",
        "confidence",
        "move_date",
        "from_country",
        "to_country",
        "to_institution_id",
        "provisional",
        "origin",
        "is_visit",
        "is_dual_affiliation",
        "is_returnee",
        "is_first_job_after_doctorate",
        "reasons",
    )
)

OPERATIONS = st.one_of(
    st.tuples(st.just("ingest"), st.lists(move_specs(), min_size=1, max_size=6)),
    st.tuples(st.just("update"), st.integers(0, 50), UPDATABLE, st.data()),
    st.tuples(st.just("bulk_status"), st.sampled_from(STATUSES), st.integers(2, 4)),
    st.tuples(st.just("retract"), st.integers(0, 50)),
    st.tuples(st.just("confirm"), st.integers(0, 50)),
    st.tuples(st.just("merge"), st.integers(0, PEOPLE - 1), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("unmerge"), st.integers(0, PEOPLE - 1)),
    st.tuples(st.just("delete"), st.lists(st.integers(0, 50), max_size=3)),
    st.tuples(st.just("reparent"), st.integers(1, 5), st.none() | st.integers(0, 5)),
    st.tuples(st.just("compact")),
)


@st.composite
def filters(draw: st.DrawFn) -> MoveFilter:
    """Filters on the columns the rollups keep (the others would compare the scan with itself)."""

    def some(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(draw(st.lists(st.sampled_from(values), max_size=2, unique=True)))

    maybe = st.none() | st.booleans()
    return MoveFilter(
        from_institution=draw(st.none() | st.integers(0, 5)),
        to_institution=draw(st.none() | st.integers(0, 5)),
        include_descendants=draw(st.booleans()),
        from_country=some(COUNTRIES),
        to_country=some(COUNTRIES),
        date_from=draw(st.sampled_from((None, date(2020, 1, 1), date(2021, 7, 1)))),
        date_to=draw(st.sampled_from((None, date(2021, 12, 31), date(2022, 6, 30)))),
        kind=some(KINDS),
        status=some(STATUSES),
        min_confidence=draw(st.sampled_from((None, 0.0, *CONFIDENCE_BANDS))),
        cross_border_only=draw(st.booleans()),
        provisional=draw(maybe),
        origin=some(ORIGINS),
        include_visits=draw(st.booleans()),
        returnee=draw(maybe),
        include_dual_affiliations=draw(st.booleans()),
        dual_affiliation=draw(maybe),
        first_job_after_doctorate=draw(maybe),
    )


@dataclasses.dataclass
class World:
    institutions: list[int]
    countries: dict[int, str | None]
    people: list[int]


async def _world(conn: asyncpg.Connection) -> World:
    ids: dict[str, int] = {}
    for slug, country, parent in INSTITUTIONS:
        ids[slug] = await conn.fetchval(
            "INSERT INTO institution (slug, name, country_code, parent_id) "
            "VALUES ($1, $1, $2, $3) RETURNING id",
            slug,
            country,
            ids.get(parent) if parent else None,
        )
    people = [
        await conn.fetchval(
            "INSERT INTO researcher (display_name) VALUES ($1) RETURNING id", f"person {i}"
        )
        for i in range(PEOPLE)
    ]
    insts = [ids[slug] for slug, _, _ in INSTITUTIONS]
    return World(insts, {ids[s]: c for s, c, _ in INSTITUTIONS}, people)


def _row(world: World, spec: dict[str, Any]) -> dict[str, Any]:
    row = dict(spec)
    ends = {}
    for side in ("from", "to"):
        inst = None if spec[side] is None else world.institutions[spec[side]]
        ends[side] = inst
        row[f"{side}_institution_id"] = inst
        if spec[f"{side}_country"] == "inst":
            row[f"{side}_country"] = world.countries[inst] if inst is not None else None
    row["researcher_id"] = world.people[spec["researcher"]]
    return row


async def _apply(conn: asyncpg.Connection, world: World, op: tuple[Any, ...]) -> None:
    ids = [r["id"] for r in await conn.fetch("SELECT id FROM move ORDER BY id")]

    def pick(i: int) -> int | None:
        return ids[i % len(ids)] if ids else None

    name = op[0]
    if name == "ingest":  # the ingest writer's batch insert: one statement, many rows
        await move_store.insert_with_evidence(conn, [_row(world, s) for s in op[1]], [])
    elif name == "update" and ids:
        move_id, field, data = pick(op[1]), op[2], op[3]
        value: Any
        if field == "status":
            value = data.draw(st.sampled_from(STATUSES))
        elif field == "kind":
            value = data.draw(st.sampled_from(KINDS))
        elif field == "confidence":
            value = data.draw(st.sampled_from(CONFIDENCES))
        elif field == "move_date":
            when = data.draw(DATES)
            await move_store.update_fields(
                conn, move_id, {"move_date": when, "date_precision": when and "day"}
            )
            return
        elif field in ("from_country", "to_country"):
            value = data.draw(st.sampled_from((None, *COUNTRIES)))
        elif field == "to_institution_id":
            row = await conn.fetchrow("SELECT from_institution_id FROM move WHERE id = $1", move_id)
            choices = [i for i in world.institutions if i != row["from_institution_id"]]
            value = data.draw(st.sampled_from(choices))
        elif field == "origin":
            value = data.draw(st.sampled_from(ORIGINS))
        elif field == "reasons":
            value = {"why": "no change to any cell"}
        else:
            value = data.draw(st.booleans())
        await move_store.update_fields(conn, move_id, {field: value})
    elif name == "bulk_status":
        await conn.execute("UPDATE move SET status = $1 WHERE id % $2 = 0", op[1], op[2])
    elif name in ("retract", "confirm") and ids:
        decide = move_decisions.retract_move if name == "retract" else move_decisions.confirm_move
        with contextlib.suppress(Conflict):  # a retracted move cannot be confirmed
            await decide(conn, pick(op[1]), actor="test")
    elif name == "merge":
        with contextlib.suppress(Conflict, NotFound):
            await curation.merge_researchers(
                conn, world.people[op[1]], world.people[op[2]], actor="test"
            )
    elif name == "unmerge":
        with contextlib.suppress(Conflict, NotFound):
            await curation.unmerge_researcher(conn, world.people[op[1]], actor="test")
    elif name == "delete" and ids:
        gone = await conn.fetch(
            "SELECT * FROM move WHERE id = ANY($1::bigint[])", [pick(i) for i in op[1]]
        )
        await move_store.withdraw(conn, [dict(r) for r in gone], actor="test")
    elif name == "reparent":
        child = world.institutions[op[1]]
        parent = None if op[2] is None else world.institutions[op[2]]
        if parent is not None and await conn.fetchval(
            "WITH RECURSIVE up(id) AS (SELECT $1::bigint UNION "
            "SELECT i.parent_id FROM institution i JOIN up ON i.id = up.id "
            "WHERE i.parent_id IS NOT NULL) SELECT $2::bigint IN (SELECT id FROM up)",
            parent,
            child,
        ):
            return  # would make a cycle
        await conn.execute("UPDATE institution SET parent_id = $2 WHERE id = $1", child, parent)
    elif name == "compact":
        await rollups.compact(conn)


def _concrete(world: World, flt: MoveFilter) -> MoveFilter:
    def inst(i: int | None) -> int | None:
        return None if i is None else world.institutions[i]

    return dataclasses.replace(
        flt, from_institution=inst(flt.from_institution), to_institution=inst(flt.to_institution)
    )


async def _compare(conn: asyncpg.Connection, world: World, flt: MoveFilter) -> int:
    """Every aggregate of ``flt`` both ways; the number of answers compared."""
    n = 0
    one_institution = flt.from_institution is not None or flt.to_institution is not None
    for level in Level:
        # One institution's moves are counted from the move table (see test_sources).
        assert (source(level, flt) is None) is one_institution
        for period in (Period.ALL, Period.MONTH):
            fast = await flows(conn, level, period, flt)
            slow = await flows(conn, level, period, flt, rollups=False)
            assert fast == slow, (level, period, flt)
            fast_net = await net_flows(conn, level, period, flt)
            slow_net = await net_flows(conn, level, period, flt, rollups=False)
            assert fast_net == slow_net, (level, period, flt)
            n += 2
    for period in (Period.ALL, Period.QUARTER):
        fast_series = await institution_flow_series(conn, world.institutions, period, flt)
        slow_series = await institution_flow_series(
            conn, world.institutions, period, flt, rollups=False
        )
        assert fast_series == slow_series, (period, flt)
        n += 1
    return n


EXAMPLES = 50


def test_rollups_equal_the_scan_after_random_writes(db_url: str) -> None:
    async def setup() -> World:
        conn = await asyncpg.connect(db_url)
        try:
            return await _world(conn)
        finally:
            await conn.close()

    world = asyncio.run(setup())
    compared = {"answers": 0, "nonempty": 0}

    async def example(ops: list[tuple[Any, ...]], flts: list[MoveFilter]) -> None:
        conn = await asyncpg.connect(db_url)
        await init_connection(conn)  # JSON codecs, as the pool's connections have
        try:
            await conn.execute("TRUNCATE move CASCADE")  # the truncate trigger empties the rollups
            await conn.execute("UPDATE institution SET parent_id = NULL")
            for slug, _, parent in INSTITUTIONS:
                if parent:
                    await conn.execute(
                        "UPDATE institution SET parent_id = (SELECT id FROM institution "
                        "WHERE slug = $2) WHERE slug = $1",
                        slug,
                        parent,
                    )
            for op in ops:
                await _apply(conn, world, op)
            for flt in (MoveFilter(), MoveFilter(include_visits=True, status=STATUSES), *flts):
                compared["answers"] += await _compare(conn, world, _concrete(world, flt))
            everything = MoveFilter(
                status=STATUSES, include_visits=True, include_dual_affiliations=True
            )
            compared["nonempty"] += bool(await flows(conn, Level.COUNTRY, Period.ALL, everything))
        finally:
            await conn.close()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(
        first=st.lists(move_specs(), min_size=1, max_size=8),
        ops=st.lists(OPERATIONS, min_size=1, max_size=14),
        flts=st.lists(filters(), max_size=3),
    )
    def run(
        first: list[dict[str, Any]], ops: list[tuple[Any, ...]], flts: list[MoveFilter]
    ) -> None:
        asyncio.run(example([("ingest", first), *ops], flts))

    run()
    assert compared["nonempty"] >= EXAMPLES // 2, compared  # the examples did hold moves


async def test_concurrent_writers_do_not_wait_on_rollup_cells(pool: asyncpg.Pool) -> None:
    """Two transactions writing the same cells in opposite orders, with a compaction between
    them, neither wait on each other nor deadlock (the triggers only insert deltas), and what
    they leave equals the scan."""
    async with pool.acquire() as conn:
        world = await _world(conn)
    spec = {
        "researcher": 0,
        "from_country": "inst",
        "to_country": "inst",
        "move_date": date(2021, 5, 3),
        "date_precision": "day",
        "kind": "industry_to_industry",
        "status": "reported",
        "confidence": 0.9,
        "provisional": False,
        "origin": "reported",
        "is_returnee": False,
        "is_visit": False,
        "is_dual_affiliation": False,
        "is_first_job_after_doctorate": False,
    }
    hot = [_row(world, {**spec, "from": 0, "to": 3}), _row(world, {**spec, "from": 3, "to": 4})]
    first_in, second_in = asyncio.Event(), asyncio.Event()

    async def writer(
        rows: list[dict[str, Any]], mine: asyncio.Event, theirs: asyncio.Event
    ) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await move_store.insert_with_evidence(conn, rows[:1], [])
            mine.set()
            await asyncio.wait_for(theirs.wait(), 10)  # both hold their first cell's delta
            await move_store.insert_with_evidence(conn, rows[1:], [])
            await rollups.compact(conn)

    await asyncio.wait_for(
        asyncio.gather(writer(hot, first_in, second_in), writer(hot[::-1], second_in, first_in)),
        30,
    )
    async with pool.acquire() as conn:
        await rollups.compact(conn)
        assert await _compare(conn, world, MoveFilter()) > 0
        cells = await conn.fetch(
            "SELECT moves, pending FROM move_rollup_country WHERE from_country IS NOT NULL"
        )
        assert sorted(r["moves"] for r in cells) == [2, 2] and not any(r["pending"] for r in cells)
