"""Flow aggregates as the query layer computes them (service/db/queries/flows.py), on a small
known dataset: unknown ends, periods, filters, the PARENT level and net flows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest
import pytest_asyncio

from service.db.queries.flows import flows, net_flows
from service.db.queries.moves import MoveFilter
from service.domain.flows import Level, Period, mark_small


def test_mark_small() -> None:
    assert mark_small(4) and not mark_small(5) and mark_small(9, threshold=10)


@pytest_asyncio.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as connection:
        await _load(connection)
        yield connection


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


async def rows_of(
    conn: asyncpg.Connection, level: Level, period: Period, flt: MoveFilter
) -> list[tuple[object, ...]]:
    return [
        (r.origin, r.destination, r.period, r.count) for r in await flows(conn, level, period, flt)
    ]


async def test_country_flows_by_year(conn: asyncpg.Connection) -> None:
    rows = await rows_of(conn, Level.COUNTRY, Period.YEAR, MoveFilter())
    assert ("CN", "US", date(2023, 1, 1), 2) in rows
    assert ("CN", None, date(2022, 1, 1), 1) in rows  # a departure with no known destination
    assert not any(r[2] == date(2023, 1, 1) and r[:2] == ("CN", "US") and r[3] == 3 for r in rows)
    # the retracted MSRA move is left out; the undated arrival has no year
    assert sum(r[3] for r in rows) == 6
    everything = await rows_of(conn, Level.COUNTRY, Period.ALL, MoveFilter())
    assert (None, "CN", None, 1) in everything  # unknown origin
    assert sum(r[3] for r in everything) == 7


async def test_filters(conn: asyncpg.Connection) -> None:
    flt = MoveFilter(
        date_from=date(2023, 1, 1),
        date_to=date(2024, 12, 31),
        cross_border_only=True,
        min_confidence=0.8,
        topic=("nlp",),
    )
    rows = await rows_of(conn, Level.COUNTRY, Period.ALL, flt)
    assert sorted(rows, key=str) == sorted([("CN", "US", None, 1), ("US", "GB", None, 1)], key=str)
    settled = await rows_of(conn, Level.COUNTRY, Period.ALL, MoveFilter(provisional=False))
    assert ("US", "CN", None, 1) not in settled
    retracted = await rows_of(conn, Level.COUNTRY, Period.ALL, MoveFilter(status=("retracted",)))
    assert retracted == [("CN", "US", None, 1)]


async def test_institution_and_parent_levels(conn: asyncpg.Connection) -> None:
    ids = {r["slug"]: r["id"] for r in await conn.fetch("SELECT slug, id FROM institution")}
    inst = await rows_of(conn, Level.INSTITUTION, Period.ALL, MoveFilter())
    assert (ids["gdm"], ids["google"], None, 1) in inst
    parent = await rows_of(conn, Level.PARENT, Period.ALL, MoveFilter())
    assert (ids["openai"], ids["alphabet"], None, 1) in parent
    assert all(r[0] != r[1] for r in parent)  # gdm -> google stays inside Alphabet
    out_of_msra = await rows_of(
        conn, Level.INSTITUTION, Period.ALL, MoveFilter(from_institution=ids["msra"])
    )
    assert sum(r[3] for r in out_of_msra) == 1


async def test_net_flows(conn: asyncpg.Connection) -> None:
    rows = await net_flows(conn, Level.COUNTRY, Period.ALL, MoveFilter())
    by_entity = {r.entity: (r.inflow, r.outflow, r.net) for r in rows}
    assert by_entity["US"] == (3, 2, 1)  # in: 2 from CN, 1 from GB; out: 1 to GB, 1 to CN
    assert by_entity["CN"] == (2, 3, -1)  # in: 1 from US, 1 from unknown; out: 2 + 1 unknown
    assert by_entity["GB"] == (1, 1, 0)
    monthly = await net_flows(conn, Level.INSTITUTION, Period.MONTH, MoveFilter())
    assert all(r.period is None or r.period.day == 1 for r in monthly)


@pytest.mark.parametrize("hostile", ["CN'); DROP TABLE move; --", "%", "\\"])
async def test_user_values_never_reach_the_sql_text(conn: asyncpg.Connection, hostile: str) -> None:
    rows = await rows_of(conn, Level.COUNTRY, Period.YEAR, MoveFilter(topic=(hostile,)))
    assert rows == []
    assert await conn.fetchval("SELECT count(*) FROM move") == 8
