"""Titles that leave the work open, decided by what the posting's own text says the person does,
and look-alikes decided by the title alone: research engineers who build infrastructure or tools
for other teams' research, AI-security researchers (attacks on models) against security
researchers (penetration tests), applied scientists who deliver to customers, scholars and
fellowship programmes, and Chinese assistant and secretary titles in a research institute."""

from __future__ import annotations

import pytest

from plugins.jobboards.classify import RULES, classify_posting

SERVES_RESEARCH = {
    "harness": "Build and maintain the evaluation harness and dashboards used by all science teams.",
    "platform": "Build and maintain the platform used to evaluate every model checkpoint.",
    "cluster": (
        "Own the infrastructure our researchers train on: job scheduling on our GPU clusters."
        " You will not run research experiments yourself but make theirs faster."
    ),
    "框架": "负责大模型分布式训练框架的开发与性能优化，支持研究团队的训练任务。",
}
DOES_RESEARCH = {
    "evals": (
        "Design new evaluation methods and build the tooling used by all science teams;"
        " publish the methodology."
    ),
    "systems": (
        "Research on training efficiency at scale: study new parallelism schemes and publish"
        " papers; the platform you build is used by all science teams."
    ),
    "框架": "探索新的分布式训练方法并发表论文，支持研究团队的训练任务。",
}


# -- research engineers on support work: the text decides ---------------------------------
@pytest.mark.parametrize(
    ("title", "department", "team", "text"),
    [
        ("Research Engineer, Evaluation Tooling", "Science", "Evaluation", "harness"),
        ("Research Engineer, Evaluation Infrastructure", "Modeling", "Evaluation", "platform"),
        ("Research Engineer, Training Infrastructure", "Research", "Audio Research", "cluster"),
        ("研究工程师（训练框架）", "研究院", "AI Infra", "框架"),
        ("研究工程師（訓練框架）", "研究院", "AI Infra", "框架"),
    ],
)
def test_a_research_engineer_who_serves_other_teams_research_is_not_research(
    title: str, department: str, team: str, text: str
) -> None:
    role = classify_posting(title, department, team, SERVES_RESEARCH[text])
    assert not role.is_research
    assert role.rule == "exclude:research_support_engineer"


@pytest.mark.parametrize("text", [None, "Join the team."])
def test_a_research_engineer_on_tools_is_not_research_on_the_title_alone(text: str | None) -> None:
    for title in ("Research Engineer, Evaluation Tooling", "Research Engineer, Eval Harness"):
        assert not classify_posting(title, "Research", None, text).is_research


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Research Engineer, Evaluation Tooling", "evals"),
        ("Research Engineer, Training Infrastructure", "systems"),
        ("研究工程师（训练框架）", "框架"),
    ],
)
def test_a_support_title_whose_text_names_research_stays_research(title: str, text: str) -> None:
    role = classify_posting(title, "Research", None, DOES_RESEARCH[text])
    assert role.is_research and role.category == "research_engineer"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        # no text, or text that says nothing of the work: the title decides, as before
        ("Research Engineer, Training Infrastructure", None),
        ("Research Engineer, Training Infrastructure", "Join the team."),
        # a research topic in the title is research on it, unless the text says the person
        # builds and runs it (see test_jobboards_duties.py)
        ("Research Engineer, Pretraining Infrastructure", None),
        # a title that names no support work is not judged by the text
        ("Research Engineer, Reasoning", SERVES_RESEARCH["harness"]),
    ],
)
def test_a_research_engineer_without_such_evidence_stays_research(
    title: str, text: str | None
) -> None:
    assert classify_posting(title, "Research", None, text).is_research


# -- security researchers: attacks on models are AI safety, systems are security -------------
MODEL_ATTACKS = (
    "Research adversarial attacks on language models (jailbreaks, prompt injection, data"
    " poisoning) and design defences. Publish research on LLM robustness."
)
PENTEST = "负责公司业务系统的渗透测试、漏洞挖掘与红队演练。"


@pytest.mark.parametrize(
    ("title", "department", "team", "text"),
    [
        ("AI Security Researcher", "Science", "Safety", MODEL_ATTACKS),
        ("安全研究员（红队）", "研究院", "安全对齐", "研究大模型越狱与对抗攻击，发表论文。"),
        ("Security Researcher, Red Team", "Research", None, MODEL_ATTACKS),
        # a title naming models' own risks needs no text
        ("Security Researcher, LLM Red Teaming", "Security", None, None),
        ("安全研究员（大模型安全）", "研究院", None, None),
    ],
)
def test_an_ai_security_researcher_on_attacks_on_models_is_research(
    title: str, department: str, team: str | None, text: str | None
) -> None:
    assert classify_posting(title, department, team, text).is_research


@pytest.mark.parametrize(
    ("title", "department", "team", "text"),
    [
        # red-team exercises on the company's systems, even in an R&D centre
        ("安全研究员（红队）", "研发中心", "安全", PENTEST),
        ("安全研究员（红队）", "研发中心", "安全", None),
        ("Security Researcher, Red Team", "R&D", None, None),
        ("AI Security Researcher", "Security", None, None),
        (
            "AI Security Researcher",
            "Security",
            None,
            "Penetration tests and vulnerability triage for our AI products' cloud.",
        ),
    ],
)
def test_a_security_researcher_on_systems_is_not_research(
    title: str, department: str, team: str | None, text: str | None
) -> None:
    role = classify_posting(title, department, team, text)
    assert not role.is_research
    assert role.rule == "exclude:security_research"


# -- applied and solutions scientists who deliver to customers --------------------------------
@pytest.mark.parametrize(
    ("title", "department", "team"),
    [
        ("Applied Scientist, Enterprise", "Solutions", "Applied AI"),
        ("Applied Scientist, Customer Deployments", "Science", None),
        ("应用科学家（行业解决方案）", "研发中心", None),
        ("Solutions Scientist", "Applied AI", None),
        ("AI Solutions Scientist", None, None),
        ("Customer Research Scientist, LLM", None, None),
        ("Field AI Scientist", "Go-to-Market", None),
    ],
)
def test_a_scientist_who_delivers_to_customers_is_not_research(
    title: str, department: str | None, team: str | None
) -> None:
    assert not classify_posting(title, department, team).is_research


@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("Applied Scientist, Voice", "AI Lab"),
        ("Applied Scientist, Search Relevance", "Bing"),
        ("Applied Scientist, Cloud Intelligence", "Research & Development"),
    ],
)
def test_an_applied_scientist_elsewhere_stays_research(title: str, department: str) -> None:
    assert classify_posting(title, department).category == "applied_scientist"


# -- scholars and fellowship programmes ----------------------------------------------------------
@pytest.mark.parametrize(
    "title",
    [
        "Research Scholar Program (Cohere Labs)",
        "Scholars Program, AI Safety",
        "Fellows Programme — Interpretability",
        "AI Safety Fellow Program",
        "青年学者计划（大模型）",
    ],
)
def test_scholars_and_fellowship_programmes_are_research(title: str) -> None:
    assert classify_posting(title).category == "phd_residency"


# -- Chinese assistants and secretaries -------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("研究院院长助理", "研究院"),
        ("院长助理（研究院）", "研究院"),
        ("研究院行政秘书", "研究院"),
        ("秘书（研究院）", "研究院"),
        ("总裁助理", "总裁办"),
        ("首席科学家助理", "研究院"),
        ("首席科学家办公室主任", "研究院"),
        ("研究院办公室主任", "研究院"),
        ("Office Manager, Chief Scientist's Office", "Research"),
        ("Assistant to the Head of Research", "Research"),
        ("Office Assistant, AI Research Lab", "Research"),
        ("Research Department Secretary", "Research"),
    ],
)
def test_assistants_and_secretaries_are_not_research(title: str, department: str) -> None:
    role = classify_posting(title, department)
    assert not role.is_research
    assert role.rule == "exclude:assistant"


@pytest.mark.parametrize(
    "title",
    [
        "研究助理（大模型）",
        "助理研究员（多模态）",
        "助理教授（人工智能）",
        "Research Assistant, Robot Learning",
    ],
)
def test_research_assistants_and_assistant_ranks_stay_research(title: str) -> None:
    assert classify_posting(title, "研究院").is_research


def test_the_new_rules_are_in_the_table() -> None:
    names = {rule.name for rule in RULES}
    assert {"exclude:research_support_engineer", "exclude:scientist_for_customers"} <= names


# -- R&D departments and their titles: engineering, not research ---------------------------------
@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("研发总监（大模型）", "研发中心"),  # the director of an R&D organisation
        ("R&D Director, LLM", None),
        ("工程师（研究院）", "研究院"),  # the department's name in brackets is no research work
        ("Software Engineer (Research Center)", "Research Center"),
        ("对话算法工程师（客服）", "研发中心"),  # dialogue for customer service: an application
        ("技术支持工程师", "研发中心"),
    ],
)
def test_rd_titles_and_department_names_are_not_research(
    title: str, department: str | None
) -> None:
    assert not classify_posting(title, department).is_research


@pytest.mark.parametrize(
    ("title", "department", "category"),
    [
        ("访问学者", "研究院", "research_scientist"),  # a visiting scholar of a research institute
        ("Visiting Scholar", "AI Research", "research_scientist"),
        ("Visiting Scholar, Department of History", "Department of History", None),
        ("研究总监（多模态）", "研究院", "research_manager"),
        ("Engineering Lead, Pretraining", "Research", "research_manager"),
        ("Software Engineer, Research", "Research", "research_engineer"),
    ],
)
def test_research_titles_beside_them_keep_their_category(
    title: str, department: str, category: str | None
) -> None:
    assert classify_posting(title, department).category == category


# -- fifth round: Chinese support work, centre administrators, research in the text ----------
def test_a_research_engineer_who_develops_and_maintains_a_platform_in_chinese_is_not_research() -> (
    None
):
    text = "负责 FlagEval 大模型评测平台的开发与运维，接入新的评测集并维护排行榜。"
    role = classify_posting("研究工程师（FlagEval 评测平台）", "大模型研究中心", "评测", text)
    assert not role.is_research
    assert role.rule == "exclude:research_support_engineer"


@pytest.mark.parametrize(
    ("team", "text"),
    [
        ("中心办公室", "协助研究中心处理日常事务。"),
        (
            "综合",
            "协助具身智能研究中心处理日常科研管理事务，包括设备采购、经费报销、会议组织与资料归档。",
        ),
        (None, "Handle procurement, expense reimbursements and visitor scheduling for the lab."),
    ],
)
def test_a_research_assistant_who_administers_a_centre_is_not_research(
    team: str | None, text: str
) -> None:
    role = classify_posting("科研助理（具身智能研究中心）", "具身智能研究中心", team, text)
    assert not role.is_research
    assert role.rule == "exclude:research_administrator"


def test_a_research_assistant_whose_text_names_research_stays_research() -> None:
    text = "参与具身智能新算法研究，协助撰写并发表论文。"
    assert classify_posting(
        "科研助理（具身智能）", "具身智能研究中心", "中心办公室", text
    ).is_research


def test_an_algorithm_engineer_whose_text_is_research_is_a_research_engineer() -> None:
    text = (
        "负责 BGE 系列通用向量模型的研究，探索新的对比学习与检索增强方法，成果以论文和开源模型"
        "形式发布。\n在 SIGIR/ACL 等会议发表论文。\n有论文发表者优先"
    )
    role = classify_posting("算法工程师（BGE 向量模型）", "大模型研究中心", None, text)
    assert role.is_research and role.rule == "algorithm_engineer_research_text"
    # papers only as a preference say nothing of the work
    assert not classify_posting(
        "算法工程师", "研发中心", None, "负责算法开发。\n有论文发表者优先"
    ).is_research
