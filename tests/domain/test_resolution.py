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
