"""``Cursor``: the declared incremental state, and checkpoints written before plugins used it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from plugins.jsonl import JsonlIngester
from talentflow import Checkpoint, Cursor
from talentflow.testing import run_ingester_offline

PAGE = Cursor("next_page", int, initial=1)


def test_a_first_run_starts_from_initial_and_a_checkpoint_holds_the_value() -> None:
    run = PAGE.resume(None)
    assert (run.value, run.resumed) == (1, False)
    run.advance(2)
    assert run.checkpoint({"seen": 3}) == Checkpoint({"seen": 3, "next_page": 2})


def test_a_stored_value_resumes_with_the_other_keys_of_the_state() -> None:
    run = PAGE.resume({"next_page": 7, "other": "kept"})
    assert (run.start, run.value, run.resumed) == (7, 7, True)
    assert run.state["other"] == "kept"
    # a value stored as text by a hand-written checkpoint reads the same
    assert PAGE.resume({"next_page": "7"}).value == 7


@pytest.mark.parametrize("bad", ["soon", 1.5, True, ["x"]])
def test_a_stored_value_of_the_wrong_type_starts_over(bad: object) -> None:
    run = PAGE.resume({"next_page": bad})
    assert (run.value, run.resumed) == (1, False)


def test_dates_and_timestamps_are_stored_as_iso_text() -> None:
    day = Cursor("since", date)
    run = day.resume({"since": "2025-03-01T12:00:00Z"})  # a timestamp's day
    assert run.value == date(2025, 3, 1)
    run.advance(date(2025, 4, 2))
    assert run.checkpoint().state == {"since": "2025-04-02"}
    moment = Cursor("updated", datetime)
    at = moment.resume({"updated": "2025-03-01T12:00:00Z"}).value
    assert at == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert json.dumps(moment.resume(None).final().state) == '{"updated": null}'


def test_a_scoped_value_counts_only_for_its_scope() -> None:
    offset = Cursor("offset", int, initial=0, scope_key="source")
    stored = {"source": "a.jsonl", "offset": 120}
    assert offset.resume(stored, scope="a.jsonl").value == 120
    other = offset.resume(stored, scope="b.jsonl")
    assert (other.value, other.resumed, other.state) == (0, False, {})
    other.advance(10)
    assert other.checkpoint().state == {"offset": 10, "source": "b.jsonl"}


def test_an_unsorted_cursor_moves_on_only_at_the_end() -> None:
    since = Cursor("since", date, sorted=False)
    run = since.resume({"since": "2025-01-01"})
    run.advance(date(2025, 5, 1))
    run.advance(date(2025, 3, 1))  # not sorted: the highest value seen is kept
    assert run.checkpoint({"pass": {"step": 2}}).state == {
        "pass": {"step": 2},
        "since": "2025-01-01",
    }
    assert run.final({"pass": None}).state == {"pass": None, "since": "2025-05-01"}


def test_a_sorted_cursor_may_go_back_and_reset_starts_over() -> None:
    run = Cursor("offset", int, initial=0).resume({"offset": 50})
    run.advance(10)  # a file replaced by a shorter one is read from its start
    assert run.value == 10
    run.reset()
    assert run.value == 0
    assert Cursor("since", date).resume(None, initial=date(2024, 1, 1)).value == date(2024, 1, 1)


def line(n: int) -> str:
    return json.dumps({"type": "researcher_seen", "name": f"Person {n}", "ids": {}}) + "\n"


def test_a_jsonl_checkpoint_from_before_the_cursor_still_resumes(tmp_path: Path) -> None:
    """The state the jsonl ingester wrote by hand, ``{"source", "offset", "line"}``, resumes
    at that byte and line, and the new checkpoints keep the same keys."""
    path = tmp_path / "people.jsonl"
    lines = [line(n) for n in range(1, 5)]
    path.write_text("".join(lines) + "not json\n", encoding="utf-8")
    before = {"source": str(path), "offset": len("".join(lines[:2]).encode()), "line": 2}

    out = run_ingester_offline(JsonlIngester, {"path": str(path)}, state=before)

    assert [o.name for o in out.observations] == ["Person 3", "Person 4"]  # type: ignore[union-attr]
    assert [r.position for r in out.rejects] == ["line 5"]
    assert out.final_state == {"source": str(path), "offset": path.stat().st_size, "line": 5}
    # the same state for another file starts that file from its beginning
    other = tmp_path / "other.jsonl"
    other.write_text(line(9), encoding="utf-8")
    again = run_ingester_offline(JsonlIngester, {"path": str(other)}, state=before)
    assert [o.name for o in again.observations] == ["Person 9"]  # type: ignore[union-attr]
    assert again.final_state == {"source": str(other), "offset": len(line(9)), "line": 1}
