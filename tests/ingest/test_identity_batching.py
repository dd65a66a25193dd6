"""The same observations give the same researchers however they are batched and ordered:
a generated mix (ids or none, common and rare names, several scripts, overlapping and
consecutive stints) ingested through the ``jsonl`` ingester whole, shuffled, in small batches
and split over two runs, compared as the partition of its documents into researchers."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from service.config import load_settings
from service.db.pool import create_pool
from service.db.stores.institutions import seed_institutions
from service.db.urls import with_database
from service.ingest.pipeline import run_ingester
from tests.conftest import clone_database, drop_database
from tests.ingest.helpers import write_jsonl

NAMES = [
    ("Wei Li", "Li Wei", "李伟"),
    ("Min-jun Kim", "Kim Minjun"),
    ("Shunyu Yao", "Yao Shunyu", "姚顺雨"),
    ("Oriol Vinyals",),
    ("Rahul Kumar",),
]
SLUGS = ["tsinghua-university", "google-deepmind", "openai", "tencent", "mit"]


@st.composite
def mixes(draw: Any) -> list[list[dict[str, Any]]]:
    """Documents, each one person's sighting: [document_seen, affiliation_seen, ...]."""
    docs: list[list[dict[str, Any]]] = []
    for person in range(draw(st.integers(2, 4))):
        names = draw(st.sampled_from(NAMES))
        orcid = f"0000-0002-{person:04d}-000{person}"
        start = draw(st.integers(2010, 2018))
        home = draw(st.sampled_from(SLUGS))
        for n in range(draw(st.integers(1, 3))):
            url = f"https://papers.example/{person}/{n}"
            name = draw(st.sampled_from(names))
            ref: dict[str, Any] = {"name": name}
            if not name.isascii():
                ref["native_name"] = name
            if draw(st.booleans()):
                ref["ids"] = {"orcid": orcid}
            lines: list[dict[str, Any]] = [
                {"type": "document_seen", "url": url, "kind": "publication"},
                {
                    "type": "affiliation_seen",
                    "person": ref,
                    "institution": {"slug": home},
                    "years": list(range(start, start + 3)),
                    "document_url": url,
                },
            ]
            if draw(st.booleans()):
                lines.append(
                    {
                        "type": "affiliation_seen",
                        "person": ref,
                        "institution": {"slug": draw(st.sampled_from(SLUGS))},
                        "years": [start + 4, start + 5],
                        "source_key": "later",
                        "document_url": url,
                    }
                )
            docs.append(lines)
    return docs


async def _ingest(
    url: str, folder: Path, runs: list[list[list[dict[str, Any]]]], batch: int
) -> set[frozenset[str]]:
    cfg = load_settings(database_url=url, ingest_batch_size=batch)
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await seed_institutions(conn)
        for n, docs in enumerate(runs):
            path = write_jsonl(folder / f"run{n}.jsonl", [line for doc in docs for line in doc])
            result = await run_ingester(
                pool, "jsonl", {"path": str(path)}, instance=f"run{n}", settings=cfg
            )
            assert result.ok and result.rejected == 0, (result.error, result.rejects)
        async with pool.acquire() as conn:
            rows = await conn.fetch(
                """
                SELECT DISTINCT coalesce(r.merged_into_id, r.id) AS rid, d.url
                FROM evidence e JOIN affiliation a ON a.id = e.affiliation_id
                JOIN researcher r ON r.id = a.researcher_id
                JOIN document d ON d.id = e.document_id
                """
            )
    finally:
        await pool.close()
    groups: dict[int, set[str]] = {}
    for row in rows:
        groups.setdefault(row["rid"], set()).add(row["url"])
    return {frozenset(g) for g in groups.values()}


@pytest.mark.xfail(
    reason="known open defect: a sighting whose observations fall into different batches "
    "(batch size 1) can fail to bridge two researchers that the whole document links "
    "(falsifying example: a document with a lab stint and a later university stint)",
    strict=False,
)
# Derandomised and without shrinking: an open defect must not make the suite slow or its
# outcome depend on the run (a shrink of a failing case took minutes).
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)
@given(mix=mixes(), seed=st.integers(0, 10_000))
def test_batching_and_order_do_not_change_who_is_who(
    server_url: str, template_db: str, server_version: int, tmp_path: Path, mix: Any, seed: int
) -> None:
    note(repr(mix))
    shuffled = list(mix)
    random.Random(seed).shuffle(shuffled)
    half = len(shuffled) // 2
    plans = [
        ([mix], 1000),
        ([shuffled], 1),
        ([shuffled[:half], shuffled[half:]], 3),
    ]
    partitions = []
    for n, (runs, batch) in enumerate(plans):
        name = clone_database(server_url, template_db, server_version)
        folder = tmp_path / f"{seed}-{n}"
        folder.mkdir(parents=True, exist_ok=True)
        try:
            partitions.append(
                asyncio.run(_ingest(with_database(server_url, name), folder, runs, batch))
            )
        finally:
            drop_database(server_url, name)
    assert partitions[0] == partitions[1] == partitions[2]
