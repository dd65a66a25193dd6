"""Lookups, filters, ordering and keyset pagination over HTTP on the seeded dataset."""

from __future__ import annotations

from typing import Any

import pytest

from service.db.queries.institutions import (
    InstitutionFilter,
    InstitutionOrder,
    has_trigram,
    list_institutions,
)
from service.db.queries.pagination import PageArgs
from service.db.queries.researchers import ResearcherFilter, list_researchers
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import Seeded, data_of, gid

MOVE_KEYS = "{ moves(first: 50, filter: $f) { totalCount edges { node { id } } } }"


async def move_ids(gql: Gql, flt: dict[str, Any]) -> set[str]:
    body = await gql(f"query($f: MoveFilterInput) {MOVE_KEYS}", {"f": flt})
    data = data_of(body)["moves"]
    assert data["totalCount"] == len(data["edges"])
    return {e["node"]["id"] for e in data["edges"]}


MOVE_CASES: list[tuple[dict[str, Any], set[str]]] = [
    ({}, {"yao1", "yao2", "garcia", "li", "smith", "jones", "yao2x"}),
    ({"fromCountry": ["US"]}, {"yao2", "smith", "garcia", "yao2x"}),
    ({"toCountry": ["cn"]}, {"yao2", "li"}),
    ({"fromCountry": ["US"], "toCountry": ["CN"]}, {"yao2"}),
    ({"toInstitution": "alphabet"}, {"garcia", "smith"}),
    ({"toInstitution": "alphabet", "includeDescendants": False}, set()),
    ({"fromInstitution": "openai"}, {"yao2", "smith"}),
    ({"dateFrom": "2024-01-01", "dateTo": "2024-12-31"}, {"li", "smith"}),
    ({"kind": ["ACADEMIA_TO_INDUSTRY"]}, {"yao1", "garcia", "li"}),
    ({"status": ["RETRACTED"]}, {"smith_old"}),
    ({"status": ["CONFIRMED", "CORROBORATED"]}, {"yao1", "yao2"}),
    ({"minConfidence": 0.85}, {"yao1", "yao2"}),
    ({"topic": ["robotics"]}, {"jones"}),
    ({"crossBorderOnly": True}, {"yao1", "yao2", "garcia", "jones"}),
    ({"provisional": True}, {"jones"}),
    ({"provisional": False, "toCountry": ["GB"]}, {"garcia"}),
    ({"origin": ["INFERRED"]}, {"li", "jones"}),
]


async def test_move_filters(gql: Gql, seeded: Seeded) -> None:
    names = {gid("Move", pk): key for key, pk in seeded.moves.items()}
    for flt, expected in MOVE_CASES:
        got = {names[i] for i in await move_ids(gql, flt)}
        assert got == expected, flt


async def test_move_filter_by_researcher_and_bad_input(gql: Gql, seeded: Seeded) -> None:
    rid = gid("Researcher", seeded.researchers["yao"])
    assert await move_ids(gql, {"researcher": rid}) == {
        gid("Move", seeded.moves["yao1"]),
        gid("Move", seeded.moves["yao2"]),
    }
    body = await gql(f"query($f: MoveFilterInput) {MOVE_KEYS}", {"f": {"fromCountry": ["USA"]}})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    body = await gql(f"query($f: MoveFilterInput) {MOVE_KEYS}", {"f": {"toInstitution": "nope"}})
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    body = await gql(f"query($f: MoveFilterInput) {MOVE_KEYS}", {"f": {"researcher": "xx"}})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"


@pytest.mark.parametrize("order", ["DATE_DESC", "DATE_ASC", "CONFIDENCE_DESC", "NEWEST"])
async def test_pagination_both_directions_is_stable(gql: Gql, seeded: Seeded, order: str) -> None:
    q = """query($o: MoveOrderBy, $first: Int, $after: String, $last: Int, $before: String) {
      moves(orderBy: $o, first: $first, after: $after, last: $last, before: $before) {
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id } } } }"""
    full = data_of(await gql(q, {"o": order, "first": 100}))["moves"]
    everything = [e["node"]["id"] for e in full["edges"]]
    assert len(everything) == 7
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = data_of(await gql(q, {"o": order, "first": 2, "after": after}))["moves"]
        seen += [e["node"]["id"] for e in page["edges"]]
        pages += 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == everything
    assert pages == 4
    back: list[str] = []
    before = None
    while True:
        page = data_of(await gql(q, {"o": order, "last": 3, "before": before}))["moves"]
        back = [e["node"]["id"] for e in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == everything
    # the same cursor gives the same page every time
    again = data_of(await gql(q, {"o": order, "first": 2, "after": full["edges"][1]["cursor"]}))
    assert [e["node"]["id"] for e in again["moves"]["edges"]] == everything[2:4]


async def test_page_size_limits_and_cursor_checks(gql: Gql, seeded: Seeded) -> None:
    body = await gql("{ moves(first: 101) { edges { cursor } } }")
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    body = await gql("{ moves(last: 500) { edges { cursor } } }")
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    body = await gql("{ moves(first: 1, last: 1) { edges { cursor } } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    default = data_of(await gql("{ researchers { edges { cursor } } }"))
    assert len(default["researchers"]["edges"]) == 6
    cursor = data_of(await gql("{ moves(first: 1) { edges { cursor } } }"))["moves"]["edges"][0]
    body = await gql(
        "query($c: String) { moves(first: 1, after: $c, orderBy: CONFIDENCE_DESC) { totalCount } }",
        {"c": cursor["cursor"]},
    )
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"
    body = await gql('{ moves(first: 1, after: "garbage!") { totalCount } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_lookups_and_nodes(gql: Gql, seeded: Seeded) -> None:
    q = """query($orcid: String, $oa: String, $ror: String) {
      byOrcid: researcher(orcid: $orcid) { name nativeName orcid openalexId aliases topics
        externalIds { scheme value } currentAffiliation { institution { slug } current }
        affiliations { institution { slug } start { text } end { text } }
        moves { to { slug } } candidateMatches { score status candidate { name } } }
      byOpenalex: researcher(openalexId: $oa) { name }
      byRor: institution(ror: $ror) { slug ror }
      bySlug: institution(slug: "google-deepmind") { name kind country { code name }
        parent { slug } }
      parent: institution(slug: "alphabet") { children { slug } }
    }"""
    data = data_of(
        await gql(q, {"orcid": "0000-0002-1825-0097", "oa": "A5023888391", "ror": "05wx9n238"})
    )
    yao = data["byOrcid"]
    assert yao["name"] == "Shunyu Yao" and yao["nativeName"] == "姚顺雨"
    assert yao["currentAffiliation"]["institution"]["slug"] == "tencent"
    assert [a["institution"]["slug"] for a in yao["affiliations"]] == [
        "tsinghua-university",
        "openai",
        "tencent",
    ]
    assert yao["affiliations"][0]["start"]["text"] == "2015-09"
    assert [m["to"]["slug"] for m in yao["moves"]] == ["openai", "tencent"]
    assert yao["candidateMatches"][0]["candidate"]["name"] == "S. Yao"
    assert data["byOpenalex"]["name"] == "Shunyu Yao"
    assert data["byRor"]["slug"] == "openai"
    assert data["bySlug"]["country"] == {"code": "GB", "name": "United Kingdom"}
    assert data["bySlug"]["parent"]["slug"] == "alphabet"
    assert {c["slug"] for c in data["parent"]["children"]} == {"google-deepmind", "google-research"}

    ids = [gid("Move", seeded.moves["yao1"]), gid("Institution", seeded.institutions["openai"])]
    data = data_of(
        await gql(
            """query($ids: [ID!]!, $one: ID!) {
                 nodes(ids: $ids) { __typename id ... on Institution { slug } }
                 node(id: $one) { ... on Move { kind } } }""",
            {"ids": ids, "one": ids[0]},
        )
    )
    assert [n["__typename"] for n in data["nodes"]] == ["Move", "Institution"]
    assert data["node"]["kind"] == "ACADEMIA_TO_INDUSTRY"
    body = await gql('{ researcher(orcid: "0000-0002-1825-0097", openalexId: "A1") { name } }')
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED"
    assert data_of(await gql('{ institution(slug: "nowhere") { name } }'))["institution"] is None


async def test_researcher_search_and_filters(gql: Gql, seeded: Seeded) -> None:
    q = """query($f: ResearcherFilterInput, $o: ResearcherOrderBy) {
      researchers(filter: $f, orderBy: $o) { totalCount edges { node { name } } } }"""

    async def names(flt: dict[str, Any], order: str | None = None) -> list[str]:
        data = data_of(await gql(q, {"f": flt, "o": order}))["researchers"]
        return [e["node"]["name"] for e in data["edges"]]

    assert await names({"search": "yao shunyu"}) == ["Shunyu Yao"]
    assert await names({"search": "姚顺雨"}) == ["Shunyu Yao"]
    assert await names({"search": "jose garcia"}) == ["José García"]
    assert await names({"search": "GARCÍA"}) == ["José García"]
    # A token shorter than a trigram matches at a word's start: Li Wei, not Alice ("alice").
    assert await names({"search": "li"}) == ["Li Wei"]
    assert await names({"search": "wei li"}) == ["Li Wei"]
    assert await names({"search": "李伟"}) == ["Li Wei"]
    assert set(await names({"search": "s"})) == {"S. Yao", "Shunyu Yao", "Alice Smith"}
    assert await names({"search": "sm"}) == ["Alice Smith"]
    # Beside other parts a short one still means a word's start, in any order.
    assert await names({"search": "s yao"}) == ["S. Yao", "Shunyu Yao"]
    assert await names({"search": "yao sh"}) == ["Shunyu Yao"]
    assert await names({"search": "a smith"}) == ["Alice Smith"]
    assert await names({"search": "mith a"}) == ["Alice Smith"]
    assert await names({"search": "li ce"}) == []  # not "alice": "li" starts no word of hers
    assert await names({"search": "w li"}) == ["Li Wei"]
    assert await names({"currentInstitution": "tencent"}) == ["Li Wei", "Shunyu Yao"]
    assert await names({"currentInstitution": "alphabet"}) == ["Alice Smith", "José García"]
    assert await names({"country": ["CN"]}) == ["Li Wei", "Shunyu Yao"]
    assert await names({"topic": ["llm"]}) == ["Alice Smith", "S. Yao", "Shunyu Yao"]
    assert await names({"hasMovedSince": "2025-01-01"}) == ["Bob Jones", "Shunyu Yao"]
    assert (await names({}, "NAME_DESC"))[0] == "Shunyu Yao"
    assert (await names({}, "CITATIONS"))[:2] == ["Alice Smith", "José García"]


async def test_search_without_trigram_uses_like(pool: Any, seeded: Seeded) -> None:
    page = await list_researchers(
        pool, ResearcherFilter(search="Yao"), None, PageArgs(first=10), trigram=False
    )
    assert [r.display_name for r in page.items] == ["S. Yao", "Shunyu Yao"]
    for search, found in (("s yao", ["S. Yao", "Shunyu Yao"]), ("yao sh", ["Shunyu Yao"])):
        page = await list_researchers(
            pool, ResearcherFilter(search=search), None, PageArgs(first=10), trigram=False
        )
        assert [r.display_name for r in page.items] == found
    has_trgm = await pool.fetchval(
        "SELECT count(*) > 0 FROM pg_extension WHERE extname = 'pg_trgm'"
    )
    if has_trgm:  # similarity ranking exists only where pg_trgm does (not on embedded PostgreSQL)
        ranked = await list_researchers(
            pool, ResearcherFilter(search="Shunyu Yao"), None, PageArgs(first=10), trigram=True
        )
        assert ranked.items[0].display_name == "Shunyu Yao"
    insts = await list_institutions(
        pool, InstitutionFilter(search="google"), None, PageArgs(first=10), trigram=False
    )
    assert [i.slug for i in insts.items] == ["google-deepmind", "google-research"]


async def test_institution_filters_and_connections(gql: Gql, seeded: Seeded) -> None:
    q = """query($f: InstitutionFilterInput, $o: InstitutionOrderBy) {
      institutions(filter: $f, orderBy: $o) { totalCount edges { node { slug } } } }"""

    async def slugs(flt: dict[str, Any], order: str | None = None) -> list[str]:
        data = data_of(await gql(q, {"f": flt, "o": order}))["institutions"]
        return [e["node"]["slug"] for e in data["edges"]]

    assert await slugs({"kind": ["UNIVERSITY"]}) == ["stanford-university", "tsinghua-university"]
    assert await slugs({"country": ["CN"]}, "SLUG") == ["tencent", "tsinghua-university"]
    assert await slugs({"parent": "alphabet"}) == ["google-deepmind", "google-research"]
    assert await slugs({"search": "腾讯"}) == ["tencent"]
    assert await slugs({"search": "deepmind"}) == ["google-deepmind"]

    data = data_of(
        await gql(
            """{ institutions(filter: {parent: "alphabet"}) { edges { node { slug
                 currentResearchers { totalCount edges { node { name } } }
                 movesIn { totalCount edges { node { researcher { name } } } }
                 movesOut(first: 1) { totalCount pageInfo { hasNextPage } } } } }
               alphabet: institution(slug: "alphabet") {
                 movesIn(includeDescendants: true) { totalCount }
                 flowSeries(period: ALL) { period inflow outflow net } }
               openai: institution(slug: "openai") {
                 jobPostings(first: 2) { totalCount pageInfo { hasNextPage }
                   edges { node { title institution { slug } } } }
                 research: jobPostings(researchOnly: true) { totalCount }
                 flowSeries(period: YEAR) { period inflow outflow net } } }"""
        )
    )
    by_slug = {e["node"]["slug"]: e["node"] for e in data["institutions"]["edges"]}
    gdm = by_slug["google-deepmind"]
    assert gdm["currentResearchers"]["totalCount"] == 1
    assert gdm["movesIn"]["edges"][0]["node"]["researcher"]["name"] == "José García"
    gr = by_slug["google-research"]
    assert gr["movesOut"]["totalCount"] == 1  # the retracted one is left out
    assert data["alphabet"]["movesIn"]["totalCount"] == 2
    assert data["alphabet"]["flowSeries"] == [{"period": None, "inflow": 2, "outflow": 2, "net": 0}]
    openai = data["openai"]
    assert openai["jobPostings"]["totalCount"] == 3
    assert openai["jobPostings"]["pageInfo"]["hasNextPage"] is True
    assert openai["research"]["totalCount"] == 2
    series = {p["period"]: p for p in openai["flowSeries"]}
    assert series["2019-01-01"]["inflow"] == 1
    assert series["2024-01-01"]["outflow"] == 1
    assert series["2025-01-01"] == {"period": "2025-01-01", "inflow": 1, "outflow": 1, "net": 0}


async def test_flows_and_net_flows(gql: Gql, seeded: Seeded) -> None:
    data = data_of(
        await gql(
            """{ country: flows(level: COUNTRY, period: ALL) {
                   origin { code name } destination { code } period count small }
                 yearly: flows(level: COUNTRY, period: YEAR, filter: {toCountry: ["CN"]}) {
                   origin { code } destination { code } period count }
                 parent: flows(level: PARENT, period: ALL) {
                   origin { code institution { name } } destination { code } count }
                 net: netFlows(level: COUNTRY, period: ALL) {
                   entity { code name } inflow outflow net small } }"""
        )
    )
    cells = {(c["origin"]["code"], c["destination"]["code"]): c for c in data["country"]}
    assert cells[("US", "US")]["count"] == 2
    assert cells[("US", "CN")]["count"] == 1 and cells[("US", "CN")]["small"] is True
    assert cells[("US", "US")]["origin"]["name"] == "United States"
    assert sum(c["count"] for c in data["country"]) == 7
    assert {(c["period"], c["origin"]["code"]) for c in data["yearly"]} == {
        ("2025-01-01", "US"),
        ("2024-01-01", "CN"),
    }
    parent = {(c["origin"]["code"], c["destination"]["code"]): c["count"] for c in data["parent"]}
    assert parent[("alphabet", "openai")] == 2
    assert data["parent"][0]["origin"]["institution"] is not None
    net = {n["entity"]["code"]: n for n in data["net"]}
    assert net["CN"] == {
        "entity": {"code": "CN", "name": "China"},
        "inflow": 1,
        "outflow": 1,
        "net": 0,
        "small": True,
    }
    assert net["GB"]["inflow"] == 1 and net["GB"]["outflow"] == 1
    assert net["US"]["outflow"] == 2 and net["US"]["inflow"] == 2


async def test_search_union(gql: Gql, seeded: Seeded) -> None:
    data = data_of(
        await gql(
            """{ search(query: "yao", first: 5) { __typename
                 ... on Researcher { name } ... on Institution { slug } }
                 inst: search(query: "tsinghua") { ... on Institution { slug } } }"""
        )
    )
    assert {r["__typename"] for r in data["search"]} == {"Researcher"}
    assert data["inst"] == [{"slug": "tsinghua-university"}]
    body = await gql('{ search(query: "x", first: 1000) { __typename } }')
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"


@pytest.mark.parametrize("pg_trgm", ["installed", "absent"])
async def test_institutions_are_found_by_name_native_name_and_later_aliases(
    pool: Any, seeded: Seeded, pg_trgm: str
) -> None:
    """The folded name and native name are in the search text; an alias learned after the row
    was written (ingestion adds them without rewriting it) is found through its own table.

    With pg_trgm, matches are ranked by similarity; without it (the embedded PostgreSQL has no
    contrib extensions) the same search finds the same rows in name order. The flag comes from
    the database, as the API gets it."""
    from service.db.stores import institution_writes

    if pg_trgm == "absent":
        await pool.execute("DROP EXTENSION IF EXISTS pg_trgm CASCADE")
    elif not await pool.fetchval(
        "SELECT count(*) > 0 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ):
        pytest.skip("this PostgreSQL server does not ship pg_trgm")
    trigram = await has_trigram(pool)
    assert trigram is (pg_trgm == "installed")

    async def slugs(search: str) -> list[str]:
        page = await list_institutions(
            pool, InstitutionFilter(search=search), None, PageArgs(first=10), trigram=trigram
        )
        return [i.slug for i in page.items]

    relevance = await list_institutions(
        pool,
        InstitutionFilter(search="google"),
        InstitutionOrder.RELEVANCE,
        PageArgs(first=10),
        trigram=trigram,
    )
    found = [i.slug for i in relevance.items]
    assert sorted(found) == ["google-deepmind", "google-research"]
    if not trigram:  # no similarity() to rank by: name order, not an error
        assert found == ["google-deepmind", "google-research"]

    tencent = seeded.institutions["tencent"]
    await pool.execute("UPDATE institution SET name = 'Tencent Zürich' WHERE id = $1", tencent)
    async with pool.acquire() as conn:
        await institution_writes.add_aliases(
            conn, tencent, [("Téngxùn AI Lab", "tengxun ai lab")], "test"
        )
    await pool.execute(
        "UPDATE institution SET search_text = 'tencent zurich 腾讯' WHERE id = $1", tencent
    )
    assert await slugs("TENCENT zürich") == ["tencent"]
    assert await slugs("zurich") == ["tencent"]
    assert await slugs("腾讯") == ["tencent"]
    assert await slugs("tengxun lab") == ["tencent"]  # only in the alias learned later
    assert await slugs("Tengxùn") == ["tencent"]
    assert await slugs("lab zurich") == []  # every word in the same name
