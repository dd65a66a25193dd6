"""Measure the job-board classifier and location parser against the labelled sets.

    python bench/quality_jobs.py           # print the figures and every miss
    python bench/quality_jobs.py --write   # also refresh the jobs section of docs/quality.md

Figures: precision and recall of ``is_research``; accuracy of the category on true
positives; micro precision and recall of topics; exact-match accuracy of location
countries (and of the remote/hybrid flags). Each is given for the whole set and for the
rows marked ``written_after_rules`` (written after the rules were fixed, never tuned on).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from plugins.jobboards.classify import RULES, classify_posting  # noqa: E402
from plugins.jobboards.glossary import GROUPS  # noqa: E402
from plugins.jobboards.location import parse_location  # noqa: E402

TITLES = ROOT / "tests" / "data" / "job_titles.jsonl"
LOCATIONS = ROOT / "tests" / "data" / "job_locations.jsonl"
QUALITY_DOC = ROOT / "docs" / "quality.md"
START, END = "<!-- jobs:start -->", "<!-- jobs:end -->"
RESULTS = ROOT / "bench" / "quality" / "results"
E2E_COMMAND = "python bench/quality_jobs_e2e.py SET_DIR --json bench/quality/results/NAME.json"
E2E_FIGURES = (
    ("research-role precision", "research_precision", "≥ 0.95"),
    ("research-role recall", "research_recall", "≥ 0.95"),
    ("country accuracy", "country_accuracy", "≥ 0.98"),
    ("category accuracy (true positives)", "category_accuracy", ""),
    ("topic micro precision (labelled topics)", "topic_precision", ""),
    ("topic micro recall (labelled topics)", "topic_recall", ""),
)
COMMAND = "python bench/quality_jobs.py --write"


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


@dataclass
class Figures:
    """Counts for one slice of the labelled sets, and the misses behind them."""

    titles: int = 0
    positives: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    category_ok: int = 0
    topic_tp: int = 0
    topic_fp: int = 0
    topic_fn: int = 0
    locations: int = 0
    countries_ok: int = 0
    flags_ok: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def category_accuracy(self) -> float:
        return _ratio(self.category_ok, self.tp)

    @property
    def topic_precision(self) -> float:
        return _ratio(self.topic_tp, self.topic_tp + self.topic_fp)

    @property
    def topic_recall(self) -> float:
        return _ratio(self.topic_tp, self.topic_tp + self.topic_fn)

    @property
    def country_accuracy(self) -> float:
        return _ratio(self.countries_ok, self.locations)

    @property
    def flag_accuracy(self) -> float:
        return _ratio(self.flags_ok, self.locations)

    def as_dict(self) -> dict[str, float]:
        return {
            "research_precision": self.precision,
            "research_recall": self.recall,
            "category_accuracy": self.category_accuracy,
            "topic_precision": self.topic_precision,
            "topic_recall": self.topic_recall,
            "country_accuracy": self.country_accuracy,
            "flag_accuracy": self.flag_accuracy,
        }


def _load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _score_title(row: dict[str, Any], figures: Figures) -> None:
    got = classify_posting(row["title"], row.get("department"), row.get("team"))
    label = f"{row['title']!r} (dept={row.get('department')!r}, team={row.get('team')!r})"
    figures.titles += 1
    figures.positives += int(row["is_research"])
    if got.is_research and row["is_research"]:
        figures.tp += 1
        if got.category == row["category"]:
            figures.category_ok += 1
        else:
            figures.misses.append(
                f"category  {label}: want {row['category']}, got {got.category} [{got.rule}]"
            )
    elif got.is_research:
        figures.fp += 1
        figures.misses.append(f"false +   {label}: got {got.category} [{got.rule}]")
    elif row["is_research"]:
        figures.fn += 1
        figures.misses.append(f"false -   {label}: want {row['category']} [{got.rule}]")
    want, have = set(row["topics"]), set(got.topics)
    figures.topic_tp += len(want & have)
    figures.topic_fp += len(have - want)
    figures.topic_fn += len(want - have)
    if want != have:
        figures.misses.append(f"topics    {label}: want {sorted(want)}, got {sorted(have)}")


def _score_location(row: dict[str, Any], figures: Figures) -> None:
    got = parse_location(row["text"])
    figures.locations += 1
    if list(got.countries) == row["countries"]:
        figures.countries_ok += 1
    else:
        figures.misses.append(
            f"countries {row['text']!r}: want {row['countries']}, got {list(got.countries)}"
        )
    if (got.remote, got.hybrid) == (row["remote"], row["hybrid"]):
        figures.flags_ok += 1
    else:
        figures.misses.append(
            f"flags     {row['text']!r}: want remote={row['remote']} hybrid={row['hybrid']},"
            f" got remote={got.remote} hybrid={got.hybrid}"
        )


def measure() -> dict[str, Figures]:
    """Score both sets; return figures for ``all`` rows and the ``blind`` batch."""
    result = {"all": Figures(), "blind": Figures()}
    for row in _load(TITLES):
        _score_title(row, result["all"])
        if row.get("written_after_rules"):
            _score_title(row, result["blind"])
    for row in _load(LOCATIONS):
        _score_location(row, result["all"])
        if row.get("written_after_rules"):
            _score_location(row, result["blind"])
    return result


def _e2e(name: str) -> dict[str, Any] | None:
    """A saved end-to-end result (``bench/quality/results/NAME.json``), or None."""
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _e2e_table(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    def cell(data: dict[str, Any] | None, key: str) -> str:
        return f"{data['figures']['all'][key]:.3f}" if data else "–"

    def size(data: dict[str, Any] | None) -> str:
        if not data:
            return "–"
        figures = data["figures"]["all"]
        return f"{figures['postings']} ({figures['research_labelled']} research)"

    lines = [
        "| figure | before this change | after | target |",
        "|---|---|---|---|",
        f"| labelled postings | {size(before)} | {size(after)} | |",
    ]
    lines += [
        f"| {label} | {cell(before, key)} | {cell(after, key)} | {target} |"
        for label, key, target in E2E_FIGURES
    ]
    return lines


def _board_table(data: dict[str, Any]) -> list[str]:
    lines = [
        "| board | postings | research | precision | recall | countries |",
        "|---|---|---|---|---|---|",
    ]
    for name, f in data["figures"].items():
        if name == "all":
            continue
        lines.append(
            f"| `{name}` | {f['postings']} | {f['research_labelled']} |"
            f" {f['research_precision']:.3f} | {f['research_recall']:.3f} |"
            f" {f['country_accuracy']:.3f} |"
        )
    return lines


def _e2e_section() -> list[str]:
    blind_before, blind_after = _e2e("jobs_blind_before"), _e2e("jobs_blind_after")
    dev_before, dev_after = _e2e("jobs_dev_before"), _e2e("jobs_dev_after")
    blind_tuned, batch4_first = _e2e("jobs_blind_tuned"), _e2e("jobs_dev_batch4_first_run")
    blind3_after, blind3_tuned = _e2e("jobs_blind3_after"), _e2e("jobs_blind3_tuned")
    lines = [
        "### End to end: boards on loopback, `talentflow ingest`, GraphQL",
        "",
        "`bench/quality_jobs_e2e.py` serves every board of a labelled set (the `jobs` format:"
        " `boards.json`, each board's API body in its real JSON shape, `labels.jsonl`) on"
        " 127.0.0.1 under the board's real URL path, runs `talentflow ingest greenhouse|lever"
        "|ashby` into a fresh migrated database, reads the postings back through GraphQL and"
        " scores them, per board too, listing every error. It uses only interfaces older"
        " code has, so the same script gives the figure before a change"
        " (`PYTHONPATH=<old checkout>`). Run: `" + E2E_COMMAND + "`.",
        "",
        "<!-- jobs-blind:start -->",
        "**Blind set** (written by someone who had not read `plugins/jobboards/`; measured"
        " once before and once after this change, never tuned on):",
        "",
    ]
    if blind_before or blind_after:
        lines += _e2e_table(blind_before, blind_after)
        if blind_after:
            lines += ["", *_board_table(blind_after)]
    else:
        lines.append(
            "_Not measured yet._ Save the two runs with `--figures-only --json"
            " bench/quality/results/jobs_blind_before.json` (the code before this change first"
            " on `PYTHONPATH`) and `--figures-only --json"
            " bench/quality/results/jobs_blind_after.json`, then run"
            f" `{COMMAND}`: the figures appear here."
        )
    lines += ["<!-- jobs-blind:end -->", ""]
    if blind_after and blind_tuned:
        lines += [
            "**The same set once spent: TUNED figures, not blind.** After the figures above"
            " were published, the misses on this set were read and fixed by kind"
            " (infrastructure-only *Technical Staff*, deployment, on-device and hardware"
            " engineers under research-centre departments, a security researcher on LLM red"
            " teaming, a manager whose own title names research, visiting scholars, a scholars"
            " programme, market intelligence, a remote job open to any country), and further"
            " kinds were fixed on titles written for the tests (the head of a research area,"
            " researchers of a field that is not AI, time zones, Japanese, Korean and"
            " traditional-script titles). Category accuracy here compares with the set's"
            " coverage tags, not the product's role vocabulary. The set has"
            " been tuned on since, so these figures say nothing about unseen boards; a fresh"
            " blind set measures that (raw figures:"
            " `bench/quality/results/jobs_blind_tuned.json`).",
            "",
            "| figure | blind run (above, after) | now, tuned on it | target |",
            "|---|---|---|---|",
            *(
                f"| {label} | {blind_after['figures']['all'][key]:.3f} |"
                f" {blind_tuned['figures']['all'][key]:.3f} | {target} |"
                for label, key, target in E2E_FIGURES
            ),
            "",
        ]
    if blind3_after and blind3_tuned:
        lines += [
            "**The second round's blind set once spent: TUNED figures, not blind**"
            " (`bench/quality/sets/blind3/jobs`, 8 boards; its blind figures are in the"
            " second round's table at the top of this page). Its misses were then read and"
            " fixed by kind, with general rules: engineering work on models is engineering"
            " whatever the topic and the department (inference acceleration, evaluation,"
            " data, platform, application, recommendation/search/ads and industry"
            " fine-tuning engineers, a bare 算法工程师 in a 研究院, '<X> Engineer, Research'"
            " where X is such work); engineers and technical staff in customer-facing"
            " departments or teams (public sector, solutions) deliver models; a bare"
            " *Member of Technical Staff* takes its area from its team; scientists of a"
            " laboratory science (medicinal chemistry, structural biology, assays) and"
            " economists of AI are not AI researchers; Trust & Safety and 内容安全"
            " researchers work on moderation; a postdoc of a research institute and the"
            " Korean 전문연구요원 post are research; a bare *Remote* posting whose text says"
            " the role *can be done from any country* has no country. The figures below say"
            " nothing about"
            " unseen boards (raw figures: `bench/quality/results/jobs_blind3_tuned.json`)."
            " Three false positives remain, each decided in its label by the description"
            " rather than the title: a software engineer in *Research* on the pre-training"
            " codebase, a *Research Software Engineer* whose text is infrastructure work"
            " (the development set labels the same title research), and an"
            " autonomous-driving perception algorithm engineer in a business group. A fourth,"
            " a *Research Engineer, Training Infrastructure* whose text says it builds the"
            " infrastructure researchers train on, is now decided by that text (the rule the"
            " fourth blind set's research-infrastructure engineers asked for), once its"
            " paragraph is no longer lost inside the company's *About* section.",
            "",
            "| figure | blind run (second round) | now, tuned on it | target |",
            "|---|---|---|---|",
            *(
                f"| {label} | {blind3_after['figures']['all'][key]:.3f} |"
                f" {blind3_tuned['figures']['all'][key]:.3f} | {target} |"
                for label, key, target in E2E_FIGURES
            ),
            "",
        ]
    lines += [
        "**Development set** (`bench/quality/sets/jobs_dev`, built by"
        " `bench/quality/make_jobs_dev.py`; the rules were tuned on it, so the *after* column"
        " flatters them). It holds the titles and locations below as boards, plus postings of"
        " the kinds the rules got wrong on unseen boards (Chinese titles, R&D departments,"
        " Remote postings with their own country, repeated About-us blocks), a second"
        " batch of common Chinese-company titles and a third that varies the payloads"
        " (bold-line headings, Chinese list headings, regional locations with a structured"
        " country). Each later batch was measured once before any fix for it: the second"
        " scored research precision 1.000, recall 0.903 on its board"
        " (`jobs_dev_batch2_first_run.json`), the third 1.000 / 1.000 with countries 1.000"
        " on its board (and showed a country regression on another board, since fixed)."
        " *Before* is the code before the hiring-signal rules, measured on the set as it was"
        " then (585 postings); two converted rows changed label since (a bare *Engineer* in"
        " *Research* is no longer a research engineer, as the issue asks; *Research Scientist,"
        " Economics of AI* is an economist, as the second round's blind set labels it), and"
        " four converted"
        " *Member of Technical Staff* rows on infrastructure alone (GPU kernels, inference,"
        " training infrastructure) are no longer research, like an infrastructure algorithm"
        " engineer. A fourth batch (three boards: traditional-script titles on a Hong Kong"
        " company's site, Japanese titles on Ashby, Korean titles on Lever, with multi-place,"
        " remote and other-country locations in those scripts) was written after the rules"
        " for it, by their author, so it is no test of them; on the code before those rules"
        " it scored",
    ]
    if batch4_first:
        shown = []
        for board in ("greenhouse:devtw", "ashby:devjp", "lever:devkr"):
            f = batch4_first["figures"].get(board)
            if f:
                shown.append(
                    f" `{board}` recall {f['research_recall']:.3f},"
                    f" countries {f['country_accuracy']:.3f}"
                )
        lines[-1] += ";".join(shown) + " (`jobs_dev_batch4_first_run.json`)."
    else:
        lines[-1] += " (not measured)."
    lines.append("")
    if dev_before or dev_after:
        lines += _e2e_table(dev_before, dev_after)
        if dev_after:
            lines += ["", "After this change, per board:", "", *_board_table(dev_after)]
    else:
        lines.append("_Not measured yet._")
    return lines


def _glossary_section() -> list[str]:
    lines = [
        "Chinese titles are read through `plugins.jobboards.glossary`: each known term is"
        " replaced by its English equivalent (the longest term wins), then the rules above"
        " decide, so 大模型算法工程师 is a research engineer on `llm` like *Large Model"
        " Algorithm Engineer*. 推理 alone is *inference* (推理能力/数学推理/推理模型 are"
        " *reasoning*); 安全 alone is *security* (大模型安全/AI安全/模型安全 are AI *safety*,"
        " 内容安全 is Trust & Safety). Traditional-script titles are first converted to"
        " simplified script (OpenCC's Taiwan phrase table, `opencc-purepy`: 大模型演算法工程師,"
        " 研究員（自然語言處理）), and every term is keyed through the same conversion, so one"
        " table serves both scripts. Japanese and Korean titles have their own terms"
        " (リサーチサイエンティスト, 機械学習エンジニア, 연구원, 리서치 엔지니어, ...), with the same"
        " categories and topics as English; a space inside a Korean term is optional.",
        "",
        "| kind | terms |",
        "|---|---|",
    ]
    for name, terms in GROUPS:
        shown = ", ".join(f"{zh} {en.strip() or '(dropped)'}" for zh, en in terms)
        lines.append(f"| {name} | {shown} |")
    return lines


def _section(result: dict[str, Figures]) -> str:
    whole, blind = result["all"], result["blind"]
    today = dt.date.today().isoformat()

    def row(name: str, attr: str) -> str:
        return f"| {name} | {getattr(whole, attr):.3f} | {getattr(blind, attr):.3f} |"

    lines = [
        START,
        "## Job postings: research roles, topics and locations",
        "",
        *_e2e_section(),
        "",
        "### The classifier and location parser alone",
        "",
        f"Measured {today} with `{COMMAND}` on `tests/data/job_titles.jsonl`"
        f" ({whole.titles} titles, {whole.positives} research roles) and"
        f" `tests/data/job_locations.jsonl` ({whole.locations} location strings).",
        f"The blind batch ({blind.titles} titles, {blind.locations} locations, marked"
        " `written_after_rules`) was written after the rules were fixed and never tuned on;"
        " the rest was written alongside the rules, so its figures flatter them."
        " The blind batch was measured once before any rule change (research precision"
        " 0.946, recall 0.914, category 0.981, topic precision 0.942 / recall 0.925,"
        " countries 1.000); general fixes followed (faculty and lecturer titles, chief"
        " of staff, 'Lead, X Research', algorithm interns, a research department counting"
        " for 'researcher' but not a bare 'scientist', more LLM terms, Trust & Safety"
        " titles), so its current column is no longer blind.",
        "",
        "| figure | all rows | written after the rules |",
        "|---|---|---|",
        row("research-role precision", "precision"),
        row("research-role recall", "recall"),
        row("category accuracy (true positives)", "category_accuracy"),
        row("topic micro precision", "topic_precision"),
        row("topic micro recall", "topic_recall"),
        row("location countries, exact match", "country_accuracy"),
        row("location remote/hybrid flags", "flag_accuracy"),
        "",
        "Rules of `plugins.jobboards.classify`, in the order they are tried (the first match"
        " decides; its name is `RoleClassification.rule`):",
        "",
        "| rule | yields | matches |",
        "|---|---|---|",
        *(
            f"| `{rule.name}` | {rule.category or 'not research'} | {rule.description} |"
            for rule in RULES
        ),
        "",
        "Decisions: the title decides first and the department or team is supporting"
        " evidence only: it tips an engineer (or engineering manager) whose title or team"
        " already names research work (a research topic, or an ML word for an engineer),"
        " never a bare *Engineer*, and never backend, payments, big-data, kernel, DevOps,"
        " front-end and similar functions; *R&D*, *Research & Development*, 研发 and"
        " `<Company> AI Lab` are not research organisations (for a *Researcher* they are"
        " context enough). `Technical Staff, <area>` is member of technical staff, unless"
        " the area is infrastructure alone (inference, kernels, clusters), like an"
        " infrastructure algorithm engineer; security, vulnerability and threat researchers"
        " are not research roles (a security researcher on LLM red teaming is AI safety). Data"
        " scientists are not research roles; Trust & Safety is not the `safety` topic;"
        " weak titles (researcher, scientist, postdoc, professor) need AI context."
        " Engineering work on models is engineering, whatever topic the title names and"
        " whatever the department: an algorithm engineer, or an engineer a research"
        " department would tip, whose title or team names infrastructure (inference and"
        " its acceleration, serving, deployment, quantization, training frameworks,"
        " platforms, MLOps), evaluation, data engineering, applications, recommendation,"
        " search, ads or ranking, or delivery to industries and customers is not research"
        " (大模型评测工程师, 推荐算法工程师, 大模型算法工程师（推理加速）; 推理 beside"
        " reinforcement learning or reasoning is reasoning); an algorithm engineer needs a"
        " research topic in its own title or team, never just a research department."
        " Engineers, research engineers and technical staff in a customer-facing"
        " department or team (public sector, solutions, delivery) deliver models; a bare"
        " *Member of Technical Staff* takes its area from its team. Scientists of a"
        " laboratory science (chemistry, biology, assays) are not AI researchers unless"
        " the title names AI or ML work, an economist of AI is an economist, and Trust &"
        " Safety or 内容安全 researchers work on moderation; a postdoc of a research"
        " institute is research like a researcher."
        " Where the title leaves the work open, the posting's own text (company boilerplate"
        " removed) decides by the duties it names: a research engineer, member of technical"
        " staff or scientist whose title names engineering work or the data, environments,"
        " systems, tooling or validation around models, and whose text is building, running"
        " or maintaining them with no research of their own (no papers, studies, new"
        " methods, experiments or ablations), is not research; an algorithm engineer whose"
        " text is shipping a product's features (落地, 上线, A/B tests) is not either; a title"
        " that names no kind of work (技术专家, 高级专家, スペシャリスト, *Staff Engineer, X*)"
        " whose text names research at least twice, with AI context, is. Without such text"
        " the title decides. A research role, for this tracker, is work that advances AI"
        " itself (models, methods, systems, AI applied to science): researchers of AI"
        " governance, policy or social science (人工智能治理, 社会科学研究员) study another"
        " field and are not counted; computational social science is.",
        "",
        *_glossary_section(),
        "",
        "Country of a posting, first found wins: (1) the country its location string names"
        " (a city several countries share, named alone, such as *Cambridge* or *Vancouver*,"
        " takes the country another place of the same string, the board's structured field"
        " or the text names among them, else its best-known one; never the company's"
        " default, since a US lab's *Oxford* is in England);"
        " (2) the board's structured fields for that posting (Lever's `country`, Ashby's"
        " address, Greenhouse's country custom field and offices); (3) the one country its own text places the job in"
        " (*based in Singapore*, *remote within the United Kingdom*, 工作地点：新加坡); (4) the"
        " company's default country, only for a bare Remote/Hybrid whose text does not open"
        " the job to any country (*you can work from any country*, *we hire in most"
        " countries*, *any LatAm country*, *anywhere in EMEA*, 全球远程: no country). A location"
        " naming several places (*Tokyo or Seoul*, *Remote; Singapore*, 香港 / 深圳) takes the first place's country."
        " Locations: a two-letter code after a US city is a state, after a Canadian province"
        " or city it is Canada, alone it is a country; place names, remote and hybrid words"
        " are read in simplified and traditional Chinese, Japanese and Korean too (臺北,"
        " 東京都, 서울, リモート, 원격, 遠端, 勤務地, 근무지).",
        "",
        "Company boilerplate is left out of what the classifier and the country search read"
        " (the stored description keeps it): by structure where the board marks it"
        " (Greenhouse's `content-intro` / `content-conclusion` blocks, Lever's opening and"
        " closing), and on every board by repetition: a line found in at least 3 of one"
        " board's postings and in at least a fifth of them (or in both of a board of two) is"
        " the company's, not the role's. See the module docstrings.",
        "",
        f"Misses at the time of writing: {len(whole.misses)} (run the command to list them).",
        END,
    ]
    return "\n".join(lines)


def write_section(result: dict[str, Figures], path: Path = QUALITY_DOC) -> None:
    """Replace (or append) only the jobs section of the quality page."""
    section = _section(result)
    text = path.read_text(encoding="utf-8") if path.exists() else "# Quality\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--write", action="store_true", help="update docs/quality.md")
    args = parser.parse_args(argv)
    result = measure()
    for name, figures in result.items():
        print(f"== {name}: {figures.titles} titles, {figures.locations} locations")
        for key, value in figures.as_dict().items():
            print(f"  {key:20s} {value:.3f}")
    print(f"== misses ({len(result['all'].misses)})")
    for miss in result["all"].misses:
        print("  " + miss)
    if args.write:
        write_section(result)
        print(f"updated {QUALITY_DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
