"""Build the development set of job boards, ``bench/quality/sets/jobs_dev/``.

    python bench/quality/make_jobs_dev.py

The set is in the "jobs" format of the evaluation sets (``boards.json``, one payload per board
in the board's real JSON shape, ``labels.jsonl``) and is what the rules are tuned on; it is not
blind. It has two parts:

* **converted**: every row of ``tests/data/job_titles.jsonl`` becomes a posting on one of three
  boards (Greenhouse, Lever, Ashby, in turn) with its department and team, and takes the next
  location string of ``tests/data/job_locations.jsonl`` (cycled) as its location. The country
  label is the location's first country, the company default for a bare Remote/Hybrid, and
  null otherwise. Topics are labelled from the titles set.
* **written here**: postings of the kinds the hiring-signal rules found hard (``EXTRA`` below):
  Chinese and mixed titles, engineers under "R&D" / "AI Lab" departments, "Technical Staff,
  <area>", security researchers, Remote postings whose own fields or text name their country,
  and company "About us" blocks repeated in every description; and (``EXTRA4``)
  traditional-script, Japanese and Korean titles, multi-place and remote locations in those
  scripts, a country other than the company's home, and a remote job open to any country.

Companies, postings and people here are fictional, except that boards name seed institutions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "bench" / "quality" / "sets" / "jobs_dev"
TITLES = ROOT / "tests" / "data" / "job_titles.jsonl"
LOCATIONS = ROOT / "tests" / "data" / "job_locations.jsonl"

CONVERTED = (
    {"kind": "greenhouse", "token": "devlab", "company": "Dev Lab", "institution": "anthropic",
     "country_code": "US"},
    {"kind": "lever", "token": "devsite", "company": "Dev Site", "institution": "mistral-ai",
     "country_code": "FR"},
    {"kind": "ashby", "token": "devstart", "company": "Dev Start", "institution": "openai",
     "country_code": "US"},
)  # fmt: skip

EXTRA_BOARDS = (
    {"kind": "lever", "token": "devcn", "company": "MiniMax (dev)", "institution": "minimax",
     "country_code": "CN"},
    {"kind": "greenhouse", "token": "devcnintl", "company": "StepFun international (dev)",
     "institution": "stepfun", "country_code": "CN"},
    {"kind": "ashby", "token": "devrobot", "company": "Devrobot Robotics",
     "institution": "Devrobot Robotics", "country_code": "US"},
    {"kind": "greenhouse", "token": "devcnhk", "company": "Kuaishou (dev)",
     "institution": "kuaishou", "country_code": "CN"},
    {"kind": "lever", "token": "devzp", "company": "Zhipu (dev)", "institution": "zhipu-ai",
     "country_code": "CN"},
    {"kind": "greenhouse", "token": "devseed", "company": "ByteDance Seed (dev)",
     "institution": "bytedance-seed", "country_code": "CN"},
    {"kind": "ashby", "token": "devmoon", "company": "Moonshot (dev)",
     "institution": "moonshot-ai", "country_code": "CN"},
    {"kind": "lever", "token": "devintl", "company": "ByteDance international (dev)",
     "institution": "bytedance", "country_code": "CN"},
    {"kind": "greenhouse", "token": "devtw", "company": "SenseTime (dev, traditional script)",
     "institution": "sensetime", "country_code": "HK"},
    {"kind": "ashby", "token": "devjp", "company": "Sakana AI (dev)",
     "institution": "sakana-ai", "country_code": "JP"},
    {"kind": "lever", "token": "devkr", "company": "Upstage (dev)", "institution": "upstage",
     "country_code": "KR"},
)  # fmt: skip

CN_ABOUT = (
    "关于我们：我们是一家专注于通用人工智能的公司，自主研发多模态大模型、语音大模型和视频生成模型，"
    "产品服务全球用户。"
)
ROBOT_ABOUT = (
    "About Devrobot\nDevrobot builds general-purpose humanoid robots. Our robots learn "
    "manipulation and locomotion from large-scale embodied AI models, and our robot fleet "
    "runs in warehouses across North America."
)
HK_ABOUT = (
    "About us: We build large models for short video, with research on video generation, "
    "multimodal understanding and recommendation at scale. Our models serve hundreds of "
    "millions of users."
)
EEO = "We are an equal opportunity employer."

# (board, title, department, team, location, extra, label). ``extra``: description text and
# board fields (Lever ``country`` / ``workplaceType``, Greenhouse ``offices``, Ashby
# ``address`` / ``isRemote``). ``label``: research, category, country, topics.
Extra = tuple[str, str, str | None, str | None, str | None, dict[str, Any], dict[str, Any]]


def _r(category: str, country: str | None, topics: list[str]) -> dict[str, Any]:
    return {"research": True, "category": category, "country": country, "topics": topics}


def _n(country: str | None, topics: list[str] | None = None) -> dict[str, Any]:
    return {"research": False, "country": country, "topics": topics}


EXTRA: tuple[Extra, ...] = (
    # -- a Chinese company's site on Lever: Chinese and mixed titles, "R&D" departments ------
    ("devcn", "大模型算法工程师", "研发", "大模型", "上海", {"text": "负责大模型训练与评测。"},
     _r("research_engineer", "CN", ["llm"])),
    ("devcn", "大模型研究员-预训练", "R&D", "基座模型", "北京", {"text": "探索预训练数据与方法。"},
     _r("research_scientist", "CN", ["llm"])),
    ("devcn", "视觉生成方向研究员", "R&D", "视频生成", "上海", {"text": "研究图像与视频生成。"},
     _r("research_scientist", "CN", ["vision"])),
    ("devcn", "多模态大模型算法专家", "研发中心", None, "北京", {"text": "多模态理解与生成。"},
     _r("research_engineer", "CN", ["llm", "multimodal"])),
    ("devcn", "对齐算法研究员", "R&D", "Alignment", "上海", {"text": "研究人类反馈强化学习。"},
     _r("research_scientist", "CN", ["safety"])),
    ("devcn", "强化学习算法工程师（大模型）", "R&D", None, "上海", {"text": "RL 后训练。"},
     _r("research_engineer", "CN", ["llm", "rl"])),
    ("devcn", "语音大模型研究员", "研发", "语音", "上海", {"text": "语音合成与识别。"},
     _r("research_scientist", "CN", ["llm", "speech"])),
    ("devcn", "大模型研究型实习生", "研发", None, "北京", {"text": "参与大模型研究。"},
     _r("research_intern", "CN", ["llm"])),
    ("devcn", "算法实习生-多模态理解", "研发", None, "北京", {"text": "多模态理解。"},
     _r("research_intern", "CN", ["multimodal"])),
    ("devcn", "博士后-大模型安全", "研发", None, "北京", {"text": "大模型安全研究。"},
     _r("research_scientist", "CN", ["llm", "safety"])),
    ("devcn", "Research Scientist - 具身智能", "R&D", None, "深圳", {"text": "具身智能研究。"},
     _r("research_scientist", "CN", ["robotics"])),
    ("devcn", "LLM算法工程师", "R&D", None, "上海", {"text": "大模型微调。"},
     _r("research_engineer", "CN", ["llm"])),
    ("devcn", "预训练数据算法工程师", "R&D", None, "上海", {"text": "预训练数据配比。"},
     _r("research_engineer", "CN", ["llm"])),
    ("devcn", "AI Lab 研究员", "AI Lab", None, "北京", {"text": "开展前沿研究。"},
     _r("research_scientist", "CN", [])),
    ("devcn", "视频生成算法工程师", "研发", None, "杭州", {"text": "扩散模型。"},
     _r("research_engineer", "CN", ["vision"])),
    ("devcn", "推理加速工程师", "R&D", "AI Lab", "上海", {"text": "大模型推理优化。"},
     _n("CN", ["infrastructure"])),
    ("devcn", "搜索推荐算法工程师", "研发", None, "北京", {"text": "推荐系统排序。"},
     _n("CN")),
    ("devcn", "后端开发工程师", "R&D", "AI Lab", "上海", {"text": "负责服务端开发。"},
     _n("CN", [])),
    ("devcn", "Java开发工程师（支付）", "R&D", None, "上海", {"text": "支付系统。"},
     _n("CN", [])),
    ("devcn", "大数据开发工程师", "R&D", None, "北京", {"text": "数据仓库建设。"}, _n("CN")),
    ("devcn", "Linux内核工程师", "R&D", None, "北京", {"text": "内核调优。"}, _n("CN")),
    ("devcn", "测试开发工程师", "研发", None, "上海", {"text": "自动化测试。"}, _n("CN", [])),
    ("devcn", "前端开发工程师", "研发", None, "上海", {"text": "Web 前端。"}, _n("CN", [])),
    ("devcn", "研发经理（支付平台）", "R&D", None, "上海", {"text": "管理支付研发团队。"},
     _n("CN", [])),
    ("devcn", "产品经理-大模型应用", "产品", None, "上海", {"text": "大模型产品设计。"},
     _n("CN", ["llm"])),
    ("devcn", "HRBP（研发线）", "人力资源", None, "上海", {"text": "支持研发团队。"},
     _n("CN", [])),
    ("devcn", "财务经理", "财务", None, "上海", {"text": "负责财务核算。"}, _n("CN", [])),
    ("devcn", "招聘专员（算法方向）", "人力资源", None, "北京", {"text": "算法人才招聘。"},
     _n("CN", [])),
    ("devcn", "Backend Engineer", "R&D", "MiniMax AI Lab", "Singapore",
     {"text": "Build APIs.", "country": "SG"}, _n("SG", [])),
    ("devcn", "Big Data Engineer", "Research & Development", None, "Shanghai",
     {"text": "Data pipelines."}, _n("CN", [])),
    ("devcn", "Kernel Engineer", "R&D", None, "Remote",
     {"text": "Linux kernel work. This remote role is open to candidates based in Singapore.",
      "country": "SG", "workplaceType": "remote"}, _n("SG", ["infrastructure"])),
    ("devcn", "Engineering Manager, Payments", "Research & Development", None, "Singapore",
     {"text": "Lead the payments team."}, _n("SG", [])),
    ("devcn", "Software Engineer", "R&D", None, "Shanghai", {"text": "General software."},
     _n("CN", [])),
    ("devcn", "Algorithm Engineer, Large Models", "R&D", None, "Remote",
     {"text": "Work remotely from anywhere in Japan.", "country": "JP",
      "workplaceType": "remote"}, _r("research_engineer", "JP", ["llm"])),
    ("devcn", "Research Engineer, Audio", "R&D", None, "Remote",
     {"text": "This is a fully remote position for candidates in the United States.",
      "workplaceType": "remote"}, _r("research_engineer", "US", ["speech"])),
    ("devcn", "Product Designer", "Design", None, "Remote",
     {"text": "Design our apps.", "workplaceType": "remote"}, _n("CN", [])),
    # -- a Chinese company's international site on Greenhouse ------------------------------
    ("devcnintl", "Technical Staff, Pretraining", "Research & Development", "Foundation Model",
     "Singapore", {}, _r("member_of_technical_staff", "SG", ["llm"])),
    ("devcnintl", "Technical Staff, Multimodal", "Research & Development", None, "Singapore",
     {}, _r("member_of_technical_staff", "SG", ["multimodal"])),
    ("devcnintl", "Technical Staff - Reinforcement Learning", None, None, "Shanghai", {},
     _r("member_of_technical_staff", "CN", ["rl"])),
    ("devcnintl", "Technical Staff, Frontend", "Engineering", None, "Singapore", {},
     _n("SG", [])),
    ("devcnintl", "Security Researcher", "Security", None, "Singapore", {}, _n("SG", [])),
    ("devcnintl", "Senior Security Researcher, Vulnerability Research", "Research & Development",
     None, "Shanghai", {}, _n("CN", [])),
    ("devcnintl", "Offensive Security Researcher", "Security", None, "Remote",
     {"offices": ["Singapore"]}, _n("SG", [])),
    ("devcnintl", "Research Engineer, Pretraining", "Research & Development", None, "Shanghai",
     {}, _r("research_engineer", "CN", ["llm"])),
    ("devcnintl", "Software Engineer", "Research & Development", "StepFun AI Lab", "Shanghai",
     {}, _n("CN", [])),
    ("devcnintl", "Software Engineer, Inference", "Research & Development", "AI Lab",
     "Singapore", {}, _n("SG", ["infrastructure"])),
    ("devcnintl", "Engineering Manager, Data Platform", "R&D", None, "Singapore", {},
     _n("SG", [])),
    ("devcnintl", "Engineering Manager, Payments", "R&D", "AI Lab", "Singapore", {},
     _n("SG", [])),
    ("devcnintl", "Machine Learning Engineer", "Research & Development", "AI Lab", "Shanghai",
     {}, _n("CN", [])),
    ("devcnintl", "Research Scientist, Video Generation", "Research & Development", None,
     "Remote", {"offices": ["Singapore"], "text": "You will be based in Singapore."},
     _r("research_scientist", "SG", ["vision"])),
    ("devcnintl", "Researcher, Reasoning", "Research & Development", None, "Remote",
     {"text": "This role is remote within the United Kingdom."},
     _r("research_scientist", "GB", ["llm"])),
    ("devcnintl", "Account Executive", "Sales", None, "Remote",
     {"offices": ["Tokyo, Japan"]}, _n("JP", [])),
    ("devcnintl", "Recruiter, Research", "People", None, "Singapore", {}, _n("SG", [])),
    ("devcnintl", "算法研究员（大模型）", "Research & Development", None, "上海", {},
     _r("research_scientist", "CN", ["llm"])),
    ("devcnintl", "Backend Engineer, Payments", "Research & Development", None, "Singapore",
     {}, _n("SG", [])),
    ("devcnintl", "DevOps Engineer", "R&D", "AI Lab", "Shanghai", {}, _n("CN", [])),
    # -- a robotics start-up on Ashby whose every description opens with "About us" -------
    ("devrobot", "Finance Lead", "G&A", "Finance", "San Francisco", {}, _n("US", [])),
    ("devrobot", "Recruiting Coordinator", "People", None, "San Francisco", {}, _n("US", [])),
    ("devrobot", "Office Manager", "G&A", None, "San Francisco", {}, _n("US", [])),
    ("devrobot", "Account Executive", "Sales", None, "New York", {}, _n("US", [])),
    ("devrobot", "Software Engineer, Cloud Platform", "Engineering", None, "San Francisco",
     {}, _n("US", [])),
    ("devrobot", "Research Scientist, Manipulation", "Research", None, "San Francisco", {},
     _r("research_scientist", "US", ["robotics"])),
    ("devrobot", "Research Engineer, Vision-Language-Action Models", "Research", None,
     "San Francisco", {}, _r("research_engineer", "US", ["multimodal", "robotics", "vision"])),
    ("devrobot", "Mechanical Engineer", "Hardware", None, "San Francisco", {}, _n("US", [])),
    ("devrobot", "Research Scientist, Locomotion", "Research", None, "Remote",
     {"address": "Canada", "isRemote": True}, _r("research_scientist", "CA", ["robotics"])),
    ("devrobot", "Controls Engineer", "Hardware", None, "Remote",
     {"isRemote": True, "text": "Remote, open to candidates located in Germany."},
     _n("DE", [])),
    ("devrobot", "Head of People", "People", None, "San Francisco", {}, _n("US", [])),
    ("devrobot", "Legal Counsel", "G&A", None, "Remote", {"isRemote": True}, _n("US", [])),
    # -- a Chinese short-video company's site on Greenhouse, boilerplate by repetition -----
    ("devcnhk", "Financial Analyst", "Finance", None, "Singapore", {}, _n("SG", [])),
    ("devcnhk", "Marketing Manager", "Marketing", None, "Singapore", {}, _n("SG", [])),
    ("devcnhk", "Software Engineer, Payments", "R&D", None, "Singapore", {}, _n("SG", [])),
    ("devcnhk", "大模型算法研究员-视频生成", "R&D", None, "北京", {},
     _r("research_scientist", "CN", ["llm", "vision"])),
    ("devcnhk", "Research Scientist, Speech", "R&D", None, "北京", {},
     _r("research_scientist", "CN", ["speech"])),
    ("devcnhk", "HR Generalist", "People", None, "Singapore", {}, _n("SG", [])),
    ("devcnhk", "Content Operations Specialist", "Operations", None, "Singapore", {},
     _n("SG", [])),
)  # fmt: skip

# A second batch, written after the rules above were first tuned and measured before any fix
# for it: the titles Chinese AI companies' boards commonly carry, in Chinese and in English.
EXTRA2: tuple[Extra, ...] = (
    ("devzp", "AIGC算法工程师", "研发", None, "北京", {}, _r("research_engineer", "CN", [])),
    ("devzp", "NLP算法工程师", "研发", None, "北京", {}, _r("research_engineer", "CN", ["llm"])),
    ("devzp", "CV算法工程师", "研发", None, "北京", {}, _r("research_engineer", "CN", ["vision"])),
    ("devzp", "AI Infra工程师", "研发", None, "北京", {}, _n("CN", ["infrastructure"])),
    ("devzp", "RLHF算法研究员", "研发", None, "北京", {},
     _r("research_scientist", "CN", ["llm", "rl"])),
    ("devzp", "Agent算法工程师", "研发", None, "北京", {}, _r("research_engineer", "CN", ["llm"])),
    ("devzp", "多模态理解算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["multimodal"])),
    ("devzp", "语音识别算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["speech"])),
    ("devzp", "推荐算法工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "广告算法工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "风控算法工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "计算机视觉算法工程师", "研发", None, "北京市海淀区", {},
     _r("research_engineer", "CN", ["vision"])),
    ("devzp", "数据挖掘工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "知识图谱算法工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "大模型数据工程师", "研发", None, "北京", {}, _n("CN", ["llm"])),
    ("devzp", "大模型训练框架工程师", "研发", None, "北京", {},
     _n("CN", ["infrastructure", "llm"])),
    ("devzp", "AI平台开发工程师", "研发", None, "北京", {}, _n("CN", ["infrastructure"])),
    ("devzp", "GPU算子开发工程师", "研发", None, "北京", {}, _n("CN", ["infrastructure"])),
    ("devzp", "高性能计算工程师", "研发", None, "北京", {}, _n("CN", ["infrastructure"])),
    ("devzp", "大模型应用开发工程师", "研发", None, "北京", {}, _n("CN", ["llm"])),
    ("devzp", "大模型产品经理", "产品", None, "北京", {}, _n("CN", ["llm"])),
    ("devzp", "AI产品经理", "产品", None, "北京", {}, _n("CN", [])),
    ("devzp", "资深算法专家-大模型", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["llm"])),
    ("devzp", "大模型预训练研究员", "研发", None, "北京", {},
     _r("research_scientist", "CN", ["llm"])),
    ("devzp", "大模型后训练算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["llm"])),
    ("devzp", "强化学习研究员", "研发", None, "北京", {}, _r("research_scientist", "CN", ["rl"])),
    ("devzp", "具身智能算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["robotics"])),
    ("devzp", "机器人运动控制算法工程师", "研发", None, "深圳", {},
     _r("research_engineer", "CN", ["robotics"])),
    ("devzp", "自动驾驶感知算法工程师", "研发", None, "上海", {},
     _r("research_engineer", "CN", ["robotics", "vision"])),
    ("devzp", "视频生成算法研究员", "研发", None, "北京", {},
     _r("research_scientist", "CN", ["vision"])),
    ("devzp", "3D生成算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["vision"])),
    ("devzp", "文生图算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["vision"])),
    ("devzp", "AIGC研究员", "研发", None, "北京", {}, _r("research_scientist", "CN", [])),
    ("devzp", "大模型评测工程师", "研发", None, "北京", {}, _n("CN", ["llm"])),
    ("devzp", "数据标注专员", "数据", None, "北京", {}, _n("CN", [])),
    ("devzp", "AI训练师", "数据", None, "北京", {}, _n("CN", [])),
    ("devzp", "大模型安全研究员", "研发", None, "北京", {},
     _r("research_scientist", "CN", ["llm", "safety"])),
    ("devzp", "内容安全审核员", "运营", None, "北京", {}, _n("CN", [])),
    ("devzp", "网络安全工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "大模型算法实习生", "研发", None, "北京", {},
     _r("research_intern", "CN", ["llm"])),
    ("devzp", "研究型实习生-多模态", "研发", None, "北京", {},
     _r("research_intern", "CN", ["multimodal"])),
    ("devzp", "博士后（大模型方向）", "研发", None, "北京", {},
     _r("research_scientist", "CN", ["llm"])),
    ("devzp", "科学家-大模型", "研发", None, "北京", {}, _r("research_scientist", "CN", ["llm"])),
    ("devzp", "研究总监", "研发", None, "北京", {}, _r("research_manager", "CN", [])),
    ("devzp", "AI研究员", "研发", None, "北京", {}, _r("research_scientist", "CN", [])),
    ("devzp", "人工智能研究员", "研发", None, "北京", {}, _r("research_scientist", "CN", [])),
    ("devzp", "NLP研究员", "研发", None, "北京", {}, _r("research_scientist", "CN", ["llm"])),
    ("devzp", "自然语言处理算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["llm"])),
    ("devzp", "对话系统算法工程师", "研发", None, "北京", {},
     _r("research_engineer", "CN", ["llm"])),
    ("devzp", "搜索算法工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "机器学习工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "Java后端开发工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "C++开发工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "iOS开发工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "运维开发工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "SRE工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "数据开发工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devzp", "数据分析师", "数据", None, "北京", {}, _n("CN", [])),
    ("devzp", "用户研究员", "设计", None, "北京", {}, _n("CN", [])),
    ("devzp", "用户体验研究员", "设计", None, "北京", {}, _n("CN", [])),
    ("devzp", "市场研究员", "市场", None, "北京", {}, _n("CN", [])),
    ("devzp", "投资研究员", "战略", None, "北京", {}, _n("CN", [])),
    ("devzp", "政策研究员", "公共事务", None, "北京", {}, _n("CN", [])),
    ("devzp", "HRBP", "人力资源", None, "北京", {}, _n("CN", [])),
    ("devzp", "销售经理", "销售", None, "北京", {}, _n("CN", [])),
    ("devzp", "解决方案架构师", "销售", None, "北京", {}, _n("CN", [])),
    ("devzp", "视觉设计师", "设计", None, "北京", {}, _n("CN", [])),
    ("devzp", "交互设计师", "设计", None, "北京", {}, _n("CN", [])),
    ("devzp", "内容运营", "运营", None, "上海/杭州", {}, _n("CN", [])),
    ("devzp", "大模型算法工程师（远程）", "研发", None, "远程",
     {"text": "工作地点：新加坡，可远程办公。", "workplaceType": "remote"},
     _r("research_engineer", "SG", ["llm"])),
    ("devzp", "海外市场经理", "市场", None, "新加坡", {}, _n("SG", [])),
    ("devseed", "Research Scientist - Seed LLM", "Seed", None, "Singapore", {},
     _r("research_scientist", "SG", ["llm"])),
    ("devseed", "Research Scientist, Foundation Model (Seed)", "Seed", None, "San Jose", {},
     _r("research_scientist", "US", ["llm"])),
    ("devseed", "Algorithm Engineer - LLM", "R&D", None, "Singapore", {},
     _r("research_engineer", "SG", ["llm"])),
    ("devseed", "Machine Learning Engineer - Recommendation", "R&D", None, "Singapore", {},
     _n("SG", [])),
    ("devseed", "Software Engineer - AML Infrastructure", "R&D", "AI Lab", "San Jose", {},
     _n("US", ["infrastructure"])),
    ("devseed", "Research Engineer - Video Generation", "Seed", None, "San Jose", {},
     _r("research_engineer", "US", ["vision"])),
    ("devseed", "Student Researcher (Seed - Multimodal) - 2026 Start (PhD)", "Seed", None,
     "Singapore", {}, _r("research_intern", "SG", ["multimodal"])),
    ("devseed", "Backend Software Engineer - Payments", "R&D", None, "Singapore", {},
     _n("SG", [])),
    ("devseed", "Frontend Engineer - Doubao", "R&D", None, "Singapore", {}, _n("SG", [])),
    ("devseed", "Security Engineer - Threat Intelligence", "Security", None, "Singapore", {},
     _n("SG", [])),
    ("devseed", "AI Safety Researcher", "Seed", None, "London", {},
     _r("research_scientist", "GB", ["safety"])),
    ("devseed", "Data Scientist, Search", "R&D", None, "Singapore", {}, _n("SG", [])),
    ("devseed", "Big Data Development Engineer", "R&D", None, "Singapore", {}, _n("SG", [])),
    ("devseed", "Site Reliability Engineer - AI Lab", "R&D", None, "Singapore", {},
     _n("SG", [])),
    ("devseed", "Product Manager - AI Lab", "Product", None, "Singapore", {}, _n("SG", [])),
    ("devseed", "Researcher, Speech", "AI Lab", None, "Singapore", {},
     _r("research_scientist", "SG", ["speech"])),
    ("devseed", "Research Intern - Large Language Model", "Seed", None, "Singapore", {},
     _r("research_intern", "SG", ["llm"])),
    ("devseed", "Large Model Algorithm Engineer - Pretraining", "R&D", None, "Singapore", {},
     _r("research_engineer", "SG", ["llm"])),
    ("devseed", "Multimodal Algorithm Researcher", "R&D", None, "Singapore", {},
     _r("research_scientist", "SG", ["multimodal"])),
    ("devseed", "AI Researcher - Vision", "R&D", None, "Singapore", {},
     _r("research_scientist", "SG", ["vision"])),
    ("devseed", "Engineering Manager - Large Model Platform", "R&D", None, "Singapore", {},
     _n("SG", ["infrastructure", "llm"])),
    ("devseed", "Tech Lead, Inference Optimization", "R&D", None, "Singapore", {},
     _n("SG", ["infrastructure"])),
    ("devseed", "Technical Staff, Post-training", "Seed", None, "Singapore", {},
     _r("member_of_technical_staff", "SG", ["llm"])),
    ("devseed", "Research Scientist/Engineer - Agent", "Seed", None, "Singapore", {},
     _r("research_scientist", "SG", ["llm"])),
    ("devseed", "Research Scientist, Reasoning", "Seed", None, "",
     {"offices": ["Singapore"]}, _r("research_scientist", "SG", ["llm"])),
    ("devseed", "Recruiter - Seed", "People", None, "Remote",
     {"text": "You can work from anywhere in Canada."}, _n("CA", [])),
    ("devmoon", "Researcher, Long Context", "Research", None, "Remote",
     {"isRemote": True, "address": "Japan"}, _r("research_scientist", "JP", ["llm"])),
    ("devmoon", "Research Engineer, Kimi", "Research", None, "Remote (US)", {},
     _r("research_engineer", "US", [])),
    ("devmoon", "Operations Manager", "Operations", None, "Remote", {"isRemote": True},
     _n("CN", [])),
    ("devmoon", "大模型研究员", "研发", None, "北京", {}, _r("research_scientist", "CN", ["llm"])),
    ("devmoon", "全栈工程师", "研发", None, "北京", {}, _n("CN", [])),
    ("devmoon", "Infra工程师-训练集群", "研发", None, "北京", {}, _n("CN", ["infrastructure"])),
)  # fmt: skip

INTL_ABOUT_HTML = (
    "<div><b>About ByteDance</b></div><div>Founded in 2012, ByteDance builds large models,"
    " short-video apps and AI assistants used by over a billion people; our multimodal and"
    " video generation models power them.</div>"
)
INTL_ABOUT_PLAIN = (
    "About ByteDance\nFounded in 2012, ByteDance builds large models, short-video apps and AI"
    " assistants used by over a billion people; our multimodal and video generation models"
    " power them."
)


def _intl(body: str, lists: list[tuple[str, str]], **raw: Any) -> dict[str, Any]:
    """Board fields for a posting of the international Lever site: the company block opens
    ``descriptionBody`` (not Lever's ``opening``), headings are bold lines, lists are
    Lever ``lists``."""
    return {
        "raw": {
            "descriptionBody": f"{INTL_ABOUT_HTML}<div><b>Responsibilities</b></div><div>{body}</div>",
            "descriptionBodyPlain": f"{INTL_ABOUT_PLAIN}\nResponsibilities\n{body}",
            "descriptionPlain": f"{INTL_ABOUT_PLAIN}\nResponsibilities\n{body}",
            "openingPlain": "",
            "opening": "",
            "lists": [{"text": t, "content": f"<li>{c}</li>"} for t, c in lists],
            **raw,
        }
    }


# A third batch, written to vary the payloads rather than the titles: HTML bodies whose company
# block is a bold line, Chinese list headings, hybrid and regional locations with a
# structured country. Measured once before any fix for it.
EXTRA3: tuple[Extra, ...] = (
    ("devintl", "Research Scientist, Large Language Models - Singapore", "R&D", None,
     "Singapore", _intl("Pretrain LLMs.", [("Qualifications", "PhD in CS.")]),
     _r("research_scientist", "SG", ["llm"])),
    ("devintl", "Senior Algorithm Engineer (Recommendation)", "R&D", None, "Singapore",
     _intl("Ranking models.", []), _n("SG", [])),
    ("devintl", "Machine Learning Engineer (Large Model Inference)", "R&D", None, "Singapore",
     _intl("Serve models fast.", []), _n("SG", ["infrastructure", "llm"])),
    ("devintl", "Researcher - Multimodal Foundation Models", "AI Lab", None, "Singapore",
     _intl("Image and text models.", []), _r("research_scientist", "SG", ["multimodal"])),
    ("devintl", "Engineering Manager, Big Data Platform", "R&D", None, "Singapore",
     _intl("Lead the data platform team.", []), _n("SG", [])),
    ("devintl", "Research Engineer Intern - Speech", "R&D", None, "Singapore",
     _intl("Speech recognition.", []), _r("research_intern", "SG", ["speech"])),
    ("devintl", "AI Research Scientist (Computer Vision)", "R&D", None, "San Jose",
     _intl("Vision research.", []), _r("research_scientist", "US", ["vision"])),
    ("devintl", "Software Engineer, Trust and Safety", "R&D", None, "Singapore",
     _intl("Moderation tooling.", []), _n("SG", [])),
    ("devintl", "Technical Staff (Pretraining)", "R&D", None, "Singapore",
     _intl("Pretraining.", []), _r("member_of_technical_staff", "SG", ["llm"])),
    ("devintl", "Head of Research, Singapore", "R&D", None, "Singapore",
     _intl("Lead the lab.", []), _r("research_manager", "SG", [])),
    ("devintl", "Principal Researcher (NLP)", "R&D", None, "Singapore",
     _intl("Language research.", []), _r("research_scientist", "SG", ["llm"])),
    ("devintl", "Data Annotation Specialist (Chinese)", "Operations", None, "Singapore",
     _intl("Label data.", []), _n("SG", [])),
    ("devintl", "Applied Research Engineer - Agents", "R&D", None, "Singapore",
     _intl("Build agents.", []), _r("research_engineer", "SG", ["llm"])),
    ("devintl", "Product Manager, Doubao", "Product", None, "Singapore",
     _intl("Own the roadmap.", []), _n("SG", [])),
    ("devintl", "Algorithm Researcher - Video Generation", "R&D", None, "Singapore",
     _intl("Diffusion.", []), _r("research_scientist", "SG", ["vision"])),
    ("devintl", "Backend Engineer - AI Platform", "R&D", "AI Lab", "Singapore",
     _intl("APIs.", []), _n("SG", ["infrastructure"])),
    ("devintl", "Postdoctoral Fellow - Machine Learning", "R&D", None, "Singapore",
     _intl("Research.", []), _r("research_scientist", "SG", [])),
    ("devintl", "Research Engineer, Reasoning", "R&D", None, "Remote",
     _intl("This remote role is based in Singapore.", [], workplaceType="remote"),
     _r("research_engineer", "SG", ["llm"])),
    ("devintl", "大模型算法工程师-上海/杭州", "R&D", None, "上海/杭州",
     _intl("大模型训练。", [("岗位职责", "负责大模型预训练。"), ("任职要求", "熟悉深度学习。")]),
     _r("research_engineer", "CN", ["llm"])),
    ("devintl", "Recruiter, AI Talent", "People", None, "Hybrid",
     _intl("Hire researchers.", [], country="SG", workplaceType="hybrid"), _n("SG", [])),
    ("devintl", "Research Scientist, Safety", "R&D", None, "Remote (APAC)",
     _intl("Alignment research.", [], country="JP", workplaceType="remote"),
     _r("research_scientist", "JP", ["safety"])),
    ("devintl", "财务分析师", "财务", None, "北京",
     _intl("财务分析。", [("岗位职责", "预算与分析。")]), _n("CN", [])),
)  # fmt: skip

# A fourth batch: traditional-script, Japanese and Korean titles, and locations with several
# places, remote in those scripts, a country other than the company's home, and a remote job
# open to any country. Written after the rules; recorded before and after the fixes for it.
TW_ABOUT = "關於我們：我們研發多模態大模型與電腦視覺技術，服務全球客戶。"
JP_ABOUT = "私たちについて：私たちは自然に着想を得た新しい基盤モデルを研究しています。"
KR_ABOUT = "회사 소개: 우리는 문서 AI와 대규모 언어 모델을 만듭니다."

EXTRA4: tuple[Extra, ...] = (
    ("devtw", "大模型演算法工程師（預訓練）", "研發", None, "香港", {"text": "負責預訓練。"},
     _r("research_engineer", "HK", ["llm"])),
    ("devtw", "研究員（自然語言處理）", "研究院", None, "臺北市", {"text": "語言模型研究。"},
     _r("research_scientist", "TW", ["llm"])),
    ("devtw", "多模態大模型研究實習生", "研發", None, "香港 / 深圳", {"text": "多模態研究。"},
     _r("research_intern", "HK", ["llm", "multimodal"])),
    ("devtw", "電腦視覺演算法專家", "研發", None, "深圳", {"text": "視覺模型。"},
     _r("research_engineer", "CN", ["vision"])),
    ("devtw", "後端開發工程師", "研發", "平台", "香港", {"text": "後端服務。"}, _n("HK", [])),
    ("devtw", "資料科學家", "商業分析", None, "香港", {"text": "業務分析。"}, _n("HK", [])),
    ("devtw", "大模型推理部署工程師", "研發", None, "臺北", {"text": "模型部署。"},
     _n("TW", ["infrastructure", "llm"])),
    ("devtw", "語音合成研究員", "研發", None, "遠端工作",
     {"text": "本職位可遠端工作，工作地點：新加坡。"}, _r("research_scientist", "SG", ["speech"])),
    ("devtw", "財務經理", "財務", None, "香港", {"text": "財務報表。"}, _n("HK", [])),
    ("devtw", "博士後研究員（強化學習）", "研究院", None, "香港", {"text": "強化學習研究。"},
     _r("research_scientist", "HK", ["rl"])),
    ("devjp", "リサーチサイエンティスト（進化的モデルマージ）", "Research", None, "東京",
     {"text": "モデルの研究。"}, _r("research_scientist", "JP", [])),
    ("devjp", "リサーチエンジニア - 大規模言語モデル", "Research", None, "東京都港区",
     {"text": "LLM の研究開発。"}, _r("research_engineer", "JP", ["llm"])),
    ("devjp", "研究者（音声認識）", "Research", None, "東京 / リモート",
     {"text": "音声の研究。"}, _r("research_scientist", "JP", ["speech"])),
    ("devjp", "AIリサーチインターン（マルチモーダル）", "Research", None, "東京",
     {"text": "研究インターン。"}, _r("research_intern", "JP", ["multimodal"])),
    ("devjp", "ソフトウェアエンジニア（バックエンド）", "Engineering", None, "東京",
     {"text": "API 開発。"}, _n("JP", [])),
    ("devjp", "事業開発マネージャー", "Business", None, "東京", {"text": "パートナー開拓。"},
     _n("JP", [])),
    ("devjp", "Research Scientist, Evolutionary Optimization", "Research", None,
     "Remote; Singapore", {"text": "Open-ended search.", "address": "Singapore"},
     _r("research_scientist", "SG", [])),
    ("devjp", "Research Engineer, Model Merging", "Research", None, "Remote",
     {"text": "Merge models. This role is remote within the United States.", "isRemote": True},
     _r("research_engineer", "US", [])),
    ("devjp", "Community Manager", "Marketing", None, "Remote",
     {"text": "Grow our community. You can work from any country.", "isRemote": True},
     _n(None, [])),
    ("devjp", "採用担当（リクルーター）", "People", None, "東京", {"text": "研究職の採用。"},
     _n("JP", [])),
    ("devjp", "Operations Manager", "Operations", None, "Remote",
     {"text": "Run the office.", "isRemote": True}, _n("JP", [])),
    ("devkr", "리서치 엔지니어 (대규모 언어 모델)", "연구", None, "서울",
     {"text": "LLM 사전 학습."}, _r("research_engineer", "KR", ["llm"])),
    ("devkr", "AI 연구원 - 컴퓨터 비전", "연구", None, "판교", {"text": "문서 이미지 이해."},
     _r("research_scientist", "KR", ["vision"])),
    ("devkr", "연구 인턴 (멀티모달)", "연구", None, "서울, 대한민국", {"text": "인턴십."},
     _r("research_intern", "KR", ["multimodal"])),
    ("devkr", "박사후 연구원 (자연어 처리)", "연구", None, "서울", {"text": "연구."},
     _r("research_scientist", "KR", ["llm"])),
    ("devkr", "백엔드 엔지니어", "개발", None, "서울", {"text": "API."}, _n("KR", [])),
    ("devkr", "데이터 사이언티스트", "비즈니스", None, "서울", {"text": "분석."}, _n("KR", [])),
    ("devkr", "보안 연구원", "보안", None, "서울", {"text": "취약점 분석."}, _n("KR", [])),
    ("devkr", "AI 정책 연구원", "정책", None, "서울", {"text": "정책 연구."}, _n("KR", [])),
    ("devkr", "Research Scientist, Document AI", "Research", None, "San Jose, CA",
     {"text": "Document understanding.", "country": "US"}, _r("research_scientist", "US", [])),
    ("devkr", "리서치 사이언티스트, 강화 학습", "연구", None, "원격 근무",
     {"text": "근무지: 서울", "workplaceType": "remote"}, _r("research_scientist", "KR", ["rl"])),
    ("devkr", "Solutions Engineer, LLM", "Sales", None, "Tokyo, Japan / Seoul",
     {"text": "Customer deployments."}, _n("JP", ["llm"])),
)  # fmt: skip

COUNTRY_NAMES = {"Singapore": "SG", "Canada": "CA", "Tokyo, Japan": "JP"}


def _bare_remote(text: str) -> bool:
    return not re.sub(r"(?i)remote|hybrid|[\s;,()-]", "", text)


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _greenhouse(
    pid: int, title: str, dept: str | None, team: str | None, place: str | None, body: str,
    offices: list[str], boilerplate: str | None, token: str,
) -> dict[str, Any]:  # fmt: skip
    departments: list[dict[str, Any]] = []
    if dept:
        departments.append(
            {"id": 1, "name": dept, "child_ids": [2] if team else [], "parent_id": None}
        )
    if team:
        departments.append(
            {"id": 2, "name": team, "child_ids": [], "parent_id": 1 if dept else None}
        )
    content = f"<p>{body}</p>" if body else ""
    if boilerplate:
        content = f"<p>{boilerplate}</p>" + content + f"<p>{EEO}</p>"
    return {
        "id": pid,
        "internal_job_id": pid + 100000,
        "title": title,
        "updated_at": "2026-03-02T10:00:00-05:00",
        "first_published": "2026-02-01T09:30:00-05:00",
        "requisition_id": f"R{pid}",
        "location": {"name": place or ""},
        "absolute_url": f"https://job-boards.greenhouse.io/{token}/jobs/{pid}",
        "metadata": None,
        "departments": departments,
        "offices": [
            {"id": 500 + i, "name": o, "location": o, "child_ids": [], "parent_id": None}
            for i, o in enumerate(offices)
        ],
        "content": content.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
    }


def _lever(
    pid: str, title: str, dept: str | None, team: str | None, place: str | None, body: str,
    country: str | None, workplace: str, boilerplate: str | None, token: str,
) -> dict[str, Any]:  # fmt: skip
    categories: dict[str, Any] = {"commitment": "Full-time"}
    if place:
        categories["location"] = place
        categories["allLocations"] = [place]
    if dept:
        categories["department"] = dept
    if team:
        categories["team"] = team
    opening = boilerplate or ""
    description = "\n\n".join(p for p in (opening, body) if p)
    posting: dict[str, Any] = {
        "id": pid,
        "text": title,
        "categories": categories,
        "createdAt": 1767312000000,
        "workplaceType": workplace,
        "hostedUrl": f"https://jobs.lever.co/{token}/{pid}",
        "applyUrl": f"https://jobs.lever.co/{token}/{pid}/apply",
        "descriptionPlain": description,
        "description": "".join(f"<div>{p}</div>" for p in description.split("\n\n")),
        "openingPlain": opening,
        "opening": f"<div>{opening}</div>" if opening else "",
        "descriptionBodyPlain": body,
        "descriptionBody": f"<div>{body}</div>",
        "lists": [],
        "additionalPlain": EEO,
        "additional": f"<div>{EEO}</div>",
    }
    if country:
        posting["country"] = country
    return posting


def _ashby(
    pid: str, title: str, dept: str | None, team: str | None, place: str | None, body: str,
    remote: bool, address: str | None, boilerplate: str | None, token: str,
) -> dict[str, Any]:  # fmt: skip
    text = "\n\n".join(p for p in (boilerplate, body) if p)
    job: dict[str, Any] = {
        "id": pid,
        "title": title,
        "department": dept,
        "team": team,
        "employmentType": "FullTime",
        "location": place or "",
        "secondaryLocations": [],
        "publishedAt": "2026-01-05T12:00:00.000+00:00",
        "isListed": True,
        "isRemote": remote,
        "workplaceType": "Remote" if remote else "OnSite",
        "jobUrl": f"https://jobs.ashbyhq.com/{token}/{pid}",
        "applyUrl": f"https://jobs.ashbyhq.com/{token}/{pid}/application",
        "descriptionPlain": text,
        "descriptionHtml": "".join(f"<p>{p}</p>" for p in text.split("\n\n")),
    }
    if address:
        job["address"] = {"postalAddress": {"addressCountry": address}}
    return job


def build() -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    boards = [dict(b) for b in (*CONVERTED, *EXTRA_BOARDS)]
    payloads: dict[str, list[dict[str, Any]]] = {b["token"]: [] for b in boards}
    labels: list[dict[str, Any]] = []
    titles, places = _load(TITLES), _load(LOCATIONS)
    for index, row in enumerate(titles):
        board = CONVERTED[index % len(CONVERTED)]
        loc = places[index % len(places)]
        text = loc["text"]
        if loc["countries"]:
            country = loc["countries"][0]
        elif text and _bare_remote(text):
            country = board["country_code"]
        else:
            country = None
        kind, token = board["kind"], board["token"]
        remote = bool(loc["remote"])
        body = "Join the team."
        if kind == "greenhouse":
            pid: Any = 4000000 + index
            raw = _greenhouse(
                pid,
                row["title"],
                row.get("department"),
                row.get("team"),
                text,
                body,
                [],
                None,
                token,
            )
        elif kind == "lever":
            pid = f"00000000-0000-4000-8000-{index:012d}"
            raw = _lever(
                pid,
                row["title"],
                row.get("department"),
                row.get("team"),
                text,
                body,
                None,
                "remote" if remote else "on-site",
                None,
                token,
            )
        else:
            pid = f"dev-{index:04d}"
            raw = _ashby(
                pid,
                row["title"],
                row.get("department"),
                row.get("team"),
                text,
                body,
                remote,
                None,
                None,
                token,
            )
        payloads[token].append(raw)
        labels.append(
            {
                "board": f"{kind}:{token}",
                "id": str(pid),
                "research": row["is_research"],
                "category": row.get("category"),
                "country": country,
                "topics": row["topics"],
                "note": "converted from tests/data/job_titles.jsonl and job_locations.jsonl",
            }
        )
    boilerplates = {
        "devcn": CN_ABOUT,
        "devrobot": ROBOT_ABOUT,
        "devcnhk": HK_ABOUT,
        "devzp": CN_ABOUT,
        "devmoon": ROBOT_ABOUT.replace("Devrobot", "Moonshot"),
        "devtw": TW_ABOUT,
        "devjp": JP_ABOUT,
        "devkr": KR_ABOUT,
    }
    kinds = {b["token"]: b["kind"] for b in EXTRA_BOARDS}
    for index, (token, title, dept, team, place, extra, label) in enumerate(
        (*EXTRA, *EXTRA2, *EXTRA3, *EXTRA4)
    ):
        kind = kinds[token]
        body = extra.get("text", "")
        boilerplate = boilerplates.get(token)
        if kind == "greenhouse":
            pid = 5000000 + index
            # devcnintl wraps its intro in Greenhouse's own block (stripped by structure);
            # devcnhk writes it as a plain first paragraph (found by repetition).
            raw = _greenhouse(
                pid, title, dept, team, place, body, extra.get("offices", []), boilerplate, token
            )
            if token == "devcnintl":
                intro = (
                    '<div class="content-intro"><p>StepFun builds multimodal large models'
                    " and reasoning models.</p></div>"
                )
                raw["content"] = (
                    intro.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    + raw["content"]
                )
        elif kind == "lever":
            pid = f"10000000-0000-4000-8000-{index:012d}"
            raw = _lever(
                pid,
                title,
                dept,
                team,
                place,
                body,
                extra.get("country"),
                extra.get("workplaceType", "on-site"),
                boilerplate,
                token,
            )
        else:
            pid = f"robot-{index:03d}"
            raw = _ashby(
                pid,
                title,
                dept,
                team,
                place,
                body,
                bool(extra.get("isRemote")),
                extra.get("address"),
                boilerplate,
                token,
            )
        raw.update(extra.get("raw", {}))
        payloads[token].append(raw)
        labels.append(
            {
                "board": f"{kind}:{token}",
                "id": str(pid),
                **label,
                "note": "written for the hiring-signal rules",
            }
        )
    files: dict[str, Any] = {}
    for board in boards:
        name = f"boards/{board['kind']}_{board['token']}.json"
        board["file"] = name
        jobs = payloads[board["token"]]
        if board["kind"] == "lever":
            files[name] = jobs
        elif board["kind"] == "greenhouse":
            files[name] = {"jobs": jobs, "meta": {"total": len(jobs)}}
        else:
            files[name] = {"apiVersion": "1", "jobs": jobs}
    return boards, files, labels


README = """# jobs_dev: the development set of job boards

Built by `python bench/quality/make_jobs_dev.py` (do not edit by hand); measured with
`python bench/quality_jobs_e2e.py bench/quality/sets/jobs_dev`. The rules are tuned on it, so
its figures flatter them. Companies' postings and people here are fictional; the boards name
seed institutions only so that postings resolve. See the generator's docstring for what is in it.
"""


def main() -> int:
    boards, files, labels = build()
    (OUT / "boards").mkdir(parents=True, exist_ok=True)
    for name, payload in files.items():
        (OUT / name).write_text(
            json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    (OUT / "boards.json").write_text(
        json.dumps(boards, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    with (OUT / "labels.jsonl").open("w", encoding="utf-8") as handle:
        for row in labels:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    (OUT / "README.md").write_text(README, encoding="utf-8")
    print(f"wrote {len(boards)} boards and {len(labels)} labels to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
