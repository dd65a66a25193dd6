"""Engineers in research departments and other look-alikes the title rules must still catch:
infrastructure, evaluation, data, platform, recommendation/search/ads and delivery engineers,
algorithm engineers whose title names no research topic, technical staff whose area is a product
or customer function, scientists of a laboratory science, Trust & Safety researchers; and the
research titles beside them that must stay research (postdocs of a research institute, Korean
research-personnel posts). Each kind is checked in Latin and in CJK script where it applies."""

from __future__ import annotations

import pytest

from plugins.jobboards.classify import classify_posting


# -- algorithm engineers: a research topic in the title (or team) decides, never the department --
@pytest.mark.parametrize(
    ("title", "department", "team"),
    [
        ("算法工程师", "研究院", None),
        ("高级算法专家", "AI Research", None),
        ("Algorithm Engineer", "Research", None),
        ("Algorithm Expert", "研究院", None),
    ],
)
def test_an_algorithm_engineer_needs_a_research_topic_in_the_title(
    title: str, department: str, team: str | None
) -> None:
    assert not classify_posting(title, department, team).is_research


@pytest.mark.parametrize(
    ("title", "department", "team"),
    [
        # infrastructure work on a model: inference, acceleration, serving, platforms, clusters
        ("大模型算法工程师（推理加速）", "大装置事业群", "推理平台部"),
        ("Large Model Algorithm Engineer - Inference Acceleration", "Research", None),
        ("大模型训练框架工程师", "研究院", None),
        ("大模型推理算法工程师", "研究", None),
        ("LLM Inference Engineer", "Research", None),
        ("LLM Training Infrastructure Engineer", "Research", "Pretraining"),
        ("大模型平台工程师", "研究院", None),
        ("Software Engineer, LLM Platform", "Research", None),
        ("大模型算法工程师", "研究", "推理平台部"),
        ("Research Infrastructure Engineer", "Research", None),
        ("MLOps Engineer, Foundation Models", "Research", None),
        ("多模态模型量化算法工程师", "研究", None),
        ("Algorithm Engineer, Model Quantization (LLM)", "AI Research", None),
        # evaluation and benchmarks
        ("大模型评测工程师", "研究", "评测"),
        ("Large Model Evaluation Engineer", "Research", "Evaluation"),
        ("Software Engineer, Multimodal Benchmarks", "Research", None),
        # data engineering
        ("大模型数据工程师", "研究院", "预训练数据"),
        ("Data Engineer, LLM", "Research", "Pretraining"),
        ("大模型数据开发工程师", "研究院", None),
        ("多模态数据处理工程师", "研究院", None),
        ("数据清洗工程师（预训练）", "研究", None),
        ("Data Annotation Engineer, Multimodal", "Research", None),
        ("Data Development Engineer, Large Models", "AI Research", None),
        # applications built on models
        ("大模型应用算法工程师", "研究院", None),
        ("LLM Application Engineer", "Research", None),
        # recommendation, search, ads and ranking
        ("推荐算法工程师", "研究院", None),
        ("搜索算法工程师（大模型）", "AI研究院", None),
        ("广告算法专家（多模态）", "研究", None),
        ("Recommendation Algorithm Engineer - LLM", "Research", None),
        ("Machine Learning Engineer, Search Ranking", "Research", None),
        ("Ads Ranking Engineer, Large Models", "AI Research", None),
        ("Machine Learning Engineer", "AI Research", "Recommendation"),
        ("推薦アルゴリズムエンジニア（LLM）", "研究所", None),
        ("추천 알고리즘 엔지니어 (LLM)", "AI Research", None),
        ("검색 엔지니어, 대규모 언어 모델", "연구소", None),
        # "<X> Engineer, Research" where X is engineering work
        ("Platform Engineer, Research", None, None),
        ("Data Engineer (Research)", None, None),
        ("Infrastructure Engineer - Research", None, None),
        # delivery to customers and industries
        ("大模型算法工程师（行业微调）", "解决方案中心", "金融行业"),
        ("LLM Algorithm Engineer, Industry Fine-tuning", "Solutions", None),
        ("大模型算法工程师", "解决方案中心", None),
        ("Algorithm Engineer, Large Models", "Customer Delivery", None),
    ],
)
def test_engineering_work_on_a_model_topic_is_not_research(
    title: str, department: str, team: str | None
) -> None:
    result = classify_posting(title, department, team)
    assert not result.is_research, result.rule


@pytest.mark.parametrize(
    ("title", "department", "team", "category"),
    [
        ("大模型算法工程师（数据）", "研究", "预训练数据", "research_engineer"),
        ("算法工程师", "研究", "预训练组", "research_engineer"),
        ("Senior Algorithm Engineer", "Research Institute", "Pretraining", "research_engineer"),
        ("预训练数据算法工程师", "R&D", None, "research_engineer"),
        ("Engineer, Pretraining Data", "Research", "LLM", "research_engineer"),
        ("算法专家（世界模型）", "研究院", "视频生成", "research_engineer"),
        ("自动驾驶感知算法工程师", "研发", None, "research_engineer"),
        ("对话系统算法工程师", "研发", None, "research_engineer"),
        ("Algorithm Engineer - Large Language Model Pretraining", None, None, "research_engineer"),
        ("大模型工程师", "研究院", None, "research_engineer"),
        (
            "Software Engineer, Interpretability",
            "Research",
            "Interpretability",
            "research_engineer",
        ),
        ("Research Engineer, Gemini Evaluations", "Research", None, "research_engineer"),
        ("研究型实习生（大模型评测）", "大模型研究中心", "评测研究组", "research_intern"),
        ("Research Scientist, Recommender Systems", None, None, "research_scientist"),
        ("Research Engineer, Applied AI", None, None, "research_engineer"),
        ("Software Engineer, Research", None, None, "research_engineer"),
        # 推理 beside reinforcement learning or reasoning is reasoning, not serving
        ("强化学习算法工程师（推理）", "研究", None, "research_engineer"),
        (
            "Algorithm Engineer, RL for Reasoning (Inference-time Compute)",
            "Research",
            None,
            "research_engineer",
        ),
        ("Machine Learning Engineer (Research)", None, None, "research_engineer"),
        ("应用研究员", "研究院", None, "research_scientist"),
        ("应用科学家", None, None, "applied_scientist"),
        ("推荐算法研究员", "研究院", None, "research_scientist"),
    ],
)
def test_research_work_beside_them_stays_research(
    title: str, department: str | None, team: str | None, category: str
) -> None:
    result = classify_posting(title, department, team)
    assert result.category == category, result.rule


# -- engineers who deliver to customers: by their title, department or team ------------------
@pytest.mark.parametrize(
    ("title", "department", "team"),
    [
        ("Applied Research Engineer, Defense", "Applied Research", "Public Sector"),
        ("Research Engineer", "Solutions", None),
        ("研究工程师", "解决方案中心", None),
        ("Member of Technical Staff", "Customer Engineering", None),
        ("Research Engineer, Customer Deployments", None, None),
        ("Research Engineer, Enterprise Solutions", None, None),
        ("研究工程师（行业解决方案）", None, None),
        ("Machine Learning Engineer, Applied AI", "Research", None),
    ],
)
def test_an_engineer_who_delivers_to_customers_is_not_research(
    title: str, department: str, team: str | None
) -> None:
    assert not classify_posting(title, department, team).is_research


# -- technical staff: a product or customer area, or a bare title in a product team -------------
@pytest.mark.parametrize(
    ("title", "department", "team", "category"),
    [
        ("Member of Technical Staff, Applied AI", "Engineering", "US Applied AI", None),
        ("Technical Staff, Customer Solutions", None, None, None),
        ("Member of Technical Staff, Search", None, None, None),
        ("Member of Technical Staff, Ads Ranking", "Research", None, None),
        ("Member of Technical Staff", "Engineering", "Product Engineering", None),
        ("Member of Technical Staff", "Engineering", "Frontend", None),
        ("Member of Technical Staff", "Infrastructure", None, None),
        ("Member of Technical Staff", None, None, "member_of_technical_staff"),
        ("Member of Technical Staff", "Research", None, "member_of_technical_staff"),
        ("Member of Technical Staff", "Engineering", None, "member_of_technical_staff"),
        ("Member of Technical Staff, Post-training", "Research", "Z.ai International", "member_of_technical_staff"),
    ],
)  # fmt: skip
def test_technical_staff_take_their_area_from_the_title_then_the_team(
    title: str, department: str | None, team: str | None, category: str | None
) -> None:
    assert classify_posting(title, department, team).category == category


# -- scientists of a laboratory science, economists of AI, Trust & Safety ---------------------
@pytest.mark.parametrize(
    ("title", "department", "research"),
    [
        ("Research Scientist, Medicinal Chemistry", "Drug Discovery", False),
        ("Research Scientist, Structural Biology", "Drug Discovery", False),
        ("Research Scientist, Biology (Assay Development)", "Drug Discovery", False),
        ("Senior Research Scientist, Biochemistry", "Research", False),
        ("研究员（药物化学）", "研究院", False),
        ("結構生物學研究員", "研究院", False),
        ("Research Scientist, Economics of AI", "Responsibility", False),
        ("经济学研究员（AI影响）", "研究院", False),
        ("Machine Learning Research Scientist, Generative Chemistry", "Machine Learning", True),
        ("Postdoctoral Research Scientist, Machine Learning for Chemistry", None, True),
        ("Research Scientist, AI for Materials Science", "Science", True),
        ("研究员（AI for Science）", "研究院", True),
        ("化学大模型研究员", "研究院", True),
    ],
)
def test_scientists_of_a_laboratory_science_or_economics_are_not_ai_research(
    title: str, department: str | None, research: bool
) -> None:
    assert classify_posting(title, department).is_research is research


@pytest.mark.parametrize(
    ("title", "department", "research"),
    [
        ("大模型安全研究员（内容安全）", "安全中心", False),
        ("內容安全研究員", None, False),
        ("Trust & Safety Researcher, LLM", None, False),
        ("Research Scientist, Content Safety", None, False),
        ("安全研究员（大模型安全）", "研究", True),
        ("Research Scientist, Frontier Safety", None, True),
        ("Research Scientist - Trust & Safety ML", None, True),
    ],
)
def test_trust_and_safety_researchers_are_not_ai_safety(
    title: str, department: str | None, research: bool
) -> None:
    assert classify_posting(title, department).is_research is research


# -- research titles that need only their organisation --------------------------------------
@pytest.mark.parametrize(
    ("title", "department", "team"),
    [
        ("博士后（清华联合培养）", "研究院", "联合实验室"),
        ("博士後", "研究院", None),
        ("Postdoc", "Research", None),
        ("Postdoctoral Fellow", "AI Lab", None),
        ("전문연구요원 (AI Research)", "AI Research", "Solar LLM"),
        ("전문연구요원", "AI Research", None),
    ],
)
def test_a_postdoc_or_research_personnel_post_of_a_research_organisation(
    title: str, department: str, team: str | None
) -> None:
    assert classify_posting(title, department, team).category == "research_scientist"


@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("Postdoc", "Engineering"),
        ("Postdoc, Chemistry", "Research"),
        ("博士后（化学）", "研究院"),
    ],
)
def test_a_postdoc_without_ai_context_is_not_research(title: str, department: str) -> None:
    assert not classify_posting(title, department).is_research


@pytest.mark.parametrize(
    ("title", "category"),
    [
        ("算法实习生（大模型评测）", None),
        ("大模型推理加速算法实习生", None),
        ("ML Intern, LLM Inference Optimization", None),
        ("Algorithm Intern - Multimodal Search", None),
        ("算法实习生-多模态理解", "research_intern"),
        ("Research Intern, Inference", "research_intern"),
        ("研究型实习生（大模型评测）", "research_intern"),
    ],
)
def test_an_algorithm_intern_on_engineering_work_is_not_a_research_intern(
    title: str, category: str | None
) -> None:
    assert classify_posting(title).category == category


# -- a remote job open to any country has no country, not the company's -----------------------
@pytest.mark.parametrize(
    ("text", "anywhere"),
    [
        ("This is a fully remote role and can be done from any country.", True),
        ("The work can be performed from almost any country.", True),
        ("We are open to candidates in any location.", True),
        ("This role is open to candidates in the United States.", False),
        ("Done well, this work improves every model we ship.", False),
    ],
)
def test_a_remote_job_done_from_any_country(text: str, anywhere: bool) -> None:
    from plugins.jobboards.location import text_anywhere

    assert text_anywhere(text) is anywhere
