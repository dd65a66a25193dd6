from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from service.domain.dates import PartialDate
from service.domain.institutions import InstitutionIndex, InstitutionRecord
from service.domain.moves import (
    InferenceSettings,
    InferredMove,
    InstInfo,
    MoveEvidence,
    MoveReport,
    Relation,
    Stint,
    classify_move,
    combine_confidence,
    doctorate_stints,
    infer_moves,
    move_confidence,
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


def moves_only(found: list[InferredMove]) -> list[InferredMove]:
    return [m for m in found if not m.visit]


def test_short_stay_is_noise() -> None:
    stints = [years(1, 2010, 2015), years(2, 2016, 2016), years(1, 2017, 2020)]
    assert (
        moves_only(infer_moves(stints, InferenceSettings(current_year=2026, min_stay_years=2)))
        == []
    )
    # one year away between two stints at home is a visit, not two moves
    assert moves_only(infer_moves(stints, SETTINGS)) == []
    # two years away are two moves, unless visits may last two years
    two = [years(1, 2010, 2015), years(2, 2016, 2017), years(1, 2018, 2020)]
    assert len(moves_only(infer_moves(two, SETTINGS))) == 2
    assert (
        moves_only(infer_moves(two, InferenceSettings(current_year=2026, visit_max_years=2))) == []
    )


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


# ------------------------------------------------------------------- visits, lineages, confidence


def test_a_visit_between_home_stints_is_one_visit_and_no_move() -> None:
    stints = [
        Stint(1, None, None, frozenset({2019, 2021, 2022, 2023}), "a"),
        Stint(2, None, None, frozenset({2020}), "b"),
    ]
    found = infer_moves(stints, SETTINGS)
    assert moves_only(found) == []
    (visit,) = found
    assert (visit.from_institution_id, visit.to_institution_id, visit.visit) == (1, 2, True)
    assert (visit.earliest, visit.latest) == (PartialDate(2020), PartialDate(2020))
    assert visit.reasons["rule"] == "visit_between_home_stints"


def test_a_short_stint_inside_the_home_stint_is_a_visit() -> None:
    found = infer_moves([years(1, 2010, 2020), years(2, 2015, 2015)], SETTINGS)
    assert [(m.from_institution_id, m.to_institution_id, m.visit) for m in found] == [(1, 2, True)]
    assert found[0].reasons["rule"] == "visit_inside_home_stint"


def test_a_long_second_affiliation_is_a_dual_appointment_not_a_visit() -> None:
    assert infer_moves([years(1, 2010, 2020), years(2, 2014, 2016)], SETTINGS) == []


def test_visits_fold_before_the_real_move() -> None:
    stints = [
        Stint(1, None, None, frozenset({2008, 2009, 2011, 2012, 2014, 2015}), "home"),
        years(2, 2010, 2010),
        years(3, 2013, 2013),
        years(4, 2016, 2024),
    ]
    found = infer_moves(stints, SETTINGS)
    assert [(m.from_institution_id, m.to_institution_id) for m in moves_only(found)] == [(1, 4)]
    assert sorted(m.to_institution_id for m in found if m.visit) == [2, 3]


BRAIN, DEEPMIND, GDM, OPENAI = 10, 11, 12, 13
MERGER = [
    Relation(BRAIN, GDM, "merger", PartialDate(2023, 4)),
    Relation(DEEPMIND, GDM, "merger", PartialDate(2023, 4)),
]


def test_a_merger_is_continuity_not_a_move() -> None:
    for lab in (BRAIN, DEEPMIND):
        stints = [years(lab, 2017, 2023), years(GDM, 2023, 2025)]
        assert infer_moves(stints, SETTINGS, relations=MERGER) == []
        # without the relation the same history is a move
        assert len(infer_moves(stints, SETTINGS)) == 1


def test_a_move_long_after_the_merger_date_is_still_a_move() -> None:
    stints = [years(BRAIN, 2012, 2016), years(GDM, 2017, 2025)]
    (move,) = infer_moves(stints, SETTINGS, relations=MERGER)
    assert (move.from_institution_id, move.to_institution_id) == (BRAIN, GDM)


def test_moves_into_and_out_of_a_renamed_lineage() -> None:
    stanford, rename = 1, [Relation(20, 21, "rename", PartialDate(2021, 10))]
    stints = [years(stanford, 2012, 2015), years(20, 2016, 2021), years(21, 2022, 2023)]
    stints.append(years(OPENAI, 2024, 2025))
    found = infer_moves(stints, SETTINGS, relations=rename)
    assert [(m.from_institution_id, m.to_institution_id) for m in found] == [
        (stanford, 20),
        (21, OPENAI),
    ]
    assert found[1].reasons["continuity"] == [
        {"from": 20, "to": 21, "kind": "rename", "date": "2021-10"}
    ]


def test_a_move_carries_the_interval_and_orcid_wins_when_it_agrees() -> None:
    (move,) = infer_moves([years(1, 2010, 2014), years(2, 2017, 2020)], SETTINGS)
    assert (move.earliest, move.latest, move.date) == (
        PartialDate(2014),
        PartialDate(2017),
        PartialDate(2017),
    )
    assert move.reasons["gap_years"] == 2
    dated = [years(1, 2010, 2014), years(2, 2017, 2020), Stint(2, PartialDate(2015, 3), None)]
    (move,) = infer_moves(dated, SETTINGS)
    assert move.date == PartialDate(2015, 3) and move.earliest == move.latest == move.date
    assert move.reasons["dated_employment_agrees"] is True
    # a dated start far outside the interval does not date the move
    (late,) = infer_moves(
        [years(1, 2010, 2014), years(2, 2015, 2020), Stint(2, PartialDate(2019, 3), None)],
        SETTINGS,
    )
    assert late.date == PartialDate(2015)


def test_confidence_follows_the_evidence() -> None:
    thin = infer_moves([years(1, 2013, 2013), years(2, 2018, 2018)], SETTINGS)[0]
    solid = infer_moves([years(1, 2010, 2016), years(2, 2017, 2022)], SETTINGS)[0]
    assert thin.confidence < solid.confidence
    halved = infer_moves([years(1, 2010, 2016), years(2, 2017, 2022)], SETTINGS, identity=0.5)
    assert halved[0].confidence == round(solid.confidence * 0.5, 4)


PRECISIONS = ["year", "quarter", "month", "day"]
evidence_st = st.builds(
    MoveEvidence,
    years_before=st.integers(0, 30),
    years_after=st.integers(0, 30),
    documents=st.integers(0, 200),
    gap_years=st.integers(0, 20),
    date_precision=st.sampled_from(PRECISIONS),
    dated=st.booleans(),
    identity=st.floats(0.0, 1.0),
    provisional=st.booleans(),
)


@given(evidence_st, st.integers(1, 10), st.floats(0.0, 1.0), st.data())
@settings(max_examples=300, deadline=None)
def test_confidence_is_monotone_in_each_input(
    ev: MoveEvidence, step: int, more: float, data: st.DataObject
) -> None:
    from dataclasses import replace

    base = move_confidence(ev)
    assert 0.0 <= base <= 0.95
    up = [
        replace(ev, years_before=ev.years_before + step),
        replace(ev, years_after=ev.years_after + step),
        replace(ev, documents=ev.documents + step),
        replace(ev, dated=True),
        replace(ev, identity=min(1.0, ev.identity + more)),
        replace(ev, provisional=False),
        replace(
            ev,
            date_precision=data.draw(
                st.sampled_from(PRECISIONS[PRECISIONS.index(ev.date_precision) :])
            ),
        ),
    ]
    for better in up:
        assert move_confidence(better) >= base, better
    assert move_confidence(replace(ev, gap_years=ev.gap_years + step)) <= base
    assert move_confidence(replace(ev, provisional=True)) <= base


def test_an_undated_relation_is_continuity_only_where_the_switch_is_direct() -> None:
    undated = [Relation(30, 31, "rename", None)]
    direct = [years(30, 2012, 2017), years(31, 2018, 2022)]
    assert infer_moves(direct, SETTINGS, relations=undated) == []
    later = [years(30, 2012, 2014), years(31, 2019, 2022)]
    assert len(infer_moves(later, SETTINGS, relations=undated)) == 1


def test_a_visiting_role_or_a_dated_year_makes_a_longer_stay_a_visit() -> None:
    home = Stint(1, None, None, frozenset({*range(2010, 2016), *range(2018, 2024)}), "a")
    away = Stint(2, None, None, frozenset({2016, 2017}), "b")
    assert len(moves_only(infer_moves([home, away], SETTINGS))) == 2
    visiting = Stint(2, PartialDate(2016, 1), PartialDate(2017, 12), source="o", visiting=True)
    assert moves_only(infer_moves([home, away, visiting], SETTINGS)) == []
    twelve_months = Stint(2, PartialDate(2016, 9), PartialDate(2017, 8), source="o")
    assert moves_only(infer_moves([home, away, twelve_months], SETTINGS)) == []
    two_years = Stint(2, PartialDate(2016, 1), PartialDate(2017, 12), source="o")
    assert len(moves_only(infer_moves([home, away, two_years], SETTINGS))) == 2
    # no visits at all when they are switched off
    off = InferenceSettings(current_year=2026, visit_max_years=0)
    assert len(moves_only(infer_moves([home, away, visiting], off))) == 2


def test_visiting_roles() -> None:
    from service.domain.moves import is_visiting_role

    for role in ("Visiting Professor", "Sabbatical", "Research Intern", "guest researcher"):
        assert is_visiting_role(role), role
    for role in (None, "", "Professor", "Internal Medicine Fellow", "Research Scientist"):
        assert not is_visiting_role(role), role


def test_two_dated_appointments_held_together_do_not_flip_with_the_papers() -> None:
    a = Stint(1, PartialDate(2010, 9), None, frozenset({2010, 2011, 2012, 2014, 2016}), "a")
    b = Stint(2, PartialDate(2012, 1), None, frozenset({2013, 2015, 2017}), "b")
    assert infer_moves([a, b], SETTINGS) == []
    # an ORCID-dated move still wins over the old institution's lingering papers
    old = Stint(1, None, None, frozenset(range(2010, 2019)), "a")
    new = Stint(2, PartialDate(2017, 3), None, frozenset({2018, 2019}), "b")
    (move,) = infer_moves([old, new], SETTINGS)
    assert move.date == PartialDate(2017, 3)


# ------------------------------------------------------------- units, hierarchy, dual appointments


def hierarchy() -> InstitutionIndex:
    """Alphabet > Google > Google Research > Google Brain (US); Google DeepMind (GB) under
    Alphabet; Microsoft Research (US) > MSR Cambridge (GB); Stanford, OpenAI."""
    rows = [
        (1, "alphabet", None, "US"),
        (2, "google", 1, "US"),
        (3, "google-research", 2, "US"),
        (4, "google-brain", 3, "US"),
        (5, "google-deepmind", 1, "GB"),
        (6, "microsoft-research", None, "US"),
        (7, "msr-cambridge", 6, "GB"),
        (8, "stanford-university", None, "US"),
        (9, "openai", None, "US"),
    ]
    return InstitutionIndex(
        InstitutionRecord(i, slug, slug, "lab", country, parent)
        for i, slug, parent, country in rows
    )


def pairs(found: list[InferredMove]) -> list[tuple[int, int, int]]:
    return [(m.from_institution_id, m.to_institution_id, m.date.year) for m in moves_only(found)]


def test_a_lab_and_its_company_are_one_employer() -> None:
    index = hierarchy()
    # the papers alternate between the company and its lab, year by year
    stints = [
        years(8, 2010, 2015),
        Stint(2, None, None, frozenset({2016, 2018, 2021}), "a"),
        Stint(4, None, None, frozenset({2017, 2019, 2020, 2022}), "a"),
    ]
    assert pairs(infer_moves(stints, SETTINGS, index=index)) == [(8, 2, 2016)]
    # without the hierarchy every alternation is a move or a visit
    assert len(pairs(infer_moves(stints, SETTINGS))) > 1
    # a lab named after its company took over: still no move
    later = [years(8, 2010, 2015), years(2, 2016, 2019), years(4, 2019, 2024)]
    (move,) = pairs(infer_moves(later, SETTINGS, index=index))
    assert move[:2] == (8, 2)
    # and the move out of the unit names the lab the papers named last
    out = [*later, years(9, 2025, 2026)]
    assert pairs(infer_moves(out, SETTINGS, index=index))[-1][:2] == (4, 9)


def test_a_site_in_another_country_is_its_own_unit() -> None:
    stints = [years(6, 2012, 2017), years(7, 2018, 2024)]
    assert pairs(infer_moves(stints, SETTINGS, index=hierarchy())) == [(6, 7, 2018)]


def test_a_relation_counts_for_the_unit_of_its_ends() -> None:
    """Papers say "Google" (Brain's company) until the Brain + DeepMind merger, then Google
    DeepMind: continuity. A transfer to DeepMind years before the merger stays a move."""
    merger = [Relation(4, 5, "merger", PartialDate(2023, 4))]
    index = hierarchy()
    for company in (2, 3):  # Google, Google Research
        stints = [years(8, 2012, 2017), years(company, 2018, 2023), years(5, 2023, 2026)]
        found = pairs(infer_moves(stints, SETTINGS, relations=merger, index=index))
        assert found == [(8, company, 2018)]
        assert len(pairs(infer_moves(stints, SETTINGS, index=index))) == 2
    early = [years(3, 2015, 2020), years(5, 2020, 2026)]
    assert pairs(infer_moves(early, SETTINGS, relations=merger, index=index)) == [(3, 5, 2020)]


def test_a_secondary_post_that_starts_with_the_new_job_does_not_take_its_place() -> None:
    """Stanford until 2017, then a UW chair from 2017 and a part-time AI2 post from 2018: the
    move goes to UW whatever the ids; the AI2 post is a dual appointment."""
    for uw, ai2 in ((2, 3), (3, 2)):
        stints = [years(1, 2012, 2017), years(uw, 2017, 2026), years(ai2, 2018, 2026)]
        assert pairs(infer_moves(stints, SETTINGS)) == [(1, uw, 2017)]


def test_the_end_of_a_secondary_post_held_alongside_the_home_is_no_move() -> None:
    """A degree-side affiliation held from the same year as the lab, ending earlier (UCAS
    beside an institute of the Academy): the lab held longer is the home, no move."""
    for lab, school in ((2, 3), (3, 2)):
        stints = [years(lab, 2013, 2021), years(school, 2013, 2017), years(9, 2022, 2026)]
        assert pairs(infer_moves(stints, SETTINGS)) == [(lab, 9, 2022)]


def test_a_stay_with_few_documents_is_a_visit() -> None:
    """Two years at B between stints at A: two moves on years alone, a visit when B's works
    are counted and add up to at most ``visit_max_documents``."""
    home = Stint(1, None, None, frozenset({*range(2010, 2016), *range(2018, 2024)}), "a")
    counted = Stint(
        2, None, None, frozenset({2016, 2017}), "b", year_documents=((2016, 1), (2017, 1))
    )
    assert len(pairs(infer_moves([home, replace(counted, year_documents=())], SETTINGS))) == 2
    found = infer_moves([home, counted], SETTINGS)
    assert pairs(found) == []
    (visit,) = found
    assert (visit.from_institution_id, visit.to_institution_id, visit.visit) == (1, 2, True)
    assert visit.reasons["documents_at_host"] == 2
    # more documents than the rule allows, a year not counted, or the rule off: two moves
    many = replace(counted, year_documents=((2016, 2), (2017, 1)))
    partial = replace(counted, year_documents=((2016, 1),))
    off = InferenceSettings(current_year=2026, visit_max_documents=0)
    assert len(pairs(infer_moves([home, many], SETTINGS))) == 2
    assert len(pairs(infer_moves([home, partial], SETTINGS))) == 2
    assert len(pairs(infer_moves([home, counted], off))) == 2
    # a long stay is never a visit, however few its documents
    long = Stint(
        2,
        None,
        None,
        frozenset(range(2016, 2020)),
        "b",
        year_documents=tuple((y, 1) for y in range(2016, 2020)),
    )
    late = Stint(1, None, None, frozenset(range(2020, 2024)), "a")
    early = Stint(1, None, None, frozenset(range(2010, 2016)), "a")
    assert len(pairs(infer_moves([early, long, late], SETTINGS))) == 2


def test_two_sources_counting_the_same_works_do_not_add_up() -> None:
    home = Stint(1, None, None, frozenset({*range(2010, 2016), *range(2018, 2024)}), "a")
    one = Stint(2, None, None, frozenset({2016, 2017}), "b", year_documents=((2016, 1), (2017, 1)))
    again = replace(one, source="c")
    assert pairs(infer_moves([home, one, again], SETTINGS)) == []


def test_orcid_months_decide_the_year_of_a_switch() -> None:
    """Papers at A through 2026 (publication lag) and ORCID: A until April 2026, B from May
    2026. The months say the person left A in 2026: a move dated May 2026."""
    papers = Stint(1, None, None, frozenset(range(2020, 2027)), "openalex")
    a = Stint(1, PartialDate(2020, 3), PartialDate(2026, 4), source="orcid")
    b = Stint(2, PartialDate(2026, 5), None, source="orcid")
    (move,) = infer_moves([papers, a, b], SETTINGS)
    assert (move.from_institution_id, move.to_institution_id, move.date) == (
        1,
        2,
        PartialDate(2026, 5),
    )
    # an end known to the year only cannot say which came first: A keeps 2026
    vague = replace(a, end=PartialDate(2026))
    assert pairs(infer_moves([papers, vague, b], SETTINGS)) == []
    # nor can a start before the end (two posts held together for a while)
    early = replace(b, start=PartialDate(2026, 2))
    assert pairs(infer_moves([papers, a, early], SETTINGS)) == []


def test_a_stale_open_orcid_entry_gives_way_to_years_of_papers_elsewhere() -> None:
    """ORCID: A from 2016, never closed; papers at A until 2019, then only at B: a move in
    2019 (the old rule kept A forever on the strength of the open entry)."""
    open_entry = Stint(1, PartialDate(2016, 1), None, source="orcid")
    at_a = Stint(1, None, None, frozenset(range(2012, 2020)), "openalex")
    at_b = Stint(2, None, None, frozenset(range(2019, 2027)), "openalex")
    assert pairs(infer_moves([open_entry, at_a, at_b], SETTINGS)) == [(1, 2, 2019)]
    # the papers at A resume: a stay away, not a stale entry
    back = Stint(1, None, None, frozenset({*range(2012, 2017), *range(2021, 2027)}), "openalex")
    away = Stint(2, None, None, frozenset(range(2017, 2021)), "openalex")
    assert pairs(infer_moves([open_entry, back, away], SETTINGS)) == []
    # papers elsewhere only in the last provisional years say nothing yet (publication lag)
    recent_a = Stint(1, None, None, frozenset(range(2012, 2025)), "openalex")
    recent_b = Stint(2, None, None, frozenset({2025, 2026}), "openalex")
    assert pairs(infer_moves([open_entry, recent_a, recent_b], SETTINGS)) == []
    # an entry that starts after the last paper at its place is not stale
    new = Stint(2, PartialDate(2026, 7), None, source="orcid")
    old = Stint(1, None, None, frozenset(range(2014, 2027)), "openalex")
    one_paper = Stint(2, None, None, frozenset({2024}), "openalex")
    old_entry = Stint(1, PartialDate(2014, 7), PartialDate(2026, 6), source="orcid")
    assert pairs(infer_moves([old, one_paper, old_entry, new], SETTINGS)) == [(1, 2, 2026)]


def test_two_years_of_late_papers_at_the_old_place_still_date_the_move_from_the_start() -> None:
    """Papers at A until 2019, at B from 2018: the move is dated 2018 (the old place's
    papers lag by up to ``allowed_overlap_years``); a longer overlap is a dual appointment
    that ends, dated when B became primary."""
    (move,) = infer_moves([years(1, 2011, 2019), years(2, 2018, 2026)], SETTINGS)
    assert move.date == PartialDate(2018)
    (dual,) = infer_moves([years(1, 2011, 2020), years(2, 2017, 2026)], SETTINGS)
    assert dual.date == PartialDate(2021)
    one = InferenceSettings(current_year=2026, allowed_overlap_years=1)
    (strict,) = infer_moves([years(1, 2011, 2019), years(2, 2018, 2026)], one)
    assert strict.date == PartialDate(2020)


def test_an_undated_relation_does_not_override_a_dated_one_of_the_same_pair() -> None:
    """ROR's undated relation (passed on as a rename) beside the seed's dated merger: a
    direct switch three years before the merger stays a move."""
    dated = Relation(BRAIN, GDM, "merger", PartialDate(2023, 4))
    undated = Relation(BRAIN, GDM, "rename", None)
    early = [years(BRAIN, 2014, 2019), years(GDM, 2020, 2026)]
    assert infer_moves(early, SETTINGS, relations=[undated]) == []
    assert len(infer_moves(early, SETTINGS, relations=[dated, undated])) == 1
    assert len(infer_moves(early, SETTINGS, relations=[undated, dated])) == 1
    on_time = [years(BRAIN, 2017, 2022), years(GDM, 2023, 2026)]
    assert infer_moves(on_time, SETTINGS, relations=[dated, undated]) == []


def test_a_move_into_a_company_and_its_lab_names_the_lab_whatever_the_weights() -> None:
    """An employment record names the company (Google, weighing as a dated stint), the papers
    of the same years the lab (Google Brain): the move names the lab, the more specific end."""
    index = hierarchy()
    dated = Stint(2, PartialDate(2019, 6), PartialDate(2023, 4), source="orcid")
    stints = [years(8, 2014, 2019), years(4, 2019, 2023), dated]
    assert pairs(infer_moves(stints, SETTINGS, index=index)) == [(8, 4, 2019)]
    # and out of it: the lab the papers name in the last year, beside the record's company
    out = [years(8, 2010, 2015), years(2, 2016, 2021), years(4, 2016, 2021), years(9, 2022, 2026)]
    assert pairs(infer_moves(out, SETTINGS, index=index)) == [(8, 4, 2016), (4, 9, 2022)]


def spin_out_index() -> InstitutionIndex:
    rows = [
        (1, "tsinghua-university", "university", None),
        (2, "zhipu-ai", "company", None),
        (3, "keg-lab", "lab", 1),
        (4, "institute", "nonprofit", None),
    ]
    return InstitutionIndex(
        InstitutionRecord(i, slug, slug, kind, "CN", parent) for i, slug, kind, parent in rows
    )


def test_a_start_up_spun_out_of_a_university_is_a_move_a_lab_spun_out_is_not() -> None:
    """Zhipu AI spun out of Tsinghua (2019): who leaves the university for the company changes
    employer and sector, a move. A university group spun out as an institute keeps its people:
    continuity."""
    index = spin_out_index()
    to_company = [Relation(1, 2, "spin_out", PartialDate(2019, 6))]
    stints = [years(1, 2014, 2019), years(2, 2019, 2026)]
    assert pairs(infer_moves(stints, SETTINGS, relations=to_company, index=index)) == [(1, 2, 2019)]
    lab_to_company = [Relation(3, 2, "spin_out", PartialDate(2019, 6))]
    stints = [years(3, 2014, 2019), years(2, 2019, 2026)]
    assert len(pairs(infer_moves(stints, SETTINGS, relations=lab_to_company, index=index))) == 1
    to_institute = [Relation(1, 4, "spin_out", PartialDate(2021))]
    stints = [years(1, 2010, 2021), years(4, 2021, 2026)]
    assert pairs(infer_moves(stints, SETTINGS, relations=to_institute, index=index)) == []
    # a rename or merger into a company keeps its people whatever the sectors
    merger = [Relation(1, 2, "merger", PartialDate(2019, 6))]
    stints = [years(1, 2014, 2019), years(2, 2019, 2026)]
    assert pairs(infer_moves(stints, SETTINGS, relations=merger, index=index)) == []


def kinds_index(kinds: dict[int, str]) -> InstitutionIndex:
    return InstitutionIndex(
        InstitutionRecord(i, f"i{i}", f"i{i}", kind, "GB", None) for i, kind in kinds.items()
    )


def test_a_short_post_between_two_jobs_is_a_step_not_noise() -> None:
    """A one-year postdoc (one paper in the last year at A) before a lectureship at C, and a
    15-month job whose two years are shared with A's last and C's first: both steps are moves,
    though the stay never becomes the primary affiliation."""
    index = kinds_index({1: "university", 2: "university", 3: "university", 4: "company"})
    postdoc = [years(1, 2014, 2018), years(2, 2018, 2018), years(3, 2019, 2026)]
    assert pairs(infer_moves(postdoc, SETTINGS, index=index)) == [(1, 2, 2018), (2, 3, 2019)]
    job = [years(1, 2013, 2018), years(4, 2018, 2019), years(3, 2019, 2026)]
    assert pairs(infer_moves(job, SETTINGS, index=index)) == [(1, 4, 2018), (4, 3, 2019)]


def test_an_internship_or_a_stray_paper_in_the_move_year_is_no_step() -> None:
    """A year at a company between two academic posts is the internship at the end of a
    doctorate; a paper naming B in the year the new job's papers start is a stray one; a
    record with a visiting role is a visit."""
    index = kinds_index({1: "university", 2: "university", 3: "university", 4: "company"})
    intern = [years(1, 2015, 2020), years(4, 2020, 2020), years(3, 2021, 2026)]
    assert pairs(infer_moves(intern, SETTINGS, index=index)) == [(1, 3, 2021)]
    stray = [years(1, 2010, 2015), years(2, 2015, 2015), years(4, 2015, 2026)]
    assert pairs(infer_moves(stray, SETTINGS, index=index)) == [(1, 4, 2015)]
    visiting = replace(years(2, 2018, 2018), visiting=True)
    found = infer_moves([years(1, 2014, 2018), visiting, years(3, 2019, 2026)], SETTINGS)
    assert pairs(found) == [(1, 3, 2019)]


def sites_index() -> InstitutionIndex:
    """Microsoft Research (US) > MSR Asia (CN, a site) > MSRA Shanghai (CN, a site); Tsinghua."""
    return InstitutionIndex(
        [
            InstitutionRecord(1, "microsoft-research", "MSR", "lab", "US", None),
            InstitutionRecord(2, "msr-asia", "MSRA", "lab", "CN", 1, is_site=True),
            InstitutionRecord(3, "msr-asia-shanghai", "MSRA SH", "lab", "CN", 2, is_site=True),
            InstitutionRecord(4, "tsinghua-university", "Tsinghua", "university", "CN", None),
        ]
    )


def test_a_transfer_between_two_sites_in_one_country_is_a_move() -> None:
    """Flows are attributed to sites: MSRA Beijing to the new MSRA Shanghai lab is a move,
    though the one sits under the other in the same country."""
    stints = [years(4, 2010, 2015), years(2, 2015, 2021), years(3, 2021, 2026)]
    assert pairs(infer_moves(stints, SETTINGS, index=sites_index())) == [
        (4, 2, 2015),
        (2, 3, 2021),
    ]
    # papers naming both the site and the lab it belongs to, every year: one job, no move
    both = [years(4, 2010, 2015), years(2, 2015, 2026), years(3, 2016, 2026)]
    assert pairs(infer_moves(both, SETTINGS, index=sites_index())) == [(4, 2, 2015)]


def test_a_second_affiliation_of_every_year_at_a_is_no_step() -> None:
    """Two affiliations on the one year of papers before a move (Florida College and the
    University of Florida, 2008, then Chapel Hill from 2010): a co-affiliation, not a step."""
    index = kinds_index({1: "university", 2: "university", 3: "university"})
    stints = [years(1, 2008, 2008), years(2, 2008, 2008), years(3, 2010, 2014)]
    assert pairs(infer_moves(stints, SETTINGS, index=index)) == [(1, 3, 2010)]


def test_a_site_abroad_named_beside_its_organisation_for_years_is_one_job() -> None:
    """The ORCID record names Google (US) 2020-2023, the papers of the same years a Google
    site in India (outside the seed, under Google Research): one job, at the site, so the move
    from an Indian university names the site and stays in India; the Brain merger still
    carries the job to Google DeepMind (2023)."""
    rows = [
        (1, "alphabet", None, "US"),
        (2, "google", 1, "US"),
        (3, "google-research", 2, "US"),
        (4, "google-brain", 3, "US"),
        (5, "google-deepmind", 1, "GB"),
        (6, "google-research-india", 3, "IN"),
        (7, "iit-bombay", None, "IN"),
        (8, "amazon-aachen", 9, "DE"),
        (9, "amazon", None, "US"),
        (10, "aws-ai-labs", 9, "US"),
        (11, "rwth", None, "DE"),
    ]
    index = InstitutionIndex(
        InstitutionRecord(i, slug, slug, "lab", country, parent)
        for i, slug, parent, country in rows
    )
    merger = [Relation(4, 5, "merger", PartialDate(2023, 4))]
    stints = [
        years(7, 2015, 2020),
        years(6, 2020, 2023),
        years(5, 2023, 2026),
        Stint(2, PartialDate(2020, 9), PartialDate(2023, 4), source="orcid"),
        Stint(5, PartialDate(2023, 4), None, source="orcid"),
    ]
    assert pairs(infer_moves(stints, SETTINGS, relations=merger, index=index)) == [(7, 6, 2020)]
    # two sibling units of one company, a German site and a US lab, named together 2022-2024
    siblings = [years(11, 2016, 2021), years(8, 2021, 2024), years(10, 2022, 2026)]
    assert pairs(infer_moves(siblings, SETTINGS, index=index)) == [(11, 8, 2021)]
    # a transfer overlaps only by the publication lag: still a move between the sites
    transfer = [years(11, 2010, 2015), years(8, 2015, 2020), years(10, 2020, 2026)]
    assert pairs(infer_moves(transfer, SETTINGS, index=index)) == [(11, 8, 2015), (8, 10, 2020)]
    # a transfer whose old site's papers lag three years, each side with more years of its
    # own than shared, one before and one after: still a move
    lagged = [years(11, 2008, 2013), years(10, 2014, 2021), years(8, 2019, 2026)]
    assert pairs(infer_moves(lagged, SETTINGS, index=index)) == [(11, 10, 2014), (10, 8, 2019)]


def test_a_step_into_an_acquired_start_up_keeps_its_lineage() -> None:
    """A start-up whose two years are shared with the last at A and the first at its acquirer
    is found by the step rule, after continuity first ran: the acquisition still joins it to
    the acquirer, so the history is one move into the start-up and one out of the acquirer."""
    index = kinds_index({1: "university", 2: "company", 3: "company", 4: "company"})
    acquisition = [Relation(2, 3, "acquisition", PartialDate(2016, 4))]
    stints = [
        years(1, 2011, 2015),
        years(2, 2015, 2016),
        years(3, 2016, 2022),
        years(4, 2022, 2026),
    ]
    found = infer_moves(stints, SETTINGS, relations=acquisition, index=index)
    assert pairs(found) == [(1, 2, 2015), (3, 4, 2022)]
    assert found[1].reasons["continuity"] == [
        {"from": 2, "to": 3, "kind": "acquisition", "date": "2016-04"}
    ]
    # without the relation the step is two moves
    assert len(pairs(infer_moves(stints, SETTINGS, index=index))) == 3


def test_a_step_after_a_job_whose_first_year_went_to_the_doctorate() -> None:
    """A doctorate 2012-2017, then one-to-two-year jobs: B 2017-2018 (its first year still the
    doctorate's), C 2018-2019, D 2019-2021. B is primary only in 2018, the year C starts, yet C
    starts after B's first papers (2017): C is a step B → C → D, not a co-affiliation of B."""
    index = kinds_index({1: "university", 2: "company", 3: "company", 4: "company"})
    stints = [
        years(1, 2012, 2017),
        years(2, 2017, 2018),
        years(3, 2018, 2019),
        years(4, 2019, 2021),
    ]
    assert pairs(infer_moves(stints, SETTINGS, index=index)) == [
        (1, 2, 2017),
        (2, 3, 2018),
        (3, 4, 2019),
    ]


def test_a_chain_of_renames_and_acquisitions_is_one_lineage() -> None:
    """A start-up renamed (B → C, April 2025) and then bought (C → D, July 2025) in one year:
    its papers name the new name in that year only, beside the old name and the acquirer, so
    the new name is never primary. The chain B → C → D is still one lineage: one move into the
    start-up, none into the acquirer. A spin-out of a university is no link of a chain."""
    index = kinds_index({1: "university", 2: "company", 3: "company", 4: "company"})
    chain = [
        Relation(2, 3, "rename", PartialDate(2025, 4)),
        Relation(3, 4, "acquisition", PartialDate(2025, 7)),
    ]
    stints = [
        years(1, 2018, 2023),
        years(2, 2023, 2025),
        years(3, 2025, 2025),
        years(4, 2025, 2026),
    ]
    assert pairs(infer_moves(stints, SETTINGS, relations=chain, index=index)) == [(1, 2, 2023)]
    # a university lab spun out as a start-up that was then bought: leaving the university for
    # the acquirer is still a move
    spun = [Relation(1, 3, "spin_out", PartialDate(2024, 1)), chain[1]]
    academic = [years(1, 2016, 2024), years(3, 2024, 2024), years(4, 2025, 2026)]
    found = pairs(infer_moves(academic, SETTINGS, relations=spun, index=index))
    assert [(a, year) for a, _, year in found] == [(1, 2024)]


def test_an_acquisition_counts_from_the_acquirers_first_papers_beside_the_start_ups() -> None:
    """Habana Labs 2018-2020, Intel (its acquirer, December 2019) from 2020: the deal's year
    names both, so Intel becomes primary only in 2021, two years after the deal; the switch
    is dated to Intel's first papers (2020), within a year of it: continuity, no move."""
    index = kinds_index({1: "university", 2: "company", 3: "company"})
    acquisition = [Relation(2, 3, "acquisition", PartialDate(2019, 12))]
    stints = [years(1, 2012, 2017), years(2, 2018, 2020), years(3, 2020, 2026)]
    found = infer_moves(stints, SETTINGS, relations=acquisition, index=index)
    assert pairs(found) == [(1, 2, 2018)]
    # a switch whose first papers at the acquirer come two years after the deal is a move
    later = [years(1, 2012, 2017), years(2, 2018, 2021), years(3, 2021, 2026)]
    assert pairs(infer_moves(later, SETTINGS, relations=acquisition, index=index)) == [
        (1, 2, 2018),
        (2, 3, 2021),
    ]


def test_a_short_leave_from_an_established_post_is_a_visit() -> None:
    """Nine years at a research institute, two years of papers at a company, then back: a
    leave of absence, one visit and no move. The same two years away after a six-year
    doctorate are a job and a return: two moves. Three years away are two moves too."""
    leave = [years(1, 2012, 2020), years(2, 2021, 2022), years(1, 2023, 2026)]
    found = infer_moves(leave, SETTINGS)
    assert pairs(found) == []
    (visit,) = [m for m in found if m.visit]
    assert (visit.from_institution_id, visit.to_institution_id) == (1, 2)
    assert visit.reasons["rule"] == "leave_of_absence"
    doctorate = [years(1, 2010, 2015), years(2, 2016, 2017), years(1, 2018, 2025)]
    assert pairs(infer_moves(doctorate, SETTINGS)) == [(1, 2, 2016), (2, 1, 2018)]
    longer = [years(1, 2010, 2018), years(2, 2019, 2021), years(1, 2022, 2026)]
    assert len(pairs(infer_moves(longer, SETTINGS))) == 2
    # the setting turns the rule off
    off = InferenceSettings(current_year=2026, leave_max_years=0)
    assert len(pairs(infer_moves(leave, off))) == 2


def test_documents_date_a_move_whose_old_papers_lag_three_years() -> None:
    """A university 2012-2021, a company 2019-2026 (ties with the university in 2019-2021,
    which a university wins): the company becomes primary in 2022. Where every year of the
    overlap has counts and the company has more documents over it, the move counts from the
    company's first year (2019: the old place's papers lag). With fewer, it stays 2022."""

    def counted(inst: int, counts: dict[int, int]) -> Stint:
        return Stint(
            inst, None, None, frozenset(counts), "openalex", year_documents=tuple(counts.items())
        )

    index = kinds_index({1: "university", 2: "company"})
    school = dict.fromkeys(range(2012, 2019), 4) | {2019: 2, 2020: 4, 2021: 2}
    company = {2019: 5, 2020: 2, 2021: 4} | dict.fromkeys(range(2022, 2027), 4)
    found = infer_moves([counted(1, school), counted(2, company)], SETTINGS, index=index)
    assert pairs(found) == [(1, 2, 2019)]
    fewer = company | {2019: 1, 2020: 1, 2021: 1}
    found = infer_moves([counted(1, school), counted(2, fewer)], SETTINGS, index=index)
    assert pairs(found) == [(1, 2, 2022)]


def test_a_tie_goes_to_the_place_with_more_documents_that_year() -> None:
    """A doctorate at a university, a company, then a start-up whose founders keep a paper a
    year with the university's group: in 2022 the university and the start-up tie by
    affiliation, and the university has more years overall, but the start-up has more of the
    year's documents, so it stays primary: no move back to the university and out again."""

    def counted(inst: int, counts: dict[int, int]) -> Stint:
        return Stint(
            inst, None, None, frozenset(counts), "openalex", year_documents=tuple(counts.items())
        )

    index = kinds_index({1: "university", 2: "company", 3: "company"})
    school = {2014: 2, 2015: 4, 2016: 5, 2017: 2, 2018: 2, 2020: 5, 2022: 3}
    company = {2018: 5, 2019: 3, 2020: 2, 2021: 3}
    start_up = {2021: 4, 2022: 4, 2023: 5, 2024: 3, 2025: 5, 2026: 2}
    stints = [counted(1, school), counted(2, company), counted(3, start_up)]
    assert pairs(infer_moves(stints, SETTINGS, index=index)) == [(1, 2, 2018), (2, 3, 2021)]
    # without counts the tie goes to the university, as before
    bare = [replace(s, year_documents=()) for s in stints]
    assert (2, 3, 2021) not in pairs(infer_moves(bare, SETTINGS, index=index))


def test_a_leave_counts_the_years_away_not_the_years_its_papers_share_with_home() -> None:
    """Ten years at a university, papers at a company 2021-2023 whose first year still has
    the university's papers (the lag at each end of a leave), then back: two years away only,
    a leave of absence. Three years away only, or two with papers at both ends shared with
    home, are two moves."""
    leave = [years(1, 2012, 2021), years(2, 2021, 2023), years(1, 2024, 2026)]
    found = infer_moves(leave, SETTINGS)
    assert pairs(found) == []
    assert [m.reasons["rule"] for m in found if m.visit] == ["leave_of_absence"]
    away = [years(1, 2010, 2018), years(2, 2018, 2022), years(1, 2022, 2026)]
    assert len(pairs(infer_moves(away, SETTINGS))) == 2
    # papers at the company from the last year at home to the first year back: a three-year
    # job, two moves
    both_ends = [years(1, 2010, 2016), years(2, 2016, 2019), years(1, 2019, 2026)]
    assert len(pairs(infer_moves(both_ends, SETTINGS))) == 2


def test_two_labs_of_one_company_in_one_country_are_one_employer() -> None:
    """DAMO Academy (under Alibaba) to the Qwen team (under Alibaba Cloud, under Alibaba):
    an internal transfer. A lab to a company of its own in the same group, or between two
    institutes of a research society, or to a lab of the company abroad, is a move."""
    rows = [
        (1, "zju", "university", None, "CN"),
        (2, "alibaba", "company", None, "CN"),
        (3, "alibaba-cloud", "company", 2, "CN"),
        (4, "damo-academy", "lab", 2, "CN"),
        (5, "qwen", "lab", 3, "CN"),
        (6, "ant-group", "company", 2, "CN"),
        (7, "max-planck-society", "nonprofit", None, "DE"),
        (8, "mpi-is", "lab", 7, "DE"),
        (9, "mpi-inf", "lab", 7, "DE"),
        (10, "alibaba-sg", "lab", 2, "SG"),
    ]
    index = InstitutionIndex(
        InstitutionRecord(i, slug, slug, kind, country, parent)
        for i, slug, kind, parent, country in rows
    )

    def history(a: int, b: int) -> list[Stint]:
        return [years(1, 2013, 2018), years(a, 2018, 2023), years(b, 2023, 2026)]

    assert pairs(infer_moves(history(4, 5), SETTINGS, index=index)) == [(1, 4, 2018)]
    assert len(pairs(infer_moves(history(4, 5), SETTINGS))) == 2  # without the hierarchy
    for a, b in ((4, 6), (8, 9), (4, 10)):
        assert len(pairs(infer_moves(history(a, b), SETTINGS, index=index))) == 2, (a, b)


def test_a_merger_carries_the_predecessors_teams_abroad() -> None:
    """Google Research's Tokyo team (a sister of Brain under Google Research, in Japan) whose
    papers say Google DeepMind from the 2023 merger: continuity. A transfer years before the
    merger is a move, and an acquisition carries only the acquired unit."""
    rows = [
        (1, "alphabet", "company", None, "US"),
        (2, "google", "company", 1, "US"),
        (3, "google-research", "lab", 2, "US"),
        (4, "google-brain", "lab", 3, "US"),
        (5, "google-deepmind", "lab", 1, "GB"),
        (6, "google-research-tokyo", "lab", 3, "JP"),
        (7, "university-of-tokyo", "university", None, "JP"),
        (8, "utokyo-ai-center", "lab", 7, "JP"),
        (9, "utokyo-vision-lab", "lab", 7, "JP"),
        (10, "riken", "government", None, "JP"),
        (11, "kyoto-university", "university", None, "JP"),
    ]
    index = InstitutionIndex(
        InstitutionRecord(i, slug, slug, kind, country, parent)
        for i, slug, kind, parent, country in rows
    )
    merger = [Relation(4, 5, "merger", PartialDate(2023, 4))]
    stints = [years(7, 2013, 2018), years(6, 2018, 2023), years(5, 2023, 2026)]
    assert pairs(infer_moves(stints, SETTINGS, relations=merger, index=index)) == [(7, 6, 2018)]
    early = [years(7, 2013, 2018), years(6, 2018, 2020), years(5, 2020, 2026)]
    assert len(pairs(infer_moves(early, SETTINGS, relations=merger, index=index))) == 2
    bought = [replace(merger[0], kind="acquisition")]
    assert len(pairs(infer_moves(stints, SETTINGS, relations=bought, index=index))) == 2
    # a university's centre merged into an institute does not carry its other departments
    academic = [Relation(8, 10, "merger", PartialDate(2023, 4))]
    lab = [years(11, 2013, 2018), years(9, 2018, 2023), years(10, 2023, 2026)]
    assert len(pairs(infer_moves(lab, SETTINGS, relations=academic, index=index))) == 2


def test_a_doctorate_before_the_first_post_is_a_stint_of_the_career() -> None:
    """An ORCID record whose employments start after the PhD: the doctorate (education
    section) is the first stint, so PhD → postdoc is a move dated by the months. Where the
    affiliations reach back into the doctorate's years, they tell the story alone."""
    phd = (1, PartialDate(2015, 9), PartialDate(2019, 8))
    stints = [
        Stint(2, PartialDate(2019, 10), PartialDate(2022, 6), source="orcid"),
        Stint(3, PartialDate(2022, 7), None, source="orcid"),
    ]
    added = doctorate_stints([phd], stints, SETTINGS)
    assert added == [Stint(1, PartialDate(2015, 9), PartialDate(2019, 8), source="education")]
    found = infer_moves([*stints, *added], SETTINGS)
    assert [(m.from_institution_id, m.to_institution_id, str(m.date)) for m in found] == [
        (1, 2, "2019-10"),
        (2, 3, "2022-07"),
    ]
    with_papers = [*stints, years(1, 2016, 2019)]
    assert doctorate_stints([phd], with_papers, SETTINGS) == []
    # a doctorate with no end date says nothing of when it ended
    assert doctorate_stints([(1, PartialDate(2015, 9), None)], stints, SETTINGS) == []


def test_a_year_without_any_papers_does_not_hide_the_new_jobs_first_paper() -> None:
    """Copenhagen to 2022, a company paper in 2022, none at all in 2023, company papers from
    2024: the move dates from the company's first paper (2022), not from 2024."""
    stints = [years(1, 2010, 2022), Stint(2, None, None, frozenset({2022, 2024, 2025}))]
    (move,) = infer_moves(stints, SETTINGS)
    assert (move.from_institution_id, move.to_institution_id, move.date.year) == (1, 2, 2022)
    # a year with papers at the old job only still ends the run back
    stints[0] = years(1, 2010, 2023)
    (move,) = infer_moves(stints, SETTINGS)
    assert move.date.year == 2024


def test_a_university_and_an_institute_on_every_paper_leave_from_the_university() -> None:
    """UdeM and Mila named together on every paper, then a company: the move leaves from
    the university (the employer of record of the joint appointment), whatever the names'
    alphabetical order or the ids."""
    for mila, udem in ((1, 2), (2, 1)):
        index = kinds_index({mila: "nonprofit", udem: "university", 3: "company"})
        stints = [years(mila, 2012, 2022), years(udem, 2012, 2022), years(3, 2022, 2026)]
        found = infer_moves(stints, SETTINGS, index=index)
        assert pairs(found) == [(udem, 3, 2022)]
