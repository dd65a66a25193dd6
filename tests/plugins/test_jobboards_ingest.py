"""The Greenhouse, Lever and Ashby ingesters over real HTTP from a RecordedServer on 127.0.0.1."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plugins.jobboards.ashby import AshbyIngester
from plugins.jobboards.board import BoardIngester
from plugins.jobboards.common import html_to_text, institution_ref
from plugins.jobboards.greenhouse import GreenhouseIngester
from plugins.jobboards.lever import BASE_URLS, LeverIngester, lever_base_url
from service.config import load_settings
from service.ingest import (
    FatalIngestError,
    IngestContext,
    JobPostingClosed,
    JobPostingSeen,
    PluginSettings,
    SkippableRecordError,
    parse_observation,
)
from service.ingest.http import HttpClient, ValidatorCache, cache_key
from service.ingest.testing import (
    RecordedResponse,
    RecordedServer,
    get_ingester_test_class,
    run_ingester_offline,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "jobboards"
TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
ENTITY_RE = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});")

GREENHOUSE_CFG: dict[str, Any] = {
    "boards": [{"token": "examplelab", "institution": "Example Lab", "country": "US"}]
}
LEVER_CFG: dict[str, Any] = {
    "boards": [{"site": "examplelab", "institution": "mistral-ai", "region": "eu"}],
    "page_size": 2,
}
ASHBY_CFG: dict[str, Any] = {"boards": [{"board": "examplelab", "institution": "Example Lab"}]}


def _greenhouse(server: RecordedServer) -> None:
    server.add("/v1/boards/examplelab/jobs", file=FIXTURES / "greenhouse_examplelab.json")


def _lever(server: RecordedServer) -> None:
    for n in (1, 2, 3):
        server.add(
            "/v0/postings/examplelab",
            query={"skip": str((n - 1) * 2), "limit": "2", "mode": "json"},
            file=FIXTURES / f"lever_examplelab_page{n}.json",
        )


def _ashby(server: RecordedServer) -> None:
    server.add("/posting-api/job-board/examplelab", file=FIXTURES / "ashby_examplelab.json")


def _seen(out: Any) -> dict[str, JobPostingSeen]:
    return {o.external_id: o for o in out.observations if isinstance(o, JobPostingSeen)}


def _closed(out: Any) -> list[JobPostingClosed]:
    return [o for o in out.observations if isinstance(o, JobPostingClosed)]


def _assert_clean_text(text: str | None) -> None:
    assert text, "expected a description"
    assert not TAG_RE.search(text), f"HTML tag left in {text[:200]!r}"
    assert not ENTITY_RE.search(text), f"HTML entity left in {text[:200]!r}"


# -- conformance suites (the framework's own checks) --------------------------------------------
TestGreenhouseConformance = get_ingester_test_class(
    GreenhouseIngester,
    GREENHOUSE_CFG,
    recordings=_greenhouse,
    invalid_configs=[{"boards": []}, {"boards": [{"token": "x y", "institution": "a"}]}],
)
TestLeverConformance = get_ingester_test_class(
    LeverIngester,
    LEVER_CFG,
    recordings=_lever,
    invalid_configs=[
        {"page_size": 0},
        {"boards": [{"site": "x", "institution": "a", "region": "us"}]},
    ],
)
TestAshbyConformance = get_ingester_test_class(
    AshbyIngester,
    ASHBY_CFG,
    recordings=_ashby,
    invalid_configs=[{"requests_per_second": 100}, {"base_url": "ftp://example.org"}],
)


# -- recorded real payloads ----------------------------------------------------------------------
def _recorded_run(cls: type[BoardIngester], cfg: dict[str, Any], path: str, file: Path) -> Any:
    with RecordedServer() as server:
        server.add(path, file=file)
        out = run_ingester_offline(cls, cfg, server=server)
    assert out.rejects == [] and out.other == []
    return out


def _check_recorded(out: Any, count: int) -> list[JobPostingSeen]:
    seen = list(_seen(out).values())
    assert len(seen) == count
    for posting in seen:
        parse_observation(posting.model_dump())  # valid as plain data too
        _assert_clean_text(posting.description)
        assert posting.country_code is not None, posting.location
        assert posting.url and posting.url.startswith("https://")
        assert posting.posted_at is not None and posting.posted_at.tzinfo is not None
        assert posting.is_research == (posting.role_category is not None)
    return seen


def test_recorded_greenhouse_anthropic(recorded: Path) -> None:
    out = _recorded_run(
        GreenhouseIngester,
        {"boards": [{"token": "anthropic", "institution": "anthropic"}]},
        "/v1/boards/anthropic/jobs",
        recorded / "greenhouse_jobs_content_anthropic_trimmed.json",
    )
    seen = {p.title: p for p in _check_recorded(out, 4)}
    fellows = seen["Anthropic Fellows Program, AI Safety"]
    assert fellows.source == "greenhouse" and fellows.external_id == "anthropic:5183044008"
    assert fellows.is_research and fellows.role_category == "phd_residency"
    assert "safety" in fellows.topics
    assert fellows.department == "AI Research & Engineering"
    assert fellows.remote  # "Remote-Friendly, United States"
    assert fellows.institution is not None and fellows.institution.slug == "anthropic"
    assert fellows.posted_at == datetime(2026, 4, 10, 0, 28, 23, tzinfo=UTC)
    assert fellows.description and fellows.description.startswith("About Anthropic\n\n")
    sales = seen["Account Executive, Public Sector"]
    assert not sales.is_research and sales.country_code == "AU"
    # the company intro ("AI systems" twice) must not give every posting a topic
    assert seen["Amazon GTM Partnership, Startups"].topics == []
    assert seen["Amazon GTM Partnership, Startups"].country_code == "US"


def test_recorded_lever_people_ai(recorded: Path) -> None:
    out = _recorded_run(
        LeverIngester,
        {"boards": [{"site": "people-ai", "institution": "People.ai", "country": "US"}]},
        "/v0/postings/people-ai",
        recorded / "lever_postings_people-ai_trimmed.json",
    )
    seen = {p.title: p for p in _check_recorded(out, 4)}
    swe = seen["Senior Software Engineer — XCore (Europe)"]
    assert swe.country_code == "PL" and swe.remote and swe.team == "Engineering - Europe"
    assert swe.posted_at == datetime.fromtimestamp(1782492560352 / 1000, tz=UTC)
    assert swe.external_id == "people-ai:282276d1-9800-4567-a2f8-7eafef1c6fea"
    assert not any(p.is_research for p in seen.values())
    assert seen["Key Account Executive"].country_code == "US"  # bare "Remote" + hint
    director = seen["Director of IT"]
    assert director.description and "\n- Recruit, mentor" in director.description


def test_recorded_ashby_ramp(recorded: Path) -> None:
    out = _recorded_run(
        AshbyIngester,
        {"boards": [{"board": "ramp", "institution": "Ramp"}]},
        "/posting-api/job-board/ramp",
        recorded / "ashby_job_board_ramp_trimmed.json",
    )
    seen = {p.title: p for p in _check_recorded(out, 4)}
    security = seen["Security Engineer, Cloud"]
    assert security.location == "New York, NY (HQ); Remote (Canada); Remote (US); Miami, FL"
    assert security.country_code == "US" and security.remote
    assert security.department == "Engineering" and security.team == "Backend"
    assert not seen["Office Coordinator, NYC"].remote
    assert not any(p.is_research for p in seen.values())


def test_recorded_requests_are_polite(recorded: Path) -> None:
    out = _recorded_run(
        AshbyIngester,
        {"boards": [{"board": "ramp", "institution": "Ramp"}]},
        "/posting-api/job-board/ramp",
        recorded / "ashby_job_board_ramp_trimmed.json",
    )
    [request] = out.requests
    assert request.query == {"includeCompensation": "false"}
    assert request.headers["user-agent"].startswith("talentflow/")


# -- own fixtures --------------------------------------------------------------------------------
def test_greenhouse_html_heavy_content_becomes_text() -> None:
    with RecordedServer() as server:
        _greenhouse(server)
        out = run_ingester_offline(GreenhouseIngester, GREENHOUSE_CFG, server=server)
    seen = _seen(out)
    text = seen["examplelab:1001"].description
    _assert_clean_text(text)
    assert text is not None
    assert "tracking" not in text and "color: red" not in text  # script and style dropped
    assert "You will train large language models and study reasoning in LLMs." in text
    assert "\n\n- Design pretraining experiments\n\n- Publish & present at NeurIPS" in text
    assert "Salary €120,000–€160,000" in text
    assert "Line one\nLine two" in text
    assert text.startswith("About Example Lab\n\n")  # the stored text keeps the intro
    # ... but the classifier reads it without the boilerplate: "systems"/"GPU" add no topic
    assert seen["examplelab:1001"].topics == ["llm"]
    three = seen["examplelab:1003"].description
    _assert_clean_text(three)
    assert three == "Sell things <3 — “quotes” & more."


def test_greenhouse_departments_locations_and_missing_fields() -> None:
    with RecordedServer() as server:
        _greenhouse(server)
        out = run_ingester_offline(GreenhouseIngester, GREENHOUSE_CFG, server=server)
    seen = _seen(out)
    one = seen["examplelab:1001"]
    assert (one.department, one.team) == ("Research", "Pretraining")
    assert one.is_research and one.role_category == "research_scientist"
    assert one.posted_at == datetime(2026, 2, 1, 14, 30, tzinfo=UTC)
    assert one.updated_at == datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert {k: seen[k].country_code for k in ("examplelab:1001", "examplelab:1002")} == {
        "examplelab:1001": "CN",  # 北京
        "examplelab:1002": "CH",  # Zürich
    }
    assert seen["examplelab:1002"].location == "Zürich, Switzerland"
    assert seen["examplelab:1003"].country_code == "BR"  # São Paulo
    bare = seen["examplelab:1004"]  # id and title only
    assert (bare.location, bare.country_code, bare.posted_at, bare.description) == (
        None,
        None,
        None,
        None,
    )
    assert bare.is_research and bare.role_category == "member_of_technical_staff"
    remote = seen["examplelab:1005"]
    assert remote.remote and remote.country_code == "US"  # bare "Remote" + the board's country
    # no title: rejected but still on the board, so it stays open; no id: rejected
    assert [r.position for r in out.rejects] == ["board:examplelab:5", "board:examplelab:6"]
    assert all(isinstance(r, SkippableRecordError) for r in out.rejects)
    assert "examplelab:1006" in out.final_state["boards"]["examplelab"]["open"]


def test_lever_pages_with_skip_and_limit_until_a_short_page() -> None:
    with RecordedServer() as server:
        _lever(server)
        out = run_ingester_offline(LeverIngester, LEVER_CFG, server=server)
    assert [(r.path, r.query) for r in out.requests] == [
        ("/v0/postings/examplelab", {"mode": "json", "skip": str(skip), "limit": "2"})
        for skip in (0, 2, 4)
    ]
    seen = _seen(out)
    assert len(seen) == 5
    first = seen["examplelab:00000000-0000-4000-8000-000000000001"]
    assert (first.department, first.team, first.country_code) == ("Research", "Science", "FR")
    assert first.is_research and "llm" in first.topics
    assert first.posted_at == datetime(2026, 1, 2, tzinfo=UTC)
    _assert_clean_text(first.description)
    assert first.description is not None
    assert "What you will do\n- Train models" in first.description
    assert "reasoning. Apply now." in first.description  # non-breaking space tidied
    countries = {p.title: p.country_code for p in seen.values()}
    assert countries["Recruiter"] == "CH"  # Zürich
    assert countries["Member of Technical Staff, Multimodal"] == "BR"  # São Paulo
    remote = seen["examplelab:00000000-0000-4000-8000-000000000003"]
    assert remote.remote and remote.country_code == "FR"
    assert not seen["examplelab:00000000-0000-4000-8000-000000000004"].is_research


def test_lever_stops_when_the_server_ignores_skip() -> None:
    with RecordedServer() as server:
        server.add("/v0/postings/examplelab", file=FIXTURES / "lever_examplelab_page1.json")
        out = run_ingester_offline(LeverIngester, LEVER_CFG, server=server)
    assert len(out.requests) == 2 and len(_seen(out)) == 2


def test_lever_region_picks_the_host() -> None:
    config = LeverIngester.Config.model_validate(LEVER_CFG)
    board = config.boards[0]  # type: ignore[attr-defined]
    assert lever_base_url(config, board) == BASE_URLS["eu"] == "https://api.eu.lever.co"
    glob = LeverIngester.Config.model_validate({"boards": [{"site": "x", "institution": "a"}]})
    assert lever_base_url(glob, glob.boards[0]) == "https://api.lever.co"  # type: ignore[attr-defined]
    over = LeverIngester.Config.model_validate({**LEVER_CFG, "base_url": "http://127.0.0.1:9/"})
    assert lever_base_url(over, over.boards[0]) == "http://127.0.0.1:9"  # type: ignore[attr-defined]


def test_ashby_skips_unlisted_and_reads_html_when_no_plain_text() -> None:
    with RecordedServer() as server:
        _ashby(server)
        out = run_ingester_offline(AshbyIngester, ASHBY_CFG, server=server)
    seen = _seen(out)
    assert set(seen) == {"examplelab:a-1", "examplelab:a-3", "examplelab:a-4"}
    alignment = seen["examplelab:a-1"]
    assert alignment.is_research and {"safety", "rl"} <= set(alignment.topics)
    assert alignment.location == "San Francisco; London" and alignment.country_code == "US"
    inference = seen["examplelab:a-3"]
    assert inference.description == "About\n\nServe models on GPUs — inference kernels."
    assert inference.remote and inference.country_code == "US"  # from the address
    assert seen["examplelab:a-4"].country_code == "CN"  # 北京市
    assert not seen["examplelab:a-4"].is_research  # data scientists are not research roles


# -- closing between runs ------------------------------------------------------------------------
def _run_two(
    cls: type[BoardIngester],
    cfg: dict[str, Any],
    path: str,
    first: Any,
    second: Any,
    monkeypatch: pytest.MonkeyPatch,
    at: datetime,
) -> tuple[Any, Any]:
    with RecordedServer() as server:
        server.add(path, json=first)
        one = run_ingester_offline(cls, cfg, server=server)
    monkeypatch.setattr(BoardIngester, "now", lambda self: at)
    with RecordedServer() as server:
        server.add(path, json=second)
        two = run_ingester_offline(cls, cfg, one.final_state, server=server)
    return one, two


def test_posting_that_disappears_is_closed_at_the_run_that_noticed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payload = json.loads((FIXTURES / "ashby_examplelab.json").read_text())
    later = {**payload, "jobs": [j for j in payload["jobs"] if j["id"] != "a-3"]}
    later["jobs"].append({"id": "a-9", "title": "Research Scientist, Vision", "location": "Paris"})
    at = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    one, two = _run_two(
        AshbyIngester,
        ASHBY_CFG,
        "/posting-api/job-board/examplelab",
        payload,
        later,
        monkeypatch,
        at,
    )
    assert _closed(one) == []  # a first run closes nothing
    assert _closed(two) == [
        JobPostingClosed(source="ashby", external_id="examplelab:a-3", closed_at=at)
    ]
    assert "examplelab:a-9" in _seen(two)
    assert two.final_state["boards"]["examplelab"]["open"] == [
        "examplelab:a-1",
        "examplelab:a-4",
        "examplelab:a-9",
    ]
    # the closing observations come before the board's checkpoint
    items = [type(o).__name__ for o in two.observations]
    assert items[-1] == "JobPostingClosed"
    # a third run with the posting back: seen again, so it reopens; nothing else closes
    monkeypatch.setattr(BoardIngester, "now", lambda self: datetime(2026, 3, 2, tzinfo=UTC))
    with RecordedServer() as server:
        server.add("/posting-api/job-board/examplelab", json=payload)
        three = run_ingester_offline(AshbyIngester, ASHBY_CFG, two.final_state, server=server)
    assert "examplelab:a-3" in _seen(three)
    assert [c.external_id for c in _closed(three)] == ["examplelab:a-9"]


def test_posting_that_becomes_unlisted_is_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = json.loads((FIXTURES / "ashby_examplelab.json").read_text())
    later = json.loads(json.dumps(payload))
    later["jobs"][0]["isListed"] = False
    _, two = _run_two(
        AshbyIngester,
        ASHBY_CFG,
        "/posting-api/job-board/examplelab",
        payload,
        later,
        monkeypatch,
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert [c.external_id for c in _closed(two)] == ["examplelab:a-1"]


def test_greenhouse_closing_uses_board_prefixed_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    first = {"jobs": [{"id": 1, "title": "Research Scientist"}, {"id": 2, "title": "Recruiter"}]}
    second = {"jobs": [{"id": 1, "title": "Research Scientist"}]}
    at = datetime(2026, 5, 1, tzinfo=UTC)
    _, two = _run_two(
        GreenhouseIngester,
        GREENHOUSE_CFG,
        "/v1/boards/examplelab/jobs",
        first,
        second,
        monkeypatch,
        at,
    )
    assert _closed(two) == [
        JobPostingClosed(source="greenhouse", external_id="examplelab:2", closed_at=at)
    ]


def test_a_board_that_fails_closes_nothing_and_keeps_its_state() -> None:
    cfg = {
        "boards": [
            {"token": "gone", "institution": "a"},
            {"token": "examplelab", "institution": "b"},
        ]
    }
    state = {"boards": {"gone": {"open": ["gone:1", "gone:2"]}}}
    with RecordedServer() as server:
        _greenhouse(server)
        server.add("/v1/boards/gone/jobs", status=404, body="not found")
        out = run_ingester_offline(GreenhouseIngester, cfg, state, server=server)
    assert _closed(out) == []
    assert out.rejects[0].position == "board:gone"
    assert out.final_state["boards"]["gone"] == {"open": ["gone:1", "gone:2"]}
    assert len(out.final_state["boards"]["examplelab"]["open"]) == 6


def test_when_every_board_fails_the_run_fails() -> None:
    with RecordedServer() as server:
        server.add("/v1/boards/examplelab/jobs", status=404, body="not found")
        with pytest.raises(FatalIngestError):
            run_ingester_offline(GreenhouseIngester, GREENHOUSE_CFG, server=server)


def test_boards_removed_from_the_config_keep_their_state() -> None:
    state = {"boards": {"old": {"open": ["old:1"]}}, "other": 1}
    with RecordedServer() as server:
        _greenhouse(server)
        out = run_ingester_offline(GreenhouseIngester, GREENHOUSE_CFG, state, server=server)
    assert out.final_state["boards"]["old"] == {"open": ["old:1"]}
    assert out.final_state["other"] == 1


# -- conditional GET and the rate limit (through the real HttpClient) ----------------------------
async def test_unchanged_board_answers_304_and_yields_nothing_new(tmp_path: Path) -> None:
    etag = '"board-v1"'
    with RecordedServer() as server:
        server.add(
            "/v1/boards/examplelab/jobs",
            RecordedResponse(file=FIXTURES / "greenhouse_examplelab.json", etag=etag),
        )
        cfg = GreenhouseIngester.Config.model_validate({**GREENHOUSE_CFG, "base_url": server.url})
        url = f"{server.url}/v1/boards/examplelab/jobs?content=true"
        cache = ValidatorCache()
        settings = load_settings(contact_email="tests@example.org", http_retries=0)
        http = HttpClient.from_settings(settings, ingester="greenhouse", validators=cache)
        ctx = IngestContext(
            http=http,
            config=cfg,
            logger=IngestContext.ingester_logger("greenhouse"),
            instance="greenhouse",
            settings=PluginSettings.for_ingester(settings, "greenhouse", http.user_agent),
        )
        try:
            first = [o async for o in GreenhouseIngester(cfg).fetch(ctx, None)]
            assert http.limiter.rate == 2.0  # polite by default
            cache.mark_committed(cache.take_pending())  # what the pipeline does on commit
            assert cache.lookup(cache_key(url)) is not None
            state = first[-1].state
            second = [o async for o in GreenhouseIngester(cfg).fetch(ctx, state)]
        finally:
            await http.aclose()
        assert server.requests[-1].headers.get("if-none-match") == etag
    assert sum(isinstance(o, JobPostingSeen) for o in first) == 5
    assert [type(o).__name__ for o in second] == ["Checkpoint"]
    assert second[0].state == state


# -- pieces ---------------------------------------------------------------------------------------
def test_html_to_text_unescapes_once_escaped_markup() -> None:
    raw = "<p>Tom &amp; Jerry &lt;3</p><p>x&nbsp;y</p>"
    assert html_to_text(raw) == "Tom & Jerry <3\n\nx y"
    assert html_to_text(html.escape(raw)) == "Tom & Jerry <3\n\nx y"
    assert html_to_text("") is None and html_to_text(None) is None and html_to_text(3) is None


def test_institution_ref_reads_slug_ror_or_name() -> None:
    assert institution_ref("anthropic").slug == "anthropic"
    assert institution_ref("https://ror.org/05wx9n238").ids == {"ror": "05wx9n238"}
    assert institution_ref("Example Lab").name == "Example Lab"
    assert institution_ref({"name": "X", "country_code": "FR"}).country_code == "FR"


def test_seed_slug_gives_the_remote_country_hint() -> None:
    with RecordedServer() as server:
        server.add(
            "/v1/boards/deepseek/jobs",
            json={"jobs": [{"id": 1, "title": "Researcher, LLM", "location": {"name": "Remote"}}]},
        )
        out = run_ingester_offline(
            GreenhouseIngester,
            {"boards": [{"token": "deepseek", "institution": "deepseek"}]},
            server=server,
        )
    [posting] = _seen(out).values()
    assert posting.country_code == "CN" and posting.remote


def test_ingesters_are_registered_through_entry_points() -> None:
    from service.ingest.manager import get_plugin_manager

    names = {c.name for group in get_plugin_manager().hook.register_ingesters() for c in group}
    assert {"greenhouse", "lever", "ashby"} <= names


def test_the_documented_configs_validate() -> None:
    import tomllib

    doc = (Path(__file__).resolve().parents[2] / "docs" / "plugins" / "jobboards.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", doc, re.S)
    assert len(blocks) == 3
    for block, cls in zip(blocks, (GreenhouseIngester, LeverIngester, AshbyIngester), strict=True):
        config = cls.Config.model_validate(tomllib.loads(block))
        assert all(b.country_hint() for b in config.boards)  # type: ignore[attr-defined]
