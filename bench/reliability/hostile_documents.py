"""How long a real ``talentflow serve`` takes to refuse hostile GraphQL documents, per executor.

Each document is sent as a POST the fast path takes, a POST strawberry takes (``Accept:
application/graphql-response+json``) and a GET, five times each with a unique leading comment
(so no cache has seen the text: what a hostile client sending fresh documents costs), and once
more unchanged (what a client repeating one document costs). Figures are medians in ms,
client-side over loopback, with the machine's load average beside them. The service runs on a
throwaway database, migrated but empty, created on the server of ``DATABASE_URL`` and dropped
at the end.

    DATABASE_URL=postgresql://... python bench/reliability/hostile_documents.py [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from bench.reliability.common import running_service  # noqa: E402


def fan_out(levels: int, width: int = 2) -> str:
    parts = [f"query{{...F{levels}}}", "fragment F0 on Query{__typename}"]
    for i in range(1, levels + 1):
        parts.append(f"fragment F{i} on Query{{" + f"...F{i - 1} " * width + "}")
    return " ".join(parts)


DOCUMENTS = {
    "Fan-out ×2, 30 levels": fan_out(30),
    "Fan-out ×3, 25 levels": fan_out(25, 3),
    "One key × 1000": "{" + " __typename" * 1000 + "}",
    "`moves{totalCount}` × 300": "{" + " moves{totalCount}" * 300 + "}",
    "One key × 1990 (at the token limit)": "{" + " __typename" * 1990 + "}",
    "Over the token limit (2,500 tokens)": "{" + " __typename" * 2500 + "}",
    "A syntax error after 1,900 tokens": "{" + " __typename" * 1900 + " ( }",
}
WAYS = ("POST, fast path", "POST, strawberry", "GET")


async def ask(client: httpx.AsyncClient, way: str, document: str) -> tuple[float, list[str]]:
    start = time.perf_counter()
    if way == "GET":
        r = await client.get("/graphql", params={"query": document})
    else:
        headers = {"accept": "application/graphql-response+json"} if "strawberry" in way else {}
        r = await client.post("/graphql", json={"query": document}, headers=headers)
    elapsed = (time.perf_counter() - start) * 1000
    codes = [e.get("extensions", {}).get("code", "") for e in r.json().get("errors", [])]
    return elapsed, codes


async def measure(base: str, repeats: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await client.post("/graphql", json={"query": "{ __typename }"})  # warm the worker
        for name, document in DOCUMENTS.items():
            row: dict[str, Any] = {}
            for way in WAYS:
                fresh = []
                codes: list[str] = []
                for _ in range(repeats):
                    unique = f"# {uuid.uuid4().hex}\n{document}"
                    elapsed, codes = await ask(client, way, unique)
                    fresh.append(elapsed)
                await ask(client, way, document)
                repeat, _ = await ask(client, way, document)
                row[way] = {
                    "fresh_ms": round(statistics.median(fresh), 1),
                    "repeat_ms": round(repeat, 1),
                    "codes": codes,
                }
            out[name] = row
    return out


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from service.db.urls import with_database

    server = os.environ["DATABASE_URL"]
    name = f"tf_hostile_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = with_database(server, name)
    try:
        env = {**os.environ, "DATABASE_URL": url}
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "service.cli", "db", "upgrade"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        with tempfile.TemporaryDirectory() as tmp, running_service(url, Path(tmp)) as base:
            load_before = os.getloadavg()[0]
            results = await measure(base, args.repeats)
            return {
                "repeats": args.repeats,
                "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                "cores": os.cpu_count(),
                "documents": results,
            }
    finally:
        conn = await asyncpg.connect(server)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = asyncio.run(main_async(args))
    print(f"load average {result['load_average']} on {result['cores']} cores")
    print("| Document | " + " | ".join(WAYS) + " |")
    for name, row in result["documents"].items():
        cells = [f"{row[w]['fresh_ms']} ms ({row[w]['repeat_ms']})" for w in WAYS]
        codes = ", ".join(sorted({c for w in WAYS for c in row[w]["codes"]}))
        print(f"| {name} (`{codes}`) | " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
