"""A bounded soak (default 90 s, at most 180 s): mixed REST and GraphQL reads from several
clients against ``talentflow serve`` on a throwaway PostgreSQL, with one ingest run (a generated
jsonl file) in the middle. Reported: requests, errors, p50/p99 per kind, the server's RSS
after warm-up and at the end.

    python bench/reliability/soak.py [--seconds 90] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.reliability.common import (
    REPO_ROOT,
    RUNNING,
    percentile,
    rss_mb,
    running_service,
    throwaway_postgres,
)

LABS = ["Example AI Lab", "Beijing Example University", "Northern Institute", "Southern Labs"]


def world(path: Path, people: int) -> Path:
    rnd = random.Random(7)
    with path.open("w") as fh:
        for name in LABS:
            fh.write(json.dumps({"type": "institution_seen", "name": name, "kind": "lab"}) + "\n")
        for i in range(people):
            person = {"name": f"Soak Person {i}", "ids": {"openalex": f"A9{i:09d}"}}
            fh.write(json.dumps({"type": "researcher_seen", **person}) + "\n")
            a, b = rnd.sample(LABS, 2)
            for lab, years in ((a, [2015, 2016, 2017]), (b, [2019, 2020, 2021])):
                record = {
                    "type": "affiliation_seen",
                    "person": person,
                    "institution": {"name": lab},
                    "years": years,
                    "source_key": f"{i}-{lab}",
                }
                fh.write(json.dumps(record) + "\n")
    return path


QUERIES = [
    ("rest", lambda c: c.get("/api/v1/moves", params={"limit": 20})),
    ("rest", lambda c: c.get("/api/v1/researchers", params={"search": "soak person 1"})),
    ("rest", lambda c: c.get("/api/v1/institutions", params={"limit": 50})),
    ("rest", lambda c: c.get("/api/v1/flows")),
    (
        "graphql",
        lambda c: c.post(
            "/graphql",
            json={
                "query": "{ moves(first: 20) { totalCount edges { node { id date { text } "
                "researcher { name } from { name } to { name } } } } }"
            },
        ),
    ),
    (
        "graphql",
        lambda c: c.post(
            "/graphql",
            json={
                "query": '{ search(query: "soak", first: 10) { __typename } '
                "institutions(first: 10) { edges { node { name movesIn(first: 5) { totalCount } } } } }"
            },
        ),
    ),
]


async def soak(
    base: str, seconds: float, ingest_cmd: list[str], env: dict[str, str]
) -> dict[str, object]:
    pid = RUNNING[base]
    samples: list[tuple[str, int, float, bool]] = []
    stop = asyncio.Event()
    ingest: dict[str, object] = {}

    async def client(seed: int) -> None:
        rnd = random.Random(seed)
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            while not stop.is_set():
                kind, call = rnd.choice(QUERIES)
                start = time.monotonic()
                try:
                    r = await call(c)
                    ok = r.status_code == 200 and not (kind == "graphql" and r.json().get("errors"))
                    status = r.status_code
                except httpx.HTTPError:
                    ok, status = False, 0
                samples.append((kind, status, time.monotonic() - start, ok))

    async def run_ingest() -> None:
        await asyncio.sleep(seconds / 3)
        start = time.monotonic()
        proc = await asyncio.create_subprocess_exec(
            *ingest_cmd,
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _, err = await proc.communicate()
        ingest["exit_code"] = proc.returncode
        ingest["seconds"] = round(time.monotonic() - start, 1)
        if proc.returncode:
            ingest["stderr"] = err.decode()[-500:]

    tasks = [asyncio.create_task(client(i)) for i in range(6)]
    await asyncio.sleep(min(10.0, seconds / 6))
    rss_start = rss_mb(pid)
    warm = len(samples)
    ingest_task = asyncio.create_task(run_ingest())
    await asyncio.sleep(seconds)
    rss_end = rss_mb(pid)
    stop.set()
    await asyncio.gather(*tasks)
    await ingest_task
    measured = samples[warm:]
    by_kind: dict[str, object] = {}
    for kind in ("rest", "graphql"):
        lat = [s[2] for s in measured if s[0] == kind]
        by_kind[kind] = {
            "requests": len(lat),
            "p50_ms": round(percentile(lat, 0.5) * 1000, 1),
            "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
        }
    return {
        "seconds": seconds,
        "requests": len(measured),
        "errors": sum(1 for s in measured if not s[3]),
        "statuses": sorted({s[1] for s in measured}),
        "by_kind": by_kind,
        "rss_mb_after_warmup": round(rss_start, 1),
        "rss_mb_end": round(rss_end, 1),
        "rss_growth_mb": round(rss_end - rss_start, 1),
        "ingest": ingest,
    }


async def main_async(seconds: float, people: int) -> dict[str, object]:
    from service.db import migrations

    with tempfile.TemporaryDirectory(prefix="tf-soak-") as tmpdir:
        tmp = Path(tmpdir)
        with throwaway_postgres(tmp) as pg:
            await asyncio.to_thread(migrations.upgrade, pg.uri)
            path = world(tmp / "world.jsonl", people)
            config = tmp / "jsonl.json"
            config.write_text(json.dumps({"path": str(path)}))
            env = {**os.environ, "DATABASE_URL": pg.uri, "TALENTFLOW_DATA_DIR": str(tmp / "data")}
            cmd = [
                sys.executable,
                "-c",
                "from service.cli import main; main()",
                "ingest",
                "jsonl",
                "--config",
                str(config),
            ]
            # a first small world so reads have something to read from the start
            first = tmp / "first.json"
            first.write_text(json.dumps({"path": str(world(tmp / "first.jsonl", 200))}))
            await asyncio.to_thread(
                subprocess.run,
                [*cmd[:-1], str(first)],
                env={**env, "TALENTFLOW_LOG_LEVEL": "WARNING"},
                cwd=REPO_ROOT,
                check=True,
                capture_output=True,
            )
            with running_service(pg.uri, tmp) as base:
                report = await soak(base, seconds, cmd, env)
            report["people_ingested_mid_soak"] = people
            return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 10.0), 180.0)
    report = asyncio.run(asyncio.wait_for(main_async(seconds, args.people), seconds + 240))
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    sys.exit(0 if report["errors"] == 0 and report["ingest"].get("exit_code") == 0 else 1)  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
