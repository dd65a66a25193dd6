"""Hiring signals on boards the rules were not written for: Chinese and mixed titles, R&D
departments, "Technical Staff, <area>", security researchers, a posting's own country before
the company default, and company boilerplate on every board. Each kind is checked in Latin
and in Chinese script."""

from __future__ import annotations

from typing import Any

import pytest

from plugins.jobboards.ashby import AshbyIngester
from plugins.jobboards.classify import classify_posting
from plugins.jobboards.common import posting_country, repeated_lines, strip_lines
from plugins.jobboards.glossary import gloss, has_cjk
from plugins.jobboards.greenhouse import GreenhouseIngester
from plugins.jobboards.lever import LeverIngester
from plugins.jobboards.location import text_country
from service.ingest import JobPostingSeen
from service.ingest.testing import RecordedResponse, RecordedServer, run_ingester_offline


# -- Chinese and mixed titles ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("title", "category", "topics"),
    [
        ("大模型算法工程师", "research_engineer", ("llm",)),
        ("大模型研究员-预训练", "research_scientist", ("llm",)),
        ("视觉生成方向研究员", "research_scientist", ("vision",)),
        ("多模态大模型算法专家", "research_engineer", ("llm", "multimodal")),
        ("对齐算法研究员", "research_scientist", ("safety",)),
        ("强化学习算法工程师（大模型）", "research_engineer", ("llm", "rl")),
        ("语音大模型研究员", "research_scientist", ("llm", "speech")),
        ("大模型研究型实习生", "research_intern", ("llm",)),
        ("算法实习生-多模态理解", "research_intern", ("multimodal",)),
        ("博士后-大模型安全", "research_scientist", ("llm", "safety")),
        ("首席科学家", "research_manager", ()),
        ("研究科学家（具身智能）", "research_scientist", ("robotics",)),
        ("LLM算法工程师", "research_engineer", ("llm",)),
        ("Research Scientist - 具身智能", "research_scientist", ("robotics",)),
        ("AI Lab 研究员", "research_scientist", ()),
        ("视频生成算法工程师", "research_engineer", ("vision",)),
        ("大模型方向博士实习生", "research_intern", ("llm",)),
        ("研究团队负责人", "research_manager", ()),
        ("文本生成算法工程师", "research_engineer", ("llm",)),
        ("视觉语言模型研究员", "research_scientist", ("multimodal", "vision")),
        ("【校招】大模型算法工程师", "research_engineer", ("llm",)),
        ("实习研究员", "research_intern", ()),
        ("混元大模型算法工程师", "research_engineer", ("llm",)),
        ("通义实验室-研究员", "research_scientist", ("llm",)),
    ],
)
def test_chinese_and_mixed_research_titles(
    title: str, category: str, topics: tuple[str, ...]
) -> None:
    result = classify_posting(title, department="研发")
    assert (result.category, result.topics) == (category, topics), result.rule


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("大模型算法工程师", "Large Model Algorithm Engineer"),
        ("视觉生成方向研究员", "Researcher, Visual Generation"),
        ("强化学习研究员", "Reinforcement Learning Researcher"),
        ("语音合成算法专家", "TTS Algorithm Expert"),
        ("后端开发工程师", "Backend Developer"),
        ("产品经理-大模型应用", "Product Manager, Large Model Applications"),
        ("安全研究员", "Security Researcher"),
    ],
)
def test_chinese_titles_get_the_same_verdict_as_english(chinese: str, english: str) -> None:
    zh, en = classify_posting(chinese), classify_posting(english)
    assert (zh.category, zh.topics) == (en.category, en.topics)


@pytest.mark.parametrize(
    "title",
    [
        "后端开发工程师",
        "Java开发工程师（支付）",
        "大数据开发工程师",
        "Linux内核工程师",
        "测试开发工程师",
        "前端开发工程师",
        "搜索推荐算法工程师",
        "推理加速工程师",
        "研发经理（支付平台）",
        "产品经理-大模型应用",
        "招聘专员（算法方向）",
        "行业研究员",
        "量化研究员",
        "研究生实习-财务",
        "研发实习生",
        "财务经理",
    ],
)
def test_chinese_look_alikes_are_not_research(title: str) -> None:
    result = classify_posting(title, department="研发", team="AI Lab")
    assert not result.is_research, result.rule


def test_gloss_reads_the_longest_term_and_leaves_latin_text_alone() -> None:
    assert gloss("Research Scientist, LLM") == "Research Scientist, LLM"
    assert " ".join(gloss("大模型安全研究员").split()) == "large model safety researcher"
    assert " ".join(gloss("安全研究员").split()) == "security researcher"
    assert " ".join(gloss("大模型推理工程师").split()) == "large model inference engineer"
    assert has_cjk("LLM算法工程师") and not has_cjk("LLM Algorithm Engineer")
    assert classify_posting("大模型推理工程师").topics == ("infrastructure", "llm")


# -- the department is supporting evidence only ------------------------------------------------
@pytest.mark.parametrize(
    ("title", "department", "team"),
    [
        ("Backend Engineer", "R&D", "MiniMax AI Lab"),
        ("Big Data Engineer", "Research & Development", None),
        ("Kernel Engineer", "R&D", None),
        ("Engineering Manager, Payments", "Research & Development", None),
        ("Engineering Manager, Payments", "R&D", "AI Lab"),
        ("Software Engineer", "Research and Development", "StepFun AI Lab"),
        ("Machine Learning Engineer", "Research & Development", "AI Lab"),
        ("Software Engineer, Inference", "Research & Development", "AI Lab"),
        ("Engineer", "Research", None),
        ("Backend Engineer", "Research", None),
        ("Engineering Manager, Research Tools", "Research", None),
        ("后端开发工程师", "研发", "大模型实验室"),
        ("工程师", "研究院", None),
        ("Software Engineer, Research & Development", None, None),
        ("Head of Research and Development", None, None),
        ("R&D Engineer", None, None),
        ("语音算法工程师（端侧部署）", "研发", None),
        ("大模型算法工程师（线上部署）", "大模型实验室", None),
        ("机器人硬件工程师", "具身智能研究院", None),
        ("嵌入式工程师（机器人）", "研究院", None),
        ("Software Engineer, Post-Training", "Engineering", None),
        ("Software Engineer, Model Training Infrastructure", "Research", None),
        ("ML Engineer, Inference", "Research", None),
    ],
)
def test_a_department_alone_never_makes_a_researcher(
    title: str, department: str, team: str | None
) -> None:
    assert not classify_posting(title, department, team).is_research


@pytest.mark.parametrize(
    ("title", "department", "team", "category"),
    [
        ("Software Engineer, Pretraining", None, "Research", "research_engineer"),
        ("Software Engineer", "Research", "Alignment", "research_engineer"),
        ("ML Engineer", None, "Research", "research_engineer"),
        ("Engineering Manager, Pretraining", "Research", None, "research_manager"),
        ("Tech Lead Manager, Interpretability", "Research", None, "research_manager"),
        ("大模型工程师", "研究院", None, "research_engineer"),
        ("Engineering Manager, Speech Research", "Voice Lab", None, "research_manager"),
        ("Tech Lead, Multimodal Research", None, None, "research_manager"),
    ],
)
def test_a_department_supports_a_title_that_names_research_work(
    title: str, department: str | None, team: str | None, category: str
) -> None:
    assert classify_posting(title, department, team).category == category


# -- "Technical Staff, <area>" and security researchers -----------------------------------------
@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Technical Staff, Pretraining", "member_of_technical_staff"),
        ("Technical Staff - Reinforcement Learning", "member_of_technical_staff"),
        ("Senior Technical Staff, Multimodal", "member_of_technical_staff"),
        ("Technical Staff, Frontend", None),
        ("Technical Staff, Security", None),
        ("Technical Staff, Serving Latency", None),
        ("Member of Technical Staff, CUDA Kernels", None),
        ("MTS - Datacenter Clusters", None),
        ("Member of Technical Staff, Pretraining Infrastructure", "member_of_technical_staff"),
        ("Member of Technical Staff, Research Infrastructure", "member_of_technical_staff"),
    ],
)
def test_technical_staff_without_member_of(title: str, category: str | None) -> None:
    assert classify_posting(title).category == category


@pytest.mark.parametrize(
    ("title", "department", "research"),
    [
        ("Security Researcher", "Security", False),
        ("Senior Security Researcher, Vulnerability Research", "Research & Development", False),
        ("Offensive Security Researcher", None, False),
        ("Threat Researcher", "Research", False),
        ("安全研究员", "研发", False),
        ("网络安全研究员", None, False),
        ("大模型安全研究员", "研发", True),
        ("AI安全研究员", None, True),
        ("AI 安全研究员", None, True),
        ("AI 安全研究員", "研發", True),
        ("Research Scientist, Safety", None, True),
        ("Security Researcher, Jailbreaks in Language Models", "Security", True),
        ("Security Researcher, Multimodal Red Teaming", None, True),
        ("Security Researcher, Cloud Red Teaming", None, False),
        ("Security Researcher, Humanoid Robot Firmware", None, False),
        ("Security Engineer, LLM Products", None, False),
    ],
)
def test_security_researchers_are_not_research_scientists(
    title: str, department: str | None, research: bool
) -> None:
    assert classify_posting(title, department).is_research is research


# -- country: the posting's own evidence first ---------------------------------------------------
@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("This remote role is open to candidates based in Singapore.", "SG"),
        ("Work remotely from anywhere in Japan.", "JP"),
        ("This role is remote within the United Kingdom.", "GB"),
        ("You will be based in our Zurich office.", "CH"),
        ("工作地点：新加坡", "SG"),
        ("远程办公，常驻上海", "CN"),
        ("We have offices in London and Paris.", None),
        ("Candidates must be authorized to work in the US or Canada.", None),
        ("Remote within EMEA.", None),
        (None, None),
    ],
)
def test_text_country(text: str | None, country: str | None) -> None:
    assert text_country(text) == country


def test_posting_country_takes_the_company_default_last() -> None:
    assert posting_country("FR", ["SG"], "based in Japan", "Paris", "CN") == "FR"
    assert posting_country(None, [None, "SG"], "based in Japan", "Remote", "CN") == "SG"
    assert posting_country(None, ["Tokyo, Japan"], None, "Remote", "CN") == "JP"
    assert posting_country(None, [], "Remote within Germany.", "Remote", "US") == "DE"
    assert posting_country(None, [], "工作地点：新加坡", "远程", "CN") == "SG"
    assert posting_country(None, [], "Build things.", "Remote", "US") == "US"
    assert posting_country(None, [], "Build things.", "Remote - EMEA", "US") is None
    assert posting_country(None, [], "Build things.", None, "US") is None
    assert posting_country(None, [], "Fully remote: work from any country.", "Remote", "CN") is None
    assert posting_country(None, [], "We can hire in most countries.", "Remote", "CA") is None
    assert posting_country(None, [], "全球远程，不限地点。", "远程", "CN") is None
    assert posting_country(None, [], "Work from anywhere in Japan.", "Remote", "US") == "JP"


@pytest.mark.parametrize(
    ("text", "anywhere"),
    [
        ("This is a fully remote position; you can work from any country.", True),
        ("We can hire in most countries through an employer of record.", True),
        ("The team spans every time zone.", True),
        ("Join from anywhere in the world.", True),
        ("本岗位全球远程。", True),
        ("Work remotely from anywhere in Germany.", False),
        ("Our products serve users in more than 200 countries.", False),
        ("Remote within the US.", False),
        (None, False),
    ],
)
def test_text_anywhere(text: str | None, anywhere: bool) -> None:
    from plugins.jobboards.location import text_anywhere

    assert text_anywhere(text) is anywhere


# -- boilerplate ---------------------------------------------------------------------------------
def test_repeated_lines_are_boilerplate_only_when_shared_widely() -> None:
    about = "About Devrobot: we build humanoid robots for manipulation."
    texts = [f"{about}\nRole {i}: ledger work." for i in range(5)] + [
        "Team note: shared by two.",
        "Team note: shared by two.\nOther.",
    ]
    lines = repeated_lines(texts)
    assert about.casefold() in lines
    assert "team note: shared by two." not in lines
    assert strip_lines(f"{about}\nRole 1: ledger work.", lines) == "Role 1: ledger work."
    assert repeated_lines(["One posting only.", None]) == frozenset()
    assert repeated_lines(["Shared.", "Shared."]) == frozenset({"shared."})


ROBOT_ABOUT = (
    "About Devrobot: Devrobot builds humanoid robots. Our robots learn manipulation "
    "and locomotion with embodied AI."
)
CN_ABOUT = "关于我们：我们自主研发多模态大模型、语音大模型和视频生成模型。"


def _ashby_job(pid: str, title: str, body: str, **extra: Any) -> dict[str, Any]:
    text = f"{ROBOT_ABOUT}\n\n{body}"
    return {
        "id": pid,
        "title": title,
        "department": extra.pop("department", "G&A"),
        "location": extra.pop("location", "San Francisco"),
        "isListed": True,
        "isRemote": extra.pop("isRemote", False),
        "jobUrl": f"https://jobs.ashbyhq.com/devrobot/{pid}",
        "descriptionPlain": text,
        **extra,
    }


def _run(cls: Any, path: str, body: Any, config: dict[str, Any]) -> dict[str, JobPostingSeen]:
    with RecordedServer() as server:
        server.add(path, RecordedResponse(json=body))
        out = run_ingester_offline(cls, config, server=server)
    assert out.rejects == []
    return {o.title: o for o in out.observations if isinstance(o, JobPostingSeen)}


def test_ashby_about_us_is_stripped_by_repetition() -> None:
    jobs = [
        _ashby_job("a1", "Finance Lead", "Own our ledger and audits."),
        _ashby_job("a2", "Recruiting Coordinator", "Schedule interviews."),
        _ashby_job("a3", "Office Manager", "Run the office."),
        _ashby_job(
            "a4",
            "Research Scientist, Manipulation",
            "Train robot manipulation policies.",
            department="Research",
        ),
        _ashby_job(
            "a5",
            "Research Scientist, Locomotion",
            "Locomotion research.",
            department="Research",
            location="Remote",
            isRemote=True,
            address={"postalAddress": {"addressCountry": "Canada"}},
        ),
        _ashby_job(
            "a6",
            "Controls Engineer",
            "Remote, open to candidates located in Germany.",
            location="Remote",
            isRemote=True,
        ),
        _ashby_job("a7", "Legal Counsel", "Contracts.", location="Remote", isRemote=True),
    ]
    seen = _run(
        AshbyIngester,
        "/posting-api/job-board/devrobot",
        {"apiVersion": "1", "jobs": jobs},
        {"boards": [{"board": "devrobot", "institution": "Devrobot", "country": "US"}]},
    )
    assert seen["Finance Lead"].topics == []
    assert seen["Recruiting Coordinator"].topics == []
    assert seen["Research Scientist, Manipulation"].topics == ["robotics"]
    assert seen["Finance Lead"].description and ROBOT_ABOUT in seen["Finance Lead"].description
    # Remote postings: their own address or text wins over the company default
    assert seen["Research Scientist, Locomotion"].country_code == "CA"
    assert seen["Controls Engineer"].country_code == "DE"
    assert seen["Legal Counsel"].country_code == "US"


def _lever_posting(pid: str, title: str, body: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "text": title,
        "categories": {
            "department": extra.pop("department", "R&D"),
            "location": extra.pop("location", "上海"),
        },
        "createdAt": 1767312000000,
        "workplaceType": extra.pop("workplaceType", "on-site"),
        "hostedUrl": f"https://jobs.lever.co/devcn/{pid}",
        "descriptionPlain": f"{CN_ABOUT}\n\n{body}",
        "descriptionBodyPlain": body,
        "openingPlain": CN_ABOUT,
        "additionalPlain": "我们是平等机会雇主。",
        **extra,
    }


def test_lever_chinese_site_opening_stripped_and_remote_country_kept() -> None:
    postings = [
        _lever_posting("l1", "财务经理", "负责财务核算。", department="财务"),
        _lever_posting("l2", "后端开发工程师", "负责服务端开发。"),
        _lever_posting("l3", "大模型算法工程师", "负责大模型训练与评测。"),
        _lever_posting(
            "l4",
            "Algorithm Engineer, Large Models",
            "Work remotely from anywhere in Japan.",
            location="Remote",
            workplaceType="remote",
        ),
        _lever_posting(
            "l5",
            "Kernel Engineer",
            "Linux kernel work.",
            location="Remote",
            workplaceType="remote",
            country="SG",
        ),
        _lever_posting("l6", "产品设计师", "设计产品。", location="远程", workplaceType="remote"),
    ]
    seen = _run(
        LeverIngester,
        "/v0/postings/devcn",
        postings,
        {"boards": [{"site": "devcn", "institution": "minimax", "country": "CN"}]},
    )
    assert seen["财务经理"].topics == []  # not "multimodal, speech, vision" from 关于我们
    assert not seen["后端开发工程师"].is_research
    assert seen["大模型算法工程师"].role_category == "research_engineer"
    assert seen["大模型算法工程师"].topics == ["llm"]
    assert seen["Algorithm Engineer, Large Models"].country_code == "JP"
    assert seen["Kernel Engineer"].country_code == "SG"
    assert seen["产品设计师"].country_code == "CN"  # nothing of its own: the company default
    description = seen["财务经理"].description or ""
    assert CN_ABOUT in description and "平等机会" in description  # stored text is whole


def test_greenhouse_intro_as_plain_paragraph_is_stripped_by_repetition() -> None:
    about = "About us: we build large models for short video, video generation and vision."

    def job(pid: int, title: str, body: str, location: str = "Singapore") -> dict[str, Any]:
        content = f"<p>{about}</p><p>{body}</p>"
        return {
            "id": pid,
            "title": title,
            "location": {"name": location},
            "absolute_url": f"https://job-boards.greenhouse.io/devcnhk/jobs/{pid}",
            "departments": [{"id": 1, "name": "R&D", "parent_id": None}],
            "offices": [],
            "content": content.replace("<", "&lt;").replace(">", "&gt;"),
        }

    jobs = [
        job(1, "Financial Analyst", "Budgets."),
        job(2, "Marketing Manager", "Campaigns."),
        job(3, "Research Scientist, Speech", "Speech recognition research.", "北京"),
        job(4, "HR Generalist", "People.", "Remote"),
        job(5, "大模型算法研究员-视频生成", "视频生成研究。", "北京"),
    ]
    jobs[3]["content"] = (
        f"&lt;p&gt;{about}&lt;/p&gt;&lt;p&gt;This role is based in Singapore.&lt;/p&gt;"
    )
    seen = _run(
        GreenhouseIngester,
        "/v1/boards/devcnhk/jobs",
        {"jobs": jobs, "meta": {"total": len(jobs)}},
        {"boards": [{"token": "devcnhk", "institution": "kuaishou", "country": "CN"}]},
    )
    assert seen["Financial Analyst"].topics == []
    assert seen["Research Scientist, Speech"].topics == ["speech"]
    assert seen["大模型算法研究员-视频生成"].topics == ["llm", "vision"]
    assert seen["大模型算法研究员-视频生成"].country_code == "CN"
    assert seen["HR Generalist"].country_code == "SG"


def test_glossary_terms_are_unique_and_all_chinese() -> None:
    from plugins.jobboards.glossary import GLOSSARY

    terms = [zh for zh, _ in GLOSSARY]
    assert len(terms) == len(set(terms))
    assert all(has_cjk(zh) for zh in terms)


@pytest.mark.parametrize(
    ("title", "department", "research"),
    [
        ("Researcher", "Tongyi Lab", True),
        ("研究员", "达摩院", True),
        ("高级研究员", "研发", True),
        ("Scientist", "Tongyi Lab", False),
        ("Engineer", "Tongyi Lab", False),
        ("工程师", "实验室", False),
    ],
)
def test_a_lab_or_rd_department_is_context_for_a_researcher_only(
    title: str, department: str, research: bool
) -> None:
    assert classify_posting(title, department).is_research is research


@pytest.mark.parametrize(
    ("text", "countries", "remote"),
    [
        ("中国香港", ("HK",), False),
        ("硅谷", ("US",), False),
        ("远程办公", (), True),
        ("Tbilisi, Georgia", ("GE",), False),
        ("Atlanta, Georgia", ("US",), False),
    ],
)
def test_locations_in_both_scripts(text: str, countries: tuple[str, ...], remote: bool) -> None:
    from plugins.jobboards.location import parse_location

    parsed = parse_location(text)
    assert (parsed.countries, parsed.remote) == (countries, remote)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "About Devrobot\n\nWe build humanoid robots\n\nAbout the role\n\nClose the books.",
            "About the role\n\nClose the books.",
        ),
        ("About the company\nRobots.\n\nResponsibilities\nLedgers.", "Responsibilities\nLedgers."),
        ("关于我们：我们是一家多模态大模型公司。\n\n岗位职责\n负责财务。", "岗位职责\n负责财务。"),
        ("公司介绍\n\n多模态大模型。\n\n任职要求\n会计。", "任职要求\n会计。"),
        (
            "Role text.\n\nBenefits\n\n- Robots for all\n- Lunch\n\nAbout you\nYou like LLMs.",
            "Role text.\n\nAbout you\nYou like LLMs.",
        ),
        ("About 50% of your time goes to research\nMore.", None),
        ("About the team\nWe train LLMs.", None),
    ],
)
def test_company_sections_are_stripped_by_their_headings(text: str, kept: str | None) -> None:
    from plugins.jobboards.common import strip_company_sections

    assert strip_company_sections(text) == (text if kept is None else kept)


def test_a_single_posting_board_loses_its_about_us_by_heading() -> None:
    job = {
        "id": "only",
        "title": "Finance Lead",
        "location": "San Francisco",
        "isListed": True,
        "descriptionHtml": (
            "<h2>About Devrobot</h2><p>Devrobot builds humanoid robots; our robots learn"
            " manipulation.</p><h2>About the role</h2><p>Own the ledger.</p>"
        ),
    }
    seen = _run(
        AshbyIngester,
        "/posting-api/job-board/solo",
        {"apiVersion": "1", "jobs": [job]},
        {"boards": [{"board": "solo", "institution": "Devrobot", "country": "US"}]},
    )
    assert seen["Finance Lead"].topics == []


def test_company_section_without_blank_lines_ends_at_the_next_heading() -> None:
    from plugins.jobboards.common import strip_company_sections

    text = (
        "About Backstory\nBackstory is the leading AI answers platform for sales teams.\n"
        "What you'll do\nBuild the identity layer."
    )
    assert strip_company_sections(text) == "What you'll do\nBuild the identity layer."


def test_country_search_reads_past_an_unclosed_company_section() -> None:
    job = {
        "id": "only",
        "title": "Controls Engineer",
        "location": "Remote",
        "isListed": True,
        "isRemote": True,
        "descriptionPlain": (
            "About Devrobot\n\nDevrobot builds humanoid robots.\n\n"
            "Remote, open to candidates located in Germany."
        ),
    }
    seen = _run(
        AshbyIngester,
        "/posting-api/job-board/solo",
        {"apiVersion": "1", "jobs": [job]},
        {"boards": [{"board": "solo", "institution": "Devrobot", "country": "US"}]},
    )
    assert seen["Controls Engineer"].country_code == "DE"


def test_greenhouse_custom_country_field_is_the_postings_own() -> None:
    job = {
        "id": 7,
        "title": "Research Scientist, Reasoning",
        "location": {"name": "Remote"},
        "metadata": [
            {"id": 1, "name": "Location Type", "value": "Remote", "value_type": "single_select"},
            {"id": 2, "name": "Country", "value": "Singapore", "value_type": "single_select"},
        ],
        "offices": [{"id": 3, "name": "Beijing", "location": "Beijing, China"}],
        "content": "&lt;p&gt;Reasoning research.&lt;/p&gt;",
    }
    seen = _run(
        GreenhouseIngester,
        "/v1/boards/meta/jobs",
        {"jobs": [job], "meta": {"total": 1}},
        {"boards": [{"token": "meta", "institution": "stepfun", "country": "CN"}]},
    )
    assert seen["Research Scientist, Reasoning"].country_code == "SG"


@pytest.mark.parametrize(
    ("title", "department", "category"),
    [
        ("Visiting Scholar, Reinforcement Learning", None, "research_scientist"),
        ("访问学者（语音方向）", "研究院", "research_scientist"),
        ("博士后（类脑智能）", "博士后工作站", "research_scientist"),
        ("Open Science Scholars Program", "Labs", "phd_residency"),
        ("AI Scholars Programme 2027", None, "phd_residency"),
    ],
)
def test_visiting_scholars_scholars_programmes_and_brain_inspired_postdocs(
    title: str, department: str | None, category: str
) -> None:
    assert classify_posting(title, department).category == category


# -- traditional script, Japanese and Korean titles ---------------------------------------------
@pytest.mark.parametrize(
    ("traditional", "simplified"),
    [
        ("大模型演算法工程師（預訓練）", "大模型演算法工程师（预训练）"),
        ("研究員（自然語言處理）", "研究员（自然语言处理）"),
        ("多模態大模型研究實習生", "多模态大模型研究实习生"),
        ("語音合成演算法專家", "语音合成演算法专家"),
        ("強化學習研究員", "强化学习研究员"),
        ("後端開發工程師", "后端开发工程师"),
        ("資料科學家", "数据科学家"),
        ("大模型推理部署工程師", "大模型推理部署工程师"),
    ],
)
def test_traditional_titles_get_the_verdict_of_their_simplified_form(
    traditional: str, simplified: str
) -> None:
    from plugins.jobboards.glossary import to_simplified

    assert to_simplified(traditional) == simplified
    trad, simp = classify_posting(traditional), classify_posting(simplified)
    assert (trad.is_research, trad.category, trad.topics) == (
        simp.is_research,
        simp.category,
        simp.topics,
    )


@pytest.mark.parametrize(
    ("title", "category", "topics"),
    [
        ("リサーチサイエンティスト（強化学習）", "research_scientist", ("rl",)),
        ("リサーチエンジニア - 大規模言語モデル", "research_engineer", ("llm",)),
        ("研究者（音声認識）", "research_scientist", ("speech",)),
        ("AIリサーチインターン（マルチモーダル）", "research_intern", ("multimodal",)),
        ("博士研究員（ロボティクス）", "research_scientist", ("robotics",)),
        ("シニアリサーチャー、アライメント", "research_scientist", ("safety",)),
        ("리서치 엔지니어 (대규모 언어 모델)", "research_engineer", ("llm",)),
        ("AI 연구원 - 컴퓨터 비전", "research_scientist", ("vision",)),
        ("연구 인턴 (멀티모달)", "research_intern", ("multimodal",)),
        ("박사후 연구원 (자연어 처리)", "research_scientist", ("llm",)),
        ("리서치 사이언티스트, 강화학습", "research_scientist", ("rl",)),
        ("리서치 사이언티스트, 강화 학습", "research_scientist", ("rl",)),
    ],
)
def test_japanese_and_korean_research_titles(
    title: str, category: str, topics: tuple[str, ...]
) -> None:
    result = classify_posting(title)
    assert (result.category, result.topics) == (category, topics), result.rule


@pytest.mark.parametrize(
    "title",
    [
        "ソフトウェアエンジニア（バックエンド）",
        "データサイエンティスト",
        "営業（AIソリューション）",
        "リクルーター（研究職採用）",
        "AI政策研究員",
        "백엔드 엔지니어",
        "데이터 사이언티스트",
        "채용 담당자 (연구직)",
        "AI 정책 연구원",
        "보안 연구원",
    ],
)
def test_japanese_and_korean_look_alikes_are_not_research(title: str) -> None:
    result = classify_posting(title)
    assert not result.is_research, result.rule


def test_glossary_keys_stay_unique_through_script_conversion() -> None:
    from plugins.jobboards.glossary import GLOSSARY, to_simplified

    keys = ["".join(to_simplified(term).split()).casefold() for term, _ in GLOSSARY]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("text", "hint", "countries", "remote"),
    [
        ("臺北市信義區", None, ("TW",), False),
        ("東京都港区", None, ("JP",), False),
        ("서울특별시 강남구", None, ("KR",), False),
        ("リモート（日本国内）", None, ("JP",), True),
        ("원격 (한국)", None, ("KR",), True),
        ("遠端工作", "TW", ("TW",), True),
        ("원격 근무 가능", "KR", ("KR",), True),
        ("東京（ハイブリッド）", None, ("JP",), False),
        ("東京、大阪", None, ("JP",), False),
        ("Tokyo or Seoul", "US", ("JP", "KR"), False),
        ("Remote - Japan; Singapore", "CN", ("JP", "SG"), True),
    ],
)
def test_locations_in_traditional_japanese_and_korean(
    text: str, hint: str | None, countries: tuple[str, ...], remote: bool
) -> None:
    from plugins.jobboards.location import parse_location

    parsed = parse_location(text, country_hint=hint)
    assert (parsed.countries, parsed.remote) == (countries, remote)


@pytest.mark.parametrize(
    ("text", "country"),
    [("勤務地：東京", "JP"), ("근무지: 서울", "KR"), ("工作地點：臺北", "TW")],
)
def test_text_country_in_traditional_japanese_and_korean(text: str, country: str) -> None:
    assert text_country(text) == country


@pytest.mark.parametrize(
    ("title", "research"),
    [
        ("Senior Researcher, Market Intelligence", False),
        ("Researcher, Competitive Intelligence", False),
        ("商业智能研究员", False),
        ("Researcher, Machine Intelligence", True),
        ("研究型工程师（多模态）", True),
    ],
)
def test_business_intelligence_is_not_ai(title: str, research: bool) -> None:
    assert classify_posting(title).is_research is research


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "關於我們：我們研發多模態大模型。\n\n職位描述\n負責財務報表。",
            "職位描述\n負責財務報表。",
        ),
        (
            "会社概要\n\nロボット基盤モデルを研究しています。\n\n業務内容\n経理。",
            "業務内容\n経理。",
        ),
        ("私たちについて：基盤モデルの研究所です。\n\n業務内容\n人事。", "業務内容\n人事。"),
        ("회사 소개\n\n대규모 언어 모델을 만듭니다.\n\n주요 업무\n재무.", "주요 업무\n재무."),
        ("복리후생\n\n- 점심 제공\n\n자격 요건\n회계 경력.", "자격 요건\n회계 경력."),
    ],
)
def test_company_sections_are_stripped_in_traditional_japanese_and_korean(
    text: str, kept: str
) -> None:
    from plugins.jobboards.common import strip_company_sections

    assert strip_company_sections(text) == kept


def test_greenhouse_place_field_named_in_japanese_or_korean_is_the_postings_own() -> None:
    from plugins.jobboards.greenhouse import _metadata_places

    raw = {"metadata": [{"name": "勤務地", "value": "東京"}, {"name": "근무지", "value": "서울"}]}
    assert _metadata_places(raw) == ["東京", "서울"]


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("Head of Post-Training", "research_manager"),
        ("Director, Frontier Red Team", "research_manager"),
        ("Head of AI Safety", "research_manager"),
        ("预训练负责人", "research_manager"),
        ("多模态方向負責人", "research_manager"),
        ("Head of Safety", None),
        ("Partnerships Lead, LLM", None),
        ("Head of Multimodal Product", None),
        ("Director of Engineering, Inference", None),
        ("Team Lead, Speech Annotation", None),
        ("大模型产品负责人", None),
        ("Lead Research Scientist, Reinforcement Learning", "research_scientist"),
    ],
)
def test_the_head_of_a_research_area_is_a_research_manager(
    title: str, category: str | None
) -> None:
    assert classify_posting(title).category == category


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("ML Engineering Intern, Pretraining", "research_intern"),
        ("AI Intern - Computer Vision", "research_intern"),
        ("AI Product Intern, LLM", None),
        ("Software Engineering Intern", None),
        ("Fellow, AI Safety", "phd_residency"),
        ("Fellow - Interpretability", "phd_residency"),
        ("Fellow, Operations", None),
        ("Technical Fellow", None),
        ("Member of Technical Staff, Training Efficiency", "member_of_technical_staff"),
        ("Member of Technical Staff, Inference Optimization", None),
    ],
)
def test_ml_interns_fellows_and_technical_staff_areas(title: str, category: str | None) -> None:
    assert classify_posting(title).category == category


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("大韓民国 ソウル", ("KR",)),
        ("미국 샌프란시스코", ("US",)),
        ("도쿄, 일본", ("JP",)),
        ("シンガポール", ("SG",)),
        ("倫敦 / 紐約", ("GB", "US")),
        ("대만 타이베이", ("TW",)),
    ],
)
def test_country_and_city_names_in_japanese_korean_and_traditional_script(
    text: str, countries: tuple[str, ...]
) -> None:
    from plugins.jobboards.location import parse_location

    assert parse_location(text).countries == countries


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("Remote, within 4 hours of PT", ("US",)),
        ("Remote (EST)", ("US",)),
        ("Remote - Pacific Time", ("US",)),
        ("Remote (JST hours)", ("JP",)),
        ("Remote (UTC+8 ± 2 hours)", ()),
        ("Remote (GMT-5)", ()),
        ("Remote, CET timezone", ()),
        ("Lisbon, PT", ("PT",)),
        ("Tallinn, Estonia", ("EE",)),
        ("Hartford, CT", ("US",)),
        ("Beijing (UTC+8)", ("CN",)),
    ],
)
def test_time_zones_name_their_place_and_are_never_country_codes(
    text: str, countries: tuple[str, ...]
) -> None:
    from plugins.jobboards.location import parse_location

    assert parse_location(text, country_hint="CN").countries == countries


@pytest.mark.parametrize(
    ("title", "department", "research"),
    [
        ("战略研究员", "研究院", False),
        ("产业研究员", "AI研究院", False),
        ("宏观经济研究员", "研究院", False),
        ("知识产权研究员", "研发", False),
        ("Strategy Researcher", "Research", False),
        ("Industry Researcher", "AI Lab", False),
        ("Researcher, Economics", "Research", False),
        ("Research Scientist, Economics of AI", None, False),
        ("Industrial AI Researcher", None, True),
        ("Researcher, Strategic Reasoning", None, True),
        ("数字人研究员", "研究院", True),
        ("研究员-2027届校招", "研究院", True),
    ],
)
def test_researchers_of_a_field_that_is_not_ai_are_not_research(
    title: str, department: str | None, research: bool
) -> None:
    assert classify_posting(title, department).is_research is research


@pytest.mark.parametrize(
    ("title", "department", "category"),
    [
        ("Machine Learning Engineer (Research)", None, "research_engineer"),
        ("Software Engineer - Research", None, "research_engineer"),
        ("Backend Engineer (Research)", None, None),
        ("Backend Engineer, Research", None, None),
        ("Software Engineer (Research Platform)", "Research", None),
        ("Software Engineer, Research Tools", "Research", None),
        ("MLSys研究员", None, "research_scientist"),
    ],
)
def test_the_research_team_named_in_an_engineers_title(
    title: str, department: str | None, category: str | None
) -> None:
    assert classify_posting(title, department).category == category


@pytest.mark.parametrize(
    "title", ["研究院院长", "研究院副院长", "研究所所長", "研究所長", "AI 연구소장"]
)
def test_the_head_of_a_research_institute_is_a_research_manager(title: str) -> None:
    assert classify_posting(title).category == "research_manager"


@pytest.mark.parametrize(
    ("text", "country"),
    [("大连", "CN"), ("無錫", "CN"), ("名古屋", "JP"), ("Sapporo", "JP"), ("인천", "KR"),
     ("Suwon", "KR"), ("桃園", "TW"), ("廣州", "CN")],
)  # fmt: skip
def test_more_hub_cities_of_china_japan_korea_and_taiwan(text: str, country: str) -> None:
    from plugins.jobboards.location import parse_location

    assert parse_location(text).country_code == country


def test_a_repeated_company_section_ends_where_the_roles_own_text_starts() -> None:
    from plugins.jobboards.common import strip_company_sections

    about = "Devaudio builds speech models used by millions."
    text = f"About Devaudio\n{about}\nOwn the GPU scheduler our researchers use.\nBenefits\nLunch."
    shared = frozenset({"about devaudio", about.casefold(), "benefits", "lunch."})
    assert strip_company_sections(text, shared) == "Own the GPU scheduler our researchers use."
    # without knowing what the company repeats, the section runs on to the next heading
    assert strip_company_sections(text) is None


def test_the_classifier_reads_a_role_paragraph_that_follows_the_about_block() -> None:
    about = (
        "About Devaudio\nDevaudio is an AI audio research company. Our research team publishes"
        " papers on speech models.\n"
    )
    jobs = [
        {
            "id": f"p{n}",
            "title": title,
            "location": "London",
            "isListed": True,
            "department": "Research",
            "descriptionPlain": about + body + "\nWhat we offer\nLunch.",
        }
        for n, (title, body) in enumerate(
            [
                (
                    "Research Engineer, Training Infrastructure",
                    "Own the infrastructure our researchers train on. You will not run"
                    " research experiments yourself but make theirs faster.",
                ),
                ("Research Engineer, Speech", "Train speech models."),
                ("Finance Lead", "Own the ledger."),
            ]
        )
    ]
    seen = _run(
        AshbyIngester,
        "/posting-api/job-board/devaudio",
        {"apiVersion": "1", "jobs": jobs},
        {"boards": [{"board": "devaudio", "institution": "Devaudio", "country": "GB"}]},
    )
    assert not seen["Research Engineer, Training Infrastructure"].is_research
    assert seen["Research Engineer, Speech"].is_research
