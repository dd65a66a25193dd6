"""Generate a realistic synthetic Talentflow dataset and load it with COPY.

At scale 1.0: 2,000 institutions (a few big organisations with sites and labs, many small
ones), 200,000 researchers with aliases and external ids, 1,000,000 moves, each with one to
three evidence rows pointing at ~800,000 documents, and the affiliation stints the moves
imply, and education stints (a doctorate for ~70% of researchers, ending when their first
stint starts, most with a bachelor's before it; see ``make_educations``). The shape follows
real data: institution popularity is Zipf-like, moves grow towards
recent years, about 30% of moves cross a border, a few researchers move many times.

Streamed: rows are generated in blocks of researchers (their moves, stints, evidence and
educations) and of documents, each block from a random stream of its own derived from the seed,
and COPYed block by block, so memory stays that of one block at any scale (peak resident memory
is logged at the end). Deterministic for a given ``--seed`` and ``--scale``. The institutions
are those of the in-memory generator this replaced; the other rows for a seed differ from it
(the same distributions: docs/benchmarks.md compares them).

The target database is migrated first (``service.db.migrations.upgrade``) and must hold no
researchers (use ``--reset`` to empty it). The load is one transaction: it drops the data
tables' secondary indexes, unique constraints and foreign keys, COPYs, then rebuilds them from
their own definitions (``--keep-indexes`` loads into the indexed tables instead).

    python bench/generate.py --seed 42 --database-url postgresql://.../tf_bench --scale 0.05
    python bench/generate.py --scale 10 --dry-run   # generate only: time and memory
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import functools
import itertools
import logging
import queue
import random
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)

# Country weights of where AI research institutions sit (roughly: many US, then CN, GB...).
COUNTRIES: tuple[tuple[str, float], ...] = (
    ("US", 38), ("CN", 16), ("GB", 7), ("DE", 5), ("CA", 4), ("FR", 4), ("JP", 3),
    ("KR", 3), ("IN", 3), ("CH", 2), ("SG", 2), ("IL", 2), ("NL", 2), ("AU", 2),
    ("IT", 1.5), ("ES", 1.5), ("SE", 1), ("HK", 1), ("TW", 1), ("AE", 0.5), ("BR", 0.5),
)  # fmt: skip

ORG_WORDS = (
    "Deep", "Neural", "Vision", "Quantum", "Cognitive", "Applied", "Open", "Frontier",
    "Robotics", "Language", "Signal", "Data", "Systems", "Learning", "Compute", "Sensing",
    "Graph", "Bio", "Causal", "Edge", "Scale", "Core", "Alpha", "Nova", "Vector", "Tensor",
)  # fmt: skip
ORG_SUFFIX = {
    "company": ("Inc", "Labs", "AI", "Technologies", "Systems"),
    "lab": ("Research Lab", "AI Lab", "Institute", "Research Center"),
    "university": ("University", "Institute of Technology", "College"),
    "government": ("National Laboratory", "Agency for AI"),
    "nonprofit": ("Foundation", "Collective", "Institute"),
}
CITY = {"US": "San Francisco", "CN": "Beijing", "GB": "London", "DE": "Berlin", "FR": "Paris"}

GIVEN = (
    "Wei", "Jing", "Yang", "Li", "Hao", "Xin", "Yu", "Chen", "Ming", "Lei", "Ying", "Tao",
    "James", "Mary", "John", "Anna", "David", "Sarah", "Michael", "Laura", "Daniel", "Emma",
    "Thomas", "Julia", "Lukas", "Sophie", "Pierre", "Camille", "Hiroshi", "Yuki", "Min-jun",
    "Ji-woo", "Arjun", "Priya", "Rahul", "Ananya", "Omar", "Leila", "Ivan", "Olga", "Noam",
    "Tamar", "Carlos", "Lucia", "Mateo", "Sofia", "Erik", "Ingrid", "Kwame", "Amara",
)  # fmt: skip
FAMILY = (
    "Zhang", "Wang", "Li", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
    "Ma", "Zhu", "Hu", "Guo", "He", "Lin", "Smith", "Johnson", "Brown", "Miller", "Davis",
    "Garcia", "Wilson", "Taylor", "Anderson", "Thomas", "Moore", "Martin", "Lee", "Kim",
    "Park", "Choi", "Tanaka", "Suzuki", "Sato", "Muller", "Schmidt", "Schneider", "Dubois",
    "Laurent", "Rossi", "Bianchi", "Kumar", "Sharma", "Patel", "Singh", "Cohen", "Levi",
    "Ivanov", "Petrov", "Silva", "Santos", "Nguyen", "Tran", "Okafor", "Mensah", "Larsen",
    "Nielsen", "Novak", "Kowalski", "Fischer", "Weber", "Rahman", "Hassan", "Ali", "Haddad",
)  # fmt: skip
HAN_FAMILY = {"Zhang": "张", "Wang": "王", "Li": "李", "Liu": "刘", "Chen": "陈", "Yang": "杨"}
HAN_GIVEN = {"Wei": "伟", "Jing": "静", "Yang": "洋", "Hao": "浩", "Xin": "欣", "Ming": "明"}
TOPICS = (
    "machine learning", "computer vision", "natural language processing", "reinforcement learning",
    "robotics", "speech", "ai safety", "optimization", "generative models", "graph learning",
)  # fmt: skip
PUBLISHERS = ("TechWire", "The Information Desk", "Lab Notes", "AI Weekly", "Caixin Tech")
PRECISIONS = (("day", 35), ("month", 35), ("year", 25), ("quarter", 5))
STATUSES = (("reported", 55), ("corroborated", 25), ("confirmed", 19), ("retracted", 1))
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@functools.cache
def _cumulative(pairs: tuple[tuple[str, float], ...]) -> tuple[list[str], list[float]]:
    return [p[0] for p in pairs], list(itertools.accumulate(p[1] for p in pairs))


def weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    names, cum = _cumulative(pairs)  # the same draw as rng.choices(names, weights), but faster
    return rng.choices(names, cum_weights=cum)[0]


@dataclass(slots=True)
class Zipf:
    """Sample indices 0..n-1 with probability proportional to 1 / (rank + 1) ** s."""

    n: int
    s: float = 1.05
    cum: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.cum = list(itertools.accumulate(1.0 / (k + 1) ** self.s for k in range(self.n)))

    def sample(self, rng: random.Random) -> int:
        return bisect.bisect_left(self.cum, rng.random() * self.cum[-1])


@dataclass(slots=True)
class Institution:
    id: int
    slug: str
    name: str
    kind: str
    country: str
    parent_id: int | None
    is_site: bool


@dataclass(slots=True)
class Dataset:
    institutions: list[Institution] = field(default_factory=list)
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)


def make_institutions(rng: random.Random, n: int) -> list[Institution]:
    out: list[Institution] = []
    slugs: set[str] = set()
    n_parents = max(3, n // 100)  # a few big organisations, each with sites and labs
    for i in range(n):
        iid = i + 1
        if i < n_parents:
            kind = "company" if i % 3 else "university"
            parent = None
        elif i < n_parents * 6:
            kind = rng.choice(("lab", "company", "lab"))
            parent = rng.randrange(n_parents) + 1
        else:
            kind = weighted(
                rng, (("university", 45), ("company", 30), ("lab", 15), ("nonprofit", 5),
                      ("government", 5))
            )  # fmt: skip
            parent = None
        country = weighted(rng, COUNTRIES)
        is_site = parent is not None and rng.random() < 0.5
        if parent is not None and not is_site:
            country = out[parent - 1].country if rng.random() < 0.7 else country
        words = " ".join(rng.sample(ORG_WORDS, 2))
        name = f"{words} {rng.choice(ORG_SUFFIX[kind])} {country} {iid}"
        slug = "-".join(name.lower().split())[:90]
        while slug in slugs:
            slug += "-x"
        slugs.add(slug)
        out.append(Institution(iid, slug, name, kind, country, parent, is_site))
    return out


def _date_for(rng: random.Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _years(rng: random.Random, k: int) -> list[int]:
    """k move years, ascending, skewed to recent years (more moves, more coverage lately)."""
    years = sorted(min(2025, int(2026 - rng.expovariate(1 / 6.0))) for _ in range(k))
    return [max(1995, y) for y in years]


def _kind(a: Institution | None, b: Institution | None) -> str:
    if a is None or b is None:
        return "unknown"
    academic = {"university", "government", "nonprofit"}
    sa = "academia" if a.kind in academic else "industry"
    sb = "academia" if b.kind in academic else "industry"
    return f"{sa}_to_{sb}"


BLOCK = 5_000  # researchers per generated block (their moves, stints, evidence, educations)
DOC_BLOCK = 50_000  # documents per generated block

Rows = dict[str, list[tuple[Any, ...]]]


@dataclass(slots=True)
class World:
    """What every block shares: the sizes, the institutions and their popularity."""

    seed: int
    n_res: int
    n_moves: int
    n_docs: int
    insts: list[Institution]
    ranking: list[int]
    zipf: Zipf
    by_country: dict[str, list[int]]
    country_zipf: dict[str, Zipf]
    universities: list[Institution]
    uni_by_country: dict[str, list[Institution]]

    def pick(self, rng: random.Random, near: Institution | None) -> Institution:
        if near is not None and rng.random() < 0.72:  # stay in the country most of the time
            pool = self.by_country[near.country]
            return self.insts[pool[self.country_zipf[near.country].sample(rng)]]
        return self.insts[self.ranking[self.zipf.sample(rng)]]

    def moves_before(self, rid: int) -> int:
        """How many moves the researchers before ``rid`` have (blocks get exact shares)."""
        return self.n_moves * (rid - 1) // self.n_res


def make_world(seed: int, scale: float) -> World:
    rng = random.Random(seed)
    n_inst = max(50, int(2000 * scale))
    n_res = max(200, int(200_000 * scale))
    n_moves = max(1000, int(1_000_000 * scale))
    insts = make_institutions(rng, n_inst)
    # Popularity: a shuffled Zipf ranking so big labs are spread over countries and ids.
    ranking = list(range(n_inst))
    rng.shuffle(ranking)
    by_country: dict[str, list[int]] = {}
    for rank in range(n_inst):
        by_country.setdefault(insts[ranking[rank]].country, []).append(ranking[rank])
    universities = [i for i in insts if i.kind == "university"]
    uni_by_country: dict[str, list[Institution]] = {}
    for uni in universities:
        uni_by_country.setdefault(uni.country, []).append(uni)
    return World(
        seed, n_res, n_moves, max(1, int(n_moves * 0.8)), insts, ranking, Zipf(n_inst),
        by_country, {c: Zipf(len(ix)) for c, ix in by_country.items()}, universities,
        uni_by_country,
    )  # fmt: skip


def institution_rows(w: World) -> Rows:
    return {
        "institution": [
            (i.id, i.slug, i.name, i.kind, i.country, CITY.get(i.country), i.parent_id,
             i.is_site, f"https://{i.slug}.example.org", True, i.name.lower())
            for i in w.insts
        ],
        "institution_external_id": [("openalex", f"I{10_000_000 + i.id}", i.id) for i in w.insts],
        "institution_alias": [(i.id, i.name, i.name.lower(), "en", "seed") for i in w.insts],
    }  # fmt: skip


def move_counts(rng: random.Random, n: int, total_moves: int, mean: float) -> list[int]:
    """How many moves each of ``n`` researchers has: heavy-tailed, summing to ``total_moves``."""
    counts = [1 + int(rng.paretovariate(2.2) * (mean - 1) * 0.55) for _ in range(n)]
    total = sum(counts)
    while total != total_moves:  # nudge to the exact total
        j = rng.randrange(n)
        if total > total_moves and counts[j] > 1:
            counts[j] -= 1
            total -= 1
        elif total < total_moves:
            counts[j] += 1
            total += 1
    return counts


@dataclass(slots=True)
class Ids:
    """The last id handed out per table; blocks are generated in order, so ids are dense."""

    move: int = 0
    affiliation: int = 0
    evidence: int = 0
    education: int = 0


def researcher_block(w: World, lo: int, hi: int, ids: Ids) -> Rows:
    """Researchers ``lo..hi-1`` with everything hanging off them, from a random stream of the
    block's own (seeded by the seed and the block's first id), so a block does not depend on
    how many came before it."""
    rng = random.Random(f"{w.seed}:researchers:{lo}")
    n = hi - lo
    block_moves = w.moves_before(hi) - w.moves_before(lo)
    counts = move_counts(rng, n, block_moves, w.n_moves / w.n_res)
    researchers: list[tuple[Any, ...]] = []
    r_alias: list[tuple[Any, ...]] = []
    r_ext: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...]] = []
    affs: list[tuple[Any, ...]] = []
    for rid in range(lo, hi):
        g, f = rng.choice(GIVEN), rng.choice(FAMILY)
        display = f"{g} {f}"
        native = HAN_FAMILY[f] + HAN_GIVEN[g] if f in HAN_FAMILY and g in HAN_GIVEN else None
        search = f"{g.lower()} {f.lower()} | {f.lower()} {g.lower()}"
        if native:
            search += f" | {native}"
        topics = rng.sample(TOPICS, rng.randint(1, 3))
        works = int(rng.paretovariate(1.3) * 5)
        researchers.append(
            (rid, display, native, "family_given" if native else "given_family", search, topics,
             works, works * rng.randint(2, 40), min(works, rng.randint(1, 80)))
        )  # fmt: skip
        r_alias.append((rid, display, display.lower(), "openalex"))
        if rng.random() < 0.5:
            r_alias.append((rid, f"{g[0]}. {f}", f"{g[0].lower()} {f.lower()}", "news"))
        if native:
            r_alias.append((rid, native, native, "news"))
        r_ext.append(("openalex", f"A{5_000_000_000 + rid}", rid))
        if rng.random() < 0.6:
            digits = f"{rid:012d}"
            r_ext.append(
                ("orcid", f"0000-{digits[0:4]}-{digits[4:8]}-{digits[8:11]}{rid % 10}", rid)
            )
        k = counts[rid - lo]
        years = _years(rng, k)
        here = w.pick(rng, None)
        start = date(max(1990, years[0] - rng.randint(1, 6)), 9, 1)
        for j, year in enumerate(years):
            there = w.pick(rng, here)
            while there.id == here.id:
                there = w.pick(rng, None)
            mdate = _date_for(rng, year)
            if mdate <= start:
                mdate = start + timedelta(days=30)
            precision = weighted(rng, PRECISIONS)
            if precision == "year":
                mdate = date(mdate.year, 1, 1)
            elif precision == "month":
                mdate = mdate.replace(day=1)
            elif precision == "quarter":
                mdate = date(mdate.year, (mdate.month - 1) // 3 * 3 + 1, 1)
            from_i: Institution | None = here
            to_i: Institution | None = there
            if j == 0 and rng.random() < 0.05:
                from_i = None  # origin unknown
            elif j == k - 1 and rng.random() < 0.03:
                to_i = None  # left, destination unknown
            ids.move += 1
            status = weighted(rng, STATUSES)
            created = NOW - timedelta(days=rng.randrange(900))
            moves.append(
                (ids.move, rid, from_i.id if from_i else None, to_i.id if to_i else None,
                 from_i.country if from_i else None, to_i.country if to_i else None,
                 mdate, precision, _kind(from_i, to_i), rng.random() < 0.04, status,
                 round(rng.uniform(0.4, 1.0), 3), year >= 2024, "reported", created, created)
            )  # fmt: skip
            ids.affiliation += 1
            affs.append(
                (ids.affiliation, rid, here.id, "researcher", min(start, mdate), "month", mdate,
                 precision if precision != "quarter" else "month",
                 list(range(start.year, mdate.year + 1)), "openalex", str(j))
            )  # fmt: skip
            start = mdate
            here = there
        ids.affiliation += 1
        affs.append(
            (ids.affiliation, rid, here.id, "researcher", start, "month", None, None,
             list(range(start.year, 2026)), "openalex", str(k))
        )  # fmt: skip

    # Evidence: a news story can back several moves (shared documents, see document_block).
    evidence: list[tuple[Any, ...]] = []
    for m in moves:
        mid = m[0]
        used: set[int] = set()
        for _ in range(1 if rng.random() < 0.6 else rng.randint(2, 3)):
            did = rng.randrange(w.n_docs) + 1 if mid > w.n_docs or used else mid
            if did in used:
                continue
            used.add(did)
            ids.evidence += 1
            quote = f"... joined the team as a research scientist, the company said (move {mid})"
            evidence.append(
                (ids.evidence, did, mid, None, quote, 120, 120 + len(quote), "news", "1.0",
                 round(rng.uniform(0.5, 1.0), 3), m[14])
            )  # fmt: skip
    return {
        "researcher": researchers,
        "researcher_alias": r_alias,
        "researcher_external_id": r_ext,
        "affiliation": affs,
        "move": moves,
        "evidence": evidence,
        "education": make_educations(w, lo, affs, ids),
    }


def document_block(w: World, lo: int, hi: int) -> Rows:
    """Documents ``lo..hi-1``, from a random stream of the block's own."""
    rng = random.Random(f"{w.seed}:documents:{lo}")
    documents: list[tuple[Any, ...]] = []
    for did in range(lo, hi):
        kind = "news_article" if rng.random() < 0.7 else "publication"
        pub = NOW - timedelta(days=rng.randrange(3650))
        documents.append(
            (did, kind, f"https://news.example.org/{did}", f"Researcher moves, story {did}",
             rng.choice(PUBLISHERS), pub, pub, None, "en", "bench")
        )  # fmt: skip
    return {"document": documents}


def generate_blocks(
    seed: int, scale: float, *, block: int = BLOCK, doc_block: int = DOC_BLOCK
) -> Iterator[Rows]:
    """The dataset as a stream of row blocks: the institutions, then researcher blocks, then
    document blocks. Memory is one block's rows, whatever the scale."""
    w = make_world(seed, scale)
    yield institution_rows(w)
    ids = Ids()
    for lo in range(1, w.n_res + 1, block):
        yield researcher_block(w, lo, min(lo + block, w.n_res + 1), ids)
    for lo in range(1, w.n_docs + 1, doc_block):
        yield document_block(w, lo, min(lo + doc_block, w.n_docs + 1))


def generate(seed: int, scale: float, *, block: int = BLOCK) -> Dataset:
    """The whole dataset in memory (small scales: tests, quick benchmarks)."""
    ds = Dataset(make_world(seed, scale).insts, {table: [] for table in COLUMNS})
    for rows in generate_blocks(seed, scale, block=block):
        for table, part in rows.items():
            ds.rows[table].extend(part)
    return ds


def make_educations(
    w: World, lo: int, affs: Sequence[tuple[Any, ...]], ids: Ids
) -> list[tuple[Any, ...]]:
    """Education rows (id, researcher, institution, degree, start, end) of one block: ~70% of
    researchers have a five-year doctorate at a university ending in the year their first stint
    starts (in that stint's country 60% of the time), and ~80% of those a four-year bachelor's
    before it (in the doctorate's country 70% of the time). A random stream of its own, so the
    rest of the dataset is the same as without educations."""
    rng = random.Random(f"{w.seed}:education:{lo}")
    first: dict[int, tuple[int, date]] = {}
    for aff in affs:  # (id, researcher, institution, role, start, ...)
        if aff[1] not in first or aff[4] < first[aff[1]][1]:
            first[aff[1]] = (aff[2], aff[4])
    insts = w.insts

    def university(country: str, same: float) -> Institution:
        local = w.uni_by_country.get(country)
        if local and rng.random() < same:
            return rng.choice(local)
        return rng.choice(w.universities)

    rows: list[tuple[Any, ...]] = []
    for rid in sorted(first):
        if not w.universities or rng.random() >= 0.7:
            continue
        inst, start = first[rid]
        phd = university(insts[inst - 1].country, 0.6)
        end = start.year
        ids.education += 1
        rows.append((ids.education, rid, phd.id, "doctorate", date(end - 5, 9, 1), "month",
                     date(end, 6, 1), "month", "bench", f"{rid}:phd"))  # fmt: skip
        if rng.random() < 0.8:
            ba = university(phd.country, 0.7)
            ids.education += 1
            rows.append((ids.education, rid, ba.id, "bachelor", date(end - 9, 9, 1), "month",
                         date(end - 5, 6, 1), "month", "bench", f"{rid}:ba"))  # fmt: skip
    return rows


COLUMNS: dict[str, tuple[str, ...]] = {
    "institution": ("id", "slug", "name", "kind", "country_code", "city", "parent_id",
                    "is_site", "website", "reviewed", "search_text"),
    "institution_external_id": ("scheme", "value", "institution_id"),
    "institution_alias": ("institution_id", "alias", "normalized", "lang", "source"),
    "researcher": ("id", "display_name", "native_name", "name_order", "search_text", "topics",
                   "works_count", "cited_by_count", "h_index"),
    "researcher_alias": ("researcher_id", "alias", "normalized", "source"),
    "researcher_external_id": ("scheme", "value", "researcher_id"),
    "document": ("id", "kind", "url", "title", "publisher", "published_at", "fetched_at",
                 "content_hash", "language", "source"),
    "affiliation": ("id", "researcher_id", "institution_id", "role", "start_date",
                    "start_precision", "end_date", "end_precision", "years", "source",
                    "source_key"),
    "move": ("id", "researcher_id", "from_institution_id", "to_institution_id", "from_country",
             "to_country", "move_date", "date_precision", "kind", "is_returnee", "status",
             "confidence", "provisional", "origin", "created_at", "updated_at"),
    "evidence": ("id", "document_id", "move_id", "affiliation_id", "quote", "span_start",
                 "span_end", "extractor", "extractor_version", "confidence", "created_at"),
    "education": ("id", "researcher_id", "institution_id", "degree", "start_date",
                  "start_precision", "end_date", "end_precision", "source", "source_key"),
}  # fmt: skip
IDENTITY_TABLES = (
    "institution", "researcher", "document", "affiliation", "move", "evidence", "education",
)  # fmt: skip
RESET_TABLES = (
    "education, evidence, move, affiliation, document, researcher_alias, researcher_external_id, "
    "candidate_match, researcher, job_posting, institution_alias, institution_external_id, "
    "institution"
)


def _chunks(rows: list[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


@dataclass(slots=True)
class Deferred:
    """The data tables' secondary indexes, unique constraints and foreign keys, dropped for the
    load and rebuilt after it from their own definitions (``pg_get_indexdef`` and
    ``pg_get_constraintdef``), so the schema ends exactly as the migrations made it. Primary keys
    stay: ids arrive in order, so they cost little, and other tables' foreign keys need them."""

    drops: list[str] = field(default_factory=list)
    rebuilds: list[str] = field(default_factory=list)


async def defer_indexes(conn: asyncpg.Connection, tables: Sequence[str]) -> Deferred:
    foreign = await conn.fetch(
        "SELECT conrelid::regclass::text AS tab, format('%I', conname) AS name, "
        "pg_get_constraintdef(oid) AS def FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY($1::regclass[]) ORDER BY 1, 2",
        tables,
    )
    # A unique constraint another table's foreign key points at stays (it could not be dropped).
    unique = await conn.fetch(
        "SELECT c.conrelid::regclass::text AS tab, format('%I', c.conname) AS name, "
        "pg_get_constraintdef(c.oid) AS def FROM pg_constraint c "
        "WHERE c.contype IN ('u', 'x') AND c.conrelid = ANY($1::regclass[]) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid) "
        "ORDER BY 1, 2",
        tables,
    )
    indexes = await conn.fetch(
        "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def "
        "FROM pg_index i WHERE i.indrelid = ANY($1::regclass[]) AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')) ORDER BY 1",
        tables,
    )
    out = Deferred()
    for con in [*foreign, *unique]:
        out.drops.append(f"ALTER TABLE {con['tab']} DROP CONSTRAINT {con['name']}")
    out.drops += [f"DROP INDEX {ix['name']}" for ix in indexes]
    out.rebuilds += [ix["def"] for ix in indexes]
    for con in [*unique, *foreign]:
        out.rebuilds.append(f"ALTER TABLE {con['tab']} ADD CONSTRAINT {con['name']} {con['def']}")
    return out


def _prefetch(blocks: Iterable[Rows], depth: int = 2) -> AsyncIterator[Rows]:
    """Generate the next blocks in a thread while the current one is COPYed, so Python builds
    rows while PostgreSQL stores them (the two processes use both cores)."""
    box: queue.Queue[Rows | BaseException | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for rows in blocks:
                while not stop.is_set():
                    try:
                        box.put(rows, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            box.put(exc)

    async def consume() -> AsyncIterator[Rows]:
        thread = threading.Thread(target=produce, name="generate", daemon=True)
        thread.start()
        try:
            while (item := await asyncio.to_thread(box.get)) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()

    return consume()


async def load_blocks(
    url: str, blocks: Iterable[Rows], *, reset: bool, defer: bool = True
) -> dict[str, int]:
    """COPY a stream of row blocks in one transaction. With ``defer``, the data tables'
    secondary indexes, unique constraints and foreign keys are dropped first and rebuilt after
    the last block (in the same transaction: a failed load leaves the schema untouched)."""
    conn = await asyncpg.connect(url)
    try:
        counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        seconds: dict[str, float] = dict.fromkeys(COLUMNS, 0.0)
        async with conn.transaction():
            if reset:
                await conn.execute(f"TRUNCATE {RESET_TABLES} RESTART IDENTITY CASCADE")
            if await conn.fetchval("SELECT count(*) FROM researcher"):
                raise SystemExit("the database already holds researchers; pass --reset to empty it")
            # Each row is COPYed once; the move notification trigger would flood NOTIFY.
            await conn.execute("ALTER TABLE move DISABLE TRIGGER move_notify")
            deferred = await defer_indexes(conn, list(COLUMNS)) if defer else Deferred()
            for statement in deferred.drops:
                await conn.execute(statement)
            t_load = time.perf_counter()
            async for rows in _prefetch(blocks):
                for table, part in rows.items():
                    t0 = time.perf_counter()
                    for chunk in _chunks(part, 200_000):
                        await conn.copy_records_to_table(
                            table, records=chunk, columns=list(COLUMNS[table])
                        )
                    counts[table] += len(part)
                    seconds[table] += time.perf_counter() - t0
                if counts["move"] and counts["move"] % 1_000_000 < len(rows.get("move", ())):
                    logger.info(
                        "%d moves so far, %.0fs", counts["move"], time.perf_counter() - t_load
                    )
            for table in COLUMNS:
                logger.info("%s: %d rows, %.1fs copying", table, counts[table], seconds[table])
            await conn.execute("ALTER TABLE move ENABLE TRIGGER move_notify")
            await conn.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for statement in deferred.rebuilds:
                t0 = time.perf_counter()
                await conn.execute(statement)
                logger.info("%.1fs: %s", time.perf_counter() - t0, statement)
            for table in IDENTITY_TABLES:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        # COPY fires the move table's statement triggers: each chunk left its flow-rollup deltas
        # (migration 0014); fold them into one row per cell before the statistics are taken.
        if await conn.fetchval("SELECT to_regproc('tf_compact_move_rollups') IS NOT NULL"):
            await conn.fetchval("SELECT tf_compact_move_rollups()")
        await conn.execute("ANALYZE")
        return counts
    finally:
        await conn.close()


async def load(url: str, ds: Dataset, *, reset: bool, defer: bool = True) -> dict[str, int]:
    """COPY a dataset generated in memory (``generate``)."""
    return await load_blocks(url, [ds.rows], reset=reset, defer=defer)


def peak_memory_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB (0 where /proc is missing)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", help="load into this database")
    parser.add_argument("--dry-run", action="store_true", help="generate only, load nothing")
    parser.add_argument("--reset", action="store_true", help="empty the data tables first")
    parser.add_argument("--no-migrate", action="store_true")
    parser.add_argument(
        "--keep-indexes", action="store_true", help="COPY into the indexed tables (slower)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    t0 = time.perf_counter()
    if args.dry_run:
        counts: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        for rows in generate_blocks(args.seed, args.scale):
            for table, part in rows.items():
                counts[table] += len(part)
        logger.info("generated in %.1fs: %s", time.perf_counter() - t0, counts)
    else:
        if not args.database_url:
            parser.error("--database-url is required unless --dry-run")
        if not args.no_migrate:
            from service.db.migrations import upgrade

            upgrade(args.database_url)
        t0 = time.perf_counter()
        counts = asyncio.run(
            load_blocks(
                args.database_url, generate_blocks(args.seed, args.scale), reset=args.reset,
                defer=not args.keep_indexes,
            )
        )  # fmt: skip
        logger.info("generated and loaded in %.1fs: %s", time.perf_counter() - t0, counts)
    logger.info("peak memory (VmHWM): %.0f MB", peak_memory_mb())


if __name__ == "__main__":
    main()
