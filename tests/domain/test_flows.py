from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest

from service.domain.flows import (
    FlowFilter,
    Level,
    Period,
    flows_sql,
    mark_small,
    net_flows_sql,
)

DATABASE_URL = os.environ.get("DATABASE_URL")


def test_user_values_are_bind_parameters() -> None:
    hostile = "CN'); DROP TABLE move; --"
    flt = FlowFilter(topics=(hostile,), kinds=("academia_to_industry",), min_confidence=0.5)
    sql, params = flows_sql(Level.COUNTRY, Period.YEAR, flt)
    assert hostile not in sql
    assert [hostile] in params
    assert sql.count("$") == len(params)


def test_filter_validation() -> None:
    with pytest.raises(ValueError):
        flows_sql(Level.COUNTRY, Period.YEAR, FlowFilter(kinds=("sideways",)))
    with pytest.raises(ValueError):
        flows_sql(Level.COUNTRY, Period.ALL, FlowFilter(from_countries=("CHN",)))
    with pytest.raises(ValueError):
        net_flows_sql(Level.PARENT, Period.ALL, FlowFilter(min_confidence=2.0))


def test_mark_small() -> None:
    assert mark_small(4) and not mark_small(5) and mark_small(9, threshold=10)


@pytest.fixture(scope="module")
async def conn() -> AsyncIterator[asyncpg.Connection]:
    if not DATABASE_URL:
        pytest.skip("DATABASE_URL is not set")
    name = f"tf_flows_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(DATABASE_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = DATABASE_URL.rpartition("/")
    url = f"{base}/{name}"
    connection: asyncpg.Connection | None = None
    try:
        from service.db.migrations import upgrade

        await asyncio.to_thread(upgrade, url)
        connection = await asyncpg.connect(url)
        await _load(connection)
        yield connection
    finally:
        if connection is not None:
            await connection.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _load(conn: asyncpg.Connection) -> None:
    rows = [
        ("alphabet", "Alphabet", "company", "US", None),
        ("google", "Google", "company", "US", "alphabet"),
        ("gdm", "Google DeepMind", "lab", "GB", "google"),
        ("openai", "OpenAI", "company", "US", None),
        ("tsinghua", "Tsinghua University", "university", "CN", None),
        ("msra", "Microsoft Research Asia", "lab", "CN", None),
    ]
    ids: dict[str, int] = {}
    for slug, name, kind, country, parent in rows:
        ids[slug] = await conn.fetchval(
            "INSERT INTO institution (slug, name, kind, country_code, parent_id) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            slug,
            name,
            kind,
            country,
            ids.get(parent) if parent else None,
        )
    researcher = {}
    for person, topics in (("a", ["nlp"]), ("b", ["vision"]), ("c", ["nlp", "rl"])):
        researcher[person] = await conn.fetchval(
            "INSERT INTO researcher (display_name, topics) VALUES ($1, $2) RETURNING id",
            person,
            topics,
        )
    moves = [
        # person, from, to, date, precision, status, confidence, provisional
        ("a", "tsinghua", "openai", date(2023, 3, 1), "month", "reported", 0.9, False),
        ("b", "tsinghua", "openai", date(2023, 1, 1), "year", "corroborated", 0.95, False),
        ("c", "openai", "gdm", date(2024, 5, 1), "month", "confirmed", 0.99, False),
        ("a", "gdm", "google", date(2024, 6, 1), "month", "reported", 0.7, False),
        ("b", "openai", "tsinghua", date(2025, 2, 1), "month", "reported", 0.4, True),
        ("c", "msra", None, date(2022, 7, 1), "month", "reported", 0.8, False),
        ("a", None, "msra", None, None, "reported", 0.5, False),
        ("b", "msra", "openai", date(2023, 9, 1), "month", "retracted", 0.9, False),
    ]
    for person, src, dst, when, prec, status, conf, prov in moves:
        src_id, dst_id = ids.get(src) if src else None, ids.get(dst) if dst else None
        countries = dict(zip(ids.values(), [r[3] for r in rows], strict=True))
        await conn.execute(
            "INSERT INTO move (researcher_id, from_institution_id, to_institution_id, "
            "from_country, to_country, move_date, date_precision, status, confidence, "
            "provisional) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            researcher[person],
            src_id,
            dst_id,
            countries.get(src_id),
            countries.get(dst_id),
            when,
            prec,
            status,
            conf,
            prov,
        )


async def fetch(conn: asyncpg.Connection, query: tuple[str, list[object]]) -> list[tuple]:
    sql, params = query
    return [tuple(r) for r in await conn.fetch(sql, *params)]


async def test_country_flows_by_year(conn: asyncpg.Connection) -> None:
    rows = await fetch(conn, flows_sql(Level.COUNTRY, Period.YEAR, FlowFilter()))
    assert (None, "CN", None, 1) in rows  # unknown origin, no date
    assert ("CN", "US", date(2023, 1, 1), 2) in rows
    assert ("CN", None, date(2022, 1, 1), 1) in rows
    assert not any(
        r[2] == date(2023, 1, 1) and r[0] == "CN" and r[1] == "US" and r[3] == 3 for r in rows
    )  # the retracted MSRA move is left out
    assert sum(r[3] for r in rows) == 7


async def test_filters(conn: asyncpg.Connection) -> None:
    flt = FlowFilter(
        date_from=date(2023, 1, 1),
        date_to=date(2024, 12, 31),
        cross_border_only=True,
        min_confidence=0.8,
        topics=("nlp",),
    )
    rows = await fetch(conn, flows_sql(Level.COUNTRY, Period.ALL, flt))
    assert sorted(rows) == [("CN", "US", None, 1), ("US", "GB", None, 1)]
    no_prov = await fetch(
        conn, flows_sql(Level.COUNTRY, Period.ALL, FlowFilter(include_provisional=False))
    )
    assert ("US", "CN", None, 1) not in no_prov
    with_retracted = await fetch(
        conn, flows_sql(Level.COUNTRY, Period.ALL, FlowFilter(statuses=("retracted",)))
    )
    assert with_retracted == [("CN", "US", None, 1)]


async def test_institution_and_parent_levels(conn: asyncpg.Connection) -> None:
    ids = {r["slug"]: r["id"] for r in await conn.fetch("SELECT slug, id FROM institution")}
    inst = await fetch(conn, flows_sql(Level.INSTITUTION, Period.ALL, FlowFilter()))
    assert (ids["gdm"], ids["google"], None, 1) in inst
    parent = await fetch(conn, flows_sql(Level.PARENT, Period.ALL, FlowFilter()))
    assert (ids["openai"], ids["alphabet"], None, 1) in parent
    assert all(r[0] != r[1] for r in parent)  # gdm -> google stays inside Alphabet
    only = await fetch(
        conn, flows_sql(Level.INSTITUTION, Period.ALL, FlowFilter(institution_ids=(ids["msra"],)))
    )
    assert sum(r[3] for r in only) == 2


async def test_net_flows(conn: asyncpg.Connection) -> None:
    rows = await fetch(conn, net_flows_sql(Level.COUNTRY, Period.ALL, FlowFilter()))
    by_entity = {r[0]: r[2:] for r in rows}
    assert by_entity["US"] == (3, 2, 1)  # in: 2 from CN, 1 from GB; out: 1 to GB, 1 to CN
    assert by_entity["CN"] == (2, 3, -1)  # in: 1 from US, 1 from unknown; out: 2 + 1 unknown
    assert by_entity["GB"] == (1, 1, 0)
    monthly = await fetch(conn, net_flows_sql(Level.INSTITUTION, Period.MONTH, FlowFilter()))
    assert all(r[1] is None or r[1].day == 1 for r in monthly)
