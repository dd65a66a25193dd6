"""Undoing a wrong merge: ``splitResearcher`` (GraphQL) and ``POST /researchers/{id}/split``
give a person back their sightings with names, ids, stints and evidence, and the move the
merge had invented goes away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.config import load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of, gid
from tests.ingest.helpers import write_jsonl

GOOGLE_DOC = "https://papers.example/vinyals-google"
META_DOC = "https://papers.example/vinyals-meta"


def _sighting(url: str, slug: str, years: list[int], ids: dict[str, str]) -> list[Any]:
    person: dict[str, Any] = {"name": "Oriol Vinyals", "ids": ids}
    return [
        {"type": "document_seen", "url": url, "kind": "publication"},
        {
            "type": "researcher_seen",
            "name": "Oriol Vinyals",
            "ids": ids,
            "topics": ["sequence models", "reinforcement learning"],
            "document_url": url,
        },
        {
            "type": "affiliation_seen",
            "person": person,
            "institution": {"slug": slug},
            "years": years,
            "document_url": url,
        },
    ]


async def _merged_pair(pool: asyncpg.Pool, tmp_path: Path) -> int:
    """A rare name at two places in turn, in the same field: merged, with a move between
    them (the name alone would only make a candidate match)."""
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    lines = _sighting(GOOGLE_DOC, "google", [2015, 2016, 2017], {})
    lines += _sighting(META_DOC, "meta", [2019, 2020], {"dblp": "v/OriolVinyals2"})
    path = write_jsonl(tmp_path / "pair.jsonl", lines)
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=load_settings())
    assert result.ok
    async with pool.acquire() as conn:
        (rid,) = [r["id"] for r in await conn.fetch("SELECT id FROM researcher")]
        assert await conn.fetchval("SELECT count(*) FROM move") == 1
    return int(rid)


async def _state(conn: asyncpg.Connection) -> dict[str, Any]:
    rows = await conn.fetch(
        """
        SELECT r.id, array_agg(DISTINCT i.slug) AS places,
               (SELECT array_agg(x.value) FROM researcher_external_id x
                WHERE x.researcher_id = r.id) AS ids
        FROM researcher r JOIN affiliation a ON a.researcher_id = r.id
        JOIN institution i ON i.id = a.institution_id
        WHERE r.merged_into_id IS NULL GROUP BY r.id ORDER BY r.id
        """
    )
    moves = await conn.fetchval("SELECT count(*) FROM move")
    audit = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'researcher.split'")
    return {"people": [(r["places"], r["ids"]) for r in rows], "moves": moves, "audit": audit}


SPLIT = """mutation($id: ID!, $docs: [String!]!) { splitResearcher(researcher: $id,
  documents: $docs) { __typename ... on Error { message code }
  ... on Researcher { name externalIds { scheme value } affiliations { institution { slug } }
  moves { id } } } }"""


async def test_split_researcher_restores_both_people_and_drops_the_invented_move(
    gql: Gql, keys: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    rid = await _merged_pair(pool, tmp_path)
    variables = {"id": gid("Researcher", rid), "docs": [META_DOC]}
    denied = data_of(await gql(SPLIT, variables))["splitResearcher"]
    assert denied["__typename"] == "PermissionError"
    out = data_of(await gql(SPLIT, variables, key=keys["curate"]))["splitResearcher"]
    assert out["__typename"] == "Researcher", out
    assert [a["institution"]["slug"] for a in out["affiliations"]] == ["meta"]
    assert out["externalIds"] == [{"scheme": "dblp", "value": "v/OriolVinyals2"}]
    assert out["moves"] == []
    async with pool.acquire() as conn:
        state = await _state(conn)
    assert state == {
        "people": [(["google"], None), (["meta"], ["v/OriolVinyals2"])],
        "moves": 0,
        "audit": 1,
    }
    again = data_of(await gql(SPLIT, variables, key=keys["curate"]))["splitResearcher"]
    assert again["__typename"] == "NotFoundError"


async def test_split_over_rest(
    client: httpx.AsyncClient, keys: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    rid = await _merged_pair(pool, tmp_path)
    url = f"/api/v1/researchers/{rid}/split"
    denied = await client.post(url, json={"documents": [META_DOC]})
    assert denied.status_code in (401, 403)
    bad = await client.post(
        url, json={"documents": []}, headers={"Authorization": f"Bearer {keys['curate']}"}
    )
    assert bad.status_code == 400 and "documents" in bad.text
    r = await client.post(
        url, json={"documents": [META_DOC]}, headers={"Authorization": f"Bearer {keys['curate']}"}
    )
    assert r.status_code == 201, r.text
    data = r.json()["data"]
    assert data["external_ids"] == {"dblp": "v/OriolVinyals2"} and data["moves"] == []
    async with pool.acquire() as conn:
        assert (await _state(conn))["moves"] == 0


async def test_a_move_across_a_merge_on_names_says_so_and_is_no_surer(
    gql: Gql, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    rid = await _merged_pair(pool, tmp_path)
    query = """query($id: ID!) { researcher(id: $id) { moves { confidence doubts
      evidence { confidence } } } }"""
    (move,) = data_of(await gql(query, {"id": gid("Researcher", rid)}))["researcher"]["moves"]
    assert move["doubts"] and "joined on names and context" in move["doubts"][0]
    assert move["confidence"] < 0.6  # the inference's 0.6 times the merge's probability
    assert all(e["confidence"] < 0.6 for e in move["evidence"])


async def test_a_later_sighting_does_not_merge_a_split_again(
    gql: Gql, keys: dict[str, str], pool: asyncpg.Pool, tmp_path: Path
) -> None:
    rid = await _merged_pair(pool, tmp_path)
    variables = {"id": gid("Researcher", rid), "docs": [META_DOC]}
    out = data_of(await gql(SPLIT, variables, key=keys["curate"]))["splitResearcher"]
    assert out["__typename"] == "Researcher", out
    # A new document placing the name at both labs links the two people the curator parted.
    bridge = "https://papers.example/vinyals-both"
    lines = [
        {"type": "document_seen", "url": bridge, "kind": "publication"},
        {
            "type": "researcher_seen",
            "name": "Oriol Vinyals",
            "topics": ["sequence models", "reinforcement learning"],
            "document_url": bridge,
        },
    ]
    for slug, years in (("google", [2016, 2017]), ("meta", [2019])):
        lines.append(
            {
                "type": "affiliation_seen",
                "person": {"name": "Oriol Vinyals"},
                "institution": {"slug": slug},
                "years": years,
                "document_url": bridge,
            }
        )
    path = write_jsonl(tmp_path / "bridge.jsonl", lines)
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=load_settings())
    assert result.ok
    async with pool.acquire() as conn:
        merged = await conn.fetchval(
            "SELECT count(*) FROM researcher WHERE merged_into_id IS NOT NULL"
        )
        apart = await conn.fetchval(
            "SELECT count(*) FROM candidate_match WHERE status = 'different'"
        )
    assert (merged, apart) == (0, 1)


async def test_a_split_whose_moves_cannot_be_recomputed_leaves_nothing_behind(
    gql: Gql,
    keys: dict[str, str],
    pool: asyncpg.Pool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Identity and moves change in one transaction: a failure while inferring the moves again
    undoes the split too, so no researcher is left with the moves of the merged record."""
    rid = await _merged_pair(pool, tmp_path)
    async with pool.acquire() as conn:
        before = await _state(conn)

    async def broken(self: object, researcher_ids: object) -> None:
        raise RuntimeError("inference failed")

    monkeypatch.setattr("service.ingest.recompute.BatchWriter.reinfer", broken)
    variables = {"id": gid("Researcher", rid), "docs": [META_DOC]}
    body = await gql(SPLIT, variables, key=keys["curate"])
    assert body.get("errors")
    async with pool.acquire() as conn:
        assert await _state(conn) == before
