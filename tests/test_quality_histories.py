"""The move-inference harness (bench/quality_histories_e2e.py): its scoring, its reading of a
set, and a floor under the development set's figures measured end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests import bench_scripts

DEV_SET = Path(__file__).resolve().parents[1] / "bench" / "quality" / "sets" / "histories_dev.jsonl"


@pytest.fixture(scope="module")
def harness() -> Any:
    return bench_scripts.load("quality_histories_e2e")


def _history(harness: Any, hid: str, moves: list[dict[str, Any]], oa: str) -> Any:
    h = harness.History(id=hid, tags=["t"], observations=[], moves=moves)
    h.person_ids = {("openalex", oa.upper())}
    return h


def _move(
    oa: str, src: dict[str, Any] | None, dst: dict[str, Any] | None, day: str
) -> dict[str, Any]:
    return {
        "researcher": {"openalexId": oa, "orcid": None},
        "from": src,
        "to": dst,
        "date": {"date": day, "precision": "YEAR"},
        "confidence": 0.5,
    }


def test_scoring_matches_by_slug_name_alias_and_year_within_one(harness: Any) -> None:
    mit = {"slug": "mit", "name": "Massachusetts Institute of Technology", "aliases": ["MIT"]}
    openai = {"slug": "openai", "name": "OpenAI", "aliases": ["OpenAI LP"]}
    brain = {
        "slug": "google-brain",
        "name": "Google Brain",
        "aliases": [],
        "successors": [{"institution": {"slug": "google-deepmind", "name": "Google DeepMind"}}],
    }
    histories = [
        _history(
            harness,
            "h1",
            [{"from": "Massachusetts Institute of Technology", "to": "openai", "year": 2019}],
            "A1",
        ),
        _history(harness, "h2", [{"from": "mit", "to": "openai", "year": 2015}], "A2"),
        _history(harness, "h3", [{"from": "google-deepmind", "to": "openai", "year": 2021}], "A3"),
    ]
    readout = harness.Readout(
        moves=[
            _move("A1", mit, openai, "2020-01-01"),  # a year late: a match
            _move("A2", mit, openai, "2018-01-01"),  # three years late: a miss and a spurious move
            _move("A3", brain, openai, "2021-01-01"),  # through the successor's name
            _move("A9", mit, openai, "2020-01-01"),  # nobody's
        ],
        visits=None,
        rejects=[],
    )
    report = harness.score(histories, readout)
    assert (report.total.tp, report.total.fp, report.total.fn) == (2, 1, 1)
    assert report.misses == ["h2 [t] missed mit → openai 2015"]
    assert report.through_successor == ["h3 google-deepmind → openai"]
    assert report.unowned == 1
    assert report.total.precision == pytest.approx(2 / 3)


def test_an_end_point_or_year_the_label_calls_equally_right_matches_and_is_listed(
    harness: Any,
) -> None:
    udem = {"slug": "universite-de-montreal", "name": "Université de Montréal", "aliases": []}
    mila = {"slug": "mila", "name": "Mila - Quebec AI Institute", "aliases": ["Mila"]}
    brain = {"slug": "google-brain", "name": "Google Brain", "aliases": []}
    ucl = {"slug": "ucl", "name": "University College London", "aliases": []}
    histories = [
        _history(
            harness,
            "h1",
            [
                {
                    "from": "universite-de-montreal",
                    "to": "google-brain",
                    "year": 2016,
                    "note": "mila equally right",
                }
            ],
            "A1",
        ),
        _history(
            harness,
            "h2",
            [
                {
                    "from": "ucl",
                    "to": "google-brain",
                    "year": 2021,
                    "note": "resigned the UCL chair in 2024; 2024 equally right",
                }
            ],
            "A2",
        ),
        # a note naming nothing equally right changes nothing
        _history(
            harness,
            "h3",
            [{"from": "mila", "to": "google-brain", "year": 2016, "note": "joint"}],
            "A3",
        ),
    ]
    readout = harness.Readout(
        moves=[
            _move("A1", mila, brain, "2016-01-01"),
            _move("A2", ucl, brain, "2024-01-01"),
            _move("A3", udem, brain, "2016-01-01"),
        ],
        visits=None,
        rejects=[],
    )
    report = harness.score(histories, readout)
    assert (report.total.tp, report.total.fp, report.total.fn) == (2, 1, 1)
    assert [line.split(":")[0] for line in report.through_alternative] == [
        "h1 universite-de-montreal → google-brain",
        "h2 ucl → google-brain",
    ]
    assert harness.alternatives({"note": "amazon equally right (parent)"}) == ({"amazon"}, set())
    assert harness.alternatives({"note": "LY Corporation (successor) equally right"}) == (
        {"ly corporation"},
        set(),
    )
    assert harness.alternatives(
        {"note": "to may equally be read as 'Hugging Face Paris' or aws-ai-labs (the string)"}
    ) == ({"hugging face paris", "aws ai labs"}, set())
    assert harness.alternatives({"note": "equally right: from = ucas; to = baidu (parent)"}) == (
        {"ucas", "baidu"},
        set(),
    )
    assert harness.alternatives({"note": "equally right: year = 2022 (first papers there)"}) == (
        set(),
        {2022},
    )
    # "from = x" outside an "equally right:" note is prose, not an alternative
    assert harness.alternatives({"note": "moved from = nowhere"}) == (set(), set())


def test_a_bad_line_is_named(harness: Any, tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(json.dumps({"id": "x", "moves": []}) + "\n")
    with pytest.raises(harness.SetError, match=r"set.jsonl:1: missing 'observations'"):
        harness.load_set(path)


async def test_dev_set_end_to_end_keeps_its_figures(harness: Any, server_url: str) -> None:
    histories = harness.load_set(DEV_SET)
    report = harness.score(histories, await harness.ingest_and_read(histories, server_url))
    assert not report.rejects
    assert report.total.precision >= 0.95, report.spurious
    assert report.total.recall >= 0.95, report.misses
    assert report.visits is not None and len(report.visits) >= 20
