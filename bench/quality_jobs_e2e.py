"""Measure hiring signals end to end on a labelled set of job boards.

    python bench/quality_jobs_e2e.py SET_DIR [--json OUT] [--keep-db] [--errors N]

``SET_DIR`` holds ``boards.json`` and ``labels.jsonl`` in the "jobs" format of the evaluation
sets (each board's API response body in the board's real JSON shape). The harness:

1. serves every board on a local HTTP server (127.0.0.1) under the board's real URL path
   (``/v1/boards/{token}/jobs``, ``/v0/postings/{site}`` with ``skip``/``limit`` paging,
   ``/posting-api/job-board/{board}``);
2. creates a fresh database on the PostgreSQL server of ``DATABASE_URL``, migrates and seeds it
   with the ``talentflow`` CLI, then runs ``talentflow ingest greenhouse|lever|ashby`` against
   the local server (the product's own ingest path, in a child process);
3. reads every posting back through GraphQL (the real app over httpx's ASGI transport);
4. scores research-role precision and recall, category accuracy (where a label gives one),
   topic precision and recall (where a label gives ``topics``) and country accuracy, for the
   whole set and per board, and lists every error.

Only interfaces the CLI and GraphQL schema have long had are used, so the same script measures
older code too (put that code first on ``PYTHONPATH``). Loopback is allowed for the ingesters
with ``TALENTFLOW_INGEST_ALLOWED_NETWORKS``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

KINDS = ("greenhouse", "lever", "ashby")
ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# Run as a script, this folder comes first on sys.path and its ``graphql.py`` would shadow the
# graphql-core package: the code under test comes from PYTHONPATH (or the installed package).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]


class SetError(Exception):
    """The set folder is not in the expected format (the message says what and where)."""


# -- the set --------------------------------------------------------------------------------
@dataclass
class Board:
    kind: str
    token: str
    company: str
    institution: str
    country_code: str | None
    payload: Any

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.token}"

    @property
    def path(self) -> str:
        if self.kind == "greenhouse":
            return f"/v1/boards/{self.token}/jobs"
        if self.kind == "lever":
            return f"/v0/postings/{self.token}"
        return f"/posting-api/job-board/{self.token}"

    def raw_postings(self) -> list[dict[str, Any]]:
        jobs = self.payload if self.kind == "lever" else self.payload.get("jobs", [])
        return [j for j in jobs if isinstance(j, dict)]

    def title_of(self, raw: dict[str, Any]) -> str:
        return str(raw.get("text") if self.kind == "lever" else raw.get("title"))


@dataclass
class Label:
    board: str
    id: str
    research: bool
    category: str | None
    country: str | None
    topics: list[str] | None
    note: str
    where: str


def _read_json(path: Path, where: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SetError(f"{where}: cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SetError(f"{where}: {path} is not valid JSON: {exc}") from None


def load_set(folder: Path) -> tuple[list[Board], list[Label]]:
    """Boards (with their payloads) and labels of a set folder, checked."""
    boards_file = folder / "boards.json"
    raw_boards = _read_json(boards_file, "boards.json")
    if not isinstance(raw_boards, list):
        raise SetError(f"{boards_file}: expected a JSON array of boards")
    boards: list[Board] = []
    for index, item in enumerate(raw_boards):
        where = f"{boards_file} item {index}"
        if not isinstance(item, dict):
            raise SetError(f"{where}: expected an object")
        missing = [k for k in ("kind", "token", "institution", "file") if not item.get(k)]
        if missing:
            raise SetError(f"{where}: missing {', '.join(missing)}")
        if item["kind"] not in KINDS:
            raise SetError(f"{where}: kind {item['kind']!r} is not one of {', '.join(KINDS)}")
        payload = _read_json(folder / item["file"], where)
        if item["kind"] == "lever" and not isinstance(payload, list):
            raise SetError(f"{where}: a Lever payload is a JSON array of postings")
        if item["kind"] != "lever" and not (
            isinstance(payload, dict) and isinstance(payload.get("jobs"), list)
        ):
            raise SetError(f"{where}: a {item['kind']} payload is an object with a 'jobs' list")
        board = Board(
            kind=item["kind"],
            token=str(item["token"]),
            company=str(item.get("company") or item["token"]),
            institution=str(item["institution"]),
            country_code=(str(item["country_code"]).upper() if item.get("country_code") else None),
            payload=payload,
        )
        if any(b.key == board.key for b in boards):
            raise SetError(f"{where}: board {board.key} listed twice")
        boards.append(board)
    labels: list[Label] = []
    labels_file = folder / "labels.jsonl"
    try:
        lines = labels_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SetError(f"cannot read {labels_file}: {exc.strerror}") from None
    keys = {b.key for b in boards}
    seen: set[tuple[str, str]] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{labels_file}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SetError(f"{where}: not valid JSON: {exc}") from None
        if not isinstance(row, dict) or "board" not in row or "id" not in row:
            raise SetError(f"{where}: a label needs 'board' and 'id'")
        if row["board"] not in keys:
            raise SetError(f"{where}: board {row['board']!r} is not in boards.json")
        if not isinstance(row.get("research"), bool):
            raise SetError(f"{where}: 'research' must be true or false")
        key = (str(row["board"]), str(row["id"]))
        if key in seen:
            raise SetError(f"{where}: posting {key[0]} {key[1]} labelled twice")
        seen.add(key)
        country = row.get("country")
        labels.append(
            Label(
                board=key[0],
                id=key[1],
                research=row["research"],
                category=row.get("category") or None,
                country=str(country).upper() if country else None,
                topics=list(row["topics"]) if isinstance(row.get("topics"), list) else None,
                note=str(row.get("note") or ""),
                where=where,
            )
        )
    return boards, labels


# -- the boards on loopback ------------------------------------------------------------------
class BoardServer:
    """A threaded HTTP server answering each board's real URL path with its payload."""

    def __init__(self, boards: list[Board]) -> None:
        self.routes = {b.path: b for b in boards}
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                requests.append(self.path)
                board = routes.get(parts.path)
                if board is None:
                    self._send(404, {"error": "not found"})
                    return
                body: Any = board.payload
                if board.kind == "lever":
                    query = parse_qs(parts.query)
                    skip = int((query.get("skip") or ["0"])[0])
                    limit = int((query.get("limit") or [str(len(body) or 1)])[0])
                    body = body[skip : skip + limit]
                self._send(200, body)

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> BoardServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# -- the database and the ingest runs ---------------------------------------------------------
def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(url: str, sql: str) -> None:
    import asyncpg

    async def go() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())


@contextmanager
def fresh_database(server_url: str, keep: bool) -> Iterator[str]:
    name = f"tf_qjobs_{uuid.uuid4().hex[:12]}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server_url, name)
    finally:
        if keep:
            print(f"kept database {name}", file=sys.stderr)
        else:
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _env(db_url: str, data_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": db_url,
            "TALENTFLOW_DATA_DIR": data_dir,
            "TALENTFLOW_INGEST_ALLOWED_NETWORKS": ALLOWED_NETWORKS,
            "TALENTFLOW_CONTACT_EMAIL": "quality@example.org",
            "TALENTFLOW_HTTP_RETRIES": "0",
            "TALENTFLOW_LOG_LEVEL": "WARNING",
            "COLUMNS": "200",
        }
    )
    return env


def _cli(args: list[str], env: dict[str, str]) -> str:
    """Run ``talentflow ARGS`` (as ``python -m service.cli``); fail loudly with its output."""
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=env["TALENTFLOW_DATA_DIR"],  # not the caller's folder: ``-m`` puts it on sys.path
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"talentflow {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout + done.stderr


def _seed_slugs() -> set[str]:
    import service

    seed = Path(service.__file__).resolve().parent / "data" / "institutions.toml"
    data = tomllib.loads(seed.read_text(encoding="utf-8"))
    return {row["slug"] for row in data.get("institution", [])}


def board_configs(boards: list[Board], base_url: str) -> dict[str, dict[str, Any]]:
    """One ingester config per kind, listing that kind's boards."""
    slugs = _seed_slugs()
    configs: dict[str, dict[str, Any]] = {}
    key_field = {"greenhouse": "token", "lever": "site", "ashby": "board"}
    for board in boards:
        config = configs.setdefault(
            board.kind, {"base_url": base_url, "requests_per_second": 10, "boards": []}
        )
        institution: Any
        if board.institution in slugs:
            institution = board.institution
        else:
            institution = {"name": board.institution}
            if board.country_code:
                institution["country_code"] = board.country_code
        entry: dict[str, Any] = {key_field[board.kind]: board.token, "institution": institution}
        if board.country_code:
            entry["country"] = board.country_code
        config["boards"].append(entry)
    return configs


def ingest(boards: list[Board], base_url: str, db_url: str) -> list[str]:
    """Migrate, seed and run each kind's ingester through the CLI.

    Returns the failures: an ingest run that fails is reported (its postings then count as
    missing) and the other kinds still run, so one broken board does not hide the rest.
    """
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="talentflow-qjobs-") as tmp:
        env = _env(db_url, str(Path(tmp) / "data"))
        Path(env["TALENTFLOW_DATA_DIR"]).mkdir()
        _cli(["db", "upgrade"], env)
        _cli(["db", "seed"], env)
        for kind, config in board_configs(boards, base_url).items():
            path = Path(tmp) / f"{kind}.json"
            path.write_text(json.dumps(config), encoding="utf-8")
            try:
                _cli(["ingest", kind, "--config", str(path)], env)
            except RuntimeError as exc:
                print(f"warning: {exc}", file=sys.stderr)
                failures.append(str(exc).splitlines()[0])
    return failures


# -- reading back through GraphQL -------------------------------------------------------------
QUERY = """
query Postings($after: String) {
  jobPostings(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      source externalId title department team location remote
      isResearch roleCategory topics
      country { code }
    }
  }
}
"""


async def _read_postings(db_url: str) -> list[dict[str, Any]]:
    import httpx

    from service.api.app import create_app
    from service.config import get_settings, load_settings

    os.environ["DATABASE_URL"] = db_url
    get_settings.cache_clear()
    app = create_app(load_settings())
    postings: list[dict[str, Any]] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://quality") as client:
            after: str | None = None
            while True:
                response = await client.post(
                    "/graphql", json={"query": QUERY, "variables": {"after": after}}
                )
                response.raise_for_status()
                body = response.json()
                if body.get("errors"):
                    raise RuntimeError(f"GraphQL errors: {body['errors']}")
                page = body["data"]["jobPostings"]
                postings.extend(page["nodes"])
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
    return postings


# -- scoring ----------------------------------------------------------------------------------
def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


@dataclass
class Score:
    postings: int = 0
    positives: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    category_ok: int = 0
    category_total: int = 0
    topic_tp: int = 0
    topic_fp: int = 0
    topic_fn: int = 0
    countries_ok: int = 0
    missing: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def category_accuracy(self) -> float:
        return _ratio(self.category_ok, self.category_total)

    @property
    def topic_precision(self) -> float:
        return _ratio(self.topic_tp, self.topic_tp + self.topic_fp)

    @property
    def topic_recall(self) -> float:
        return _ratio(self.topic_tp, self.topic_tp + self.topic_fn)

    @property
    def country_accuracy(self) -> float:
        return _ratio(self.countries_ok, self.postings)

    def figures(self) -> dict[str, Any]:
        return {
            "postings": self.postings,
            "research_labelled": self.positives,
            "research_precision": round(self.precision, 4),
            "research_recall": round(self.recall, 4),
            "true_positives": self.tp,
            "false_positives": self.fp,
            "false_negatives": self.fn,
            "category_accuracy": round(self.category_accuracy, 4),
            "topic_precision": round(self.topic_precision, 4),
            "topic_recall": round(self.topic_recall, 4),
            "country_accuracy": round(self.country_accuracy, 4),
            "missing_postings": self.missing,
        }


def score(
    boards: list[Board], labels: list[Label], postings: list[dict[str, Any]]
) -> dict[str, Score]:
    """Scores for ``all`` and per board key; errors name the board, id and title."""
    stored = {(p["source"], p["externalId"]): p for p in postings}
    titles = {
        (b.key, str(raw.get("id"))): b.title_of(raw) for b in boards for raw in b.raw_postings()
    }
    result: dict[str, Score] = {"all": Score(), **{b.key: Score() for b in boards}}
    for label in labels:
        kind, token = label.board.split(":", 1)
        got = stored.get((kind, f"{token}:{label.id}"))
        title = titles.get((label.board, label.id), "?")
        head = f"{label.board} {label.id} {title!r}"
        for slot in (result["all"], result[label.board]):
            slot.postings += 1
            slot.positives += int(label.research)
        errors: list[str] = []
        if got is None:
            for slot in (result["all"], result[label.board]):
                slot.missing += 1
                slot.fn += int(label.research)
            errors.append(f"missing   {head}: not stored")
        else:
            facts = f"(dept={got['department']!r}, team={got['team']!r})"
            research = bool(got["isResearch"])
            country = (got.get("country") or {}).get("code")
            for slot in (result["all"], result[label.board]):
                if research and label.research:
                    slot.tp += 1
                    if label.category:
                        slot.category_total += 1
                        slot.category_ok += int(got["roleCategory"] == label.category)
                elif research:
                    slot.fp += 1
                elif label.research:
                    slot.fn += 1
                slot.countries_ok += int(country == label.country)
                if label.topics is not None:
                    want, have = set(label.topics), set(got["topics"] or ())
                    slot.topic_tp += len(want & have)
                    slot.topic_fp += len(have - want)
                    slot.topic_fn += len(want - have)
            if research and not label.research:
                errors.append(f"false +   {head} {facts}: got {got['roleCategory']}")
            elif label.research and not research:
                errors.append(f"false -   {head} {facts}: want {label.category or 'research'}")
            elif research and label.category and got["roleCategory"] != label.category:
                errors.append(f"category  {head}: want {label.category}, got {got['roleCategory']}")
            if country != label.country:
                errors.append(
                    f"country   {head} (location={got['location']!r}, remote={got['remote']}):"
                    f" want {label.country}, got {country}"
                )
            if label.topics is not None and set(label.topics) != set(got["topics"] or ()):
                errors.append(
                    f"topics    {head}: want {sorted(label.topics)}, got {sorted(got['topics'])}"
                )
        for slot in (result["all"], result[label.board]):
            slot.errors.extend(errors)
    return result


# -- main -------------------------------------------------------------------------------------
def run(folder: Path, server_url: str, keep_db: bool) -> tuple[dict[str, Score], dict[str, Any]]:
    boards, labels = load_set(folder)
    with BoardServer(boards) as server, fresh_database(server_url, keep_db) as db_url:
        failures = ingest(boards, server.url, db_url)
        postings = asyncio.run(_read_postings(db_url))
    labelled = {(label.board, label.id) for label in labels}
    unlabelled = sum(
        1 for b in boards for raw in b.raw_postings() if (b.key, str(raw.get("id"))) not in labelled
    )
    import service

    info = {
        "set": folder.resolve().name,  # the folder name only: no local paths in saved runs
        "code": _code_version(Path(service.__file__).resolve().parents[1]),
        "boards": len(boards),
        "labels": len(labels),
        "stored_postings": len(postings),
        "unlabelled_payload_postings": unlabelled,
        "requests": len(server.requests),
        "ingest_failures": failures,
    }
    return score(boards, labels, postings), info


def _code_version(folder: Path) -> str:
    """The commit of the code under test (its git checkout), else its package version: a
    name for the code that means something outside this machine."""
    done = subprocess.run(
        ["git", "-C", str(folder), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0 and done.stdout.strip():
        return f"commit {done.stdout.strip()}"
    import service

    return f"talentflow {service.__version__}"


def report(scores: dict[str, Score], info: dict[str, Any], max_errors: int) -> str:
    lines = [
        f"set {info['set']}: {info['boards']} boards, {info['labels']} labelled postings,"
        f" {info['stored_postings']} stored, {info['unlabelled_payload_postings']} unlabelled"
        f" in the payloads, {info['requests']} board requests; code under test: {info['code']}",
        "",
        f"{'slice':34s} {'n':>4s} {'pos':>4s} {'prec':>6s} {'rec':>6s} {'cat':>6s}"
        f" {'topP':>6s} {'topR':>6s} {'ctry':>6s}",
    ]
    for name, s in scores.items():
        lines.append(
            f"{name:34s} {s.postings:4d} {s.positives:4d} {s.precision:6.3f} {s.recall:6.3f}"
            f" {s.category_accuracy:6.3f} {s.topic_precision:6.3f} {s.topic_recall:6.3f}"
            f" {s.country_accuracy:6.3f}"
        )
    for failure in info.get("ingest_failures") or ():
        lines.append(f"INGEST FAILED: {failure}")
    errors = scores["all"].errors
    lines += ["", f"errors ({len(errors)}):"]
    lines += ["  " + e for e in errors[:max_errors]]
    if len(errors) > max_errors:
        lines.append(f"  ... {len(errors) - max_errors} more")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("set_dir", type=Path, help="folder with boards.json and labels.jsonl")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--errors", type=int, default=1000, help="list at most N errors")
    parser.add_argument(
        "--figures-only",
        action="store_true",
        help="leave the errors (titles, ids) out of --json: for a blind set whose contents "
        "must not reach the repository",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
        help="PostgreSQL server to create the fresh database on (default: DATABASE_URL)",
    )
    args = parser.parse_args(argv)
    os.environ["TALENTFLOW_INGEST_ALLOWED_NETWORKS"] = ALLOWED_NETWORKS
    try:
        scores, info = run(args.set_dir, args.database_url, args.keep_db)
    except SetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report(scores, info, args.errors))
    if args.json:
        payload = {
            **info,
            "figures": {name: s.figures() for name, s in scores.items()},
            "errors": [] if args.figures_only else scores["all"].errors,
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
