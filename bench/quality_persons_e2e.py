"""Identity resolution measured end to end: person pairs through `ingest jsonl` and GraphQL.

    python bench/quality_persons_e2e.py bench/quality/sets/persons_dev.jsonl
    python bench/quality_persons_e2e.py SET.jsonl --out results.json --limit 50 --modes ab,one

Each case of the set (format: "persons" in the evaluation-set contract: ``{"id", "label",
"tags", "note", "a": [observation, ...], "b": [observation, ...]}``) is ingested into a fresh
database (a clone of a migrated, seeded template) in three ways:

* ``ab``  side a and side b as two JSON Lines files, two runs of the ``jsonl`` ingester under two
  instance names, a first;
* ``ba``  the same, b first;
* ``one`` both sides in one file, one run.

The runs go through ``service.ingest.pipeline.run_ingester``, the code ``talentflow ingest
jsonl`` runs. The researchers, their candidate matches and moves are then read back through
GraphQL from the real app (httpx's ASGI transport, lifespan running). Outcome per mode:

* ``merged``    one researcher holds both sides;
* ``candidate`` the sides are on different researchers with an open candidate match between them;
* ``separate``  anything else.

A side is attributed to the researchers whose affiliations or moves cite one of the side's
documents (every side has its own ``document_seen`` URL); a side with no such evidence (only a
``researcher_seen`` line) is attributed by its names (the researcher's aliases). With a single
researcher in the database, both sides are on it.

Figures (grey pairs reported, not scored), per mode and over all modes (a pair counts as a
confident merge of different people if any mode merged it; a same pair counts as found or merged
only if every mode found or merged it): confident merges of different people (count; target 0),
same-person pairs found = merged or candidate (rate; target >= 0.95), same-person pairs merged
(rate; target >= 0.80), moves invented for different pairs (moves held by a researcher that holds
both sides), and the cases whose outcome depended on order or batching. A breakdown by tag
follows.

Uses only interfaces every version of the service has had (the ingest API, the seed loader,
migrations and GraphQL), so it measures an older checkout as well: run it with that checkout
first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
# bench/graphql.py would shadow the graphql library: drop this folder from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
if not os.environ.get("PYTHONPATH"):
    sys.path.insert(0, str(ROOT))

from service.api.app import create_app  # noqa: E402
from service.config import load_settings  # noqa: E402
from service.db import migrations  # noqa: E402
from service.db.pool import create_pool  # noqa: E402
from service.db.stores.institutions import seed_institutions  # noqa: E402
from service.db.urls import with_database  # noqa: E402
from service.ingest.pipeline import run_ingester  # noqa: E402

MODES = ("ab", "ba", "one")
LABELS = ("same", "different", "grey")

QUERY = """
query Persons($after: String) {
  researchers(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name nativeName aliases
      externalIds { scheme value }
      affiliations {
        years
        institution { slug name }
        evidence { document { url } }
      }
      moves {
        id status confidence
        from { slug name } to { slug name }
        evidence { document { url } }
      }
      candidateMatches {
        id status score
        researcher { id } candidate { id }
      }
    }
  }
}
"""


class CaseError(ValueError):
    """A case of the set is malformed."""


@dataclass(frozen=True)
class Side:
    observations: tuple[Mapping[str, Any], ...]
    urls: frozenset[str]
    names: frozenset[str]
    reported_moves: int


@dataclass(frozen=True)
class Case:
    id: str
    label: str
    tags: tuple[str, ...]
    note: str
    a: Side
    b: Side


@dataclass
class ModeResult:
    outcome: str
    researchers: int
    invented_moves: int
    detail: str = ""


@dataclass
class CaseResult:
    case: Case
    modes: dict[str, ModeResult] = field(default_factory=dict)

    def outcomes(self) -> set[str]:
        return {m.outcome for m in self.modes.values()}

    @property
    def order_dependent(self) -> bool:
        return len(self.outcomes()) > 1


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace(".", " ").replace("-", " ").split())


def _side(raw: Any, where: str) -> Side:
    if not isinstance(raw, list) or not raw:
        raise CaseError(f"{where}: must be a non-empty list of observations")
    urls: set[str] = set()
    names: set[str] = set()
    moves = 0
    for i, obs in enumerate(raw):
        if not isinstance(obs, dict) or "type" not in obs:
            raise CaseError(f"{where}[{i}]: an observation is an object with a 'type'")
        kind = obs["type"]
        if kind == "document_seen":
            urls.add(str(obs.get("url", "")))
        elif kind == "researcher_seen":
            names.update(str(n) for n in [obs.get("name"), *obs.get("aliases", [])] if n)
            if obs.get("native_name"):
                names.add(str(obs["native_name"]))
        elif kind in ("affiliation_seen", "move_reported"):
            person = obs.get("person") or {}
            names.update(str(n) for n in (person.get("name"), person.get("native_name")) if n)
            moves += kind == "move_reported"
    if not urls:
        raise CaseError(f"{where}: a side needs its own document_seen")
    return Side(tuple(raw), frozenset(urls), frozenset(_fold(n) for n in names), moves)


def load_set(path: Path) -> list[Case]:
    cases: list[Case] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:{line_no}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CaseError(f"{where}: not JSON: {exc}") from None
            cid = str(row.get("id") or "")
            if not cid or cid in seen:
                raise CaseError(f"{where}: missing or repeated id {cid!r}")
            seen.add(cid)
            label = row.get("label")
            if label not in LABELS:
                raise CaseError(f"{where}: label must be one of {LABELS}, not {label!r}")
            a, b = _side(row.get("a"), f"{where} a"), _side(row.get("b"), f"{where} b")
            if a.urls & b.urls:
                raise CaseError(f"{where}: sides share a document URL; each needs its own")
            cases.append(
                Case(cid, label, tuple(row.get("tags") or ()), str(row.get("note", "")), a, b)
            )
    return cases


# ------------------------------------------------------------------------------- databases


async def _admin(server: str, *statements: str) -> None:
    conn = await asyncpg.connect(server)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def make_template(server: str) -> str:
    name = f"tf_pp_tpl_{uuid.uuid4().hex[:10]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    url = with_database(server, name)
    await asyncio.to_thread(migrations.upgrade, url)
    conn = await asyncpg.connect(url)
    try:
        await seed_institutions(conn)
    finally:
        await conn.close()
    await _admin(server, f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
    return name


async def drop_template(server: str, name: str) -> None:
    await _admin(
        server,
        f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true',
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
    )


# ------------------------------------------------------------------------------- one case


def _write(path: Path, observations: Iterable[Mapping[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in observations), encoding="utf-8"
    )
    return path


async def _graphql_researchers(app: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://harness") as client:
        after: str | None = None
        while True:
            r = await client.post("/graphql", json={"query": QUERY, "variables": {"after": after}})
            body = r.json()
            if r.status_code != 200 or body.get("errors"):
                raise RuntimeError(f"GraphQL answered {r.status_code}: {body.get('errors')}")
            page = body["data"]["researchers"]
            out.extend(page["nodes"])
            if not page["pageInfo"]["hasNextPage"]:
                return out
            after = page["pageInfo"]["endCursor"]


def _holders(side: Side, people: Sequence[Mapping[str, Any]]) -> set[str]:
    held: set[str] = set()
    for p in people:
        urls = {
            e["document"]["url"]
            for item in (*p["affiliations"], *p["moves"])
            for e in item["evidence"]
        }
        if urls & side.urls:
            held.add(p["id"])
    if held:
        return held
    for p in people:
        names = {_fold(n) for n in (p["name"], p.get("nativeName"), *p["aliases"]) if n}
        if names & side.names:
            held.add(p["id"])
    return held


def classify(case: Case, people: Sequence[Mapping[str, Any]]) -> ModeResult:
    if len(people) == 1:
        only = people[0]
        invented = len(only["moves"]) if case.a.reported_moves + case.b.reported_moves == 0 else 0
        return ModeResult("merged", 1, invented, "one researcher")
    in_a, in_b = _holders(case.a, people), _holders(case.b, people)
    both = in_a & in_b
    if both:
        invented = 0
        if case.a.reported_moves + case.b.reported_moves == 0:
            invented = sum(len(p["moves"]) for p in people if p["id"] in both)
        return ModeResult("merged", len(people), invented, f"{len(both)} researcher(s) hold both")
    for p in people:
        for m in p["candidateMatches"]:
            if m["status"] != "OPEN":
                continue
            ends = {m["researcher"]["id"], m["candidate"]["id"]}
            if ends & in_a and ends & in_b:
                return ModeResult("candidate", len(people), 0, f"score {m['score']}")
    return ModeResult("separate", len(people), 0, f"a on {len(in_a)}, b on {len(in_b)}")


async def run_case(case: Case, server: str, template: str, modes: Sequence[str]) -> CaseResult:
    result = CaseResult(case)
    with tempfile.TemporaryDirectory(prefix="tf-pp-") as tmp:
        folder = Path(tmp)
        file_a = _write(folder / "a.jsonl", case.a.observations)
        file_b = _write(folder / "b.jsonl", case.b.observations)
        file_ab = _write(folder / "ab.jsonl", (*case.a.observations, *case.b.observations))
        plans: dict[str, list[tuple[Path, str]]] = {
            "ab": [(file_a, "pairs-a"), (file_b, "pairs-b")],
            "ba": [(file_b, "pairs-b"), (file_a, "pairs-a")],
            "one": [(file_ab, "pairs-ab")],
        }
        for mode in modes:
            name = f"tf_pp_{uuid.uuid4().hex[:12]}"
            await _admin(
                server, f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY = FILE_COPY'
            )
            url = with_database(server, name)
            try:
                settings = load_settings(database_url=url, pool_min_size=1, pool_max_size=2)
                pool = await create_pool(url, min_size=1, max_size=2)
                try:
                    for path, instance in plans[mode]:
                        run = await run_ingester(
                            pool, "jsonl", {"path": str(path)}, instance=instance, settings=settings
                        )
                        if not run.ok:
                            raise RuntimeError(
                                f"{case.id} {mode}: ingest {instance} {run.status}: {run.error}"
                            )
                        if run.rejects:
                            reasons = "; ".join(f"{r.position}: {r.reason}" for r in run.rejects)
                            raise CaseError(f"{case.id}: rejected observations: {reasons}")
                finally:
                    await pool.close()
                app = create_app(settings)
                async with app.router.lifespan_context(app):
                    people = await _graphql_researchers(app)
                result.modes[mode] = classify(case, people)
            finally:
                await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return result


# ------------------------------------------------------------------------------- figures


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def figures(results: Sequence[CaseResult], modes: Sequence[str]) -> dict[str, Any]:
    def block(outcome_of: Any, invented_of: Any) -> dict[str, Any]:
        counts: dict[str, Counter[str]] = {lab: Counter() for lab in LABELS}
        invented = 0
        for r in results:
            counts[r.case.label][outcome_of(r)] += 1
            if r.case.label == "different":
                invented += invented_of(r)
        same = sum(counts["same"].values())
        return {
            "confident_merges_of_different_people": counts["different"]["merged"],
            "different_pairs": sum(counts["different"].values()),
            "same_pairs": same,
            "same_found_rate": _rate(counts["same"]["merged"] + counts["same"]["candidate"], same),
            "same_merged_rate": _rate(counts["same"]["merged"], same),
            "moves_invented_for_different_pairs": invented,
            "outcomes": {lab: dict(c) for lab, c in counts.items()},
        }

    def worst(r: CaseResult) -> str:
        outs = r.outcomes()
        if r.case.label == "same":
            for o in ("separate", "candidate", "merged"):
                if o in outs:
                    return o
        for o in ("merged", "candidate", "separate"):
            if o in outs:
                return o
        return "separate"

    out: dict[str, Any] = {"cases": len(results), "modes": list(modes)}
    for mode in modes:
        out[mode] = block(
            lambda r, m=mode: r.modes[m].outcome, lambda r, m=mode: r.modes[m].invented_moves
        )
    out["all_modes"] = block(worst, lambda r: max(m.invented_moves for m in r.modes.values()))
    dependent = [r.case.id for r in results if r.order_dependent]
    out["order_or_batch_dependent"] = {"count": len(dependent), "cases": dependent}
    by_tag: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for r in results:
        for tag in r.case.tags or ("(untagged)",):
            by_tag[tag][r.case.label][worst(r)] += 1
    out["by_tag"] = {
        tag: {lab: dict(c) for lab, c in labels.items()} for tag, labels in sorted(by_tag.items())
    }
    return out


def report(fig: Mapping[str, Any]) -> str:
    lines = [f"cases: {fig['cases']}, modes: {', '.join(fig['modes'])}"]
    lines.append(
        f"{'mode':<10} {'diff merged':>11} {'same found':>10} {'same merged':>11} "
        f"{'invented moves':>14}  (different pairs / same pairs)"
    )
    for mode in (*fig["modes"], "all_modes"):
        b = fig[mode]
        lines.append(
            f"{mode:<10} {b['confident_merges_of_different_people']:>11} "
            f"{_fmt(b['same_found_rate']):>10} {_fmt(b['same_merged_rate']):>11} "
            f"{b['moves_invented_for_different_pairs']:>14}  "
            f"({b['different_pairs']} / {b['same_pairs']})"
        )
    grey = fig["all_modes"]["outcomes"]["grey"]
    lines.append(f"grey pairs (not scored): {grey}")
    dep = fig["order_or_batch_dependent"]
    lines.append(f"outcome depended on order or batching: {dep['count']} {dep['cases'][:20]}")
    lines.append("by tag (outcome over all modes: label -> outcome counts):")
    for tag, labels in fig["by_tag"].items():
        parts = "; ".join(
            f"{lab}: " + ", ".join(f"{o} {n}" for o, n in sorted(c.items()))
            for lab, c in sorted(labels.items())
        )
        lines.append(f"  {tag:<28} {parts}")
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


async def main_async(args: argparse.Namespace) -> int:
    cases = load_set(Path(args.set))
    if args.only:
        wanted = set(args.only.split(","))
        cases = [c for c in cases if c.id in wanted]
    if args.offset:
        cases = cases[args.offset :]
    if args.limit:
        cases = cases[: args.limit]
    modes = [m for m in args.modes.split(",") if m]
    for m in modes:
        if m not in MODES:
            raise SystemExit(f"unknown mode {m!r}; choose from {MODES}")
    server = args.database_url or os.environ.get("DATABASE_URL")
    if not server:
        raise SystemExit("set DATABASE_URL (a maintenance database on the server to use)")
    template = await make_template(server)
    results: list[CaseResult] = []
    started = time.perf_counter()
    try:
        for i, case in enumerate(cases, 1):
            r = await run_case(case, server, template, modes)
            results.append(r)
            if args.verbose or (r.case.label == "different" and "merged" in r.outcomes()):
                outs = ", ".join(f"{m}={v.outcome}({v.detail})" for m, v in r.modes.items())
                print(
                    f"[{i}/{len(cases)}] {case.id} {case.label} {list(case.tags)}: {outs}",
                    flush=True,
                )
            elif i % 50 == 0:
                print(f"[{i}/{len(cases)}] {time.perf_counter() - started:.0f}s", flush=True)
            if args.out and i % 20 == 0:
                _save(Path(args.out), _payload(args, results, modes))  # partial, for long sets
    finally:
        await drop_template(server, template)
    fig = figures(results, modes)
    fig["seconds"] = round(time.perf_counter() - started, 1)
    print(report(fig))
    if args.out:
        _save(Path(args.out), _payload(args, results, modes))
        print(f"wrote {args.out}")
    return 0


def _payload(
    args: argparse.Namespace, results: Sequence[CaseResult], modes: Sequence[str]
) -> dict[str, Any]:
    return {
        "set": str(args.set),
        "figures": figures(results, modes),
        "cases": [
            {
                "id": r.case.id,
                "label": r.case.label,
                "tags": list(r.case.tags),
                "modes": {m: vars(v) for m, v in r.modes.items()},
            }
            for r in results
        ],
    }


def _save(path: Path, payload: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("set", help="a persons set (JSON Lines)")
    parser.add_argument("--out", help="write figures and per-case outcomes as JSON here")
    parser.add_argument("--modes", default=",".join(MODES), help="ab,ba,one (default all)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N cases")
    parser.add_argument("--offset", type=int, default=0, help="skip the first N cases")
    parser.add_argument("--only", default="", help="comma-separated case ids")
    parser.add_argument(
        "--merge",
        nargs="+",
        metavar="RESULTS",
        help="instead of running, report the figures of result files written with --out "
        "(parts of one set run in parallel)",
    )
    parser.add_argument("--database-url", default="", help="default: $DATABASE_URL")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every case")
    args = parser.parse_args()
    if args.merge:
        return merge(args)
    return asyncio.run(main_async(args))


def merge(args: argparse.Namespace) -> int:
    """Figures over the cases of several result files (the set file gives tags and labels)."""
    by_id = {c.id: c for c in load_set(Path(args.set))}
    merged: dict[str, CaseResult] = {}
    modes: list[str] = []
    for path in args.merge:  # a case in a later file replaces the same case in an earlier one
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
        modes = payload["figures"]["modes"]
        for row in payload["cases"]:
            result = CaseResult(by_id[row["id"]])
            result.modes = {m: ModeResult(**v) for m, v in row["modes"].items()}
            merged[row["id"]] = result
    order = {c: n for n, c in enumerate(by_id)}
    results = sorted(merged.values(), key=lambda r: order[r.case.id])
    fig = figures(results, modes)
    print(report(fig))
    if args.out:
        _save(
            Path(args.out),
            {
                "set": str(args.set),
                "figures": fig,
                "cases": [
                    {
                        "id": r.case.id,
                        "label": r.case.label,
                        "tags": list(r.case.tags),
                        "modes": {m: vars(v) for m, v in r.modes.items()},
                    }
                    for r in results
                ],
            },
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
