"""Chinese, Japanese and Korean job-title terms and their English equivalents, so one rule
set reads them all.

Chinese companies' boards write titles such as 大模型算法工程师 (large-model algorithm engineer),
视觉生成方向研究员 (researcher in visual generation) or mixed ones (LLM算法工程师). ``gloss``
replaces every known Chinese term by its English equivalent, longest term first, with spaces
around it, so the English rules of ``plugins.jobboards.classify`` see "large model algorithm
engineer" and decide with the same categories and topics. Terms nobody listed stay as they are
(they match no rule). ``GLOSSARY`` is the whole table (``GROUPS`` by kind); ``docs/quality.md`` prints it.

Traditional-script titles (大模型演算法工程師, 研究員（自然語言處理）) are first converted to
simplified script with OpenCC's Taiwan-to-mainland phrase table (``tw2sp``: 軟體 → 软件,
人工智慧 → 人工智能), and every glossary term is keyed through the same conversion, so one
table serves both scripts and Japanese kanji too. Japanese (``JAPANESE``: 研究者,
リサーチサイエンティスト, 機械学習エンジニア, 大規模言語モデル, インターン, ...) and Korean
(``KOREAN``: 연구원, 리서치 엔지니어, 머신러닝, 대규모 언어 모델, 인턴, ...) titles have their own
terms, with the same categories and topics; a space inside a term is optional (강화 학습 =
강화학습), and so is one between Latin letters and CJK (AI 安全 = AI安全).

Choices worth knowing: 推理 alone is *inference* (大模型推理工程师 is a serving role) and only
推理能力 / 数学推理 / 逻辑推理 / 推理模型 are *reasoning*; 安全 alone is *security*, while
大模型安全 / AI安全 / 模型安全 / 安全对齐 are AI *safety* and 内容安全 is Trust & Safety;
研发 (R&D) is an ordinary department name, not a research organisation.
"""

from __future__ import annotations

import re
from functools import lru_cache

from opencc_purepy import OpenCC

__all__ = ["GLOSSARY", "GROUPS", "gloss", "has_cjk", "to_simplified"]

Term = tuple[str, str]

ROLES: tuple[Term, ...] = (
    ("研究员", "researcher"),
    ("研究科学家", "research scientist"),
    ("研究工程师", "research engineer"),
    ("研究型工程师", "research engineer"),
    ("应用科学家", "applied scientist"),
    ("应用研究员", "applied researcher"),
    ("应用研究", "applied research"),
    ("科学家", "scientist"),
    ("首席科学家", "chief scientist"),
    ("算法研究员", "algorithm researcher"),
    ("算法工程师", "algorithm engineer"),
    ("算法专家", "algorithm expert"),
    ("算法", "algorithm"),
    ("演算法", "algorithm"),
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
    ("助理研究员", "assistant researcher"),
    ("助理教授", "assistant professor"),
    ("助理", "assistant"),
    ("秘书", "secretary"),
    ("院长", "dean"),
    ("所长", "head"),
    ("总裁", "president"),
    ("董事长", "chairman"),
    ("总经理", "general manager"),
    ("办公室", "office"),
    ("主任", "director"),
    ("学者计划", "scholars program"),
    ("学者", "scholar"),
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
    ("研究院院长", "head of research institute"),
    ("研究院副院长", "deputy head of research institute"),
    ("研究所所长", "head of research institute"),
    ("研究院", "research institute"),
    ("研究所", "research institute"),
    ("研究所長", "head of research institute"),
    ("达摩院", "DAMO Academy"),
    ("研发中心", "R&D center"),
    ("研发", "R&D"),
    ("实验室", "lab"),
    ("科研", "research"),
    ("研究", "research"),
    ("团队", "team"),
    ("方向", " "),
    ("人才计划", "talent program"),
    ("校招", "campus recruitment"),
    ("校园招聘", "campus recruitment"),
    ("社招", "experienced hiring"),
    ("社会招聘", "experienced hiring"),
    ("届", " "),
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
    ("数据工程师", "data engineer"),
    ("数据处理", "data processing"),
    ("数据清洗", "data cleaning"),
    ("数据", "data"),
    ("量化", "quantization"),
    ("压缩", "compression"),
    ("排序", "ranking"),
    ("行业", "industry"),
    ("解决方案", "solutions"),
    ("交付", "delivery"),
    ("客户", "customer"),
    ("客服", "customer service"),
    ("技术支持", "technical support"),
    ("应用", "application"),
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
    ("政策", "policy"),
    ("战略", "strategy"),
    ("产业", "industry"),
    ("宏观经济", "macroeconomics"),
    ("宏观", "macroeconomics"),
    ("经济", "economics"),
    ("金融", "finance"),
    ("标准", "standards"),
    ("知识产权", "intellectual property"),
    ("专利", "patent"),
    ("咨询", "consulting"),
    ("法律", "legal"),
    ("教育", "education"),
    ("政府", "government"),
    ("商业智能", "business intelligence"),
    ("商业分析", "business analyst"),
    ("部署", "deployment"),
    ("端侧", "on-device"),
    ("硬件", "hardware"),
    ("嵌入式", "embedded"),
    ("供应链", "supply chain"),
    ("采购", "procurement"),
    ("化学", "chemistry"),
    ("药物化学", "medicinal chemistry"),
    ("生物学", "biology"),
    ("结构生物学", "structural biology"),
    ("经济学", "economics"),
    # fields studied by researchers who are not AI researchers, and work on a product's content
    ("治理", "governance"),
    ("社会科学", "social science"),
    ("社会学", "sociology"),
    ("社会研究", "social research"),
    ("科研管理", "research administration"),
    ("管理", "management"),
    ("内容风控", "content moderation"),
    ("风控", "risk control"),
    ("内容审核", "content moderation"),
    ("内容理解", "content understanding"),
)
JAPANESE: tuple[Term, ...] = (
    ("リサーチサイエンティスト", "research scientist"),
    ("リサーチエンジニア", "research engineer"),
    ("リサーチャー", "researcher"),
    ("リサーチ", "research"),
    ("研究者", "researcher"),
    ("博士研究員", "postdoc"),
    ("ポスドク", "postdoc"),
    ("アプライドサイエンティスト", "applied scientist"),
    ("サイエンティスト", "scientist"),
    ("機械学習エンジニア", "machine learning engineer"),
    ("ソフトウェアエンジニア", "software engineer"),
    ("エンジニアリングマネージャー", "engineering manager"),
    ("エンジニア", "engineer"),
    ("テックリード", "tech lead"),
    ("マネージャー", "manager"),
    ("マネジャー", "manager"),
    ("リード", "lead"),
    ("シニア", "senior"),
    ("プリンシパル", "principal"),
    ("スタッフ", "staff"),
    ("インターンシップ", "internship"),
    ("インターン", "intern"),
    ("アルゴリズム", "algorithm"),
    ("研究開発", "R&D"),
    ("大規模言語モデル", "large language model"),
    ("言語モデル", "language model"),
    ("基盤モデル", "foundation model"),
    ("モデル", "model"),
    ("生成AI", "generative AI"),
    ("自然言語処理", "NLP"),
    ("機械学習", "machine learning"),
    ("深層学習", "deep learning"),
    ("ディープラーニング", "deep learning"),
    ("人工知能", "AI"),
    ("事前学習", "pretraining"),
    ("分散学習", "distributed training"),
    ("ファインチューニング", "fine-tuning"),
    ("画像認識", "image recognition"),
    ("画像生成", "image generation"),
    ("画像", "image"),
    ("コンピュータビジョン", "computer vision"),
    ("コンピュータービジョン", "computer vision"),
    ("音声認識", "ASR"),
    ("音声合成", "TTS"),
    ("音声", "speech"),
    ("マルチモーダル", "multimodal"),
    ("ロボティクス", "robotics"),
    ("ロボット", "robot"),
    ("自動運転", "autonomous driving"),
    ("アライメント", "alignment"),
    ("安全性", "safety"),
    ("推論", "inference"),
    ("エージェント", "agent"),
    ("インフラストラクチャ", "infrastructure"),
    ("インフラ", "infrastructure"),
    ("評価", "evaluation"),
    ("検索", "search"),
    ("広告", "ads"),
    ("レコメンド", "recommendation"),
    ("プラットフォーム", "platform"),
    ("データエンジニア", "data engineer"),
    ("データサイエンティスト", "data scientist"),
    ("データ", "data"),
    ("アナリスト", "analyst"),
    ("プロダクトマネージャー", "product manager"),
    ("プロジェクトマネージャー", "project manager"),
    ("プロダクト", "product"),
    ("リクルーター", "recruiter"),
    ("採用", "recruiting"),
    ("人事", "HR"),
    ("営業", "sales"),
    ("セールス", "sales"),
    ("経理", "finance"),
    ("広報", "communications"),
    ("マーケティング", "marketing"),
    ("デザイナー", "designer"),
    ("バックエンド", "backend"),
    ("フロントエンド", "frontend"),
    ("セキュリティ", "security"),
    ("カスタマーサクセス", "customer success"),
    ("ソリューションアーキテクト", "solutions architect"),
    ("リサーチフェロー", "research fellow"),
    ("フェロー", "fellow"),
    ("スペシャリスト", "specialist"),
    ("エキスパート", "expert"),
    ("アシスタント", "assistant"),
    ("研究支援", "research support"),
)
KOREAN: tuple[Term, ...] = (
    ("연구 과학자", "research scientist"),
    ("리서치 사이언티스트", "research scientist"),
    ("리서치 엔지니어", "research engineer"),
    ("리서처", "researcher"),
    ("리서치", "research"),
    ("연구원", "researcher"),
    ("전문연구요원", "researcher"),
    ("연구자", "researcher"),
    ("연구소장", "head of research institute"),
    ("연구소", "research institute"),
    ("연구 개발", "R&D"),
    ("연구", "research"),
    ("응용 과학자", "applied scientist"),
    ("과학자", "scientist"),
    ("사이언티스트", "scientist"),
    ("박사후", "postdoc"),
    ("포닥", "postdoc"),
    ("머신러닝", "machine learning"),
    ("딥러닝", "deep learning"),
    ("엔지니어링 매니저", "engineering manager"),
    ("엔지니어", "engineer"),
    ("소프트웨어", "software"),
    ("개발자", "developer"),
    ("인턴십", "internship"),
    ("인턴", "intern"),
    ("매니저", "manager"),
    ("팀장", "team lead"),
    ("리드", "lead"),
    ("시니어", "senior"),
    ("알고리즘", "algorithm"),
    ("인공지능", "AI"),
    ("생성형", "generative"),
    ("대규모 언어 모델", "large language model"),
    ("대형 언어 모델", "large language model"),
    ("거대 언어 모델", "large language model"),
    ("언어 모델", "language model"),
    ("파운데이션 모델", "foundation model"),
    ("모델", "model"),
    ("자연어 처리", "NLP"),
    ("사전 학습", "pretraining"),
    ("사후 학습", "post-training"),
    ("파인튜닝", "fine-tuning"),
    ("강화 학습", "reinforcement learning"),
    ("컴퓨터 비전", "computer vision"),
    ("비전", "vision"),
    ("이미지", "image"),
    ("영상", "video"),
    ("음성 인식", "ASR"),
    ("음성 합성", "TTS"),
    ("음성", "speech"),
    ("멀티모달", "multimodal"),
    ("로보틱스", "robotics"),
    ("로봇", "robot"),
    ("자율주행", "autonomous driving"),
    ("에이전트", "agent"),
    ("추론", "inference"),
    ("인프라", "infrastructure"),
    ("분산", "distributed"),
    ("데이터 사이언티스트", "data scientist"),
    ("데이터 엔지니어", "data engineer"),
    ("추천", "recommendation"),
    ("검색", "search"),
    ("광고", "ads"),
    ("플랫폼", "platform"),
    ("평가", "evaluation"),
    ("데이터", "data"),
    ("백엔드", "backend"),
    ("프론트엔드", "frontend"),
    ("프로덕트 매니저", "product manager"),
    ("영업", "sales"),
    ("채용", "recruiting"),
    ("인사", "HR"),
    ("재무", "finance"),
    ("회계", "finance"),
    ("마케팅", "marketing"),
    ("디자이너", "designer"),
    ("보안", "security"),
    ("법무", "legal"),
    ("정책", "policy"),
)
GROUPS: tuple[tuple[str, tuple[Term, ...]], ...] = (
    ("roles", ROLES),
    ("organisations", ORGANISATIONS),
    ("research topics", TOPICS),
    ("functions that are not research", FUNCTIONS),
    ("Japanese", JAPANESE),
    ("Korean", KOREAN),
)
GLOSSARY: tuple[Term, ...] = (*ROLES, *ORGANISATIONS, *TOPICS, *FUNCTIONS, *JAPANESE, *KOREAN)

# Ideographs, kana and Hangul.
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_SPACES_RE = re.compile(r"\s+")
# The boundary between a Latin letter or digit and a CJK character ("AI安全", "3D视觉").
_LATIN_CJK_RE = re.compile(
    r"(?<=[A-Za-z0-9])(?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])"
    r"|(?<=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])(?=[A-Za-z0-9])"
)


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds any CJK ideograph, kana or Hangul."""
    return bool(_CJK_RE.search(text))


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """``text`` in simplified script (traditional characters and Taiwanese phrasing converted;
    Latin, kana and Hangul untouched)."""
    if not has_cjk(text):
        return text
    return str(_converter().convert(text))


def _key(term: str) -> str:
    return _SPACES_RE.sub("", to_simplified(term)).casefold()


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    table: dict[str, str] = {}
    alternatives: dict[str, str] = {}
    for term, english in GLOSSARY:
        key = _key(term)
        table.setdefault(key, english)
        # a space inside a term is optional ("강화 학습" = "강화학습", "AI 安全" = "AI安全")
        words = _LATIN_CJK_RE.sub(" ", to_simplified(term)).split()
        alternatives.setdefault(key, r"\s*".join(re.escape(word) for word in words))
    # the longest term wins at each position
    ordered = sorted(alternatives, key=len, reverse=True)
    pattern = re.compile("|".join(alternatives[key] for key in ordered), re.IGNORECASE)
    return pattern, table


def gloss(text: str) -> str:
    """``text`` in simplified script with every term of ``GLOSSARY`` replaced by its English
    equivalent."""
    if not has_cjk(text):
        return text
    pattern, table = _pattern()
    text = to_simplified(text)
    out = pattern.sub(lambda m: f" {table[_SPACES_RE.sub('', m.group(0)).casefold()]} ", text)
    return out.replace("、", ", ")
