"""Render the 1x / 10x growth table of docs/benchmarks.md from two ``run_all.py --out`` files.

    python bench/scale_growth.py bench/results/scale/perf_1x.raw.json \\
        bench/results/scale/perf_10x.raw.json

Prints a markdown table: per query and concurrency, Talentflow's p50, p99 and throughput at
each scale, the growth ratio (10x latency / 1x latency) and Talentflow / PostGraphile
throughput at each scale.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _cells(path: Path) -> dict[tuple[str, str, int], dict[str, Any]]:
    info = json.loads(path.read_text())
    return {(c["target"], c["query"], c["concurrency"]): c for c in info["graphql"]["cells"]}


def _r(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def table(small: Path, big: Path) -> str:
    one, ten = _cells(small), _cells(big)
    lines = [
        "| query | c | p50 1× | p50 10× | p50 growth | p99 1× | p99 10× | p99 growth "
        "| rps 1× | rps 10× | vs PostGraphile 1× | vs PostGraphile 10× |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (target, query, c), a in sorted(one.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        b = ten.get((target, query, c))
        if target != "talentflow" or b is None:
            continue
        pa, pb = one.get(("postgraphile", query, c)), ten.get(("postgraphile", query, c))
        lines.append(
            f"| {query} | {c} | {a['p50_ms']} ms | {b['p50_ms']} ms | "
            f"{_r(b['p50_ms'], a['p50_ms'])} | {a['p99_ms']} ms | {b['p99_ms']} ms | "
            f"{_r(b['p99_ms'], a['p99_ms'])} | {a['rps']} | {b['rps']} | "
            f"{_r(a['rps'], pa['rps']) if pa else 'n/a'} | "
            f"{_r(b['rps'], pb['rps']) if pb else 'n/a'} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("small", type=Path, help="run_all.py --out file at 1x")
    parser.add_argument("big", type=Path, help="run_all.py --out file at 10x")
    args = parser.parse_args(argv)
    print(table(args.small, args.big))


if __name__ == "__main__":
    main()
