"""Measure the news move extractor against the hand-labelled evaluation set.

Run: python bench/quality_news.py [--write]
With --write, the figures replace the news section of docs/quality.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from plugins.news.extract import AliasTable, extract_moves, person_key

ROOT = Path(__file__).resolve().parents[1]
EVAL_SET = ROOT / "tests" / "data" / "news_eval.jsonl"
INSTITUTIONS = ROOT / "service" / "data" / "institutions.toml"
QUALITY_DOC = ROOT / "docs" / "quality.md"
HELD_OUT_PREFIX = "h2-"
"""The batch not yet tuned on. Earlier held-out batches (``h-``) were tuned on after they
were measured, so they now count as development data; their row stays for the record."""
BATCHES = {"h-": "first held-out batch (h-, tuned on since)", "h2-": "second held-out batch (h2-)"}
START, END = "<!-- news:start -->", "<!-- news:end -->"

Triple = tuple[str, str | None, str | None]


def load_aliases(path: Path = INSTITUTIONS) -> AliasTable:
    """Every name, alias and native name of every seed institution, mapped to its slug."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pairs: list[tuple[str, str]] = []
    for inst in data.get("institution", []):
        slug = inst["slug"]
        for name in [inst.get("name", ""), *inst.get("aliases", []), *inst.get("native_names", [])]:
            if name:
                pairs.append((name, slug))
    return AliasTable.from_pairs(pairs)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    articles: int = 0
    misses: list[str] = field(default_factory=list)

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


def evaluate(
    aliases: AliasTable,
    path: Path = EVAL_SET,
    language: str | None = None,
    held_out: bool | None = None,
    prefix: str | None = None,
) -> Score:
    score = Score()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        article = json.loads(line)
        if language and article["language"] != language:
            continue
        if held_out is not None and article["id"].startswith(HELD_OUT_PREFIX) != held_out:
            continue
        if prefix is not None and not article["id"].startswith(prefix):
            continue
        score.articles += 1
        year = int(article["published"][:4]) if article.get("published") else None
        found = extract_moves(
            article["text"], aliases, language=article["language"], published_year=year
        )
        got: set[Triple] = {(person_key(m.person), m.from_slug, m.to_slug) for m in found}
        want: set[Triple] = {
            (person_key(m["person"]), m["from"], m["to"]) for m in article["moves"]
        }
        score.tp += len(got & want)
        for triple in sorted(want - got, key=str):
            score.fn += 1
            score.misses.append(f"{article['id']} missed  {triple}")
        for triple in sorted(got - want, key=str):
            score.fp += 1
            score.misses.append(f"{article['id']} spurious {triple}")
    return score


def render(total: Score, by_lang: dict[str, Score]) -> str:
    rows = [
        f"| {name} | {s.articles} | {s.tp + s.fn} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} |"
        for name, s in [("all", total), *by_lang.items()]
    ]
    return "\n".join(
        [
            START,
            "## News move extraction",
            "",
            f"Measured {dt.date.today().isoformat()} with `python bench/quality_news.py --write` on "
            f"`tests/data/news_eval.jsonl` ({total.articles} hand-written articles, fictional people).",
            "A move counts as found when (person, from slug, to slug) all match; names are compared",
            "without case, accents, spacing or name order. Old moves mentioned in passing are",
            "labelled as no move, which is also the extractor's rule. Held-out batches are",
            "written after the rules were tuned on everything before them and measured before",
            "any change: the `h-` batch scored precision 0.750 / recall 0.562 when first measured,",
            "and its misses were then fixed, so it is now part of the tuned set. The `h2-` batch",
            "(written after those fixes, never tuned on) is the fairer estimate of how the rules",
            "do on unseen text; with 20-odd articles its figures move a lot with each article.",
            "",
            "| set | articles | moves | precision | recall | F1 |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"Misses and spurious moves: {total.fn} missed, {total.fp} spurious "
            "(the script prints them).",
            END,
        ]
    )


def write_section(section: str, doc: Path = QUALITY_DOC) -> None:
    """Replace only the news section of the quality page, creating the page if needed."""
    existing = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if START in existing and END in existing:
        head, rest = existing.split(START, 1)
        tail = rest.split(END, 1)[1]
        updated = head + section + tail
    else:
        updated = (existing.rstrip() + "\n\n" if existing.strip() else "") + section + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(updated, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update docs/quality.md")
    args = parser.parse_args(argv)
    aliases = load_aliases()
    total = evaluate(aliases)
    by_lang = {lang: evaluate(aliases, language=lang) for lang in ("en", "zh")}
    by_lang["tuned (all but h2-)"] = evaluate(aliases, held_out=False)
    for batch, label in BATCHES.items():
        by_lang[label] = evaluate(aliases, prefix=batch)
    for line in total.misses:
        print(line)
    print(f"articles={total.articles} tp={total.tp} fp={total.fp} fn={total.fn}")
    print(f"precision={total.precision:.3f} recall={total.recall:.3f} f1={total.f1:.3f}")
    for lang, s in by_lang.items():
        print(f"  {lang}: precision={s.precision:.3f} recall={s.recall:.3f} f1={s.f1:.3f}")
    if args.write:
        write_section(render(total, by_lang))
        print(f"updated {QUALITY_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
