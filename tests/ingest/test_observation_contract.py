"""The published ``schema/observation.schema.json`` is a contract for producers in any language.

Checked here with ``jsonschema``, as a producer outside Python would check its lines: the
project's own demo data and every observation example in the docs validate against the
committed file, and what the file allows for dates and timestamps is what the ingester takes.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from service.cli import DEMO_DATA
from service.ingest.observations import PARTIAL_DATE_TEXT, TIMESTAMP_TEXT, parse_observation
from tests.ingest.helpers import sample_lines

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schema" / "observation.schema.json"
DOC_FILES = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
BLOCK = re.compile(r"```(json|jsonl)\n(.*?)```", re.S)
OBSERVATION_TYPES = {
    "document_seen",
    "institution_seen",
    "researcher_seen",
    "affiliation_seen",
    "move_reported",
    "job_posting_seen",
    "job_posting_closed",
}


@cache
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(item: Any) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(line)'}: {e.message}"
        for e in validator().iter_errors(item)
    ]


def doc_examples() -> list[tuple[str, dict[str, Any]]]:
    """(where, object) for each observation written out in a json/jsonl block of the docs."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in DOC_FILES:
        text = path.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            lang, body = match.groups()
            line0 = text[: match.start()].count("\n") + 2
            chunks = (
                [(line0 + i, line) for i, line in enumerate(body.splitlines()) if line.strip()]
                if lang == "jsonl"
                else [(line0, body)]
            )
            for line_no, chunk in chunks:
                item = json.loads(chunk)
                if isinstance(item, dict) and item.get("type") in OBSERVATION_TYPES:
                    found.append((f"{path.relative_to(ROOT)}:{line_no}", item))
    return found


def test_every_demo_line_validates_against_the_published_schema() -> None:
    lines = DEMO_DATA.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 100
    failures = {n: problems(json.loads(line)) for n, line in enumerate(lines, 1)}
    failures = {n: p for n, p in failures.items() if p}
    assert not failures, f"demo.jsonl lines failing the schema: {failures}"
    kinds = {json.loads(line)["type"] for line in lines}
    assert {"move_reported", "affiliation_seen", "researcher_seen", "document_seen"} <= kinds


def test_the_docs_have_observation_examples() -> None:
    where = {w.split(":")[0] for w, _ in doc_examples()}
    assert "docs/plugins/jsonl.md" in where
    assert len(doc_examples()) >= 7


@pytest.mark.parametrize(("where", "item"), doc_examples(), ids=lambda v: str(v)[:40])
def test_each_doc_example_validates_and_is_accepted(where: str, item: dict[str, Any]) -> None:
    assert problems(item) == [], where
    parse_observation(item)  # and the ingester takes it


def test_the_test_suites_sample_lines_validate() -> None:
    for item in sample_lines():
        if isinstance(item, dict) and item.get("type") in OBSERVATION_TYPES:
            try:
                parse_observation(item)
            except ValidationError:
                continue  # the samples include lines meant to be refused
            assert problems(item) == [], item


def test_the_schema_refuses_what_the_ingester_refuses() -> None:
    move = {"type": "move_reported", "person": {"name": "A"}, "to_institution": {"slug": "x"}}
    move["document_url"] = "https://example.org/a"
    assert problems(move) == []
    for bad in ("2026-13", "2026-11-32", "26-11", "2026/11", "2201", 1899, "2026-11-01T00:00"):
        assert problems({**move, "date": bad}), bad
        with pytest.raises(ValidationError):
            parse_observation({**move, "date": bad})
    stint = {"type": "affiliation_seen", "person": {"name": "A"}, "institution": {"slug": "x"}}
    refused = [
        {k: v for k, v in move.items() if k != "type"},  # no type
        {k: v for k, v in move.items() if k != "to_institution"},  # neither end
        {**move, "to_institution": None},
        {**move, "to_institution": {}},  # an institution named by nothing
        {**move, "to_institution": {"ids": {}}},
        {**move, "to_institution": {"name": ""}},
        {**move, "to_institution": {"name": None, "slug": None}},
        stint,  # no years and no dates
        {**stint, "years": []},
        {**stint, "start": None, "end": None},
        {**move, "confidence": 1.5},
        {**move, "confidense": 0.5},
    ]
    for item in refused:
        assert problems(item), item
        with pytest.raises(ValidationError):
            parse_observation(item)
    for item in (
        {**move, "from_institution": {"name": "Lab"}, "to_institution": None},
        {**move, "to_institution": {"ids": {"ror": "00jmfr291"}}},
        {**stint, "years": [2020]},
        {**stint, "end": "2020"},
    ):
        assert problems(item) == [], item
        parse_observation(item)


MOVE = {
    "type": "move_reported",
    "person": {"name": "A"},
    "to_institution": {"slug": "x"},
    "document_url": "https://example.org/a",
}
DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


def partial_forms(d: date) -> list[Any]:
    return [
        d.year,
        str(d.year),
        f"{d.year}-{d.month:02d}",
        f"{d.year}-{d.month}",
        d.isoformat(),
        f"{d.year}-{d.month}-{d.day}",
        {"year": d.year},
        {"year": d.year, "month": d.month},
        {"year": d.year, "month": d.month, "day": d.day},
    ]


@settings(max_examples=150, deadline=None)
@given(DAYS)
def test_every_partial_date_form_is_in_the_schema_and_taken(d: date) -> None:
    for form in partial_forms(d):
        item = {**MOVE, "date": form}
        assert problems(item) == [], form
        assert parse_observation(item).date is not None


@settings(max_examples=150, deadline=None)
@given(st.from_regex(PARTIAL_DATE_TEXT, fullmatch=True))
def test_what_the_schema_allows_as_a_partial_date_the_ingester_takes(text: str) -> None:
    parts = [int(p) for p in text.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return  # 2023-02-30: a pattern cannot know the calendar; the ingester refuses it
    assert problems({**MOVE, "date": text}) == []
    assert parse_observation({**MOVE, "date": text}).date is not None


ZONES = st.sampled_from([None, UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5))])


@settings(max_examples=150, deadline=None)
@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)), ZONES)
def test_iso_timestamps_are_in_the_schema_and_taken(
    moment: datetime, zone: timezone | None
) -> None:
    moment = moment.replace(tzinfo=zone)
    forms = [moment.isoformat(), moment.date().isoformat()]
    if zone is UTC:
        forms.append(moment.replace(tzinfo=None).isoformat(timespec="seconds") + "Z")
    for text in forms:
        item = {"type": "document_seen", "url": "https://example.org/d", "kind": "manual"}
        item["published_at"] = text
        assert problems(item) == [], text
        assert parse_observation(item).published_at is not None  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(st.from_regex(TIMESTAMP_TEXT, fullmatch=True))
def test_what_the_schema_allows_as_a_timestamp_the_ingester_takes(text: str) -> None:
    item = {"type": "job_posting_closed", "source": "s", "external_id": "1", "closed_at": text}
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return  # a month 13 or an hour 25 matches the pattern; the ingester refuses it
    assert problems(item) == []
    parse_observation(item)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(["orcid", "openalex", "ror"]).flatmap(
        lambda scheme: st.tuples(
            st.just(scheme),
            st.from_regex(
                validator().schema["$defs"]["PersonRef"]["properties"]["ids"]["properties"][scheme][
                    "pattern"
                ],
                fullmatch=True,
            ),
        )
    )
)
def test_ids_the_schema_allows_the_ingester_takes(scheme_value: tuple[str, str]) -> None:
    scheme, value = scheme_value
    item = {"type": "researcher_seen", "name": "A", "ids": {scheme: value}}
    assert problems(item) == []
    parse_observation(item)


def test_ids_the_ingester_refuses_the_schema_refuses() -> None:
    for ids in (
        {"ORCID": "0000-0002-1825-0097"},
        {"orcid": "0000-0002-1825-009"},
        {"orcid": "orcid.org/0000-0002-1825-0097"},
        {"openalex": "Q123"},
        {"ror": "12345678"},
        {"my scheme": "x"},
    ):
        item = {"type": "researcher_seen", "name": "A", "ids": ids}
        assert problems(item), ids
        with pytest.raises(ValidationError):
            parse_observation(item)
    for ids in (
        {"orcid": "https://orcid.org/0000-0002-1825-009x"},
        {"openalex": "https://openalex.org/a5023888391", "dblp": "anything"},
        {"ror": "https://ror.org/00JMFR291"},
    ):
        item = {"type": "researcher_seen", "name": "A", "ids": ids}
        assert problems(item) == [], ids
        parse_observation(item)
