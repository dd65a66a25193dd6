"""Load driver: the five dashboard queries against Talentflow and PostGraphile, side by side,
plus plain SQL baselines (asyncpg prepared statements) for the flows query and the move page.

Each (query, concurrency) cell is run ``--repeats`` times, alternating the targets inside each
repeat, for ``--duration`` seconds each; requests per second and p50/p99 latency are the median
over the repeats. Requests are bounded by time: every run stops by itself.

The GraphQL load comes from ``wrk`` (``--driver wrk``, the default when it is installed: Debian's
``wrk`` package) with a Lua script that rotates the request bodies and counts any response
that is not a 200 or carries ``"errors"`` (for the ~1 MB flows answer only the status is
checked during the run, and the body before and after it: see ``drive_wrk``). Before every wrk run each distinct body is sent once
through httpx and checked: a warm-up that puts both servers in the same state at the start of
each run (their statement and plan caches, Talentflow's flows cache), so the runs measure the
steady state of a dashboard and not how long ago the previous run was. ``--driver httpx``
drives the same requests from Python instead (asyncio, one client): on a 2-CPU machine that
client costs as much CPU as the servers it measures, and its share shows in every figure, the
tail latencies most. The plain SQL baselines always run from Python (asyncpg), and so does
PostGraphile's flows row: it takes ~10 s per flows answer, longer than a run, and wrk drops the
requests still in flight when a run ends (a Python client at under 1 request per second costs
that server nothing).

    python bench/graphql.py --database-url postgresql://.../tf_bench \\
        --talentflow http://127.0.0.1:8055/graphql --postgraphile http://127.0.0.1:5055/graphql \\
        --concurrency 10 16 --duration 10 --repeats 3 --out bench/results/graphql.raw.json
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import logging
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
PGL_QUERIES = HERE / "postgraphile" / "queries.graphql"
QUERIES = ("moves_page", "researcher_profile", "institution_page", "country_flows", "name_search")
PGL_OPERATION = {
    "moves_page": "MovesPage",
    "researcher_profile": "ResearcherProfile",
    "institution_page": "InstitutionPage",
    "country_flows": "CountryFlows",
    "name_search": "NameSearch",
}

# The same five queries in Talentflow's schema.
TF_QUERIES = {
    "moves_page": """
query MovesPage {
  moves(first: 50) {
    edges {
      node {
        id
        date { date precision }
        kind status confidence crossBorder
        fromCountry { code } toCountry { code }
        researcher { id name }
        from { id name country { code } }
        to { id name country { code } }
        evidence { id quote confidence document { id url title publisher publishedAt } }
      }
    }
    pageInfo { endCursor hasNextPage }
  }
}""",
    "researcher_profile": """
query ResearcherProfile($id: ID!) {
  researcher(id: $id) {
    id name nativeName topics worksCount citedByCount hIndex
    externalIds { scheme value }
    aliases
    affiliations {
      id role start { date precision } end { date precision }
      institution { id name country { code } }
    }
    moves {
      id date { date precision } kind status confidence
      from { id name } to { id name }
    }
  }
}""",
    "institution_page": """
query InstitutionPage($id: ID!) {
  institution(id: $id) {
    id name kind country { code }
    parent { id name }
    flowSeries(period: YEAR) { period inflow outflow net }
  }
}""",
    "country_flows": """
query CountryFlows {
  flows(level: COUNTRY, period: YEAR) { origin { code name } destination { code name } period count }
}""",
    "name_search": """
query NameSearch($q: String!) {
  search(query: $q, first: 20) {
    ... on Researcher { id name nativeName }
    ... on Institution { id name country { code } }
  }
}""",
}


@dataclass(frozen=True, slots=True)
class Variables:
    researchers: list[int]
    institutions: list[int]
    names: list[str]


async def pick_variables(url: str, seed: int) -> Variables:
    """Ids and names the dashboard would ask for: researchers who moved, popular institutions
    without sub-units (so both servers count the same moves), names that exist."""
    conn = await asyncpg.connect(url)
    try:
        rng = random.Random(seed)
        max_id = await conn.fetchval("SELECT max(id) FROM researcher")
        rows = await conn.fetch(
            "SELECT DISTINCT researcher_id FROM move WHERE researcher_id = ANY($1::bigint[])",
            [rng.randint(1, max_id) for _ in range(400)],
        )
        researchers = [r[0] for r in rows][:200]
        rows = await conn.fetch(
            """
            SELECT to_institution_id FROM move m
            WHERE NOT EXISTS (SELECT 1 FROM institution c WHERE c.parent_id = m.to_institution_id)
              AND to_institution_id IS NOT NULL
            GROUP BY 1 ORDER BY count(*) DESC LIMIT 50
            """
        )
        institutions = [r[0] for r in rows]
        rows = await conn.fetch(
            "SELECT lower(display_name) FROM researcher WHERE id = ANY($1::bigint[])",
            [rng.randint(1, max_id) for _ in range(100)],
        )
        names = [r[0] for r in rows]
        return Variables(researchers, institutions, names)
    finally:
        await conn.close()


def global_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def variables_for(query: str, target: str, v: Variables, i: int) -> dict[str, Any]:
    if query == "researcher_profile":
        pk = v.researchers[i % len(v.researchers)]
        return {"id": global_id("Researcher", pk) if target == "talentflow" else str(pk)}
    if query == "institution_page":
        pk = v.institutions[i % len(v.institutions)]
        return {"id": global_id("Institution", pk) if target == "talentflow" else str(pk)}
    if query == "name_search":
        return {"q": v.names[i % len(v.names)]}
    return {}


@dataclass(slots=True)
class Run:
    target: str
    query: str
    concurrency: int
    duration: float
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    first_error: str | None = None


@dataclass(slots=True)
class Cell:
    target: str
    query: str
    concurrency: int
    runs: list[Run] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return float(statistics.median(getattr(r, attr) for r in self.runs))


Request = Callable[[int], Awaitable[str | None]]  # returns an error text or None


async def drive(run: Run, request: Request) -> Run:
    """``run.concurrency`` workers send requests back to back until the deadline."""
    latencies: list[float] = []
    counter = itertools.count()
    deadline = time.perf_counter() + run.duration

    async def worker() -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            t0 = time.perf_counter()
            try:
                err = await request(i)
            except (httpx.HTTPError, asyncpg.PostgresError, OSError) as exc:
                err = f"{type(exc).__name__}: {exc}"
            latencies.append(time.perf_counter() - t0)
            if err is not None:
                run.errors += 1
                run.first_error = run.first_error or err[:300]

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(run.concurrency)))
    elapsed = time.perf_counter() - started
    run.requests = len(latencies)
    run.rps = (run.requests - run.errors) / elapsed
    if latencies:
        latencies.sort()
        run.p50_ms = latencies[len(latencies) // 2] * 1000
        run.p99_ms = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    return run


WRK_SCRIPT = """
local bodies = {%(bodies)s}
local n = #bodies
local threads = {}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function setup(thread) table.insert(threads, thread) end
function init(args) i = 0; errors = 0 end
function request()
  i = i + 1
  return wrk.format(nil, nil, nil, bodies[(i %% n) + 1])
end
%(response)s
function done(summary, latency, requests)
  local e = 0
  for _, t in ipairs(threads) do e = e + t:get("errors") end
  local s = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %%d, "duration_us": %%d, "errors": %%d, "socket_errors": %%d, ' ..
    '"p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e + %(status_errors)s, s.connect + s.read + s.write + s.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_bodies(query: str, target: str, doc: str, op: str | None, v: Variables) -> list[str]:
    """The distinct request bodies of one query, in the order the Python driver sends them."""
    count = {
        "researcher_profile": len(v.researchers),
        "institution_page": len(v.institutions),
        "name_search": len(v.names),
    }.get(query, 1)
    bodies = []
    for i in range(count):
        body: dict[str, Any] = {"query": doc, "variables": variables_for(query, target, v, i)}
        if op:
            body["operationName"] = op
        bodies.append(json.dumps(body))
    return bodies


async def check_bodies(client: httpx.AsyncClient, url: str, bodies: Sequence[str]) -> str | None:
    """Send every distinct body once: the first error, or None."""
    for body in bodies:
        r = await client.post(url, content=body, headers={"Content-Type": "application/json"})
        if r.status_code != 200 or b'"errors"' in r.content:
            return f"HTTP {r.status_code}: {r.text[:300]}"
    return None


def _write_script(text: str) -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(text)
        return f.name


# Each answer's status and body, checked in Lua as it arrives.
WRK_CHECK_BODY = """function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end"""


async def drive_wrk(run: Run, url: str, bodies: Sequence[str], *, check_body: bool = True) -> Run:
    """One run of ``wrk`` (one thread, ``run.concurrency`` connections) with these bodies.

    With ``check_body`` off only the status is checked during the run (wrk counts statuses
    over 399 itself): handing each answer to Lua copies it into a Lua string, which for the
    ~1 MB flows answer cost wrk more than the server spent on it (~260 instead of ~700-1,000
    answers a second, and wrk's own delay in the latencies). The caller checks the bodies
    before and after such a run instead.
    """
    lua = ", ".join(f"[===[{b}]===]" for b in bodies)
    text = WRK_SCRIPT % {
        "bodies": lua,
        "response": WRK_CHECK_BODY if check_body else "",
        "status_errors": "0" if check_body else "s.status",
    }
    script = await asyncio.to_thread(_write_script, text)
    try:
        proc = await asyncio.create_subprocess_exec(
            "wrk", "-t", "1", "-c", str(run.concurrency), "-d", f"{max(1, round(run.duration))}s",
            "--timeout", "60s", "-s", script, url,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
    finally:
        await asyncio.to_thread(Path(script).unlink, missing_ok=True)
    line = next((x for x in out.decode().splitlines() if x.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.decode()[-500:]} {err.decode()[-500:]}")
    found = json.loads(line.removeprefix("WRK_RESULT "))
    seconds = found["duration_us"] / 1e6
    run.requests = found["requests"]
    run.errors = found["errors"] + found["socket_errors"]
    run.rps = (run.requests - found["errors"]) / seconds if seconds else 0.0
    run.p50_ms = found["p50_us"] / 1000
    run.p99_ms = found["p99_us"] / 1000
    if run.errors:
        run.first_error = f"{run.errors} responses were errors (status, GraphQL errors, sockets)"
    return run


def _vars_maker(query: str, target: str, v: Variables) -> Callable[[int], dict[str, Any]]:
    return lambda i: variables_for(query, target, v, i)


def graphql_request(
    client: httpx.AsyncClient,
    url: str,
    document: str,
    op: str | None,
    make_vars: Callable[[int], dict[str, Any]],
) -> Request:
    async def send(i: int) -> str | None:
        body: dict[str, Any] = {"query": document, "variables": make_vars(i)}
        if op:
            body["operationName"] = op
        r = await client.post(url, json=body)
        if r.status_code != 200:
            return f"HTTP {r.status_code}: {r.text[:200]}"
        if b'"errors"' not in r.content:  # decode only what may hold errors (flows: ~1 MB)
            return None
        data = r.json()
        if data.get("errors"):
            return json.dumps(data["errors"])[:300]
        return None

    return send


# Plain SQL baselines: what one statement costs, with no API in between.
MOVES_PAGE_SQL = """
SELECT m.id, m.move_date, m.date_precision, m.kind, m.status, m.confidence, m.cross_border,
       m.from_country, m.to_country,
       r.id AS researcher_id, r.display_name,
       fi.id AS from_id, fi.name AS from_name, fi.country_code AS from_cc,
       ti.id AS to_id, ti.name AS to_name, ti.country_code AS to_cc,
       (SELECT coalesce(json_agg(json_build_object(
                'id', e.id, 'quote', e.quote, 'confidence', e.confidence,
                'document', json_build_object('id', d.id, 'url', d.url, 'title', d.title,
                                              'publisher', d.publisher,
                                              'published_at', d.published_at))
                ORDER BY e.confidence DESC), '[]')
          FROM evidence e JOIN document d ON d.id = e.document_id WHERE e.move_id = m.id)
         AS evidence
FROM move m
JOIN researcher r ON r.id = m.researcher_id
LEFT JOIN institution fi ON fi.id = m.from_institution_id
LEFT JOIN institution ti ON ti.id = m.to_institution_id
WHERE m.status <> 'retracted'
ORDER BY coalesce(m.move_date, date '0001-01-01') DESC, m.id DESC
LIMIT 50
"""


def flows_sql() -> tuple[str, list[object]]:
    from service.db.queries.flows import flows_sql as build
    from service.db.queries.moves import MoveFilter
    from service.domain.flows import Level, Period

    return build(Level.COUNTRY, Period.YEAR, MoveFilter())


def sql_request(pool: asyncpg.Pool, sql: str, args: Sequence[object]) -> Request:
    async def send(i: int) -> str | None:
        async with pool.acquire() as conn:
            stmt = await conn.prepare(sql)  # cached by asyncpg per connection
            await stmt.fetch(*args)
        return None

    return send


async def measure(args: argparse.Namespace) -> list[Cell]:
    v = await pick_variables(args.database_url, args.seed)
    pgl_doc = PGL_QUERIES.read_text()
    targets: list[tuple[str, str | None]] = []
    if args.talentflow:
        targets.append(("talentflow", args.talentflow))
    if args.postgraphile:
        targets.append(("postgraphile", args.postgraphile))
    cells: dict[tuple[str, str, int], Cell] = {}
    limits = httpx.Limits(max_connections=max(args.concurrency), max_keepalive_connections=64)
    pool = await asyncpg.create_pool(args.database_url, min_size=2, max_size=max(args.concurrency))
    assert pool is not None
    flows = flows_sql()
    try:
        async with httpx.AsyncClient(limits=limits, timeout=60.0) as client:
            for query in args.queries:
                runners: list[tuple[str, Request]] = []
                wrk_runs: dict[str, tuple[str, list[str]]] = {}
                for target, url in targets:
                    assert url is not None
                    if target == "talentflow":
                        doc, op = TF_QUERIES[query], None
                    else:
                        doc, op = pgl_doc, PGL_OPERATION[query]
                    make = _vars_maker(query, target, v)
                    runners.append((target, graphql_request(client, url, doc, op, make)))
                    # PostGraphile answers the flows query in ~10 s, longer than a wrk run,
                    # which drops requests still in flight at its end: Python drives that cell.
                    slow = query == "country_flows" and target == "postgraphile"
                    if args.driver == "wrk" and not slow:
                        bodies = wrk_bodies(query, target, doc, op, v)
                        wrk_runs[target] = (url, bodies)
                        err = await check_bodies(client, url, bodies)
                        if err:
                            logger.warning("%s %s: %s", target, query, err)
                if query == "country_flows" and args.sql:
                    runners.append(("sql", sql_request(pool, flows[0], flows[1])))
                if query == "moves_page" and args.sql:
                    runners.append(("sql", sql_request(pool, MOVES_PAGE_SQL, [])))
                for target, send in runners:  # one warm-up request, and fail early on errors
                    err = await send(0)
                    if err:
                        logger.warning("%s %s: %s", target, query, err)
                for c in args.concurrency:
                    for rep in range(args.repeats):
                        for target, send in runners:
                            cell_run = Run(target, query, c, args.duration)
                            if target in wrk_runs:
                                err = await check_bodies(client, *wrk_runs[target])  # warm-up
                                if err:
                                    logger.warning("%s %s: %s", target, query, err)
                                big = query == "country_flows"  # ~1 MB answers, see drive_wrk
                                run = await drive_wrk(
                                    cell_run, *wrk_runs[target], check_body=not big
                                )
                                err = await check_bodies(client, *wrk_runs[target]) if big else None
                                if err:
                                    run.errors += 1
                                    run.first_error = f"after the run: {err}"
                            else:
                                run = await drive(cell_run, send)
                            key = (target, query, c)
                            cells.setdefault(key, Cell(target, query, c)).runs.append(run)
                            logger.info(
                                "%-13s %-19s c=%-3d #%d %8.1f rps p50 %7.1f ms p99 %7.1f ms%s",
                                target, query, c, rep + 1, run.rps, run.p50_ms, run.p99_ms,
                                f" errors {run.errors}" if run.errors else "",
                            )  # fmt: skip
    finally:
        await pool.close()
    return list(cells.values())


def summary(cells: list[Cell]) -> list[dict[str, Any]]:
    return [
        {
            "target": c.target,
            "query": c.query,
            "concurrency": c.concurrency,
            "rps": round(c.median("rps"), 1),
            "p50_ms": round(c.median("p50_ms"), 1),
            "p99_ms": round(c.median("p99_ms"), 1),
            "errors": sum(r.errors for r in c.runs),
            "first_error": next((r.first_error for r in c.runs if r.first_error), None),
            "runs": [asdict(r) for r in c.runs],
        }
        for c in cells
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--talentflow", help="Talentflow GraphQL URL")
    parser.add_argument("--postgraphile", help="PostGraphile GraphQL URL")
    parser.add_argument("--no-sql", dest="sql", action="store_false")
    parser.add_argument("--queries", nargs="+", default=list(QUERIES), choices=QUERIES)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 16])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--driver",
        choices=("wrk", "httpx"),
        default="wrk" if shutil.which("wrk") else "httpx",
        help="what sends the GraphQL load (default: wrk when installed)",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    cells = asyncio.run(measure(args))
    result = summary(cells)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, default=str))
    for row in result:
        print(
            f"{row['target']:13} {row['query']:19} c={row['concurrency']:<3} "
            f"{row['rps']:8.1f} rps  p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms"
        )


if __name__ == "__main__":
    main()
