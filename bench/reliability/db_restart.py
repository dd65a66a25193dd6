"""Database restart under load (bounded, about 30 s).

A throwaway PostgreSQL (pgserver) serves the API (``talentflow serve`` on loopback). Clients read
REST and GraphQL and poll /readyz continuously; after a warm-up the database is stopped for
OUTAGE seconds, then started again. Reported: during the outage, how requests are answered (503
with Retry-After, how fast); after it, how long until the service answers 200 again by itself;
and whether /readyz ever said ready while the database was down (or not ready long after).

    python bench/reliability/db_restart.py [--outage 6] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.reliability.common import percentile, running_service, throwaway_postgres

GQL = {"query": "{ moves(first: 5) { totalCount edges { node { id } } } }"}


@dataclass
class Sample:
    t: float
    kind: str
    status: int
    latency: float
    retry_after: str | None
    code: str = ""


async def load(base: str, stop: asyncio.Event, out: list[Sample], t0: float) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:

        async def loop(kind: str) -> None:
            while not stop.is_set():
                start = time.monotonic()
                try:
                    if kind == "rest":
                        r = await c.get("/api/v1/moves", params={"limit": 5})
                    elif kind == "graphql":
                        r = await c.post("/graphql", json=GQL)
                    else:
                        r = await c.get("/readyz")
                    status, ra = r.status_code, r.headers.get("retry-after")
                    code = ""
                    if kind == "graphql" and status == 200 and r.json().get("errors"):
                        # a GraphQL answer is 200 with an error code; 599 marks "not data"
                        code = r.json()["errors"][0].get("extensions", {}).get("code", "")
                        status = 599
                except httpx.HTTPError:
                    status, ra, code = 0, None, ""
                out.append(Sample(start - t0, kind, status, time.monotonic() - start, ra, code))
                await asyncio.sleep(0.02 if kind != "readyz" else 0.1)

        await asyncio.gather(*(loop(k) for k in ("rest", "rest", "graphql", "graphql", "readyz")))


async def main_async(outage: float, warmup: float, after: float) -> dict[str, object]:
    from service.db import migrations

    with tempfile.TemporaryDirectory(prefix="tf-restart-") as tmpdir:
        tmp = Path(tmpdir)
        with throwaway_postgres(tmp) as pg:
            await asyncio.to_thread(migrations.upgrade, pg.uri)
            with running_service(pg.uri, tmp, TALENTFLOW_DB_ACQUIRE_TIMEOUT_S="1") as base:
                samples: list[Sample] = []
                stop = asyncio.Event()
                t0 = time.monotonic()
                task = asyncio.create_task(load(base, stop, samples, t0))
                await asyncio.sleep(warmup)
                down_start = time.monotonic() - t0
                await asyncio.to_thread(pg.stop)
                down_done = time.monotonic() - t0
                await asyncio.sleep(outage)
                up_start = time.monotonic() - t0
                await asyncio.to_thread(pg.start)
                up_done = time.monotonic() - t0
                await asyncio.sleep(after)
                stop.set()
                await task
    during = [s for s in samples if down_done <= s.t and s.t + s.latency <= up_start]
    reads = [s for s in samples if s.kind != "readyz"]
    first_ok_after = min(
        (s.t + s.latency for s in reads if s.t >= up_done and s.status == 200), default=None
    )
    ready_lies = [s for s in during if s.kind == "readyz" and s.status == 200]
    ready_after = min(
        (
            s.t + s.latency
            for s in samples
            if s.kind == "readyz" and s.t >= up_done and s.status == 200
        ),
        default=None,
    )
    errors_outside = [
        s
        for s in reads
        if s.status != 200 and (s.t + s.latency < down_start or s.t > (first_ok_after or 1e9))
    ]
    during_reads = [s for s in during if s.kind != "readyz"]
    report: dict[str, object] = {
        "requests": len(samples),
        "outage_s": round(up_start - down_done, 2),
        "stop_s": round(down_done - down_start, 2),
        "start_s": round(up_done - up_start, 2),
        "during_outage": {
            "requests": len(during_reads),
            "statuses": sorted({s.status for s in during_reads}),
            "503_with_retry_after": sum(
                1 for s in during_reads if s.status == 503 and s.retry_after
            ),
            "rest_503_with_retry_after": sum(
                1 for s in during_reads if s.kind == "rest" and s.status == 503 and s.retry_after
            ),
            "rest_requests": sum(1 for s in during_reads if s.kind == "rest"),
            "graphql_error_codes": sorted({s.code for s in during_reads if s.kind == "graphql"}),
            "p50_ms": round(percentile([s.latency for s in during_reads], 0.5) * 1000, 1),
            "p99_ms": round(percentile([s.latency for s in during_reads], 0.99) * 1000, 1),
            "max_ms": round(max((s.latency for s in during_reads), default=0) * 1000, 1),
        },
        "recovered_s_after_db_up": None
        if first_ok_after is None
        else round(first_ok_after - up_done, 2),
        "readyz_200_while_db_down": len(ready_lies),
        "readyz_200_s_after_db_up": None
        if ready_after is None
        else round(ready_after - up_done, 2),
        "errors_outside_outage": len(errors_outside),
    }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outage", type=float, default=6.0)
    parser.add_argument("--warmup", type=float, default=4.0)
    parser.add_argument("--after", type=float, default=8.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    report = asyncio.run(asyncio.wait_for(main_async(args.outage, args.warmup, args.after), 300))
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    d = report["during_outage"]
    assert isinstance(d, dict)
    ok = (
        report["recovered_s_after_db_up"] is not None
        and report["readyz_200_while_db_down"] == 0
        and 0 not in d["statuses"]
        and 500 not in d["statuses"]
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
