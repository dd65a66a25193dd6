"""Name search's statements alone: the name-key path against the trigram path, side by side.

Throughput through the API on this shared machine moves with everything else that runs; the
statements' own latency, alternated name by name on one connection, moves less. For each of
the names ``bench/graphql.py`` searches (the same seed), one round runs the search as the API
does (``list_researchers``: key matches first, then the trigram path) and as it did before
migration 0015 (the trigram path alone, ranked by similarity), in alternating order, and
reports each path's median and 99th percentile over every round::

    python bench/search_paths.py --database-url postgresql://…/tf_bench_10x --rounds 5 \\
        --out bench/results/scale/search_paths_10x.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import asyncpg

from service.db.queries.pagination import PageArgs, fetch_page, row_factory
from service.db.queries.researchers import (
    ResearcherFilter,
    ResearcherOrder,
    ResearcherRow,
    build_query,
    list_researchers,
    ordering,
)
from service.domain.names import search_tokens

PAGE = PageArgs(first=20)
ROW = row_factory(ResearcherRow)


async def key_path(conn: asyncpg.Connection, name: str) -> list[int]:
    page = await list_researchers(conn, ResearcherFilter(search=name), None, PAGE, trigram=True)
    return [r.id for r in page.items]


async def trigram_path(conn: asyncpg.Connection, name: str) -> list[int]:
    q = build_query(ResearcherFilter(search=name))
    order = ordering(ResearcherOrder.RELEVANCE, q.params.add(" ".join(search_tokens(name)), "text"))
    page = await fetch_page(conn, q, order, PAGE, ROW)
    return [r.id for r in page.items]


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(url: str, rounds: int, seed: int) -> dict[str, Any]:
    from bench_graphql import pick_variables

    names = (await pick_variables(url, seed)).names
    conn = await asyncpg.connect(url)
    paths: dict[str, Callable[[asyncpg.Connection, str], Awaitable[list[int]]]] = {
        "name_key": key_path,
        "trigram": trigram_path,
    }
    times: dict[str, list[float]] = {k: [] for k in paths}
    same_first = 0
    try:
        for name in names:  # warm both paths' pages once
            for fn in paths.values():
                await fn(conn, name)
        for r in range(rounds):
            for i, name in enumerate(names):
                order = list(paths) if (r + i) % 2 == 0 else list(paths)[::-1]
                got: dict[str, list[int]] = {}
                for key in order:
                    start = time.perf_counter()
                    got[key] = await paths[key](conn, name)
                    times[key].append((time.perf_counter() - start) * 1000)
                same_first += got["name_key"][:1] == got["trigram"][:1]
    finally:
        await conn.close()
    return {
        "names": len(names),
        "rounds": rounds,
        "same_first_result": same_first / (rounds * len(names)),
        **{
            key: {
                "p50_ms": round(statistics.median(v), 2),
                "p99_ms": round(_percentile(v, 0.99), 2),
                "mean_ms": round(statistics.fmean(v), 2),
            }
            for key, v in times.items()
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    import importlib.util
    import sys

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    spec = importlib.util.spec_from_file_location(
        "bench_graphql", Path(__file__).with_name("graphql.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_graphql"] = module
    spec.loader.exec_module(module)
    result = asyncio.run(run(args.database_url, args.rounds, args.seed))
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
