"""The plugin API's readers of source values: HTML bodies as text, ISO 8601 dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from service.ingest import html_to_text, parse_date, parse_datetime


def test_blocks_lists_and_breaks_keep_their_lines() -> None:
    body = (
        "<h2>The role</h2><p>Train <b>large</b> models.<br>On TPUs.</p>"
        "<ul>\n  <li>  <p>Pre-training</p></li>\n  <li>RL</li></ul><p>Apply&nbsp;now</p>"
    )
    assert html_to_text(body) == (
        "The role\n\nTrain large models.\nOn TPUs.\n\n- Pre-training\n\n- RL\n\nApply now"
    )


def test_escaped_html_scripts_comments_and_dropped_classes_leave_nothing_behind() -> None:
    escaped = "&lt;p&gt;Research scientist&lt;/p&gt;&lt;p&gt;Zurich&lt;/p&gt;"
    assert html_to_text(escaped) == "Research scientist\n\nZurich"
    body = (
        '<div class="content-intro"><p>About us: we build robots.</p></div>'
        "<script>track()</script><!-- a comment --><style>p{}</style><p>Finance lead</p>"
        "tail text"
    )
    assert html_to_text(body, drop_classes=["content-intro"]) == "Finance lead\n\ntail text"
    assert "robots" in (html_to_text(body) or "")


@pytest.mark.parametrize("value", [None, 3, "", "   ", "<p> </p>", "<script>x()</script>"])
def test_nothing_to_read_is_none(value: object) -> None:
    assert html_to_text(value) is None


def test_broken_markup_still_reads() -> None:
    assert html_to_text("<p>Unclosed <b>bold<p>Next") == "Unclosed bold\n\nNext"
    assert html_to_text("plain & simple") == "plain & simple"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2026-05-11T17:58:31-04:00",
            datetime(2026, 5, 11, 17, 58, 31, tzinfo=timezone(timedelta(hours=-4))),
        ),
        ("2026-05-11T17:58:31Z", datetime(2026, 5, 11, 17, 58, 31, tzinfo=UTC)),
        ("2026-05-11T17:58:31.250z", datetime(2026, 5, 11, 17, 58, 31, 250000, tzinfo=UTC)),
        ("2026-05-11", datetime(2026, 5, 11, tzinfo=UTC)),
        (" 2026-05-11T08:00:00 ", datetime(2026, 5, 11, 8, tzinfo=UTC)),
        ("yesterday", None),
        ("2026-13-01", None),
        ("", None),
        (None, None),
        (1715448000, None),
    ],
)
def test_parse_datetime(value: object, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


def test_parse_date_reads_the_day_a_value_starts_with() -> None:
    assert parse_date("2024-02-29T10:00:00Z") == date(2024, 2, 29)
    assert parse_date("2023-02-29") is None
    assert parse_date(20240229) is None
