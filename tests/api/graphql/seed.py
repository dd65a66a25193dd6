"""A small, hand-checked dataset for the GraphQL tests (and the docs walkthrough test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import asyncpg

from service.db.stores.institutions import institution_search_text
from service.domain.names import researcher_search_text

INSTITUTIONS = [
    # slug, name, kind, country, parent slug, native name, ror
    ("alphabet", "Alphabet", "company", "US", None, None, None),
    ("google-deepmind", "Google DeepMind", "lab", "GB", "alphabet", None, None),
    ("google-research", "Google Research", "lab", "US", "alphabet", None, None),
    ("openai", "OpenAI", "company", "US", None, None, "05wx9n238"),
    ("tencent", "Tencent", "company", "CN", None, "腾讯", None),
    (
        "tsinghua-university",
        "Tsinghua University",
        "university",
        "CN",
        None,
        "清华大学",
        "03cve4549",
    ),
    ("stanford-university", "Stanford University", "university", "US", None, None, "00f54p054"),
]

RESEARCHERS = [
    # key, display name, native name, topics, orcid, openalex
    ("yao", "Shunyu Yao", "姚顺雨", ["llm", "agents"], "0000-0002-1825-0097", "A5023888391"),
    ("garcia", "José García", None, ["reinforcement learning"], None, None),
    ("li", "Li Wei", "李伟", ["computer vision"], None, None),
    ("smith", "Alice Smith", None, ["llm", "alignment"], "0000-0001-5109-3700", None),
    ("jones", "Bob Jones", None, ["robotics"], None, None),
    ("yao2", "S. Yao", None, ["llm"], None, None),
]

MOVES = [
    # key, researcher, from, to, date, precision, kind, status, confidence, provisional, origin
    (
        "yao1",
        "yao",
        "tsinghua-university",
        "openai",
        date(2019, 9, 1),
        "month",
        "academia_to_industry",
        "confirmed",
        0.95,
        False,
        "reported",
    ),
    (
        "yao2",
        "yao",
        "openai",
        "tencent",
        date(2025, 9, 1),
        "month",
        "industry_to_industry",
        "corroborated",
        0.9,
        False,
        "reported",
    ),
    (
        "garcia",
        "garcia",
        "stanford-university",
        "google-deepmind",
        date(2023, 3, 15),
        "day",
        "academia_to_industry",
        "reported",
        0.7,
        False,
        "reported",
    ),
    (
        "li",
        "li",
        "tsinghua-university",
        "tencent",
        date(2024, 1, 1),
        "year",
        "academia_to_industry",
        "reported",
        0.6,
        False,
        "inferred",
    ),
    (
        "smith",
        "smith",
        "openai",
        "google-research",
        date(2024, 6, 1),
        "month",
        "industry_to_industry",
        "reported",
        0.8,
        False,
        "reported",
    ),
    (
        "smith_old",
        "smith",
        "google-research",
        "openai",
        date(2022, 2, 1),
        "month",
        "industry_to_industry",
        "retracted",
        0.3,
        False,
        "reported",
    ),
    (
        "jones",
        "jones",
        "google-deepmind",
        "openai",
        date(2025, 1, 1),
        "year",
        "industry_to_industry",
        "reported",
        0.5,
        True,
        "inferred",
    ),
    (
        "yao2x",
        "yao2",
        "google-research",
        "openai",
        None,
        None,
        "unknown",
        "reported",
        0.4,
        False,
        "reported",
    ),
]

AFFILIATIONS = [
    # researcher, institution, start, end
    ("yao", "tsinghua-university", date(2015, 9, 1), date(2019, 8, 31)),
    ("yao", "openai", date(2019, 9, 1), date(2025, 8, 31)),
    ("yao", "tencent", date(2025, 9, 1), None),
    ("garcia", "google-deepmind", date(2023, 3, 15), None),
    ("li", "tencent", date(2024, 1, 1), None),
    ("smith", "google-research", date(2024, 6, 1), None),
    ("jones", "openai", date(2025, 1, 1), None),
]


@dataclass
class Seeded:
    institutions: dict[str, int] = field(default_factory=dict)
    researchers: dict[str, int] = field(default_factory=dict)
    moves: dict[str, int] = field(default_factory=dict)
    match_id: int = 0


async def seed(conn: asyncpg.Connection) -> Seeded:
    out = Seeded()
    for slug, name, kind, country, parent, native, ror in INSTITUTIONS:
        pk = await conn.fetchval(
            "INSERT INTO institution (slug, name, native_name, kind, country_code, parent_id, "
            "search_text) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            slug,
            name,
            native,
            kind,
            country,
            out.institutions.get(parent) if parent else None,
            institution_search_text([name, native or ""]),
        )
        out.institutions[slug] = pk
        await conn.execute(
            "INSERT INTO institution_alias (institution_id, alias, normalized) VALUES ($1, $2, $3)",
            pk,
            name,
            name.lower(),
        )
        if ror:
            await conn.execute(
                "INSERT INTO institution_external_id (scheme, value, institution_id) "
                "VALUES ('ror', $1, $2)",
                ror,
                pk,
            )
    for key, name, native, topics, orcid, openalex in RESEARCHERS:
        names = [name, native] if native else [name]
        pk = await conn.fetchval(
            "INSERT INTO researcher (display_name, native_name, topics, search_text, "
            "cited_by_count) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            name,
            native,
            topics,
            researcher_search_text(names),
            len(name) * 100,
        )
        out.researchers[key] = pk
        for alias in names:
            await conn.execute(
                "INSERT INTO researcher_alias (researcher_id, alias, normalized) "
                "VALUES ($1, $2, $3)",
                pk,
                alias,
                alias.lower(),
            )
        for scheme, value in (("orcid", orcid), ("openalex", openalex)):
            if value:
                await conn.execute(
                    "INSERT INTO researcher_external_id (scheme, value, researcher_id) "
                    "VALUES ($1, $2, $3)",
                    scheme,
                    value,
                    pk,
                )
    countries = {slug: c for slug, _, _, c, *_ in INSTITUTIONS}
    for n, (key, who, src, dst, when, prec, kind, status, conf, prov, origin) in enumerate(MOVES):
        pk = await conn.fetchval(
            "INSERT INTO move (researcher_id, from_institution_id, to_institution_id, "
            "from_country, to_country, move_date, date_precision, kind, status, confidence, "
            "provisional, origin) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id",
            out.researchers[who],
            out.institutions[src],
            out.institutions[dst],
            countries[src],
            countries[dst],
            when,
            prec,
            kind,
            status,
            conf,
            prov,
            origin,
        )
        out.moves[key] = pk
        doc = await conn.fetchval(
            "INSERT INTO document (kind, url, title, source) VALUES ('news_article', $1, $2, "
            "'news') RETURNING id",
            f"https://news.example.org/{n}",
            f"Story {n}",
        )
        await conn.execute(
            "INSERT INTO evidence (document_id, move_id, quote, span_start, span_end, extractor, "
            "confidence) VALUES ($1, $2, $3, 10, 40, 'news', 0.9)",
            doc,
            pk,
            f"{who} joins {dst}",
        )
    for who, inst, start, end in AFFILIATIONS:
        await conn.execute(
            "INSERT INTO affiliation (researcher_id, institution_id, start_date, start_precision, "
            "end_date, end_precision, source) VALUES ($1, $2, $3, 'month', $4, $5, 'test')",
            out.researchers[who],
            out.institutions[inst],
            start,
            end,
            "month" if end else None,
        )
    for n in range(3):
        await conn.execute(
            "INSERT INTO job_posting (institution_id, source, external_id, title, is_research, "
            "posted_at, closed_at) VALUES ($1, 'greenhouse', $2, $3, $4, "
            "now() - make_interval(days => $5), $6)",
            out.institutions["openai"],
            f"job-{n}",
            f"Research Scientist {n}",
            n != 2,
            n,
            None,
        )
    a, b = sorted((out.researchers["yao"], out.researchers["yao2"]))
    out.match_id = await conn.fetchval(
        "INSERT INTO candidate_match (researcher_id, candidate_id, score, reasons) "
        "VALUES ($1, $2, 0.82, $3) RETURNING id",
        a,
        b,
        [{"rule": "name", "score": 0.8}],
    )
    return out


def gid(type_name: str, pk: int) -> str:
    import base64

    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def data_of(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body.get("errors")
    data: dict[str, Any] = body["data"]
    return data


async def seed_database(url: str) -> Seeded:
    """:func:`seed` on its own connection: for tests that drive the app synchronously."""
    from service.db.pool import init_connection

    conn = await asyncpg.connect(url)
    await init_connection(conn)
    try:
        return await seed(conn)
    finally:
        await conn.close()
