"""The orcid ingester: recorded real payloads, and runs over real HTTP from 127.0.0.1."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from plugins.orcid import (
    OrcidConfig,
    OrcidIngester,
    employment_observations,
    normalize_orcid,
    orcid_checksum_ok,
    partial_date,
    person_name,
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
    PersonRef,
    PluginSettings,
    ResearcherSeen,
    SkippableRecordError,
)
from service.ingest.http import ValidatorCache
from service.ingest.testing import RecordedResponse, RecordedServer, get_ingester_test_class

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "orcid"
ADA = "0000-0000-1234-5672"
CARBERRY = "0000-0002-1825-0097"
TOKEN = "sekrit-orcid-token-456"


def serve_ada(server: RecordedServer, **extra: Any) -> None:
    server.add(
        f"/v3.0/{ADA}/employments",
        RecordedResponse(file=FIXTURES / f"employments_{ADA}.json", **extra),
    )
    server.add(f"/v3.0/{ADA}/person", file=FIXTURES / f"person_{ADA}.json")


@dataclass
class Run:
    items: list[Any] = field(default_factory=list)
    error: IngestError | None = None

    @property
    def state(self) -> dict[str, Any] | None:
        cps = [i for i in self.items if isinstance(i, Checkpoint)]
        return cps[-1].state if cps else None

    def of(self, kind: type) -> list[Any]:
        return [i for i in self.items if isinstance(i, kind)]


async def drive(
    server: RecordedServer,
    config: dict[str, Any],
    state: dict[str, Any] | None = None,
    validators: ValidatorCache | None = None,
) -> Run:
    """Run ``fetch`` through the framework's HttpClient against ``server``."""
    run = Run()

    async def sleep(_: float) -> None:
        return None

    settings = load_settings(contact_email="tests@example.org", http_retries=2, http_timeout_s=10)
    http = HttpClient.from_settings(
        settings, ingester="orcid", redirect_to=server.url, sleep=sleep, validators=validators
    )
    cfg = OrcidConfig.model_validate(config)
    ctx = IngestContext(
        http=http,
        config=cfg,
        logger=IngestContext.ingester_logger("orcid"),
        instance="orcid",
        settings=PluginSettings.for_ingester(settings, "orcid", http.user_agent),
    )
    try:
        async for item in OrcidIngester(cfg).fetch(ctx, state):
            run.items.append(item)
    except IngestError as exc:
        run.error = exc
    finally:
        await http.aclose()
    return run


# -- recorded real payloads --------------------------------------------------------------------
def test_recorded_employments_give_affiliations_with_partial_dates(recorded: Path) -> None:
    employments = json.loads((recorded / f"orcid_v3_employments_{CARBERRY}.json").read_text())
    person = PersonRef(name="Josiah Carberry", ids={"orcid": CARBERRY})
    items = list(employment_observations(CARBERRY, person, employments))
    insts = [i for i in items if isinstance(i, InstitutionSeen)]
    affs = {a.source_key: a for a in items if isinstance(a, AffiliationSeen)}
    assert [i.name for i in insts] == ["Wesleyan University", "Brown University"]
    assert insts[0].ids == {"ringgold": "5468"} and insts[0].country_code == "US"
    assert insts[0].city == "Middletown" and insts[0].kind == "university"
    wesleyan = affs[f"orcid:{CARBERRY}:4288"]
    # 1930-02-29 does not exist: the year and month are kept
    assert (wesleyan.start.year, wesleyan.start.month, wesleyan.start.day) == (1930, 2, None)  # type: ignore[union-attr]
    assert wesleyan.end is None
    assert (wesleyan.role, wesleyan.department) == ("Professor", "Psychoceramics")
    assert wesleyan.document_url == f"https://orcid.org/{CARBERRY}"
    assert affs[f"orcid:{CARBERRY}:4278"].institution.ids == {"ringgold": "6752"}


def test_recorded_person_gives_the_name(recorded: Path) -> None:
    record = json.loads((recorded / f"orcid_v3_record_full_{CARBERRY}.json").read_text())
    name, aliases = person_name(record["person"])
    assert name == "Josiah Carberry"
    assert "Josiah Stinkney Carberry" in aliases


# -- pure helpers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("orcid", "ok"),
    [
        (CARBERRY, True),
        ("0000-0002-1694-233X", True),
        (ADA, True),
        ("0000-0002-1825-0098", False),
        ("0000-0002-1694-2330", False),
    ],
)
def test_orcid_checksum(orcid: str, ok: bool) -> None:
    assert orcid_checksum_ok(orcid) is ok


def test_orcid_urls_are_normalised() -> None:
    assert normalize_orcid(f"https://orcid.org/{CARBERRY}") == CARBERRY
    assert normalize_orcid("0000-0002-1694-233x") == "0000-0002-1694-233X"


def test_bad_orcid_in_config_is_named() -> None:
    with pytest.raises(ValidationError) as info:
        OrcidConfig.model_validate({"orcids": [CARBERRY, "0000-0002-1825-0098"]})
    message = str(info.value)
    assert "0000-0002-1825-0098" in message and "check digit" in message
    assert info.value.errors()[0]["loc"][0] == "orcids"
    with pytest.raises(ValidationError, match="not an ORCID iD"):
        OrcidConfig.model_validate({"orcids": ["Josiah Carberry"]})


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (None, None),
        ({"year": {"value": "2019"}, "month": None, "day": None}, (2019, None, None)),
        ({"year": {"value": "2019"}, "month": {"value": "09"}, "day": None}, (2019, 9, None)),
        (
            {"year": {"value": "2019"}, "month": {"value": "09"}, "day": {"value": "01"}},
            (2019, 9, 1),
        ),
        (
            {"year": {"value": "2023"}, "month": {"value": "02"}, "day": {"value": "30"}},
            (2023, 2, None),
        ),
        ({"year": None, "month": {"value": "02"}, "day": None}, None),
    ],
)
def test_partial_dates(node: Any, expected: tuple[int, int | None, int | None] | None) -> None:
    got = partial_date(node)
    assert (None if got is None else (got.year, got.month, got.day)) == expected


def test_token_is_not_in_the_config_repr() -> None:
    cfg = OrcidConfig.model_validate({"orcids": [ADA], "token": TOKEN})
    assert TOKEN not in repr(cfg) and TOKEN not in cfg.model_dump_json()


# -- runs over HTTP ---------------------------------------------------------------------------
TestOrcidConformance = get_ingester_test_class(
    OrcidIngester,
    {"orcids": [ADA]},
    recordings=serve_ada,
    invalid_configs=[{"orcids": ["0000-0002-1825-0098"]}, {"orcids": []}],
)


async def test_record_with_an_ended_job(
    recorded_server: RecordedServer, caplog: pytest.LogCaptureFixture
) -> None:
    serve_ada(recorded_server)
    with caplog.at_level(logging.DEBUG):
        run = await drive(recorded_server, {"orcids": [ADA], "token": TOKEN})
    assert run.error is None
    first = recorded_server.requests[0]
    assert first.path == f"/v3.0/{ADA}/employments"
    assert first.headers["accept"] == "application/json"
    assert first.headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in caplog.text
    (doc,) = run.of(DocumentSeen)
    assert (doc.url, doc.kind) == (f"https://orcid.org/{ADA}", "profile")
    (researcher,) = run.of(ResearcherSeen)
    assert researcher.name == "Ada K. Example" and researcher.ids == {"orcid": ADA}
    assert set(researcher.aliases) == {"Ada Example", "艾达"}
    affs = {a.institution.name: a for a in run.of(AffiliationSeen)}
    assert set(affs) == {"Tsinghua University", "Stanford University", "Example Robotics GmbH"}
    stanford = affs["Stanford University"]
    assert (stanford.start.year, stanford.start.month, stanford.start.day) == (2019, 9, 1)  # type: ignore[union-attr]
    assert (stanford.end.year, stanford.end.month, stanford.end.day) == (2023, 2, 28)  # type: ignore[union-attr]
    assert stanford.role == "Postdoctoral Scholar" and stanford.department == "Computer Science"
    assert stanford.source_key == f"orcid:{ADA}:91000"
    assert stanford.institution.ids == {"ringgold": "6429"}
    tsinghua = affs["Tsinghua University"]
    assert tsinghua.institution.ids == {"ror": "03cve4549"} and tsinghua.end is None
    assert tsinghua.institution.country_code == "CN"
    assert affs["Example Robotics GmbH"].institution.ids == {"grid": "grid.000000.0"}
    # the undated employment still names its institution, but is no affiliation
    assert "Undated Lab" in {i.name for i in run.of(InstitutionSeen)}
    assert run.state == {"last_modified": {ADA: 1714000000000}}


async def test_unchanged_record_is_skipped(recorded_server: RecordedServer) -> None:
    serve_ada(recorded_server)
    run = await drive(recorded_server, {"orcids": [ADA]}, {"last_modified": {ADA: 1714000000000}})
    assert run.of(AffiliationSeen) == []
    # the educations section is read too (either section may have changed); not the person
    assert [r.path for r in recorded_server.requests] == [
        f"/v3.0/{ADA}/employments",
        f"/v3.0/{ADA}/educations",
    ]


async def test_conditional_get_304_is_skipped(recorded_server: RecordedServer) -> None:
    serve_ada(recorded_server, etag='"v1"')
    validators = ValidatorCache()
    first = await drive(recorded_server, {"orcids": [ADA]}, validators=validators)
    assert len(first.of(AffiliationSeen)) == 3
    # as the pipeline does when it commits the checkpoint
    validators.mark_committed(validators.take_pending())
    second = await drive(recorded_server, {"orcids": [ADA]}, validators=validators)
    assert second.of(AffiliationSeen) == []
    last = recorded_server.requests[-1]
    assert last.headers.get("if-none-match") == '"v1"'
    assert second.state == {"last_modified": {}}


async def test_missing_record_is_rejected_and_the_run_goes_on(
    recorded_server: RecordedServer,
) -> None:
    recorded_server.add(f"/v3.0/{CARBERRY}/employments", status=404, body="{}")
    serve_ada(recorded_server)
    run = await drive(recorded_server, {"orcids": [CARBERRY, ADA]})
    assert run.error is None
    assert [r.position for r in run.of(SkippableRecordError)] == [CARBERRY]
    assert len(run.of(AffiliationSeen)) == 3


async def test_refused_token_names_the_setting(recorded_server: RecordedServer) -> None:
    recorded_server.add(f"/v3.0/{ADA}/employments", status=401, body="invalid_token")
    run = await drive(recorded_server, {"orcids": [ADA], "token": TOKEN})
    assert isinstance(run.error, FatalIngestError)
    assert "`token`" in run.error.message and TOKEN not in run.error.message


async def test_429_then_success(recorded_server: RecordedServer) -> None:
    recorded_server.add_sequence(
        f"/v3.0/{ADA}/employments",
        [
            RecordedResponse(status=429, headers={"Retry-After": "1"}),
            RecordedResponse(file=FIXTURES / f"employments_{ADA}.json"),
        ],
    )
    recorded_server.add(f"/v3.0/{ADA}/person", file=FIXTURES / f"person_{ADA}.json")
    run = await drive(recorded_server, {"orcids": [ADA]})
    assert run.error is None and len(run.of(AffiliationSeen)) == 3


def test_config_needs_something_to_follow() -> None:
    with pytest.raises(ValidationError, match="from_database"):
        OrcidIngester.Config.model_validate({})


async def test_from_database_follows_stored_researchers(
    recorded_server: RecordedServer, pool: Any
) -> None:
    """With `from_database`, the ingester follows the ORCID iDs of researchers already stored
    (read through ctx.known_ids; the plugin writes no SQL)."""
    from service.config import load_settings as settings_for
    from service.ingest.pipeline import run_ingester

    serve_ada(recorded_server)
    async with pool.acquire() as conn:
        rid = await conn.fetchval(
            "INSERT INTO researcher (display_name) VALUES ('Ada Example') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO researcher_external_id (scheme, value, researcher_id) "
            "VALUES ('orcid', $1, $2)",
            ADA,
            rid,
        )
    config = {"from_database": True, "base_url": recorded_server.url}
    result = await run_ingester(pool, "orcid", config, settings=settings_for(http_retries=1))
    assert result.ok, result.error
    assert recorded_server.requests[0].path == f"/v3.0/{ADA}/employments"
    stints = await pool.fetchval("SELECT count(*) FROM affiliation WHERE researcher_id = $1", rid)
    assert stints >= 2
