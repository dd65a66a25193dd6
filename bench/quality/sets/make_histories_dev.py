"""Write ``histories_dev.jsonl``: the development set of publication histories.

Every person here is fictional and every history was written by hand for tuning move
inference; the blind set is written by someone else and never read here. Each history is
spelled out below as stints (institution, the years its papers carried it, and, where ORCID
would give one, an employment with start and end dates) and its true moves. Run it to rewrite
the set: ``python bench/quality/sets/make_histories_dev.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "histories_dev.jsonl"

Inst = str | tuple[str, str]  # a seed slug, or (name, country code)


def ref(inst: Inst) -> dict[str, Any]:
    if isinstance(inst, tuple):
        return {"name": inst[0], "country_code": inst[1]}
    return {"slug": inst}


def label(inst: Inst) -> str:
    return inst[0] if isinstance(inst, tuple) else inst


def history(
    number: int,
    tags: list[str],
    note: str,
    pubs: list[tuple[Inst, list[int]]],
    moves: list[tuple[Inst, Inst, int]],
    orcid: list[tuple[Inst, str, str | None] | tuple[Inst, str, str | None, str]] = (),  # type: ignore[assignment]
    name: str | None = None,
) -> dict[str, Any]:
    hid = f"dev-{number:03d}"
    oa = f"A59{number:08d}"
    orcid_id = f"0000-0002-{9000 + number // 1000:04d}-{number % 1000:03d}X"
    person_name = name or f"Dev Person {number}"
    person = {"name": person_name, "ids": {"openalex": oa}}
    if orcid:
        person["ids"]["orcid"] = orcid_id
    url = f"https://dev.histories.example/openalex/{oa}"
    obs: list[dict[str, Any]] = [
        {
            "type": "document_seen",
            "url": url,
            "kind": "profile",
            "title": f"{person_name} — publication profile",
            "publisher": "OpenAlex (dev set)",
        },
        {"type": "researcher_seen", "name": person_name, "ids": person["ids"], "document_url": url},
    ]
    merged: dict[str, tuple[Inst, set[int]]] = {}
    for inst, years in pubs:  # OpenAlex gives one affiliation per institution, all its years
        merged.setdefault(label(inst), (inst, set()))[1].update(years)
    for inst, years_set in merged.values():
        years = sorted(years_set)
        obs.append(
            {
                "type": "affiliation_seen",
                "person": person,
                "institution": ref(inst),
                "years": sorted(years),
                "source_key": f"openalex:{oa}:{label(inst)}",
                "document_url": url,
            }
        )
    if orcid:
        ourl = f"https://dev.histories.example/orcid/{orcid_id}"
        obs.append(
            {
                "type": "document_seen",
                "url": ourl,
                "kind": "profile",
                "title": f"{person_name} — ORCID record",
                "publisher": "ORCID (dev set)",
            }
        )
        for i, entry in enumerate(orcid):
            inst, start, end = entry[0], entry[1], entry[2]
            item: dict[str, Any] = {
                "type": "affiliation_seen",
                "person": person,
                "institution": ref(inst),
                "start": start,
                "source_key": f"orcid:{orcid_id}:employment:{i}",
                "document_url": ourl,
            }
            if end:
                item["end"] = end
            if len(entry) > 3:
                item["role"] = entry[3]  # type: ignore[misc]
            obs.append(item)
    return {
        "id": hid,
        "tags": tags,
        "note": note,
        "observations": obs,
        "moves": [{"from": label(a), "to": label(b), "year": y} for a, b, y in moves],
    }


def yrs(a: int, b: int) -> list[int]:
    return list(range(a, b + 1))


def build() -> list[dict[str, Any]]:
    H: list[dict[str, Any]] = []
    n = iter(range(1, 1000))

    # --- clean careers: consecutive stints, each a true move -----------------------------------
    clean = [
        ("tsinghua-university", "bytedance-seed", "deepseek", 2014, 2019, 2023),
        ("stanford-university", "google-research", "openai", 2012, 2017, 2021),
        ("mit", "fair", "anthropic", 2010, 2016, 2022),
        ("peking-university", "msr-asia", "moonshot-ai", 2013, 2018, 2024),
        ("university-of-toronto", "vector-institute", "cohere", 2011, 2016, 2020),
        ("eth-zurich", "google-deepmind", "mistral-ai", 2012, 2018, 2023),
        ("kaist", "naver", "upstage", 2014, 2018, 2022),
        ("cmu", "microsoft-research", "meta-superintelligence-labs", 2009, 2015, 2025),
        ("sjtu", "alibaba-cloud", "deepseek", 2015, 2019, 2023),
        ("university-of-oxford", "ucl", "uk-aisi", 2010, 2015, 2023),
    ]
    for a, b, c, y0, y1, y2 in clean:
        H.append(
            history(
                next(n),
                ["clean"],
                "three consecutive stints",
                [(a, yrs(y0, y1 - 1)), (b, yrs(y1, y2 - 1)), (c, yrs(y2, 2025))],
                [(a, b, y1), (b, c, y2)],
            )
        )
    # two-stint careers with an off-seed institution
    for inst, country, dest, y in [
        ("University of Bologna", "IT", "mistral-ai", 2020),
        ("Universidad de Chile", "CL", "nvidia", 2018),
        ("Aalto University", "FI", "openai", 2022),
        ("Indian Statistical Institute", "IN", "microsoft-research", 2017),
    ]:
        H.append(
            history(
                next(n),
                ["clean", "off-seed"],
                "a move from an institution outside the seed list",
                [((inst, country), yrs(y - 6, y - 1)), (dest, yrs(y, 2025))],
                [((inst, country), dest, y)],
            )
        )

    # --- visits between home stints -------------------------------------------------------------
    visits = [
        ("tsinghua-university", "msr-asia", 2012, 2016, 2022),
        ("university-of-washington", "allen-institute-for-ai", 2010, 2015, 2024),
        ("inria", "mpi-is", 2011, 2017, 2025),
        ("university-of-tokyo", "riken-aip", 2013, 2019, 2025),
        ("epfl", "google-research", 2012, 2018, 2025),
        ("zhejiang-university", "alibaba", 2014, 2020, 2025),
        ("uc-berkeley", "nvidia", 2008, 2014, 2022),
        ("mila", "google-deepmind", 2016, 2021, 2025),
    ]
    for home, host, y0, vy, y1 in visits:
        H.append(
            history(
                next(n),
                ["visit"],
                f"one year of papers at {host} between years at {home}: a visit",
                [(home, [*yrs(y0, vy - 1), *yrs(vy + 1, y1)]), (host, [vy])],
                [],
            )
        )
    # a visit between stints in a career that also has a real move
    H.append(
        history(
            next(n),
            ["visit", "clean"],
            "PhD at Fudan, a visiting year at HKUST, back to Fudan, then Tencent",
            [
                ("fudan-university", [2012, 2013, 2015, 2016]),
                ("hkust", [2014]),
                ("tencent-ai-lab", yrs(2017, 2024)),
            ],
            [("fudan-university", "tencent-ai-lab", 2017)],
        )
    )
    H.append(
        history(
            next(n),
            ["visit", "clean"],
            "a move, then a visiting year abroad from the new home",
            [
                ("nus", yrs(2010, 2014)),
                ("sea-ai-lab", [2015, 2016, 2017, 2019, 2020, 2021]),
                ("stanford-university", [2018]),
            ],
            [("nus", "sea-ai-lab", 2015)],
        )
    )
    # sabbaticals with ORCID dates
    H.append(
        history(
            next(n),
            ["visit", "sabbatical", "orcid"],
            "a professor's sabbatical year at a company, ORCID-dated",
            [("university-of-edinburgh", [*yrs(2008, 2016), *yrs(2018, 2024)]), ("fair", [2017])],
            [],
            orcid=[
                ("university-of-edinburgh", "2008-09", None),
                ("fair", "2016-09", "2017-08"),
            ],
        )
    )
    H.append(
        history(
            next(n),
            ["visit", "sabbatical"],
            "a sabbatical at a Paris lab, papers only",
            [("mcgill-university", [*yrs(2009, 2018), *yrs(2020, 2025)]), ("fair-paris", [2019])],
            [],
        )
    )

    # --- visits overlapping the home stint --------------------------------------------------------
    overlaps = [
        ("university-of-cambridge", "msr-cambridge", 2010, 2024, 2016),
        ("cuhk", "sensetime", 2012, 2023, 2017),
        ("kyoto-university", "preferred-networks", 2011, 2025, 2019),
        ("tum", "dfki", 2013, 2024, 2018),
        ("seoul-national-university", "naver", 2012, 2025, 2020),
        ("university-of-amsterdam", ("Qualcomm AI Research", "NL"), 2014, 2025, 2021),
    ]
    for home, host, y0, y1, vy in overlaps:
        H.append(
            history(
                next(n),
                ["visit", "overlap"],
                "one year at a partner lab while papers still carried the home institution",
                [(home, yrs(y0, y1)), (host, [vy])],
                [],
            )
        )

    # --- dual appointments ----------------------------------------------------------------------
    duals = [
        ("nyu", "fair", 2012, 2025, 2014),
        ("university-of-toronto", "vector-institute", 2010, 2025, 2017),
        ("universite-de-montreal", "mila", 2008, 2025, 2008),
        ("university-of-tuebingen", "mpi-is", 2012, 2025, 2015),
        ("peking-university", "baai", 2014, 2025, 2019),
    ]
    for a, b, y0, y1, yb in duals:
        H.append(
            history(
                next(n),
                ["dual"],
                "a professor with a long-running second affiliation",
                [(a, yrs(y0, y1)), (b, yrs(yb, y1))],
                [],
            )
        )
    H.append(
        history(
            next(n),
            ["dual", "clean"],
            "a dual appointment that ends in a move to the second institution",
            [("uc-berkeley", yrs(2010, 2019)), ("physical-intelligence", yrs(2020, 2025))],
            [("uc-berkeley", "physical-intelligence", 2020)],
        )
    )

    # --- renames and mergers ------------------------------------------------------------------------
    H.append(
        history(
            next(n),
            ["merger"],
            "Google Brain, then Google DeepMind after the April 2023 merger: no move",
            [(("Google Brain", "US"), yrs(2017, 2023)), ("google-deepmind", yrs(2023, 2025))],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["merger"],
            "DeepMind, then Google DeepMind: the same lab renamed",
            [(("DeepMind", "GB"), yrs(2016, 2022)), ("google-deepmind", yrs(2023, 2025))],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["merger", "clean"],
            "Stanford PhD, Google Brain, then Google DeepMind after the merger: one move",
            [
                ("stanford-university", yrs(2013, 2017)),
                (("Google Brain", "US"), yrs(2018, 2022)),
                ("google-deepmind", yrs(2023, 2025)),
            ],
            [("stanford-university", "Google Brain", 2018)],
        )
    )
    H.append(
        history(
            next(n),
            ["merger", "clean"],
            "Google Brain to OpenAI in 2021: a move from the historical unit",
            [(("Google Brain", "US"), yrs(2016, 2020)), ("openai", yrs(2021, 2025))],
            [("Google Brain", "openai", 2021)],
        )
    )
    H.append(
        history(
            next(n),
            ["rename"],
            "Facebook AI Research, then Meta AI: a rename",
            [
                (("Facebook AI Research", "US"), yrs(2015, 2021)),
                (("Meta AI", "US"), yrs(2022, 2025)),
            ],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["rename"],
            "Element AI acquired by ServiceNow in January 2021: no move",
            [
                (("Element AI", "CA"), yrs(2017, 2020)),
                (("ServiceNow", "US"), yrs(2021, 2025)),
            ],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["rename"],
            "Kakao Brain merged back into Kakao in 2024",
            [("kakao-brain", yrs(2018, 2023)), ("kakao", yrs(2024, 2025))],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["rename"],
            "Generally Intelligent renamed Imbue",
            [(("Generally Intelligent", "US"), yrs(2021, 2022)), ("imbue", yrs(2023, 2025))],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["merger", "clean"],
            "MosaicML acquired by Databricks (2023), then a real move to Anthropic",
            [
                ("mosaicml", yrs(2021, 2023)),
                ("databricks", yrs(2023, 2024)),
                ("anthropic", [2025]),
            ],
            [("databricks", "anthropic", 2025)],
        )
    )
    H.append(
        history(
            next(n),
            ["rename", "clean"],
            "a rename in the middle of a career with one real move before it",
            [
                ("university-of-oxford", yrs(2011, 2015)),
                (("DeepMind", "GB"), yrs(2016, 2022)),
                ("google-deepmind", yrs(2023, 2025)),
            ],
            [("university-of-oxford", "DeepMind", 2016)],
        )
    )

    # --- industry stints with few papers ---------------------------------------------------------
    sparse = [
        ("cmu", "tesla", 2012, 2017, [2019, 2022]),
        ("university-of-michigan", "apple", 2011, 2016, [2018]),
        ("georgia-tech", "amazon", 2013, 2018, [2020, 2023]),
        ("tsinghua-university", "huawei", 2012, 2017, [2019, 2021]),
    ]
    for a, b, y0, y1, byears in sparse:
        H.append(
            history(
                next(n),
                ["industry-sparse"],
                "an industry stint with few papers after the PhD",
                [(a, yrs(y0, y1 - 1)), (b, byears)],
                [(a, b, byears[0])],
            )
        )
    H.append(
        history(
            next(n),
            ["industry-sparse", "orcid"],
            "few papers at the company, but ORCID dates the employment",
            [("ut-austin", yrs(2012, 2017)), ("waymo", [2021])],
            [("ut-austin", "waymo", 2018)],
            orcid=[("ut-austin", "2012-08", "2018-05"), ("waymo", "2018-06", None)],
        )
    )
    H.append(
        history(
            next(n),
            ["industry-sparse", "orcid"],
            "ORCID employment at a start-up with no papers there in the first years",
            [("ucla", yrs(2013, 2019)), ("scale-ai", [2023])],
            [("ucla", "scale-ai", 2020)],
            orcid=[("scale-ai", "2020-03", None)],
        )
    )

    # --- students becoming staff -------------------------------------------------------------------
    H.append(
        history(
            next(n),
            ["student-staff"],
            "PhD, postdoc and faculty at the same university: no move",
            [("mit", yrs(2008, 2025))],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["student-staff", "clean"],
            "student at Tsinghua, then staff at Zhipu AI, a Tsinghua spin-out",
            [("tsinghua-university", yrs(2016, 2021)), ("zhipu-ai", yrs(2022, 2025))],
            [("tsinghua-university", "zhipu-ai", 2022)],
        )
    )
    H.append(
        history(
            next(n),
            ["student-staff", "orcid"],
            "student then researcher at the same company lab (ORCID: intern, then staff)",
            [("msr-asia", yrs(2017, 2025))],
            [],
            orcid=[("msr-asia", "2017-07", "2018-06"), ("msr-asia", "2019-07", None)],
        )
    )

    # --- long gaps ---------------------------------------------------------------------------------------
    gaps = [
        ("university-of-sydney", "anu", 2005, 2009, 2015, 2025),
        ("iit-bombay", "iisc", 2006, 2010, 2016, 2024),
        ("university-of-chicago", "ttic", 2004, 2008, 2014, 2025),
    ]
    for a, b, a0, a1, b0, b1 in gaps:
        H.append(
            history(
                next(n),
                ["gap"],
                "five years without papers between two stints",
                [(a, yrs(a0, a1)), (b, yrs(b0, b1))],
                [(a, b, b0)],
            )
        )
    H.append(
        history(
            next(n),
            ["gap"],
            "a gap with no papers, then back at the same place: no move",
            [("university-of-melbourne", [*yrs(2005, 2009), *yrs(2014, 2020)])],
            [],
        )
    )

    # --- noisy single-paper affiliations ----------------------------------------------------------
    noisy = [
        ("harvard-university", ("Massachusetts General Hospital", "US"), 2010, 2025, 2014),
        ("uiuc", ("Argonne National Laboratory", "US"), 2011, 2024, 2019),
        ("university-of-waterloo", ("Perimeter Institute", "CA"), 2012, 2025, 2015),
        ("wuhan-university", "huawei", 2013, 2025, 2021),
    ]
    for home, noise, y0, y1, ny in noisy:
        H.append(
            history(
                next(n),
                ["noise", "overlap"],
                "a single co-author's affiliation in one year",
                [(home, yrs(y0, y1)), (noise, [ny])],
                [],
            )
        )
    H.append(
        history(
            next(n),
            ["noise"],
            "a noisy affiliation in a year with no home paper",
            [
                ("university-of-maryland", [*yrs(2010, 2014), *yrs(2016, 2025)]),
                (("NASA Goddard Space Flight Center", "US"), [2015]),
            ],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["noise", "clean"],
            "a real move with a noisy affiliation years later at the new home",
            [
                ("columbia-university", yrs(2010, 2015)),
                ("ibm-research", yrs(2016, 2025)),
                (("Cornell Tech", "US"), [2019]),
            ],
            [("columbia-university", "ibm-research", 2016)],
        )
    )

    # --- moves confirmed by ORCID month dates -------------------------------------------------------
    orcid_moves = [
        ("university-of-alberta", "amii", "2015-09", "2019-08", "2019-09", 2015, 2018, 2019),
        ("hku", "tencent-hunyuan", "2014-09", "2021-12", "2022-01", 2014, 2021, 2022),
        ("kth", "wayve", "2016-01", "2020-06", "2020-07", 2016, 2020, 2020),
        ("technion", "ai21-labs", "2012-10", "2018-03", "2018-04", 2012, 2017, 2018),
    ]
    for a, b, s0, e0, s1, y0, y1, yb in orcid_moves:
        H.append(
            history(
                next(n),
                ["clean", "orcid"],
                "a move that ORCID employments date to the month",
                [(a, yrs(y0, y1)), (b, yrs(yb + (1 if yb == y1 else 0), 2025))],
                [(a, b, yb)],
                orcid=[(a, s0, e0), (b, s1, None)],
            )
        )

    # --- returnees and 2-year stints (moves, not visits) ----------------------------------------
    H.append(
        history(
            next(n),
            ["returnee"],
            "two years at a US lab between Chinese stints: two moves",
            [
                ("peking-university", yrs(2010, 2015)),
                ("google-research", yrs(2016, 2017)),
                ("peking-university", yrs(2018, 2025)),
            ],
            [
                ("peking-university", "google-research", 2016),
                ("google-research", "peking-university", 2018),
            ],
        )
    )
    H.append(
        history(
            next(n),
            ["returnee", "clean"],
            "US PhD and industry, then back to China",
            [
                ("uiuc", yrs(2009, 2014)),
                ("fair", yrs(2015, 2019)),
                ("sustech", yrs(2020, 2025)),
            ],
            [("uiuc", "fair", 2015), ("fair", "sustech", 2020)],
        )
    )

    # --- more clean moves with overlapping transition years ---------------------------------------
    overl = [
        ("cornell-university", "openai", 2012, 2019, 2019),
        ("university-of-tokyo", "sakana-ai", 2014, 2023, 2023),
        ("hkust", "huawei-noahs-ark-lab", 2013, 2018, 2018),
        ("ntu-singapore", "a-star", 2012, 2017, 2017),
    ]
    for a, b, y0, y1, yb in overl:
        H.append(
            history(
                next(n),
                ["clean", "overlap-transition"],
                "papers carried both institutions in the transition year",
                [(a, yrs(y0, y1)), (b, yrs(yb, 2025))],
                [(a, b, yb)],
            )
        )

    # --- students: single paper at the first institution, then the rest --------------------------------
    H.append(
        history(
            next(n),
            ["clean"],
            "an undergraduate paper, then a PhD elsewhere",
            [("iit-delhi", [2012]), ("cmu", yrs(2014, 2019)), ("google-deepmind", yrs(2020, 2025))],
            [("iit-delhi", "cmu", 2014), ("cmu", "google-deepmind", 2020)],
        )
    )
    H.append(
        history(
            next(n),
            ["clean"],
            "a career ending with a recent move",
            [("princeton-university", yrs(2015, 2023)), ("safe-superintelligence", [2024, 2025])],
            [("princeton-university", "safe-superintelligence", 2024)],
        )
    )
    H.append(
        history(
            next(n),
            ["visit", "clean"],
            "two separate visiting years from the same home, then a move",
            [
                ("university-of-edinburgh", [2008, 2009, 2011, 2012, 2014, 2015]),
                ("msr-cambridge", [2010]),
                ("google-deepmind", [2013]),
                ("anthropic", yrs(2016, 2025)),
            ],
            [("university-of-edinburgh", "anthropic", 2016)],
        )
    )
    H.append(
        history(
            next(n),
            ["visit"],
            "a visit to two hosts in the same year",
            [
                ("ucsd", [*yrs(2010, 2015), *yrs(2017, 2024)]),
                ("salesforce-research", [2016]),
                (("Scripps Research", "US"), [2016]),
            ],
            [],
        )
    )
    H.append(
        history(
            next(n),
            ["merger", "clean"],
            "labelled as the seed had it: Google Brain as a name of Google DeepMind",
            [(("Google Brain", "US"), yrs(2015, 2019)), ("anthropic", yrs(2020, 2025))],
            [("google-deepmind", "anthropic", 2020)],
        )
    )
    H.append(
        history(
            next(n),
            ["visit", "orcid"],
            "a two-year visiting professorship that ORCID names as one",
            [
                ("university-of-melbourne", [*yrs(2008, 2015), *yrs(2018, 2024)]),
                ("stanford-university", [2016, 2017]),
            ],
            [],
            orcid=[
                ("university-of-melbourne", "2008-02", None, "Professor"),
                ("stanford-university", "2016-01", "2017-12", "Visiting Professor"),
            ],
        )
    )
    H.append(
        history(
            next(n),
            ["visit", "orcid", "student-staff"],
            "a summer internship during the PhD, then a real move after it",
            [
                ("uc-berkeley", yrs(2015, 2020)),
                ("google-research", [2018]),
                ("openai", yrs(2021, 2025)),
            ],
            [("uc-berkeley", "openai", 2021)],
            orcid=[
                ("google-research", "2018-06", "2018-09", "Research Intern"),
                ("openai", "2021-01", None, "Member of Technical Staff"),
            ],
        )
    )
    H.append(
        history(
            next(n),
            ["visit", "orcid"],
            "a twelve-month visit across two calendar years, ORCID-dated",
            [("kaist", [*yrs(2009, 2016), *yrs(2019, 2024)]), ("mila", [2017, 2018])],
            [],
            orcid=[("mila", "2017-09", "2018-08")],
        )
    )
    H.append(
        history(
            next(n),
            ["dual", "orcid"],
            "two ORCID-dated appointments held together, papers alternating between them",
            [
                ("university-of-toronto", [2012, 2013, 2015, 2017, 2019, 2021, 2023]),
                ("vector-institute", [2018, 2020, 2022, 2024]),
            ],
            [],
            orcid=[
                ("university-of-toronto", "2012-07", None, "Professor"),
                ("vector-institute", "2017-09", None, "Faculty Member"),
            ],
        )
    )
    # a lab inside its company (Qwen in Alibaba Cloud, same country): one employer, no move
    H.append(
        history(
            next(n),
            ["parent-child"],
            "Alibaba Cloud, then its Qwen lab: a move between a unit and its parent is no move",
            [
                ("sjtu", yrs(2015, 2018)),
                ("alibaba-cloud", yrs(2019, 2022)),
                ("qwen", yrs(2023, 2025)),
            ],
            [("sjtu", "alibaba-cloud", 2019)],
        )
    )
    return H


def main() -> None:
    rows = build()
    OUT.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8"
    )
    print(f"wrote {len(rows)} histories, {sum(len(r['moves']) for r in rows)} moves to {OUT}")


if __name__ == "__main__":
    main()
