"""Move inference measured end to end on a labelled set of publication histories.

Run: python bench/quality_histories_e2e.py SET.jsonl [SET2.jsonl ...] [--recorded DIR] [--json OUT]

Each line of a set is one history (see the "histories" format: ``id``, ``tags``, ``note``,
``observations`` in the public JSON Lines observation format, and the true ``moves`` with
``from``, ``to`` and ``year``). The harness

1. creates a fresh database on the server of ``DATABASE_URL``, migrates it to head and loads
   the curated institutions (``talentflow db seed``),
2. ingests every history's observations with the ``jsonl`` ingester (what
   ``talentflow ingest jsonl`` runs: validate, resolve, write, infer moves),
3. reads the moves back through GraphQL from the real app (httpx's ASGI transport, the
   app's lifespan running), and
4. scores them: a predicted move matches a true move of the same history when its from and
   to institutions agree (slug, name or alias, compared without case or spacing) and its year
   is within one year of the true one. Where the API has institution successors, a label
   naming the successor of the predicted institution also matches (a set written when "Google
   Brain" was a name of Google DeepMind labels a Google Brain move with Google DeepMind); such
   matches are counted and listed. A gold move whose ``note`` names an equally right end point
   or year, as the sets' READMEs define it ("mila equally right", "Codeium equally right as
   from", "2024 equally right", "to may equally be read as amazon", "from mila is equally right
   (joint team)", "year 2024 (...) is equally right"), also matches a move naming that end point (at either end) or
   year; such matches are counted and listed apart too. Precision, recall, per tag, then every
   miss and every spurious move.

Where the API has visits (a ``Move.isVisit`` field with an ``includeVisits`` move filter), the
visits it stores are counted and listed apart; they are not moves and are not scored as such.

With ``--recorded DIR`` the recorded OpenAlex author payload
``openalex_author_A5023888391.json`` is mapped by the OpenAlex plugin's own mapping and added
as one more history (``recorded-openalex-A5023888391``) with its true moves.

The script uses only interfaces that every version of the service has (migrations, the
``jsonl`` ingester through ``run_ingester``, the app factory, the GraphQL moves query), so it
measures the code before and after a change alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import tempfile
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
# ``bench/graphql.py`` would shadow the graphql-core package the app imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
RECORDED_AUTHOR = "openalex_author_A5023888391.json"
RECORDED_ID = "recorded-openalex-A5023888391"
# The true moves of the recorded author (Jason Priem): Florida College (2008) → UNC Chapel Hill
# (2010-2014) → Impact Technology Development (2017-2018) → OurResearch (2019, 2021-2023). The
# one year 2020, whose papers carried Johns Hopkins and Florida State, is a visit, not two moves.
RECORDED_MOVES = [
    {"from": "Florida College", "to": "University of North Carolina at Chapel Hill", "year": 2010},
    {
        "from": "University of North Carolina at Chapel Hill",
        "to": "Impact Technology Development (United States)",
        "year": 2017,
    },
    {"from": "Impact Technology Development (United States)", "to": "OurResearch", "year": 2019},
]
PAGE = 100


class SetError(ValueError):
    """A history set line that does not follow the format."""


# ----------------------------------------------------------------------------- the set


@dataclass
class History:
    id: str
    tags: list[str]
    observations: list[dict[str, Any]]
    moves: list[dict[str, Any]]
    person_ids: set[tuple[str, str]] = field(default_factory=set)


def _person_ids(observations: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for obs in observations:
        holders = [obs.get("person") or {}]
        if obs.get("type") == "researcher_seen":
            holders.append(obs)
        for holder in holders:
            for kind, value in (holder.get("ids") or {}).items():
                if kind in ("orcid", "openalex") and value:
                    found.add((kind, _norm_id(kind, str(value))))
    return found


def _norm_id(kind: str, value: str) -> str:
    """An ORCID or OpenAlex id without its URL prefix, upper-cased."""
    return value.strip().rsplit("/", 1)[-1].upper()


def load_set(path: Path) -> list[History]:
    histories: list[History] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SetError(f"{where}: not JSON ({exc.msg})") from None
        if not isinstance(raw, dict):
            raise SetError(f"{where}: a history must be an object")
        for key in ("id", "observations", "moves"):
            if key not in raw:
                raise SetError(f"{where}: missing {key!r}")
        hid = str(raw["id"])
        if hid in seen:
            raise SetError(f"{where}: duplicate id {hid!r}")
        seen.add(hid)
        if not isinstance(raw["observations"], list) or not raw["observations"]:
            raise SetError(f"{where} ({hid}): observations must be a non-empty list")
        for move in raw["moves"]:
            if not isinstance(move, dict) or "year" not in move or "to" not in move:
                raise SetError(f"{where} ({hid}): each move needs from, to and year")
        history = History(
            id=hid,
            tags=[str(t) for t in raw.get("tags") or []],
            observations=raw["observations"],
            moves=raw["moves"],
        )
        history.person_ids = _person_ids(history.observations)
        if not history.person_ids:
            raise SetError(f"{where} ({hid}): no ORCID or OpenAlex id for the person")
        histories.append(history)
    return histories


def recorded_history(folder: Path) -> History:
    """The recorded OpenAlex author, mapped as the OpenAlex plugin maps it."""
    from plugins.openalex.parse import author_record

    author = json.loads((folder / RECORDED_AUTHOR).read_text(encoding="utf-8"))
    record = author_record(author)
    observations = [obs.model_dump(mode="json", exclude_none=True) for obs in record.observations()]
    history = History(
        id=RECORDED_ID, tags=["recorded", "visit"], observations=observations, moves=RECORDED_MOVES
    )
    history.person_ids = _person_ids(observations)
    return history


def default_recorded_folder() -> Path:
    """Where the tests look for the recorded payloads (``TALENTFLOW_RECORDED_FIXTURES``, else
    ``tests/fixtures/recorded`` in the checkout)."""
    return Path(
        os.environ.get("TALENTFLOW_RECORDED_FIXTURES", ROOT / "tests" / "fixtures" / "recorded")
    )


# ----------------------------------------------------------------------------- running


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


MOVES_QUERY = """
query($after: String, $filter: MoveFilterInput) {
  moves(first: %d, after: $after, filter: $filter) {
    pageInfo { hasNextPage endCursor }
    nodes {
      %s
      date { date precision }
      confidence
      status
      researcher { orcid openalexId }
      from { slug name aliases %s }
      to { slug name aliases %s }
    }
  }
}
"""


async def _gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL answered {response.status_code}: {body.get('errors')}")
    data: dict[str, Any] = body["data"]
    return data


async def _all_moves(
    client: httpx.AsyncClient, extra_fields: str, flt: dict[str, Any] | None, successors: str
) -> list[dict[str, Any]]:
    query = MOVES_QUERY % (PAGE, extra_fields, successors, successors)
    moves: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        data = await _gql(client, query, {"after": after, "filter": flt})
        page = data["moves"]
        moves.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return moves
        after = page["pageInfo"]["endCursor"]


async def _features(client: httpx.AsyncClient) -> tuple[bool, bool]:
    """Whether the API has visits, and institution successors."""
    data = await _gql(
        client,
        '{ m: __type(name: "Move") { fields { name } } '
        'f: __type(name: "MoveFilterInput") { inputFields { name } } '
        'i: __type(name: "Institution") { fields { name } } }',
        {},
    )
    move_fields = {f["name"] for f in (data.get("m") or {}).get("fields") or []}
    filter_fields = {f["name"] for f in (data.get("f") or {}).get("inputFields") or []}
    inst_fields = {f["name"] for f in (data.get("i") or {}).get("fields") or []}
    return "isVisit" in move_fields and "includeVisits" in filter_fields, (
        "successors" in inst_fields
    )


@dataclass
class Readout:
    moves: list[dict[str, Any]]
    visits: list[dict[str, Any]] | None
    rejects: list[str]


async def ingest_and_read(histories: list[History], server_url: str) -> Readout:
    from service.api.app import create_app
    from service.config import get_settings, load_settings
    from service.db import migrations
    from service.db.pool import create_pool
    from service.db.stores.institutions import seed_institutions
    from service.db.urls import with_database
    from service.ingest.manager import get_plugin_manager
    from service.ingest.pipeline import run_ingester

    name = f"tf_hist_{uuid.uuid4().hex[:12]}"
    await _admin(server_url, f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    saved = os.environ.get("DATABASE_URL")
    try:
        await asyncio.to_thread(migrations.upgrade, url)
        # what `talentflow db seed` does: the curated institutions every deployment starts with
        conn = await asyncpg.connect(url)
        try:
            await seed_institutions(conn)
        finally:
            await conn.close()
        os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()
        settings = load_settings()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "histories.jsonl"
            with path.open("w", encoding="utf-8") as out:
                for history in histories:
                    for obs in history.observations:
                        out.write(json.dumps(obs, ensure_ascii=False) + "\n")
            pool = await create_pool(url, min_size=1, max_size=4)
            try:
                result = await run_ingester(
                    pool,
                    "jsonl",
                    {"path": str(path)},
                    settings=settings,
                    pm=get_plugin_manager(),
                )
            finally:
                await pool.close()
        if not result.ok:
            raise RuntimeError(f"ingest failed: {result.error or result.status}")
        rejects = [f"{r.position}: {r.reason}" for r in result.rejects]
        app = create_app(settings, database_url=url)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                visits_api, successors_api = await _features(client)
                succ = "successors { institution { slug name } }" if successors_api else ""
                moves = await _all_moves(client, "", None, succ)
                visits = None
                if visits_api:
                    everything = await _all_moves(client, "isVisit", {"includeVisits": True}, succ)
                    visits = [m for m in everything if m.get("isVisit")]
        return Readout(moves, visits, rejects)
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved
        get_settings.cache_clear()
        await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ----------------------------------------------------------------------------- scoring


def norm(value: str | None) -> str:
    if value is None:
        return ""
    text = unicodedata.normalize("NFKD", value).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]+", " ", text).strip()


def _inst_keys(inst: dict[str, Any] | None) -> set[str]:
    if not inst:
        return {""}
    keys = {norm(inst.get("slug")), norm(inst.get("name"))}
    keys.update(norm(a) for a in inst.get("aliases") or [])
    return keys - {""} or {""}


def _successor_keys(inst: dict[str, Any] | None) -> set[str]:
    """The names of what the institution became: a gold label written when one was an alias of
    the other (Google Brain of Google DeepMind) names the successor."""
    keys: set[str] = set()
    for rel in (inst or {}).get("successors") or []:
        other = rel.get("institution") or {}
        keys |= {norm(other.get("slug")), norm(other.get("name"))} - {""}
    return keys


def _inst_label(inst: dict[str, Any] | None) -> str:
    if not inst:
        return "∅"
    return str(inst.get("slug") or inst.get("name"))


def _year(move: dict[str, Any]) -> int | None:
    date = move.get("date") or {}
    value = date.get("date")
    return int(value[:4]) if value else None


EQUALLY_RIGHT = re.compile(
    r"^\s*(?:(?:from|to|year)\s+)?(?P<what>.+?)\s*(?:\([^)]*\)\s*)?(?:is\s+)?equally right",
    re.IGNORECASE,
)
# the sixth round's wording: "equally right: from = google (parent); to = baidu", "equally right:
# year = 2022 (first papers there)"
LABELLED = re.compile(
    r"^\s*(?:equally right:\s*)?(?P<side>from|to|year)\s*=\s*(?P<what>[^()]+?)\s*(?:\([^)]*\))?\s*$",
    re.IGNORECASE,
)
# the earlier sets' wording: "to may equally be read as amazon or aws-ai-labs (parent)"
READ_AS = re.compile(r"equally be read as\s+(?P<what>.+?)\s*(?:\([^)]*\))?\s*$", re.IGNORECASE)


def alternatives(gold: dict[str, Any]) -> tuple[set[str], set[int]]:
    """The end point names and years a gold move's ``note`` calls equally right (the sets'
    convention: "mila equally right", "amazon equally right (parent)", "Codeium equally right as
    from", "resigned the UCL chair in 2024; 2024 equally right"; the earlier sets' "to may
    equally be read as amazon or aws-ai-labs"; the sixth round's "equally right: from = google
    (parent); to = baidu" and "equally right: year = 2022"), normalised like the keys."""
    names: set[str] = set()
    years: set[int] = set()
    note = str(gold.get("note") or "")
    labelled = note.strip().lower().startswith("equally right:")
    for clause in note.split(";"):
        found = LABELLED.match(clause) if labelled else None
        if found is not None:
            what = found.group("what").strip()
            if found.group("side").lower() == "year":
                years |= {int(y) for y in re.findall(r"\d{4}", what)}
            else:
                names.add(norm(what))
            continue
        found = EQUALLY_RIGHT.match(clause)
        if found is not None:
            # the fifth round's wording: "from mila is equally right (joint team)", "to fair
            # (parent) is equally right", "year 2024 (...) is equally right", "from alibaba or
            # alibaba-cloud equally right"
            for what in re.split(r"\s+or\s+", found.group("what").strip()):
                what = what.strip(" '\"")
                if re.fullmatch(r"\d{4}", what):
                    years.add(int(what))
                elif what:
                    names.add(norm(what))
            continue
        found = READ_AS.search(clause)
        if found is not None:
            for what in re.split(r"\s+or\s+", found.group("what")):
                names.add(norm(what.strip(" '\"")))
    return names - {""}, years


def _matches(
    gold: dict[str, Any],
    pred: dict[str, Any],
    via_successor: bool = False,
    via_alternative: bool = False,
) -> bool:
    year = _year(pred)
    names, years = alternatives(gold) if via_alternative else (set(), set())
    if year is None or (
        abs(year - int(gold["year"])) > 1 and all(abs(year - y) > 1 for y in years)
    ):
        return False
    ends = []
    for side in ("from", "to"):
        keys = _inst_keys(pred.get(side))
        if via_successor:
            keys |= _successor_keys(pred.get(side))
        ends.append(norm(gold.get(side)) in keys or bool(names & keys))
    return all(ends)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    histories: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    total: Score
    by_tag: dict[str, Score]
    misses: list[str]
    spurious: list[str]
    visits: list[str] | None
    unowned: int
    rejects: list[str]
    through_successor: list[str] = field(default_factory=list)
    through_alternative: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def s(score: Score) -> dict[str, Any]:
            return {
                "histories": score.histories,
                "tp": score.tp,
                "fp": score.fp,
                "fn": score.fn,
                "precision": round(score.precision, 4),
                "recall": round(score.recall, 4),
            }

        return {
            "total": s(self.total),
            "by_tag": {tag: s(v) for tag, v in sorted(self.by_tag.items())},
            "misses": self.misses,
            "spurious": self.spurious,
            "visits": self.visits,
            "moves_of_unknown_people": self.unowned,
            "rejected_observations": self.rejects,
            "matched_through_a_successor": self.through_successor,
            "matched_through_an_equally_right_end_or_year": self.through_alternative,
        }


def _describe(move: dict[str, Any]) -> str:
    return (
        f"{_inst_label(move.get('from'))} → {_inst_label(move.get('to'))} "
        f"{(move.get('date') or {}).get('date')} conf={move.get('confidence')}"
    )


def score(histories: list[History], readout: Readout) -> Report:
    owner: dict[tuple[str, str], str] = {}
    for history in histories:
        for key in history.person_ids:
            owner[key] = history.id

    def owner_of(move: dict[str, Any]) -> str | None:
        r = move.get("researcher") or {}
        for kind, value in (("orcid", r.get("orcid")), ("openalex", r.get("openalexId"))):
            if value and (kind, _norm_id(kind, value)) in owner:
                return owner[(kind, _norm_id(kind, value))]
        return None

    predicted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    unowned = 0
    for move in readout.moves:
        hid = owner_of(move)
        if hid is None:
            unowned += 1
        else:
            predicted[hid].append(move)
    visits_by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for visit in readout.visits or []:
        hid = owner_of(visit)
        visits_by[hid or "?"].append(visit)

    total = Score()
    by_tag: dict[str, Score] = defaultdict(Score)
    misses: list[str] = []
    spurious: list[str] = []
    through_successor: list[str] = []
    through_alternative: list[str] = []
    for history in histories:
        preds = sorted(predicted.get(history.id, []), key=lambda m: _year(m) or 0)
        used: set[int] = set()
        tp = fn = 0
        for gold in history.moves:
            hit = next(
                (i for i, p in enumerate(preds) if i not in used and _matches(gold, p)), None
            )
            if hit is None:
                hit = next(
                    (
                        i
                        for i, p in enumerate(preds)
                        if i not in used and _matches(gold, p, via_successor=True)
                    ),
                    None,
                )
                if hit is not None:
                    through_successor.append(f"{history.id} {gold.get('from')} → {gold.get('to')}")
            if hit is None:
                hit = next(
                    (
                        i
                        for i, p in enumerate(preds)
                        if i not in used and _matches(gold, p, True, via_alternative=True)
                    ),
                    None,
                )
                if hit is not None:
                    through_alternative.append(
                        f"{history.id} {gold.get('from')} → {gold.get('to')}: {_describe(preds[hit])}"
                    )
            if hit is None:
                fn += 1
                misses.append(
                    f"{history.id} [{','.join(history.tags)}] missed {gold.get('from')} → "
                    f"{gold.get('to')} {gold['year']}"
                )
            else:
                used.add(hit)
                tp += 1
        fp = len(preds) - len(used)
        for i, p in enumerate(preds):
            if i not in used:
                spurious.append(f"{history.id} [{','.join(history.tags)}] spurious {_describe(p)}")
        for target in [total, *(by_tag[t] for t in set(history.tags) or {"(untagged)"})]:
            target.tp += tp
            target.fp += fp
            target.fn += fn
            target.histories += 1
    visits = None
    if readout.visits is not None:
        visits = [
            f"{hid} visit {_describe(v)}"
            for hid in sorted(visits_by)
            for v in sorted(visits_by[hid], key=lambda m: _year(m) or 0)
        ]
    return Report(
        total,
        dict(by_tag),
        misses,
        spurious,
        visits,
        unowned,
        readout.rejects,
        through_successor,
        through_alternative,
    )


def print_report(report: Report) -> None:
    for line in report.misses:
        print(line)
    for line in report.spurious:
        print(line)
    if report.rejects:
        print(f"rejected observations: {len(report.rejects)}")
        for line in report.rejects[:20]:
            print("  " + line)
    t = report.total
    print(
        f"histories={t.histories} tp={t.tp} fp={t.fp} fn={t.fn} "
        f"precision={t.precision:.3f} recall={t.recall:.3f}"
    )
    for tag, s in sorted(report.by_tag.items()):
        print(
            f"  {tag:<22} histories={s.histories:<4} tp={s.tp:<4} fp={s.fp:<3} fn={s.fn:<3} "
            f"precision={s.precision:.3f} recall={s.recall:.3f}"
        )
    if report.through_successor:
        print(f"matched only through a successor's name: {len(report.through_successor)}")
        for line in report.through_successor:
            print("  " + line)
    if report.through_alternative:
        print(
            f"matched only through an equally right end or year: {len(report.through_alternative)}"
        )
        for line in report.through_alternative:
            print("  " + line)
    if report.unowned:
        print(f"moves of people in no history: {report.unowned}")
    if report.visits is None:
        print("visits: the API has none")
    else:
        print(f"visits stored (not scored): {len(report.visits)}")
        for line in report.visits:
            print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path, help="history sets (JSON Lines)")
    parser.add_argument(
        "--recorded",
        type=Path,
        nargs="?",
        const=default_recorded_folder(),
        default=None,
        help="add the recorded OpenAlex author from this folder (default: the shared fixtures)",
    )
    parser.add_argument("--json", type=Path, help="write the figures and lists here as JSON")
    args = parser.parse_args(argv)
    server_url = os.environ.get("DATABASE_URL")
    if not server_url:
        print("error: set DATABASE_URL to a PostgreSQL server to create the database on")
        return 2
    try:
        histories = [h for path in args.sets for h in load_set(path)]
    except (OSError, SetError) as exc:
        print(f"error: {exc}")
        return 2
    if args.recorded is not None:
        if not (args.recorded / RECORDED_AUTHOR).is_file():
            print(f"error: {RECORDED_AUTHOR} not found in {args.recorded}")
            return 2
        histories.append(recorded_history(args.recorded))
    readout = asyncio.run(ingest_and_read(histories, server_url))
    report = score(histories, readout)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
