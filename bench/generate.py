"""Generate a realistic synthetic Talentflow dataset and load it with COPY.

At scale 1.0: 2,000 institutions (a few big organisations with sites and labs, many small
ones), 200,000 researchers with aliases and external ids, 1,000,000 moves, each with one to
three evidence rows pointing at ~800,000 documents, and the affiliation stints the moves
imply, and education stints (a doctorate for ~70% of researchers, ending when their first
stint starts, most with a bachelor's before it; see ``make_educations``). The shape follows
real data: institution popularity is Zipf-like, moves grow towards
recent years, about 30% of moves cross a border, a few researchers move many times.

Deterministic for a given ``--seed`` and ``--scale``. The target database is migrated first
(``service.db.migrations.upgrade``) and must hold no researchers (use ``--reset`` to empty it).

    python bench/generate.py --seed 42 --database-url postgresql://.../tf_bench --scale 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import logging
import random
import time
from collections.abc import Iterator, Sequence
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


def weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return rng.choices([p[0] for p in pairs], [p[1] for p in pairs])[0]


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


def generate(seed: int, scale: float) -> Dataset:
    rng = random.Random(seed)
    n_inst = max(50, int(2000 * scale))
    n_res = max(200, int(200_000 * scale))
    n_moves = max(1000, int(1_000_000 * scale))
    ds = Dataset()
    insts = make_institutions(rng, n_inst)
    ds.institutions = insts
    # Popularity: a shuffled Zipf ranking so big labs are spread over countries and ids.
    ranking = list(range(n_inst))
    rng.shuffle(ranking)
    zipf = Zipf(n_inst)
    by_country: dict[str, list[int]] = {}
    for rank in range(n_inst):
        by_country.setdefault(insts[ranking[rank]].country, []).append(ranking[rank])
    country_zipf = {c: Zipf(len(ix)) for c, ix in by_country.items()}

    def pick(near: Institution | None) -> Institution:
        if near is not None and rng.random() < 0.72:  # stay in the country most of the time
            pool = by_country[near.country]
            return insts[pool[country_zipf[near.country].sample(rng)]]
        return insts[ranking[zipf.sample(rng)]]

    inst_rows = [
        (i.id, i.slug, i.name, i.kind, i.country, CITY.get(i.country), i.parent_id, i.is_site,
         f"https://{i.slug}.example.org", True, i.name.lower())
        for i in insts
    ]  # fmt: skip
    inst_ext = [("openalex", f"I{10_000_000 + i.id}", i.id) for i in insts]
    inst_alias = [(i.id, i.name, i.name.lower(), "en", "seed") for i in insts]

    # How many moves each researcher has: heavy-tailed, mean n_moves / n_res.
    mean = n_moves / n_res
    counts = [1 + int(rng.paretovariate(2.2) * (mean - 1) * 0.55) for _ in range(n_res)]
    total = sum(counts)
    while total != n_moves:  # nudge to the exact total
        j = rng.randrange(n_res)
        if total > n_moves and counts[j] > 1:
            counts[j] -= 1
            total -= 1
        elif total < n_moves:
            counts[j] += 1
            total += 1

    researchers: list[tuple[Any, ...]] = []
    r_alias: list[tuple[Any, ...]] = []
    r_ext: list[tuple[Any, ...]] = []
    moves: list[tuple[Any, ...]] = []
    affs: list[tuple[Any, ...]] = []
    move_id = 0
    aff_id = 0
    for rid in range(1, n_res + 1):
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
        k = counts[rid - 1]
        years = _years(rng, k)
        here = pick(None)
        start = date(max(1990, years[0] - rng.randint(1, 6)), 9, 1)
        for j, year in enumerate(years):
            there = pick(here)
            while there.id == here.id:
                there = pick(None)
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
            move_id += 1
            status = weighted(rng, STATUSES)
            created = NOW - timedelta(days=rng.randrange(900))
            moves.append(
                (move_id, rid, from_i.id if from_i else None, to_i.id if to_i else None,
                 from_i.country if from_i else None, to_i.country if to_i else None,
                 mdate, precision, _kind(from_i, to_i), rng.random() < 0.04, status,
                 round(rng.uniform(0.4, 1.0), 3), year >= 2024, "reported", created, created)
            )  # fmt: skip
            aff_id += 1
            affs.append(
                (aff_id, rid, here.id, "researcher", min(start, mdate), "month", mdate, precision
                 if precision != "quarter" else "month", list(range(start.year, mdate.year + 1)),
                 "openalex", str(j))
            )  # fmt: skip
            start = mdate
            here = there
        aff_id += 1
        affs.append(
            (aff_id, rid, here.id, "researcher", start, "month", None, None,
             list(range(start.year, 2026)), "openalex", str(k))
        )  # fmt: skip

    # Documents and evidence: a news story can back several moves (shared documents).
    documents: list[tuple[Any, ...]] = []
    evidence: list[tuple[Any, ...]] = []
    n_docs = max(1, int(n_moves * 0.8))
    for did in range(1, n_docs + 1):
        kind = "news_article" if rng.random() < 0.7 else "publication"
        pub = NOW - timedelta(days=rng.randrange(3650))
        documents.append(
            (did, kind, f"https://news.example.org/{did}", f"Researcher moves, story {did}",
             rng.choice(PUBLISHERS), pub, pub, None, "en", "bench")
        )  # fmt: skip
    ev_id = 0
    for m in moves:
        mid = m[0]
        used: set[int] = set()
        for _ in range(1 if rng.random() < 0.6 else rng.randint(2, 3)):
            did = rng.randrange(n_docs) + 1 if mid > n_docs or used else mid
            if did in used:
                continue
            used.add(did)
            ev_id += 1
            quote = f"... joined the team as a research scientist, the company said (move {mid})"
            evidence.append(
                (ev_id, did, mid, None, quote, 120, 120 + len(quote), "news", "1.0",
                 round(rng.uniform(0.5, 1.0), 3), m[14])
            )  # fmt: skip

    ds.rows = {
        "education": make_educations(seed, insts, affs),
        "institution": inst_rows,
        "institution_external_id": inst_ext,
        "institution_alias": inst_alias,
        "researcher": researchers,
        "researcher_alias": r_alias,
        "researcher_external_id": r_ext,
        "document": documents,
        "affiliation": affs,
        "move": moves,
        "evidence": evidence,
    }
    return ds


def make_educations(
    seed: int, insts: Sequence[Institution], affs: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Education rows (id, researcher, institution, degree, start, end): ~70% of researchers
    have a five-year doctorate at a university ending in the year their first stint starts (in
    that stint's country 60% of the time), and ~80% of those a four-year bachelor's before it
    (in the doctorate's country 70% of the time). A random stream of its own, so the rest of
    the dataset is the same as without educations."""
    rng = random.Random(f"{seed}:education")
    universities = [i for i in insts if i.kind == "university"]
    by_country: dict[str, list[Institution]] = {}
    for uni in universities:
        by_country.setdefault(uni.country, []).append(uni)
    first: dict[int, tuple[int, date]] = {}
    for aff in affs:  # (id, researcher, institution, role, start, ...)
        if aff[1] not in first or aff[4] < first[aff[1]][1]:
            first[aff[1]] = (aff[2], aff[4])
    country_of = {i.id: i.country for i in insts}

    def university(country: str, same: float) -> Institution:
        local = by_country.get(country)
        if local and rng.random() < same:
            return rng.choice(local)
        return rng.choice(universities)

    rows: list[tuple[Any, ...]] = []
    for rid in sorted(first):
        if not universities or rng.random() >= 0.7:
            continue
        inst, start = first[rid]
        phd = university(country_of[inst], 0.6)
        end = start.year
        rows.append((len(rows) + 1, rid, phd.id, "doctorate", date(end - 5, 9, 1), "month",
                     date(end, 6, 1), "month", "bench", f"{rid}:phd"))  # fmt: skip
        if rng.random() < 0.8:
            ba = university(phd.country, 0.7)
            rows.append((len(rows) + 1, rid, ba.id, "bachelor", date(end - 9, 9, 1), "month",
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


async def load(url: str, ds: Dataset, *, reset: bool) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        if reset:
            await conn.execute(f"TRUNCATE {RESET_TABLES} RESTART IDENTITY CASCADE")
        if await conn.fetchval("SELECT count(*) FROM researcher"):
            raise SystemExit("the database already holds researchers; pass --reset to empty it")
        counts: dict[str, int] = {}
        async with conn.transaction():
            # Each row is COPYed once; the move notification trigger would flood NOTIFY.
            await conn.execute("ALTER TABLE move DISABLE TRIGGER move_notify")
            for table, cols in COLUMNS.items():
                rows = ds.rows[table]
                t0 = time.perf_counter()
                for chunk in _chunks(rows, 200_000):
                    await conn.copy_records_to_table(table, records=chunk, columns=list(cols))
                counts[table] = len(rows)
                logger.info("%s: %d rows in %.1fs", table, len(rows), time.perf_counter() - t0)
            await conn.execute("ALTER TABLE move ENABLE TRIGGER move_notify")
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


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--reset", action="store_true", help="empty the data tables first")
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.no_migrate:
        from service.db.migrations import upgrade

        upgrade(args.database_url)
    t0 = time.perf_counter()
    ds = generate(args.seed, args.scale)
    t1 = time.perf_counter()
    logger.info("generated in %.1fs", t1 - t0)
    counts = asyncio.run(load(args.database_url, ds, reset=args.reset))
    logger.info("loaded in %.1fs: %s", time.perf_counter() - t1, counts)


if __name__ == "__main__":
    main()
