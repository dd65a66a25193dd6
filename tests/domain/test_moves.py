from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.dates import PartialDate
from service.domain.institutions import InstitutionIndex, InstitutionRecord
from service.domain.moves import (
    InferenceSettings,
    InstInfo,
    MoveReport,
    Stint,
    classify_move,
    combine_confidence,
    infer_moves,
    next_status,
    same_move,
)

SETTINGS = InferenceSettings(current_year=2026)


def years(inst: int, first: int, last: int, source: str = "openalex") -> Stint:
    return Stint(inst, None, None, frozenset(range(first, last + 1)), source)


def test_a_change_of_primary_affiliation_is_a_move() -> None:
    moves = infer_moves([years(1, 2015, 2019), years(2, 2019, 2023)], SETTINGS)
    assert [(m.from_institution_id, m.to_institution_id, m.date) for m in moves] == [
        (1, 2, PartialDate(2019))
    ]
    assert not moves[0].provisional
    assert moves[0].evidence_sources == ("openalex",)


def test_dual_appointment_is_not_a_move() -> None:
    assert infer_moves([years(1, 2015, 2023), years(2, 2017, 2023)], SETTINGS) == []


def test_recent_moves_are_provisional() -> None:
    moves = infer_moves([years(1, 2015, 2023), years(2, 2025, 2026)], SETTINGS)
    assert len(moves) == 1 and moves[0].provisional


def test_short_stay_is_noise() -> None:
    stints = [years(1, 2010, 2015), years(2, 2016, 2016), years(1, 2017, 2020)]
    assert infer_moves(stints, InferenceSettings(current_year=2026, min_stay_years=2)) == []
    assert len(infer_moves(stints, SETTINGS)) == 2


def test_orcid_dates_give_month_precision() -> None:
    stints = [
        Stint(1, PartialDate(2015, 9), PartialDate(2021, 6), source="orcid"),
        Stint(2, PartialDate(2021, 7), None, source="orcid"),
    ]
    (move,) = infer_moves(stints, SETTINGS)
    assert move.date == PartialDate(2021, 7) and move.date.precision == "month"


def test_classify() -> None:
    uni_cn = InstInfo("university", "CN")
    company_us = InstInfo("company", "US")
    result = classify_move(company_us, uni_cn, prior_countries=("CN", "US"))
    assert result.kind == "industry_to_academia" and result.cross_border and result.returnee
    assert classify_move(uni_cn, company_us, ("CN",)).returnee is False
    uni_lab = InstInfo("lab", "US", parent_id=9, parent_kind="university")
    assert classify_move(uni_lab, company_us).kind == "academia_to_industry"
    assert classify_move(None, company_us).kind == "unknown"
    assert classify_move(InstInfo("government", "FR"), InstInfo("nonprofit", "FR")).kind == (
        "academia_to_academia"
    )


def report(**kw: object) -> MoveReport:
    base: dict[str, object] = {
        "researcher_id": 1,
        "from_id": 10,
        "to_id": 20,
        "date": PartialDate(2025, 3),
        "source_kind": "news",
        "publisher": "The Information",
        "confidence": 0.6,
    }
    base.update(kw)
    return MoveReport(**base)  # type: ignore[arg-type]


def test_same_move() -> None:
    index = InstitutionIndex(
        [
            InstitutionRecord(20, "google", "Google", "company", "US", None),
            InstitutionRecord(21, "gdm", "Google DeepMind", "lab", "GB", 20),
            InstitutionRecord(10, "openai", "OpenAI", "company", "US", None),
        ]
    )
    assert same_move(report(), report(to_id=21, date=PartialDate(2025)), index)
    assert not same_move(report(), report(to_id=21))  # no index: unrelated ids
    assert same_move(report(), report(from_id=None, date=None))
    assert not same_move(report(), report(researcher_id=2))
    assert not same_move(report(), report(date=PartialDate(2021, 1)))


def test_confidence_combines_independent_sources_only() -> None:
    one = report(confidence=0.6)
    again = report(confidence=0.6)
    other = report(publisher="Bloomberg", confidence=0.6)
    assert combine_confidence([one, again]) == 0.6
    assert combine_confidence([one, other]) == 0.84
    assert combine_confidence([one, other]) > combine_confidence([one, again])
    assert combine_confidence([report(confidence=1.0)]) == 0.99
    assert combine_confidence([]) == 0.0


def test_status_transitions() -> None:
    one, other = report(), report(publisher="Bloomberg", source_kind="news")
    assert next_status("reported", [one]) == "reported"
    assert next_status("reported", [one, one]) == "reported"
    assert next_status("reported", [one, other]) == "corroborated"
    assert next_status("confirmed", [one]) == "confirmed"
    assert next_status("retracted", [one, other]) == "retracted"


STINTS = st.lists(
    st.builds(
        lambda inst, first, span, src: years(inst, first, first + span, src),
        st.integers(1, 4),
        st.integers(2005, 2025),
        st.integers(0, 6),
        st.sampled_from(["openalex", "orcid", "dblp"]),
    ),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(STINTS, st.randoms(use_true_random=False))
def test_inference_is_order_independent_and_never_self_moves(
    stints: list[Stint], rnd: object
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    shuffled = list(stints)
    rnd.shuffle(shuffled)
    moves = infer_moves(stints, SETTINGS)
    assert moves == infer_moves(shuffled, SETTINGS)
    assert all(m.from_institution_id != m.to_institution_id for m in moves)
    assert [m.date for m in moves] == sorted(m.date for m in moves)


@given(st.integers(1, 9), st.lists(st.integers(2000, 2026), min_size=1, max_size=20))
def test_one_institution_never_moves(inst: int, active: list[int]) -> None:
    stints = [Stint(inst, None, None, frozenset({y}), "openalex") for y in active]
    assert infer_moves(stints, SETTINGS) == []


@given(st.integers(2000, 2020), st.integers(0, 6), st.integers(2, 5))
def test_concurrent_affiliations_are_not_moves(first: int, span: int, count: int) -> None:
    stints = [years(inst, first, first + span) for inst in range(1, count + 1)]
    assert infer_moves(stints, SETTINGS) == []
