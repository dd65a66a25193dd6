"""The openalex ingester: recorded real payloads, and runs over real HTTP from 127.0.0.1.

Every run goes through the framework's ``HttpClient`` against a ``RecordedServer``: retries,
Retry-After, the rate limit and cursor paging are what is under test.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from plugins.openalex import OpenAlexConfig, OpenAlexIngester
from plugins.openalex.parse import (
    author_record,
    first_work_observations,
    first_works,
    institution_family,
    institution_kind,
    institution_seen,
)
from service.config import load_settings
from service.ingest import (
    AffiliationSeen,
    Checkpoint,
    DocumentSeen,
    FatalIngestError,
    HttpClient,
    IngestContext,
    IngestError,
    InstitutionSeen,
    PluginSettings,
    ResearcherSeen,
    RetriableIngestError,
    SkippableRecordError,
)
from service.ingest.testing import (
    RecordedResponse,
    RecordedServer,
    StateBuilder,
    get_ingester_test_class,
    run_ingester_offline,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openalex"
KEY = "sekrit-openalex-key-123"
BASE_CONFIG: dict[str, Any] = {
    "topics": ["T10036"],
    "min_works_count": 20,
    "api_key": KEY,
    "mailto": "data@example.org",
}


def page(n: int | str) -> Path:
    return FIXTURES / f"authors_page_{n}.json"


def five_pages(server: RecordedServer) -> None:
    """Five pages of two authors each, then the empty terminal page."""
    server.add("/authors", file=page(1), query={"cursor": "*"})
    for n in range(2, 6):
        server.add("/authors", file=page(n), query={"cursor": f"cursor-{n}"})
    server.add("/authors", file=page("end"), query={"cursor": "cursor-6"})


def cursors(requests: list[Any], path: str = "/authors") -> list[str]:
    return [r.query.get("cursor", "") for r in requests if r.path == path]


@dataclass
class Run:
    items: list[Any] = field(default_factory=list)
    error: IngestError | None = None
    sleeps: list[float] = field(default_factory=list)
    rate: float = 0.0

    @property
    def checkpoints(self) -> list[Checkpoint]:
        return [i for i in self.items if isinstance(i, Checkpoint)]

    @property
    def state(self) -> dict[str, Any] | None:
        return self.checkpoints[-1].state if self.checkpoints else None

    def of(self, kind: type) -> list[Any]:
        return [i for i in self.items if isinstance(i, kind)]


async def drive(
    server: RecordedServer, config: dict[str, Any], state: dict[str, Any] | None = None
) -> Run:
    """Run ``fetch`` with the framework's HttpClient pointed at ``server``; keep what was
    yielded before an error (as the pipeline would have committed it) and every sleep asked
    for (backoff, Retry-After, rate limit) without actually sleeping."""
    run = Run()

    async def sleep(seconds: float) -> None:
        run.sleeps.append(seconds)

    settings = load_settings(contact_email="tests@example.org", http_retries=2, http_timeout_s=10)
    http = HttpClient.from_settings(
        settings, ingester="openalex", redirect_to=server.url, sleep=sleep
    )
    cfg = OpenAlexConfig.model_validate(config)
    ctx = IngestContext(
        http=http,
        config=cfg,
        logger=IngestContext.ingester_logger("openalex"),
        instance="openalex",
        settings=PluginSettings.for_ingester(settings, "openalex", http.user_agent),
    )
    try:
        async for item in OpenAlexIngester(cfg).fetch(ctx, state):
            run.items.append(item)
    except IngestError as exc:
        run.error = exc
    finally:
        run.rate = http.limiter.rate
        await http.aclose()
    return run


# -- recorded real payloads --------------------------------------------------------------------
def test_recorded_author_maps_to_researcher_affiliations_and_institutions(recorded: Path) -> None:
    author = json.loads((recorded / "openalex_author_A5023888391.json").read_text())
    record = author_record(author)
    r = record.researcher
    assert r.name == "Jason Priem"
    assert r.ids == {"openalex": "A5023888391", "orcid": "0000-0001-6187-6610"}
    assert r.aliases == ["Priem Jason"]
    assert (r.works_count, r.cited_by_count, r.h_index) == (62, 3890, 17)
    assert "scientometrics and bibliometrics research" in r.topics
    assert record.document.url == "https://openalex.org/A5023888391"
    assert record.document.kind == "profile" and record.document.publisher == "OpenAlex"
    by_key = {a.source_key: a for a in record.affiliations}
    assert len(by_key) == 8
    unc = by_key["openalex:A5023888391:I114027177"]
    assert unc.years == [2010, 2011, 2012, 2013, 2014]
    assert unc.institution.ids == {"openalex": "I114027177", "ror": "0130frc33"}
    assert unc.document_url == "https://openalex.org/A5023888391"
    kinds = {i.name: i.kind for i in record.institutions}
    # "funder" in OpenAlex, a university by its name:
    assert kinds["Johns Hopkins University"] == "university"
    assert kinds["Florida College"] == "university"
    assert kinds["OurResearch"] == "nonprofit"
    assert kinds["Impact Technology Development (United States)"] == "company"
    assert {i.country_code for i in record.institutions} == {"US", "CA"}


def test_recorded_institution_has_children_pointing_at_it(recorded: Path) -> None:
    body = json.loads((recorded / "openalex_institution_I27837315.json").read_text())
    family = institution_family(body)
    me = family[0]
    assert me.name == "University of Michigan"
    assert me.ids == {"openalex": "I27837315", "ror": "00jmfr291"}
    assert me.kind == "university"  # OpenAlex says "funder"
    assert (me.country_code, me.city, me.website) == ("US", "Ann Arbor", "https://www.umich.edu")
    assert "UMich" in me.aliases and me.parent is None
    children = family[1:]
    expected = [
        a for a in body["associated_institutions"] if a["relationship"] == "child" and a["id"]
    ]
    assert len(children) == len(expected) > 0
    assert all(c.parent and c.parent.ids["openalex"] == "I27837315" for c in children)
    assert "Michigan Sea Grant" in {c.name for c in children}


def test_recorded_work_authorships_and_lineage(recorded: Path) -> None:
    work = json.loads((recorded / "openalex_work_W2741809807.json").read_text())
    found = first_works([work], {"A5023888391", "A5068542997"})
    assert set(found) == {
        ("A5023888391", "I4210166736"),
        ("A5068542997", "I70931966"),
        ("A5068542997", "I159129438"),
    }
    items = list(first_work_observations(found[("A5068542997", "I159129438")]))
    doc, inst, aff = items
    assert isinstance(doc, DocumentSeen) and doc.url == "https://openalex.org/W2741809807"
    assert doc.kind == "publication"
    # Université du Québec à Montréal: its lineage names the Université du Québec network.
    assert isinstance(inst, InstitutionSeen) and inst.parent is not None
    assert inst.parent.ids == {"openalex": "I49663120"}
    assert isinstance(aff, AffiliationSeen)
    assert (aff.start.year, aff.start.month) == (2018, 2)  # type: ignore[union-attr]
    assert aff.source_key == "openalex-works:A5068542997:I159129438"
    assert aff.person.ids["orcid"] == "0000-0002-2733-0689"
    # Public Knowledge Project: lineage lists the parent first, itself second.
    pkp = next(
        i
        for a in work["authorships"]
        for i in a["institutions"]
        if i["display_name"] == "Public Knowledge Project"
    )
    seen = institution_seen(pkp)
    assert seen is not None and seen.parent is not None
    assert seen.parent.ids == {"openalex": "I18014758"}


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        ("funder", "Tsinghua University", "university"),
        ("funder", "清华大学", "university"),
        ("facility", "Massachusetts Institute of Technology", "university"),
        ("funder", "National Science Foundation", "other"),
        ("facility", "Example Vision Lab", "lab"),
        ("company", "University Hospitals Ltd", "company"),
        ("government", "Ministry of Science", "government"),
        (None, "Somewhere", "other"),
    ],
)
def test_institution_kind(kind: str | None, name: str, expected: str) -> None:
    assert institution_kind(kind, name) == expected


# -- config -----------------------------------------------------------------------------------
def test_config_normalises_ids_and_builds_the_documented_filter() -> None:
    cfg = OpenAlexConfig.model_validate(
        {
            "institutions": ["https://openalex.org/I99065089", "https://ror.org/00f54p054"],
            "topics": ["https://openalex.org/T10036", "T10320"],
            "authors": ["A5023888391", "https://orcid.org/0000-0001-6187-6610"],
            "min_works_count": 20,
        }
    )
    assert cfg.institutions == ["I99065089", "ror:00f54p054"]
    assert cfg.authors == ["A5023888391", "orcid:0000-0001-6187-6610"]
    from datetime import date

    assert cfg.list_filters(["I99065089", "I97018004"], date(2025, 1, 2)) == (
        "affiliations.institution.id:I99065089|I97018004,topics.id:T10036|T10320,"
        "works_count:>19,from_updated_date:2025-01-02"
    )
    last = cfg.model_copy(update={"institution_filter": "last_known", "min_works_count": None})
    assert (
        last.list_filters(["I1"], None) == "last_known_institutions.id:I1,topics.id:T10036|T10320"
    )


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"institutions": ["Tsinghua"]}, "institutions"),
        ({"topics": ["A123"]}, "topics"),
        ({"authors": ["0000-0001"]}, "authors"),
        ({"per_page": 500}, "per_page"),
        ({"requests_per_second": 50}, "requests_per_second"),
        ({"base_url": "api.openalex.org"}, "base_url"),
    ],
)
def test_config_errors_name_the_setting(bad: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        OpenAlexConfig.model_validate({**BASE_CONFIG, **bad})
    assert field in {str(e["loc"][0]) for e in info.value.errors()}


def test_config_refuses_to_follow_nothing() -> None:
    with pytest.raises(ValidationError, match="institutions, topics or authors"):
        OpenAlexConfig.model_validate({"min_works_count": 20})


def test_api_key_is_not_in_the_config_repr() -> None:
    cfg = OpenAlexConfig.model_validate(BASE_CONFIG)
    assert KEY not in repr(cfg) and KEY not in cfg.model_dump_json()


# -- runs over HTTP ---------------------------------------------------------------------------
TestOpenAlexConformance = get_ingester_test_class(
    OpenAlexIngester,
    BASE_CONFIG,
    recordings=five_pages,
    invalid_configs=[{"topics": ["nope"]}, {"institutions": ["x"]}],
)


async def test_five_page_cursor_run(recorded_server: RecordedServer) -> None:
    five_pages(recorded_server)
    run = await drive(recorded_server, BASE_CONFIG)
    assert run.error is None
    assert cursors(recorded_server.requests) == ["*"] + [f"cursor-{n}" for n in range(2, 7)]
    first = recorded_server.requests[0].query
    assert first["filter"] == "topics.id:T10036,works_count:>19"
    assert first["per_page"] == "100"
    assert first["select"].startswith("id,orcid,display_name")
    assert first["mailto"] == "data@example.org" and first["api_key"] == KEY
    researchers = run.of(ResearcherSeen)
    assert len(researchers) == 10
    assert len({r.ids["openalex"] for r in researchers}) == 10
    movers = [a for a in run.of(AffiliationSeen) if a.institution.ids["openalex"] == "I99065089"]
    assert {tuple(a.years) for a in movers} == {(2023, 2024, 2025)}
    # the lab's lineage names Stanford as its parent
    lab = next(i for i in run.of(InstitutionSeen) if i.ids["openalex"] == "I4210090411")
    assert lab.kind == "lab" and lab.parent and lab.parent.ids == {"openalex": "I97018004"}
    # a checkpoint after every page that has a next page, then the end of the pass
    states = [c.state for c in run.checkpoints]
    list_cursors = [
        s["pass"]["cursor"] for s in states if s["pass"] and s["pass"]["step"] == "list"
    ]
    assert list_cursors[-5:] == [f"cursor-{n}" for n in range(2, 7)]
    today = datetime.now(UTC).date().isoformat()
    assert states[-1] == {"since": today, "pass": None}
    assert KEY not in json.dumps(states)
    assert all(KEY not in (o.model_dump_json()) for o in run.items if hasattr(o, "model_dump_json"))
    # the framework's rate limit was set to the config's 8 requests per second
    assert run.rate == 8.0
    assert run.sleeps and all(0 < s <= 1 / 8 + 1e-6 for s in run.sleeps)


async def test_next_run_is_incremental_from_the_pass_start(recorded_server: RecordedServer) -> None:
    recorded_server.add("/authors", file=page("end"))
    state = StateBuilder().with_("since", "2025-03-01").with_("pass", None).build()
    run = await drive(recorded_server, BASE_CONFIG, state)
    assert run.error is None
    assert recorded_server.requests[0].query["filter"].endswith(",from_updated_date:2025-03-01")
    assert run.state == {"since": datetime.now(UTC).date().isoformat(), "pass": None}


async def test_first_run_uses_configured_since(recorded_server: RecordedServer) -> None:
    recorded_server.add("/authors", file=page("end"))
    await drive(recorded_server, {**BASE_CONFIG, "since": "2024-12-31"})
    assert "from_updated_date:2024-12-31" in recorded_server.requests[0].query["filter"]


async def test_429_with_retry_after_is_waited_out(recorded_server: RecordedServer) -> None:
    recorded_server.add("/authors", file=page(1), query={"cursor": "*"})
    recorded_server.add_sequence(
        "/authors",
        [
            RecordedResponse(status=429, body="slow down", headers={"Retry-After": "7"}),
            RecordedResponse(file=page("end")),
        ],
        query={"cursor": "cursor-2"},
    )
    run = await drive(recorded_server, BASE_CONFIG)
    assert run.error is None
    assert cursors(recorded_server.requests) == ["*", "cursor-2", "cursor-2"]
    assert 7.0 in run.sleeps
    assert len(run.of(ResearcherSeen)) == 2


async def test_500_then_success(recorded_server: RecordedServer) -> None:
    recorded_server.add_sequence(
        "/authors",
        [RecordedResponse(status=500, body="oops"), RecordedResponse(file=page("end"))],
    )
    run = await drive(recorded_server, BASE_CONFIG)
    assert run.error is None
    assert len(recorded_server.requests) == 2
    assert run.state and run.state["pass"] is None


async def test_persistent_503_fails_the_run_as_retriable(recorded_server: RecordedServer) -> None:
    recorded_server.add("/authors", status=503, body="down")
    run = await drive(recorded_server, BASE_CONFIG)
    assert isinstance(run.error, RetriableIngestError)
    assert len(recorded_server.requests) == 3  # http_retries=2


async def test_malformed_page_fails_the_run_and_the_rerun_resumes_there(
    recorded_server: RecordedServer,
) -> None:
    """Garbage JSON cannot be skipped (its next cursor is unknown): the run fails with a clear
    error and keeps the checkpoint of the page before, so the next run asks for it again."""
    recorded_server.add("/authors", file=page(1), query={"cursor": "*"})
    recorded_server.add_sequence(
        "/authors",
        [
            RecordedResponse(body=b'{"meta": {"next_cursor": "cursor-3"}, "results": [{"id": '),
            RecordedResponse(file=page(2)),
        ],
        query={"cursor": "cursor-2"},
    )
    recorded_server.add("/authors", file=page("end"), query={"cursor": "cursor-3"})
    first = await drive(recorded_server, BASE_CONFIG)
    assert isinstance(first.error, RetriableIngestError)
    assert "invalid JSON" in first.error.message and "cursor=cursor-2" in first.error.message
    assert KEY not in first.error.message
    assert first.state and first.state["pass"]["cursor"] == "cursor-2"
    second = await drive(recorded_server, BASE_CONFIG, first.state)
    assert second.error is None
    assert cursors(recorded_server.requests) == ["*", "cursor-2", "cursor-2", "cursor-3"]


async def test_page_without_results_is_rejected(recorded_server: RecordedServer) -> None:
    recorded_server.add("/authors", json={"error": "Invalid query"})
    run = await drive(recorded_server, BASE_CONFIG)
    assert isinstance(run.error, RetriableIngestError)
    assert "without a results list" in run.error.message


async def test_stopped_after_page_two_resumes_at_page_three(
    recorded_server: RecordedServer,
) -> None:
    # of two routes equally specific, the one added first answers
    recorded_server.add_sequence(
        "/authors",
        [RecordedResponse(status=400, body="bad request"), RecordedResponse(file=page(3))],
        query={"cursor": "cursor-3"},
    )
    five_pages(recorded_server)
    first = await drive(recorded_server, BASE_CONFIG)
    assert isinstance(first.error, FatalIngestError) and "400" in first.error.message
    assert len(first.of(ResearcherSeen)) == 4
    assert first.state and first.state["pass"]["cursor"] == "cursor-3"
    before = len(recorded_server.requests)
    second = await drive(recorded_server, BASE_CONFIG, first.state)
    assert second.error is None
    assert cursors(recorded_server.requests[before:]) == [f"cursor-{n}" for n in range(3, 7)]
    with RecordedServer() as fresh:
        five_pages(fresh)
        whole = await drive(fresh, BASE_CONFIG)
    resumed = {o.model_dump_json() for o in first.items + second.items if hasattr(o, "type")}
    uninterrupted = {o.model_dump_json() for o in whole.items if hasattr(o, "type")}
    assert resumed == uninterrupted


async def test_a_pass_checkpointed_before_the_cursor_helper_resumes(
    recorded_server: RecordedServer,
) -> None:
    """A state as the ingester wrote it by hand, part-way through a pass: the pass resumes at
    its page, and its end stores the day the pass started as the next ``since``."""
    five_pages(recorded_server)
    before = {
        "since": "2025-03-01",
        "pass": {
            "since": "2025-03-01",
            "started": "2025-06-01",
            "step": "list",
            "index": 0,
            "cursor": "cursor-3",
            "institution_ids": [],
        },
    }
    run = await drive(recorded_server, BASE_CONFIG, before)
    assert run.error is None
    assert cursors(recorded_server.requests) == [f"cursor-{n}" for n in range(3, 7)]
    assert "from_updated_date:2025-03-01" in recorded_server.requests[0].query["filter"]
    states = [c.state for c in run.checkpoints]
    assert all(s["since"] == "2025-03-01" for s in states[:-1])  # part-way: unchanged
    assert states[-1] == {"since": "2025-06-01", "pass": None}


async def test_refused_key_names_the_api_key_setting(
    recorded_server: RecordedServer, caplog: pytest.LogCaptureFixture
) -> None:
    recorded_server.add("/authors", status=401, body="Invalid API key")
    with caplog.at_level(logging.DEBUG):
        run = await drive(recorded_server, BASE_CONFIG)
    assert isinstance(run.error, FatalIngestError)
    assert "`api_key`" in run.error.message
    assert KEY not in run.error.message and KEY not in caplog.text


async def test_institutions_are_read_then_used_in_the_author_filter(
    recorded_server: RecordedServer,
) -> None:
    recorded_server.add("/institutions/I99065089", file=FIXTURES / "institution_I99065089.json")
    recorded_server.add("/institutions/ror:00f54p054", file=FIXTURES / "institution_I97018004.json")
    recorded_server.add("/institutions/I1", status=404, body='{"error": "not found"}')
    recorded_server.add("/authors", file=page("end"))
    config = {**BASE_CONFIG, "institutions": ["I99065089", "https://ror.org/00f54p054", "I1"]}
    run = await drive(recorded_server, config)
    assert run.error is None
    paths = [r.path for r in recorded_server.requests]
    assert paths == [
        "/institutions/I99065089",
        "/institutions/ror:00f54p054",
        "/institutions/I1",
        "/authors",
    ]
    assert recorded_server.requests[-1].query["filter"] == (
        "affiliations.institution.id:I99065089|I97018004,topics.id:T10036,works_count:>19"
    )
    insts = {i.name: i for i in run.of(InstitutionSeen)}
    assert insts["Tsinghua University"].kind == "university"
    assert "清华大学" in insts["Tsinghua University"].aliases
    child = insts["Example Institute for AI Industry Research"]
    assert child.parent and child.parent.ids["openalex"] == "I99065089"
    assert [r.position for r in run.of(SkippableRecordError)] == ["I1"]


async def test_no_institution_found_refuses_an_unfiltered_list(
    recorded_server: RecordedServer,
) -> None:
    recorded_server.add("/institutions/I1", status=404, body="{}")
    run = await drive(recorded_server, {"institutions": ["I1"]})
    assert isinstance(run.error, FatalIngestError)
    assert [r.path for r in recorded_server.requests] == ["/institutions/I1"]


async def test_explicit_authors_are_read_one_by_one(
    recorded_server: RecordedServer, recorded: Path
) -> None:
    recorded_server.add("/authors/A5023888391", file=recorded / "openalex_author_A5023888391.json")
    recorded_server.add(
        "/authors/orcid:0000-0001-6187-6610", file=recorded / "openalex_author_A5023888391.json"
    )
    run = await drive(
        recorded_server, {"authors": ["A5023888391", "0000-0001-6187-6610"], "api_key": KEY}
    )
    assert run.error is None
    assert [r.path for r in recorded_server.requests] == [
        "/authors/A5023888391",
        "/authors/orcid:0000-0001-6187-6610",
    ]
    assert len(run.of(ResearcherSeen)) == 2
    # incremental: an author not updated since the last pass is not emitted again
    state = {"since": "2025-07-01", "pass": None}
    again = await drive(recorded_server, {"authors": ["A5023888391"]}, state)
    assert again.of(ResearcherSeen) == []


async def test_works_mode_dates_affiliation_starts(recorded_server: RecordedServer) -> None:
    recorded_server.add("/authors", file=FIXTURES / "authors_e2e.json")
    recorded_server.add("/works", file=FIXTURES / "works_page_1.json", query={"cursor": "*"})
    recorded_server.add("/works", file=FIXTURES / "works_page_2.json", query={"cursor": "works-2"})
    config = {**BASE_CONFIG, "works_mode": True, "works_since_year": 2015}
    run = await drive(recorded_server, config)
    assert run.error is None
    works_requests = [r for r in recorded_server.requests if r.path == "/works"]
    assert cursors(works_requests, "/works") == ["*", "works-2"]
    assert works_requests[0].query["filter"] == (
        "author.id:A5900000091|A5900000092|A5900000093,from_publication_date:2015-01-01"
    )
    starts = {
        a.source_key: (a.start.year, a.start.month, a.document_url)
        for a in run.of(AffiliationSeen)
        if a.start is not None
    }
    assert starts == {
        "openalex-works:A5900000091:I99065089": (2023, 3, "https://openalex.org/W9100000003"),
        "openalex-works:A5900000091:I97018004": (2018, 6, "https://openalex.org/W9100000001"),
    }
    # works counted per affiliation-year, on the author's own affiliations (same key, same
    # profile document; years kept); W9100000003 and W9100000004 are both 2023 at Tsinghua
    counted = {
        a.source_key: (a.years, a.documents_per_year, a.document_url)
        for a in run.of(AffiliationSeen)
        if a.documents_per_year
    }
    assert counted == {
        "openalex:A5900000091:I99065089": (
            [2023, 2024, 2025],
            {2023: 2},
            "https://openalex.org/A5900000091",
        ),
        "openalex:A5900000091:I97018004": (
            [2018, 2019, 2020, 2021, 2022],
            {2018: 1, 2022: 1},
            "https://openalex.org/A5900000091",
        ),
    }
    # the co-author is not followed: no affiliation for them
    assert all(a.person.ids.get("openalex") != "A5900000099" for a in run.of(AffiliationSeen))
    docs = [d.url for d in run.of(DocumentSeen) if d.kind == "publication"]
    assert len(docs) == len(set(docs)) == 2


def test_offline_runner_with_limit(recorded_server: RecordedServer) -> None:
    five_pages(recorded_server)
    out = run_ingester_offline(OpenAlexIngester, BASE_CONFIG, server=recorded_server, limit=5)
    assert len(out.observations) == 5
    assert cursors(out.requests) == ["*"]


def test_ror_predecessors_and_successors_are_passed_on(recorded: Path) -> None:
    body = json.loads((recorded / "openalex_institution_I27837315.json").read_text())
    child = next(a for a in body["associated_institutions"] if a["relationship"] == "child")
    body["associated_institutions"] = [
        {**child, "relationship": "predecessor"},
        {**child, "id": "https://openalex.org/I1", "relationship": "successor"},
        {**child, "id": "https://openalex.org/I2", "relationship": "related"},
    ]
    seen = institution_family(body)[0]
    assert [p.institution.ids["openalex"] for p in seen.predecessors] == [
        child["id"].rsplit("/", 1)[-1]
    ]
    assert [s.institution.ids["openalex"] for s in seen.successors] == ["I1"]
    assert seen.predecessors[0].date is None
