"""Titles decided by the duties the posting's own text names, not by the title's words alone:
research engineers, technical staff and scientists whose work is building and running
platforms, data, environments and systems; algorithm engineers shipping a product's features;
titles that name no kind of work (技术专家, スペシャリスト, "Staff Engineer, X") whose text is
research; researchers whose field is society and governance rather than AI; assistants and
administrators with research ranks; studentships, research fellows and visiting researchers."""

from __future__ import annotations

import pytest

from plugins.jobboards.classify import RULES, classify_posting

BUILDS = {
    "benchmarks": (
        "Design and operate the service that schedules benchmark jobs, stores their scores"
        " and serves the internal leaderboard.\n- Kubernetes, Go"
    ),
    "environments": (
        "Implement and package simulated tasks and their graders for the agents team; keep"
        " them stable from one release to the next."
    ),
    "systems": (
        "Scale our training stack across thousands of accelerators and own checkpointing and"
        " fault tolerance."
    ),
    "crawl": "Run the crawlers and filtering jobs that feed pretraining; make them cheaper.",
    "evals": "Maintain the evaluation runner and add new public benchmarks to it.",
    "labels": "Own the annotation guidelines and run quality audits with our vendors.",
    "release": "Build the statistical case for each software release and sign it off.",
    "分布式": "负责训练集群上分布式训练框架的开发与维护，提升吞吐与稳定性。",
    "product": (
        "Build features for our customer dashboard, across backend and frontend, and own"
        " them end to end."
    ),
}
RESEARCHES = {
    "systems": "Study new parallelism schemes for training at scale and publish the results.",
    "data": "Study how data mixtures change scaling behaviour and publish the findings.",
    "分布式": "探索新的分布式训练方法，并在顶级会议发表论文。",
    "ablations": (
        "Design experiments on pretraining data mixtures and run ablations to improve model"
        " quality."
    ),
}


# -- engineering duties: the text says the person builds and runs it ------------------------
@pytest.mark.parametrize(
    ("title", "department", "team", "text"),
    [
        ("Research Engineer, Benchmarking Platform", "Research", None, "benchmarks"),
        ("Research Engineer, Simulation Environments", "Research", "Agents", "environments"),
        ("Research Engineer, Training Systems", "Science", None, "systems"),
        ("Research Engineer, Pretraining Infrastructure", "Research", None, "systems"),
        ("Member of Technical Staff, Data", "Technical Staff", "Data", "crawl"),
        ("Member of Technical Staff, Evals", "Technical Staff", None, "evals"),
        ("Scientist, Labelling Quality", "Perception", None, "labels"),
        ("Validation Scientist, Autonomy", "Safety", None, "release"),
        ("研究工程师（分布式训练）", "大模型研究中心", None, "分布式"),
        ("Member of Technical Staff", "Engineering", None, "product"),
    ],
)
def test_a_title_on_engineering_work_whose_text_is_building_it_is_not_research(
    title: str, department: str, team: str | None, text: str
) -> None:
    role = classify_posting(title, department, team, BUILDS[text])
    assert not role.is_research
    assert role.rule == "exclude:engineering_duties"


@pytest.mark.parametrize(
    ("title", "department", "text"),
    [
        ("Research Engineer, Training Systems", "Science", RESEARCHES["systems"]),
        ("Member of Technical Staff, Data", "Technical Staff", RESEARCHES["data"]),
        ("研究工程师（分布式训练）", "大模型研究中心", RESEARCHES["分布式"]),
        # experiments and ablations of one's own are research work too
        ("Member of Technical Staff, Data", "Technical Staff", RESEARCHES["ablations"]),
        # no text, or a text that names no duties: the title decides, as before
        ("Research Engineer, Training Systems", "Science", None),
        ("Member of Technical Staff, Data", "Technical Staff", "Join us."),
        # a bare MTS in a research organisation is not judged by the text
        ("Member of Technical Staff", "Research", BUILDS["product"]),
    ],
)
def test_the_same_titles_doing_research_or_saying_nothing_stay_research(
    title: str, department: str, text: str | None
) -> None:
    assert classify_posting(title, department, None, text).is_research


def test_a_research_department_does_not_tip_an_engineer_whose_text_is_engineering() -> None:
    text = "Improve the reliability of large training jobs and optimise checkpointing and sharding."
    role = classify_posting("Software Engineer, Pretraining", "Research", None, text)
    assert not role.is_research and role.rule == "exclude:engineering_duties"
    for kept in (None, "Study pretraining data mixtures and publish the results."):
        assert classify_posting(
            "Software Engineer, Pretraining", "Research", None, kept
        ).is_research


# -- algorithm engineers who ship a product's features --------------------------------------
@pytest.mark.parametrize(
    ("title", "department", "text"),
    [
        (
            "多模态算法工程师（短视频）",
            "商业化技术部",
            "负责多模态模型在短视频场景的落地，上线后通过 AB 实验迭代，提升业务指标。",
        ),
        (
            "LLM Algorithm Engineer, Agents",
            "Consumer Apps",
            "Ship agent features to our app and iterate with A/B tests on user retention.",
        ),
    ],
)
def test_an_algorithm_engineer_shipping_product_features_is_not_research(
    title: str, department: str, text: str
) -> None:
    role = classify_posting(title, department, None, text)
    assert not role.is_research
    assert role.rule == "exclude:product_work"


def test_an_algorithm_engineer_whose_text_is_research_stays_research() -> None:
    text = "探索多模态预训练的新方法，在顶级会议发表论文，优秀成果在产品中落地。"
    assert classify_posting("多模态算法工程师（短视频）", "研究院", None, text).is_research


# -- titles that name no kind of work, decided by a text that is research ------------------
@pytest.mark.parametrize(
    ("title", "department", "team", "text"),
    [
        (
            "技术专家（多模态大模型）",
            "基础研究中心",
            None,
            "探索多模态大模型的新方法，带领团队在顶级会议发表论文。",
        ),
        ("资深专家", "大模型部", "后训练", "负责后训练方向的前沿探索，带领小组完成论文。"),
        (
            "Senior Engineer, Robustness",
            "Science",
            None,
            "Study why models fail under distribution shift, propose new methods and publish.",
        ),
        (
            "エキスパート（音声基盤モデル）",
            "研究開発",
            None,
            "音声基盤モデルの新しい手法を研究し、国際会議で論文を発表していただきます。",
        ),
    ],
)
def test_a_title_naming_no_work_whose_text_is_research_is_a_research_engineer(
    title: str, department: str, team: str | None, text: str
) -> None:
    role = classify_posting(title, department, team, text)
    assert role.is_research and role.rule == "generic_title_research_text"


@pytest.mark.parametrize(
    ("title", "department", "text"),
    [
        # engineering work in the title: not research, whatever the text
        ("技术专家（大模型应用）", "基础研究中心", "探索大模型应用的新方法，发表论文。"),
        # a text that names research once, or only as a preference
        ("Senior Engineer", "Science", "Build our data tools. Papers are a plus."),
        ("技术专家", "研发中心", "负责推理服务开发，有论文发表者优先。"),
        # research words without any AI context
        ("Specialist", "Facilities", "Study building codes and publish our guidelines."),
    ],
)
def test_such_titles_without_research_text_or_with_engineering_work_are_not_research(
    title: str, department: str, text: str
) -> None:
    assert not classify_posting(title, department, None, text).is_research


@pytest.mark.parametrize(
    ("title", "department", "text"),
    [
        (
            "研究員（材料シミュレーション）",
            "Computational Materials",
            "機械学習ポテンシャルの新しい手法を研究し、論文発表を行います。",
        ),
        ("Principal Scientist, Calibration", "Science", "Lead research on calibration; publish."),
    ],
)
def test_a_researcher_without_ai_words_in_the_title_is_read_from_a_research_text(
    title: str, department: str, text: str
) -> None:
    role = classify_posting(title, department, None, text)
    assert role.is_research and role.rule == "researcher_research_text"


def test_a_scientist_of_another_field_is_not_research_on_research_words_alone() -> None:
    text = "Lead studies of new formulations and publish the results."
    assert not classify_posting("Scientist, Formulation", "Materials", None, text).is_research


# -- research about AI's effects on society is not AI research ------------------------------
@pytest.mark.parametrize(
    "title",
    [
        "研究员（算法治理）",
        "AI Governance Researcher",
        "社会科学研究员",
        "Research Scientist, Social Science of AI",
        "Sociologist, Future of Work",
    ],
)
def test_governance_and_social_science_researchers_are_not_research(title: str) -> None:
    role = classify_posting(title, "研究院")
    assert not role.is_research
    assert role.rule == "exclude:field_research"


@pytest.mark.parametrize(
    "title",
    ["Research Scientist, Computational Social Science", "Research Scientist, Driving Policy"],
)
def test_computational_social_science_and_driving_policies_stay_research(title: str) -> None:
    assert classify_posting(title, "Research").is_research


# -- assistants and administrators with research words ---------------------------------------
@pytest.mark.parametrize(
    "title", ["研究员助理（多模态）", "Researcher's Assistant", "Scientist Assistant"]
)
def test_the_assistant_of_researchers_is_not_research(title: str) -> None:
    role = classify_posting(title, "研究院")
    assert not role.is_research and role.rule == "exclude:assistant"


def test_a_research_rank_in_research_administration_is_not_research() -> None:
    assert not classify_posting("助理研究员（科研管理办公室）", "研究院").is_research
    role = classify_posting(
        "助理研究员（综合事务）", "研究院", None, "负责中心经费报销、会议组织与档案管理。"
    )
    assert not role.is_research and role.rule == "exclude:research_administrator"
    text = "开展具身智能新算法研究并发表论文，兼顾部分经费报销。"
    assert classify_posting("助理研究员（综合事务）", "研究院", None, text).is_research


def test_a_japanese_research_assistant_doing_lab_administration_is_not_research() -> None:
    text = "実験機材の発注と実験スケジュールの調整を担当します。"
    role = classify_posting("研究アシスタント（ロボティクス）", "ロボティクス", None, text)
    assert not role.is_research and role.rule == "exclude:research_administrator"


@pytest.mark.parametrize("title", ["算法工程师（内容风控）", "风控算法工程师（大模型）"])
def test_risk_control_on_content_is_trust_and_safety(title: str) -> None:
    role = classify_posting(title, "安全与风控部")
    assert not role.is_research and role.rule == "exclude:trust_and_safety"


# -- studentships, research fellows and visiting researchers ---------------------------------
@pytest.mark.parametrize(
    "title", ["PhD Studentship, Robot Learning", "Doctoral Studentship in Machine Learning"]
)
def test_a_phd_studentship_is_research(title: str) -> None:
    assert classify_posting(title, "Science").category == "phd_residency"


@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("リサーチフェロー（基盤モデル）", None),
        ("リサーチフェロー", "研究開発"),
        ("Research Fellow", "R&D"),
    ],
)
def test_a_research_fellow_is_research(title: str, department: str | None) -> None:
    assert classify_posting(title, department).is_research


def test_a_visiting_researcher_whose_text_is_research_is_research() -> None:
    text = "Spend your sabbatical doing research with our team."
    assert classify_posting(
        "Visiting Researcher", "Technical Staff", "Foundations", text
    ).is_research
    assert not classify_posting("Visiting Researcher", "Technical Staff", "Foundations").is_research


def test_an_applied_scientist_in_a_partnerships_department_is_not_research() -> None:
    assert not classify_posting("Applied Scientist, Perception", "Partnerships").is_research


def test_the_new_rules_are_in_the_table() -> None:
    names = {rule.name for rule in RULES}
    assert {
        "exclude:engineering_duties",
        "exclude:product_work",
        "generic_title_research_text",
        "researcher_research_text",
    } <= names
