"""Write ``service/data/demo.jsonl``: the fictional dataset that ``talentflow demo`` loads.

Every person, quote, article and publisher here is invented (the URLs are under
``demo.talentflow.example``), so the demo never puts made-up evidence next to a real
researcher; every document title says "fictional". The people tell the story the docs walk
through: researchers leaving US labs for Chinese companies, returnees to Chinese universities,
academia to industry and back, moves inside Europe, and the current staff of the big labs.

Each person has one profile document (dated stints with roles: the history the moves are
inferred from) and, for most moves, one or two news articles reporting them. The file is
committed; a test fails when it differs from what this script writes:

    python bench/demo_data.py
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "service" / "data" / "demo.jsonl"
SITE = "https://demo.talentflow.example"
NEWS = "https://news.demo.talentflow.example"
FICTIONAL = "fictional demo data"

# (publisher, url folder) of the invented news outlets
OUTLETS = (("Demo Tech Daily (fictional)", "tech"), ("Demo AI Weekly (fictional)", "ai"))


@dataclass(frozen=True)
class Stint:
    slug: str
    role: str
    start: str
    end: str | None = None


@dataclass(frozen=True)
class Report:
    """A move as the fictional press reported it: one article per confidence given."""

    from_slug: str | None
    to_slug: str | None
    date: str
    confidences: tuple[float, ...]
    verb: str = "has joined"


@dataclass(frozen=True)
class Person:
    name: str
    topics: tuple[str, ...]
    stints: tuple[Stint, ...]
    reports: tuple[Report, ...] = ()
    native_name: str | None = None
    orcid: bool = True
    h_index: int = 30
    works: int = 80
    aliases: tuple[str, ...] = field(default_factory=tuple)


NAMES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "google-deepmind": "Google DeepMind",
    "meta": "Meta",
    "fair": "Meta FAIR",
    "fair-paris": "Meta FAIR Paris",
    "meta-superintelligence-labs": "Meta Superintelligence Labs",
    "microsoft-research": "Microsoft Research",
    "msr-asia": "Microsoft Research Asia",
    "nvidia": "NVIDIA",
    "xai": "xAI",
    "tencent": "Tencent",
    "tencent-hunyuan": "Tencent Hunyuan",
    "tencent-ai-lab": "Tencent AI Lab",
    "alibaba": "Alibaba",
    "qwen": "the Qwen team",
    "damo-academy": "DAMO Academy",
    "bytedance-seed": "ByteDance Seed",
    "bytedance": "ByteDance",
    "baidu-research": "Baidu Research",
    "deepseek": "DeepSeek",
    "moonshot-ai": "Moonshot AI",
    "zhipu-ai": "Zhipu AI",
    "minimax": "MiniMax",
    "shanghai-ai-lab": "Shanghai AI Lab",
    "tsinghua-university": "Tsinghua University",
    "peking-university": "Peking University",
    "sjtu": "Shanghai Jiao Tong University",
    "zhejiang-university": "Zhejiang University",
    "stanford-university": "Stanford University",
    "mit": "MIT",
    "cmu": "Carnegie Mellon University",
    "uc-berkeley": "UC Berkeley",
    "university-of-oxford": "the University of Oxford",
    "ucl": "UCL",
    "eth-zurich": "ETH Zurich",
    "mistral-ai": "Mistral AI",
    "mila": "Mila",
    "university-of-toronto": "the University of Toronto",
    "wayve": "Wayve",
}

PEOPLE: tuple[Person, ...] = (
    # --- US labs to Chinese companies -------------------------------------------------------
    Person(
        "Chen Yuhan",
        ("large language models", "reinforcement learning"),
        (
            Stint("tsinghua-university", "PhD student", "2014-09", "2019-06"),
            Stint("openai", "Research Scientist", "2019-08", "2025-08"),
            Stint("tencent-hunyuan", "Chief Scientist", "2025-09"),
        ),
        (Report("openai", "tencent-hunyuan", "2025-09", (0.91, 0.85)),),
        native_name="陈雨涵",
        h_index=41,
        works=96,
    ),
    Person(
        "Lin Haoran",
        ("multimodal models", "computer vision"),
        (
            Stint("peking-university", "PhD student", "2013-09", "2018-07"),
            Stint("google-deepmind", "Staff Research Scientist", "2018-09", "2024-12"),
            Stint("bytedance-seed", "Head of Multimodal Research", "2025-02"),
        ),
        (Report("google-deepmind", "bytedance-seed", "2025-02", (0.88,)),),
        native_name="林浩然",
        h_index=37,
    ),
    Person(
        "Zhou Mingyu",
        ("reasoning", "large language models"),
        (
            Stint("stanford-university", "PhD student", "2015-09", "2020-06"),
            Stint("anthropic", "Member of Technical Staff", "2021-03", "2024-10"),
            Stint("deepseek", "Researcher", "2024-11"),
        ),
        (Report("anthropic", "deepseek", "2024-11", (0.82,)),),
        native_name="周明宇",
        h_index=24,
    ),
    Person(
        "Guo Jiaqi",
        ("pretraining", "optimisation"),
        (
            Stint("zhejiang-university", "PhD student", "2012-09", "2017-06"),
            Stint("fair", "Research Scientist", "2017-08", "2023-04"),
            Stint("qwen", "Research Lead", "2023-05"),
        ),
        (Report("fair", "qwen", "2023-05", (0.9, 0.8)),),
        native_name="郭佳琪",
        h_index=33,
    ),
    Person(
        "Tang Wenjie",
        ("long context", "inference"),
        (
            Stint("sjtu", "PhD student", "2016-09", "2021-06"),
            Stint("xai", "Member of Technical Staff", "2023-07", "2025-03"),
            Stint("moonshot-ai", "Researcher", "2025-04"),
        ),
        (Report("xai", "moonshot-ai", "2025-04", (0.76,)),),
        native_name="唐文杰",
        h_index=18,
    ),
    Person(
        "Xu Ruoxi",
        ("ml systems", "inference"),
        (
            Stint("cmu", "PhD student", "2014-09", "2019-05"),
            Stint("nvidia", "Senior Research Scientist", "2019-07", "2024-06"),
            Stint("zhipu-ai", "Head of Systems", "2024-08"),
        ),
        (Report("nvidia", "zhipu-ai", "2024-08", (0.93,)),),
        native_name="徐若曦",
        h_index=27,
    ),
    Person(
        "Fang Zihan",
        ("speech", "large language models"),
        (
            Stint("uc-berkeley", "PhD student", "2011-09", "2016-05"),
            Stint("microsoft-research", "Principal Researcher", "2016-07", "2023-12"),
            Stint("tencent-ai-lab", "Distinguished Scientist", "2024-02"),
        ),
        (Report("microsoft-research", "tencent-ai-lab", "2024-02", (0.91,)),),
        native_name="方子涵",
        h_index=45,
        works=150,
    ),
    Person(
        "Ma Xiaotong",
        ("agents", "reinforcement learning"),
        (
            Stint("tsinghua-university", "PhD student", "2015-09", "2020-06"),
            Stint("openai", "Research Engineer", "2020-09", "2024-03"),
            Stint("tencent", "Principal Researcher", "2024-05"),
        ),
        (Report("openai", "tencent", "2024-05", (0.87,)),),
        native_name="马晓彤",
        h_index=21,
    ),
    # --- returnees to Chinese academia and labs ---------------------------------------------
    Person(
        "Wang Shuang",
        ("robotics", "reinforcement learning"),
        (
            Stint("tsinghua-university", "PhD student", "2010-09", "2015-06"),
            Stint("mit", "Postdoctoral Researcher", "2015-09", "2019-08"),
            Stint("tsinghua-university", "Associate Professor", "2019-09"),
        ),
        (Report("mit", "tsinghua-university", "2019-09", (0.8,), verb="returns to"),),
        native_name="王爽",
        h_index=35,
    ),
    Person(
        "Li Qiang",
        ("computer vision", "generative models"),
        (
            Stint("peking-university", "PhD student", "2006-09", "2011-06"),
            Stint("cmu", "Assistant Professor", "2012-08", "2022-06"),
            Stint("shanghai-ai-lab", "Principal Investigator", "2022-08"),
        ),
        (Report("cmu", "shanghai-ai-lab", "2022-08", (0.85, 0.75), verb="returns to China for"),),
        native_name="李强",
        h_index=52,
        works=210,
    ),
    # --- Chinese companies and universities to US labs --------------------------------------
    Person(
        "Liu Yang",
        ("retrieval", "large language models"),
        (
            Stint("peking-university", "PhD student", "2012-09", "2017-06"),
            Stint("damo-academy", "Senior Algorithm Expert", "2017-07", "2022-09"),
            Stint("openai", "Member of Technical Staff", "2022-10"),
        ),
        (Report("damo-academy", "openai", "2022-10", (0.78,)),),
        native_name="刘洋",
        h_index=29,
    ),
    Person(
        "Sun Jia",
        ("post-training", "alignment"),
        (
            Stint("sjtu", "PhD student", "2014-09", "2019-06"),
            Stint("bytedance-seed", "Research Scientist", "2019-07", "2025-06"),
            Stint("meta-superintelligence-labs", "Research Scientist", "2025-07"),
        ),
        (Report("bytedance-seed", "meta-superintelligence-labs", "2025-07", (0.84,)),),
        native_name="孙佳",
        h_index=22,
    ),
    # --- academia to industry ----------------------------------------------------------------
    Person(
        "Maria Rossi",
        ("reinforcement learning", "games"),
        (
            Stint("university-of-oxford", "Associate Professor", "2012-10", "2019-03"),
            Stint("google-deepmind", "Research Director", "2019-04"),
        ),
        (Report("university-of-oxford", "google-deepmind", "2019-04", (0.9,)),),
        orcid=True,
        h_index=48,
        works=130,
    ),
    Person(
        "Hannah Schmidt",
        ("protein structure", "generative models"),
        (
            Stint("eth-zurich", "Postdoctoral Researcher", "2016-01", "2020-08"),
            Stint("google-deepmind", "Staff Research Scientist", "2020-09"),
        ),
        (Report("eth-zurich", "google-deepmind", "2020-09", (0.86,)),),
        h_index=26,
    ),
    Person(
        "Priya Nair",
        ("safety", "interpretability"),
        (
            Stint("ucl", "PhD student", "2014-10", "2018-09"),
            Stint("google-deepmind", "Research Scientist", "2018-10"),
        ),
        h_index=19,
    ),
    Person(
        "Daniel Okafor",
        ("robotics", "world models"),
        (
            Stint("uc-berkeley", "PhD student", "2015-08", "2020-05"),
            Stint("uc-berkeley", "Postdoctoral Researcher", "2020-06", "2021-12"),
            Stint("openai", "Research Scientist", "2022-01"),
        ),
        (Report("uc-berkeley", "openai", "2022-01", (0.8,)),),
        h_index=23,
    ),
    Person(
        "Tomás Ferreira",
        ("theory", "optimisation"),
        (
            Stint("mila", "Postdoctoral Researcher", "2017-09", "2021-02"),
            Stint("google-deepmind", "Research Scientist", "2021-03"),
        ),
        orcid=False,
        h_index=17,
    ),
    # --- industry to academia ----------------------------------------------------------------
    Person(
        "Sofia Alvarez",
        ("fairness", "causal inference"),
        (
            Stint("google-deepmind", "Senior Research Scientist", "2015-06", "2023-06"),
            Stint("stanford-university", "Assistant Professor", "2023-09"),
        ),
        (Report("google-deepmind", "stanford-university", "2023-09", (0.83,)),),
        h_index=31,
    ),
    Person(
        "Zhao Lei",
        ("knowledge graphs", "retrieval"),
        (
            Stint("baidu-research", "Principal Architect", "2014-03", "2021-06"),
            Stint("peking-university", "Professor", "2021-09"),
        ),
        (
            Report(
                "baidu-research",
                "peking-university",
                "2021-09",
                (0.8,),
                verb="joins the faculty of",
            ),
        ),
        native_name="赵磊",
        h_index=39,
    ),
    # --- Europe and North America ------------------------------------------------------------
    Person(
        "Camille Laurent",
        ("large language models", "efficiency"),
        (
            Stint("fair-paris", "Research Scientist", "2017-01", "2023-04"),
            Stint("mistral-ai", "Co-founder", "2023-05"),
        ),
        (Report("fair-paris", "mistral-ai", "2023-05", (0.95, 0.9), verb="co-founds"),),
        h_index=34,
    ),
    Person(
        "Oliver Bennett",
        ("reinforcement learning", "alignment"),
        (
            Stint("university-of-toronto", "PhD student", "2013-09", "2018-06"),
            Stint("google-deepmind", "Research Scientist", "2018-08", "2023-01"),
            Stint("anthropic", "Member of Technical Staff", "2023-02"),
        ),
        (Report("google-deepmind", "anthropic", "2023-02", (0.88,)),),
        h_index=28,
    ),
    Person(
        "Nadia Petrova",
        ("autonomous driving", "world models"),
        (
            Stint("google-deepmind", "Research Engineer", "2017-05", "2021-10"),
            Stint("wayve", "Head of Research", "2021-11"),
        ),
        (Report("google-deepmind", "wayve", "2021-11", (0.79,)),),
        h_index=16,
    ),
    Person(
        "Ethan Brooks",
        ("scaling laws", "pretraining"),
        (Stint("openai", "Member of Technical Staff", "2018-06", "2024-09"),),
        (Report("openai", None, "2024-10", (0.7,), verb="has left"),),
        h_index=25,
    ),
)

# (external id, institution, title, location, country, posted, research, role category, topics)
POSTINGS: tuple[tuple[str, str, str, str, str, str, bool, str | None, tuple[str, ...]], ...] = (
    ("demo-1", "openai", "Research Scientist, Pretraining", "San Francisco, CA", "US", "2026-07-09", True, "research_scientist", ("llm",)),
    ("demo-2", "openai", "Research Engineer, RL", "San Francisco, CA", "US", "2026-02-01", True, "research_engineer", ("rl",)),
    ("demo-3", "openai", "Member of Technical Staff, Inference", "San Francisco, CA", "US", "2026-07-08", True, "member_of_technical_staff", ("infrastructure",)),
    ("demo-4", "openai", "Recruiter, Research", "San Francisco, CA", "US", "2026-03-05", False, None, ()),
    ("demo-5", "openai", "Research Scientist, Alignment", "San Francisco, CA", "US", "2026-09-03", True, "research_scientist", ("safety",)),
    ("demo-7", "anthropic", "Research Scientist, Pretraining", "London, UK", "GB", "2026-05-05", True, "research_scientist", ("llm",)),
    ("demo-9", "anthropic", "Member of Technical Staff, Inference", "London, UK", "GB", "2026-05-07", True, "member_of_technical_staff", ("infrastructure",)),
    ("demo-10", "anthropic", "Recruiter, Research", "London, UK", "GB", "2026-05-08", False, None, ()),
    ("demo-11", "anthropic", "Research Scientist, Alignment", "London, UK", "GB", "2026-07-02", True, "research_scientist", ("safety",)),
    ("demo-15", "google-deepmind", "Member of Technical Staff, Inference", "London, UK", "GB", "2026-08-09", True, "member_of_technical_staff", ("infrastructure",)),
    ("demo-17", "google-deepmind", "Research Scientist, Alignment", "London, UK", "GB", "2026-08-07", True, "research_scientist", ("safety",)),
    ("demo-25", "mistral-ai", "Research Scientist, Pretraining", "Paris, France", "FR", "2026-01-07", True, "research_scientist", ("llm",)),
    ("demo-26", "mistral-ai", "Research Engineer, RL", "Paris, France", "FR", "2026-09-04", True, "research_engineer", ("rl",)),
    ("demo-27", "mistral-ai", "Member of Technical Staff, Inference", "Paris, France", "FR", "2026-06-01", True, "member_of_technical_staff", ("infrastructure",)),
    ("demo-28", "mistral-ai", "Recruiter, Research", "Paris, France", "FR", "2026-10-06", False, None, ()),
    ("demo-30", "mistral-ai", "Software Engineer, Frontend", "Paris, France", "FR", "2026-04-02", False, None, ()),
    ("demo-33", "moonshot-ai", "Member of Technical Staff, Inference", "Beijing, China", "CN", "2026-08-07", True, "member_of_technical_staff", ("infrastructure",)),
    ("demo-34", "moonshot-ai", "Recruiter, Research", "Beijing, China", "CN", "2026-01-03", False, None, ()),
    ("demo-36", "moonshot-ai", "Software Engineer, Frontend", "Beijing, China", "CN", "2026-08-08", False, None, ()),
)  # fmt: skip


def orcid_checksum(base: str) -> str:
    """The ISO 7064 11,2 check character of the 15 digits of an ORCID iD."""
    total = 0
    for digit in base:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def ids_of(n: int, person: Person) -> dict[str, str]:
    ids = {"openalex": f"A59002{n:05d}"}
    if person.orcid:
        base = f"000000031100{n:03d}"
        ids["orcid"] = f"{base[:4]}-{base[4:8]}-{base[8:12]}-{base[12:]}{orcid_checksum(base)}"
    return ids


def slugify(name: str) -> str:
    return "-".join(
        "".join(c for c in part.lower() if c.isalnum() and c.isascii()) for part in name.split()
    )


def month_after(date: str, months: int) -> str:
    year, month = (int(p) for p in date.split("-"))
    month += months
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return f"{year:04d}-{month:02d}"


def person_lines(n: int, person: Person) -> list[dict[str, Any]]:
    ids = ids_of(n, person)
    ref: dict[str, Any] = {"name": person.name, "ids": ids}
    if person.native_name:
        ref["native_name"] = person.native_name
    profile = f"{SITE}/people/{slugify(person.name)}"
    lines: list[dict[str, Any]] = [
        {
            "type": "document_seen",
            "url": profile,
            "kind": "profile",
            "title": f"{person.name} — profile ({FICTIONAL})",
            "publisher": "Talentflow demo profiles (fictional)",
            "published_at": "2026-06-01T00:00:00Z",
        },
        {
            "type": "researcher_seen",
            "name": person.name,
            **({"native_name": person.native_name} if person.native_name else {}),
            "ids": ids,
            "topics": list(person.topics),
            "works_count": person.works,
            "cited_by_count": person.h_index * 310,
            "h_index": person.h_index,
            "document_url": profile,
        },
    ]
    for stint in person.stints:
        lines.append(
            {
                "type": "affiliation_seen",
                "person": ref,
                "institution": {"slug": stint.slug},
                "role": stint.role,
                "start": stint.start,
                **({"end": stint.end} if stint.end else {}),
                "source_key": f"demo:{slugify(person.name)}:{stint.slug}:{stint.start}",
                "document_url": profile,
            }
        )
    for report in person.reports:
        origin = NAMES[report.from_slug] if report.from_slug else None
        destination = NAMES[report.to_slug] if report.to_slug else None
        if origin and destination:
            quote = f"{person.name}, formerly of {origin}, {report.verb} {destination}."
        elif destination:
            quote = f"{person.name} {report.verb} {destination}."
        else:
            quote = f"{person.name} {report.verb} {origin}; where they go next is not known."
        for k, confidence in enumerate(report.confidences):
            publisher, folder = OUTLETS[k % len(OUTLETS)]
            year = report.date[:4]
            url = f"{NEWS}/{folder}/{year}/{slugify(person.name)}-{report.to_slug or 'departs'}"
            lines.append(
                {
                    "type": "document_seen",
                    "url": url,
                    "kind": "news_article",
                    "title": f"{quote} ({FICTIONAL})",
                    "publisher": publisher,
                    "published_at": f"{month_after(report.date, k)}-1{k + 2}T09:00:00Z",
                    "language": "en",
                }
            )
            lines.append(
                {
                    "type": "move_reported",
                    "person": ref,
                    **(
                        {"from_institution": {"slug": report.from_slug}} if report.from_slug else {}
                    ),
                    **({"to_institution": {"slug": report.to_slug}} if report.to_slug else {}),
                    "date": report.date,
                    "quote": quote,
                    "span_start": 0,
                    "span_end": len(quote),
                    "document_url": url,
                    "confidence": confidence,
                    "extractor": "demo",
                }
            )
    return lines


def posting_lines() -> list[dict[str, Any]]:
    return [
        {
            "type": "job_posting_seen",
            "source": "demo",
            "external_id": ext,
            "institution": {"slug": slug},
            "title": title,
            "location": location,
            "country_code": country,
            "remote": False,
            "posted_at": f"{posted}T00:00:00Z",
            "url": f"https://jobs.demo.talentflow.example/{slug}/{ext.removeprefix('demo-')}",
            "is_research": research,
            "role_category": category,
            "topics": list(topics),
        }
        for ext, slug, title, location, country, posted, research, category, topics in POSTINGS
    ]


def render() -> str:
    lines: list[dict[str, Any]] = []
    for n, person in enumerate(PEOPLE, start=1):
        lines.extend(person_lines(n, person))
    lines.extend(posting_lines())
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def main() -> int:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
