"""Measure news move extraction end to end, the way an operator runs it.

    python bench/quality_news_e2e.py SET.jsonl [--json OUT.json] [--keep-db] [--quiet]

``SET.jsonl`` is a labelled set in the "news" evaluation format (one article per line:
``id``, ``language``, ``title``, ``published``, ``publisher``, ``paragraphs``, ``moves`` with
``person``, ``native_name``, ``from``, ``to``, ``modality``). The harness

1. creates a fresh database on the PostgreSQL server named by ``DATABASE_URL`` and runs
   ``talentflow db upgrade`` and ``talentflow db seed`` against it;
2. serves every article as an HTML page (page furniture around an ``<article>``) and an RSS 2.0
   feed of them all from a real HTTP server on 127.0.0.1;
3. runs ``talentflow ingest news --config FILE`` (the command itself, in a subprocess) at that
   feed;
4. reads every move back through GraphQL from the real app (httpx's ASGI transport, lifespan
   running), with its status, researcher names and evidence URLs;
5. scores them: a gold move is positive when its modality is ``reported`` or ``confirmed``; a
   predicted move that is not RUMOURED matches one when the person (case, accents, spacing and
   name order ignored; the native name accepted), the origin and the destination (slug,
   normalised name, native name or alias; null must be null) agree. A RUMOURED prediction for
   an ``in_talks`` or ``rumour`` item is neutral; every other unmatched prediction is a false
   positive.

It uses only the CLI, the ingest configuration and the GraphQL API, so it runs unchanged on
older code (a ``RUMOURED`` status is used when the schema has it). The loopback feed is allowed
through ``TALENTFLOW_INGEST_ALLOWED_NETWORKS`` for code that refuses private addresses.
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
# The script's own folder holds bench modules (``graphql.py``) that would shadow libraries.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
POSITIVE = frozenset({"reported", "confirmed"})
RUMOUR = frozenset({"in_talks", "rumour"})
MODALITIES = frozenset(
    {"reported", "confirmed", "denied", "in_talks", "rumour", "planned", "leave_of_absence",
     "background"}
)  # fmt: skip
ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"


# --- the set ------------------------------------------------------------------------------


class SetError(ValueError):
    """A line of the labelled set that does not follow the format."""


def load_set(path: Path) -> list[dict[str, Any]]:
    articles: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            article = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SetError(f"{where}: not JSON ({exc})") from None
        for key in ("id", "language", "paragraphs", "moves"):
            if key not in article:
                raise SetError(f"{where}: missing {key!r}")
        if article["id"] in seen:
            raise SetError(f"{where}: duplicate id {article['id']!r}")
        seen.add(article["id"])
        if not isinstance(article["paragraphs"], list) or not article["paragraphs"]:
            raise SetError(f"{where}: 'paragraphs' must be a non-empty list")
        for move in article["moves"]:
            if "person" not in move:
                raise SetError(f"{where}: a move without 'person'")
            modality = move.get("modality", "reported")
            if modality not in MODALITIES:
                raise SetError(f"{where}: unknown modality {modality!r}")
        articles.append(article)
    return articles


# --- the site -----------------------------------------------------------------------------


def slug_path(article_id: str) -> str:
    return "/articles/" + quote(re.sub(r"[^\w.-]+", "-", article_id)) + ".html"


def published_at(article: dict[str, Any]) -> datetime:
    day = article.get("published") or "2025-01-01"
    return datetime.fromisoformat(day[:10]).replace(hour=9, tzinfo=UTC)


def article_page(article: dict[str, Any], base: str) -> str:
    lang = "zh-CN" if article["language"] == "zh" else "en"
    title = html.escape(article.get("title") or "")
    publisher = html.escape(article.get("publisher") or "Loopback Tech Wire")
    url = base + slug_path(article["id"])
    stamp = published_at(article).isoformat()
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in article["paragraphs"])
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title} | {publisher}</title>
<link rel="canonical" href="{url}">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{publisher}">
<meta property="article:published_time" content="{stamp}">
</head><body>
<header><nav><a href="/">Home</a> <a href="/ai">AI</a> <a href="/business">Business</a>
<a href="/subscribe">Subscribe</a></nav></header>
<main><article>
<h1>{title}</h1>
<p class="byline">By Staff Writer, {publisher}. Published {stamp[:10]}.</p>
{paragraphs}
</article></main>
<aside><h2>Most read</h2><ul><li><a href="/x">Chip stocks rally</a></li>
<li><a href="/y">The week in gadgets</a></li></ul></aside>
<footer><p>Copyright {publisher}. All rights reserved.</p><a href="/privacy">Privacy</a></footer>
</body></html>
"""


def rss_feed(articles: list[dict[str, Any]], base: str) -> str:
    items = []
    for article in articles:
        url = base + slug_path(article["id"])
        lede = article["paragraphs"][0] if article["paragraphs"] else ""
        items.append(
            "<item>"
            f"<title>{html.escape(article.get('title') or '')}</title>"
            f"<link>{html.escape(url)}</link>"
            f'<guid isPermaLink="true">{html.escape(url)}</guid>'
            f"<pubDate>{format_datetime(published_at(article))}</pubDate>"
            f"<description>{html.escape(lede)}</description>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Loopback Tech Wire</title><link>{base}/</link>"
        "<description>Technology and business news</description>"
        + "".join(items)
        + "</channel></rss>"
    )


class Site:
    """The articles and their feed on a real HTTP server on 127.0.0.1 (a free port)."""

    def __init__(self, articles: list[dict[str, Any]]) -> None:
        self.articles = articles
        self.pages: dict[str, bytes] = {}
        self.requests: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.requests.append(self.path)
                body = site.pages.get(self.path.split("?", 1)[0])
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                kind = "application/rss+xml" if self.path.startswith("/feed") else "text/html"
                self.send_response(200)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        for article in articles:
            self.pages[slug_path(article["id"])] = article_page(article, self.base).encode()
        self.pages["/feed.xml"] = rss_feed(articles, self.base).encode()
        self.pages["/robots.txt"] = b"User-agent: *\nAllow: /\n"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def feed_url(self) -> str:
        return self.base + "/feed.xml"

    def url_of(self, article_id: str) -> str:
        return self.base + slug_path(article_id)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the database and the ingest run --------------------------------------------------------


def with_database(url: str, name: str) -> str:
    head, _, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def cli(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Run from a scratch folder: ``python -m`` puts the working directory first on the path,
    # and the code measured is the one PYTHONPATH (or the installation) names.
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )


def run_ingest(site: Site, db_url: str, workdir: Path, quiet: bool) -> None:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        TALENTFLOW_INGEST_ALLOWED_NETWORKS=ALLOWED_NETWORKS,
        TALENTFLOW_HTTP_RATE_PER_HOST="1000",
        TALENTFLOW_HTTP_RETRIES="1",
        TALENTFLOW_CONTACT_EMAIL="quality@example.org",
        TALENTFLOW_DATA_DIR=str(workdir / "data"),
        NO_COLOR="1",
    )
    config = workdir / "news.json"
    config.write_text(
        json.dumps({"feeds": [{"url": site.feed_url}], "lookback_days": None}), encoding="utf-8"
    )
    for args in (["db", "upgrade"], ["db", "seed"], ["ingest", "news", "--config", str(config)]):
        done = cli(args, env, workdir)
        if not quiet:
            sys.stderr.write(f"$ talentflow {' '.join(args)}\n{done.stdout}{done.stderr}\n")
        if done.returncode != 0:
            raise RuntimeError(
                f"talentflow {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n"
                f"{done.stderr}"
            )


# --- reading back through GraphQL -------------------------------------------------------------

STATUS_QUERY = '{ __type(name: "MoveStatus") { enumValues { name } } }'
MOVES_QUERY = """
query Moves($after: String, $status: [MoveStatus!]) {
  moves(first: 100, after: $after, filter: {status: $status}) {
    pageInfo { hasNextPage endCursor }
    nodes {
      status
      confidence
      researcher { name nativeName }
      from { slug name nativeName aliases }
      to { slug name nativeName aliases }
      evidence { document { url } }
    }
  }
}
"""


async def read_moves(db_url: str, workdir: Path) -> list[dict[str, Any]]:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("TALENTFLOW_DATA_DIR", str(workdir / "data"))
    from service.api.app import create_app
    from service.config import get_settings, load_settings

    get_settings.cache_clear()
    app = create_app(load_settings())
    moves: list[dict[str, Any]] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            body = (await c.post("/graphql", json={"query": STATUS_QUERY})).json()
            names = [v["name"] for v in body["data"]["__type"]["enumValues"]]
            statuses = [n for n in names if n != "RETRACTED"]
            after: str | None = None
            while True:
                response = await c.post(
                    "/graphql",
                    json={"query": MOVES_QUERY, "variables": {"after": after, "status": statuses}},
                )
                body = response.json()
                if response.status_code != 200 or body.get("errors"):
                    raise RuntimeError(f"GraphQL moves query failed: {response.text[:2000]}")
                page = body["data"]["moves"]
                moves.extend(page["nodes"])
                if not page["pageInfo"]["hasNextPage"]:
                    break
                after = page["pageInfo"]["endCursor"]
    return moves


# --- scoring ------------------------------------------------------------------------------


def fold(text: str) -> str:
    try:
        from anyascii import anyascii

        text = anyascii(unicodedata.normalize("NFKC", text))
    except ImportError:  # pragma: no cover - anyascii is a dependency of the product
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.lower()


def person_keys(name: str | None) -> set[str]:
    """Keys a name matches under: folded tokens in any order, and the raw Han string."""
    if not name:
        return set()
    keys = {"".join(ch for ch in name if not ch.isspace())}
    tokens = re.findall(r"[a-z0-9]+", fold(name))
    if tokens:
        keys.add(" ".join(sorted(tokens)))
        keys.add("".join(tokens))
    return keys


_ORG_NOISE = re.compile(
    r"\b(?:inc|incorporated|corp|corporation|ltd|llc|co|company|the|gmbh|sa|plc)\b"
)


def org_key(value: str | None) -> str | None:
    if value is None:
        return None
    folded = fold(value).replace("&", " and ")
    folded = _ORG_NOISE.sub(" ", folded)
    return "".join(re.findall(r"[a-z0-9]+", folded)) or value.strip()


def org_matches(gold: str | None, inst: dict[str, Any] | None) -> bool:
    """The label names the institution: by its slug or name, or, for a label printed as the
    article prints it (聯發科, 台積電), by its native name or any alias the
    product knows it under. Han labels compare by reading, so a traditional label matches a
    simplified alias."""
    if gold is None or inst is None:
        return gold is None and inst is None
    names = [inst.get("slug"), inst.get("name"), inst.get("nativeName"), *inst.get("aliases", ())]
    return org_key(gold) in {org_key(n) for n in names if n}


def gold_matches(gold: dict[str, Any], pred: dict[str, Any]) -> bool:
    names = person_keys(pred["researcher"]["name"]) | person_keys(
        pred["researcher"].get("nativeName")
    )
    want = person_keys(gold["person"]) | person_keys(gold.get("native_name"))
    if not names & want:
        return False
    return org_matches(gold.get("from"), pred.get("from")) and org_matches(
        gold.get("to"), pred.get("to")
    )


def describe(pred: dict[str, Any]) -> str:
    r = pred["researcher"]
    name = r["name"] + (f" / {r['nativeName']}" if r.get("nativeName") else "")
    origin = (pred.get("from") or {}).get("slug")
    dest = (pred.get("to") or {}).get("slug")
    return f"({name}: {origin} -> {dest}) [{pred['status']} {pred['confidence']:.2f}]"


@dataclass
class Score:
    articles: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    rumoured_ok: int = 0
    misses: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "gold_positive": self.tp + self.fn,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "rumoured_ok": self.rumoured_ok,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
        }


def score_article(article: dict[str, Any], predicted: list[dict[str, Any]], score: Score) -> None:
    score.articles += 1
    aid = article["id"]
    gold = [dict(m, modality=m.get("modality", "reported")) for m in article["moves"]]
    used: set[int] = set()
    for pred in predicted:
        rumoured = pred["status"] == "RUMOURED"
        match = next(
            (
                i
                for i, g in enumerate(gold)
                if i not in used
                and gold_matches(g, pred)
                and (g["modality"] in POSITIVE) != rumoured
            ),
            None,
        )
        if match is None:
            match = next(
                (i for i, g in enumerate(gold) if i not in used and gold_matches(g, pred)), None
            )
        if match is None:
            score.fp += 1
            score.spurious.append(f"{aid} spurious {describe(pred)}")
            continue
        used.add(match)
        modality = gold[match]["modality"]
        if modality in POSITIVE and not rumoured:
            score.tp += 1
        elif modality in RUMOUR and rumoured:
            score.rumoured_ok += 1
        elif modality in POSITIVE:  # stored as RUMOURED: not a move; the gold one is missed
            used.discard(match)
        else:
            score.fp += 1
            score.spurious.append(f"{aid} spurious {describe(pred)} (gold says {modality})")
    for i, g in enumerate(gold):
        if g["modality"] in POSITIVE and i not in used:
            score.fn += 1
            score.misses.append(f"{aid} missed   ({g['person']}: {g.get('from')} -> {g.get('to')})")


def evaluate(
    articles: list[dict[str, Any]], moves: list[dict[str, Any]], site: Site
) -> dict[str, Score]:
    by_url: dict[str, list[dict[str, Any]]] = {}
    for move in moves:
        for url in {e["document"]["url"] for e in move.get("evidence") or []}:
            by_url.setdefault(url, []).append(move)
    scores: dict[str, Score] = {"all": Score()}
    for article in articles:
        predicted = by_url.get(site.url_of(article["id"]), [])
        for key in ("all", article["language"]):
            score_article(article, predicted, scores.setdefault(key, Score()))
    return scores


# --- main ---------------------------------------------------------------------------------


async def _create_db(server: str) -> tuple[str, str]:
    name = f"tf_newsq_{uuid.uuid4().hex[:12]}"
    await _admin(server, f'CREATE DATABASE "{name}"')
    return name, with_database(server, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path, help="labelled set (news format, JSON Lines)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--quiet", action="store_true", help="no CLI output")
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL")
    if not server:
        parser.error("DATABASE_URL must name a PostgreSQL server (its maintenance database)")
    try:
        articles = load_set(args.set)
    except (OSError, SetError) as exc:
        parser.error(str(exc))
    os.environ["TALENTFLOW_INGEST_ALLOWED_NETWORKS"] = ALLOWED_NETWORKS
    name, db_url = asyncio.run(_create_db(server))
    try:
        with tempfile.TemporaryDirectory(prefix="news-e2e-") as tmp, Site(articles) as site:
            run_ingest(site, db_url, Path(tmp), args.quiet)
            moves = asyncio.run(read_moves(db_url, Path(tmp)))
            scores = evaluate(articles, moves, site)
    finally:
        if not args.keep_db:
            asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    total = scores["all"]
    for line in sorted(total.misses) + sorted(total.spurious):
        print(line)
    print(f"set={args.set} articles={total.articles} moves_read={len(moves)}")
    for key, s in scores.items():
        print(
            f"  {key:>4}: articles={s.articles} gold={s.tp + s.fn} tp={s.tp} fp={s.fp} "
            f"fn={s.fn} rumoured_ok={s.rumoured_ok} precision={s.precision:.3f} "
            f"recall={s.recall:.3f} f1={s.f1:.3f}"
        )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "set": str(args.set),
                    "scores": {k: s.as_dict() for k, s in scores.items()},
                    "misses": total.misses,
                    "spurious": total.spurious,
                },
                indent=2,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
