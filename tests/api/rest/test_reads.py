"""Every read endpoint over HTTP: filters, pagination to the end, detail views, CSV, ETags."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import httpx
import pytest

from tests.api.rest.conftest import Data

API = "/api/v1"


@pytest.fixture
def client(read_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Read tests share one database and app per module."""
    return read_client


async def ids(client: httpx.AsyncClient, path: str, **params: Any) -> list[int]:
    r = await client.get(API + path, params={"limit": 100, **params})
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["data"]]


async def follow(client: httpx.AsyncClient, url: str) -> tuple[list[dict[str, Any]], int]:
    """Follow Link rel=next to the end; return every item and the number of pages."""
    items: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        r = await client.get(next_url)
        assert r.status_code == 200, r.text
        pages += 1
        body = r.json()
        items.extend(body["data"])
        link = r.headers.get("link")
        if body["next_cursor"] is None:
            assert link is None
            next_url = None
        else:
            match = re.fullmatch(r'<([^>]+)>; rel="next"', link or "")
            assert match, link
            next_url = match.group(1)
    return items, pages


# --- moves ----------------------------------------------------------------------------------


async def test_moves_default_leaves_out_retracted_newest_first(
    client: httpx.AsyncClient, data: Data
) -> None:
    r = await client.get(API + "/moves")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    got = [m["id"] for m in r.json()["data"]]
    m = data.moves
    assert got == [
        m["ada_deepmind_openai"],
        m["bo_openai_tencent"],
        m["chen_tsinghua_tencent"],
        m["ada_openai_deepmind"],
        m["chen_undated"],
    ]
    first = r.json()["data"][0]
    assert first["move_date"] == "2025-09-01"
    assert first["from_country"] == "GB" and first["cross_border"] is True


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"to_country": "CN"}, ["bo_openai_tencent", "chen_tsinghua_tencent"]),
        (
            {"to_country": "cn,gb"},
            ["bo_openai_tencent", "chen_tsinghua_tencent", "ada_openai_deepmind"],
        ),
        (
            {"from_country": ["US", "GB"]},
            ["ada_deepmind_openai", "bo_openai_tencent", "ada_openai_deepmind"],
        ),
        ({"to_institution": "tencent"}, ["bo_openai_tencent", "chen_tsinghua_tencent"]),
        ({"to_institution": "alphabet"}, ["ada_openai_deepmind"]),
        ({"to_institution": "alphabet", "include_descendants": "false"}, []),
        ({"from_institution": "openai"}, ["bo_openai_tencent", "ada_openai_deepmind"]),
        ({"date_from": "2025", "date_to": "2025-06"}, ["bo_openai_tencent"]),
        ({"kind": "academia_to_industry"}, ["chen_tsinghua_tencent"]),
        ({"status": "retracted"}, ["bo_retracted"]),
        ({"min_confidence": "0.9"}, ["bo_openai_tencent"]),
        ({"topic": "vision"}, ["chen_tsinghua_tencent", "chen_undated"]),
        (
            {"cross_border_only": "true"},
            ["ada_deepmind_openai", "bo_openai_tencent", "ada_openai_deepmind"],
        ),
        ({"origin": "inferred"}, ["chen_tsinghua_tencent"]),
        ({"provisional": "true"}, []),
        (
            {"order": "CONFIDENCE_DESC", "to_country": "CN"},
            ["bo_openai_tencent", "chen_tsinghua_tencent"],
        ),
        ({"order": "date_asc", "to_country": "CN"}, ["chen_tsinghua_tencent", "bo_openai_tencent"]),
    ],
)
async def test_move_filters(
    client: httpx.AsyncClient, data: Data, params: dict[str, Any], expected: list[str]
) -> None:
    assert await ids(client, "/moves", **params) == [data.moves[k] for k in expected]


async def test_move_filter_by_researcher_and_institution_id(
    client: httpx.AsyncClient, data: Data
) -> None:
    got = await ids(client, "/moves", researcher=data.ada, order="DATE_ASC")
    assert got == [data.moves["ada_openai_deepmind"], data.moves["ada_deepmind_openai"]]
    assert await ids(client, "/moves", to_institution=str(data.tencent)) == [
        data.moves["bo_openai_tencent"],
        data.moves["chen_tsinghua_tencent"],
    ]


async def test_moves_pagination_follows_link_headers_to_the_end(
    client: httpx.AsyncClient, data: Data
) -> None:
    items, pages = await follow(client, API + "/moves?limit=2&to_country=CN,GB,US")
    everything = await ids(client, "/moves", to_country="CN,GB,US")
    assert [i["id"] for i in items] == everything
    assert len(everything) == 4 and pages == 2
    r = await client.get(API + "/moves?limit=2")
    assert "to_country" not in r.headers["link"]
    assert "limit=2" in r.headers["link"]


async def test_move_detail_has_evidence_with_document(
    client: httpx.AsyncClient, data: Data
) -> None:
    r = await client.get(f"{API}/moves/{data.moves['bo_openai_tencent']}")
    assert r.status_code == 200
    move = r.json()["data"]
    assert move["to_institution_id"] == data.tencent
    [evidence] = move["evidence"]
    assert evidence["quote"] == "Bo Zhang has left OpenAI to join Tencent"
    assert evidence["document"]["url"] == "https://news.example/bo-zhang-joins-tencent"
    r = await client.get(f"{API}/moves/{data.moves['ada_deepmind_openai']}")
    assert r.json()["data"]["evidence"] == []


async def test_move_detail_404_and_bad_id(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(f"{API}/moves/999999")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "NOT_FOUND"
    r = await client.get(f"{API}/moves/abc")
    assert r.status_code == 400
    assert r.json()["errors"][0]["name"] == "id"


# --- researchers ----------------------------------------------------------------------------


async def test_researchers_filters(client: httpx.AsyncClient, data: Data) -> None:
    assert await ids(client, "/researchers") == [data.ada, data.bo, data.chen]
    assert await ids(client, "/researchers", search="zhang") == [data.bo]
    assert await ids(client, "/researchers", topic="vision") == [data.chen]
    assert await ids(client, "/researchers", current_institution="tencent") == [data.bo]
    assert await ids(client, "/researchers", country="CN") == [data.bo]
    assert await ids(client, "/researchers", has_moved_since="2025-06") == [data.ada]
    assert await ids(client, "/researchers", order="NAME_DESC") == [data.chen, data.bo, data.ada]


async def test_researcher_detail(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(f"{API}/researchers/{data.bo}")
    assert r.status_code == 200
    body = r.json()["data"]
    assert body["display_name"] == "Bo Zhang"
    assert [m["id"] for m in body["moves"]] == [data.moves["bo_openai_tencent"]]
    assert body["affiliations"][0]["institution_id"] == data.tencent
    assert body["affiliations"][0]["current"] is True
    assert (await client.get(f"{API}/researchers/424242")).status_code == 404


async def test_merged_researcher_answers_with_its_target(
    client: httpx.AsyncClient, data: Data, read_db_url: str
) -> None:
    import asyncpg

    # A merged record is left out of lists, so adding one here disturbs no other test.
    conn = await asyncpg.connect(read_db_url)
    try:
        dup = await conn.fetchval(
            "INSERT INTO researcher (display_name, merged_into_id) VALUES ('B. Zhang', $1) "
            "RETURNING id",
            data.bo,
        )
    finally:
        await conn.close()
    r = await client.get(f"{API}/researchers/{dup}")
    assert r.status_code == 200
    assert r.json()["data"]["id"] == data.bo
    assert r.headers["content-location"] == f"{API}/researchers/{data.bo}"


# --- institutions ---------------------------------------------------------------------------


async def test_institutions_filters(client: httpx.AsyncClient, data: Data) -> None:
    assert await ids(client, "/institutions", country="CN") == [data.tencent, data.tsinghua]
    assert await ids(client, "/institutions", kind="lab") == [data.deepmind, data.openai]
    assert await ids(client, "/institutions", parent="alphabet") == [data.deepmind]
    assert await ids(client, "/institutions", search="腾讯") == [data.tencent]
    assert await ids(client, "/institutions", order="SLUG", kind="company") == [
        data.alphabet,
        data.tencent,
    ]


async def test_institution_by_id_or_slug(client: httpx.AsyncClient, data: Data) -> None:
    by_slug = await client.get(f"{API}/institutions/alphabet")
    by_id = await client.get(f"{API}/institutions/{data.alphabet}")
    assert by_slug.status_code == by_id.status_code == 200
    assert by_slug.json() == by_id.json()
    body = by_slug.json()["data"]
    assert body["children"] == [
        {"id": data.deepmind, "slug": "google-deepmind", "name": "Google DeepMind"}
    ]
    r = await client.get(f"{API}/institutions/tencent")
    assert r.json()["data"]["aliases"] == [{"alias": "腾讯", "lang": "zh"}]
    assert (await client.get(f"{API}/institutions/no-such-lab")).status_code == 404


# --- flows ----------------------------------------------------------------------------------


async def test_flows_between_countries(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(API + "/flows", params={"level": "COUNTRY", "period": "ALL"})
    assert r.status_code == 200
    cells = {(c["origin"], c["destination"]): c["count"] for c in r.json()["data"]}
    # The undated departure counts over ALL, with its unknown destination as null.
    assert cells == {
        ("US", "GB"): 1,
        ("US", "CN"): 1,
        ("CN", "CN"): 1,
        ("GB", "US"): 1,
        ("CN", None): 1,
    }
    r = await client.get(API + "/flows", params={"period": "year", "to_country": "CN"})
    years = {(c["origin"], c["period"]): c["count"] for c in r.json()["data"]}
    assert years == {("US", "2025-01-01"): 1, ("CN", "2024-01-01"): 1}


async def test_net_flows(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(API + "/net-flows", params={"period": "ALL"})
    assert r.status_code == 200
    net = {row["entity"]: (row["inflow"], row["outflow"], row["net"]) for row in r.json()["data"]}
    # The undated departure to an unknown destination is an outflow of CN.
    assert net == {"US": (1, 2, -1), "GB": (1, 1, 0), "CN": (1, 1, 0)}
    r = await client.get(API + "/net-flows", params={"period": "ALL", "level": "PARENT"})
    parents = {row["entity"]: row["net"] for row in r.json()["data"]}
    assert parents[data.alphabet] == 0 and parents[data.tencent] == 1


# --- job postings and ingest runs -----------------------------------------------------------


async def test_job_postings(client: httpx.AsyncClient, data: Data) -> None:
    everything = await ids(client, "/job-postings")
    assert len(everything) == 3
    r = await client.get(
        API + "/job-postings", params={"open_only": "true", "research_only": "true"}
    )
    titles = [p["title"] for p in r.json()["data"]]
    assert titles == ["Member of Technical Staff", "Research Scientist, RL"]
    r = await client.get(API + "/job-postings", params={"institution": "alphabet"})
    assert [p["title"] for p in r.json()["data"]] == ["Research Scientist, RL"]
    r = await client.get(API + "/job-postings", params={"country": "CN", "source": "lever"})
    assert [p["title"] for p in r.json()["data"]] == ["Recruiter"]
    r = await client.get(
        API + "/job-postings", params={"remote": "true", "posted_since": "2025-07"}
    )
    assert [p["title"] for p in r.json()["data"]] == ["Member of Technical Staff"]
    r = await client.get(API + "/job-postings", params={"topic": "reinforcement learning"})
    assert [p["title"] for p in r.json()["data"]] == ["Research Scientist, RL"]


async def test_job_postings_open_on_a_day(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(API + "/job-postings", params={"open_at": "2025-06-15"})
    assert [p["title"] for p in r.json()["data"]] == ["Research Scientist, RL", "Recruiter"]


async def test_hiring_signals(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(
        API + "/hiring-signals",
        params={"level": "COUNTRY", "period": "YEAR", "since": "2025", "until": "2025"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["level"] == "COUNTRY" and body["period"] == "YEAR"
    rows = {row["country_code"]: row for row in body["data"]}
    assert set(rows) == {"CN", "GB", "US"}
    cn = rows["CN"]
    assert (cn["newly_opened"], cn["closed"], cn["open_postings"]) == (1, 1, 0)
    us = rows["US"]
    assert (us["open_postings"], us["open_research_postings"]) == (1, 1)
    assert us["period_start"] == "2025-01-01" and us["period_end"] == "2026-01-01"
    r = await client.get(
        API + "/hiring-signals",
        params={
            "institution": "alphabet",
            "period": "QUARTER",
            "since": "2025-01",
            "until": "2025-12",
        },
    )
    assert {row["institution_id"] for row in r.json()["data"]} == {data.deepmind}
    r = await client.get(API + "/hiring-signals", params={"since": "2025-06", "until": "2025-01"})
    assert r.status_code == 400 and r.json()["errors"][0]["name"] == "until"


async def test_ingest_runs(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(API + "/ingest-runs")
    runs = r.json()["data"]
    assert [run["instance"] for run in runs] == ["openalex-ai", "news-en"]
    r = await client.get(API + "/ingest-runs", params={"status": "failed"})
    assert [run["plugin"] for run in r.json()["data"]] == ["openalex"]
    r = await client.get(API + "/ingest-runs", params={"plugin": "news"})
    [run] = r.json()["data"]
    one = await client.get(f"{API}/ingest-runs/{run['id']}")
    assert one.json()["data"] == run


# --- CSV and ETags --------------------------------------------------------------------------


async def test_csv_by_format_param_and_accept_header(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(API + "/moves", params={"format": "csv", "limit": 1})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 5  # an export ignores the page limit
    assert rows[0]["id"] == str(data.moves["ada_deepmind_openai"])
    assert rows[0]["cross_border"] == "true"
    r2 = await client.get(API + "/moves", headers={"Accept": "text/csv"})
    assert r2.text == r.text
    for path in (
        "/researchers",
        "/institutions",
        "/job-postings",
        "/ingest-runs",
        "/flows",
        "/net-flows",
    ):
        r = await client.get(API + path, params={"format": "csv"})
        assert r.status_code == 200, path
        assert r.text.count("\r\n") >= 2, path
    r = await client.get(API + "/researchers", params={"format": "csv", "topic": "vision"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["display_name"] for row in rows] == ["Chen Wei"]
    assert rows[0]["topics"] == "vision"


async def test_etag_and_304(client: httpx.AsyncClient, data: Data) -> None:
    r = await client.get(API + "/moves")
    etag = r.headers["etag"]
    assert etag.startswith('W/"')
    again = await client.get(API + "/moves", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = await client.get(API + "/moves", headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200
    r = await client.get(f"{API}/institutions/alphabet")
    assert (
        await client.get(
            f"{API}/institutions/alphabet", headers={"If-None-Match": r.headers["etag"]}
        )
    ).status_code == 304
    # Another body, another ETag.
    r2 = await client.get(API + "/moves", params={"status": "retracted"})
    assert r2.headers["etag"] != etag
