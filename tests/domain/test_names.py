from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.dates import PartialDate
from service.domain.names import (
    blocking_keys,
    fold,
    fold_general,
    is_cjk,
    normalize_institution,
    person_name_variants,
    researcher_search_text,
    search_tokens,
    to_pinyin,
)
from service.domain.resolution import name_match

NAME_TEXT = st.text(
    alphabet=st.sampled_from([*"abcdefghijklmnopqrstuvwxyzÉéüÜłŁçñ -'.,", "王", "姚", "顺"]),
    max_size=30,
)


def test_fold_strips_accents_punctuation_and_keeps_cjk() -> None:
    assert fold("  Łukasz   Müller-Brockhausen ") == "lukasz muller brockhausen"
    assert fold("ＡＢＣ") == "abc"
    assert fold("姚顺雨") == "姚顺雨"


def test_fold_ascii_fast_path_matches_the_general_path_for_every_ascii_character() -> None:
    for code in range(128):
        text = f"Ab{chr(code)}9 {chr(code)}"
        assert fold(text) == fold_general(text), repr(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_fold_ascii_fast_path_matches_the_general_path(text: str) -> None:
    assert fold(text) == fold_general(text)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Łukasz Müller-Brockhausen", "lukasz muller brockhausen"),
        ("O’Brien", "o brien"),
        ("ＡＢＣ Labs", "abc labs"),
        ("清华University", "清华 university"),
        ("Ærøskøbing", "aeroskobing"),
        ("姚顺雨", "姚顺雨"),
    ],
)
def test_fold_non_ascii_takes_the_general_path(text: str, folded: str) -> None:
    assert not text.isascii()
    assert fold(text) == fold_general(text) == folded


@given(NAME_TEXT)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(NAME_TEXT)
def test_fold_ignores_case(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower()) == fold(text)


@given(NAME_TEXT)
def test_normalize_institution_is_idempotent(text: str) -> None:
    once = normalize_institution(text)
    assert normalize_institution(once) == once


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Google LLC", "google"),
        ("Google (United States)", "google"),
        ("The University of Tokyo", "university of tokyo"),
        ("Univ. of Toronto", "university of toronto"),
        ("Baidu, Inc.", "baidu"),
        ("AT&T Labs", "at and t laboratories"),
        ("腾讯科技（深圳）有限公司", "腾讯科技"),
        ("阿里巴巴集团控股有限公司", "阿里巴巴集团控股"),
        ("Microsoft Research Asia (MSRA)", "microsoft research asia"),
        ("Siemens AG", "siemens"),
        ("Naver Corp.", "naver"),
    ],
)
def test_normalize_institution(raw: str, key: str) -> None:
    assert normalize_institution(raw) == key


def test_cjk_name_variants_cover_both_orders_and_scripts() -> None:
    expected = {"shunyu yao", "yao shunyu"}
    for name in ("Shunyu Yao", "Yao Shunyu", "姚顺雨", "Shun-Yu Yao", "Shun Yu Yao", "YAO Shunyu"):
        assert expected <= person_name_variants(name), name


def test_western_names_keep_order_and_drop_middle_initials() -> None:
    assert person_name_variants("Geoffrey E. Hinton") == {"geoffrey hinton", "geoffrey e hinton"}
    assert person_name_variants("Hinton, Geoffrey") == {"geoffrey hinton"}
    assert person_name_variants("Łukasz Kaiser") == person_name_variants("Lukasz Kaiser")


@given(
    st.sampled_from(["Yao", "Pu", "Ouyang", "Zhang", "Kim", "Park"]),
    st.sampled_from(["Shunyu", "Yiming", "Minjun", "Wei", "Jiaxin", "Haoran"]),
)
def test_both_orders_give_the_same_variants(family: str, given_name: str) -> None:
    assert person_name_variants(f"{given_name} {family}") == person_name_variants(
        f"{family} {given_name}"
    )


@given(st.sampled_from(["Łukasz Kaiser", "José Hernández", "Zoë Müller", "Søren Hauberg"]))
def test_variants_are_case_and_accent_insensitive(name: str) -> None:
    plain = fold(name)
    assert person_name_variants(name) == person_name_variants(plain)
    assert person_name_variants(name.upper()) == person_name_variants(name)


def test_surname_readings_and_pinyin() -> None:
    assert to_pinyin("单志强", surname_first=True) == "shan zhi qiang"
    assert to_pinyin("曾国栋", surname_first=True) == "zeng guo dong"
    assert to_pinyin("区志强", surname_first=True) == "ou zhi qiang"
    assert is_cjk("姚顺雨") and is_cjk("김민준") and not is_cjk("Yao")


def test_blocking_keys_are_shared_by_initials_and_native_script() -> None:
    shared = blocking_keys("Shunyu Yao") & blocking_keys("S. Yao") & blocking_keys("姚顺雨")
    assert "yao|s" in shared


def test_vietnamese_names_written_family_first_meet_their_western_order() -> None:
    # "Pham Thi Lan" goes by Lan: written Western-style (middle name dropped) "Lan Pham".
    assert person_name_variants("Pham Thi Lan") & person_name_variants("Lan Pham")
    assert blocking_keys("Le Van Minh") & blocking_keys("Minh Le")
    assert "nguyen|t" in blocking_keys("Nguyen Duc Thanh")
    # A Western name whose first word happens to be a Vietnamese surname keeps its reading.
    assert "hinton geoffrey" not in person_name_variants("Geoffrey Hinton")


def test_spellings_of_one_name_meet_as_candidates() -> None:
    from service.domain.resolution import name_match

    assert name_match(["Jürgen Müller"], ["Juergen Mueller"])[0] == "close"
    assert blocking_keys("Jürgen Müller") & blocking_keys("Juergen Mueller")
    assert name_match(["Mary-Anne Collins"], ["Maryanne Collins"])[0] == "exact"
    assert name_match(["Tanaka Yuto"], ["Yuto Tanaka"])[0] == "exact"
    assert blocking_keys("Tanaka Yuto") & blocking_keys("Yuto Tanaka")
    assert name_match(["Mary Collins"], ["Anne Collins"])[0] == "none"


def test_search_text_and_tokens_meet() -> None:
    text = researcher_search_text(["Shunyu Yao", "姚顺雨"])
    for query in ("姚顺雨", "shunyu yao", "Yao Shun-yu", "YAO"):
        assert all(token in text for token in search_tokens(query)), query
    assert search_tokens("姚顺雨") == ["yao", "shunyu"]


def test_partial_dates() -> None:
    assert PartialDate.parse("2019").precision == "year"
    assert PartialDate.parse("2019-07").to_date().isoformat() == "2019-07-01"
    assert PartialDate.parse("2019-07-03").precision == "day"
    assert PartialDate.parse("2019-Q3").precision == "quarter"
    assert sorted([PartialDate(2019, 2), PartialDate(2019), PartialDate(2018, 12, 31)]) == [
        PartialDate(2018, 12, 31),
        PartialDate(2019),
        PartialDate(2019, 2),
    ]
    with pytest.raises(ValueError):
        PartialDate.parse("July 2019")
    with pytest.raises(ValueError):
        PartialDate(2019, 2, 30)


@given(st.dates(), st.sampled_from(["year", "quarter", "month", "day"]))
def test_from_date_round_trip(value: object, precision: str) -> None:
    import datetime as dt

    assert isinstance(value, dt.date)
    partial = PartialDate.from_date(value, precision)
    assert partial.precision == precision
    assert PartialDate.from_date(partial.to_date(), precision) == partial
    assert partial.to_date() <= value


def test_japanese_long_vowels_written_out_are_the_plain_hepburn_name() -> None:
    # A Japanese page's "Kenta Sato" (佐藤健太) and a catalogue's "Kenta Satoh".
    assert blocking_keys("Kenta Sato") & blocking_keys("Kenta Satoh")
    assert name_match(["Kenta Sato", "佐藤健太"], ["Kenta Satoh"])[0] == "close"
    assert name_match(["Yuki Ono"], ["Yuuki Ohno"])[0] == "close"
    # Not for Chinese names: Zhou is not Zho.
    assert name_match(["Wei Zhou"], ["Wei Zho"])[0] == "none"
