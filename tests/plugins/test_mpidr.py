"""The mpidr ingester: MPIDR's published country rates as a baseline series, into PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pluggy
import pytest

import plugins.mpidr
from plugins.mpidr import ATTRIBUTION, SERIES, MpidrConfig, MpidrIngester, rate_rows
from service.config import load_settings
from service.db.stores import baselines
from service.ingest import BaselineRateSeen, DocumentSeen, SkippableRecordError
from service.ingest.manager import get_plugin_manager
from service.ingest.pipeline import run_ingester
from service.ingest.testing import run_ingester_offline

SAMPLE = "mpidr_openalex_country_rates_sample.csv"
HEADER = (
    "year,countrycode,padded_population_of_researchers,number_of_inmigrations,"
    "number_of_outmigrations,netmigration,outmigrationrate,inmigrationrate,netmigrationrate,"
    "iso2code,countryname\n"
)


def manager() -> pluggy.PluginManager:
    pm = get_plugin_manager()
    if not pm.is_registered(plugins.mpidr) and "mpidr" not in dict(pm.list_name_plugin()):
        pm.register(plugins.mpidr, name="mpidr")
    return pm


def test_the_sample_reads_as_117_rows_with_attribution(recorded: Path) -> None:
    out = run_ingester_offline(MpidrIngester, {"path": str(recorded / SAMPLE)})
    assert not out.rejects
    docs = [o for o in out.observations if isinstance(o, DocumentSeen)]
    rows = [o for o in out.observations if isinstance(o, BaselineRateSeen)]
    assert len(docs) == 1 and docs[0].kind == "dataset"
    assert len(rows) == 117
    assert {r.country_code for r in rows} == {
        "AU", "CA", "CH", "CN", "DE", "FR", "GB", "HK", "IN", "JP", "KR", "SG", "US",
    }  # fmt: skip
    first = rows[0]
    assert (first.country_code, first.year, first.population) == ("AU", 2010, 89010)
    assert (first.in_migrations, first.out_migrations) == (5986, 5409)
    assert first.out_rate == pytest.approx(0.06076845)
    assert first.license == "CC BY 4.0" and "Akbaritabar" in first.attribution
    assert out.final_state == {"source": str(recorded / SAMPLE), "rows": 117}


def test_a_bad_row_is_rejected_with_its_line_and_the_rest_read() -> None:
    text = HEADER + "2010.0,AUS,89010,x,5409,577,0.06,0.067,0.006,AU,Australia\n"
    text += "2011.0,AUS,94753,6623,5712,911,0.06,0.069,0.009,AU,Australia\n"
    text += "2012.0,XXX,10,1,1,0,0.1,0.1,0,,Nowhere\n"
    items = list(rate_rows(text, MpidrConfig(path="x.csv")))
    assert isinstance(items[0], SkippableRecordError)
    assert "line 2" in str(items[0]) and "could not convert" in str(items[0])
    assert isinstance(items[1], BaselineRateSeen) and items[1].year == 2011
    assert isinstance(items[2], SkippableRecordError)
    assert "line 4" in str(items[2]) and "country_code" in str(items[2])


def test_a_csv_without_the_needed_columns_is_refused() -> None:
    from service.ingest import FatalIngestError

    with pytest.raises(FatalIngestError, match="number_of_inmigrations"):
        list(rate_rows("year,iso2code\n2010,AU\n", MpidrConfig(path="x.csv")))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    from service.ingest import FatalIngestError

    with pytest.raises(FatalIngestError, match="file not found"):
        run_ingester_offline(MpidrIngester, {"path": str(tmp_path / "nope.csv")})


async def test_the_sample_is_stored_as_a_baseline_series(
    pool: asyncpg.Pool, recorded: Path
) -> None:
    settings = load_settings()
    config = {"path": str(recorded / SAMPLE)}
    result = await run_ingester(pool, "mpidr", config, settings=settings, pm=manager())
    assert result.ok, result.error
    assert result.rejected == 0
    assert result.created == 118  # the dataset document and 117 rows
    async with pool.acquire() as conn:
        rows = await baselines.series_rows(conn, series=SERIES, countries=["CN"])
        series = await conn.fetchrow(
            "SELECT s.license, s.attribution, d.url, d.kind FROM baseline_series s "
            "JOIN document d ON d.id = s.document_id"
        )
        everything = await baselines.series_rows(conn)
    assert len(everything) == 117
    assert [r["year"] for r in rows] == list(range(2010, 2019))
    assert series is not None
    assert series["license"] == "CC BY 4.0" and series["attribution"] == ATTRIBUTION
    assert series["kind"] == "dataset" and "MPIDR" in series["url"]
    us_2018 = next(r for r in everything if (r["country_code"], r["year"]) == ("US", 2018))
    assert us_2018["population"] > 0 and us_2018["net_rate"] is not None
    # a re-run changes nothing
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM plugin_state")
    again = await run_ingester(pool, "mpidr", config, settings=settings, pm=manager())
    assert again.ok and again.created == 0 and again.updated == 0


async def test_a_changed_row_is_updated(pool: asyncpg.Pool, tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(HEADER + "2010.0,AUS,100,5,4,1,0.04,0.05,0.01,AU,Australia\n")
    settings = load_settings()
    await run_ingester(pool, "mpidr", {"path": str(path)}, settings=settings, pm=manager())
    path.write_text(HEADER + "2010.0,AUS,200,5,4,1,0.02,0.025,0.005,AU,Australia\n")
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM plugin_state")
    second = await run_ingester(pool, "mpidr", {"path": str(path)}, settings=settings, pm=manager())
    assert second.updated == 1
    async with pool.acquire() as conn:
        rows = await baselines.series_rows(conn, countries=["AU"], year_from=2010, year_to=2010)
    assert [(r["population"], r["net_rate"]) for r in rows] == [(200, 0.005)]
