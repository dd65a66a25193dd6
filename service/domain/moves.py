"""Moves: inferring them from affiliation histories, classifying them, merging reports.

Inference follows the bibliometric practice: a move is a change of *primary* affiliation
between consecutive active years. The primary affiliation of a year is the institution with the
most activity that year, where a dated employment record (ORCID-style stint with a start date)
weighs more than a year of publications. Last year's primary keeps the year while it is within
one publication-year of the top (continuity: two dated appointments held together do not flip
with each year's papers), then the lowest institution id of the top decides, so the result
never depends on the order of the input. Institutions
active together are a dual appointment, not a move; a stay shorter than ``min_stay_years`` is
noise (except the latest one, which may be a move still in progress); moves in the last
``provisional_years`` before ``current_year`` are provisional, because publications lag.

Three further rules separate migrants from travellers:

* **Visits.** A run of at most ``visit_max_years`` active years at B between two runs at the
  same home A (A → B → A), or a short stint at B (at most ``visit_max_years`` active years) that
  lies inside a run at A without ever becoming primary, is a *visit* of B from A: one inferred
  move with ``visit=True`` (from the home, to the host, dated to the visit's years), not two
  migrations. A stay of at most ``leave_max_years`` years (all its papers included) away
  from a home of at least ``leave_min_home_years`` active years, between two runs there, is a
  leave of absence (sabbatical, fellowship, secondment): a visit too. Up to
  ``VISIT_CAP_YEARS`` active years, a stay is also a visit when its documents are counted for
  every year (``Stint.year_documents``: OpenAlex works per affiliation-year) and add up to at
  most ``visit_max_documents``, or when every record of it is a visiting role (visiting
  professor, sabbatical, intern: :func:`is_visiting_role`) or a dated stint no longer than
  ``visit_max_years`` (a 12-month visit across two calendar years).
  Callers store visits apart from moves (left out of moves and flows by default).
* **Steps.** A stay at B that never becomes primary because its years are shared with the
  last papers at A and the first at C (a one-year postdoc, a 15-month job between two posts)
  is a step A → B → C, two moves, when all of it lies between A's last year and C's first
  and after A's first, C starts after A's last year, and no record calls it a visit; a stay of one year only when
  it ends before C's first paper and shares its sector with A or C (an industry year between
  two academic posts is an internship).
* **Units.** An institution and its ancestor or descendant in the same country (a lab inside
  its company, a department inside its university) are one employing unit (``index`` gives
  the hierarchy), and so are two labs of one company in one country (DAMO Academy and the
  Qwen team of Alibaba; not two companies of one group, nor two institutes of a research
  society): a change between them is no move, and a move names the institution the
  papers of its year name. A site in another country is its own unit, and so is one the
  seed marks as a site in its parent's country (MSRA Shanghai under MSRA). Two parts of one
  organisation (one top-level ancestor), in whatever countries, active together for more than
  ``allowed_overlap_years`` years are one job named two ways (an employer's ORCID record beside
  the papers' site abroad, a site beside the lab it reports to): a transfer overlaps only by
  the publication lag. A move names the most specific member active in its year (the site or
  lab over the company). Of institutions tied
  in a year, the one with the most activity over the history is the home: a secondary post
  held alongside it, whether it starts with a new job or ends before the home, is a dual
  appointment and neither its start nor its end is a move. Of institutions tied throughout
  (a university and an institute on every paper: UdeM and Mila), the university is the
  employer of record. Two parts of one organisation active together for years are a
  transfer, not one job, when each has at least as many years of its own as they share
  (the old site's papers lagging behind a move between countries), and such a move is
  dated to the new site's first papers.
* **Continuity.** Institutions carry dated predecessor/successor relations (rename, merger,
  spin-out, acquisition). A change of primary affiliation from a predecessor to its successor
  whose first year at the successor lies within ``continuity_years`` of the relation's date is
  the same job under a new name: no move. A spin-out from academia into industry (a start-up
  from a university lab) is the exception: the university lives on, and whoever joins the
  company changes employer and sector. An undated relation (ROR gives no dates) counts where
  the switch is direct, unless a dated one of the same pair says when. Each end counts for its
  unit (papers naming Google, Brain's company, then Google DeepMind follow the Brain merger),
  and in a company's merger of its labs the predecessor also counts for every team under its
  parent, abroad too (a Google Research team in Tokyo, Brain's sister, follows Brain into
  Google DeepMind).
  A real move out of the successor afterwards starts
  from the successor. Continuity is applied again after every step that builds or folds
  stints (visits, steps), so a stay found by a later step keeps its lineage.
* **Dates.** A move carries the interval between the last active year at the origin and the
  first at the destination (``earliest`` .. ``latest``); its ``date`` is the first year at the
  destination, or the month/day of a dated employment at the destination that starts inside the
  interval (ORCID wins when it agrees).

Confidence (:func:`move_confidence`) follows the evidence, through a score that is monotone in
each input (``tests/domain/test_moves.py`` checks it with hypothesis):

    support  = 0.30 s(years before, 2) + 0.30 s(years after, 2) + 0.10 s(documents, 3)
             + 0.10 precision + 0.20 dated
    score    = support - 0.08 min(gap years, 5)
    confidence = identity x clamp(0.25 + 0.70 score, 0.05, 0.95) x (0.85 if provisional)

where s(n, k) = n / (n + k) saturates, ``precision`` is 0 for a year, 0.5 for a quarter, 0.75
for a month and 1 for a day, ``dated`` is 1 when a dated employment (ORCID) agrees with the
move, ``gap`` counts the years with no activity between the two stints, and ``identity`` is the
confidence of the identity merge behind the history (1 when the history is one source's own
record). A news report of the same move confirms it further: the writer combines independent
sources with :func:`combine_confidence`. The inputs come back with the move as its ``reasons``.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from service.domain.dates import PartialDate
from service.domain.institutions import InstitutionIndex, sector

logger = logging.getLogger(__name__)

MoveKind = Literal[
    "academia_to_industry",
    "industry_to_academia",
    "industry_to_industry",
    "academia_to_academia",
    "unknown",
]
MoveStatus = Literal["reported", "corroborated", "confirmed", "retracted", "rumoured"]
RelationKind = Literal["rename", "merger", "spin_out", "acquisition"]
RELATION_KINDS: tuple[RelationKind, ...] = ("rename", "merger", "spin_out", "acquisition")
CURATED_STATUSES = frozenset({"confirmed", "retracted"})

# A year covered by a dated employment record counts as this many years of publications.
DATED_STINT_WEIGHT = 3.0
CONFIDENCE_CAP = 0.99
# The confidence of a visit: a short stint is real, its meaning (visit, collaboration, error) not.
VISIT_CONFIDENCE = 0.5
PRECISION_SCORE = {"year": 0.0, "quarter": 0.5, "month": 0.75, "day": 1.0}
# Roles that say the stint is a stay away from home (ORCID employment roles, as written).
VISITING_ROLE = re.compile(
    r"\b(visiting|visitor|sabbatical|guest|intern|internship|exchange|secondment|on leave)\b",
    re.IGNORECASE,
)
# The longest stint a role or dated record can make a visit of, in active years.
VISIT_CAP_YEARS = 3
# Years of papers elsewhere, and none at home, after which an open ORCID entry is stale.
STALE_ENTRY_YEARS = 2


def is_visiting_role(role: str | None) -> bool:
    """Whether an affiliation's role names a visit (visiting professor, sabbatical, intern)."""
    return bool(role and VISITING_ROLE.search(role))


@dataclass(frozen=True)
class Stint:
    """One affiliation: dated (start/end) like an ORCID employment, or a set of active years
    like publication affiliations, or both. ``documents`` counts the documents behind it."""

    institution_id: int
    start: PartialDate | None
    end: PartialDate | None
    years: frozenset[int] = frozenset()
    source: str = ""
    documents: int = 0
    visiting: bool = False
    year_documents: tuple[tuple[int, int], ...] = ()  # (year, documents) where counted


@dataclass(frozen=True)
class InstInfo:
    kind: str
    country_code: str | None
    parent_id: int | None = None
    parent_kind: str | None = None


@dataclass(frozen=True)
class Relation:
    """``predecessor`` became (part of) ``successor`` on ``date``: a rename, a merger, a
    spin-out or an acquisition."""

    predecessor_id: int
    successor_id: int
    kind: RelationKind
    date: PartialDate | None


@dataclass(frozen=True)
class InferenceSettings:
    current_year: int
    allowed_overlap_years: int = 2
    min_stay_years: int = 1
    provisional_years: int = 2
    visit_max_years: int = 1
    continuity_years: int = 1
    visit_max_documents: int = 2
    leave_max_years: int = 2
    leave_min_home_years: int = 7


@dataclass(frozen=True)
class MoveEvidence:
    """What supports one inferred move; the inputs of :func:`move_confidence`."""

    years_before: int
    years_after: int
    documents: int = 0
    gap_years: int = 0
    date_precision: str = "year"
    dated: bool = False
    identity: float = 1.0
    provisional: bool = False


@dataclass(frozen=True)
class InferredMove:
    from_institution_id: int
    to_institution_id: int
    date: PartialDate
    provisional: bool
    evidence_sources: tuple[str, ...]
    visit: bool = False
    earliest: PartialDate | None = None
    latest: PartialDate | None = None
    confidence: float = 0.6
    reasons: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MoveClass:
    kind: MoveKind
    cross_border: bool
    returnee: bool


# ------------------------------------------------------------------------------- confidence


def _saturating(n: float, k: float) -> float:
    n = max(n, 0.0)
    return n / (n + k)


def move_confidence(evidence: MoveEvidence) -> float:
    """The confidence of an inferred move from its evidence (the model in the module
    docstring): non-decreasing in years on each side, documents, date precision, agreement with
    dated employment and identity confidence; non-increasing in the gap and when provisional."""
    support = (
        0.30 * _saturating(evidence.years_before, 2)
        + 0.30 * _saturating(evidence.years_after, 2)
        + 0.10 * _saturating(evidence.documents, 3)
        + 0.10 * PRECISION_SCORE.get(evidence.date_precision, 0.0)
        + 0.20 * (1.0 if evidence.dated else 0.0)
    )
    score = support - 0.08 * min(max(evidence.gap_years, 0), 5)
    value = min(max(0.25 + 0.70 * score, 0.05), 0.95)
    value *= min(max(evidence.identity, 0.0), 1.0)
    if evidence.provisional:
        value *= 0.85
    return round(value, 4)


def _reasons(evidence: MoveEvidence, **extra: Any) -> dict[str, Any]:
    return {
        "years_before": evidence.years_before,
        "years_after": evidence.years_after,
        "documents": evidence.documents,
        "gap_years": evidence.gap_years,
        "date_precision": evidence.date_precision,
        "dated_employment_agrees": evidence.dated,
        "identity_confidence": evidence.identity,
        "provisional": evidence.provisional,
        **extra,
    }


# ------------------------------------------------------------------------------- inference


@dataclass
class _Run:
    """Consecutive years with the same primary institution (``chain``: the institutions of a
    renamed or merged lineage, oldest first; the run is at ``chain[-1]`` now)."""

    chain: list[int]
    years: list[int]

    @property
    def inst(self) -> int:
        return self.chain[-1]

    @property
    def first(self) -> int:
        return self.years[0]

    @property
    def last(self) -> int:
        return self.years[-1]


class _Units:
    """The employing units of one history: an institution and its ancestor or descendant in
    the same country (a lab inside its company, a department inside its university: Google and
    Google Brain, ByteDance and ByteDance Seed) are one unit, so a change between them is no
    move. A site in another country (Microsoft Research and MSR Cambridge), or one marked as a
    site in the same country (MSRA Shanghai under MSRA), stays its own unit:
    flows are attributed to sites; unless the history names the two together for
    ``shared_years`` years or more (see :meth:`_named_together`). Each unit is keyed by its
    lowest institution id."""

    def __init__(
        self,
        ids: Iterable[int],
        index: InstitutionIndex | None,
        active: Mapping[int, set[int]] | None = None,
        shared_years: int = 0,
    ) -> None:
        self.index = index
        ids = sorted(set(ids))
        root = {i: i for i in ids}

        def find(i: int) -> int:
            while root[i] != i:
                root[i] = root[root[i]]
                i = root[i]
            return i

        for a, b in itertools.combinations(ids, 2):
            if (
                self.same_unit(a, b)
                or self.same_employer(a, b)
                or self._named_together(a, b, active or {}, shared_years)
            ):
                ra, rb = find(a), find(b)
                root[max(ra, rb)] = min(ra, rb)
        self.unit = {i: find(i) for i in ids}
        self.members: dict[int, list[int]] = defaultdict(list)
        for i in ids:
            self.members[self.unit[i]].append(i)

    def _named_together(
        self, a: int, b: int, active: Mapping[int, set[int]], shared_years: int
    ) -> bool:
        """Two parts of one organisation (one top-level ancestor), in whatever countries,
        active together for at least ``shared_years`` years: one job named two ways (a site
        and the lab it reports to, an employer's record beside the papers' site), since a
        transfer overlaps only by the publication lag. Unless the two are staggered, each
        with at least as many years of its own as they share, one before and one after (SAIT
        2014-2021, Samsung's Cambridge centre 2019-2026): a transfer whose old site's papers
        lagged for three years."""
        if shared_years <= 0 or self.index is None or a not in self.index or b not in self.index:
            return False
        if self.index.top_level(a) != self.index.top_level(b):
            return False
        ya, yb = active.get(a, set()), active.get(b, set())
        if len(ya & yb) < shared_years:
            return False
        first, second = sorted((ya, yb), key=lambda ys: (min(ys), max(ys)))
        return not lagged_transfer(first, second)

    def _country(self, inst: int) -> str | None:
        record = self.index.get(inst) if self.index is not None else None
        return record.country_code if record is not None else None

    def order_key(self, inst: int) -> tuple[int, str, str, int]:
        """How ties between institutions break: a university first (papers naming a
        university and an institute together, UdeM and Mila, Tübingen and MPI-IS, Tsinghua and
        Qi Zhi, come from a joint appointment whose employer of record is the university), then
        by name and country, which do not depend on the order institutions were stored in
        (their ids do), then by id."""
        record = self.index.get(inst) if self.index is not None else None
        if record is None:
            return (1, "", "", inst)
        university = 0 if record.kind == "university" else 1
        return (university, record.name.casefold(), record.country_code or "", inst)

    def depth(self, inst: int) -> int:
        return len(self.index.ancestors(inst)) if self.index is not None else 0

    def leaves_academia(self, rel: Relation) -> bool:
        """Whether a relation goes from academia to industry (a company spun out of a
        university lab: its founders leave the university, which lives on)."""
        if self.index is None:
            return False
        return (
            self.index.sector(rel.predecessor_id) == "academia"
            and self.index.sector(rel.successor_id) == "industry"
        )

    def encloses(self, a: int, b: int) -> bool:
        """Whether ``a`` is a proper ancestor of ``b`` (Google of Google Brain)."""
        return a != b and self.index is not None and a in self.index.ancestors(b)

    def same_unit(self, a: int, b: int) -> bool:
        """Equal, or one is an ancestor of the other, their countries do not differ and the
        descendant is no site of its own (MSRA Shanghai under MSRA Beijing)."""
        if a == b:
            return True
        if self.index is None or a not in self.index or b not in self.index:
            return False
        if a in self.index.ancestors(b):
            a, b = b, a
        elif b not in self.index.ancestors(a):
            return False
        ca, cb = self._country(a), self._country(b)
        if ca and cb and ca.upper() != cb.upper():
            return False
        return not self._site_below(a, b)

    def _employer(self, inst: int) -> int | None:
        """The company an industrial lab belongs to: the institution itself if a company, else
        its nearest company ancestor, climbing only through labs and no site; None outside
        industry."""
        assert self.index is not None
        for i in [inst, *self.index.ancestors(inst)]:
            record = self.index.get(i)
            if record is None or (i != inst and record.is_site):
                return None
            if record.kind == "company":
                return i
            if record.kind != "lab":
                return None
        return None

    def same_employer(self, a: int, b: int) -> bool:
        """Two labs of one company in one country (DAMO Academy and the Qwen team, two
        Tencent labs): one employer, so a change between them is an internal transfer. The
        company is each lab's nearest company ancestor, the same or one the parent of the
        other in that country (Alibaba Cloud under Alibaba). A company of its own (Waymo,
        Isomorphic Labs beside a Google lab), a site and any lab outside industry (two
        institutes of a research society, two campuses) stay apart."""
        if a == b or self.index is None or a not in self.index or b not in self.index:
            return False
        ra, rb = self.index.get(a), self.index.get(b)
        if ra is None or rb is None or ra.kind != "lab" or rb.kind != "lab":
            return False
        if ra.is_site or rb.is_site:
            return False
        ca, cb = ra.country_code, rb.country_code
        if not ca or not cb or ca.upper() != cb.upper():
            return False
        ea, eb = self._employer(a), self._employer(b)
        if ea is None or eb is None:
            return False
        return self.same_unit(ea, eb)

    def _site_below(self, inst: int, ancestor: int) -> bool:
        """Whether ``inst`` or an institution between it and ``ancestor`` is a site."""
        assert self.index is not None
        for i in [inst, *self.index.ancestors(inst)]:
            if i == ancestor:
                return False
            record = self.index.get(i)
            if record is not None and record.is_site:
                return True
        return False

    def merged_with(self, rel: Relation, unit: int) -> bool:
        """Whether a merger carries ``unit`` along with its predecessor: a company's merger
        of its labs absorbs the predecessor's teams wherever they sit, so a member of ``unit``
        under the predecessor's parent (Brain's Tokyo team, a site of Google Research abroad)
        follows it into the successor. A university's departments do not follow one of them."""
        if rel.kind != "merger" or self.index is None or rel.predecessor_id not in self.index:
            return False
        record = self.index.get(rel.predecessor_id)
        parent = record.parent_id if record is not None else None
        if parent is None or self.index.sector(parent) != "industry":
            return False
        return any(
            m in self.index and parent in self.index.ancestors(m)
            for m in self.members.get(unit, (unit,))
        )

    def linked(self, inst: int, unit: int) -> bool:
        """Whether ``inst`` (a relation's end, maybe outside the history) is in ``unit``."""
        return any(self.same_unit(inst, m) for m in self.members.get(unit, (unit,)))


def lagged_transfer(old: Iterable[int], new: Iterable[int]) -> bool:
    """Whether two stints' active years are a transfer whose old papers lagged, not a dual
    appointment: they share years, the old one ends first, and each has at least as many
    years of its own as they share, the old one before the shared years and the new one
    after them (SAIT 2014-2021, Samsung's Cambridge centre 2019-2026: three years of lag
    between five and five). A second post held beside a long first one shares more years
    than one of them has alone."""
    old, new = set(old), set(new)
    shared = old & new
    if not shared or max(old) >= max(new):
        return False
    before = sum(1 for y in old if y < min(shared))
    after = sum(1 for y in new if y > max(shared))
    return before >= len(shared) and after >= len(shared)


def stint_years(stint: Stint, settings: InferenceSettings) -> set[int]:
    years = set(stint.years)
    if stint.start is not None:
        last = stint.end.year if stint.end is not None else settings.current_year
        years.update(range(stint.start.year, max(last, stint.start.year) + 1))
    elif stint.end is not None and not years:
        years.add(stint.end.year)
    return years


def doctorate_stints(
    doctorates: Iterable[tuple[int, PartialDate | None, PartialDate | None]],
    stints: Sequence[Stint],
    settings: InferenceSettings,
) -> list[Stint]:
    """Doctorates (institution, start, end) from education records (ORCID's education section)
    that are stints of the career: the move from a doctorate to the first post is a move (PhD →
    postdoc), and publication histories show it because the doctorate's papers name the
    university. An education record shows it where the affiliations hold nothing up to the
    doctorate's end (an ORCID record lists employments only after the PhD): the doctorate becomes a
    dated stint ending there. Where the affiliations reach back to the doctorate's end year or
    earlier, they tell the story and the education record adds nothing."""
    earliest = min((y for s in stints for y in stint_years(s, settings)), default=None)
    out: list[Stint] = []
    for inst, start, end in sorted(
        doctorates,
        key=lambda d: (
            d[0],
            d[1].sort_key() if d[1] else (0, 0, 0, 0),
            d[2].sort_key() if d[2] else (0, 0, 0, 0),
        ),
    ):
        if end is None or (earliest is not None and earliest < end.year):
            continue
        out.append(Stint(inst, start or end, end, source="education"))
    return out


def dated_years(
    stint: Stint,
    stints: Sequence[Stint],
    settings: InferenceSettings,
    unit_of: Mapping[int, int],
) -> set[int]:
    """The years a dated employment weighs as one, where ORCID's months decide:

    * **A switch inside a year.** An employment that ends (month or day known) in the year
      another, elsewhere, starts at or after its end does not weigh in that year: the months
      say the person had left (the old place's papers of the year are publication lag).
    * **A stale open entry.** An open-ended employment stops weighing after the last year of
      papers at its unit (or its start, if later) when there are none there afterwards and at
      least ``STALE_ENTRY_YEARS`` later years of papers elsewhere, before the last
      ``provisional_years`` (publications lag): nobody updated the ORCID record. A stay away
      that comes back home is not stale: its papers resume."""
    years = stint_years(stint, settings)
    unit = unit_of.get(stint.institution_id, stint.institution_id)
    end = stint.end
    if end is not None and end.precision in ("month", "day") and len(years) > 1:
        for other in stints:
            if (
                other.start is not None
                and unit_of.get(other.institution_id, other.institution_id) != unit
                and other.start.year == end.year
                and other.start.precision in ("month", "day")
                and other.start.months() >= end.months()
            ):
                years.discard(end.year)
                break
    if end is None and stint.start is not None:
        mine = {
            y
            for s in stints
            if unit_of.get(s.institution_id, s.institution_id) == unit
            for y in s.years
        }
        if mine:
            last = max(max(mine), stint.start.year)
            # publications lag: the last provisional years say nothing of an absence
            settled = settings.current_year - settings.provisional_years
            elsewhere = {
                y
                for s in stints
                if unit_of.get(s.institution_id, s.institution_id) != unit
                for y in s.years
                if last < y <= settled
            }
            if len(elsewhere) >= STALE_ENTRY_YEARS:
                years = {y for y in years if y <= last}
    return years


def _activity(
    stints: Sequence[Stint],
    settings: InferenceSettings,
    unit_of: Mapping[int, int] | None = None,
) -> dict[int, dict[int, float]]:
    """year → institution → weight."""
    unit_of = unit_of or {}
    activity: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for stint in stints:
        for year in stint.years:
            activity[year][stint.institution_id] += 1.0
        if stint.start is not None:
            for year in dated_years(stint, stints, settings, unit_of):
                activity[year][stint.institution_id] += DATED_STINT_WEIGHT
        elif stint.end is not None and not stint.years:
            activity[stint.end.year][stint.institution_id] += 1.0
    return activity


def _unit_activity(
    activity: Mapping[int, Mapping[int, float]], units: _Units
) -> dict[int, dict[int, float]]:
    """year → unit → weight: a unit's weight in a year is its most active member's (a paper
    naming both a lab and its company is one paper)."""
    out: dict[int, dict[int, float]] = {}
    for year, weights in activity.items():
        row: dict[int, float] = defaultdict(float)
        for inst, weight in weights.items():
            unit = units.unit.get(inst, inst)
            row[unit] = max(row[unit], weight)
        out[year] = row
    return out


def _primary_runs(
    activity: Mapping[int, Mapping[int, float]],
    order: Callable[[int], tuple[int, str, str, int]] = lambda i: (1, "", "", i),
    documents: Mapping[int, Mapping[int, int]] | None = None,
) -> list[_Run]:
    """Runs of the primary affiliation. Of institutions tied in a year, the one with more of
    that year's ``documents`` where every tied one has them counted, else the one with the most
    activity over the whole history, is the home (a secondary post held alongside it, started
    in the same year or later, does not take over on a tie), then the one active first, then
    the first by ``order`` (a university first, then name and country, so not by storage
    order)."""
    total: dict[int, float] = defaultdict(float)
    first: dict[int, int] = {}
    for year in sorted(activity):
        for inst, weight in activity[year].items():
            total[inst] += weight
            first.setdefault(inst, year)
    runs: list[_Run] = []
    previous: int | None = None
    for year in sorted(activity):
        weights = activity[year]
        top = max(weights.values())
        tied = sorted(
            (i for i, w in weights.items() if w == top),
            key=lambda i: (-total[i], first[i], order(i)),
        )
        # where the year's documents are counted for every tied institution, the one with
        # more of them that year leads (a founder's company over the university of his
        # co-authors)
        counts = [(documents or {}).get(i, {}).get(year) for i in tied]
        if len(tied) > 1 and all(c is not None for c in counts):
            most = max(c for c in counts if c is not None)
            tied = [i for i, c in zip(tied, counts, strict=True) if c == most]
        kept = previous is not None and weights.get(previous, 0.0) >= max(top - 1.0, 1e-9)
        primary = previous if kept else tied[0]
        assert primary is not None
        if runs and runs[-1].inst == primary:
            runs[-1].years.append(year)
        else:
            runs.append(_Run([primary], [year]))
        previous = primary
    return runs


def _drop_short_stays(runs: list[_Run], settings: InferenceSettings) -> list[_Run]:
    recent = settings.current_year - settings.provisional_years
    kept: list[_Run] = []
    for position, run in enumerate(runs):
        length = run.last - run.first + 1
        is_last = position == len(runs) - 1
        if length < settings.min_stay_years and not (is_last and run.last >= recent):
            continue
        if kept and kept[-1].inst == run.inst:
            kept[-1].years.extend(run.years)
        else:
            kept.append(run)
    return kept


def _continuity(
    before: _Run,
    after: _Run,
    relations: Sequence[Relation],
    settings: InferenceSettings,
    units: _Units,
    activity: Mapping[int, Mapping[int, float]],
) -> Relation | None:
    """The relation that makes ``after`` the same job as ``before`` under a new name. A
    relation's end counts for its unit: the Google Brain → Google DeepMind merger carries a
    researcher whose papers say "Google" (Brain's company) to Google DeepMind. An undated
    relation (ROR gives no dates) counts where the switch is direct: the successor's first year
    within ``continuity_years`` of the predecessor's last. The switch is dated to the first
    year of the successor's unbroken activity that runs into ``after`` (papers naming the
    acquirer in the year of the deal, beside the start-up's last), not to when it became
    primary."""
    arrival = after.first
    while (
        arrival - 1 > before.first
        and after.chain[0] in activity.get(arrival - 1, {})
        and arrival - 1 >= after.first - settings.allowed_overlap_years
    ):
        arrival -= 1
    for rel in relations:
        if rel.kind == "spin_out" and units.leaves_academia(rel):
            continue
        if not any(
            units.linked(rel.predecessor_id, u) or units.merged_with(rel, u) for u in before.chain
        ):
            continue
        if not units.linked(rel.successor_id, after.chain[0]):
            continue
        when = rel.date.year if rel.date is not None else before.last
        if min(abs(after.first - when), abs(arrival - when)) <= settings.continuity_years:
            return rel
    return None


def _lineage_closure(relations: list[Relation], units: _Units) -> list[Relation]:
    """The relations with their chains: a rename, merger or acquisition followed, at the same
    date or later, by another from its successor (Codeium renamed Windsurf, then bought by
    Cognition; Yahoo bought by Verizon as Oath, renamed Verizon Media) also relates the first
    predecessor to the last successor, dated by the later link, so a name the papers give
    only in the year between never has to become primary. A spin-out out of academia ends a
    chain (the university lives on)."""
    known = {(r.predecessor_id, r.successor_id) for r in relations}
    out = list(relations)
    frontier = [r for r in relations if r.date is not None]
    links = [r for r in frontier if not (r.kind == "spin_out" and units.leaves_academia(r))]
    for _ in range(4):  # chains of at most five names
        added: list[Relation] = []
        for first in frontier:
            if first.kind == "spin_out" and units.leaves_academia(first):
                continue
            for then in links:
                if then.predecessor_id != first.successor_id or first.date is None:
                    continue
                if then.date is None or then.date.sort_key() < first.date.sort_key():
                    continue
                pair = (first.predecessor_id, then.successor_id)
                if pair[0] == pair[1] or pair in known:
                    continue
                known.add(pair)
                added.append(Relation(pair[0], pair[1], then.kind, then.date))
        if not added:
            break
        out += added
        frontier = added
    return out


def _join_lineages(
    runs: list[_Run],
    relations: Sequence[Relation],
    settings: InferenceSettings,
    units: _Units,
    activity: Mapping[int, Mapping[int, float]],
) -> tuple[list[_Run], list[tuple[int, int, Relation]]]:
    joined: list[_Run] = []
    links: list[tuple[int, int, Relation]] = []
    for run in runs:
        rel = _continuity(joined[-1], run, relations, settings, units, activity) if joined else None
        if rel is not None:
            links.append((joined[-1].inst, run.chain[0], rel))
            joined[-1] = _Run(joined[-1].chain + run.chain, joined[-1].years + run.years)
        else:
            joined.append(run)
    return joined, links


@dataclass(frozen=True)
class _Visit:
    home: int
    host: int
    years: tuple[int, ...]
    between: bool
    leave: bool = False


def _year_documents(stints: Iterable[Stint], units: _Units) -> dict[int, dict[int, int]]:
    """unit → year → documents: the largest count any source gives for an institution and
    year (sources count the same works), added up over the unit's institutions."""
    per_inst: dict[int, dict[int, int]] = defaultdict(dict)
    for s in stints:
        for year, count in s.year_documents:
            known = per_inst[s.institution_id]
            known[year] = max(known.get(year, 0), count)
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for inst, counts in per_inst.items():
        row = out[units.unit.get(inst, inst)]
        for year, count in counts.items():
            row[year] = row.get(year, 0) + count
    return out


def _few_documents(
    years: Sequence[int], counts: Mapping[int, int], settings: InferenceSettings
) -> bool:
    """Whether every year of a stay has a document count and they add up to at most
    ``visit_max_documents``."""
    if settings.visit_max_documents <= 0 or not years:
        return False
    if any(y not in counts for y in years):
        return False
    return sum(counts[y] for y in years) <= settings.visit_max_documents


def _short(
    host: int,
    years: Sequence[int],
    stints: Sequence[Stint],
    settings: InferenceSettings,
    counts: Mapping[int, int] | None = None,
) -> bool:
    """Whether a stay at ``host`` over ``years`` (active years) is short enough to be a visit:
    at most ``visit_max_years``; or, up to ``VISIT_CAP_YEARS``, its documents are counted for
    every year and add up to at most ``visit_max_documents``, or every record of it is a
    visiting role or a dated stint no longer than ``visit_max_years`` (a 12-month visit across
    two calendar years)."""
    if settings.visit_max_years <= 0:
        return False
    active_years = len(years)
    if active_years <= settings.visit_max_years:
        return True
    if active_years > VISIT_CAP_YEARS:
        return False
    if _few_documents(years, counts or {}, settings):
        return True
    records = [s for s in stints if s.institution_id == host and (s.visiting or s.start)]
    if not records:
        return False
    for s in records:
        if s.visiting:
            continue
        if s.start is None or s.end is None:
            return False
        if s.end.months() - s.start.months() > 12 * settings.visit_max_years:
            return False
    return True


def _on_leave(home: _Run, stay: _Run, stints: Sequence[Stint], settings: InferenceSettings) -> bool:
    """Whether a stay away from an established post is a leave of absence (a sabbatical, a
    fellowship, a secondment to a company): the papers naming the host and not home fall in at
    most ``leave_max_years`` years (a year naming both is the lag at one end of the leave,
    at most one such year), and at least ``leave_min_home_years`` active years at home
    came before it. Leave is earned by years of service; a doctorate and a first contract
    (a shorter first stint) end with a real move, even when the person comes back later."""
    if settings.leave_max_years <= 0 or len(home.years) < settings.leave_min_home_years:
        return False
    host_years = {
        y for s in stints if s.institution_id == stay.inst for y in stint_years(s, settings)
    }
    # the years away: a year whose papers also name home is the lag at either end of the leave
    home_years = {
        y for s in stints if s.institution_id in home.chain for y in stint_years(s, settings)
    }
    # at most one of them: a stay whose papers run from the last year at home to the first
    # back is a stay of two more years (a three-year job)
    named = host_years | set(stay.years)
    away = named - home_years
    return 0 < len(away) <= settings.leave_max_years and len(named) <= settings.leave_max_years + 1


def _fold_visits(
    runs: list[_Run],
    stints: Sequence[Stint],
    settings: InferenceSettings,
    year_docs: Mapping[int, Mapping[int, int]],
) -> tuple[list[_Run], list[_Visit]]:
    """Fold A → B → A with a short B into one run at A, remembering the visit."""
    visits: list[_Visit] = []
    changed = True
    while changed:
        changed = False
        for i in range(1, len(runs) - 1):
            home, stay, back = runs[i - 1], runs[i], runs[i + 1]
            if back.chain[0] not in home.chain and home.inst not in back.chain:
                continue
            short = _short(stay.inst, stay.years, stints, settings, year_docs.get(stay.inst))
            leave = not short and _on_leave(home, stay, stints, settings)
            if not (short or leave) or stay.inst in home.chain:
                continue
            visits.append(_Visit(home.inst, stay.inst, tuple(stay.years), True, leave))
            merged = _Run(
                home.chain + [c for c in back.chain if c not in home.chain],
                sorted(home.years + back.years),
            )
            runs = [*runs[: i - 1], merged, *runs[i + 2 :]]
            changed = True
            break
    return runs, visits


def _overlapping_visits(
    runs: Sequence[_Run],
    activity: Mapping[int, Mapping[int, float]],
    stints: Sequence[Stint],
    settings: InferenceSettings,
    known: Iterable[_Visit],
    year_docs: Mapping[int, Mapping[int, int]],
) -> list[_Visit]:
    """Short stints that never became primary, inside a run at another institution."""
    primaries = {inst for run in runs for inst in run.chain}
    seen = {(v.home, v.host, y) for v in known for y in v.years}
    years_of: dict[int, list[int]] = defaultdict(list)
    for year, weights in activity.items():
        for inst in weights:
            years_of[inst].append(year)
    visits: list[_Visit] = []
    for host in sorted(years_of):
        years = sorted(years_of[host])
        if host in primaries or not _short(host, years, stints, settings, year_docs.get(host)):
            continue
        for run in runs:
            if run.first < years[0] and years[-1] < run.last and host not in run.chain:
                if not any((run.inst, host, y) in seen for y in years):
                    visits.append(_Visit(run.inst, host, tuple(years), False))
                break
    return visits


def _steps_between(
    runs: list[_Run],
    activity: Mapping[int, Mapping[int, float]],
    stints: Sequence[Stint],
    visits: Iterable[_Visit],
    units: _Units,
) -> list[_Run]:
    """Short stays between two jobs that never became primary, because the old job's last
    papers and the new one's first share their years (a one-year postdoc, a 15-month job):
    a step A → B → C, two moves, when every active year at B lies between the last year at A
    and the first at C, after A's first papers (else B is a co-affiliation of all of A), C starts
    after A's last year, and no record calls B a visit. A stay of
    one active year must also end before any paper at C (else it is a stray paper of the
    move's year) and share its sector with A or C (an industry year between two academic
    posts is the internship at the end of a doctorate)."""
    primaries = {inst for run in runs for inst in run.chain}
    visited = {v.host for v in visits}
    years_of: dict[int, list[int]] = defaultdict(list)
    for year, weights in sorted(activity.items()):
        for inst in weights:
            years_of[inst].append(year)
    out: list[_Run] = [runs[0]] if runs else []
    for before, after in itertools.pairwise(runs):
        if after.first > before.last:
            # A's first papers, not its first primary year (a job whose first year's papers
            # still went to the doctorate before it)
            started = min((y for i in before.chain for y in years_of.get(i, ())), default=0)
            started = min(started or before.first, before.first)
            steps = sorted(
                (ys[0], host)
                for host, ys in years_of.items()
                if host not in primaries
                and host not in visited
                and before.last <= ys[0]
                and started < ys[0]
                and ys[-1] <= after.first
                and not any(s.visiting for s in stints if s.institution_id == host)
            )
            if len(steps) == 1:  # two at once are no single step
                host = steps[0][1]
                if len(years_of[host]) > 1 or _lone_year_is_a_step(
                    host, before, after, years_of, units
                ):
                    out.append(_Run([host], list(years_of[host])))
        out.append(after)
    return out


def _lone_year_is_a_step(
    host: int, before: _Run, after: _Run, years_of: Mapping[int, Sequence[int]], units: _Units
) -> bool:
    """Whether a stay of one active year at ``host`` is a step between ``before`` and
    ``after``: it ends before the first paper at the new job (else it is a stray paper of the
    move's year) and shares its sector with one of the two (an industry year between two
    academic posts is the internship at the end of a doctorate)."""
    (year,) = years_of[host]
    first_after = min(
        (y for inst in after.chain for y in years_of.get(inst, ())), default=after.first
    )
    if first_after <= year:
        return False
    if units.index is None or host not in units.index:
        return True
    sector = units.index.sector(host)
    return any(units.index.sector(inst) == sector for inst in (before.inst, after.chain[0]))


def _move_date(
    to_id: int,
    became_primary: int,
    previous_first_year: int,
    activity: Mapping[int, Mapping[int, float]],
    settings: InferenceSettings,
    from_id: int | None = None,
    documents: Mapping[int, Mapping[int, int]] | None = None,
    origin: int | None = None,
) -> int:
    """The first year at the new institution when it started at most ``allowed_overlap_years``
    before becoming primary (a dual appointment that started long before counts from when it
    became primary), or whenever it started in a :func:`lagged_transfer` from ``from_id``
    (given only for two parts of one organisation: a transfer between its sites), or when
    ``documents`` count every year of the overlap at both the new institution and ``origin``
    and the new one has more of them (the old place's papers lag: a student's last papers). A
    year with no papers anywhere says nothing and is stepped over (the new job's first paper,
    then a year without any, then its next)."""
    year = became_primary
    candidate = became_primary
    probe = became_primary - 1
    while probe > previous_first_year:
        if probe not in activity:
            probe -= 1
            continue
        if to_id not in activity[probe]:
            break
        candidate = probe
        probe -= 1
    if became_primary - candidate <= settings.allowed_overlap_years:
        year = candidate
    elif from_id is not None:
        old = {y for y, w in activity.items() if from_id in w}
        new = {y for y, w in activity.items() if to_id in w and y >= candidate}
        if lagged_transfer(old, new):
            year = candidate
    if year != candidate and documents is not None and origin is not None:
        overlap = range(candidate, became_primary)
        here, there = documents.get(to_id, {}), documents.get(origin, {})
        if all(y in here and y in there for y in overlap if y in activity) and sum(
            here.get(y, 0) for y in overlap
        ) > sum(there.get(y, 0) for y in overlap):
            year = candidate
    return year


def _dated_start(
    stints: Sequence[Stint], to_id: int, earliest: int, latest: int
) -> PartialDate | None:
    """The start of a dated employment at ``to_id`` inside the interval, finest first."""
    starts = sorted(
        (s.start for s in stints if s.institution_id == to_id and s.start is not None),
        key=lambda d: (-PRECISION_SCORE.get(d.precision, 0.0), d.sort_key()),
    )
    for start in starts:
        if earliest <= start.year <= latest:
            return start
    return None


def _dated_end_agrees(stints: Sequence[Stint], from_id: int, earliest: int, latest: int) -> bool:
    return any(
        s.institution_id == from_id and s.end is not None and earliest <= s.end.year <= latest
        for s in stints
    )


def _counted(counts: Mapping[int, int], years: Iterable[int]) -> int | None:
    """The documents of ``years`` where every one is counted, else None."""
    years = list(years)
    if not years or any(y not in counts for y in years):
        return None
    return sum(counts[y] for y in years)


def _member(
    units: _Units,
    unit: int,
    activity: Mapping[int, Mapping[int, float]],
    years: Iterable[int],
) -> int:
    """The institution of ``unit`` a move names: in the first of ``years`` where any member is
    active, the most specific one active (a lab over its company, whatever the weights: an
    employment record names the employer, the papers of the same year the lab), then the most
    active of the unrelated ones."""
    members = units.members.get(unit, [unit])
    if len(members) == 1:
        return members[0]
    for year in years:
        weights = activity.get(year, {})
        active = [m for m in members if weights.get(m)]
        if active:
            specific = [m for m in active if not any(units.encloses(m, o) for o in active)]
            return min(specific, key=lambda m: (-weights[m], -units.depth(m), m))
    return unit


def infer_moves(
    stints: Iterable[Stint],
    settings: InferenceSettings,
    info: Mapping[int, InstInfo] | None = None,
    relations: Sequence[Relation] = (),
    identity: float = 1.0,
    index: InstitutionIndex | None = None,
) -> list[InferredMove]:
    """Moves and visits implied by one researcher's affiliation history, oldest first.

    ``info`` is accepted for callers that classify on the way; inference itself needs only the
    ids. ``relations`` are the predecessor/successor relations among the institutions of the
    history; ``identity`` is the confidence of the identity merge behind it; ``index`` gives the
    institution hierarchy (parents and countries), so that a lab and its company are one unit.
    The result does not depend on the order of ``stints`` or ``relations``.
    """
    given = list(stints)
    active: dict[int, set[int]] = defaultdict(set)
    for s in given:
        active[s.institution_id] |= stint_years(s, settings)
    units = _Units(
        (s.institution_id for s in given),
        index,
        active,
        settings.allowed_overlap_years + 1,
    )
    ordered = sorted(
        (replace(s, institution_id=units.unit[s.institution_id]) for s in given),
        key=lambda s: (
            s.institution_id,
            s.start.sort_key() if s.start else (0, 0, 0, 0),
            s.end.sort_key() if s.end else (0, 0, 0, 0),
            tuple(sorted(s.years)),
            s.source,
            s.documents,
            s.visiting,
            s.year_documents,
        ),
    )
    if not ordered:
        return []
    concrete = _activity(given, settings, units.unit)
    activity = _unit_activity(concrete, units)
    if not activity:
        return []
    # A dated relation between two institutions says when; an undated one of the same pair
    # (ROR's, passed on by OpenAlex as a rename) must not make every direct switch continuity.
    dated_pairs = {(r.predecessor_id, r.successor_id) for r in relations if r.date is not None}
    rels = sorted(
        (
            r
            for r in relations
            if r.date is not None or (r.predecessor_id, r.successor_id) not in dated_pairs
        ),
        key=lambda r: (
            r.predecessor_id,
            r.successor_id,
            r.date.sort_key() if r.date else (0, 0, 0, 0),
            r.kind,
        ),
    )
    rels = _lineage_closure(rels, units)
    year_docs = _year_documents(given, units)
    runs = _drop_short_stays(_primary_runs(activity, units.order_key, year_docs), settings)
    runs, links = _join_lineages(runs, rels, settings, units, activity)
    runs, visits = _fold_visits(runs, ordered, settings, year_docs)
    runs, more_links = _join_lineages(runs, rels, settings, units, activity)
    links += more_links
    runs = _steps_between(runs, activity, ordered, visits, units)
    # a step may be the predecessor of the next job (a start-up acquired by its employer)
    runs, step_links = _join_lineages(runs, rels, settings, units, activity)
    links += step_links
    visits += _overlapping_visits(runs, activity, ordered, settings, visits, year_docs)
    documents: dict[int, int] = defaultdict(int)
    for s in ordered:
        documents[s.institution_id] += s.documents
    for unit, counts in year_docs.items():  # works counted per year say more than profiles
        documents[unit] = max(documents[unit], sum(counts.values()))

    def sources(*ids: int) -> tuple[str, ...]:
        return tuple(sorted({s.source for s in ordered if s.institution_id in ids and s.source}))

    moves: list[InferredMove] = []
    for before, after in itertools.pairwise(runs):
        from_unit, to_unit = before.inst, after.chain[0]
        one_organisation = (
            index is not None
            and from_unit in index
            and to_unit in index
            and index.top_level(from_unit) == index.top_level(to_unit)
        )
        year = _move_date(
            to_unit,
            after.first,
            before.first,
            activity,
            settings,
            from_unit if one_organisation else None,
            year_docs,
            from_unit,
        )
        low, high = min(before.last, year), year
        dated = _dated_start(ordered, to_unit, low - 1, high)
        date = dated if dated is not None else PartialDate(year)
        earliest = dated if dated is not None else PartialDate(low)
        latest = dated if dated is not None else PartialDate(high)
        provisional = date.year >= settings.current_year - settings.provisional_years
        evidence = MoveEvidence(
            years_before=len(before.years),
            years_after=len(after.years),
            documents=documents[from_unit] + documents[to_unit],
            gap_years=max(after.first - before.last - 1, 0),
            date_precision=date.precision,
            dated=dated is not None or _dated_end_agrees(ordered, from_unit, low - 1, high),
            identity=identity,
            provisional=provisional,
        )
        continued = [
            {
                "from": r.predecessor_id,
                "to": r.successor_id,
                "kind": r.kind,
                "date": str(r.date) if r.date else None,
            }
            for a, b, r in links
            if a in before.chain or b in after.chain
        ]
        from_id = _member(units, from_unit, concrete, [before.last, *reversed(before.years)])
        to_id = _member(units, to_unit, concrete, [date.year, *after.years])
        extra: dict[str, Any] = {}
        if len(units.members.get(from_unit, ())) > 1 or len(units.members.get(to_unit, ())) > 1:
            extra["units"] = {
                "from": units.members[from_unit],
                "to": units.members[to_unit],
            }
        moves.append(
            InferredMove(
                from_institution_id=from_id,
                to_institution_id=to_id,
                date=date,
                provisional=provisional,
                evidence_sources=sources(from_unit, to_unit),
                earliest=earliest,
                latest=latest,
                confidence=move_confidence(evidence),
                reasons=_reasons(
                    evidence, rule="change_of_primary_affiliation", continuity=continued, **extra
                ),
            )
        )
    for visit in visits:
        home_years = sorted(y for y, w in activity.items() if visit.home in w)
        moves.append(
            InferredMove(
                from_institution_id=_member(
                    units,
                    visit.home,
                    concrete,
                    sorted(home_years, key=lambda y: (abs(y - visit.years[0]), y)),
                ),
                to_institution_id=_member(units, visit.host, concrete, visit.years),
                date=PartialDate(visit.years[0]),
                provisional=False,
                evidence_sources=sources(visit.home, visit.host),
                visit=True,
                earliest=PartialDate(visit.years[0]),
                latest=PartialDate(visit.years[-1]),
                confidence=round(min(max(identity, 0.0), 1.0) * VISIT_CONFIDENCE, 4),
                reasons={
                    "rule": "leave_of_absence"
                    if visit.leave
                    else "visit_between_home_stints"
                    if visit.between
                    else "visit_inside_home_stint",
                    "active_years_at_host": len(visit.years),
                    "documents_at_host": _counted(year_docs.get(visit.host, {}), visit.years),
                    "visit_max_years": settings.visit_max_years,
                    "visit_max_documents": settings.visit_max_documents,
                    "leave_max_years": settings.leave_max_years,
                    "identity_confidence": identity,
                },
            )
        )
    moves.sort(
        key=lambda m: (m.date.sort_key(), m.visit, m.from_institution_id, m.to_institution_id)
    )
    return moves


# ------------------------------------------------------------------------------- classification


def _sector_of(info: InstInfo | None) -> str:
    if info is None:
        return "other"
    return sector(info.kind, (info.parent_kind,) if info.parent_kind else ())


def classify_move(
    from_info: InstInfo | None,
    to_info: InstInfo | None,
    prior_countries: Sequence[str] = (),
) -> MoveClass:
    """The kind of a move (by sector, see :func:`service.domain.institutions.sector`), whether
    it crosses a border, and whether the person returns to a country they were in before
    (other than the origin)."""
    origin, destination = _sector_of(from_info), _sector_of(to_info)
    kind: MoveKind = "unknown"
    if origin in ("academia", "industry") and destination in ("academia", "industry"):
        kind = f"{origin}_to_{destination}"  # type: ignore[assignment]
    from_country = from_info.country_code if from_info else None
    to_country = to_info.country_code if to_info else None
    cross_border = bool(from_country and to_country and from_country != to_country)
    returnee = bool(
        to_country
        and to_country != from_country
        and to_country in {c.upper() for c in prior_countries}
    )
    return MoveClass(kind, cross_border, returnee)


# ------------------------------------------------------------------------------- reports


@dataclass
class MoveReport:
    """One source's report of a move."""

    researcher_id: int
    from_id: int | None
    to_id: int | None
    date: PartialDate | None
    source_kind: str
    publisher: str | None
    confidence: float
    extra: dict[str, str] = field(default_factory=dict)


def _ends_compatible(a: int | None, b: int | None, index: InstitutionIndex | None) -> bool:
    if a is None or b is None or a == b:
        return True
    return index is not None and a in index and b in index and index.related(a, b)


def same_move(
    a: MoveReport,
    b: MoveReport,
    index: InstitutionIndex | None = None,
    window_months: int = 18,
) -> bool:
    """Whether two reports describe the same move: the same person; each end equal, unknown on
    one side, or one the parent (ancestor) of the other; dates within the window or unknown;
    and at least one end known on both sides."""
    if a.researcher_id != b.researcher_id:
        return False
    if not _ends_compatible(a.from_id, b.from_id, index):
        return False
    if not _ends_compatible(a.to_id, b.to_id, index):
        return False
    shares_an_end = (a.from_id is not None and b.from_id is not None) or (
        a.to_id is not None and b.to_id is not None
    )
    if not shares_an_end and not (a.date and b.date):
        return False
    if a.date is not None and b.date is not None:
        return abs(a.date.months() - b.date.months()) <= window_months
    return True


def _source_key(report: MoveReport) -> tuple[str, str]:
    publisher = (report.publisher or "").strip().casefold()
    return (report.source_kind.strip().casefold(), publisher)


def independent_sources(reports: Iterable[MoveReport]) -> dict[tuple[str, str], float]:
    """The best confidence per distinct (source kind, publisher)."""
    best: dict[tuple[str, str], float] = {}
    for report in reports:
        key = _source_key(report)
        value = min(max(float(report.confidence), 0.0), 1.0)
        best[key] = max(best.get(key, 0.0), value)
    return best


def combine_confidence(reports: Iterable[MoveReport]) -> float:
    """1 - ∏(1 - c) over independent sources (the same publisher twice counts once, with its
    best confidence), capped at 0.99."""
    remaining = 1.0
    sources = independent_sources(reports)
    if not sources:
        return 0.0
    for value in sources.values():
        remaining *= 1.0 - value
    return round(min(1.0 - remaining, CONFIDENCE_CAP), 6)


def next_status(current: str, reports: Iterable[MoveReport]) -> str:
    """reported → corroborated once two independent sources report the move; confirmed and
    retracted are a curator's word and never change automatically; corroborated stays."""
    if current in CURATED_STATUSES:
        return current
    if current == "corroborated":
        return current
    if len(independent_sources(reports)) >= 2:
        return "corroborated"
    return "reported"


def status_from_evidence(
    current: str, firm: Iterable[MoveReport], rumours: Iterable[MoveReport]
) -> str:
    """A move's status from its evidence: ``rumoured`` while only rumours (talks, unnamed
    sources) support it, else as ``next_status`` over the sources that report it firmly.
    A curator's word (confirmed, retracted) never changes."""
    if current in CURATED_STATUSES:
        return current
    firm = list(firm)
    if not firm:
        return "rumoured" if list(rumours) else current
    return next_status("reported" if current == "rumoured" else current, firm)


def deny(confidence: float, denials: Iterable[float]) -> float:
    """A move's confidence after sources that deny it: each denial with confidence ``d``
    keeps ``1 - d`` of what the supporting sources gave."""
    for value in denials:
        confidence *= 1.0 - max(0.0, min(1.0, value))
    return round(confidence, 6)
