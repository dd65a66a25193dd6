"""Chinese job-title terms and their English equivalents, so one rule set reads both.

Chinese companies' boards write titles such as 大模型算法工程师 (large-model algorithm engineer),
视觉生成方向研究员 (researcher in visual generation) or mixed ones (LLM算法工程师). ``gloss``
replaces every known Chinese term by its English equivalent, longest term first, with spaces
around it, so the English rules of ``plugins.jobboards.classify`` see "large model algorithm
engineer" and decide with the same categories and topics. Terms nobody listed stay as they are
(they match no rule). ``GLOSSARY`` is the whole table (``GROUPS`` by kind); ``docs/quality.md`` prints it.

Choices worth knowing: 推理 alone is *inference* (大模型推理工程师 is a serving role) and only
推理能力 / 数学推理 / 逻辑推理 / 推理模型 are *reasoning*; 安全 alone is *security*, while
大模型安全 / AI安全 / 模型安全 / 安全对齐 are AI *safety* and 内容安全 is Trust & Safety;
研发 (R&D) is an ordinary department name, not a research organisation.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["GLOSSARY", "GROUPS", "gloss", "has_cjk"]

Term = tuple[str, str]

ROLES: tuple[Term, ...] = (
    ("研究员", "researcher"),
    ("研究科学家", "research scientist"),
    ("研究工程师", "research engineer"),
    ("科学家", "scientist"),
    ("首席科学家", "chief scientist"),
    ("算法研究员", "algorithm researcher"),
    ("算法工程师", "algorithm engineer"),
    ("算法专家", "algorithm expert"),
    ("算法", "algorithm"),
    ("研发工程师", "engineer"),
    ("开发工程师", "developer"),
    ("工程师", "engineer"),
    ("技术专家", "technical expert"),
    ("专家", "expert"),
    ("架构师", "architect"),
    ("研究型实习生", "research intern"),
    ("研究实习生", "research intern"),
    ("科研实习生", "research intern"),
    ("实习生", "intern"),
    ("实习", "intern"),
    ("博士后", "postdoc"),
    ("博士", "phd"),
    ("教授", "professor"),
    ("讲师", "lecturer"),
    ("研究助理", "research assistant"),
    ("访问学者", "visiting scholar"),
    ("研究生", "graduate student"),
    ("负责人", "lead"),
    ("研发经理", "engineering manager"),
    ("经理", "manager"),
    ("总监", "director"),
    ("主管", "lead"),
    ("组长", "team lead"),
    ("资深", "senior"),
    ("高级", "senior"),
    ("首席", "principal"),
    ("初级", "junior"),
)
ORGANISATIONS: tuple[Term, ...] = (
    ("研究院", "research institute"),
    ("研究所", "research institute"),
    ("达摩院", "DAMO Academy"),
    ("研发中心", "R&D center"),
    ("研发", "R&D"),
    ("实验室", "lab"),
    ("科研", "research"),
    ("研究", "research"),
    ("团队", "team"),
    ("方向", " "),
)
TOPICS: tuple[Term, ...] = (
    ("大语言模型", "large language model"),
    ("语言模型", "language model"),
    ("大模型", "large model"),
    ("基座模型", "foundation model"),
    ("基础模型", "foundation model"),
    ("世界模型", "world model"),
    ("模型", "model"),
    ("预训练", "pretraining"),
    ("后训练", "post-training"),
    ("微调", "fine-tuning"),
    ("超级对齐", "superalignment"),
    ("对齐", "alignment"),
    ("可解释性", "interpretability"),
    ("红队", "red team"),
    ("大模型安全", "large model safety"),
    ("模型安全", "model safety"),
    ("AI安全", "AI safety"),
    ("安全对齐", "safety alignment"),
    ("内容安全", "trust and safety"),
    ("安全研究员", "security researcher"),
    ("网络安全", "cyber security"),
    ("信息安全", "information security"),
    ("安全", "security"),
    ("多模态", "multimodal"),
    ("计算机视觉", "computer vision"),
    ("视觉", "visual"),
    ("图像", "image"),
    ("视频", "video"),
    ("文生图", "text-to-image"),
    ("扩散模型", "diffusion model"),
    ("生成", "generation"),
    ("文本生成", "text generation"),
    ("长文本", "long-context"),
    ("视觉语言", "vision-language"),
    ("视觉-语言", "vision-language"),
    ("数字人", "digital human"),
    ("三维", "3D"),
    ("感知", "perception"),
    ("理解", "understanding"),
    ("语音识别", "ASR"),
    ("语音合成", "TTS"),
    ("语音", "speech"),
    ("音频", "audio"),
    ("音乐", "music"),
    ("自然语言处理", "NLP"),
    ("自然语言", "natural language"),
    ("强化学习", "reinforcement learning"),
    ("奖励模型", "reward model"),
    ("人类反馈", "human feedback"),
    ("推理能力", "reasoning"),
    ("数学推理", "mathematical reasoning"),
    ("逻辑推理", "reasoning"),
    ("推理模型", "reasoning model"),
    ("推理", "inference"),
    ("智能体", "agent"),
    ("对话", "conversational"),
    ("代码生成", "code generation"),
    ("具身智能", "embodied AI"),
    ("具身", "embodied"),
    ("机器人", "robot"),
    ("自动驾驶", "autonomous driving"),
    ("训练框架", "training framework"),
    ("分布式", "distributed"),
    ("高性能计算", "HPC"),
    ("编译器", "compiler"),
    ("算子", "kernel"),
    ("内核", "kernel"),
    ("芯片", "chip"),
    ("集群", "cluster"),
    ("基础设施", "infrastructure"),
    ("平台", "platform"),
    ("加速", "acceleration"),
    ("人工智能", "AI"),
    ("类脑智能", "brain-inspired intelligence"),
    ("智能", "intelligence"),
    ("通用人工智能", "AGI"),
    ("机器学习", "machine learning"),
    ("深度学习", "deep learning"),
    ("评测", "evaluation"),
    ("通义千问", "Qwen"),
    ("千问", "Qwen"),
    ("通义", "Qwen"),
    ("文心一言", "ERNIE"),
    ("文心", "ERNIE"),
    ("混元", "Hunyuan"),
    ("豆包", "Doubao"),
)
FUNCTIONS: tuple[Term, ...] = (
    ("后端", "backend"),
    ("前端", "frontend"),
    ("客户端", "client"),
    ("全栈", "full stack"),
    ("移动端", "mobile"),
    ("测试开发", "QA"),
    ("测试", "test"),
    ("运维", "devops"),
    ("大数据", "big data"),
    ("数据仓库", "data warehouse"),
    ("支付", "payments"),
    ("搜索", "search"),
    ("推荐", "recommendation"),
    ("广告", "ads"),
    ("产品经理", "product manager"),
    ("项目经理", "project manager"),
    ("产品", "product"),
    ("运营", "operations"),
    ("销售", "sales"),
    ("市场", "marketing"),
    ("商务", "business development"),
    ("财务", "finance"),
    ("法务", "legal"),
    ("人力资源", "HR"),
    ("招聘", "recruiting"),
    ("行政", "administrative"),
    ("视觉设计", "graphic design"),
    ("设计师", "designer"),
    ("设计", "design"),
    ("用户研究", "user research"),
    ("数据分析师", "data analyst"),
    ("数据科学家", "data scientist"),
    ("量化研究员", "quantitative researcher"),
    ("投资研究", "investment research"),
    ("行业研究员", "industry research analyst"),
    ("行业研究", "market research"),
    ("开发", "developer"),
    ("标注", "annotation"),
    ("部署", "deployment"),
    ("端侧", "on-device"),
    ("硬件", "hardware"),
    ("嵌入式", "embedded"),
    ("供应链", "supply chain"),
    ("采购", "procurement"),
)
GROUPS: tuple[tuple[str, tuple[Term, ...]], ...] = (
    ("roles", ROLES),
    ("organisations", ORGANISATIONS),
    ("research topics", TOPICS),
    ("functions that are not research", FUNCTIONS),
)
GLOSSARY: tuple[Term, ...] = (*ROLES, *ORGANISATIONS, *TOPICS, *FUNCTIONS)

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any CJK ideograph."""
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    table = {zh.casefold(): en for zh, en in GLOSSARY}
    terms = sorted(table, key=len, reverse=True)  # the longest term wins at each position
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE), table


def gloss(text: str) -> str:
    """``text`` with every Chinese term of ``GLOSSARY`` replaced by its English equivalent."""
    if not has_cjk(text):
        return text
    pattern, table = _pattern()
    out = pattern.sub(lambda m: f" {table[m.group(0).casefold()]} ", text)
    return out.replace("、", ", ")
