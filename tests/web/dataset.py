"""A small known dataset for the explorer's browser tests, written with plain SQL.

Country-level flows over all time (retracted moves aside):

    US -> CN  2   (Alice Zhang 0.9, Frank Osei 0.6)
    US -> US  2   (Bob Li, Dana Ross)            domestic
    CN -> GB  1   (Chen Wei)
    GB -> US  1   (Eva Muller)

So the Sankey has 4 links; cross-border only leaves 3; a minimum confidence of 0.65 drops
Frank Osei's move, leaving US -> CN with 1. A retracted move (US -> FR) is never counted.

Stints and degrees for the rates and pipeline views (``STINTS``, ``DEGREES``): Alice at OpenAI
2019 to March 2024 then Tencent (open), Bob at OpenAI from 2024, Dana and Eva in the US from
2025, Chen at Google DeepMind (GB) from 2023. Populations: US 1 a year 2019-2023, 2 in 2024, 3
from 2025; CN 1 from 2024; GB 1 from 2023. Net migration rates: 2023 GB +1/1, CN -1 over no
population (no rate); 2024 US -1/2, CN +1/1; 2025 US 0/3 (Eva in, Frank out), CN +1/1, GB -1/1.
The pipeline of everyone working in 2025 (five people): Alice CN -> US -> CN, Bob CN -> US ->
US, Chen CN -> CN -> GB, Dana unknown -> US -> US, Eva unknown -> unknown -> US.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import asyncpg

INSTITUTIONS = [
    # slug, name, kind, country, parent slug
    ("alphabet", "Alphabet", "company", "US", None),
    ("google-deepmind", "Google DeepMind", "lab", "GB", "alphabet"),
    ("openai", "OpenAI", "company", "US", None),
    ("anthropic", "Anthropic", "company", "US", None),
    ("tencent", "Tencent", "company", "CN", None),
    ("tsinghua", "Tsinghua University", "university", "CN", None),
    ("stanford", "Stanford University", "university", "US", None),
    ("mistral", "Mistral AI", "company", "FR", None),
]

# researcher, institution, start, end (None: open); Alice's two stints are written with hers
STINTS = [
    ("Bob Li", "openai", date(2024, 6, 1), None),
    ("Dana Ross", "openai", date(2025, 1, 20), None),
    ("Eva Muller", "anthropic", date(2025, 2, 10), None),
    ("Chen Wei", "google-deepmind", date(2023, 9, 1), None),
]
# researcher, degree, institution, start year, end year
DEGREES = [
    ("Alice Zhang", "bachelor", "tsinghua", 2010, 2014),
    ("Alice Zhang", "doctorate", "stanford", 2014, 2019),
    ("Bob Li", "bachelor", "tsinghua", 2012, 2016),
    ("Bob Li", "doctorate", "stanford", 2016, 2021),
    ("Chen Wei", "bachelor", "tsinghua", 2000, 2004),
    ("Chen Wei", "doctorate", "tsinghua", 2004, 2009),
    ("Dana Ross", "doctorate", "stanford", 2015, 2020),
]

ALICE_QUOTE = (
    "Alice Zhang, who led post-training research at OpenAI, has joined Tencent as chief scientist."
)


@dataclass(frozen=True)
class MoveSpec:
    name: str
    src: str
    dst: str
    when: date
    kind: str
    confidence: float
    quote: str
    status: str = "reported"


MOVES = [
    MoveSpec(
        "Alice Zhang",
        "openai",
        "tencent",
        date(2024, 3, 15),
        "industry_to_industry",
        0.9,
        ALICE_QUOTE,
    ),
    MoveSpec(
        "Frank Osei",
        "openai",
        "tencent",
        date(2025, 5, 2),
        "industry_to_industry",
        0.6,
        "Frank Osei is leaving OpenAI for Tencent's Hunyuan team.",
    ),
    MoveSpec(
        "Bob Li",
        "stanford",
        "openai",
        date(2024, 6, 1),
        "academia_to_industry",
        0.8,
        "Stanford's Bob Li joins OpenAI.",
    ),
    MoveSpec(
        "Dana Ross",
        "anthropic",
        "openai",
        date(2025, 1, 20),
        "industry_to_industry",
        0.85,
        "Dana Ross moved from Anthropic to OpenAI in January.",
    ),
    MoveSpec(
        "Chen Wei",
        "tsinghua",
        "google-deepmind",
        date(2023, 9, 1),
        "academia_to_industry",
        0.7,
        "Tsinghua professor Chen Wei has joined Google DeepMind in London.",
    ),
    MoveSpec(
        "Eva Muller",
        "google-deepmind",
        "anthropic",
        date(2025, 2, 10),
        "industry_to_industry",
        0.95,
        "Eva Muller left Google DeepMind to join Anthropic.",
    ),
    MoveSpec(
        "Gil Retracted",
        "openai",
        "mistral",
        date(2025, 3, 1),
        "industry_to_industry",
        0.5,
        "A report later withdrawn.",
        status="retracted",
    ),
]


async def insert_move(
    conn: asyncpg.Connection,
    ids: dict[str, int],
    countries: dict[str, str],
    spec: MoveSpec,
    researcher_id: int | None = None,
) -> tuple[int, int]:
    """One researcher (unless given), one move, one news document and its evidence; returns
    (researcher id, move id). Runs in one transaction, so the move is complete when the
    database announces it."""
    async with conn.transaction():
        if researcher_id is None:
            researcher_id = await conn.fetchval(
                "INSERT INTO researcher (display_name, search_text, topics) VALUES ($1, $2, $3) RETURNING id",
                spec.name,
                spec.name.lower(),
                ["large language models"],
            )
        move_id = await conn.fetchval(
            """
            INSERT INTO move (researcher_id, from_institution_id, to_institution_id, from_country,
                              to_country, move_date, date_precision, kind, status, confidence)
            VALUES ($1, $2, $3, $4, $5, $6, 'day', $7, $8, $9) RETURNING id
            """,
            researcher_id,
            ids[spec.src],
            ids[spec.dst],
            countries[spec.src],
            countries[spec.dst],
            spec.when,
            spec.kind,
            spec.status,
            spec.confidence,
        )
        slug = spec.name.lower().replace(" ", "-")
        doc_id = await conn.fetchval(
            """
            INSERT INTO document (kind, url, title, publisher, published_at, source)
            VALUES ('news_article', $1, $2, 'Example Tech News', $3, 'test') RETURNING id
            """,
            f"https://news.example.org/{slug}-{move_id}",
            f"{spec.name} changes labs",
            datetime(spec.when.year, spec.when.month, spec.when.day, tzinfo=UTC),
        )
        await conn.execute(
            """
            INSERT INTO evidence (document_id, move_id, quote, extractor, extractor_version, confidence)
            VALUES ($1, $2, $3, 'news', '1', $4)
            """,
            doc_id,
            move_id,
            spec.quote,
            spec.confidence,
        )
    return researcher_id, move_id


async def seed(url: str) -> dict[str, int]:
    """Write the dataset; returns researcher ids by name."""
    conn = await asyncpg.connect(url)
    try:
        ids: dict[str, int] = {}
        countries: dict[str, str] = {}
        for slug, name, kind, country, parent in INSTITUTIONS:
            ids[slug] = await conn.fetchval(
                """
                INSERT INTO institution (slug, name, kind, country_code, parent_id, search_text)
                VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
                """,
                slug,
                name,
                kind,
                country,
                ids[parent] if parent else None,
                name.lower(),
            )
            countries[slug] = country
        people: dict[str, int] = {}
        for spec in MOVES:
            people[spec.name], _ = await insert_move(conn, ids, countries, spec)
        alice = people["Alice Zhang"]
        await conn.execute(
            """
            INSERT INTO affiliation (researcher_id, institution_id, role, start_date, start_precision,
                                     end_date, end_precision, source)
            VALUES ($1, $2, 'Research scientist', '2019-01-01', 'year', '2024-03-01', 'month', 'test'),
                   ($1, $3, 'Chief scientist', '2024-03-15', 'day', NULL, NULL, 'test')
            """,
            alice,
            ids["openai"],
            ids["tencent"],
        )
        for name, slug, start, end in STINTS:
            await conn.execute(
                """
                INSERT INTO affiliation (researcher_id, institution_id, start_date, start_precision,
                                         end_date, end_precision, source)
                VALUES ($1, $2, $3, 'day', $4, $5, 'test')
                """,
                people[name],
                ids[slug],
                start,
                end,
                "day" if end else None,
            )
        for name, degree, slug, first, last in DEGREES:
            await conn.execute(
                """
                INSERT INTO education (researcher_id, institution_id, degree, start_date,
                                       start_precision, end_date, end_precision, source)
                VALUES ($1, $2, $3, $4, 'year', $5, 'year', 'test')
                """,
                people[name],
                ids[slug],
                degree,
                date(first, 1, 1),
                date(last, 1, 1),
            )
        twin = await conn.fetchval(
            "INSERT INTO researcher (display_name, search_text) VALUES ('A. Zhang', 'a zhang') RETURNING id"
        )
        await conn.execute(
            """
            INSERT INTO candidate_match (researcher_id, candidate_id, score, reasons)
            VALUES ($1, $2, 0.82, '["same initials", "shared affiliation: OpenAI"]')
            """,
            alice,
            twin,
        )
        await conn.execute(
            """
            INSERT INTO job_posting (institution_id, source, external_id, title, team, location,
                                     country_code, posted_at, is_research, url)
            VALUES ($1, 'test', 'p1', 'Research Scientist, Reasoning', 'Hunyuan', 'Shenzhen', 'CN',
                    '2025-04-01', true, 'https://jobs.example.org/p1')
            """,
            ids["tencent"],
        )
        people["_institutions"] = len(ids)
        return people
    finally:
        await conn.close()


async def institution_ids(conn: asyncpg.Connection) -> tuple[dict[str, int], dict[str, str]]:
    rows = await conn.fetch("SELECT id, slug, country_code FROM institution")
    return {r["slug"]: r["id"] for r in rows}, {r["slug"]: r["country_code"] for r in rows}
