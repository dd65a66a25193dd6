"""The news harness (bench/quality_news_e2e.py): how it decides that a move read back through
GraphQL names the organisation a label names."""

from __future__ import annotations

from typing import Any

import pytest

from tests import bench_scripts


@pytest.fixture(scope="module")
def harness() -> Any:
    return bench_scripts.load("quality_news_e2e")


MEDIATEK = {
    "slug": "mediatek",
    "name": "MediaTek",
    "nativeName": "联发科",
    "aliases": ["MediaTek", "聯發科", "联发科"],
}
TSINGHUA = {
    "slug": "tsinghua-university",
    "name": "Tsinghua University",
    "nativeName": "清华大学",
    "aliases": ["Tsinghua", "清华大学", "清華大學"],
}


@pytest.mark.parametrize(
    ("label", "institution"),
    [
        ("mediatek", MEDIATEK),  # the slug
        ("MediaTek Inc.", MEDIATEK),  # the name, legal suffix ignored
        ("聯發科", MEDIATEK),  # an alias in traditional script
        ("联发科", {**MEDIATEK, "aliases": []}),  # the native name
        ("聯發科", {**MEDIATEK, "aliases": ["联发科"]}),  # traditional against simplified
        ("清華大學", TSINGHUA),
        (
            "析木科技",
            {"slug": "institution-4", "name": "析木科技", "nativeName": None, "aliases": []},
        ),
    ],
)
def test_a_label_matches_by_slug_name_native_name_or_alias(
    harness: Any, label: str, institution: dict[str, Any]
) -> None:
    assert harness.org_matches(label, institution)


@pytest.mark.parametrize(
    ("label", "institution"),
    [
        ("國立清華大學", TSINGHUA),  # National Tsing Hua University is another university
        ("台積電", MEDIATEK),
        (None, MEDIATEK),
        ("mediatek", None),
    ],
)
def test_another_organisation_does_not_match(
    harness: Any, label: str | None, institution: dict[str, Any] | None
) -> None:
    assert not harness.org_matches(label, institution)


def test_a_move_to_an_organisation_labelled_in_chinese_is_a_true_positive(harness: Any) -> None:
    article = {
        "id": "a1",
        "moves": [
            {"person": "Zheng Bohan", "native_name": "鄭柏翰", "from": "national-taiwan-university",
             "to": "聯發科", "modality": "confirmed"}
        ],
    }  # fmt: skip
    predicted = {
        "status": "REPORTED",
        "confidence": 0.9,
        "researcher": {"name": "鄭柏翰", "nativeName": "鄭柏翰"},
        "from": {"slug": "national-taiwan-university", "name": "National Taiwan University",
                 "nativeName": "國立臺灣大學", "aliases": []},
        "to": MEDIATEK,
    }  # fmt: skip
    score = harness.Score()
    harness.score_article(article, [predicted], score)
    assert (score.tp, score.fp, score.fn) == (1, 0, 0)
