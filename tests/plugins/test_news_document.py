"""The document-level news extractor on the kinds of article the sentence rules got wrong.

Each article in ``tests/data/news_kinds.jsonl`` (written for these tests; fictional people)
shows one kind of failure, named in its ``note``, and is labelled like the evaluation sets:
(person, from, to, modality). The extractor runs through the ``extract_moves`` hook, as the
pipeline calls it. A reported or confirmed move must come out as a reported move; a rumour may
come out only as a rumoured one; a denial only as evidence against; anything else not at all;
and nothing else may come out as a move.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from plugins.news.hooks import extract_moves
from plugins.news.lexicon import is_known_name, is_pinyin_name, is_place
from plugins.news.mentions import find_new_organisations, find_people
from service.ingest import (
    AffiliationSeen,
    DocumentSeen,
    InstitutionRef,
    MoveReported,
    PartialDateModel,
)

KINDS = Path(__file__).resolve().parents[1] / "data" / "news_kinds.jsonl"
ARTICLES = [json.loads(line) for line in KINDS.read_text(encoding="utf-8").splitlines() if line]


def document(article: dict[str, Any]) -> DocumentSeen:
    day = datetime.fromisoformat(article["published"]).replace(tzinfo=UTC)
    return DocumentSeen(
        url=f"https://kinds.example/{article['id']}",
        kind="news_article",
        title=article["title"],
        published_at=day,
        language=article["language"],
        text="\n".join([article["title"], *article["paragraphs"]]),
    )


def _end(ref: InstitutionRef | None) -> str | None:
    if ref is None:
        return None
    return ref.slug or ref.name


def _key(person: str, origin: str | None, dest: str | None) -> tuple[str, str | None, str | None]:
    return (" ".join(sorted(person.lower().split())), origin, dest)


def _report_key(report: MoveReported) -> tuple[str, str | None, str | None]:
    return _key(report.person.name, _end(report.from_institution), _end(report.to_institution))


@pytest.mark.parametrize("article", ARTICLES, ids=[a["note"] for a in ARTICLES])
def test_each_kind_of_failure(article: dict[str, Any]) -> None:
    found = extract_moves(document(article)) or []
    reports = [r for r in found if isinstance(r, MoveReported)]
    by_key = {_report_key(r): r for r in reports}
    expected_moves = set()
    for gold in article["moves"]:
        key = _key(gold["person"], gold["from"], gold["to"])
        got = by_key.get(key)
        if gold["modality"] in ("reported", "confirmed"):
            assert got is not None and got.modality == "reported", (key, reports)
            expected_moves.add(key)
        elif gold["modality"] in ("in_talks", "rumour"):
            assert got is None or got.modality == "rumoured", (key, got)
        elif gold["modality"] == "denied":
            assert got is None or got.modality == "denied", (key, got)
        else:
            assert got is None, (key, got)
    spurious = [
        r for r in reports if r.modality == "reported" and _report_key(r) not in expected_moves
    ]
    assert not spurious, spurious


def test_a_trend_piece_names_no_person_and_reports_no_move() -> None:
    [trend] = [a for a in ARTICLES if a["id"] == "k-trend-1"]
    assert extract_moves(document(trend)) is None


def test_a_new_company_is_created_by_name_with_the_article_as_evidence() -> None:
    [found] = [a for a in ARTICLES if a["id"] == "k-found-1"]
    [report] = extract_moves(document(found)) or []
    assert report.to_institution is not None
    assert (report.to_institution.name, report.to_institution.slug) == ("Halcyon Robotics", None)
    assert report.document_url == "https://kinds.example/k-found-1"
    assert report.quote and "Halcyon Robotics" in report.quote


def test_a_rumour_is_reported_as_rumoured_and_a_denial_as_denied() -> None:
    rumour = {
        "id": "x-rumour", "language": "en", "title": "Talks", "published": "2025-10-01",
        "paragraphs": ["Anthropic is in talks to hire Beatrix Lund, a researcher at OpenAI, "
                       "according to two people familiar with the discussions."],
    }  # fmt: skip
    [report] = extract_moves(document(rumour)) or []
    assert report.modality == "rumoured" and report.confidence <= 0.5
    assert (_end(report.from_institution), _end(report.to_institution)) == ("openai", "anthropic")
    denial = {
        "id": "x-denied", "language": "en", "title": "Denied", "published": "2025-10-02",
        "paragraphs": ["OpenAI denied reports that Beatrix Lund is leaving for Anthropic."],
    }  # fmt: skip
    [against] = extract_moves(document(denial)) or []
    assert against.modality == "denied"
    assert (_end(against.from_institution), _end(against.to_institution)) == (
        "openai",
        "anthropic",
    )


def test_chinese_names_keep_their_native_form() -> None:
    [split] = [a for a in ARTICLES if a["id"] == "k-zh-split"]
    [report] = extract_moves(document(split)) or []
    assert report.person.native_name == "王思远"


def test_places_are_never_people_and_names_come_from_the_table() -> None:
    text = "The departure from the Seattle start-up surprised Hong Kong investors and Paris."
    assert find_people(text, 0, len(text), []) == []
    assert is_place("Seattle") and is_place("Hong Kong")
    assert is_known_name("Okafor") and is_known_name("Priyanka") and not is_known_name("Google")
    assert is_pinyin_name("Shunyu") and not is_pinyin_name("Strasbourg")
    text = "Ingrid Solberg met Lyon Bordeaux and Tokyo staff."
    assert [p.name for p in find_people(text, 0, len(text), [])] == ["Ingrid Solberg"]


def test_organisations_are_recognised_by_their_shape() -> None:
    text = (
        "She started a company called Lumen Robotics. Vireo, a new start-up, hired him. "
        "He co-founded Northwind Labs. The start-up, Kinetica, raised money."
    )
    names = [m.name for m in find_new_organisations(text, 0, len(text))]
    assert names == ["Lumen Robotics", "Vireo", "Northwind Labs", "Kinetica"]


def test_chinese_unknown_organisation_by_its_place_but_never_a_generic_word() -> None:
    known = {
        "id": "x-zh-new", "language": "zh", "title": "人事", "published": "2025-12-01",
        "paragraphs": ["字节跳动推荐算法专家任俊杰已加入小红书，担任技术副总裁。"],
    }  # fmt: skip
    [report] = extract_moves(document(known)) or []
    assert (_end(report.from_institution), _end(report.to_institution)) == ("bytedance", "小红书")
    generic = {
        "id": "x-zh-generic", "language": "zh", "title": "人事", "published": "2025-12-01",
        "paragraphs": ["智谱AI今日宣布，清华大学教授孙嘉怡正式加盟公司，担任首席科学家。"],
    }  # fmt: skip
    [report] = extract_moves(document(generic)) or []
    assert _end(report.to_institution) == "zhipu-ai"


def test_a_traditional_script_article_keeps_its_own_script() -> None:
    [article] = [a for a in ARTICLES if a["id"] == "k-zh-traditional"]
    doc = document(article).model_copy(update={"language": "zh-TW"})
    [report] = [r for r in extract_moves(doc) or [] if isinstance(r, MoveReported)]
    assert report.person.name == report.person.native_name == "陳立德"
    assert (_end(report.from_institution), _end(report.to_institution)) == ("bytedance", "tencent")
    assert report.quote is not None and report.quote.startswith("前字節跳動研究員陳立德")


def test_a_rumoured_next_stop_is_the_rumours_destination() -> None:
    doc = document(
        {
            "id": "x-zh-next-maybe", "language": "zh", "title": "传闻", "published": "2025-06-01",
            "paragraphs": ["圈内流传消息称，美团大模型负责人之一柴文远或将离职，下一站可能是快手。"],
        }
    )  # fmt: skip
    [report] = [r for r in extract_moves(doc) or [] if isinstance(r, MoveReported)]
    assert report.modality == "rumoured"
    assert (_end(report.from_institution), _end(report.to_institution)) == ("meituan", "kuaishou")


def test_the_adverb_zeng_is_not_a_surname() -> None:
    from plugins.news.chinese import _han_people

    text = "记者获悉：曾入选华为“天才少年”计划的柏宇航已离职。邓睿说，他曾任讲师。"
    huawei = text.index("华为")
    names = [p.name for p in _han_people(text, 0, len(text), [(huawei, huawei + 2)])]
    assert "曾入选" not in names and "曾任讲" not in names
    assert "柏宇航" in names and "邓睿" in names


def test_a_headline_ending_in_an_organisation_noun_does_not_name_the_next_line() -> None:
    text = "Why he left the start-up\nJonas Berglund said the company had run out of money."
    assert [m.name for m in find_new_organisations(text, 0, len(text))] == []


def test_a_background_stint_names_the_employer_of_its_own_clause() -> None:
    doc = document(
        {
            "id": "x-stint-clause", "language": "en", "title": "A new role", "published": "2025-06-01",
            "paragraphs": [
                "Dr. Ines Carvalho, who joined Cohere in 2020 from Mila, has become chief "
                "scientist at Mistral AI.",
                "Dr. Tomas Lindgren, who joined Pellucid in 2019, will oversee Mistral AI's "
                "robotics research.",
            ],
        }
    )  # fmt: skip
    stints = [r for r in extract_moves(doc) or [] if isinstance(r, AffiliationSeen)]
    assert [(s.person.name, _end(s.institution), s.start) for s in stints] == [
        ("Ines Carvalho", "cohere", PartialDateModel(year=2020))
    ]
