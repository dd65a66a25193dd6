"""Kinds of wrong move the news extractor recorded on articles it had never seen, one test per
kind, in English and Chinese where the kind applies. A tracker whose moves are wrong is worse
than none: each test states what must *not* be recorded (and, where the article says it, what
must)."""

from __future__ import annotations

from plugins.news.extract import AliasTable, extract_moves

ALIASES = AliasTable.from_pairs(
    [
        ("OpenAI", "openai"),
        ("Anthropic", "anthropic"),
        ("Google", "google"),
        ("Google DeepMind", "google-deepmind"),
        ("Meta", "meta"),
        ("Cohere", "cohere"),
        ("Mistral AI", "mistral-ai"),
        ("University of Oxford", "university-of-oxford"),
        ("Imperial College London", "imperial-college-london"),
        ("腾讯", "tencent"),
        ("腾讯AI Lab", "tencent-ai-lab"),
        ("谷歌", "google"),
        ("百度", "baidu"),
        ("阿里巴巴", "alibaba"),
        ("浙江大学", "zhejiang-university"),
        ("复旦大学", "fudan-university"),
    ]
)
MOVES = frozenset({"reported", "confirmed"})


def moves(text: str, language: str = "en") -> set[tuple[str, str | None, str | None]]:
    found = extract_moves(text, ALIASES, language=language, published_year=2026)
    return {
        (m.person, m.from_slug or m.from_name, m.to_slug or m.to_name)
        for m in found
        if m.modality in MOVES
    }


def test_a_half_move_is_not_recorded_where_the_article_names_the_missing_end() -> None:
    # The extractor cannot tie "return to Imperial" to the resignation; a departure with no
    # destination would say something the article does not.
    text = (
        "Oxford loses its AI chief\n"
        "The University of Oxford's head of machine learning, Professor Wilhelmina Strand, has "
        "resigned, the university confirmed on Monday.\n"
        "Strand will go back full time to Imperial College London, which lent her to Oxford "
        "for three years."
    )
    assert not {m for m in moves(text) if m[2] is None}
    zh = (
        "百度一位科学家离职\n"
        "百度自然语言处理部门首席科学家殷若岚已于上月离职，百度方面确认了这一消息。\n"
        "殷若岚回到复旦大学全职任教，她此前一直在复旦大学兼任教授，这次离开百度后重返校园。"
    )
    assert not {m for m in moves(zh, "zh") if m[2] is None}


def test_a_half_move_stands_where_the_article_says_the_next_step_is_unknown() -> None:
    text = (
        "Two leave Google DeepMind\n"
        "Two researchers have left Google DeepMind: Ottilie Brandt and Casimir Lund. Brandt "
        "has joined Cohere; Lund has not announced his plans."
    )
    assert ("Casimir Lund", "google-deepmind", None) in moves(text)


def test_a_report_rejected_or_dismissed_is_a_denial_not_a_move() -> None:
    rejected = (
        "Cohere says its research head is staying\n"
        "Cohere on Friday rejected a newsletter report that its head of research, Evander "
        "Mulcahy, was about to join Google DeepMind."
    )
    assert not moves(rejected)
    dismissed = (
        "Meta scientist dismisses move talk\n"
        "Meta research scientist Ingrid Tolvanen dismissed a report that she would join "
        'OpenAI. "I\'m not going anywhere," she said.'
    )
    assert not moves(dismissed)
    zh = (
        "传腾讯专家加盟阿里巴巴？本人回应\n"
        "有消息称腾讯混元专家范书瑶将加入阿里巴巴。\n"
        "腾讯方面表示，范书瑶目前仍为腾讯员工，并无离职计划。"
    )
    found = extract_moves(zh, ALIASES, language="zh", published_year=2026)
    assert not [m for m in found if m.modality not in ("denied",)], found


def test_a_move_set_for_next_year_or_a_later_effective_date_is_planned() -> None:
    next_year = (
        "Oxford professor to join Anthropic\n"
        "Professor Rosalind Achterberg of the University of Oxford will join Anthropic next "
        "spring, she said on Tuesday."
    )
    assert not moves(next_year)
    effective = (
        "Imperial names Cohere scientist as dean\n"
        "Imperial College London has named Bartholomew Quist, a scientist at Cohere, as dean "
        "of engineering, effective September 1."
    )
    assert not moves(effective)
    zh = (
        "百度科学家将赴浙江大学任教\n"
        "百度研究院科学家龙启航将于明年春季学期加入浙江大学，任计算机学院教授。"
    )
    assert not moves(zh, "zh")


def test_talks_held_and_ended_are_not_a_move() -> None:
    text = (
        "Mistral researcher talked to Meta\n"
        "Mistral AI researcher Leopold Varga said he had held talks about joining Meta this "
        "spring, but said they ended after two meetings."
    )
    assert not moves(text)


def test_the_steps_of_a_past_career_are_not_moves() -> None:
    chained = (
        "Meta hires a Cohere engineer\n"
        "Cohere engineer Dorothea Vinck has joined Meta, the company said.\n"
        "Vinck had come back to Europe in 2019 after a PhD at the University of Oxford and "
        "joined Google before moving to Cohere."
    )
    assert moves(chained) == {("Dorothea Vinck", "cohere", "meta")}
    relative = (
        "Engineer goes back to Google\n"
        "Anselm Kowalik, an engineer who moved to OpenAI in March to work on its browser, "
        "has returned to Google, his profile shows."
    )
    assert moves(relative) == {("Anselm Kowalik", "openai", "google")}
    pluperfect = (
        "Imperial professor back from Google\n"
        "Professor Hortense Abara has returned to Imperial College London after five years at "
        "Google, the college said.\n"
        "She had been on unpaid leave from Imperial College London for her first year at Google."
    )
    assert moves(pluperfect) == {("Hortense Abara", "google", "imperial-college-london")}
    zh = (
        "复旦大学引进百度科学家\n"
        "前百度首席科学家韩一鸣已全职加盟复旦大学，任教授。\n"
        "韩一鸣曾在浙江大学任教，后加入百度。"
    )
    assert moves(zh, "zh") == {("韩一鸣", "baidu", "fudan-university")}


def test_after_joining_in_chinese_is_the_move_told_already() -> None:
    zh = (
        "腾讯迎来新科学家\n"
        "前阿里巴巴研究员金晓岚加入腾讯，担任首席科学家。\n"
        "金晓岚此前在阿里巴巴负责推理研究。更早之前，她曾在百度工作。\n"
        "一位员工称，金晓岚入职后将重组腾讯的预训练团队。"
    )
    assert moves(zh, "zh") == {("金晓岚", "alibaba", "tencent")}


def test_an_owner_named_in_the_possessive_is_not_the_person_hired() -> None:
    text = (
        "Meta hires an OpenAI product lead\n"
        "Meta has hired one of the product leads for OpenAI's app, the latest in a series of "
        "moves by Mustafa Korhonen's consumer AI division."
    )
    assert not {m for m in moves(text) if "Korhonen" in m[0]}


def test_a_town_before_its_state_is_not_a_person() -> None:
    text = (
        "Biologist joins Cohere\n"
        "Computational biologist Marisol Tenbrink has left Google's lab in Bar Harbor, Maine, "
        "to join Cohere."
    )
    assert not {m for m in moves(text) if "Harbor" in m[0]}
    assert ("Marisol Tenbrink", "google", "cohere") in moves(text)


def test_a_unit_the_company_newly_set_up_is_not_a_founded_company() -> None:
    zh = (
        "百度自动驾驶负责人转岗\n"
        "有消息称百度自动驾驶负责人卢景行已离职。百度回应称，卢景行已转岗负责公司新成立的机器人业务，"
        "“属于正常调整”。"
    )
    found = moves(zh, "zh")
    assert not {m for m in found if m[2] and "调整" in m[2]}, found


def test_a_half_move_is_not_recorded_where_the_headline_names_the_other_end() -> None:
    text = (
        "Cohere poaches two from Mistral AI\n"
        "Cohere has hired two of Mistral AI's early engineers, a newsletter has learned.\n"
        "Benedek Szalai and Rosamund Ikeji both left Mistral AI in April. A Cohere manager "
        "confirmed they had started."
    )
    assert not {m for m in moves(text) if m[2] is None}
    zh = (
        "阿里巴巴挖走百度两名工程师\n"
        "阿里巴巴近日从百度挖来两名资深工程师。\n"
        "据悉，邵明轩已于四月从百度离职。"
    )
    assert not {m for m in moves(zh, "zh") if m[2] is None}


def test_a_rumoured_half_move_is_not_recorded() -> None:
    text = (
        "Researchers leave Mistral AI\n"
        "Three researchers have left Mistral AI to start a company, according to people "
        "familiar with the matter: Evadne Morrow, Lucius Hartigan and Perpetua Lindqvist."
    )
    found = extract_moves(text, ALIASES, language="en", published_year=2026)
    assert not [m for m in found if m.to_name is None and m.modality in ("rumour", "in_talks")]


def test_a_lab_named_as_its_companys_possession_is_the_lab() -> None:
    aliases = AliasTable.from_pairs(
        [("OpenAI", "openai"), ("Meta", "meta"), ("Meta Superintelligence Labs", "msl")]
    )
    text = (
        "OpenAI researcher moves to Meta\n"
        "Ottoline Ferrante, a researcher at OpenAI, has joined Meta's superintelligence lab, "
        "the company said."
    )
    found = extract_moves(
        text, aliases, language="en", published_year=2026, parents={"msl": "meta"}
    )
    assert [(m.from_slug, m.to_slug) for m in found] == [("openai", "msl")]


def test_a_place_based_prefix_is_not_part_of_the_hiring_company() -> None:
    text = (
        "Cohere opens a Paris office\n"
        "Toronto-based Cohere has hired Associate Professor Camille Girardot from Mistral AI "
        "to run its new Paris office, the company said."
    )
    assert moves(text) == {("Camille Girardot", "mistral-ai", "cohere")}


def test_a_founding_engineer_founded_nothing() -> None:
    text = (
        "Robotics engineer joins Cohere\n"
        "Cosmo Vandersteen, who was a founding engineer at Mistral AI and ran its inference "
        "team, started at Cohere this month, the company confirmed."
    )
    found = moves(text)
    assert not {m for m in found if m[1] == "cohere"}, found


def test_a_move_with_a_leave_from_its_origin_told_apart_is_a_leave() -> None:
    text = (
        "Cohere hires Oxford professor\n"
        "Cohere has appointed Professor Camille Girardot of the University of Oxford as head "
        "of its London lab, the company said on Tuesday.\n"
        "Girardot will take a leave from the University of Oxford for the length of the "
        "appointment, the university said."
    )
    assert not moves(text)


def test_chinese_names_and_verbs_the_rules_missed() -> None:
    # A rarer surname (冼), "受聘为" as the verb of an appointment, and "高价挖角" not a name.
    appointed = (
        "浙江大学聘任前百度科学家\n浙江大学发布通知，百度研究院原院长冼若谷受聘为浙江大学讲席教授。"
    )
    assert moves(appointed, "zh") == {("冼若谷", "baidu", "zhejiang-university")}
    poached = (
        "他离开了腾讯\n"
        "今年5月，在腾讯工作了七年的邱明哲递交了辞呈。\n"
        "没有猎头的高价挖角，他和朋友成立了一家小公司，取名“一叶科技”。"
    )
    assert moves(poached, "zh") == {("邱明哲", "tencent", "一叶科技")}


def test_a_done_move_told_by_unnamed_sources_is_reported() -> None:
    done = (
        "Mistral AI engineer surfaces at Cohere\n"
        "Mistral AI engineer Camille Girardot has joined Cohere, according to two people with "
        "knowledge of the move."
    )
    assert moves(done) == {("Camille Girardot", "mistral-ai", "cohere")}
    speculative = (
        "Mistral AI engineer may join Cohere\n"
        "Mistral AI engineer Camille Girardot could join Cohere, according to two people with "
        "knowledge of the talks."
    )
    assert not moves(speculative)


def test_a_half_move_is_not_recorded_where_the_article_introduces_the_new_company() -> None:
    text = (
        "Researchers split from Mistral AI\n"
        "Three researchers from Mistral AI have left to start a new company focused on robots, "
        "according to people familiar with the matter.\n"
        "The group includes Camille Girardot, Lim Wei Jie and Ottilie Brandt, who all worked on "
        "the company's multimodal models, and is led by a former chief scientist of a rival "
        "French lab who asked not to be named in this story. The new company is called "
        "Tessellate Robotics, one of the people said."
    )
    found = extract_moves(text, ALIASES, language="en", published_year=2026)
    assert not [m for m in found if m.modality in MOVES and m.to_name is None], found


def test_an_organisation_in_a_later_clause_is_not_the_end_of_a_resignation() -> None:
    text = (
        "Cohere data chief resigns\n"
        "Cohere's head of data, Camille Girardot, has resigned, the company said on Monday, "
        "the latest departure since Google took a stake in the company last year.\n"
        "Cohere did not say where Girardot was going."
    )
    assert moves(text) == {("Camille Girardot", "cohere", None)}


def test_a_company_described_in_apposition_announces_the_arrival() -> None:
    text = (
        "Cohere names a research chief\n"
        "Cohere, the Toronto start-up valued at more than $5 billion, said on Wednesday that "
        "Camille Girardot, who had led Mistral AI's small office in London, had joined as "
        "chief research officer."
    )
    assert moves(text) == {("Camille Girardot", "mistral-ai", "cohere")}


def test_a_company_in_corner_brackets_and_its_named_cofounders() -> None:
    zh = (
        "谷歌台灣主管離職創業\n"
        "前谷歌台灣研發主管林書豪近日宣布離開谷歌，與兩位前同事共同創辦語音新創「聲流科技」。\n"
        "兩位共同創辦人分別為前谷歌工程師吳佩蓉與許家銘。"
    )
    assert moves(zh, "zh") == {
        ("林書豪", "google", "聲流科技"),
        ("吳佩蓉", "google", "聲流科技"),
        ("許家銘", "google", "聲流科技"),
    }


def test_a_chinese_article_about_losing_people_names_their_employer() -> None:
    zh = (
        "腾讯两名研究员离职\n"
        "据悉，腾讯大模型团队近期有两名研究员离职。\n"
        "其中，来自腾讯AI Lab的岑若溪已加盟复旦大学；另一名研究员宁知远则选择创业，成立了一家公司“远岚科技”。"
    )
    found = extract_moves(
        zh, ALIASES, language="zh", published_year=2026, parents={"tencent-ai-lab": "tencent"}
    )
    assert {(m.person, m.from_slug, m.to_slug or m.to_name) for m in found} == {
        ("岑若溪", "tencent-ai-lab", "fudan-university"),
        ("宁知远", "tencent", "远岚科技"),
    }


def test_the_one_other_end_introduced_as_where_the_person_goes_completes_a_move() -> None:
    text = (
        "Oxford loses its AI chief\n"
        "The University of Oxford's head of machine learning, Professor Wilhelmina Strand, has "
        "resigned, the university confirmed on Monday.\n"
        "Strand will go back full time to Imperial College London, which lent her to Oxford "
        "for three years."
    )
    assert moves(text) == {("Wilhelmina Strand", "university-of-oxford", "imperial-college-london")}


def test_a_company_and_its_lab_named_together_are_one_missing_end() -> None:
    aliases = AliasTable.from_pairs(
        [("Google", "google"), ("Google Research", "google-research"), ("Cohere", "cohere")]
    )
    text = (
        "Cohere names a head of research\n"
        "Cohere has appointed Camille Girardot as head of research. She joins from Google, "
        "where she led a team working on retrieval in Google Research."
    )
    found = extract_moves(
        text, aliases, language="en", published_year=2026, parents={"google-research": "google"}
    )
    # A move between a lab and its company is internal and never stored as a move.
    internal = {("google", "google-research"), ("google-research", "google")}
    ends = [(m.from_slug, m.to_slug) for m in found if m.modality in MOVES]
    assert [e for e in ends if e not in internal] == [("google-research", "cohere")]
