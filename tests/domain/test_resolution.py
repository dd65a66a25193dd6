from __future__ import annotations

from service.domain.institutions import InstitutionIndex, InstitutionRecord
from service.domain.resolution import (
    CANDIDATE_THRESHOLD,
    SAME_THRESHOLD,
    PersonRecord,
    best_match,
    score_pair,
)

INDEX = InstitutionIndex(
    [
        InstitutionRecord(1, "google", "Google", "company", "US", None),
        InstitutionRecord(2, "google-research", "Google Research", "lab", "US", 1),
        InstitutionRecord(3, "tsinghua", "Tsinghua University", "university", "CN", None),
        InstitutionRecord(4, "openai", "OpenAI", "company", "US", None),
    ]
)


def test_orcid_decides() -> None:
    a = PersonRecord(("Wei Wang",), orcid="0000-0001-2345-6789")
    b = PersonRecord(("Wang Wei",), orcid="https://orcid.org/0000-0001-2345-6789")
    assert score_pair(a, b).decision == "same"
    c = PersonRecord(("Wei Wang",), orcid="0000-0002-0000-0001", stints=((3, 2015, 2020),))
    d = PersonRecord(("Wei Wang",), orcid="0000-0002-0000-0002", stints=((3, 2015, 2020),))
    assert score_pair(c, d).decision == "different"


def test_cjk_order_and_script_with_context_is_same() -> None:
    a = PersonRecord(("Shunyu Yao",), stints=((3, 2018, 2023),), topics=frozenset({"agents"}))
    b = PersonRecord(
        ("姚顺雨",),
        native_name="姚顺雨",
        stints=((3, 2019, None),),
        topics=frozenset({"agents", "language models"}),
    )
    result = score_pair(a, b, INDEX)
    assert result.decision == "same", result


def test_initials_are_at_most_candidate_without_context() -> None:
    a = PersonRecord(("S. Yao",), stints=((3, 2018, 2023),))
    b = PersonRecord(("Shunyu Yao",), stints=((3, 2018, 2023),))
    assert score_pair(a, b, INDEX).decision == "candidate"
    doc = frozenset({"https://arxiv.org/abs/2210.03629"})
    a2 = PersonRecord(("S. Yao",), stints=((3, 2018, 2023),), documents=doc)
    b2 = PersonRecord(("Shunyu Yao",), stints=((3, 2018, 2023),), documents=doc)
    assert score_pair(a2, b2, INDEX).decision == "same"


def test_common_names_are_never_merged_on_name_and_lab_alone() -> None:
    a = PersonRecord(("Wei Wang",), stints=((3, 2015, 2020),), topics=frozenset({"nlp", "ir"}))
    b = PersonRecord(("Wang Wei",), stints=((3, 2016, 2021),), topics=frozenset({"nlp", "ir"}))
    result = score_pair(a, b, INDEX)
    assert result.decision == "candidate"
    assert CANDIDATE_THRESHOLD <= result.score < SAME_THRESHOLD
    far = PersonRecord(("Wei Wang",), stints=((4, 2016, 2021),))
    assert score_pair(a, far, INDEX).decision == "different"


def test_different_characters_same_romanisation() -> None:
    a = PersonRecord(("Wei Wang",), native_name="王伟", stints=((3, 2015, 2020),))
    b = PersonRecord(("Wei Wang",), native_name="王巍", stints=((3, 2015, 2020),))
    assert score_pair(a, b, INDEX).decision == "different"


def test_parent_and_child_count_as_related() -> None:
    a = PersonRecord(("Łukasz Kaiser",), stints=((2, 2015, 2020),))
    b = PersonRecord(("Lukasz Kaiser",), stints=((1, 2016, 2019),), topics=frozenset({"x"}))
    with_index = score_pair(a, b, INDEX)
    without = score_pair(a, b)
    assert with_index.score > without.score
    assert any("related" in r for r in with_index.reasons)


def test_score_is_symmetric_and_different_names_differ() -> None:
    a = PersonRecord(("Geoffrey E. Hinton",), stints=((1, 2013, 2023),))
    b = PersonRecord(("Geoffrey Hinton",), stints=((2, 2013, 2023),))
    assert score_pair(a, b, INDEX) == score_pair(b, a, INDEX)
    c = PersonRecord(("Geoffrey F. Hinton",), stints=((1, 2013, 2023),))
    assert score_pair(a, c, INDEX).decision == "different"
    assert score_pair(a, PersonRecord(("Yann LeCun",))).decision == "different"


def test_best_match_keeps_ties_visible() -> None:
    probe = PersonRecord(("Ilya Sutskever",), orcid=None, openalex_id="A1")
    twins = [PersonRecord(("Ilya Sutskever",), openalex_id="A1", id=i) for i in (1, 2)]
    found = best_match(probe, twins)
    assert found is not None and found[1].decision == "candidate"
    assert best_match(probe, [PersonRecord(("Someone Else",), id=3)]) is None


def _level(a: str, b: str) -> str:
    from service.domain.names import parse_person_name
    from service.domain.resolution import NAME_LEVEL_RANK, compare_parses

    levels = [compare_parses(x, y) for x in parse_person_name(a) for y in parse_person_name(b)]
    return max(levels, key=NAME_LEVEL_RANK.__getitem__)


def test_an_arabic_family_name_with_its_article_joined_hyphenated_or_apart_is_one_name() -> None:
    from service.domain.names import blocking_keys

    for written in ("Omar Al-Zahrani", "Omar Al Zahrani", "Al-Zahrani, Omar"):
        assert _level(written, "Omar Alzahrani") == "exact"
        assert blocking_keys(written) & blocking_keys("Omar Alzahrani")
    assert _level("Hassan El-Idrissi", "Hassan Elidrissi") == "exact"
    # The article is no given name: a different family name stays a different name.
    assert _level("Omar Al-Zahrani", "Omar Alghamdi") == "none"


def test_a_spanish_name_with_both_surnames_is_the_name_with_the_first_alone() -> None:
    from service.domain.names import blocking_keys

    assert _level("Javier Hernández Molina", "Javier Hernandez") == "exact"
    assert blocking_keys("Javier Hernández Molina") & blocking_keys("Javier Hernandez")
    assert _level("Ana Sofía Ramírez Ortega", "Ana Sofia Ramirez") == "exact"
    # Only a pair of surnames: a middle given name is not taken for one.
    assert _level("Javier Andrés Molina", "Javier Andres") == "none"


def test_russian_and_ukrainian_given_names_in_other_transliterations_meet() -> None:
    from service.domain.names import blocking_keys

    assert _level("Yevgeniy Morozov", "Evgeny Morozov") == "close"
    assert _level("Andrii Shevchuk", "Andrey Shevchuk") == "close"
    assert _level("Mykola Bondarenko", "Nikolai Bondarenko") == "close"
    assert blocking_keys("Mykola Bondarenko") & blocking_keys("Nikolai Bondarenko")
    assert _level("Alexei Morozov", "Alexander Morozov") == "none"


def test_a_japanese_name_in_kanji_only_meets_its_hepburn_reading() -> None:
    from service.domain.names import blocking_keys

    assert _level("田中健太", "Kenta Tanaka") == "exact"
    assert _level("小林陽子", "Yoko Kobayashi") == "exact"  # ようこ: the long vowel written short
    assert blocking_keys("田中健太") & blocking_keys("Kenta Tanaka")
    # A Chinese name keeps its pinyin reading and gains no Japanese one.
    assert _level("张晓明", "Xiaoming Zhang") == "exact"
    assert _level("田中健太", "Yuto Tanaka") == "none"


def test_an_indian_name_with_its_family_initial_first_or_last_meets_the_name_in_full() -> None:
    from service.domain.names import blocking_keys

    for short, full in (
        ("K. Arun Prasad", "Arun Prasad Kannan"),
        ("M. Lakshmi", "Lakshmi Muthusamy"),
        ("Arun Prasad K.", "Arun Prasad Kannan"),
    ):
        assert _level(short, full) == "initials", short
        assert blocking_keys(short) & blocking_keys(full), short
    # Another family initial, or another given name, is another name.
    assert _level("M. Lakshmi", "Lakshmi Ramesh") == "none"
    assert _level("K. Arun Prasad", "Vijay Prasad Kannan") == "none"


def test_a_vietnamese_name_going_by_a_word_that_is_also_a_family_name_meets_western_order() -> None:
    from service.domain.names import blocking_keys

    # Đặng Quốc Trần goes by Trần, itself a family name: "Tran Dang" in Western order.
    assert _level("Đặng Quốc Trần", "Tran Dang") == "exact"
    assert blocking_keys("Đặng Quốc Trần") & blocking_keys("Tran Dang")
    assert _level("Đặng Quốc Trần", "Quoc Dang") == "none"


def test_a_taiwanese_name_in_wade_giles_meets_its_characters_and_its_pinyin() -> None:
    from service.domain.names import blocking_keys

    for written in ("Tsung-Han Hsieh", "Hsieh Tsung-han", "Tsung Han Hsieh"):
        assert _level(written, "謝宗翰") == "exact", written
        assert _level(written, "Zonghan Xie") == "exact", written
        assert blocking_keys(written) & blocking_keys("謝宗翰"), written
    assert _level("Tsung-Han Hsieh", "Zongming Xie") == "none"
    # A pinyin name gains no Wade–Giles reading.
    assert _level("Zhihao Zhang", "Zhihao Chang") == "none"
