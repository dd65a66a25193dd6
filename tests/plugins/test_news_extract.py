"""Unit tests of the news move patterns, plus a floor on the measured evaluation figures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.news.extract import AliasTable, ExtractedMove, extract_moves, person_key
from plugins.news.hooks import extract_moves as hook_extract_moves
from plugins.news.sentences import split_sentences
from service.domain.seed import seed_names
from service.ingest import DocumentSeen, InstitutionRef, MoveReported
from tests import bench_scripts

ROOT = Path(__file__).resolve().parents[2]

ALIASES = AliasTable.from_pairs(
    [
        ("OpenAI", "openai"),
        ("Anthropic", "anthropic"),
        ("Google", "google"),
        ("Google DeepMind", "google-deepmind"),
        ("DeepMind", "google-deepmind"),
        ("Meta", "meta"),
        ("FAIR", "fair"),
        ("Microsoft", "microsoft"),
        ("xAI", "xai"),
        ("Apple", "apple"),
        ("NVIDIA", "nvidia"),
        ("Mistral", "mistral-ai"),
        ("Mistral AI", "mistral-ai"),
        ("Stanford", "stanford-university"),
        ("腾讯", "tencent"),
        ("阿里巴巴", "alibaba"),
        ("字节跳动", "bytedance"),
        ("百度", "baidu"),
        ("华为", "huawei"),
        ("深度求索", "deepseek"),
        ("月之暗面", "moonshot-ai"),
        ("智谱", "zhipu-ai"),
        ("清华大学", "tsinghua-university"),
    ]
)


STORED = frozenset({"reported", "confirmed", "in_talks", "rumour"})
"""Frame modalities stored as moves (reported) or RUMOURED moves; denials, plans, leaves of
absence and background clauses are not moves."""


def moves(text: str, **kwargs: object) -> list[tuple[str, str | None, str | None]]:
    found = extract_moves(text, ALIASES, published_year=2025, **kwargs)  # type: ignore[arg-type]
    return [(m.person, m.from_slug, m.to_slug) for m in found if m.modality in STORED]


def only(text: str) -> ExtractedMove:
    found = [m for m in extract_moves(text, ALIASES, published_year=2025) if m.modality in STORED]
    assert len(found) == 1, found
    return found[0]


# --- English patterns ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane Doe has joined Anthropic.", ("Jane Doe", None, "anthropic")),
        ("Meta has hired Jane Doe, a researcher at OpenAI.", ("Jane Doe", "openai", "meta")),
        ("Microsoft poached Jane Doe from Google DeepMind.", ("Jane Doe", "google-deepmind", "microsoft")),
        ("Jane Doe leaves Mistral for OpenAI.", ("Jane Doe", "mistral-ai", "openai")),
        ("Jane Doe has left Apple.", ("Jane Doe", "apple", None)),
        ("Jane Doe quit Meta and joined xAI.", ("Jane Doe", "meta", "xai")),
        ("Former OpenAI researcher Jane Doe has joined xAI.", ("Jane Doe", "openai", "xai")),
        ("OpenAI's former head of research, Jane Doe, has joined Meta.", ("Jane Doe", "openai", "meta")),
        ("Jane Doe, a former OpenAI researcher now at Anthropic, spoke on Monday.", ("Jane Doe", "openai", "anthropic")),
        ("Jane Doe moved to Google DeepMind from Microsoft.", ("Jane Doe", "microsoft", "google-deepmind")),
        ("Jane Doe was hired by Nvidia from Microsoft.", ("Jane Doe", "microsoft", "nvidia")),
        ("Nvidia has appointed Jane Doe as chief scientist.", ("Jane Doe", None, "nvidia")),
        ("Meta has lured away Jane Doe, one of Apple's top researchers.", ("Jane Doe", "apple", "meta")),
        ("Jane Doe defected from Google to OpenAI.", ("Jane Doe", "google", "openai")),
        ("Dr. Jane Doe has left Microsoft.", ("Jane Doe", "microsoft", None)),
        ("Prof. Jane Doe is stepping down at Stanford to become chief scientist at Mistral AI.",
         ("Jane Doe", "stanford-university", "mistral-ai")),
    ],
)  # fmt: skip
def test_english_pattern(text: str, expected: tuple[str, str | None, str | None]) -> None:
    assert moves(text) == [expected]


def test_nickname_is_dropped_from_the_name() -> None:
    assert moves('Alexander "Sasha" Petrov has joined Nvidia.') == [
        ("Alexander Petrov", None, "nvidia")
    ]


def test_all_caps_alias_matches_title_case_and_possessive() -> None:
    assert moves("Jane Doe has joined Nvidia's robotics lab.") == [("Jane Doe", None, "nvidia")]


def test_surname_and_pronoun_are_resolved_and_partial_moves_merge() -> None:
    text = "Nvidia has appointed Rachel Kim as vice president. Kim joins from Apple. She starts in May."
    assert moves(text) == [("Rachel Kim", "apple", "nvidia")]


def test_departure_then_arrival_in_later_sentence_merge() -> None:
    text = "Marcus Feld is departing Google. He will join Anthropic in August, he said."
    assert moves(text) == [("Marcus Feld", "google", "anthropic")]


def test_coordinated_people_each_get_the_move() -> None:
    text = "Meta has hired Ann Lee and Bo Chan, two researchers from OpenAI."
    assert moves(text) == [("Ann Lee", "openai", "meta"), ("Bo Chan", "openai", "meta")]


def test_anaphora_the_company() -> None:
    assert moves("xAI co-founder Jane Doe has left the company, she said.") == [
        ("Jane Doe", "xai", None)
    ]


def test_reported_speech_is_a_move() -> None:
    move = only("Chen Wei told reporters that he had joined Meta after six years at Google.")
    assert (move.person, move.from_slug, move.to_slug) == ("Chen Wei", "google", "meta")
    assert move.status_hint == "reported"


@pytest.mark.parametrize(
    "text",
    [
        "Google DeepMind has denied reports that Sara Lind is leaving to join OpenAI.",
        "Contrary to speculation, Ines Moreau has not left Mistral.",
        "Felix Wagner said he is not leaving OpenAI.",
        "The rumours were false: Claire Dubois remains at Google DeepMind.",
        "OpenAI released a model that beats Google's Gemini. Anthropic is expected to respond.",
        "Google DeepMind is hiring research engineers to join its team in London.",
    ],
)
def test_no_move(text: str) -> None:
    assert moves(text) == []


def test_rumour_has_low_confidence() -> None:
    move = only(
        "xAI is in talks to hire Tom Wilk, a veteran OpenAI engineer, people familiar said."
    )
    assert (move.from_slug, move.to_slug) == ("openai", "xai")
    assert move.status_hint == "rumoured"
    assert move.confidence <= 0.5


def test_later_denial_cancels_a_rumour() -> None:
    text = "Jane Doe is reportedly leaving OpenAI for Meta. OpenAI denied the report."
    assert moves(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane Doe is out at xAI. She built its data stack.", [("Jane Doe", "xai", None)]),
        (
            "Meta has a new head of search. Jane Doe, formerly at Apple, took the role in May.",
            [("Jane Doe", "apple", "meta")],
        ),
        (
            "Microsoft has landed Jane Doe, until recently a member of OpenAI's safety team.",
            [("Jane Doe", "openai", "microsoft")],
        ),
        (
            "Former Meta scientist Jane Doe now works at Stanford, where she teaches.",
            [("Jane Doe", "meta", "stanford-university")],
        ),
        (
            "Jane Doe, the Stanford professor who advised Mistral early on, is joining Apple.",
            [("Jane Doe", "stanford-university", "apple")],
        ),
        (
            "Jane Doe spent years at Apple before joining Meta last spring. "
            "Now she is moving again, this time to Anthropic.",
            [("Jane Doe", "meta", "anthropic")],
        ),
        ("A report that Jane Doe was leaving Meta for OpenAI is wrong, Doe said.", []),
        (
            "阿里巴巴科学家袁博宣布离职，将回到清华大学任教。",
            [("袁博", "alibaba", "tsinghua-university")],
        ),
    ],
)
def test_patterns_learnt_from_the_first_held_out_batch(
    text: str, expected: list[tuple[str, str | None, str | None]]
) -> None:
    assert moves(text) == expected


def test_plain_join_has_high_confidence() -> None:
    move = only("Jane Doe has joined Anthropic from OpenAI.")
    assert move.confidence >= 0.8
    assert move.status_hint == "reported"


def test_old_move_in_passing_is_not_extracted() -> None:
    assert (
        moves("Hugo Marchetti, who left Google in 2019 to found a startup, raised $40 million.")
        == []
    )
    text = (
        "Olivia Grant, who left OpenAI in 2022 to co-found a startup, has joined Google DeepMind."
    )
    assert moves(text) == [("Olivia Grant", None, "google-deepmind")]


def test_date_of_move() -> None:
    move = only("In February 2025, Omar Siddiqui moved from Microsoft to xAI.")
    assert (move.year, move.month) == (2025, 2)
    assert only("Jane Doe quit Meta in May.").month == 5


def test_role_is_reported() -> None:
    assert only("Nvidia has appointed Jane Doe as chief scientist.").role == "chief scientist"


def test_duplicates_collapse_to_one_move() -> None:
    text = "Meta has hired Anika Rao from OpenAI. Meta confirmed that Rao had joined from OpenAI."
    assert moves(text) == [("Anika Rao", "openai", "meta")]


def test_unknown_organisation_has_no_slug() -> None:
    move = only("Jane Doe has joined Kinetica Labs from OpenAI.")
    assert (move.to_name, move.to_slug, move.from_slug) == ("Kinetica Labs", None, "openai")


def test_adjectival_alias_is_not_an_institution() -> None:
    assert moves("Jane Doe, a Stanford-trained researcher, has joined Meta.") == [
        ("Jane Doe", None, "meta")
    ]


# --- Chinese patterns ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("前OpenAI研究员李明远已正式加入腾讯。", ("李明远", "openai", "tencent")),
        ("百度前首席科学家吴家豪入职华为。", ("吴家豪", "baidu", "huawei")),
        ("清华大学教授张志强出任百度首席技术官。", ("张志强", "tsinghua-university", "baidu")),
        ("智谱联合创始人孙立新宣布离职，未透露去向。", ("孙立新", "zhipu-ai", None)),
        ("刘伟已从华为离开，加入深度求索。", ("刘伟", "huawei", "deepseek")),
        ("研究员赵欣然跳槽至月之暗面。", ("赵欣然", None, "moonshot-ai")),
        ("何子轩从华为转投字节跳动。", ("何子轩", "huawei", "bytedance")),
        ("杨帆从字节跳动离职后加入OpenAI。", ("杨帆", "bytedance", "openai")),
        ("前百度工程师邓琳担任深度求索研究员。", ("邓琳", "baidu", "deepseek")),
    ],
)
def test_chinese_pattern(text: str, expected: tuple[str, str | None, str | None]) -> None:
    assert moves(text) == [expected]


def test_chinese_role_after_arrival_is_not_a_second_move() -> None:
    assert moves("前OpenAI研究员李明远加入腾讯，担任首席科学家。") == [
        ("李明远", "openai", "tencent")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "字节跳动否认了关于其负责人王海涛离职的传闻。",
        "阿里巴巴高级研究员林涛并未离职。",
        "月之暗面发布了新模型，超过了深度求索和智谱的产品。",
        "有消息称，月之暗面成员宋雨晴已经离职，将加入腾讯。对此，月之暗面回应称消息不实。",
        "腾讯研究员黄佳琪已于2024年加入阿里巴巴。",
    ],
)
def test_chinese_no_move(text: str) -> None:
    assert moves(text) == []


def test_chinese_rumour_has_low_confidence() -> None:
    move = only("据知情人士透露，阿里巴巴负责人陈思远或将离职，转投字节跳动。")
    assert (move.person, move.from_slug, move.to_slug) == ("陈思远", "alibaba", "bytedance")
    assert move.status_hint == "rumoured"
    assert move.confidence <= 0.5


def test_chinese_date() -> None:
    move = only("2025年3月，杨帆从字节跳动离职后加入OpenAI。")
    assert (move.year, move.month) == (2025, 3)


# --- spans, sentences, names -----------------------------------------------------------


def test_span_points_exactly_at_the_quote() -> None:
    text = "Big week. Dr. Jane Doe has left Apple! She did not say why.\n\n前百度工程师邓琳加入深度求索。"
    found = extract_moves(text, ALIASES)
    assert len(found) == 2
    for move in found:
        assert text[move.span_start : move.span_end] == move.quote
    assert found[0].quote == "Dr. Jane Doe has left Apple!"
    assert found[1].quote == "前百度工程师邓琳加入深度求索。"


def test_sentence_splitting_keeps_titles_and_initials() -> None:
    text = "Prof. Ann Lee met John F. Kennedy Jr. in 2019. 他加入了腾讯。她离开了！Then he said so on X. Done"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Prof. Ann Lee met John F. Kennedy Jr. in 2019.",
        "他加入了腾讯。",
        "她离开了！",
        "Then he said so on X.",
        "Done",
    ]


def test_person_key_ignores_case_accents_spacing_and_order() -> None:
    assert person_key("Yao  Shunyu") == person_key("shunyu yao")
    assert person_key("Kai Müller") == person_key("kai muller")


@settings(max_examples=60, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("Jane Doe joined OpenAI left Meta. 加入腾讯离职。,'\"\n")),
        max_size=120,
    )
)
def test_extraction_is_total_deterministic_and_spans_are_exact(text: str) -> None:
    first = extract_moves(text, ALIASES)
    assert first == extract_moves(text, ALIASES)
    for move in first:
        assert text[move.span_start : move.span_end] == move.quote
        assert 0.0 <= move.confidence <= 1.0
        assert move.status_hint in ("reported", "rumoured")


# --- the measured figures must not regress ---------------------------------------------


def _bench() -> ModuleType:
    return bench_scripts.load("quality_news_e2e")


def _scored(path: Path) -> dict[str, Any]:
    """The development set scored as the end-to-end harness scores it, with the moves the
    ``extract_moves`` hook reports (what the pipeline stores) in place of a database."""
    bench = _bench()
    scores: dict[str, Any] = {"all": bench.Score()}
    for article in bench.load_set(path):
        doc = DocumentSeen(
            url=f"https://dev.example/{article['id']}",
            kind="news_article",
            language=article["language"],
            published_at=datetime.fromisoformat(article["published"]).replace(tzinfo=UTC),
            text="\n".join([article["title"], *article["paragraphs"]]),
        )
        predicted = [
            {
                "status": "RUMOURED" if r.modality == "rumoured" else "REPORTED",
                "confidence": r.confidence,
                "researcher": {"name": r.person.name, "nativeName": r.person.native_name},
                "from": _ref(r.from_institution),
                "to": _ref(r.to_institution),
            }
            for r in hook_extract_moves(doc) or []
            if isinstance(r, MoveReported) and r.modality != "denied"
        ]
        for key in ("all", article["language"]):
            bench.score_article(article, predicted, scores.setdefault(key, bench.Score()))
    return scores


def _ref(ref: InstitutionRef | None) -> dict[str, Any] | None:
    """The institution as GraphQL shows it: a seed institution with all its seed names."""
    if ref is None:
        return None
    return {
        "slug": ref.slug,
        "name": ref.name,
        "aliases": list(seed_names().get(ref.slug or "", ())),
    }


def test_evaluation_set_shape() -> None:
    import json

    rows = [
        json.loads(line) for line in (ROOT / "tests/data/news_eval.jsonl").read_text().splitlines()
    ]
    assert len(rows) >= 90
    assert sum(r["language"] == "zh" for r in rows) >= 15
    assert len({r["id"] for r in rows}) == len(rows)


def test_quality_does_not_regress() -> None:
    """Tuned figures on the development set (bench/quality/sets/news_dev.jsonl); the
    end-to-end harness gives the same ones through the CLI and GraphQL."""
    scores = _scored(ROOT / "bench" / "quality" / "sets" / "news_dev.jsonl")
    total = scores["all"]
    # Two of the set's labels follow an older convention than the blind sets': "ByteDance's
    # Seed team" as ByteDance, and a done move told by unnamed sources as a rumour.
    assert total.precision >= 0.96, total.spurious
    assert total.recall >= 0.93, total.misses
    assert scores["zh"].precision >= 0.95 and scores["zh"].recall >= 0.95


def test_each_kind_of_failure_scores_full_marks() -> None:
    scores = _scored(ROOT / "tests" / "data" / "news_kinds.jsonl")
    assert (scores["all"].fp, scores["all"].fn) == (0, 0), scores["all"]
