"""Education from ORCID's ``educations`` section: ORCID's own sample entry, the recorded full
record (whose section is empty), the jsonl line format, and the database, where education is
stored and makes no move on its own."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pydantic import ValidationError

from plugins.orcid import degree_level, education_observations
from service.config import load_settings
from service.ingest import EducationSeen, InstitutionSeen, PersonRef, parse_observation
from service.ingest.pipeline import run_ingester
from service.ingest.testing import RecordedServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "orcid"
ADA = "0000-0000-1234-5672"
CARBERRY = "0000-0002-1825-0097"
PERSON = PersonRef(name="Josiah Carberry", ids={"orcid": CARBERRY})


def section(*summaries: dict[str, Any], modified: int | None = 1714000000001) -> dict[str, Any]:
    """An ``educations`` read response holding these summaries, one group each."""
    return {
        "last-modified-date": {"value": modified} if modified else None,
        "affiliation-group": [
            {"summaries": [{"education-summary": {"put-code": 100 + n, **s}}]}
            for n, s in enumerate(summaries)
        ],
        "path": f"/{CARBERRY}/educations",
    }


def sample(recorded: Path, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads((recorded / "orcid_v3_education_sample.json").read_text())
    out = copy.deepcopy(entry)
    out.update(changes)
    return out


def test_orcid_s_sample_entry_becomes_an_education(recorded: Path) -> None:
    items = list(education_observations(CARBERRY, PERSON, section(sample(recorded))))
    inst, edu = items
    assert isinstance(inst, InstitutionSeen) and isinstance(edu, EducationSeen)
    assert (inst.name, inst.ids, inst.country_code) == (
        "University of Oxford", {"ror": "052gg0110"}, "GB",
    )  # fmt: skip
    assert edu.institution.ids == {"ror": "052gg0110"}
    assert edu.degree == "unknown"  # "Degree awarded" does not say which
    assert edu.field == "School of Geography and the Environment"
    assert edu.start is not None and edu.end is not None
    assert (edu.start.to_date().isoformat(), edu.start.precision) == ("2015-02-02", "day")
    assert edu.end.to_date().isoformat() == "2023-01-02"
    assert edu.source_key == f"orcid:{CARBERRY}:education:100"
    assert edu.document_url == f"https://orcid.org/{CARBERRY}"
    phd = list(
        education_observations(
            CARBERRY, PERSON, section(sample(recorded, **{"role-title": "DPhil in Geography"}))
        )
    )
    assert phd[1].degree == "doctorate"


def test_the_recorded_full_record_has_an_empty_educations_section(recorded: Path) -> None:
    record = json.loads((recorded / f"orcid_v3_record_full_{CARBERRY}.json").read_text())
    educations = record["activities-summary"]["educations"]
    assert list(education_observations(CARBERRY, PERSON, educations)) == []


def test_a_bad_education_is_rejected_with_its_put_code(recorded: Path) -> None:
    bad = sample(recorded, **{"end-date": {"year": {"value": "2010"}}})  # before its start
    (item,) = education_observations(CARBERRY, PERSON, section(bad))
    assert "education/100" in str(item) and "end is before start" in str(item)


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("PhD", "doctorate"),
        ("Ph.D. in Computer Science", "doctorate"),
        ("Doctor of Philosophy", "doctorate"),
        ("博士", "doctorate"),
        ("MSc Machine Learning", "master"),
        ("Master of Engineering", "master"),
        ("BSc (Hons)", "bachelor"),
        ("B.A.", "bachelor"),
        ("Bachelor of Science", "bachelor"),
        ("Postdoctoral fellow", "postdoc"),
        ("Degree awarded", "unknown"),
        (None, "unknown"),
    ],
)
def test_degree_levels_from_role_titles(title: str | None, level: str) -> None:
    assert degree_level(title) == level


def test_jsonl_accepts_an_education_line() -> None:
    line = {
        "type": "education_seen",
        "person": {"name": "Yao Shunyu", "ids": {"orcid": "0000-0002-1825-0097"}},
        "institution": {"name": "Tsinghua University", "country_code": "CN"},
        "degree": "bachelor",
        "start": "2015",
        "end": "2019-06",
    }
    edu = parse_observation(line)
    assert isinstance(edu, EducationSeen) and edu.degree == "bachelor"
    assert edu.end is not None and edu.end.precision == "month"
    with pytest.raises(ValidationError, match="degree"):
        parse_observation({**line, "degree": "diploma"})


async def test_educations_are_stored_and_make_no_move(pool: asyncpg.Pool, recorded: Path) -> None:
    oxford = sample(recorded, **{"role-title": "DPhil"})
    tsinghua = {
        "role-title": "BEng",
        "department-name": "Computer Science",
        "start-date": {"year": {"value": "2010"}},
        "end-date": {"year": {"value": "2014"}},
        "organization": {"name": "Tsinghua University", "address": {"country": "CN"}},
    }
    empty_employments = {"last-modified-date": None, "affiliation-group": []}
    with RecordedServer() as server:
        server.add(f"/v3.0/{ADA}/employments", json=empty_employments)
        server.add(f"/v3.0/{ADA}/person", file=FIXTURES / f"person_{ADA}.json")
        server.add(f"/v3.0/{ADA}/educations", json=section(tsinghua, oxford))
        config = {"orcids": [ADA], "base_url": server.url}
        first = await run_ingester(pool, "orcid", config, settings=load_settings())
        again = await run_ingester(pool, "orcid", config, settings=load_settings())
    assert first.ok, first.error
    assert again.ok and again.seen == 0  # the educations' last-modified date is remembered
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT i.name, i.country_code, e.degree, e.field, e.start_date, e.end_date,
                   d.url AS document
            FROM education e JOIN institution i ON i.id = e.institution_id
            JOIN researcher_external_id x ON x.researcher_id = e.researcher_id
            LEFT JOIN document d ON d.id = e.document_id
            WHERE x.scheme = 'orcid' AND x.value = $1 ORDER BY e.start_date
            """,
            ADA,
        )
        moves = await conn.fetchval("SELECT count(*) FROM move")
        affiliations = await conn.fetchval("SELECT count(*) FROM affiliation")
    assert [(r["name"], r["country_code"], r["degree"]) for r in rows] == [
        ("Tsinghua University", "CN", "bachelor"),
        ("University of Oxford", "GB", "doctorate"),
    ]
    assert rows[0]["field"] == "Computer Science"
    assert str(rows[0]["start_date"]) == "2010-01-01" and str(rows[1]["end_date"]) == "2023-01-02"
    assert rows[0]["document"] == f"https://orcid.org/{ADA}"
    assert (moves, affiliations) == (0, 0)  # education alone never makes a move


async def test_jsonl_education_lines_into_the_database(pool: asyncpg.Pool, tmp_path: Path) -> None:
    good = {
        "type": "education_seen",
        "person": {"name": "Yao Shunyu", "ids": {"openalex": "A5000000001"}},
        "institution": {"name": "Tsinghua University", "country_code": "CN"},
        "degree": "bachelor",
        "start": "2015",
        "end": "2019",
    }
    # an OpenAlex institution id given for a person: refused by id rules, not by the database
    bad = {**good, "person": {"name": "Someone", "ids": {"openalex": "I27837315"}}}
    path = tmp_path / "education.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in (good, bad)) + "\n")
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=load_settings())
    assert result.ok, result.error
    assert (result.created, result.rejected) == (1, 1)
    assert "openalex" in result.rejects[0].reason
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT r.display_name, e.degree, e.source FROM education e "
            "JOIN researcher r ON r.id = e.researcher_id"
        )
    assert [tuple(r) for r in rows] == [("Yao Shunyu", "bachelor", "jsonl")]
