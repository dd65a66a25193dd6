"""Populations, net-flow rates and baseline series over REST, in JSON and CSV: the same
hand-computed answers as GraphQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import asyncpg
import httpx
import pytest

from service.config import load_settings
from service.db.queries.rates import current_year
from service.ingest.pipeline import run_ingester
from tests.db.test_rate_queries import load
from tests.plugins.test_mpidr import SAMPLE, manager

API = "/api/v1"


@pytest.fixture
async def rated(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await load(conn)


async def test_net_flows_carry_population_and_rates(client: httpx.AsyncClient, rated: None) -> None:
    r = await client.get(API + "/net-flows", params={"period": "YEAR"})
    assert r.status_code == 200, r.text
    rows = {(x["entity"], x["period"]): x for x in r.json()["data"]}
    us = rows[("US", "2021-01-01")]
    assert (us["population"], us["in_rate"], us["out_rate"], us["net_rate"], us["small"]) == (
        4, 0.5, 0.0, 0.5, True,
    )  # fmt: skip
    assert rows[("GB", "2022-01-01")]["net_rate"] == 1.0
    r = await client.get(API + "/net-flows", params={"period": "YEAR", "format": "csv"})
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert set(table[0]) >= {"population", "in_rate", "out_rate", "net_rate", "small"}
    row = next(t for t in table if (t["entity"], t["period"]) == ("US", "2022-01-01"))
    assert (row["population"], row["out_rate"], row["net_rate"]) == ("4", "0.25", "-0.25")


async def test_populations(client: httpx.AsyncClient, rated: None) -> None:
    r = await client.get(API + "/populations", params={"year_from": 2021, "year_to": 2022})
    assert r.status_code == 200, r.text
    got = {(x["entity"], x["year"]): x["population"] for x in r.json()["data"]}
    assert got == {("US", 2021): 4, ("US", 2022): 4, ("GB", 2022): 1}
    r = await client.get(
        API + "/populations", params={"level": "INSTITUTION", "year_from": 2023, "format": "csv"}
    )
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert list(table[0]) == ["entity", "year", "population", "small"]
    # 2023: Alphabet, GDM, OpenAI; Alibaba's open stint from 2023 to this year
    assert len(table) == 3 + current_year() - 2023 + 1
    r = await client.get(API + "/populations", params={"year_from": 2023, "year_to": 2020})
    assert r.status_code == 400 and "year_from" in r.text


async def test_baseline_rates(
    client: httpx.AsyncClient, pool: asyncpg.Pool, recorded: Path
) -> None:
    config = {"path": str(recorded / SAMPLE)}
    result = await run_ingester(pool, "mpidr", config, settings=load_settings(), pm=manager())
    assert result.ok, result.error
    r = await client.get(API + "/baseline-rates", params={"country": "CN,US", "year_from": 2018})
    assert r.status_code == 200, r.text
    rows = r.json()["data"]
    assert [(x["country_code"], x["year"]) for x in rows] == [("CN", 2018), ("US", 2018)]
    assert rows[0]["license"] == "CC BY 4.0" and "Akbaritabar" in rows[0]["attribution"]
    r = await client.get(API + "/baseline-rates", params={"country": "AU", "format": "csv"})
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert len(table) == 9 and table[0]["attribution"].startswith("Aliakbar Akbaritabar")
    assert (table[0]["population"], table[0]["out_rate"]) == ("89010", "0.06076845")
