"""The analyses through the API beside the plain SQL of each: rates, the pipeline and
returnee-filtered flows on the benchmark dataset (bench/generate.py, with education stints).

Four GraphQL requests, each answered by the API and by one hand-written SQL statement that
computes the same answer (asyncpg, prepared); the script checks that both agree before it
times anything:

- ``net_flow_rates``: ``netFlows(level: COUNTRY, period: YEAR)`` with population and the three
  rates (net flows joined to populations in one statement);
- ``populations``: ``populations(level: COUNTRY)`` over every year;
- ``pipeline``: ``pipeline(year: …)`` of everyone working anywhere that year, with its paths
  (first bachelor's and last doctorate per researcher, then counted per triple);
- ``returnee_flows``: ``flows(level: COUNTRY, period: YEAR, filter: {returnee: true})``.

For each, one request at a time: the cache-miss path (``NOTIFY move_recorded`` first, as the
``move`` insert trigger does; the answers are cached like flows and forgotten on it), a cache
hit, and the SQL statement alone; the figures are medians over ``--rounds``, and miss / SQL is
the ratio. Then the cached answers under load: ``wrk`` at ``--concurrency`` (the load driver of
bench/graphql.py, ``drive_wrk``), ``--repeats`` runs of ``--duration`` seconds, p50/p99 the
medians of the runs. It starts ``talentflow serve --workers 1`` itself.

    python bench/analyses.py --database-url postgresql://postgres@127.0.0.1:5432/tf_bench \\
        --rounds 5 --out bench/analyses.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

# What every read leaves out by default (retracted and rumoured moves, visits, dual
# affiliations): the move filter's defaults, written out.
KEEP = "m.status NOT IN ('retracted', 'rumoured') AND NOT m.is_visit AND NOT m.is_dual_affiliation"
# The counting rule of service.domain.rates for one affiliation row ``a``: its first and last
# year, from its sightings unnested once; $1 is the as-of year (an open stint never sighted
# runs to it).
YEARS = """CROSS JOIN LATERAL (SELECT min(y) AS lo, max(y) AS hi FROM unnest(a.years) y) s
    CROSS JOIN LATERAL (SELECT
        least(extract(year FROM a.start_date)::int, extract(year FROM a.end_date)::int, s.lo) AS f,
        coalesce(extract(year FROM a.end_date)::int, s.hi,
                 greatest($1::int, extract(year FROM a.start_date)::int)) AS l) b"""

POPULATIONS_SQL = f"""
SELECT e, y, count(*)::int AS n FROM (
    SELECT DISTINCT coalesce(r.merged_into_id, r.id) AS rid, i.country_code AS e, y
    FROM affiliation a
    JOIN researcher r ON r.id = a.researcher_id
    JOIN institution i ON i.id = a.institution_id
    {YEARS}
    CROSS JOIN LATERAL generate_series(b.f, greatest(b.f, b.l)) y
    WHERE i.country_code IS NOT NULL AND b.f IS NOT NULL
) t GROUP BY 1, 2
"""

NET_RATES_SQL = f"""
WITH nf AS (
    SELECT e, p, sum(i)::int AS inflow, sum(o)::int AS outflow FROM (
        SELECT m.to_country AS e, date_trunc('year', m.move_date)::date AS p, 1 AS i, 0 AS o
        FROM move m WHERE {KEEP} AND m.move_date IS NOT NULL AND m.to_country IS NOT NULL
          AND m.to_country IS DISTINCT FROM m.from_country
        UNION ALL
        SELECT m.from_country, date_trunc('year', m.move_date)::date, 0, 1
        FROM move m WHERE {KEEP} AND m.move_date IS NOT NULL AND m.from_country IS NOT NULL
          AND m.from_country IS DISTINCT FROM m.to_country
    ) x GROUP BY 1, 2
), pop AS ({POPULATIONS_SQL})
SELECT nf.e, nf.p, nf.inflow, nf.outflow, coalesce(pop.n, 0) AS population,
       nf.inflow::float8 / nullif(pop.n, 0) AS in_rate,
       nf.outflow::float8 / nullif(pop.n, 0) AS out_rate,
       (nf.inflow - nf.outflow)::float8 / nullif(pop.n, 0) AS net_rate
FROM nf LEFT JOIN pop ON pop.e = nf.e AND pop.y = extract(year FROM nf.p)::int
"""

PIPELINE_SQL = f"""
WITH cohort AS (
    SELECT coalesce(r.merged_into_id, r.id) AS rid, min(i.country_code) AS cur
    FROM affiliation a
    JOIN researcher r ON r.id = a.researcher_id
    JOIN institution i ON i.id = a.institution_id
    {YEARS}
    WHERE b.f <= $2 AND b.l >= $2
    GROUP BY 1
), ed AS (
    SELECT coalesce(r.merged_into_id, r.id) AS rid, e.id, e.degree, i.country_code,
           coalesce(extract(year FROM e.end_date)::int, extract(year FROM e.start_date)::int,
                    9999) AS y
    FROM education e
    JOIN researcher r ON r.id = e.researcher_id
    JOIN institution i ON i.id = e.institution_id
    WHERE e.degree IN ('bachelor', 'doctorate')
), ug AS (
    SELECT DISTINCT ON (rid) rid, country_code FROM ed WHERE degree = 'bachelor'
    ORDER BY rid, y, id
), phd AS (
    SELECT DISTINCT ON (rid) rid, country_code FROM ed WHERE degree = 'doctorate'
    ORDER BY rid, y DESC, id DESC
)
SELECT ug.country_code AS u, phd.country_code AS d, c.cur AS c, count(*)::int AS n
FROM cohort c LEFT JOIN ug USING (rid) LEFT JOIN phd USING (rid)
GROUP BY 1, 2, 3
"""

RETURNEE_FLOWS_SQL = f"""
SELECT m.from_country AS o, m.to_country AS d, date_trunc('year', m.move_date)::date AS p,
       count(*)::int AS n
FROM move m
WHERE {KEEP} AND m.is_returnee AND m.move_date IS NOT NULL
GROUP BY 1, 2, 3
"""

QUERIES: dict[str, str] = {
    "net_flow_rates": """query NetFlowRates { netFlows(level: COUNTRY, period: YEAR) {
  entity { code } period inflow outflow net population inRate outRate netRate small } }""",
    "populations": """query Populations { populations(level: COUNTRY) {
  entity { code } year population small } }""",
    "pipeline": """query Pipeline($year: Int) { pipeline(year: $year) { year total
  undergraduate { country count share } doctorate { country count share }
  current { country count share }
  paths { undergraduate doctorate current count share } } }""",
    "returnee_flows": """query ReturneeFlows { flows(level: COUNTRY, period: YEAR,
  filter: {returnee: true}) { origin { code } destination { code } period count small } }""",
}


def plain_sql(name: str, as_of: int, year: int) -> tuple[str, list[object]]:
    return {
        "net_flow_rates": (NET_RATES_SQL, [as_of]),
        "populations": (POPULATIONS_SQL, [as_of]),
        "pipeline": (PIPELINE_SQL, [as_of, year]),
        "returnee_flows": (RETURNEE_FLOWS_SQL, []),
    }[name]


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a))


def same_answer(name: str, data: dict[str, Any], rows: Sequence[asyncpg.Record]) -> bool:
    """Whether the API's answer and the SQL statement's rows say the same thing."""
    if name == "net_flow_rates":
        api = {
            (r["entity"]["code"], r["period"]): (r["inflow"], r["outflow"], r["population"],
                                                 r["inRate"], r["outRate"], r["netRate"])
            for r in data["netFlows"]
        }  # fmt: skip
        sql = {
            (r["e"], r["p"].isoformat()): (r["inflow"], r["outflow"], r["population"],
                                           r["in_rate"], r["out_rate"], r["net_rate"])
            for r in rows
        }  # fmt: skip
        return api.keys() == sql.keys() and all(
            api[k][:3] == sql[k][:3]
            and all(_close(a, b) for a, b in zip(api[k][3:], sql[k][3:], strict=True))
            for k in api
        )
    if name == "populations":
        api_p = {(r["entity"]["code"], r["year"]): r["population"] for r in data["populations"]}
        return api_p == {(r["e"], r["y"]): r["n"] for r in rows}
    if name == "pipeline":
        p = data["pipeline"]
        paths = {(x["undergraduate"], x["doctorate"], x["current"]): x["count"] for x in p["paths"]}
        if paths != {(r["u"], r["d"], r["c"]): r["n"] for r in rows}:
            return False
        for stage, i in (("undergraduate", 0), ("doctorate", 1), ("current", 2)):
            summed: Counter[str | None] = Counter()
            for key, n in paths.items():
                summed[key[i]] += n
            if summed != {s["country"]: s["count"] for s in p[stage]}:
                return False
        return bool(p["total"] == sum(paths.values()))
    api_f = {
        (c["origin"]["code"] if c["origin"] else None,
         c["destination"]["code"] if c["destination"] else None, c["period"]): c["count"]
        for c in data["flows"]
    }  # fmt: skip
    return api_f == {(r["o"], r["d"], r["p"].isoformat()): r["n"] for r in rows}


def load_driver() -> Any:
    spec = importlib.util.spec_from_file_location("bench_graphql_driver", BENCH / "graphql.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def post(client: httpx.AsyncClient, url: str, body: dict[str, Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    r = await client.post(url, json=body)
    elapsed = (time.perf_counter() - start) * 1000
    if r.status_code != 200:
        raise SystemExit(f"the API answered {r.status_code}: {r.text[:300]}")
    answer = r.json()
    if answer.get("errors"):
        raise SystemExit(f"the API answered with errors: {r.text[:300]}")
    return elapsed, answer["data"]


async def one_at_a_time(
    database_url: str, api: str, names: Sequence[str], rounds: int, as_of: int, year: int
) -> dict[str, Any]:
    conn = await asyncpg.connect(database_url)
    out: dict[str, Any] = {}
    try:
        async with httpx.AsyncClient(timeout=600.0) as client:
            for name in names:
                body = {"query": QUERIES[name], "variables": {"year": year}}
                sql, params = plain_sql(name, as_of, year)
                stmt = await conn.prepare(sql)
                _, data = await post(client, api, body)  # warm the process and the buffers
                rows = await stmt.fetch(*params)
                agree = same_answer(name, data, rows)
                if not agree:
                    raise SystemExit(f"{name}: the API and the plain SQL disagree")
                miss: list[float] = []
                hit: list[float] = []
                plain: list[float] = []
                for _ in range(rounds):
                    await conn.execute("NOTIFY move_recorded")
                    await asyncio.sleep(0.3)
                    miss.append((await post(client, api, body))[0])
                    hit.append((await post(client, api, body))[0])
                    start = time.perf_counter()
                    await stmt.fetch(*params)
                    plain.append((time.perf_counter() - start) * 1000)
                out[name] = {
                    "rows": len(rows),
                    "same_answer": agree,
                    "miss_ms": round(statistics.median(miss), 1),
                    "hit_ms": round(statistics.median(hit), 1),
                    "sql_ms": round(statistics.median(plain), 1),
                    "miss_vs_sql": round(statistics.median(miss) / statistics.median(plain), 2),
                    "raw": {"miss": miss, "hit": hit, "sql": plain},
                }
                logger.info(
                    "%s: miss %.0f ms, hit %.1f ms, SQL %.0f ms (miss / SQL %.2f×), %d rows",
                    name, out[name]["miss_ms"], out[name]["hit_ms"], out[name]["sql_ms"],
                    out[name]["miss_vs_sql"], len(rows),
                )  # fmt: skip
    finally:
        await conn.close()
    return out


async def under_load(
    api: str, names: Sequence[str], concurrency: int, duration: float, repeats: int, year: int
) -> dict[str, Any]:
    driver = load_driver()
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(timeout=600.0) as client:
        for name in names:
            bodies = [json.dumps({"query": QUERIES[name], "variables": {"year": year}})]
            runs = []
            for _ in range(repeats):
                error = await driver.check_bodies(client, api, bodies)  # warm: a cache hit next
                if error:
                    raise SystemExit(f"{name}: {error}")
                run = driver.Run("talentflow", name, concurrency, duration)
                runs.append(await driver.drive_wrk(run, api, bodies))
            out[name] = {
                "concurrency": concurrency,
                "rps": round(statistics.median(r.rps for r in runs), 1),
                "p50_ms": round(statistics.median(r.p50_ms for r in runs), 1),
                "p99_ms": round(statistics.median(r.p99_ms for r in runs), 1),
                "errors": sum(r.errors for r in runs),
                "runs": [
                    {"rps": round(r.rps, 1), "p50_ms": r.p50_ms, "p99_ms": r.p99_ms} for r in runs
                ],
            }
            logger.info(
                "%s cached at c=%d: %.0f rps, p50 %.1f ms, p99 %.1f ms",
                name, concurrency, out[name]["rps"], out[name]["p50_ms"], out[name]["p99_ms"],
            )  # fmt: skip
    return out


async def dataset(database_url: str) -> dict[str, int]:
    conn = await asyncpg.connect(database_url)
    try:
        return {
            t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))
            for t in ("researcher", "move", "affiliation", "education")
        } | {
            "returnee_moves": int(
                await conn.fetchval("SELECT count(*) FROM move WHERE is_returnee")
            )
        }
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--year", type=int, default=2020, help="the pipeline's cohort year")
    parser.add_argument("--queries", nargs="+", choices=list(QUERIES), default=list(QUERIES))
    parser.add_argument("--out", type=Path, default=BENCH / "analyses.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    as_of = datetime.now(UTC).year  # the API's as-of year (service.db.queries.rates.current_year)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": args.database_url, "TALENTFLOW_LOG_LEVEL": "WARNING"}
    log = args.out.with_suffix(".log").open("w")
    proc = subprocess.Popen(
        ["talentflow", "serve", "--port", str(port), "--workers", "1"],
        env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.post(url, json={"query": "{ __typename }"}, timeout=5).status_code == 200:
                    break
            time.sleep(0.5)
        single = asyncio.run(
            one_at_a_time(args.database_url, url, args.queries, args.rounds, as_of, args.year)
        )
        loaded = asyncio.run(
            under_load(url, args.queries, args.concurrency, args.duration, args.repeats, args.year)
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
        args.out.with_suffix(".log").unlink(missing_ok=True)
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python bench/analyses.py "
        + " ".join(sys.argv[1:] if argv is None else argv).replace(args.database_url, "…"),
        "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
        "dataset": asyncio.run(dataset(args.database_url)),
        "as_of": as_of,
        "pipeline_year": args.year,
        "one_at_a_time": single,
        "cached_under_load": loaded,
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
