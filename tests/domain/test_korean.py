"""Korean names in Hangul meet the romanised names sources print."""

from __future__ import annotations

import pytest

from service.domain.identity import Context, Sighting, compare
from service.domain.korean import korean_readings, romanise_syllable, surname_group
from service.domain.names import blocking_keys
from service.domain.resolution import name_match


def test_syllables_follow_the_revised_romanization() -> None:
    assert [romanise_syllable(c) for c in "박서연"] == ["bak", "seo", "yeon"]
    assert [romanise_syllable(c) for c in "정훈석"] == ["jeong", "hun", "seok"]
    with pytest.raises(ValueError):
        romanise_syllable("a")


def test_the_commonest_spelling_of_the_family_name_comes_first() -> None:
    assert korean_readings("박서연")[0] == ("park", "seoyeon")
    assert ("choi", "jiwoo") in korean_readings("최지우")
    assert korean_readings("박") == () and korean_readings("Park") == ()


@pytest.mark.parametrize(
    ("hangul", "latin"),
    [
        ("박서연", "Seoyeon Pak"),
        ("최지우", "Choi Ji-woo"),
        ("조성민", "Sung-min Cho"),
        ("윤지원", "Jiwon Yoon"),
        ("강민서", "Minseo Gang"),
    ],
)
def test_a_hangul_name_meets_its_romanisation(hangul: str, latin: str) -> None:
    assert name_match([hangul], [latin])[0] == "exact"
    assert blocking_keys(hangul) & blocking_keys(latin)


def test_two_romanisations_of_one_family_name_are_close() -> None:
    assert surname_group("jung") == surname_group("jeong") == surname_group("chung")
    assert name_match(["Minsu Jung"], ["Jeong Min-su"])[0] == "close"
    assert blocking_keys("Minsu Jung") & blocking_keys("Jeong Min-su")


def test_two_different_hangul_names_are_two_people() -> None:
    lab = ((1, 2018, 2022),)
    a = Sighting(("Seoyeon Park",), native_name="박서연", stints=lab)
    b = Sighting(("박서윤",), stints=lab)
    assert compare(a, b, Context()).cannot_link
    assert not compare(a, Sighting(("박서연",), stints=lab), Context()).cannot_link
