"""Classify job postings: is this a research role, which kind, and on which topics.

Job postings at AI labs lead hiring, so we want to count research openings and nothing
else. The classification is a short ordered rule set over the title, with the department
and team as tie-breakers; the first rule that matches decides, and its name is returned in
``RoleClassification.rule`` so every decision can be explained. ``RULES`` lists them in
order (the quality page prints it as a table). The decisions worth knowing:

* **Look-alikes are excluded first**: recruiters and sourcers (even "Research Recruiter"),
  UX/user/design/market/customer/quantitative-UX research, market or business intelligence,
  research operations, programme and product managers, coordinators and administrators,
  analysts (market, equity, policy, "Research Analyst"), quantitative researchers (finance),
  researchers of a field that is not AI (strategy, industry, economics, standards, patents:
  战略研究员, "Industry Researcher", even under a research institute), sales/solutions/customer/
  forward-deployed engineers, developer relations, communications, policy, economists, legal,
  and assistants "to the Chief Scientist".
* **Data scientists are not research roles**: at the labs and big tech they are analytics
  roles, whatever the team ("Data Scientist, Machine Learning" included).
* **Strong titles** count on their own: research scientist, research engineer (also
  "Research SDE", "Research Software Engineer", "<X> Engineer, Research"), member of
  technical staff ("MTS"), applied scientist, research intern / student researcher (and an
  algorithm, PhD or ML intern on a research topic), residency / resident / fellows or
  scholars programme / fellowship / "Fellow, <AI area>", and research leadership (research
  manager/lead/director, head or VP of research, chief scientist, and the head, director or
  lead of a research topic: "Head of Post-Training", 预训练负责人, but not of a product,
  business or engineering function, nor a bare "Head of Safety").
  Member of technical staff is not research when the title names a product, business or
  customer function (frontend, mobile, security, sales, recruiting, design, applied AI,
  solutions, ...); a bare "Member of Technical Staff" takes its area from its team or
  department ("Product Engineering", "Infrastructure": not research).
* **Weak titles** ("Researcher", "Scientist", postdoc, research fellow/associate/assistant,
  professor, lecturer, faculty) count only with AI context: a topic or an AI cue
  (AI, machine learning, deep learning, algorithm, ...) in title/department/team, or a
  research organisation as department/team (for "researcher" only, not a bare
  "scientist"). "Scientist, Alignment" is research;
  "Scientist, Protein Engineering" is not. They map to ``research_scientist``.
* **The title first, the department as supporting evidence only**: a software/ML engineer
  (or engineering manager, team lead) whose department or team is a research organisation
  ("Research", "FAIR", "Alignment", "Interpretability", "Pretraining", "Post-Training",
  "Reinforcement Learning") becomes ``research_engineer`` (``research_manager``) only when
  the title or team already names research work: a research topic other than
  infrastructure, or (for an engineer) an ML word. So "Software Engineer, Pretraining" in
  team "Research" is a research engineer; the same title in "Engineering" is not, and a bare
  "Engineer" in "Research" is not either. Backend, payments, big-data, kernel, DevOps,
  front-end and similar functions are never tipped. "R&D", "Research & Development", 研发
  and labs ("<Company> AI Lab") are the ordinary departments of engineering companies,
  not research organisations (for a "Researcher" or a postdoc they are context enough);
  "Research Operations", "Research Computing" and the like are not research organisations
  either.
* **Engineering work on models is engineering**, whatever topic the title names and whatever
  the department: an algorithm engineer, or an engineer or manager a research department
  would tip, whose title names infrastructure (training frameworks, inference and its
  acceleration, serving, deployment, quantization, kernels, clusters, platforms), evaluation
  and benchmarks, data engineering, recommendation, search, ads or ranking, or delivery to
  industries and customers is not a research role (大模型评测工程师, 推荐算法工程师, "LLM
  Algorithm Engineer, Industry Fine-tuning"). An engineer (research engineer and technical
  staff included, not a scientist) whose department or team faces customers (public sector,
  solutions, delivery, sales) delivers models, and is not research either.
* **Scientists of a laboratory science** (chemistry, biology, assays, crystallography,
  pharmacology) are not AI researchers unless the title names AI or ML work ("Research
  Scientist, Structural Biology" no; "Machine Learning Research Scientist, Generative
  Chemistry" yes); an economist is an economist even of AI; **Trust & Safety** and content
  safety researchers (内容安全) work on moderation, not AI safety, unless the title names ML.
* **What the posting says the person does** decides the titles that leave it open (the text
  read is the posting's own, its company boilerplate removed). A research engineer whose
  title names support work (infrastructure, platform, tooling, framework, harness, pipelines:
  "Research Engineer, Evaluation Tooling", 研究工程师（训练框架）) and no research topic, and
  whose text says the work serves other teams' research ("used by all science teams",
  支持研究团队的训练任务) and names no research of its own (publishing, papers, studies, new
  methods), builds tools for researchers and is not one; tools, harnesses and dashboards
  in the title need no such text (维护 and 运维, maintaining and operating a platform, say
  the same in Chinese). A research assistant (科研助理) in an office team, or whose text is
  administration (purchases, reimbursements, meetings), administers a research centre. An
  algorithm engineer whose title names no topic is a research engineer when the text names
  research work at least twice (papers, publishing, new methods), preferences ("有论文发表者
  优先") left out. An "AI" or red-team security
  researcher ("AI Security Researcher", 安全研究员（红队）) is AI-safety research when the
  text is about attacks on models and their defences (jailbreaks, adversarial attacks, prompt
  injection, data poisoning), and security otherwise (penetration tests, vulnerabilities, or
  no such text), whatever the department.
* **The duties decide titles on engineering work, whatever the title's research words**: a
  research engineer, member of technical staff or researcher/scientist whose title names
  engineering work or the data, environments, systems, tooling or validation around models
  ("Research Engineer, Evaluation Platform", "Member of Technical Staff, Pretraining Data",
  "Scientist, Perception Data", 研究工程师（分布式训练）), and whose own text says the person
  builds, runs, scales or maintains them and names no research of their own, is not a research
  role; nor is a bare "Member of Technical Staff" outside a research organisation whose text
  is such work, nor an engineer a research department would tip whose text is engineering
  (the reliability of training jobs, checkpointing). An algorithm engineer on a research topic whose text is shipping a
  product's model features (落地, 上线, A/B tests, business metrics, user retention, content
  review) and names no research is not either. Without such text the title decides, as before.
  The other way, a title that names no kind of work (技术专家, 高级专家, スペシャリスト,
  "Staff Engineer, Generalisation") or a researcher without AI words in the title is research
  when its own text names research work at least twice (papers, publishing, studies, new
  methods, 論文, 発表) with AI context (a topic, an AI cue, a research or science department, or
  AI named in the text).
* **What a research role is, for an AI-talent tracker**: a person whose work advances AI
  itself (models, methods, systems, and AI applied to science). Research about AI's effects
  on society, its governance, law, policy or economy (人工智能治理, 社会科学研究员, "AI
  Governance Researcher") is research of another field, counted with policy and economics,
  not research; computational social science, which builds the methods, stays research. The
  assistant of researchers (研究员助理) is an assistant, and a research rank in research
  administration (助理研究员（科研管理）, or whose text is expenses, meetings, orders and
  schedules) is an administrator. A sponsored PhD studentship is research, like a residency; a
  research fellow (リサーチフェロー) is a postdoctoral post.
* **Applied scientists who deliver to customers** (title, department or team facing
  customers or partners: "Applied Scientist, Enterprise" in Solutions) and solutions,
  customer, field or deployment scientists are not research roles; **scholars and fellows programmes**
  ("Research Scholar Program", 学者计划) are, like a residency. **Assistants and
  secretaries** (研究院院长助理, 研究院行政秘书, "Assistant to the Head of Research") are not,
  even in a research institute; a research assistant (研究助理) and the academic ranks
  助理研究员 and 助理教授 stay research titles. An R&D director (研发总监) leads engineering,
  and a department's name in an engineer's title (工程师（研究院）) names no research work.
* **Technical Staff, <area>** without "Member of" is member of technical staff, unless the
  area is infrastructure only ("Technical Staff, Inference", "MTS, GPU Kernels", "Cluster
  Reliability"): an infrastructure engineer's title, like an infrastructure algorithm
  engineer's, is not a research role. Security, vulnerability and threat researchers are not
  research roles; a security researcher whose title names AI research work ("Security
  Researcher, LLM Red Teaming") is AI safety, and is.
* **Chinese and mixed titles** are read through ``plugins.jobboards.glossary``, which
  replaces known Chinese terms (研究员, 算法工程师, 大模型, 预训练, 对齐, 多模态, 实习生,
  博士后, 研发, ...) by their English equivalents before any rule runs, so they get the same
  categories and topics as English titles.
* **Algorithm engineers** (the title Chinese companies use) are research engineers only
  when the title (or team) names a research topic other than infrastructure ("LLM Algorithm
  Engineer" yes, "Algorithm Engineer - Search Ranking" no) and no engineering work or
  function that is not research (大模型推理加速, inference; 端侧部署, on-device); a research
  department never makes a bare 算法工程师 a researcher.

Topics come from the title and team; the department is not used (it is usually an org
name). The description counts only for a topic it mentions at least twice. Topic rules:
``llm`` covers LLMs, language models, pretraining, mid/post-training, fine-tuning, NLP,
reasoning, tokenisation, agents, code generation, conversational AI, "large model", and an
unqualified "foundation model"; RLHF/RLAIF count as both ``llm`` and ``rl``; reward modelling
is ``rl``. ``vision`` covers computer vision, image, video, visual, perception, diffusion.
``speech`` covers speech, audio, voice, ASR/TTS, music. ``safety`` is AI safety: alignment,
interpretability, red teaming (not a security red team), jailbreaks, safeguards, model
welfare, frontier evals/preparedness, responsible AI; **Trust & Safety** (content
moderation) is not ``safety``. ``infrastructure`` covers training/ML infrastructure,
inference and serving, distributed training and systems, GPUs, kernels, CUDA, compilers,
accelerators, performance and efficiency, HPC, supercomputing, ML platforms.
``multimodal`` covers multimodal, vision-language (which is also ``vision``, not ``llm``),
VLM/MLLM, omni-modal. ``robotics`` covers robots, embodied AI, manipulation, locomotion,
humanoids, autonomous driving. Topics are computed for every posting, research or not.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from plugins.jobboards.glossary import gloss

logger = logging.getLogger(__name__)

__all__ = [
    "RESEARCH_CATEGORIES",
    "RULES",
    "TOPICS",
    "RoleClassification",
    "Rule",
    "classify_posting",
]

RESEARCH_CATEGORIES = (
    "research_scientist",
    "research_engineer",
    "member_of_technical_staff",
    "applied_scientist",
    "phd_residency",
    "research_intern",
    "research_manager",
)
TOPICS = ("llm", "rl", "vision", "speech", "safety", "infrastructure", "multimodal", "robotics")


@dataclass(frozen=True)
class RoleClassification:
    """The verdict on one posting, with the name of the rule that decided it."""

    is_research: bool
    category: str | None
    topics: tuple[str, ...]
    rule: str


@dataclass(frozen=True)
class Rule:
    """One documented rule: its name, what it yields and what it looks for."""

    name: str
    category: str | None
    description: str


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# A laboratory science in a title: a chemist or a biologist, not an AI researcher, unless the
# title also names AI work (``_AI_WORK``): "Research Scientist, Structural Biology" is not AI
# research; "Machine Learning Research Scientist, Generative Chemistry" is.
_LAB_SCIENCE = _rx(
    r"\b(chemistry|chemists?|biochemistry|biochemists?|biology|biologists?|pharmacology"
    r"|toxicology|immunology|crystallography|cryo-?em|assays?|wet[- ]lab|medicinal)\b"
)
_AI_WORK = _rx(
    r"\b(ai|a\.i\.|artificial intelligence|machine learning|ml|deep learning|neural|generative"
    r"|models?|algorithms?|llms?|agi|aigc|genai)\b"
)
# Machine learning as the method of the work (not a model as its object, as in "large model
# content safety"): a Trust & Safety title naming it is research on classifiers.
_ML_METHOD = _rx(r"\b(machine learning|ml|deep learning)\b")

# Fields whose researchers study AI's effects on society, law and policy rather than advance
# AI itself (人工智能治理, 社会科学研究员): research about AI, not AI research.
_NON_AI_FIELD = _rx(
    r"\bgovernance\b|(?<!computational )\bsocial (sciences?|scientists?|research)\b"
    r"|\bsociolog\w*"
    r"|\bhumanities\b|\banthropolog\w*|\bpolicy research\b"
)

# ---- look-alikes (checked first, in this order) ---------------------------------------
_EXCLUSIONS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "exclude:assistant",
        _rx(
            r"\b(executive|administrative|personal) assistant\b|\bassistant to\b"
            # the assistant of researchers (研究员助理), not a research assistant
            r"|\b(researcher|scientist|professor)(s|'s|s')?\s+assistant\b"
            r"|\bchief of staff\b|\bsecretar(y|ies)\b"
            # the assistant of a person or an office (研究院院长助理: "head of research
            # institute assistant"), not a research assistant or an assistant researcher
            r"|\b(head|director|dean|president|chairman|ceo|cto|general manager|manager|chief"
            r"|vp|office|department|institute)\b[^,;()]*\bassistant\b"
            r"(?!\s+(professor|researcher|scientist|lecturer)\b)"
            # the head of an office (首席科学家办公室主任) runs its administration
            r"|\boffice (director|manager|head|lead)\b|\bhead of (the )?office\b"
        ),
        "executive/administrative assistant, secretary, chief of staff, the assistant of a"
        " person or an office (研究院院长助理, 秘书), the head of an office (办公室主任), even"
        " to the Chief Scientist or in a research institute",
    ),
    (
        "exclude:recruiting",
        _rx(
            r"\brecruit(er|ers|ing)\b|\bsourc(er|ing)\b|\btalent (acquisition|partner)"
            r"|\bpeople partner\b|\bhr business partner\b|\badmissions\b|\bhead of people\b"
        ),
        "recruiter, sourcer, recruiting coordinator, HR, admissions",
    ),
    (
        "exclude:ux_research",
        _rx(
            r"\b(ux|user|design|product|customer|consumer|market|marketing|qualitative"
            r"|survey|brand)\s+research"
            r"|\bresearch\b[\w\s,&-]*\b(ux|user experience|consumer insights)\b"
            r"|\bconsumer insights\b"
            r"|\b(market|business|competitive|commercial|customer|sales) intelligence\b"
        ),
        "UX/user/design/market/customer research, quantitative UX, market or business intelligence",
    ),
    (
        "exclude:research_support",
        _rx(
            r"\bresearch (operations|ops|program|programme|project|coordinator|coordination"
            r"|administrat\w*|communications|partnerships?|analyst|nurse|technician"
            r"|economist|compliance|grants?|development officer)\b"
            r"|\b(program|programme|project|product|operations|communications|marketing)"
            r" (manager|management|lead|coordinator|director)\b"
            r"|\b(tpm|technical writer|coordinator|administrator|communications|operations"
            r" associate|events?)\b"
        ),
        "research operations/programmes/coordination/communications, PM/TPM, writers",
    ),
    (
        "exclude:analyst_finance",
        _rx(
            r"\bquant(itative)? (researcher|research|analyst|trader|developer)\b"
            r"|\b(equity|investment|credit|clinical) research\b|\banalyst\b"
            r"|\bclinical research associate\b"
        ),
        "quantitative researcher (finance), equity/clinical research, analysts",
    ),
    (
        "exclude:field_research",
        _rx(
            r"\b(strategy|strategic|industry|industrial|economics?|macroeconomics?|financial"
            r"|finance|standards?|patents?|intellectual property|consulting|legal|education"
            r"|editorial|journalism|brand|investment|competitive|government|geopolitics"
            r"|geopolitical)\s+(research(er|ers)?|scientists?|analysts?)\b"
            r"|\b(researcher|research scientist|scientist)\b\s*[,:(-]\s*(strategy|industry"
            r"|economics|macroeconomics|finance|standards|patents?|intellectual property"
            r"|consulting|legal|education|editorial|brand|investment|government|geopolitics)\b"
            r"(?!\s+(of|for|in)\s+(ai|artificial|machine|llms?|models?|agi|frontier)\b)"
            # an economist stays an economist when the economy studied is AI's
            r"|\beconomics\b"
            # studying AI's effects on society and its governance is not AI research
            r"|" + _NON_AI_FIELD.pattern
        ),
        "researchers of a field that is not AI: strategy, industry, economics (of AI too),"
        " finance, standards, patents, consulting, legal, education, investment, government;"
        " governance, social science and policy research, of AI too",
    ),
    (
        "exclude:go_to_market",
        _rx(
            r"\bsales\b|\bsolutions? (engineer|architect|consultant)\b|\bcustomer engineer\b"
            r"|\bforward[- ]deployed\b|\baccount (executive|manager|director)\b"
            r"|\bpartner engineer\b|\bdeveloper (advocate|relations|evangelist)\b|\bdevrel\b"
            r"|\btechnical account\b|\bcustomer success\b|\bsupport (engineer|specialist)\b"
            r"|\b(solutions?|customer|field|deployment) (ai |ml |research |data )?scientists?\b"
        ),
        "sales/solutions/customer/forward-deployed engineers and solutions or customer"
        " scientists, developer relations",
    ),
    (
        "exclude:security_research",
        _rx(
            r"\b(security|vulnerability|threat|malware|exploit) research(er|ers)?\b"
            r"|\boffensive security\b|\bthreat intelligence\b|\bpenetration test\w*"
            r"|\bsecurity (engineer|analyst|architect)\b"
        ),
        "security, vulnerability and threat researchers, security engineers (not AI safety);"
        " an 'AI' or red-team security researcher only when the text is about systems"
        " (penetration tests, vulnerabilities) or says nothing of attacks on models",
    ),
    (
        "exclude:data_scientist",
        _rx(r"\bdata scien(tist|ce)\b"),
        "data scientist (analytics role, whatever the team)",
    ),
    (
        "exclude:trust_and_safety",
        _rx(
            r"\btrust\s*(&|and)\s*safety\b|\bcontent (safety|moderation|review|security)\b"
            r"|\brisk control\b"
        ),
        "Trust & Safety, content safety or moderation researchers (moderation policy, not AI"
        " safety), even on a large model",
    ),
    (
        "exclude:lab_science",
        _LAB_SCIENCE,
        "scientists of a laboratory science (chemistry, biology, assays, crystallography,"
        " pharmacology, ...) whose title names no AI or machine-learning work",
    ),
    (
        "exclude:policy_legal",
        _rx(
            r"\bpolicy (research|researcher|analyst|manager|lead|advisor|specialist)\b"
            r"|\bpublic policy\b|\bgovernment affairs\b|\beconomist\b|\bcounsel\b|\blegal\b"
            r"|\bmodel policy\b|\bcontent moderator\b|\bstatistician\b|\bbiostatistician\b"
        ),
        "policy, economics, legal, moderation, statisticians",
    ),
)

# ---- research patterns ----------------------------------------------------------------
_RESEARCH_WORD = _rx(r"\bresearch(er)?\b|\bscientist\b|\bscience\b")
_INTERN = _rx(r"\bintern(ship)?s?\b|\bstudent researcher\b|\bphd student\b")
_RESIDENCY = _rx(
    r"\bresiden(cy|t|ts)\b|\b(fellows?|scholars?) program(me)?s?\b|\bfellowship\b"
    r"|\b(ai|ai safety|safety) fellow\b"
    # a sponsored PhD: the studentship is research by definition
    r"|\b(phd|doctoral) studentships?\b"
)
_MANAGER = _rx(
    r"\bresearch (team |group )?(manager|lead|director|head)\b|\bhead of (ai |ml )?research\b"
    r"|\b(director|vp|vice president|head|chief)\b[\w\s,]*\bresearch\b|\bchief scientist\b"
    r"|\bresearch scien(tist|ce) manager\b|\bmanager,? research scien(ce|tist)\b"
    r"|\b(applied )?science manager\b|\bresearch engineering manager\b"
    r"|\bmanager,? (applied|research) science\b"
    r"|^(lead|head|director)\s*,.*\bresearch\b"
)
_MTS = _rx(
    r"\bmember of (the )?technical staff\b|\bmts\b"
    r"|^((senior|staff|principal|lead|founding)\s+)*technical staff\b"
)
_MTS_NON_RESEARCH = _rx(
    r"\b(frontend|front-end|front end|mobile|ios|android|web|full[- ]?stack|security|sales"
    r"|recruit\w*|legal|finance|design|product engineer\w*|it|support|go[- ]to[- ]market|gtm"
    r"|applied ai|customers?|solutions?|public sector|professional services|integrations?"
    r"|search|ads|advertising|recommend\w*|ranking)\b"
)
# What is left of a bare "Member of Technical Staff" once its grade is removed: nothing.
_MTS_GRADE = _rx(r"\b(senior|staff|principal|lead|founding|junior|i{1,3}|iv|v)\b|\(\s*\)")
# The area of an infrastructure engineer's title (for "Member of Technical Staff, <area>").
_INFRA_AREA = _rx(
    r"\binfra(structure)?\b|\binference\b|\bserving\b|\bkernels?\b|\bcuda\b|\bgpus?\b"
    r"|\bclusters?\b|\breliability\b|\bcompilers?\b|\bhpc\b|\bsupercomput\w*|\bdatacenters?\b"
    r"|\bdata ?centers?\b|\bnetworking\b|\bstorage\b"
)
# Leadership of a research area named by topic ("Head of Post-Training", 预训练负责人).
_LEADERSHIP = _rx(r"\b(head|director|vp|vice president|lead|principal investigator)\b")
_NOT_RESEARCH_LEAD = _rx(
    r"\b(partnerships?|community|content|policy|legal|recruit\w*|people|talent|communications"
    r"|go[- ]to[- ]market|gtm|solutions?|customers?|growth|strategy|finance|product|programs?"
    r"|business|sales|marketing|operations|data labell?ing|annotation|security)\b"
    # the director of an R&D organisation (研发总监) leads engineering, not research
    r"|\br\s*&\s*d\b"
)
# "Head of Safety" may be workplace safety; AI safety names its object.
_AI_SAFETY_CUE = _rx(
    r"\b(ai|models?|alignment|superalignment|interpretab\w*|red[- ]team\w*|frontier|agi)\b"
)
# Interns whose title names machine-learning work on a research topic.
_ML_INTERN_CUE = _rx(r"\b(machine learning|ml|ai|deep learning)\b")
# "Fellow, AI Safety": a title that opens with Fellow is a fellowship with AI context.
_FELLOW_FIRST = _rx(r"^(ai |safety )?fellow\b(?!ship)")
_APPLIED_SCIENTIST = _rx(
    r"\bapplied (research |ml |machine learning |ai )?scientist\b|\bapplied science\b"
)
_RESEARCH_SCIENTIST = _rx(r"\bresearch scientist\b")
_RESEARCH_ENGINEER = _rx(
    r"\bresearch (software |ml |machine learning |ai |development )?"
    r"(engineer|sde|developer)\b"
    r"|\b(engineer|sde|developer)\b[^,(]*(,|\(|\s-\s)\s*research\b"
    r"(?!\s+(infrastructure|platform|tool\w*|computing|operations|ops|data"
    # "工程师（研究院）": the department's name, not the engineer's work
    r"|institutes?|cent(er|re)s?|department|division|academy))"
)
# Work that serves researchers rather than doing research ("Research Platform", "Research
# Tools"): not a research cue in an engineer's title.
_RESEARCH_SUPPORT_AREA = _rx(
    r"\bresearch\s+(infrastructure|platform|tool\w*|computing|operations|ops|data)\b"
)
_WEAK_RESEARCHER = _rx(
    r"\bresearcher\b|\bscientist\b|\bpostdoc\w*\b|\bpost-?doctoral\b"
    r"|\bresearch (fellow|associate|assistant)\b|\bprofessor\b|\blecturer\b|\bfaculty\b"
    r"|\bvisiting (scholar|scientist|researcher)\b"
)
# Titles where a research department alone is enough context (not a bare "Scientist").
_RESEARCHER_WORD = _rx(r"\bresearcher\b")
_ALGORITHM_ENGINEER = _rx(r"\balgorithm\b[\w\s-]*\b(engineer|expert|specialist)\b")
_ALGORITHM = _rx(r"\balgorithms?\b")
_PHD = _rx(r"\bph\.?d\b|\bdoctoral\b")
# Generative AI as a field of its own ("AIGC Algorithm Engineer"): research work, no topic.
_GENERATIVE = _rx(r"\b(aigc|genai|generative ai|generative models?)\b")
_ENGINEER = _rx(r"\b(engineer|sde|developer)\b")
_ENGINEERING_LEAD = _rx(
    r"\b(engineering manager|team lead|tech lead manager|tech lead|tlm|manager)\b"
)
_AI_CUE = _rx(
    r"\b(ai|a\.i\.|artificial intelligence|machine learning|ml|deep learning|neural"
    r"|algorithms?|large models?|foundation models?|generative|intelligence|aiml|aigc|genai|agi"
    r"|computer science|informatics|computing|fair|deepmind|models?)\b"
)
_RESEARCH_ORG = _rx(
    r"\bresearch\b(?!\s+(operations|ops|computing|administration|office))|\bfair\b"
    r"|\balignment\b|\binterpretability\b|\bpre-?training\b|\bpost-?training\b"
    r"|\breinforcement learning\b"
)
# Names of a whole R&D organisation or a lab: the ordinary department of an engineering
# company ("R&D" is on every posting of a Chinese company's site), so they are removed from a
# department or team before it is read as a research organisation.
_RD_ORG = _rx(
    r"\br\s*&\s*d\b|\br and d\b|\bresearch\s*(and|&)\s*development\b|\bresearch[- ]development\b"
    r"|\b(ai |artificial intelligence )?lab(s|oratory|oratories)?\b"
)
# A lab or institute (or R&D): context enough for a "Researcher", never for an engineer.
_LAB_ORG = _rx(r"\blab(s|oratory|oratories)?\b|\bacademy\b|\binstitute\b")
# Titles naming a function that is not research, whatever the department: a department
# never makes these engineers (or their managers, or interns) researchers.
_NON_RESEARCH_FUNCTION = _rx(
    r"\b(back[- ]?end|front[- ]?end|full[- ]?stack|mobile|ios|android|web|client"
    r"|payments?|billing|big data|data (platform|warehouse|pipelines?|infrastructure)"
    r"|kernel|devops|sre|site reliability|qa|test|testing|security|it|network|database"
    r"|embedded|firmware|hardware|mechanical|electrical|cloud|release|build|product"
    r"|deployment|on-device|reliability|supply chain|procurement"
    r"|marketing|operations|sales|design|business|finance|hr|java|php|golang|c\+\+)\b"
)
# Engineering work on models that is not research, whatever topic the title names and
# whatever the department: infrastructure (training frameworks, inference and its acceleration,
# serving, deployment, quantization, kernels, clusters, platforms, MLOps), evaluation and
# benchmarks, data engineering, applications built on models, recommendation, search, ads and
# ranking, and delivery to industries and customers. An algorithm engineer, or an engineer or manager tipped by a research department,
# whose title names one of these is an engineer: "大模型算法工程师（推理加速）", "大模型评测工程师",
# "推荐算法工程师", "LLM Algorithm Engineer, Industry Fine-tuning".
_ENGINEERING_WORK = _rx(
    r"\binfra(structure)?\b|\binference\b|\bserving\b|\bdeploy\w*|\baccelerat\w*|\bkernels?\b"
    r"|\bcuda\b|\bgpus?\b|\bclusters?\b|\bcompilers?\b|\bquanti[sz]\w*|\bcompression\b"
    r"|\btraining framework\b|\bplatforms?\b|\bhpc\b|\bml ?ops\b|\bllm ?ops\b"
    r"|\bevaluations?\b|\bevals?\b|\bbenchmark\w*"
    r"|\bdata (engineer\w*|develop\w*|pipelines?|platform|warehouse|infrastructure|processing"
    r"|cleaning|annotation|labell?ing|governance)\b|\bapplications?\b"
    r"|\brecommend\w*|\brecsys\b|\bsearch\b|\bads\b|\badvertising\b|\branking\b"
    r"|\bindustry\b|\bindustries\b|\bcustomers?\b|\bsolutions?\b|\bdelivery\b|\bapplied ai\b"
)
# A department or team that faces customers (public sector, solutions, delivery, sales): an
# engineer there, even a "Research Engineer" or a member of technical staff, integrates and
# delivers models for customers. Scientists are not judged by it.
_CUSTOMER_ORG = _rx(
    r"\bpublic sector\b|\bsolutions?\b|\bcustomers?\b|\bdelivery\b|\bprofessional services\b"
    r"|\bpartners?\b|\bpartnerships?\b"
    r"|\bgo[- ]to[- ]market\b|\bgtm\b|\bsales\b|\bbusiness\b(?!\s+(group|unit))|\bindustry\b"
    r"|\bindustries\b"
    r"|\bconsulting\b"
)
# 推理 is read as "inference"; beside reinforcement learning or reasoning it is reasoning
# (强化学习算法工程师（推理）, "RL for Reasoning (Inference-time Compute)"), not serving.
_REASONING_CONTEXT = _rx(r"\breinforcement learning\b|\brl\b|\brlhf\b|\breasoning\b")
_INFERENCE = _rx(r"\binference(-time)?\b")


def _engineering_work(text: str) -> bool:
    """Whether ``text`` (a title or a team) names engineering work on models."""
    if _REASONING_CONTEXT.search(text):
        text = _INFERENCE.sub(" ", text)
    return bool(_ENGINEERING_WORK.search(text))


# ---- what the posting says the person does (its own text, company boilerplate removed) ----
# A research engineer's title that names work serving research rather than research itself:
# infrastructure, platforms, tooling, frameworks, harnesses, pipelines ("Research Engineer,
# Evaluation Tooling", 研究工程师（训练框架）). The text decides, since the same titles are
# also used for research on those systems.
_SUPPORT_AREA = _rx(
    r"\binfra(structure)?\b|\bplatforms?\b|\btool(s|ing)\b|\bframeworks?\b|\bharness\w*"
    r"|\bpipelines?\b|\bdashboards?\b|\bclusters?\b"
)
# Support work whatever the text: the tools, harnesses and dashboards researchers use.
_TOOLING_AREA = _rx(r"\btool(s|ing)\b|\bharness\w*|\bdashboards?\b")
# The text says the work serves the researchers of other teams: building and maintaining
# their tools, or supporting their training runs (支持研究团队的训练任务).
_SUPPORT_WORK_TEXT = _rx(
    r"\bused by (all |every |the |our |other )*(\w+ )?(teams?|researchers|scientists)\b"
    r"|\bsupport(s|ing)? (the |our |other )*(research|science|modell?ing|training)\b"
    r"|\b(for|helps?|enables?|serves?) (the |our |other )*(researchers|scientists|research"
    r" teams?|science teams?)\b|\bour researchers\b"
    r"|\b(not|never) (run|do|conduct)\b[^.]{0,30}\b(research|experiments)\b"
    r"|\bbuild and maintain\b|\bmaintain\w*\b"
    r"|(支持|支撑|服务于?|赋能)[^。；;，,]{0,8}(研究|算法|科学家)|为研究(员|团队)"
    # 维护 (maintain) and 运维 (operate) the platform, as "maintain" in English
    r"|维护|运维"
)
# The text says the person does research: publishes, studies, designs new methods.
_RESEARCH_WORK_TEXT = _rx(
    r"\bpublish\w*|\bpapers?\b|\bco-?author\w*|\bnovel\b|\bresearch (on|into)\b"
    r"|\b(conduct|lead|pursue|carry out|do|doing) (\w+ )?research\b|\bstud(y|ies|ying)\b"
    r"|\bnew (methods?|algorithms?|approaches|techniques|architectures)\b|\bpublications?\b"
    # experiments of one's own (not "you will not run research experiments yourself")
    r"|(?<!not )\b(design|designing|run|running|conduct|conducting)\s+(\w+\s+){0,2}experiments\b"
    r"|\bablations?\b|\bhypothes[ie]s\b|\bscaling[- ]laws?\b"
    r"|论文|发表|前沿研究|前沿探索|探索新|新方法|新算法|消融|实验设计"
    r"|論文|発表|新しい手法|国際会議|研究を行"
)
# An AI-security researcher's text: attacks on models and their defences (AI safety
# research), as against a security team's work on systems (penetration tests,
# vulnerabilities, threat intelligence), which is security whatever the title's "AI".
_MODEL_ATTACK_TEXT = _rx(
    r"\bjailbreak\w*|\badversarial\b|\bprompt injection\b|\bdata poisoning\b|\bbackdoor\w*"
    r"|\b(model|llm) robustness\b|\brobustness of\b|\bmodel extraction\b"
    r"|越狱|对抗(攻击|样本|鲁棒)|提示(词)?注入|数据投毒|后门攻击"
)
_SECURITY_OPS_TEXT = _rx(
    r"\bpenetration test\w*|\bpen-?test\w*|\bvulnerabilit\w*|\bexploit\w*"
    r"|\bthreat (intelligence|actors?|hunting)\b|\bincident response\b"
    r"|渗透|漏洞|攻防演练|应急响应|威胁情报"
)


# The area of a title that names engineering work on models, or on the data, environments,
# systems and validation around them ("Research Engineer, Evaluation Platform", "Member of
# Technical Staff, Pretraining Data", "Scientist, Perception Data", "Safety Scientist, Release
# Validation"): the same titles are used for research on these, so the text decides.
_ENGINEERING_AREA = _rx(
    r"\bdata\b|\benvironments?\b|\bdistributed\b|\blarge[- ]scale training\b|\bsystems\b"
    r"|\bperformance\b|\bon-device\b|\bedge\b|\btool(s|ing)\b|\bharness\w*|\bleaderboards?\b"
    r"|\bvalidation\b|\bverification\b|\breleases?\b|\blabell?ing\b|\bannotation\b"
)
# The text says the person builds, runs, scales and maintains things.
_ENGINEERING_DUTY_TEXT = _rx(
    r"\b(build|builds|building|operate|operates|operating|run|runs|running|scale|scales"
    r"|maintain\w*|own|owns|implement\w*|integrat\w*|ship|ships|shipping|profil\w*"
    r"|packag\w*|deploy\w*|keep|improv\w*|optimi[sz]\w*)\b"
    r"|开发|维护|运维|搭建|构建|上线|部署|構築|運用|開発"
)
# The text says the person ships a product's model features: 落地, 上线, A/B tests, business
# metrics, user retention, content review.
_PRODUCT_WORK_TEXT = _rx(
    r"落地|上线|业务指标|业务效果|用户(留存|增长|体验|活跃)|线上|审核"
    r"|\bA\s*/\s*B\b|\bAB\s*(实验|测试|test\w*)|\bin production\b|\b(product|business) metrics\b"
    r"|\buser (retention|engagement|growth)\b"
)


def _research_text(description: str) -> bool:
    """Whether the text names any research work of the person's own (publishing, papers,
    studies, new methods), preferences ("papers a plus") left out."""
    return bool(_RESEARCH_WORK_TEXT.search(_PREFERENCE_CLAUSE.sub(" ", description)))


def _engineering_duties(title: str, description: str) -> bool:
    """A title whose area is engineering work (``_engineering_work``) or the data,
    environments, systems, tooling or validation around models (``_ENGINEERING_AREA``), and
    whose own text says the person builds, runs or maintains them and names no research of
    their own: "Research Engineer, Evaluation Platform" owning the service that schedules
    evaluations, "Member of Technical Staff, Pretraining Data" running the crawling pipelines.
    Without such text the title decides, as before."""
    if not description or not (_engineering_work(title) or _ENGINEERING_AREA.search(title)):
        return False
    return bool(_ENGINEERING_DUTY_TEXT.search(description)) and not _research_text(description)


def _ships_product(description: str) -> bool:
    """The text is about shipping a product's model features (落地, 上线, A/B tests, business
    metrics) and names no research: an algorithm engineer on a product, whatever the topic."""
    return bool(_PRODUCT_WORK_TEXT.search(description)) and not _research_text(description)


def _serves_research(title: str, description: str) -> bool:
    """A research engineer whose title names support work (``_SUPPORT_AREA``) and no research
    topic, and whose text says the work serves other teams' research and names no research
    of its own: an infrastructure or tooling engineer ("Research Engineer, Evaluation
    Tooling" building the harness all science teams use). Tools, harnesses and dashboards
    (``_TOOLING_AREA``) are support work on the title alone, unless the text names research."""
    if not _SUPPORT_AREA.search(title) or set(_topics_in(title)) - {"infrastructure"}:
        return False
    if _RESEARCH_WORK_TEXT.search(description):
        return False
    return bool(_TOOLING_AREA.search(title) or _SUPPORT_WORK_TEXT.search(description))


# A research assistant (科研助理, 研究助理) is also the ordinary title of a research
# centre's administrator: an office team, or a text about purchases, reimbursements, meetings
# and files, says so.
_RESEARCH_ASSISTANT = _rx(r"\bresearch assistants?\b")
_OFFICE_TEAM = _rx(r"\boffice\b|办公室")
_ADMIN_WORK_TEXT = _rx(
    r"\breimburse\w*|\bprocurement\b|\bpurchas\w*|\bexpense\w*|\bscheduling\b"
    r"|\bcalendars?\b|\bfiling\b|\badministrative\b|\barchiv\w*|\bvisitors?\b"
    r"|报销|采购|行政|会议组织|组织[^。；;，,]{0,6}会议|接待|归档|档案|经费|办公软件"
    # Japanese: orders, schedules, office work, expenses
    r"|発注|スケジュール|事務|経費|精算|庶務"
)
# Clauses of a text that state a preference, not the work ("有论文发表者优先", "papers a plus").
_PREFERENCE_CLAUSE = _rx(
    r"[^。；;\n.]*(优先|加分|\bpreferred\b|\ba plus\b|\bbonus\b|\bnice to have\b)[^。；;\n.]*"
)


def _administers_research(team: str, description: str) -> bool:
    """A research assistant whose team is an office, or whose text is about administration
    (purchases, reimbursements, meetings, files), and whose text names no research of its
    own: the administrator of a research centre (科研助理 in 中心办公室), not a researcher."""
    if _RESEARCH_WORK_TEXT.search(_PREFERENCE_CLAUSE.sub(" ", description)):
        return False
    return bool(_OFFICE_TEAM.search(team) or _ADMIN_WORK_TEXT.search(description))


def _text_does_research(description: str) -> bool:
    """Whether the posting's own text says the person does research: at least two research
    cues (publishing, papers, new methods, exploring), preferences ("papers a plus") left
    out. Reads an algorithm engineer whose title names no topic (算法工程师（BGE 向量模型）
    whose duties are research on embedding models, published as papers)."""
    text = _PREFERENCE_CLAUSE.sub(" ", description)
    return len({m.group(0).lower() for m in _RESEARCH_WORK_TEXT.finditer(text)}) >= 2


_POSTDOC = _rx(r"\bpostdoc\w*\b|\bpost-?doctoral\b")
# A research fellow is a postdoctoral post: an R&D department or a lab is context enough.
_RESEARCH_FELLOW = _rx(r"\bresearch fellows?\b")
# The junior research ranks that are also a research office's administrative grade
# (助理研究员 in 科研管理): administration in the text decides, as for a research assistant.
_RESEARCH_ASSISTANT_RANK = _rx(r"\bassistant researchers?\b|\bresearch assistants?\b")
# Titles that name no kind of work: an engineer, expert, specialist or scientist whose
# posting's text alone says whether the work is research (技术专家, 高级专家, スペシャリスト,
# "Staff Engineer, Generalisation").
_GENERIC_TITLE = _rx(r"\b(engineer|expert|specialist|scientist|staff)\b")
# A department named for research or science: context for a title its text calls research.
_SCIENCE_ORG = _rx(r"\b(research|science|sciences)\b")


def _research_in_text(title: str, department: str, team: str, description: str) -> bool:
    """A title that names no research (a generic or weak one) whose own text names research
    work at least twice (``_text_does_research``), with AI context: a research topic or an
    AI cue in the title, department, team or text, or a research or science department."""
    if not description or not _text_does_research(description):
        return False
    if set(_topics_in(title)) | set(_topics_in(team)):
        return True
    if any(
        _AI_CUE.search(value) or _SCIENCE_ORG.search(value)
        for value in (title, department, team)
        if value
    ):
        return True
    return bool(_AI_CUE.search(_normalise(description)))


# A visiting scholar or scientist: a research organisation or lab is context enough, as for
# a "researcher" (访问学者 in a 研究院), not a history department.
_VISITING = _rx(r"\bvisiting (scholar|scientist|researcher)s?\b")
# A title's own cue that it is machine-learning work (for an engineer in a research org).
_ML_CUE = _rx(
    r"\b(machine learning|ml|ai|deep learning|neural|models?|algorithms?)\b"
    r"|\bresearch\b(?!\s+(institutes?|cent(er|re)s?|department|division|academy)\b)"
)
_TITLE_RESEARCH = _rx(
    r"\bresearch\b(?!\s+(infrastructure|platform|tool\w*|computing|operations|ops|data))"
)
_NOT_RESEARCH_ORG = _rx(
    r"\b(office of|clinical|economic|user|ux|market|design) research\b"
    r"|\bresearch (operations|ops|computing|administration)\b"
)

RULES: tuple[Rule, ...] = (
    *(Rule(name, None, description) for name, _, description in _EXCLUSIONS),
    Rule("intern", "research_intern", "intern / internship / student researcher with a research word, or an algorithm, PhD or ML intern on a research topic (not a product or engineering function, nor engineering work such as inference, evaluation, platform, search)"),
    Rule("residency", "phd_residency", "residency, resident, fellows or scholars programme, fellowship, a title opening with Fellow and naming AI work"),
    Rule("research_manager", "research_manager", "research manager/lead/director, head/VP of research, chief scientist, science manager"),
    Rule("mts", "member_of_technical_staff", "member of technical staff, MTS (unless a product/business function)"),
    Rule("exclude:mts_function", None, "MTS for frontend, mobile, security, sales, design, applied AI, customers, solutions, ...; a bare MTS whose team or department is such a function; any MTS in a customer-facing department or team"),
    Rule("exclude:mts_infrastructure", None, "MTS whose area is infrastructure only (inference, kernels, clusters, training or data infrastructure) and names no research"),
    Rule("exclude:scientist_for_customers", None, "an applied scientist whose title, department or team faces customers (solutions, customers, delivery, sales, industry): fine-tunes and delivers models for customers"),
    Rule("applied_scientist", "applied_scientist", "applied (research/ML) scientist, applied science"),
    Rule("research_scientist", "research_scientist", "research scientist (if it comes before research engineer in the title)"),
    Rule("exclude:engineer_for_customers", None, "a research engineer whose title, department or team faces customers (public sector, solutions, customers, delivery, sales, industry)"),
    Rule("exclude:engineering_duties", None, "a research engineer, member of technical staff or researcher/scientist whose title names engineering work or the data, environments, systems, tooling or validation around models, and whose own text says the person builds, runs or maintains them and names no research of their own; a bare MTS outside a research organisation whose text is such work"),
    Rule("exclude:research_support_engineer", None, "a research engineer whose title names support work (infrastructure, platform, tooling, framework, harness, pipelines) and no research topic, and whose own text says the work serves other teams' research (used by all science teams, 支持研究团队) and names no research of its own (publishing, papers, studies, new methods); tools, harnesses and dashboards need no such text"),
    Rule("research_engineer", "research_engineer", "research engineer, research SDE, research software engineer, '<X> Engineer, Research' or '(Research)' unless X is a function such as backend or frontend, or engineering work such as platform, data or infrastructure"),
    Rule("research_topic_lead", "research_manager", "head/director/VP/lead of a research topic ('Head of Post-Training', 预训练负责人), not of an engineering, product or business function"),
    Rule("exclude:research_administrator", None, "a research assistant or assistant researcher (科研助理, 研究助理, 助理研究员, 研究アシスタント) whose team is an office or whose own text is administration (purchases, reimbursements, meetings, files, orders, schedules) and names no research: a research centre's administrator"),
    Rule("researcher_with_ai_context", "research_scientist", "researcher, scientist, postdoc, research fellow/associate/assistant, visiting scholar, professor, lecturer, faculty, with AI context (a research or R&D department, a lab or an institute is enough for 'researcher', 'postdoc', 'research fellow' and a visiting researcher only; a visiting researcher's text naming research is enough too)"),
    Rule("researcher_research_text", "research_scientist", "a researcher or scientist without AI context in the title, department or team, whose own text names research work at least twice and AI (or whose department is named for research or science)"),
    Rule("exclude:product_work", None, "an algorithm engineer on a research topic whose own text is shipping a product's model features (落地, 上线, A/B tests, business metrics, user retention, content review) and names no research"),
    Rule("algorithm_engineer_research_topic", "research_engineer", "algorithm engineer/expert with a research topic (not infrastructure) in the title or team, unless the title names engineering work (inference, acceleration, platform, evaluation, data engineering, recommendation/search/ads, industry delivery) or a function such as deployment, on-device, backend, or the department faces customers; the department alone never decides"),
    Rule("algorithm_engineer_research_text", "research_engineer", "an algorithm engineer whose title names no topic, no engineering work and no other function, and whose own text names research work at least twice (publishing, papers, new methods, exploring), preferences such as 'papers a plus' left out"),
    Rule("exclude:engineering_work", None, "any other title naming engineering work on models (inference, acceleration, platform, evaluation, data engineering, recommendation/search/ads, industry delivery) or in a customer-facing department: never tipped by a research department"),
    Rule("manager_in_research_org", "research_manager", "engineering manager / team lead on a research topic (title or team) whose department, team or own title names a research org (not 'R&D' or a lab)"),
    Rule("engineer_in_research_org", "research_engineer", "software/ML engineer with a research cue (research topic in title or team, or an ML word in the title) whose department or team is a research org (not 'R&D' or a lab); never backend, payments, data platform, kernel, ..."),
    Rule("generic_title_research_text", "research_engineer", "an engineer, expert, specialist or staff title naming no function and no engineering work (技术专家, 高级专家, スペシャリスト, 'Staff Engineer, X'), whose own text names research work at least twice, with AI context (topic, AI cue, research or science department, or AI in the text)"),
    Rule("no_research_cue", None, "everything else"),
)  # fmt: skip

# ---- topics -------------------------------------------------------------------------
_TOPIC_PATTERNS: dict[str, re.Pattern[str]] = {
    "llm": _rx(
        r"\bllms?\b|\blarge language models?\b|(?<!vision-)(?<!vision )\blanguage models?\b"
        r"|\blarge models?\b|\bpre-?train\w*|\bmid-?training\b|\bpost-?training\b"
        r"|\bfine-?tun\w*|\bnlp\b|\bnatural language\b|\breasoning\b|\btokeni[sz]\w*"
        r"|\brlhf\b|\brlaif\b|\bcode generation\b|\bagents?\b|\bagentic\b|\bconversational\b"
        r"|\bchatbots?\b|\bgpt\b|\bsft\b|\binstruction tuning\b|\blong[- ]context\b"
        r"|\btool use\b|\bprompt\w*|\btext generation\b"
        # model families that name a team (not assistant products such as Doubao or Alexa)
        r"|\b(qwen|hunyuan|ernie|chatglm|glm|deepseek|llama)\b"
    ),
    "rl": _rx(
        r"\breinforcement learning\b|\brl\b|\brlhf\b|\brlaif\b|\breward model\w*"
        r"|\bpolicy optimi[sz]ation\b"
    ),
    "vision": _rx(
        r"\bcomputer vision\b|\bvision\b|\bimag(e|es|ing)\b|\bvideos?\b|\bvisual\b|\bperception\b"
        r"|\bdiffusion\b|\bocr\b|\b3d\b|\bcv\b|\bdigital humans?\b|\bavatars?\b"
    ),
    "speech": _rx(
        r"\bspeech\b|\baudio\b|\bvoice\b|\basr\b|\btts\b|\btext-to-speech\b|\bmusic\b"
        r"|\bspoken\b|\bsound\b"
    ),
    "safety": _rx(
        r"\bsafety\b|\b(super)?alignment\b|\binterpretab\w*|\bred[- ]team\w*|\bjailbreak\w*"
        r"|\bsafeguards?\b|\bmodel welfare\b|\bfrontier evals?\b|\bpreparedness\b"
        r"|\bresponsible ai\b|\bmisuse\b|\bscalable oversight\b"
    ),
    "infrastructure": _rx(
        r"\binfrastructure\b|\binfra\b|\binference\b|\bserving\b|\bdistributed\b|\bgpus?\b"
        r"|\bkernels?\b|\bcuda\b|\btriton\b|\bcompilers?\b|\baccelerat\w*|\btpus?\b"
        r"|\btrainium\b|\bperformance\b|\befficien\w*|\bhpc\b|\bsupercomput\w*|\bclusters?\b"
        r"|\b(ml|machine learning|ai|(large )?models?) (systems|platform)\b|\btraining framework\b"
        r"|\bmlsys\b"
        r"|(?<!safety )(?<!recommender )(?<!recommendation )\bsystems\b"
    ),
    "multimodal": _rx(
        r"\bmulti-?modal\w*|\bvision[- ]language\b|\bvlms?\b|\bmllms?\b|\bomni-?modal\b"
        r"|\baudio-visual\b"
    ),
    "robotics": _rx(
        r"\brobot\w*|\bembodied\b|\bmanipulation\b|\blocomotion\b|\bhumanoids?\b"
        r"|\bautonomous driving\b|\bself-driving\b|\bautonomy\b"
        r"|\bvision[- ]language[- ]action\b|\bvlas?\b"
    ),
}
_FOUNDATION_MODEL = _rx(r"\bfoundation models?\b")
_TRUST_AND_SAFETY = _rx(r"\btrust\s*(&|and)\s*safety\b")
_SECURITY_CONTEXT = _rx(r"\bsecurity\b|\bcyber\w*\b|\bpenetration\b")
_RED_TEAM = _rx(r"\bred[- ]team\w*")
# Topics that make a security researcher's title AI-safety work (attacks on models).
_AI_SECURITY_TOPICS = frozenset({"llm", "multimodal", "safety", "rl"})
# Removed before an AI-security title's own topics are read, so "red teaming" is safety.
_SECURITY_WORDS = _rx(r"\b(security|cyber\w*|penetration)\b")
_DESCRIPTION_MIN_HITS = 2

_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_rx(r"\bsr\.?(?=\s)"), "senior"),
    (_rx(r"\bjr\.?(?=\s)"), "junior"),
    (_rx(r"\bswe\b"), "software engineer"),
    (_rx(r"\bmle\b"), "machine learning engineer"),
    # "Research & Development" is R&D, the engineering organisation, in titles too.
    (_rx(r"\bresearch\s*(?:&|and|-)\s*development\b"), "R&D"),
)


def _normalise(text: str | None) -> str:
    if not text:
        return ""
    value = gloss(unicodedata.normalize("NFKC", text))
    value = re.sub(r"[–—‐−]", " - ", value)
    value = value.replace("/", " / ")
    for pattern, replacement in _ABBREVIATIONS:
        value = pattern.sub(replacement, value)
    return " ".join(value.split())


def _topics_in(text: str) -> set[str]:
    trust_and_safety = bool(_TRUST_AND_SAFETY.search(text))
    text = _TRUST_AND_SAFETY.sub(" ", text)
    found = {topic for topic, pattern in _TOPIC_PATTERNS.items() if pattern.search(text)}
    if "safety" in found and _SECURITY_CONTEXT.search(text):
        without_red_team = _RED_TEAM.sub(" ", text)
        if not _TOPIC_PATTERNS["safety"].search(without_red_team):
            found.discard("safety")
    if trust_and_safety:
        found.discard("safety")  # "Trust & Safety Specialist, Child Safety"
    if _FOUNDATION_MODEL.search(text) and not found & {
        "vision",
        "speech",
        "robotics",
        "multimodal",
    }:
        found.add("llm")
    return found


def _description_topics(description: str) -> set[str]:
    text = _TRUST_AND_SAFETY.sub(" ", _normalise(description))
    return {
        topic
        for topic, pattern in _TOPIC_PATTERNS.items()
        if len(pattern.findall(text)) >= _DESCRIPTION_MIN_HITS
    }


def _topics(title: str, team: str, description: str | None) -> tuple[str, ...]:
    found = _topics_in(title) | _topics_in(team)
    if description:
        found |= _description_topics(description)
    return tuple(topic for topic in sorted(found) if topic in TOPICS)


def _research_org(department: str, team: str) -> bool:
    """Whether the department or team is a research organisation ("R&D" and labs are not)."""
    for value in (department, team):
        value = _RD_ORG.sub(" ", value) if value else ""
        if _RESEARCH_ORG.search(value) and not _NOT_RESEARCH_ORG.search(value):
            return True
    return False


def _ai_security_researcher(title: str, description: str) -> bool:
    """A security researcher whose title names AI models' own risks ("Security Researcher, LLM
    Red Teaming", 安全研究员（大模型安全）): an AI-safety role, not a security one (a robot's
    or a cloud's security stays security). A title that names only AI or a red team ("AI
    Security Researcher", 安全研究员（红队）) is decided by what the text says the person
    does: attacks on models and their defences are AI safety; penetration tests and
    vulnerabilities, or no such text, are security."""
    if not _RESEARCHER_WORD.search(title):
        return False
    if _topics_in(title) & _AI_SECURITY_TOPICS:
        return True  # a red team beside "security" alone is no AI topic (see _topics_in)
    if not (_AI_WORK.search(_SECURITY_WORDS.sub(" ", title)) or _RED_TEAM.search(title)):
        return False
    return bool(_MODEL_ATTACK_TEXT.search(description)) and not (
        _SECURITY_OPS_TEXT.search(description) and not _RESEARCH_WORK_TEXT.search(description)
    )


def _decide(
    title: str, department: str, team: str, topics: tuple[str, ...], description: str = ""
) -> tuple[str, str | None]:
    """Return (rule name, category or None) for a normalised title; ``description`` is the
    posting's own text, read only where the title leaves the work open."""
    research_topics = set(topics) - {"infrastructure"}
    for name, pattern, _ in _EXCLUSIONS:
        if pattern.search(title):
            if name == "exclude:security_research" and _ai_security_researcher(title, description):
                continue
            if name == "exclude:lab_science" and (
                _AI_WORK.search(title) or set(_topics_in(title)) - {"infrastructure"}
            ):
                continue  # "Machine Learning Research Scientist, Generative Chemistry"
            if name == "exclude:trust_and_safety" and _ML_METHOD.search(title):
                continue  # "Research Scientist - Trust & Safety ML": classifiers research
            return name, None

    function = _NON_RESEARCH_FUNCTION.search(title)
    # engineering work named by the title or by the team the posting sits in
    engineering_work = _engineering_work(title) or _engineering_work(team)
    # engineers (not scientists) in a customer-facing department or team deliver to customers
    customer_org = any(_CUSTOMER_ORG.search(value) for value in (department, team) if value)
    if _INTERN.search(title) and (
        _RESEARCH_WORD.search(title)
        or (
            (_ALGORITHM.search(title) or _PHD.search(title) or _ML_INTERN_CUE.search(title))
            and research_topics
            and not function
            and not _engineering_work(title)
        )
    ):
        return "intern", "research_intern"
    if _RESIDENCY.search(title) or (
        _FELLOW_FIRST.search(title) and (research_topics or _AI_CUE.search(title))
    ):
        return "residency", "phd_residency"
    if _MANAGER.search(title):
        return "research_manager", "research_manager"
    if _MTS.search(title):
        if _MTS_NON_RESEARCH.search(title) or customer_org:
            return "exclude:mts_function", None
        if _INFRA_AREA.search(title) and not research_topics and not _RESEARCH_WORD.search(title):
            return "exclude:mts_infrastructure", None
        if _engineering_duties(title, description):
            return "exclude:engineering_duties", None
        if not re.search(r"\w", _MTS_GRADE.sub(" ", _MTS.sub(" ", title))):
            # a bare "Member of Technical Staff" takes its area from its team or department
            for value in (team, department):
                if value and _MTS_NON_RESEARCH.search(value):
                    return "exclude:mts_function", None
                if value and _INFRA_AREA.search(value) and not _RESEARCH_ORG.search(value):
                    return "exclude:mts_infrastructure", None
            # and, outside a research organisation, its work from its text
            if (
                description
                and not _research_org(department, team)
                and _ENGINEERING_DUTY_TEXT.search(description)
                and not _research_text(description)
            ):
                return "exclude:engineering_duties", None
        return "mts", "member_of_technical_staff"
    if _APPLIED_SCIENTIST.search(title):
        if customer_org or _CUSTOMER_ORG.search(title):
            # "Applied Scientist, Enterprise" in Solutions: fine-tunes models for customers
            return "exclude:scientist_for_customers", None
        return "applied_scientist", "applied_scientist"

    scientist = _RESEARCH_SCIENTIST.search(title)
    engineer = _RESEARCH_ENGINEER.search(title)
    if (
        engineer
        and (function or _engineering_work(title))
        and not engineer.group(0).lower().startswith("research")
    ):
        # "Backend Engineer (Research)", "Platform Engineer, Research": a backend or platform
        # engineer on a research team
        engineer = None
    if scientist and (not engineer or scientist.start() <= engineer.start()):
        return "research_scientist", "research_scientist"
    if engineer and (customer_org or _CUSTOMER_ORG.search(title)):
        # "Research Engineer, Customer Deployments": models delivered to customers
        return "exclude:engineer_for_customers", None
    if engineer and _serves_research(title, description):
        return "exclude:research_support_engineer", None
    if engineer and _engineering_duties(title, description):
        return "exclude:engineering_duties", None
    if engineer:
        return "research_engineer", "research_engineer"
    if (
        _LEADERSHIP.search(title)
        and research_topics
        and not function
        and not engineering_work
        and not _ENGINEER.search(title)
        and not _WEAK_RESEARCHER.search(title)
        and not _NOT_RESEARCH_LEAD.search(title)
        and (research_topics != {"safety"} or _AI_SAFETY_CUE.search(title))
    ):
        return "research_topic_lead", "research_manager"

    in_research_org = _research_org(department, team)
    if _RESEARCH_ASSISTANT.search(title) and _administers_research(team, description):
        return "exclude:research_administrator", None
    if _WEAK_RESEARCHER.search(title):
        context = " ".join((title, department, team))
        lab = any(
            _LAB_ORG.search(value) or _RD_ORG.search(value) for value in (department, team) if value
        )
        org_is_enough = (in_research_org or lab) and bool(
            _RESEARCHER_WORD.search(title)
            or _POSTDOC.search(title)
            or _VISITING.search(title)
            or _RESEARCH_FELLOW.search(title)
        )
        if _engineering_duties(title, description):
            return "exclude:engineering_duties", None
        if (
            _RESEARCH_ASSISTANT_RANK.search(title)
            and description
            and _ADMIN_WORK_TEXT.search(description)
            and not _research_text(description)
        ):
            return "exclude:research_administrator", None
        if topics or _AI_CUE.search(context) or org_is_enough:
            return "researcher_with_ai_context", "research_scientist"
        if _VISITING.search(title) and description and _research_text(description):
            return "researcher_with_ai_context", "research_scientist"
        if _research_in_text(title, department, team, description):
            return "researcher_research_text", "research_scientist"
        return "no_research_cue", None
    if _ALGORITHM_ENGINEER.search(title):
        # an algorithm engineer's title (or team) must name research work itself: the
        # department never makes one a researcher
        if (
            (research_topics or _GENERATIVE.search(title))
            and not function
            and not engineering_work
            and not customer_org
        ):
            if description and _ships_product(description):
                return "exclude:product_work", None
            return "algorithm_engineer_research_topic", "research_engineer"
        if engineering_work or customer_org:
            return "exclude:engineering_work", None
        if not function and _text_does_research(description):
            return "algorithm_engineer_research_text", "research_engineer"
        return "no_research_cue", None
    if (engineering_work or customer_org) and (
        _ENGINEER.search(title) or _ENGINEERING_LEAD.search(title)
    ):
        return "exclude:engineering_work", None
    # The department is supporting evidence only: it tips an engineer (or an engineering
    # manager) whose title or team already names research work, never a bare "Engineer".
    # A manager's title that names research itself ("Engineering Manager, Pretraining
    # Research") is its own evidence.
    research_org = in_research_org or bool(_TITLE_RESEARCH.search(title))
    if not function and _ENGINEERING_LEAD.search(title) and research_topics and research_org:
        return "manager_in_research_org", "research_manager"
    # An ML word tips an engineer only when the title names no area, or a research one:
    # "Software Engineer, Model Training Infrastructure" in Research is infrastructure work.
    ml_cue = _ML_CUE.search(_RESEARCH_SUPPORT_AREA.sub(" ", title))
    engineer_cue = research_topics or (ml_cue and "infrastructure" not in topics)
    if in_research_org and not function and _ENGINEER.search(title) and engineer_cue:
        if (
            description
            and _ENGINEERING_DUTY_TEXT.search(description)
            and not _research_text(description)
        ):
            # the department tips nothing when the text says the work is engineering
            return "exclude:engineering_duties", None
        return "engineer_in_research_org", "research_engineer"
    if (
        _GENERIC_TITLE.search(title)
        and not function
        and not engineering_work
        and _research_in_text(title, department, team, description)
    ):
        return "generic_title_research_text", "research_engineer"
    return "no_research_cue", None


def classify_posting(
    title: str,
    department: str | None = None,
    team: str | None = None,
    description: str | None = None,
) -> RoleClassification:
    """Classify one posting from its title, with department/team/description as context."""
    norm_title = _normalise(title)
    norm_department = _normalise(department)
    norm_team = _normalise(team)
    topics = _topics(norm_title, norm_team, description)
    title_topics = tuple(sorted(_topics_in(norm_title) | _topics_in(norm_team)))
    text = unicodedata.normalize("NFKC", description) if description else ""
    rule, category = _decide(norm_title, norm_department, norm_team, title_topics, text)
    return RoleClassification(
        is_research=category is not None,
        category=category,
        topics=topics,
        rule=rule,
    )
