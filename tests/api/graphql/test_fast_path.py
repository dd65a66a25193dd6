"""The fast path answers plain queries exactly as strawberry and graphql-core do, and hands
everything else (and anything that does not go as planned) to them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from service.api.graphql import fast_path
from service.api.graphql.context import CountingExecutor
from tests import bench_scripts
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import Seeded, gid

MOVE_FIELDS = """
  id __typename
  date { date precision text }
  kind status confidence crossBorder isReturnee provisional origin createdAt updatedAt
  fromCountry { code name } toCountry { code }
  researcher { id name nativeName nameOrder topics worksCount citedByCount hIndex }
  from { id name slug kind isSite city website nativeName country { code name } }
  to { id name country { code } parent { id name } }
  evidence {
    id quote confidence extractor extractorVersion createdAt span { start end }
    document { id kind url title publisher publishedAt fetchedAt language }
  }
"""
# Every Move field PostgreSQL writes (service.db.queries.json_objects).
SQL_MOVE_FIELDS = """
  id __typename
  date { __typename date precision text }
  kind status confidence crossBorder isReturnee provisional origin createdAt updatedAt
  fromCountry { code } toCountry { __typename code }
  researcher { __typename id name nativeName nameOrder topics worksCount citedByCount hIndex
               createdAt updatedAt }
  from { id slug name nativeName kind country { code } city isSite website createdAt updatedAt }
  to { id name country { code } }
  evidence {
    __typename id quote confidence extractor extractorVersion createdAt span { start end }
    document { id kind url title publisher publishedAt fetchedAt language }
  }
"""
# The benchmark's own dashboard queries (bench/graphql.py), as it sends them.
BENCH_QUERIES = bench_scripts.load("graphql").TF_QUERIES
BENCH_MOVES_PAGE = BENCH_QUERIES["moves_page"]
BENCH_PROFILE = BENCH_QUERIES["researcher_profile"]
PROFILE = """
  id name nativeName topics worksCount citedByCount hIndex orcid openalexId
  externalIds { scheme value }
  aliases
  affiliations {
    id role department years current source
    start { date precision } end { date precision text }
    institution { id name country { code } }
    evidence { id confidence }
  }
  currentAffiliation { id institution { slug } }
  moves { id date { date precision } kind status confidence from { id name } to { id name } }
"""


def corpus(s: Seeded) -> list[tuple[str, dict[str, Any] | None]]:
    yao = gid("Researcher", s.researchers["yao"])
    openai = gid("Institution", s.institutions["openai"])
    deepmind = gid("Institution", s.institutions["google-deepmind"])
    move = gid("Move", next(iter(s.moves.values())))
    return [
        # Moves written by PostgreSQL: the benchmark's page, every field, aliases, orders.
        (BENCH_MOVES_PAGE, None),
        (f"{{ moves(first: 50, filter: {{status: [RETRACTED, REPORTED, CORROBORATED, CONFIRMED]}}) "
         f"{{ nodes {{ {SQL_MOVE_FIELDS} }} }} }}", None),
        ("{ moves(first: 5, orderBy: DATE_ASC) { edges { node { m: id d: date { t: text } "
         "r: researcher { n: name } e: evidence { c: confidence s: span { start } } } } } }", None),
        (f"query P($id: ID!) {{ researcher(id: $id) {{ name moves {{ {SQL_MOVE_FIELDS} }} }} }}",
         {"id": yao}),
        (BENCH_PROFILE, {"id": yao}),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { ... on Move { researcher { orcid openalexId "
         "aliases externalIds { value } affiliations { department years source "
         "end { text } } } } } }", {"ids": [move]}),
        # The benchmark's five dashboard queries, in their shapes.
        (f"{{ moves(first: 50) {{ edges {{ cursor node {{ {MOVE_FIELDS} }} }} "
         "pageInfo { endCursor hasNextPage hasPreviousPage startCursor } } }", None),
        (f"query P($id: ID!) {{ researcher(id: $id) {{ {PROFILE} }} }}", {"id": yao}),
        ("query I($id: ID!) { institution(id: $id) { id name kind country { code } "
         "parent { id name } flowSeries(period: YEAR) { period inflow outflow net } } }",
         {"id": deepmind}),
        ("{ flows(level: COUNTRY, period: YEAR) { origin { code name } "
         "destination { code name } period count small } }", None),
        ('query S($q: String!) { search(query: $q, first: 20) { __typename '
         "... on Researcher { id name nativeName } ... on Institution { id name country { code } } } }",
         {"q": "yao"}),
        # Orders, filters, totals, nodes, backwards pages.
        (f"{{ moves(first: 3, orderBy: DATE_ASC) {{ totalCount nodes {{ {MOVE_FIELDS} }} }} }}", None),
        (f"{{ moves(first: 50, filter: {{status: [RETRACTED, REPORTED, CORROBORATED, CONFIRMED]}}) "
         f"{{ nodes {{ {MOVE_FIELDS} }} }} }}", None),
        ("{ moves(last: 2) { edges { cursor node { id } } pageInfo { hasPreviousPage } } }", None),
        # Aliases, __typename, named and inline fragments, variables with defaults.
        ("""query($n: Int = 4) { __typename a: moves(first: $n) { __typename edges { node { ...M
           to { __typename ... on Institution { slug } ... on Node { id } } } } }
           b: moves(last: 2) { nodes { id k: kind } } }
           fragment M on Move { id s: status from { name } }""", None),
        # Interfaces and lookups by other keys.
        (f'{{ node(id: "{move}") {{ __typename id ... on Move {{ kind researcher {{ name }} }} }} }}',
         None),
        (f'{{ nodes(ids: ["{yao}", "{openai}"]) {{ id ... on Researcher {{ name }} '
         "... on Institution { slug children { slug } } } }", None),
        ('{ researcher(orcid: "0000-0002-1825-0097") { name } '
         'institution(slug: "alphabet") { name aliases externalIds { scheme value } ror '
         "children { slug } } }", None),
        (f'{{ institution(id: "{openai}") {{ name movesIn(first: 2) {{ totalCount nodes {{ id }} }} '
         "currentResearchers(first: 5) { nodes { name } } } }", None),
        ("{ researchers(first: 10) { nodes { name aliases moves { id } } } "
         "institutions(first: 10) { nodes { slug parent { slug } } } }", None),
        ("{ netFlows(level: COUNTRY, period: ALL) { entity { __typename } period inflow "
         "outflow net small } }", None),
        # Things that resolve to null.
        ('{ researcher(id: "UmVzZWFyY2hlcjo5OTk5OTk5") { id } move(id: "TW92ZTo5OTk5OTk5") { id } }',
         None),
    ]  # fmt: skip


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The statements each GraphQL request ran, appended as its connection goes back."""
    counted: list[int] = []
    original = CountingExecutor.release

    async def release(self: CountingExecutor, **kwargs: Any) -> None:
        counted.append(self.statements)
        await original(self, **kwargs)

    monkeypatch.setattr(CountingExecutor, "release", release)
    return counted


def outcome(label: str) -> float:
    for m in fast_path.FAST_PATH.collect():
        for s in m.samples:
            if s.name.endswith("_total") and s.labels["outcome"] == label:
                return s.value
    return 0.0


async def normal_path(gql: Gql, monkeypatch: pytest.MonkeyPatch, *args: Any) -> dict[str, Any]:
    async def never(self: fast_path.FastPath, scope: Any, body: bytes) -> None:
        return None

    with monkeypatch.context() as m:
        m.setattr(fast_path.FastPath, "answer", never)
        return await gql(*args)


async def test_answers_like_the_normal_path(
    gql: Gql, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []
    original = fast_path.Run.written_by_sql

    async def counting(self: fast_path.Run, *args: Any) -> list[Any]:
        written.append(1)
        return await original(self, *args)

    monkeypatch.setattr(fast_path.Run, "written_by_sql", counting)
    by_id = fast_path.Run.object_by_id

    async def counting_by_id(self: fast_path.Run, *args: Any) -> list[Any] | None:
        found = await by_id(self, *args)
        if found is not None:
            written.append(1)
        return found

    monkeypatch.setattr(fast_path.Run, "object_by_id", counting_by_id)
    for n, (query, variables) in enumerate(corpus(seeded)):
        written.clear()
        served = outcome("served")
        fast = await gql(query, variables)
        assert outcome("served") == served + 1, (query, fast)  # the fast path answered
        normal = await normal_path(gql, monkeypatch, query, variables)
        assert "errors" not in normal, (query, normal)
        assert fast == normal, query
        assert repr(fast) == repr(normal), query  # the same key order too
        if n < 6:
            assert written, query  # PostgreSQL wrote these moves


async def test_the_corpus_exercises_nulls_lists_and_nesting(gql: Gql, seeded: Seeded) -> None:
    body = await gql(corpus(seeded)[1][0])
    nodes = body["data"]["moves"]["nodes"]
    assert any(m["from"] is None or m["date"] is None for m in nodes)
    assert any(m["evidence"] and m["evidence"][0]["document"] for m in nodes)
    assert any(m["status"] == "RETRACTED" for m in nodes)
    profile = await gql(*corpus(seeded)[7])
    assert profile["data"]["researcher"]["affiliations"]
    assert profile["data"]["researcher"]["moves"]


@pytest.mark.parametrize(
    "query",
    [
        "{ moves(first: 2) { nodes { id kind @include(if: true) } } }",  # a directive
        "{ moves(first: 2) { nodes { id } nodes { kind } } }",  # a key asked twice
        "mutation { __typename }",
        "{ __schema { queryType { name } } }",
        "{ moves(first: 2) { nodes { id nope } } }",  # does not validate
        "{ moves(first: 2) { nodes { id } ",  # does not parse
    ],
)
async def test_what_it_does_not_plan_goes_to_the_normal_path(
    client: httpx.AsyncClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    unsupported = outcome("unsupported")
    r = await client.post("/graphql", json={"query": query})
    assert outcome("unsupported") == unsupported + 1
    with monkeypatch.context() as m:

        async def never(self: fast_path.FastPath, scope: Any, body: bytes) -> None:
            return None

        m.setattr(fast_path.FastPath, "answer", never)
        normal = await client.post("/graphql", json={"query": query})
    assert (r.status_code, r.json()) == (normal.status_code, normal.json())


async def test_what_does_not_go_as_planned_is_answered_by_the_normal_path(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    cases: list[tuple[str, dict[str, Any], str]] = [
        # an id that does not decode: the resolver raises, the normal path reports it
        ("query($id: ID!) { researcher(id: $id) { id } }", {"id": "bad"}, "VALIDATION_FAILED"),
        # variables that do not coerce
        ("query($n: Int) { moves(first: $n) { nodes { id } } }", {"n": "x"}, ""),
        # above the page size limit
        ("query($n: Int) { moves(first: $n) { nodes { id } } }", {"n": 5000}, "LIMIT_EXCEEDED"),
    ]
    for query, variables, code in cases:
        fallback = outcome("fallback")
        r = await client.post("/graphql", json={"query": query, "variables": variables})
        body = r.json()
        assert outcome("fallback") == fallback + 1, body
        assert body["errors"], body
        if code:
            assert body["errors"][0]["extensions"]["code"] == code, body


async def test_too_costly_is_refused_by_the_normal_path(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    page = "institutions(first: $n) { nodes { movesIn(first: $n) { nodes { id } } } }"
    query = "query($n: Int) { " + " ".join(f"a{i}: {page}" for i in range(6)) + " }"
    fallback = outcome("fallback")
    costly = await client.post("/graphql", json={"query": query, "variables": {"n": 100}})
    assert costly.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert outcome("fallback") == fallback + 1
    served = outcome("served")
    cheap = await client.post("/graphql", json={"query": query, "variables": {"n": 1}})
    assert "errors" not in cheap.json()
    assert outcome("served") == served + 1


async def test_get_and_batches_are_answered_like_the_normal_path(
    client: httpx.AsyncClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = f"query($n: Int) {{ moves(first: $n) {{ nodes {{ {SQL_MOVE_FIELDS} }} }} }}"
    params = {"query": query, "variables": '{"n": 5}'}
    batch = [{"query": query, "variables": {"n": 2}}, {"query": BENCH_MOVES_PAGE}]

    async def both() -> tuple[list[Any], list[Any]]:
        got = await client.get("/graphql", params=params)
        posted = await client.post("/graphql", json=batch)
        assert got.status_code == posted.status_code == 200
        return [got.json()], posted.json()

    served = outcome("served")
    fast = await both()
    assert outcome("served") == served + 3  # the GET, and both operations of the batch

    async def never(self: fast_path.FastPath, *args: Any) -> None:
        return None

    with monkeypatch.context() as m:
        m.setattr(fast_path.FastPath, "answer", never)
        m.setattr(fast_path.FastPath, "answer_get", never)
        normal = await both()
    assert fast == normal
    assert len(fast[1]) == 2 and "errors" not in fast[1][1]


async def test_other_requests_never_reach_it(client: httpx.AsyncClient, seeded: Seeded) -> None:
    before = {k: outcome(k) for k in ("served", "fallback", "unsupported")}
    query = "{ moves(first: 1) { nodes { id } } }"
    graphiql = await client.get("/graphql", headers={"Accept": "text/html"})
    assert graphiql.status_code == 200 and "text/html" in graphiql.headers["content-type"]
    browser = await client.get(
        "/graphql", params={"query": query}, headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert browser.status_code == 200
    graphql_response = await client.post(
        "/graphql",
        json={"query": query},
        headers={"Accept": "application/graphql-response+json"},
    )
    assert graphql_response.status_code == 200
    too_many = await client.post("/graphql", json=[{"query": query}] * 11)
    assert too_many.status_code in (200, 400)
    after = {k: outcome(k) for k in ("served", "fallback", "unsupported")}
    assert after == before


async def test_a_profile_by_id_is_one_statement(
    gql: Gql, seeded: Seeded, statements: list[int]
) -> None:
    await gql(BENCH_PROFILE, {"id": gid("Researcher", seeded.researchers["yao"])})
    assert statements == [1]  # lookup, ids, aliases, affiliations, institutions and moves


async def test_statements_do_not_grow_with_the_page(
    gql: Gql, seeded: Seeded, statements: list[int]
) -> None:
    query = f"query($n: Int) {{ moves(first: $n) {{ nodes {{ {MOVE_FIELDS} }} }} }}"
    served = outcome("served")
    body = await gql(query, {"n": 50})
    assert outcome("served") == served + 1
    assert len(body["data"]["moves"]["nodes"]) >= 7  # every move but the retracted one
    # page, researchers, institutions (and their parents), evidence with documents: a fixed
    # number however many moves, not one per move
    assert statements == [5], statements
    statements.clear()
    body = await gql(
        f"query($n: Int) {{ moves(first: $n) {{ nodes {{ {SQL_MOVE_FIELDS} }} }} }}", {"n": 50}
    )
    assert len(body["data"]["moves"]["nodes"]) >= 7
    assert statements == [2], statements  # the page, then the moves written by PostgreSQL


async def test_switched_off_it_does_nothing(
    client: httpx.AsyncClient, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = client._transport.app.state.talentflow.settings  # type: ignore[attr-defined]
    monkeypatch.setattr(settings, "graphql_fast_path", False)
    served = outcome("served")
    r = await client.post("/graphql", json={"query": "{ moves(first: 1) { nodes { id } } }"})
    assert r.status_code == 200 and "errors" not in r.json()
    assert outcome("served") == served


async def merge_yao2_into_yao(pool: Any, seeded: Seeded) -> None:
    """Mark S. Yao merged into Shunyu Yao, leaving S. Yao's moves and aliases where they are."""
    async with pool.acquire() as conn:
        await conn.execute(
            "UPDATE researcher SET merged_into_id = $1 WHERE id = $2",
            seeded.researchers["yao"],
            seeded.researchers["yao2"],
        )


async def test_a_merged_researcher_is_followed_by_the_normal_path(
    gql: Gql, seeded: Seeded, pool: Any
) -> None:
    """PostgreSQL writes a move's researcher only when it was not merged away; otherwise the
    request goes to the normal path, which follows the merge to the surviving record."""
    await merge_yao2_into_yao(pool, seeded)
    fallback = outcome("fallback")
    body = await gql(BENCH_MOVES_PAGE)
    assert outcome("fallback") == fallback + 1
    moved = {e["node"]["id"]: e["node"] for e in body["data"]["moves"]["edges"]}
    node = moved[gid("Move", seeded.moves["yao2x"])]
    assert node["researcher"] == {
        "id": gid("Researcher", seeded.researchers["yao"]),
        "name": "Shunyu Yao",
    }


async def test_aliases_of_merged_researchers_are_read_by_the_normal_path(
    gql: Gql, seeded: Seeded, pool: Any
) -> None:
    """A researcher's aliases and ids include those of the records merged into it; PostgreSQL
    writes them only for a researcher nothing was merged into."""
    await merge_yao2_into_yao(pool, seeded)
    fallback = outcome("fallback")
    body = await gql(BENCH_PROFILE, {"id": gid("Researcher", seeded.researchers["yao"])})
    assert outcome("fallback") == fallback + 1
    assert "S. Yao" in body["data"]["researcher"]["aliases"]
    # Asked by the merged record's id, the answer is the surviving record's.
    merged = await gql(BENCH_PROFILE, {"id": gid("Researcher", seeded.researchers["yao2"])})
    assert outcome("fallback") == fallback + 2
    assert merged == body
    # Missing: null, answered by the normal path.
    missing = await gql(BENCH_PROFILE, {"id": gid("Researcher", 999_999)})
    assert missing == {"data": {"researcher": None}}


async def test_what_it_did_is_on_the_metrics_page(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    await client.post("/graphql", json={"query": "{ moves(first: 1) { nodes { id } } }"})
    page = (await client.get("/metrics")).text
    served = next(
        line
        for line in page.splitlines()
        if line.startswith('talentflow_graphql_fast_path_total{outcome="served"}')
    )
    assert float(served.rsplit(" ", 1)[1]) >= 1
    assert 'talentflow_graphql_fast_path_total{outcome="fallback"}' in page


@pytest.mark.parametrize("pk", [1, 9_223_372_036_854_775_807, -9_223_372_036_854_775_808])
async def test_relay_ids_written_by_postgresql_are_the_schema_s_at_any_size(
    pool: Any, pk: int
) -> None:
    """PostgreSQL's base64 wraps lines past 57 bytes of input; every type written in SQL keeps
    its relay ids within one line, so they equal the schema's for the largest bigints too."""
    from service.api.graphql.ids import encode_id
    from service.db.queries.json_objects import COLUMNS, relay_id_sql

    for type_name in COLUMNS:
        expr = relay_id_sql(type_name, "t")
        written = await pool.fetchval(f"SELECT {expr} FROM (SELECT $1::bigint AS id) t", pk)
        assert written == encode_id(type_name, pk), type_name
