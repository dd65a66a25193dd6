"""Populations and net-flow rates as the query layer computes them, on a small known dataset
whose answers are worked out by hand (and by the pure domain functions, which must agree)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import asyncpg
import pytest_asyncio

from service.db.queries.moves import MoveFilter
from service.db.queries.rates import net_flow_rates, populations
from service.domain.flows import Level, Period
from service.domain.rates import Stint
from service.domain.rates import populations as domain_populations

AS_OF = 2024


@dataclass
class Data:
    inst: dict[str, int]
    people: dict[str, int]
    stints: list[tuple[str, str, int | None, int | None, tuple[int, ...]]]


# slug, country, parent
INSTITUTIONS = [
    ("alphabet", "US", None),
    ("gdm", "GB", "alphabet"),
    ("openai", "US", None),
    ("tsinghua", "CN", None),
    ("alibaba", "CN", None),
]
# person, institution, start year, end year, sighting years
STINTS: list[tuple[str, str, int | None, int | None, tuple[int, ...]]] = [
    ("a", "tsinghua", 2016, 2020, ()),  # A: Tsinghua 2016-2020, OpenAI 2021-2022, Alibaba 2023-
    ("a", "openai", 2021, 2022, ()),
    ("a", "alibaba", 2023, None, ()),  # open, never sighted: runs to AS_OF
    ("b", "openai", None, None, (2019, 2022)),  # B: OpenAI sighted 2019 and 2022 (gap counted)
    ("b", "gdm", None, None, (2022, 2023)),  # and Google DeepMind 2022-2023, overlapping
    ("c", "tsinghua", None, None, (2020,)),  # C: Tsinghua 2020, then OpenAI 2021-2023
    ("c", "openai", 2021, 2023, ()),
    ("d", "alphabet", 2020, 2023, ()),  # D: Alphabet 2020-2023 (a parent's own row)
]
# person, from, to, year
MOVES = [
    ("a", "tsinghua", "openai", 2021),
    ("a", "openai", "alibaba", 2023),
    ("c", "tsinghua", "openai", 2021),
    ("b", "openai", "gdm", 2022),
]


@pytest_asyncio.fixture
async def conn(pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with pool.acquire() as connection:
        yield connection


@pytest_asyncio.fixture
async def data(conn: asyncpg.Connection) -> Data:
    return await load(conn)


async def load(conn: asyncpg.Connection) -> Data:
    """Write the dataset above; return its ids."""
    inst: dict[str, int] = {}
    country = {slug: c for slug, c, _ in INSTITUTIONS}
    for slug, c, parent in INSTITUTIONS:
        inst[slug] = await conn.fetchval(
            "INSERT INTO institution (slug, name, country_code, parent_id) VALUES ($1, $1, $2, $3) "
            "RETURNING id",
            slug,
            c,
            inst.get(parent) if parent else None,
        )
    people: dict[str, int] = {}
    for person in "abcd":
        people[person] = await conn.fetchval(
            "INSERT INTO researcher (display_name) VALUES ($1) RETURNING id", person
        )
    for n, (person, slug, start, end, years) in enumerate(STINTS):
        await conn.execute(
            "INSERT INTO affiliation (researcher_id, institution_id, source, source_key, "
            "start_date, start_precision, end_date, end_precision, years) "
            "VALUES ($1, $2, 'test', $3, $4, $5, $6, $7, $8)",
            people[person],
            inst[slug],
            str(n),
            date(start, 1, 1) if start else None,
            "year" if start else None,
            date(end, 1, 1) if end else None,
            "year" if end else None,
            list(years),
        )
    for person, src, dst, year in MOVES:
        await conn.execute(
            "INSERT INTO move (researcher_id, from_institution_id, to_institution_id, "
            "from_country, to_country, move_date, date_precision, confidence) "
            "VALUES ($1, $2, $3, $4, $5, $6, 'year', 0.9)",
            people[person],
            inst[src],
            inst[dst],
            country[src],
            country[dst],
            date(year, 1, 1),
        )
    return Data(inst, people, STINTS)


def country_stints(d: Data) -> list[Stint]:
    country = {slug: c for slug, c, _ in INSTITUTIONS}
    return [Stint(d.people[p], country[s], start, end, years) for p, s, start, end, years in STINTS]


async def test_country_populations_by_hand(conn: asyncpg.Connection, data: Data) -> None:
    rows = await populations(conn, Level.COUNTRY, AS_OF)
    got = {(r.entity, r.year): r.population for r in rows}
    # CN: A 2016-2020 and 2023-2024, C 2020.  US: A 2021-2022, B 2019-2022, C 2021-2023,
    # D 2020-2023.  GB: B 2022-2023.
    assert got == {
        ("CN", 2016): 1, ("CN", 2017): 1, ("CN", 2018): 1, ("CN", 2019): 1, ("CN", 2020): 2,
        ("CN", 2023): 1, ("CN", 2024): 1,
        ("US", 2019): 1, ("US", 2020): 2, ("US", 2021): 4, ("US", 2022): 4, ("US", 2023): 2,
        ("GB", 2022): 1, ("GB", 2023): 1,
    }  # fmt: skip
    # the pure domain function agrees
    assert got == domain_populations(country_stints(data), AS_OF)


async def test_parent_and_institution_populations(conn: asyncpg.Connection, data: Data) -> None:
    parent = await populations(conn, Level.PARENT, AS_OF, 2022, 2023)
    alphabet = data.inst["alphabet"]
    # Alphabet counts D and, through Google DeepMind, B
    assert {(r.year, r.population) for r in parent if r.entity == alphabet} == {
        (2022, 2),
        (2023, 2),
    }
    inst = await populations(
        conn, Level.INSTITUTION, AS_OF, entities=[data.inst["openai"]], year_from=2021
    )
    assert [(r.year, r.population) for r in inst] == [(2021, 3), (2022, 3), (2023, 1)]


async def test_a_merged_researcher_counts_once(conn: asyncpg.Connection, data: Data) -> None:
    # E is a duplicate of C, merged into C, with its own OpenAI stint in 2021
    e = await conn.fetchval(
        "INSERT INTO researcher (display_name, merged_into_id) VALUES ('e', $1) RETURNING id",
        data.people["c"],
    )
    await conn.execute(
        "INSERT INTO affiliation (researcher_id, institution_id, source, years) "
        "VALUES ($1, $2, 'test', '{2021}')",
        e,
        data.inst["openai"],
    )
    rows = await populations(conn, Level.COUNTRY, AS_OF, 2021, 2021, ["US"])
    assert [(r.entity, r.year, r.population) for r in rows] == [("US", 2021, 4)]


async def test_net_flows_gain_population_and_rates(conn: asyncpg.Connection, data: Data) -> None:
    rows = await net_flow_rates(conn, Level.COUNTRY, Period.YEAR, MoveFilter(), AS_OF, 1)
    got = {
        (r.flow.entity, r.flow.period.year if r.flow.period else None): (
            r.flow.inflow, r.flow.outflow, r.rates.population, r.rates.in_rate,
            r.rates.out_rate, r.rates.net_rate,
        )
        for r in rows
    }  # fmt: skip
    # 2021: A and C leave CN (population 0 in 2021: no rate) for the US (population 4)
    assert got[("US", 2021)] == (2, 0, 4, 0.5, 0.0, 0.5)
    assert got[("CN", 2021)] == (0, 2, 0, None, None, None)
    # 2022: B to Google DeepMind: US 4, GB 1
    assert got[("US", 2022)] == (0, 1, 4, 0.0, 0.25, -0.25)
    assert got[("GB", 2022)] == (1, 0, 1, 1.0, 0.0, 1.0)
    # 2023: A from the US (population 2) to CN (population 1)
    assert got[("US", 2023)] == (0, 1, 2, 0.0, 0.5, -0.5)
    assert got[("CN", 2023)] == (1, 0, 1, 1.0, 0.0, 1.0)
    assert all(r.rates.small for r in rows)  # populations of a handful are small


async def test_small_looks_at_the_population(conn: asyncpg.Connection, data: Data) -> None:
    rows = await net_flow_rates(conn, Level.COUNTRY, Period.YEAR, MoveFilter(), AS_OF, 1)
    assert all(r.rates.small for r in rows)
    # at ALL there is no population: only the count decides
    total = await net_flow_rates(conn, Level.COUNTRY, Period.ALL, MoveFilter(), AS_OF, 2)
    got = {r.flow.entity: (r.rates.population, r.rates.net_rate, r.rates.small) for r in total}
    assert got == {"US": (None, None, False), "CN": (None, None, False), "GB": (None, None, True)}
