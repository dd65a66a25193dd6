"""Calibrate the GraphQL cost limit against measured time: is every operation the limit lets
through fast enough?

Runs a corpus of operations (the dashboard's, and the dearest shapes a client can write under
the limits: wide pages of nested lists, counts over whole tables, searches, aggregates) through
the real app (httpx's ASGI transport, strawberry's executor and the fast path as a client
would meet them) on a generated dataset, with the cost limit and the time budget lifted so
every operation runs to the end. For each: the cost the service estimates, the time of the
first run (caches cold for that text) and the median of the next runs, and milliseconds per
thousand cost units above a fixed allowance (``FIXED_MS``). The figure that matters is the
worst of those: it says how long an operation at the limit (``TALENTFLOW_GRAPHQL_MAX_COST``)
may take. Aggregates are reported apart: their first run on a cold cache scans moves or stints
and is bounded by the read budget, not by the cost.

    python bench/generate.py --seed 42 --scale 0.3 --database-url postgresql://.../tf_calib
    python bench/cost_calibration.py --database-url postgresql://.../tf_calib --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
# bench/graphql.py would shadow the graphql package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

MOVE_FIELDS = "id date { text } kind status confidence from { name } to { name }"

CORPUS: dict[str, str] = {
    # The dashboard.
    "dashboard: moves page (50, evidence, documents)": """{ moves(first: 50) { edges { node {
        id date { date precision } kind status confidence crossBorder
        fromCountry { code } toCountry { code } researcher { id name }
        from { id name country { code } } to { id name country { code } }
        evidence { id quote confidence document { id url title publisher publishedAt } } } }
        pageInfo { endCursor hasNextPage } } }""",
    "dashboard: researcher profile": """query($id: ID!) { researcher(id: $id) {
        id name nativeName topics worksCount citedByCount hIndex externalIds { scheme value }
        aliases affiliations { id role start { date precision } end { date precision }
        institution { id name country { code } } }
        moves { id date { date precision } kind status confidence from { id name } to { id name } }
        } }""",
    "dashboard: institution page": """query($id: ID!) { institution(id: $id) {
        id name kind country { code } parent { id name }
        flowSeries(period: YEAR) { period inflow outflow net } } }""",
    "dashboard: country flows": """{ flows(level: COUNTRY, period: YEAR) {
        origin { code name } destination { code name } period count } }""",
    "dashboard: name search": """{ search(query: "wang", first: 20) {
        ... on Researcher { id name nativeName } ... on Institution { id name } } }""",
    # Pages and counts.
    "moves 100": "{ moves(first: 100) { edges { node { MOVE } } } }",
    "moves totalCount": "{ moves(first: 1) { totalCount } }",
    "moves totalCount, cross-border since 2015": """{ moves(first: 1, filter: {crossBorderOnly:
        true, dateFrom: "2015-01-01"}) { totalCount } }""",
    "researchers totalCount": "{ researchers(first: 1) { totalCount } }",
    "researchers 100, affiliations and moves": """{ researchers(first: 100) { edges { node {
        name affiliations { role institution { name country { code } } }
        moves { MOVE evidence { quote } } } } } }""",
    "researchers search, 100, with counts": """{ researchers(first: 100,
        filter: {search: "li"}) { totalCount edges { node { name aliases } } } }""",
    "researchers search, 4 terms": """{ researchers(first: 50,
        filter: {search: "wei zhang li wang"}) { totalCount edges { node { name } } } }""",
    "institutions 100 × movesIn 10, counts": """{ institutions(first: 100) { edges { node {
        name movesIn(first: 10) { totalCount edges { node { id } } } } } } }""",
    "institutions 100 × movesIn 100 with descendants": """{ institutions(first: 100) { edges {
        node { name movesIn(first: 100, includeDescendants: true) { edges { node {
        researcher { name } } } } } } } }""",
    "institutions 100 × movesOut 20 × evidence": """{ institutions(first: 100) { edges { node {
        movesOut(first: 20) { edges { node { MOVE evidence { quote document { url } } } } } } } } }""",
    "institutions 50 × current researchers 100, counts": """{ institutions(first: 50) { edges {
        node { name currentResearchers(first: 100) { totalCount edges { node { name } } } } } } }""",
    "institutions 100 × flowSeries": """{ institutions(first: 100) { edges { node { name
        flowSeries(period: YEAR) { period inflow outflow net } } } } }""",
    "institutions 100 × job postings 20": """{ institutions(first: 100) { edges { node {
        jobPostings(first: 20) { totalCount edges { node { title } } } } } } }""",
    "job postings 100, count": "{ jobPostings(first: 100) { totalCount edges { node { title } } } }",
    # Aggregates.
    "netFlows country × year": """{ netFlows(level: COUNTRY, period: YEAR) {
        period inflow outflow net } }""",
    "netFlows institution × year": """{ netFlows(level: INSTITUTION, period: YEAR) {
        period inflow outflow net } }""",
    "flows institution × month": """{ flows(level: INSTITUTION, period: MONTH) {
        period count } }""",
    "populations country": "{ populations(level: COUNTRY) { year population } }",
    "populations institution": "{ populations(level: INSTITUTION) { year population } }",
    "hiring signals, institution × month": """{ hiringSignals(level: INSTITUTION, period: MONTH,
        since: "2020-01-01") { periodStart openPostings newlyOpened closed } }""",
    "pipeline": "{ pipeline { total } }",
    "stay rates": "{ stayRates(yearsAfter: 5) { country graduates stayed } }",
    "search 50": """{ search(query: "chen", first: 50) { ... on Researcher { name } } }""",
    "five aggregates in one operation": """{ a: netFlows(level: INSTITUTION, period: YEAR) {
        net } b: flows(level: INSTITUTION, period: MONTH) { count }
        c: populations(level: INSTITUTION) { population } d: netFlows(level: COUNTRY, period: MONTH) {
        net } e: flows(level: COUNTRY, period: MONTH) { count } }""",
}


# Any operation may take this long whatever its cost (a round trip, planning, a cold cache of
# one small thing); the cost prices what comes on top.
FIXED_MS = 250
# Root aggregates: a scan of moves or stints on a cold cache, then served from the flow cache.
AGGREGATES = {
    "dashboard: country flows",
    "netFlows country × year",
    "netFlows institution × year",
    "flows institution × month",
    "populations country",
    "populations institution",
    "hiring signals, institution × month",
    "pipeline",
    "stay rates",
    "five aggregates in one operation",
}


CORPUS = {name: query.replace("MOVE", MOVE_FIELDS) for name, query in CORPUS.items()}


async def first_ids(client: httpx.AsyncClient) -> dict[str, str]:
    r = await client.post(
        "/graphql",
        json={
            "query": "{ moves(first: 1, filter: {crossBorderOnly: true}) { edges { node {"
            " researcher { id } to { id } } } } }"
        },
    )
    node = r.json()["data"]["moves"]["edges"][0]["node"]
    return {"researcher": node["researcher"]["id"], "institution": node["to"]["id"]}


def variables_for(name: str, ids: dict[str, str]) -> dict[str, Any]:
    if "researcher profile" in name:
        return {"id": ids["researcher"]}
    if "institution page" in name:
        return {"id": ids["institution"]}
    return {}


async def measure(database_url: str, repeats: int) -> dict[str, Any]:
    from graphql import parse

    from service.api.app import create_app
    from service.api.graphql.limits import estimate_cost
    from service.api.graphql.schema import build_schema
    from service.config import load_settings

    settings = load_settings(
        database_url=database_url,
        graphql_max_cost=10**12,
        read_budget_s=600,
        statement_timeout_ms=600_000,
        graphql_max_selections=100_000,
    )
    schema = build_schema(settings)._schema
    app = create_app(settings, database_url=database_url)
    rows: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", timeout=900
        ) as client:
            ids = await first_ids(client)
            for name, query in CORPUS.items():
                variables = variables_for(name, ids)
                cost = estimate_cost(
                    schema, parse(query), None, variables, settings.page_size_default
                )
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    r = await client.post("/graphql", json={"query": query, "variables": variables})
                    times.append((time.perf_counter() - start) * 1000)
                    body = r.json()
                    if body.get("errors"):
                        raise SystemExit(f"{name}: {body['errors']}")
                later = statistics.median(times[1:]) if len(times) > 1 else times[0]
                worst = max(times)
                rows[name] = {
                    "cost": cost,
                    "first_ms": round(times[0], 1),
                    "median_after_ms": round(later, 1),
                    "ms_per_1000_cost_over_fixed": round(
                        1000 * max(worst - FIXED_MS, 0) / max(cost, 1), 2
                    ),
                }
                print(f"{cost:>9} {times[0]:>9.1f} {later:>9.1f}  {name}", flush=True)
    max_cost = load_settings(database_url=database_url).graphql_max_cost
    summary: dict[str, Any] = {}
    for kind, names in (
        ("pages, counts and searches", [n for n in rows if n not in AGGREGATES]),
        ("aggregates, cache cold", [n for n in rows if n in AGGREGATES]),
    ):
        worst = max(names, key=lambda n: rows[n]["ms_per_1000_cost_over_fixed"])
        slope = rows[worst]["ms_per_1000_cost_over_fixed"]
        summary[kind] = {
            "worst_operation": worst,
            "ms_per_1000_cost_over_fixed": slope,
            "implied_ms_at_the_limit": round(FIXED_MS + slope * max_cost / 1000),
        }
    return {
        "max_cost": max_cost,
        "fixed_ms": FIXED_MS,
        "load_average": round(os.getloadavg()[0], 1),
        "operations": rows,
        "summary": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"{'cost':>9} {'first ms':>9} {'then ms':>9}  operation")
    result = asyncio.run(measure(args.database_url, args.repeats))
    for kind, row in result["summary"].items():
        print(
            f"{kind}: worst {row['ms_per_1000_cost_over_fixed']} ms per 1000 cost units over "
            f"{FIXED_MS} ms ({row['worst_operation']}); at the limit of {result['max_cost']}: "
            f"{row['implied_ms_at_the_limit']} ms"
        )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
