"""Is this sighting of a person the same researcher as that one? One decision, with context.

A *sighting* is one person as one source shows them: the names, native-script name, ids,
stints (institution, years), topics a document gives, and the document itself. Ingestion,
re-resolution and curation all ask :func:`resolve` the same question, with the same typed
records, so the answer cannot depend on batch boundaries, ingest order or the number of runs
the sightings arrive in: a sighting is compared with every stored sighting of a candidate
researcher (single linkage over symmetric pairwise decisions), and when a sighting proves two
researchers the same they are merged, so the partition is the connected components of the
"merge" edges whichever order the edges are found in.

Scoring (:func:`compare`) follows Fellegi–Sunter as Splink made standard: each comparison adds
a match weight, the log2 of how much likelier the observed agreement is for one person than for
two (m/u). The weights are named in :data:`WEIGHTS`; the decision thresholds in
:data:`MERGE_AT` and :data:`CANDIDATE_AT`.

* **Strong ids** decide: the same ORCID / OpenAlex / other id is the same person
  (:data:`ID_AGREES`); two different ids of one scheme are never merged (a cannot-link).
* **Names** start the score. The weight of a full-name agreement is ``-log2(E)`` where ``E``
  is the expected number of *other* researchers with that name in a population of
  :data:`POPULATION`: ``E = POPULATION * u`` with ``u`` the share of people carrying the name,
  the product of the family-name and given-name shares of the packaged reference tables
  (``service/data/name_frequencies.tsv`` by hand, over ``name_frequencies_world.tsv``
  estimated from the names-dataset by ``bench/build_name_frequencies.py``) or, when higher, the share among stored researchers
  (a term-frequency adjustment; it counts from :data:`STORED_MIN` namesakes on, so that small
  differences in what happens to be stored first cannot flip a decision). ``Wei Li`` (u ~ 4e-4, ~120 namesakes) is worth about -7 bits,
  a rare name +5 to +8. Initials ("S. Yao") replace the given-name share by that of an initial;
  a close spelling costs :data:`WEIGHTS` ``close``. A native-script name (姚顺雨) is read as
  pinyin and compared like any other name; two different native-script names are two people.
* **Institutions and time.** The same institution at overlapping times is strong evidence for
  one person, stronger when both stints say they began the same year (two sources of one
  person agree on it; namesakes at one place are seldom hired the same year), stronger again
  when both also say it ended the same year (one closed stint two sources agree on); a parent and its unit (Google DeepMind and Google) a little less; the same
  institution years apart little. Overlapping stints (two years or more in common) at unrelated
  institutions are evidence of two people, unless a university meets a company or lab, a
  plausible dual affiliation (professors hold industry posts), which is neutral. Consecutive
  stints at different places are neutral on their own: people move. Two sightings that report
  the same move (same ends, within a year) agree on a joint event a namesake rarely shares;
  so does one that reports a move and one whose stints show it (one stint ending, the next
  beginning elsewhere that year or the next), a unit standing for its parent at either end.
  A department a source gives at an institution can name a unit another source files as an
  institution of its own ("Communication Science Laboratories" at NTT and NTT Communication
  Science Laboratories; "Samsung Research" at Samsung Electronics): the same place.
  Two stints at one institution that both give their start, a decade or more apart
  (:data:`STARTS_APART_YEARS`), are two hires there, not one stint, even when open ends make
  them overlap (a professor there since 2000, a doctoral student since 2022): they weigh like
  the same place decades apart.
* **Topics**: two or more shared topics, one, or none while both give several. A topic one
  source names shorter ("3D Shape Modeling" for "3D Shape Modeling and Analysis") is the same
  topic: two or more words, all found in the other's label. A free-text topic and a
  catalogue's label ("medical image analysis", "Medical Image Segmentation Techniques") are one
  topic when they share two specific words (broad words such as "learning" or "systems" left
  out, abbreviations such as "AI" spelled out). Labels in unrelated vocabularies or languages
  ("OCR" and "Handwritten Text Recognition Techniques"; 강화학습 and "Reinforcement Learning in
  Robotics") agree through a topic-to-area table (:data:`TOPIC_AREAS`); topics written in two
  scripts that share no area are no evidence either way (they cannot be compared word by word).
  The departments a source names
  (kept among the topics, marked :data:`DEPARTMENT`) are not compared one by one with topics,
  but they place a person in a field: a sighting whose labels all lie in a field away from
  computing (a chemistry department) and one whose labels all lie in computing disagree like
  disjoint topics; a label naming both (machine learning in medical imaging) places no one.

The decision is ``merge`` at :data:`MERGE_AT` bits or more (posterior ~0.94 for a 1:1 prior on
the blocked pair) **and** with corroboration, ``candidate`` from :data:`CANDIDATE_AT` (kept
visible for a curator, never merged), ``separate`` below. Corroboration is evidence beyond the
name and ids: career (institutions and time, or the same reported move) and topics must
together agree by :data:`CORROBORATION` bits (a plausible dual post counts as neutral there).
Wholly disjoint topics count more against corroboration than against the weight
(``topics_none_corroboration``): overlapping years at one institution with disjoint fields is
what two namesakes at a large university look like, so one institution in common, even begun
the same year, no longer corroborates them; a second institution or the same reported move
still does.
A name that agrees only through an initial ("P. Nair" for Priya Nair), or whose two sides
write its diacritics differently (Vietnamese Thắng and Thăng fold to one spelling), may be
either of two people: when both sides name what the person works on and no label of one is a
label of the other (topics, areas or departments), it is at most a candidate, whatever the
career agrees on — namesakes at one institution look exactly like that.
The costs are not symmetric: a wrong merge invents a move with evidence that makes it look
true, a missed one leaves a candidate for a curator; and a frequency table can misjudge how
common a name is by orders of magnitude (a name it lacks looks rare). So a name alone, however
rare it looks, and a news mention without agreeing context, are at most candidates. A
curator's verdict that two researchers are two people (``apart``) is a cannot-link like two
different ids. The merge's probability goes with the sighting, so a move inferred
across a merge resting on names alone carries no more confidence than the merge.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from opencc_purepy import OpenCC

from service.domain.korean import is_hangul, surname_group
from service.domain.names import (
    NameParse,
    chinese_surnames,
    east_asian_surnames,
    fold,
    has_han,
    parse_person_name,
    segment_pinyin,
)
from service.domain.resolution import NAME_LEVEL_RANK, compare_parses, family_initial

logger = logging.getLogger(__name__)

Decision = Literal["merge", "candidate", "separate"]
StintSpan = tuple[int, int | None, int | None]  # institution id, first year, last year

FREQUENCIES_PATH = Path(__file__).resolve().parent.parent / "data" / "name_frequencies.tsv"
WORLD_FREQUENCIES_PATH = FREQUENCIES_PATH.with_name("name_frequencies_world.tsv")
POPULATION = 300_000
# Stored namesakes count once there are this many: below it, how many happen to be stored
# depends on what was ingested first, and the decision must not.
STORED_MIN = 20
MERGE_AT = 4.0
CANDIDATE_AT = -2.0
ID_AGREES = 30.0
# Evidence beyond names and ids (career, reported move, topics) worth this many bits must agree
# before a merge: a name alone, however rare it looks, is at most a candidate match.
CORROBORATION = 2.0
WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "close": -2.0,  # a spelling variant, not the same name
        "native_same": 3.0,  # the same native-script name on both sides
        "same_institution_overlap": 5.0,
        "another_institution_overlap": 2.5,  # each further institution in common
        # ... and both stints there say they began the same year: namesakes at one place are
        # seldom hired the same year, and two sources of one person agree on it.
        "same_start": 2.0,
        # ... and both say it ended the same year too: one closed stint two sources agree on
        # (an earlier post a people page lists with the years a bibliography shows there).
        "same_span": 2.0,
        "related_institution_overlap": 3.0,  # a parent and its unit at overlapping times
        "same_institution_apart": 2.0,  # the same place, within a few years of each other
        "same_institution_decades": 0.5,  # the same place, far apart in time
        "unrelated_overlap": -5.0,  # two places at once
        "dual_affiliation": -2.5,  # a university with a company or lab: a dual post is plausible
        "same_move": 10.0,  # both report the same move
        "topics_two": 2.0,
        "topics_one": 1.0,
        "topics_none": -1.5,
        # ... and what that counts against corroboration: several topics on both sides and
        # none shared is two people's work, enough to outweigh one institution in common
        # (one person's topics drift, but two sources rarely list wholly disjoint fields at
        # once); a second institution in common or the same reported move still corroborates.
        "topics_none_corroboration": -5.5,
        # The same institution with starts a decade or more apart: two hires, not one stint.
        "same_institution_starts_apart": 0.5,
    }
)
APART_YEARS = 6  # the same institution further apart than this is "decades"
# Two stints at one institution that both give their start (not a single year's glimpse)
# starting this many years apart are two careers there, even when open ends make them overlap.
STARTS_APART_YEARS = 10
DEFAULT_SURNAME = {"east_asian": 0.0003, "other": 0.00002}
# Korean given names are far more concentrated than Chinese ones (Minjun, Seoyeon, Jiwoo).
DEFAULT_GIVEN = {"syllable": 0.004, "east_asian": 0.0004, "korean": 0.002, "other": 0.003}
INITIAL_SHARE = 0.06
_EMPTY: Mapping[str, str] = MappingProxyType({})
# A sighting's topics carry the departments its sources name, marked by this prefix.
DEPARTMENT = "department:"


@dataclass(frozen=True)
class Sighting:
    """One person as one source shows them. ``stints`` are (institution id, first year, last
    year), None for an unknown end; ``mention`` marks a name met only in a news report."""

    names: tuple[str, ...]
    native_name: str | None = None
    ids: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    stints: tuple[StintSpan, ...] = ()
    topics: frozenset[str] = frozenset()
    document: str | None = None
    mention: bool = False
    moves: tuple[tuple[int | None, int | None, int | None], ...] = ()  # (from, to, year)

    def all_names(self) -> tuple[str, ...]:
        extra = (self.native_name,) if self.native_name else ()
        return tuple(dict.fromkeys(n for n in (*self.names, *extra) if n and n.strip()))


@dataclass(frozen=True)
class Comparison:
    weight: float
    decision: Decision
    reasons: tuple[str, ...]
    by_id: bool = False
    cannot_link: bool = False
    context: float = 0.0  # the part of the weight that is not names or ids

    @property
    def probability(self) -> float:
        if self.weight >= 30:
            return 1.0
        odds: float = 2.0**self.weight
        return round(odds / (1.0 + odds), 4)

    @property
    def name_only(self) -> bool:
        """Resting on names: no id and no agreeing context."""
        return not self.by_id and self.context <= 0


@dataclass(frozen=True)
class Institutions:
    """What resolution needs of institutions: how two relate, and their kinds."""

    related: Callable[[int, int], bool] = lambda a, b: a == b
    kinds: Mapping[int, str] = field(default_factory=dict)
    # Every name (and alias) of the institutions either side names: a department a source
    # gives ("Communication Science Laboratories" at NTT) may name a unit stored on its own.
    names: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class NameFrequencies:
    """Shares of family and given names (reference table) and counts of stored researchers
    per folded full-name key (the term-frequency adjustment)."""

    surnames: Mapping[str, float]
    given: Mapping[str, float]
    stored: Mapping[str, int] = field(default_factory=dict)

    def with_stored(self, stored: Mapping[str, int]) -> NameFrequencies:
        return NameFrequencies(self.surnames, self.given, stored)

    def share(self, family: str, given: str | None, east_asian: bool) -> float:
        """``u``: the share of people whose name agrees at this level (``given`` None: an
        initial only)."""
        origin = "east_asian" if east_asian else "other"
        if east_asian and family not in east_asian_surnames():
            origin = "other"  # a reading that takes a given name for the family name
        surname = self.surnames.get(family, DEFAULT_SURNAME[origin])
        if given is None:
            share = surname * INITIAL_SHARE
        else:
            default = DEFAULT_GIVEN[origin]
            if east_asian and len(segment_pinyin(given) or (given, given)) == 1:
                default = DEFAULT_GIVEN["syllable"]
            elif east_asian and surname_group(family) and family not in chinese_surnames():
                default = DEFAULT_GIVEN["korean"]
            share = surname * self.given.get(given, default)
            for key in (f"{given} {family}", f"{family} {given}"):
                count = self.stored.get(key, 0)
                if count >= STORED_MIN:
                    share = max(share, count / POPULATION)
        return share


@cache
def reference_frequencies() -> NameFrequencies:
    """The packaged tables: ``service/data/name_frequencies.tsv`` (by hand; it wins) over
    ``service/data/name_frequencies_world.tsv`` (estimated from the names-dataset's ranks by
    ``bench/build_name_frequencies.py``)."""
    surnames: dict[str, float] = {}
    given: dict[str, float] = {}
    for path in (WORLD_FREQUENCIES_PATH, FREQUENCIES_PATH):
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3 or parts[0] not in ("surname", "given"):
                raise ValueError(f"{path.name} line {n}: expected kind<TAB>name<TAB>share")
            (surnames if parts[0] == "surname" else given)[fold(parts[1])] = float(parts[2])
    return NameFrequencies(MappingProxyType(surnames), MappingProxyType(given))


@dataclass(frozen=True)
class Context:
    frequencies: NameFrequencies = field(default_factory=reference_frequencies)
    institutions: Institutions = field(default_factory=Institutions)


# ------------------------------------------------------------------------------- names


def _norm_id(scheme: str, value: str) -> str:
    return fold(value.strip().rsplit("/", 1)[-1])


def _names(a: Sighting, b: Sighting, ctx: Context) -> tuple[float, str, int] | None:
    """The name agreement as (weight, reason, level rank), or None when the names disagree.

    The best agreement level counts; its weight is that of every reading agreeing at that
    level together ("Wei Li" is Li Wei or Wei Li: the namesakes of both readings count)."""
    found: dict[tuple[tuple[str, str], ...], tuple[int, float]] = {}
    b_parses = [p for n in b.all_names() for p in parse_person_name(n)]
    for name in a.all_names():
        for pa in parse_person_name(name):
            for pb in b_parses:
                level = compare_parses(pa, pb)
                if level == "none":
                    continue
                key = tuple(sorted({(pa.family, pa.given_key), (pb.family, pb.given_key)}))
                rank = NAME_LEVEL_RANK[level]
                u = _name_share(pa, pb, level, ctx)
                if key not in found or found[key][0] < rank:
                    found[key] = (rank, u)
    if not found:
        return None
    top = max(rank for rank, _ in found.values())
    u = sum(share for rank, share in found.values() if rank == top)
    weight = -math.log2(max(POPULATION * u, 1e-3))
    if top == NAME_LEVEL_RANK["close"]:
        weight += WEIGHTS["close"]
    label = next(k for k, v in NAME_LEVEL_RANK.items() if v == top and k != "none")
    families = "/".join(sorted({f for k, (r, _) in found.items() if r == top for f, _ in k}))
    return weight, f"names {label} ({families}): {weight:+.1f}", top


def _accented(s: Sighting) -> set[str]:
    """The Latin-script words of a sighting's names that carry diacritics, lower-cased."""
    words: set[str] = set()
    for name in s.all_names():
        if has_han(name) or is_hangul(name):
            continue
        for word in unicodedata.normalize("NFC", name).casefold().split():
            if not word.isascii():
                words.add(word)
    return words


def _diacritics_differ(a: Sighting, b: Sighting) -> bool:
    """Both sides write a word with its diacritics, differently and never alike: "Thắng" and
    "Thăng" fold to one spelling but are two Vietnamese names (the marks are the name, not
    decoration). A side that writes the word without marks ("Thang") says nothing either
    way."""
    spellings_a: dict[str, set[str]] = {}
    for word in _accented(a):
        spellings_a.setdefault(fold(word), set()).add(word)
    for word in _accented(b):
        seen = spellings_a.get(fold(word))
        if seen and word not in seen:
            return True
    return False


def _name_share(a: NameParse, b: NameParse, level: str, ctx: Context) -> float:
    """``u`` of one agreeing reading; of two spellings (Jung and Jeong), the commoner one, so
    that the weight does not depend on which side is which (nor on ingest order)."""
    east = a.east_asian or b.east_asian
    if level == "initials":
        # the given name in full, the family name an initial
        named = b if family_initial(a, b) else a if family_initial(b, a) else None
        if named is not None:
            given = ctx.frequencies.given.get(named.given_key, DEFAULT_GIVEN["other"])
            return given * INITIAL_SHARE
        short, full = (a, b) if a.is_initials_only else (b, a)
        share = ctx.frequencies.share(full.family, None, east)
        # "D.-h. Kim" for "Dong-hyun Kim": the second syllable's initial narrows it like a
        # second given name would. Only for Chinese and Korean given names, whose syllables
        # vary; a Western or Vietnamese middle initial (Thi, Van) says little.
        letters, confirmed = "".join(short.given), full.initials
        syllables = full.east_asian and not full.is_initials_only
        if syllables and len(letters) >= 2 and letters[:2] == confirmed[:2]:
            share *= INITIAL_SHARE
        return share
    return max(
        ctx.frequencies.share(a.family, a.given_key, east),
        ctx.frequencies.share(b.family, b.given_key, east),
    )


def _native_of(s: Sighting) -> tuple[str, str] | None:
    """The native-script name of a sighting and its script: its native name, or a name written
    in Han script or Hangul."""
    for name in (s.native_name, *s.names):
        if name and has_han(name):
            return "han", "".join(fold(simplified(name)).split())
        if name and is_hangul(name):
            return "hangul", "".join(name.split())
    return None


@cache
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@cache
def simplified(name: str) -> str:
    """A Han-script name in simplified characters: 陳志明 on a Hong Kong page is 陈志明 on a
    mainland one, one name in two scripts, not two names."""
    converted: str = _t2s().convert(name)
    return converted if len(converted) == len(name) else name


def _native(a: Sighting, b: Sighting) -> bool | None:
    """True: the same native-script name; False: two different ones in one script; None: not
    both given."""
    na, nb = _native_of(a), _native_of(b)
    if not na or not nb or na[0] != nb[0]:
        return None
    return na == nb


# ------------------------------------------------------------------------------- context


def _span(stint: StintSpan) -> tuple[float, float]:
    start = stint[1] if stint[1] is not None else stint[2]
    end = stint[2] if stint[2] is not None else stint[1]
    return (start if start is not None else -math.inf, end if end is not None else math.inf)


def _common_years(a: StintSpan, b: StintSpan, *, open_ended: bool) -> float:
    """Years two stints share; with ``open_ended`` an unknown end runs on (for agreement), else
    it is the known year only (for conflict: the unknown is no evidence of two places)."""
    (a0, a1), (b0, b1) = _span(a), _span(b)
    if open_ended:
        a1 = math.inf if a[2] is None else a1
        b1 = math.inf if b[2] is None else b1
    return min(a1, b1) - max(a0, b0) + 1


def _gap(a: StintSpan, b: StintSpan) -> float:
    (a0, a1), (b0, b1) = _span(a), _span(b)
    return max(a0 - b1, b0 - a1, 0)


def _starts_apart(a: StintSpan, b: StintSpan) -> bool:
    """Both stints say when they began (a stint of one year is a glimpse, not a start) and the
    starts lie :data:`STARTS_APART_YEARS` or more apart: a professor there since 2000 and a
    doctoral student since 2022 overlap only because neither end is known."""
    starts = []
    for stint in (a, b):
        if stint[1] is None or stint[1] == stint[2]:
            return False
        starts.append(stint[1])
    return abs(starts[0] - starts[1]) >= STARTS_APART_YEARS


def _same_start(a: StintSpan, b: StintSpan) -> bool:
    """Both stints say when they began (a year's glimpse is no start) and it is one year."""
    return all(s[1] is not None and s[1] != s[2] for s in (a, b)) and a[1] == b[1]


def _same_span(a: StintSpan, b: StintSpan) -> bool:
    """Both stints begin the same year and both say they ended, the same year."""
    return _same_start(a, b) and a[2] is not None and a[2] == b[2]


def _inside(a: StintSpan, b: StintSpan) -> bool:
    """One stint lies wholly inside the other, touching neither of its known ends: a year at
    another place in the middle of a stint is two places at once, not a move (a move year sits
    at the edge of both stints)."""
    for outer, inner in ((a, b), (b, a)):
        if outer[1] is None or outer[2] is None:
            continue
        (i0, i1) = _span(inner)
        if outer[1] < i0 and i1 < outer[2]:
            return True
    return False


_ACADEMIC = frozenset({"university"})
_WORK = frozenset({"company", "lab", "government", "nonprofit"})


def _dual(a: int, b: int, ctx: Context) -> bool:
    kinds = {ctx.institutions.kinds.get(a, "other"), ctx.institutions.kinds.get(b, "other")}
    return bool(kinds & _ACADEMIC) and bool(kinds & _WORK)


def _departments(s: Sighting) -> tuple[str, ...]:
    return tuple(sorted(fold(_label(t)) for t in s.topics if t.startswith(DEPARTMENT)))


def _unit_named(x: int, y: int, departments: Sequence[str], ctx: Context) -> bool:
    """Whether ``y`` is the unit of ``x`` that a department given at ``x`` names: its name is
    the department's ("Samsung Research" at Samsung Electronics, its parent; "Yandex Research"
    at Yandex, stored apart when it came first, found in Yandex when it came after) or the
    institution's name and the department's ("NTT" and "Communication Science Laboratories":
    NTT Communication Science Laboratories)."""
    names_y = {fold(n) for n in ctx.institutions.names.get(y, ())}
    if not departments or not names_y:
        return False
    names_x = [fold(n) for n in ctx.institutions.names.get(x, ())]
    for department in departments:
        # the unit's own name, filed under its parent or beginning with the parent's name
        # ("Yandex Research" at Yandex, whether or not a source has tied the two yet)
        within = ctx.institutions.related(x, y) or any(
            department.startswith(f"{n} ") for n in names_x
        )
        if department in names_y and within:
            return True
        if any(f"{n} {department}" in names_y for n in names_x):
            return True
    return False


def _names_within(x: int, y: int, ctx: Context) -> bool:
    """Whether a name of ``x`` is an affiliation string naming a unit and then ``y`` ("Institute
    of Formal and Applied Linguistics, Charles University"): stored as an institution of its own
    when it came before the university was known, resolved to the university when it came
    after, so that identity must read it as the university either way."""
    names_y = {fold(n) for n in ctx.institutions.names.get(y, ())}
    if not names_y:
        return False
    for name in ctx.institutions.names.get(x, ()):
        parts = [fold(p) for p in name.split(",")]
        if len(parts) > 1 and any(p in names_y for p in parts[1:]):
            return True
    return False


def _same_place(sa: StintSpan, sb: StintSpan, a: Sighting, b: Sighting, ctx: Context) -> int | None:
    """The institution two stints share: the same one, or the unit a department at the other
    names (the unit, whichever side names it, so that the count is symmetric), or the
    university an affiliation string names after its unit (the university)."""
    if sa[0] == sb[0]:
        return sa[0]
    if _names_within(sa[0], sb[0], ctx):
        return sb[0]
    if _names_within(sb[0], sa[0], ctx):
        return sa[0]
    if _unit_named(sa[0], sb[0], _departments(a), ctx):
        return sb[0]
    if _unit_named(sb[0], sa[0], _departments(b), ctx):
        return sa[0]
    return None


def _institutions(a: Sighting, b: Sighting, ctx: Context) -> tuple[float, list[str]]:
    if not a.stints or not b.stints:
        return 0.0, []
    agree: set[int] = set()
    same_start = same_span = False
    related = apart = decades = conflict = dual = starts_apart = False
    for sa in a.stints:
        for sb in b.stints:
            place = _same_place(sa, sb, a, b, ctx)
            if place is not None:
                if _starts_apart(sa, sb):
                    starts_apart = True
                elif _common_years(sa, sb, open_ended=True) >= 1:
                    agree.add(place)
                    same_start = same_start or _same_start(sa, sb)
                    same_span = same_span or _same_span(sa, sb)
                elif _gap(sa, sb) <= APART_YEARS:
                    apart = True
                else:
                    decades = True
            elif ctx.institutions.related(sa[0], sb[0]):
                if _common_years(sa, sb, open_ended=True) >= 1:
                    related = True
                else:
                    apart = True
            elif _common_years(sa, sb, open_ended=False) >= 2:
                if _dual(sa[0], sb[0], ctx):
                    dual = True
                else:
                    conflict = True
            elif _inside(sa, sb) and not _dual(sa[0], sb[0], ctx):
                conflict = True
    if agree:
        weight = WEIGHTS["same_institution_overlap"] + WEIGHTS["another_institution_overlap"] * (
            len(agree) - 1
        )
        why = [f"{len(agree)} institution(s) in common at overlapping times"]
        if same_start:
            weight += WEIGHTS["same_start"]
            why.append("begun there the same year")
        if same_span:
            weight += WEIGHTS["same_span"]
            why.append("ended there the same year")
        return weight, why
    if related:
        return WEIGHTS["related_institution_overlap"], ["parent and unit at overlapping times"]
    if conflict:
        return WEIGHTS["unrelated_overlap"], ["unrelated institutions at the same time"]
    if apart:
        return WEIGHTS["same_institution_apart"], ["same institution at different times"]
    if starts_apart:
        hires = "same institution, starts a decade apart: two hires?"
        return WEIGHTS["same_institution_starts_apart"], [hires]
    if decades:
        return WEIGHTS["same_institution_decades"], ["same institution, years apart"]
    if dual:
        return WEIGHTS["dual_affiliation"], ["a university and a company at once: dual post?"]
    return 0.0, ["different institutions at different times"]


Move = tuple[int | None, int | None, int | None]


def _career_moves(s: Sighting) -> tuple[Move, ...]:
    """The moves a sighting's own stints show: one stint ending the year, or the year before,
    another begins elsewhere (a profile listing Peking University to 2024 and Moonshot AI from
    2024 shows the move a news report tells)."""
    moves: list[Move] = []
    for left in s.stints:
        for joined in s.stints:
            if left[0] == joined[0] or left[2] is None or joined[1] is None:
                continue
            if left[1] is not None and left[1] == left[2] and joined[1] == joined[2]:
                continue  # two single years: glimpses, not a stint's ends
            if 0 <= joined[1] - left[2] <= 1:
                moves.append((left[0], joined[0], joined[1]))
    return tuple(moves)


def _same_end(x: int | None, y: int | None, ctx: Context) -> bool:
    if x is None or y is None:
        return x is y
    return ctx.institutions.related(x, y)


def _same_move(a: Sighting, b: Sighting, ctx: Context) -> bool:
    """Both report the same move, or one reports the move the other's stints show: the same
    ends (a unit for its parent: Huawei's Noah's Ark Lab for Huawei), within a year."""
    for reported, other in ((a.moves, (*b.moves, *_career_moves(b))), (b.moves, _career_moves(a))):
        for fa, ta, ya in reported:
            for fb, tb, yb in other:
                ends = _same_end(fa, fb, ctx) and _same_end(ta, tb, ctx)
                when = ya is None or yb is None or abs(ya - yb) <= 1
                if ends and (fa is not None or ta is not None) and when:
                    return True
    return False


_TOPIC_FILLER = frozenset({"and", "of", "in", "the", "for", "on", "with", "a", "an", "to"})


# Abbreviations free-text topics use for the words a catalogue label spells out.
_TOPIC_ABBREVIATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "ai": ("artificial", "intelligence"),
        "ml": ("machine", "learning"),
        "nlp": ("natural", "language", "processing"),
        "llm": ("large", "language", "models"),
        "llms": ("large", "language", "models"),
        "rl": ("reinforcement", "learning"),
        "gnn": ("graph", "neural", "networks"),
        "gnns": ("graph", "neural", "networks"),
        "cv": ("computer", "vision"),
    }
)
# Words too broad to say which topic a label names: "Advanced Neural Network Applications"
# and "graph neural networks" share two of them and no topic.
_GENERIC_TOPIC_WORDS = frozenset(
    {
        "advanced",
        "analysis",
        "applications",
        "algorithms",
        "approaches",
        "artificial",
        "computing",
        "computer",
        "data",
        "deep",
        "intelligence",
        "learning",
        "machine",
        "management",
        "methods",
        "model",
        "modeling",
        "models",
        "network",
        "networks",
        "neural",
        "processing",
        "research",
        "science",
        "studies",
        "systems",
        "technique",
        "techniques",
        "technologies",
        "theory",
    }
)


def _topic_words(topic: str) -> frozenset[str]:
    words: list[str] = []
    for w in re.findall(r"[a-z0-9]+", fold(topic)):
        words += _TOPIC_ABBREVIATIONS.get(w, (w,))
    return frozenset(w for w in words if w not in _TOPIC_FILLER)


def _specific(words: frozenset[str]) -> frozenset[str]:
    """The words of a topic that say which topic it is, a plural read as its singular."""
    return frozenset(
        w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w
        for w in words - _GENERIC_TOPIC_WORDS
    )


def _same_topic(a: frozenset[str], b: frozenset[str]) -> bool:
    """One topic is the other, or names it shorter: sources abbreviate the same label
    ("3D Shape Modeling" for "3D Shape Modeling and Analysis"); two words at least, so that a
    word like "learning" alone joins nothing. A free-text topic and a catalogue's label name
    one topic in different words ("medical image analysis", "Medical Image Segmentation
    Techniques"): two specific words in common (not "learning", "neural", "systems") are one
    topic."""
    if a == b or (min(len(a), len(b)) >= 2 and (a <= b or b <= a)):
        return True
    return len(_specific(a) & _specific(b)) >= 2


# Words that place a topic or a department in computing, or in a field away from it. A
# sighting whose every label lies in another field (a chemistry department, soil science)
# and one whose every label lies in computing, with no other field named, are two people's
# work even when no two labels can be compared; a label naming both (machine learning in
# medical imaging) is neither, so AI in another science never counts as a conflict. Words
# shared by many fields ("models", "optimization", "mining") place no one.
_COMPUTING_WORDS = frozenset(
    [
        "computer",
        "computing",
        "computation",
        "computational",
        "informatics",
        "information",
        "artificial",
        "ai",
        "intelligence",
        "machine",
        "learning",
        "neural",
        "networks",
        "network",
        "data",
        "software",
        "algorithms",
        "robotics",
        "robotic",
        "automation",
        "language",
        "speech",
        "vision",
        "recommender",
        "retrieval",
        "electrical",
        "electronic",
        "statistics",
        "statistical",
        "mathematics",
        "agents",
    ]
)
_OTHER_FIELD_WORDS = frozenset(
    [
        "chemistry",
        "chemical",
        "physics",
        "biology",
        "biological",
        "medicine",
        "medical",
        "health",
        "clinical",
        "radiology",
        "cardiology",
        "cardiac",
        "cancer",
        "materials",
        "civil",
        "ocean",
        "climate",
        "atmospheric",
        "oceanographic",
        "marine",
        "earth",
        "environment",
        "environmental",
        "soil",
        "agronomic",
        "agriculture",
        "plant",
        "economics",
        "economic",
        "finance",
        "law",
        "geology",
        "geological",
        "hydrology",
        "concrete",
        "cement",
        "battery",
        "perovskite",
        "tuberculosis",
        "epidemiology",
    ]
)


def _label(topic: str) -> str:
    return topic.removeprefix(DEPARTMENT)


# The same fields named in Han script, kana or Hangul, where words are not split by spaces:
# matched anywhere in the label (의과대학 내과학교실, a college of medicine's department of
# internal medicine; 计算机学院, a school of computer science). Stems specific enough that a
# computing label does not contain them.
_COMPUTING_STEMS = (
    "计算机", "計算機", "人工智能", "人工知能", "机器学习", "機械学習", "软件", "軟體",
    "情報科学", "情报", "信息科学", "컴퓨터", "인공지능", "기계학습", "머신러닝",
    "소프트웨어", "전산",
)  # fmt: skip
_OTHER_FIELD_STEMS = (
    "医学", "醫學", "医科", "医院", "醫院", "病院", "内科", "內科", "外科", "临床", "臨床",
    "化学", "化學", "物理", "药学", "薬学", "藥學", "护理", "看護", "의과", "의학", "의대",
    "내과", "외과", "병원", "임상", "간호", "약학", "화학", "물리", "질환", "간이식",
)  # fmt: skip


def _field(labels: Iterable[str]) -> str | None:
    """ "computing" or "other" when every label of a sighting lies in that field (and one at
    least names it); None when they are mixed, unknown, or absent. Labels in Han script, kana
    or Hangul are placed by the stems they contain (:data:`_OTHER_FIELD_STEMS`), so that a
    Korean page's department of internal medicine meets an English computer science one."""
    fields: set[str | None] = set()
    for label in labels:
        words = _topic_words(label)
        computing, other = bool(words & _COMPUTING_WORDS), bool(words & _OTHER_FIELD_WORDS)
        native = fold(label)
        computing = computing or any(stem in native for stem in _COMPUTING_STEMS)
        other = other or any(stem in native for stem in _OTHER_FIELD_STEMS)
        if computing and other:
            return None
        fields.add("computing" if computing else "other" if other else None)
    fields.discard(None)
    return fields.pop() if len(fields) == 1 else None


# A topic-to-area table: the research area a label names, whatever its vocabulary (a
# catalogue's "Handwritten Text Recognition Techniques", a people page's "OCR") or language
# (大模型, 강화학습, hiểu tài liệu). Two labels in one area are one topic. Areas are narrow
# enough that sharing one says something ("reinforcement learning", not "machine learning");
# keys are matched at the start of a word (Latin script, folded: Vietnamese without its marks)
# or anywhere (Han, kana, Hangul).
TOPIC_AREAS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "language": (
            "natural language", "language model", "llm", "nlp", "dialogue", "dialog",
            "conversational", "machine translation", "question answering", "topic model",
            "long context", "text generation", "语言", "大模型", "长上下文", "对话", "言語",
            "언어", "자연어", "ngon ngu",
        ),
        "speech": (
            "speech", "spoken", "keyword spotting", "prosody", "speaker", "source separation",
            "audio", "语音", "音声", "음성", "tieng noi", "giong noi",
        ),
        "documents": (
            "document", "ocr", "handwrit", "text recognition", "optical character",
            "文档", "文書", "문서", "tai lieu", "chu viet",
        ),
        "generation": (
            "image synthesis", "image generation", "video generation", "generative",
            "diffusion model", "gan", "生成",
        ),
        "robotics": (
            "robot", "manipulation", "slam", "path planning", "localization", "机器人",
            "機械人", "機器人", "ロボット", "로봇",
        ),
        "reinforcement": ("reinforcement", "强化学习", "強化學習", "強化学習", "강화학습", "hoc tang cuong"),
        "graphs": (
            "graph neural", "graph learning", "graph representation", "network analysis",
            "recommend", "图神经", "그래프", "추천", "do thi",
        ),
        "knowledge": ("knowledge graph", "ontolog", "semantic web", "知识图谱", "知識", "지식 그래프"),
        "interpretability": (
            "interpretab", "explainab", "xai", "ai safety", "alignment", "adversarial robust",
            "可解释", "설명 가능",
        ),
        "learning theory": (
            "learning theory", "statistical learning", "stochastic gradient", "optimization",
            "学習理論", "最適化", "学习理论", "최적화",
        ),
        "causality": ("causal", "因果", "인과"),
        "efficiency": (
            "efficient inference", "model compression", "quantization", "pruning",
            "distillation", "효율적 추론", "경량화", "模型压缩",
        ),
        "programs": (
            "program synthesis", "compiler", "programming", "type system", "software engineering",
            "程序合成", "编译",
        ),
        "health": (
            "health", "clinical", "medical", "ehr", "radiomic", "医疗", "医学", "医療", "의료",
            "y te",
        ),
        "biology": ("genomic", "phylogen", "protein", "bioinformatic", "drug discovery", "molecul"),
        "networking": ("computer network", "network protocol", "wireless", "mang may tinh"),
        "time series": ("time series", "forecasting", "时间序列", "시계열"),
    }
)  # fmt: skip


@cache
def _area_keys() -> tuple[tuple[str, re.Pattern[str]], ...]:
    keys: list[tuple[str, re.Pattern[str]]] = []
    for area, words in TOPIC_AREAS.items():
        for word in words:
            key = fold(word)
            pattern = rf"(?<![a-z0-9]){re.escape(key)}" if key.isascii() else re.escape(key)
            keys.append((area, re.compile(pattern)))
    return tuple(keys)


@cache
def topic_areas(label: str) -> frozenset[str]:
    """The areas of :data:`TOPIC_AREAS` a topic label names."""
    folded = fold(label)
    return frozenset(area for area, pattern in _area_keys() if pattern.search(folded))


def _script(label: str) -> str:
    """How a label is written: "latin" words can be compared word by word with other "latin"
    ones, a label in Han, kana or Hangul only with its own kind."""
    return "latin" if re.search(r"[A-Za-z]", fold(label)) else "native"


@dataclass(frozen=True)
class _Topic:
    words: frozenset[str]
    areas: frozenset[str]
    script: str


def _topic(label: str) -> _Topic:
    return _Topic(_topic_words(label), topic_areas(label), _script(label))


def _one_topic(x: _Topic, y: _Topic) -> bool:
    """The same topic in words, or two labels of one area in any vocabulary or language."""
    return bool(x.areas & y.areas) or (x.script == y.script and _same_topic(x.words, y.words))


def _topics(a: Sighting, b: Sighting) -> tuple[float, list[str]]:
    if not a.topics or not b.topics:
        return 0.0, []
    fields = {_field(_label(t) for t in a.topics), _field(_label(t) for t in b.topics)}
    if fields == {"computing", "other"}:
        return WEIGHTS["topics_none"], ["computing and another field"]
    # Departments name a field, not a topic: only the topics are compared one by one.
    topics_a = [_topic(t) for t in sorted(a.topics) if not t.startswith(DEPARTMENT)]
    topics_b = [_topic(t) for t in sorted(b.topics) if not t.startswith(DEPARTMENT)]
    if not topics_a or not topics_b:
        return 0.0, []
    shared = min(  # symmetric: how many of each side's topics the other names
        sum(any(_one_topic(x, y) for y in topics_b) for x in topics_a),
        sum(any(_one_topic(y, x) for x in topics_a) for y in topics_b),
    )
    if shared >= 2:
        return WEIGHTS["topics_two"], [f"{shared} shared topics"]
    if shared:
        return WEIGHTS["topics_one"], ["1 shared topic"]
    # Topics in two languages (对话系统 and "Speech and dialogue systems") cannot be told
    # apart word by word: no shared word there is no evidence of two people.
    comparable = {t.script for t in topics_a} & {t.script for t in topics_b}
    if len(topics_a) >= 2 and len(topics_b) >= 2 and comparable:
        return WEIGHTS["topics_none"], ["no shared topic"]
    return 0.0, []


def _labels_apart(a: Sighting, b: Sighting) -> bool:
    """Both sides name what the person works on (topics or departments) and no label of one
    is a label of the other."""
    if not a.topics or not b.topics:
        return False
    labels_a = [_topic(_label(t)) for t in a.topics]
    labels_b = [_topic(_label(t)) for t in b.topics]
    return not any(_one_topic(x, y) for x in labels_a for y in labels_b)


# ------------------------------------------------------------------------------- decision


def _decide(weight: float) -> Decision:
    if weight >= MERGE_AT:
        return "merge"
    if weight >= CANDIDATE_AT:
        return "candidate"
    return "separate"


def compare(a: Sighting, b: Sighting, ctx: Context) -> Comparison:
    """Score whether two sightings show one researcher (symmetric in a and b)."""
    for scheme in sorted(set(a.ids) & set(b.ids)):
        if _norm_id(scheme, a.ids[scheme]) == _norm_id(scheme, b.ids[scheme]):
            return Comparison(ID_AGREES, "merge", (f"same {scheme} id",), by_id=True)
    conflicts = sorted(
        s for s in set(a.ids) & set(b.ids) if _norm_id(s, a.ids[s]) != _norm_id(s, b.ids[s])
    )
    if conflicts:
        reason = f"different {', '.join(conflicts)} ids"
        return Comparison(-ID_AGREES, "separate", (reason,), cannot_link=True)
    native = _native(a, b)
    if native is False:
        return Comparison(-ID_AGREES, "separate", ("different native-script names",), False, True)
    names = _names(a, b, ctx)
    if names is None:
        return Comparison(-ID_AGREES, "separate", ("names do not match",))
    name_weight, name_reason, name_level = names
    reasons = [name_reason]
    context = 0.0
    if native:
        context += WEIGHTS["native_same"]
        reasons.append("same native-script name")
    if _same_move(a, b, ctx):
        career = WEIGHTS["same_move"]
        reasons.append("both report the same move")
    else:
        career, why = _institutions(a, b, ctx)
        reasons += why
    topics, why = _topics(a, b)
    reasons += why
    context += career + topics
    # What agrees beyond the name, net (a shared native-script name is more name, not context;
    # a plausible dual post lowers the weight but is no evidence of two people).
    # Disjoint topics count against corroboration more than against the weight.
    against = WEIGHTS["topics_none_corroboration"] if topics == WEIGHTS["topics_none"] else topics
    agrees = against + (0.0 if career == WEIGHTS["dual_affiliation"] else career)
    weight = round(name_weight + context, 3)
    decision = _decide(weight)
    if decision == "merge" and agrees < CORROBORATION:
        decision = "candidate"
        reasons.append("nothing beyond the name agrees: at most a candidate")
    weak = name_level <= NAME_LEVEL_RANK["initials"] or _diacritics_differ(a, b)
    if decision == "merge" and weak and _labels_apart(a, b):
        # "P. Nair" in biosciences and Priya Nair in computer science at one institute; Đỗ Văn
        # Thắng and Đỗ Văn Thăng in one faculty: the name could be either of two people, and
        # what each works on says two.
        decision = "candidate"
        reasons.append("an initial or a diacritic apart, and different topics: two people?")
    return Comparison(weight, decision, tuple(reasons), context=context)


@dataclass(frozen=True)
class Resolution:
    """What to do with one sighting: join ``researcher`` (None: a new researcher), merge
    ``also_merge`` into it (the sighting proves them one person), and keep ``candidates`` open
    for curators. ``confidence`` is the join's probability (1.0 by id or for a new researcher);
    ``name_only`` marks a join that rests on names alone."""

    researcher: int | None
    confidence: float = 1.0
    name_only: bool = False
    reasons: tuple[str, ...] = ()
    also_merge: tuple[int, ...] = ()
    candidates: tuple[tuple[int, Comparison], ...] = ()


_RANK: Mapping[Decision, int] = MappingProxyType({"separate": 0, "candidate": 1, "merge": 2})


def _best(comparisons: Iterable[Comparison]) -> Comparison | None:
    """The strongest link: a merge before any candidate, however heavy (a candidate held back
    for want of corroboration can outweigh a corroborated merge; single linkage must follow the
    merge, or the partition would depend on which sighting a researcher was found through
    first), then the heaviest."""
    best: Comparison | None = None
    for c in comparisons:
        if best is None or (_RANK[c.decision], c.weight) > (_RANK[best.decision], best.weight):
            best = c
    return best


def resolve(
    sighting: Sighting,
    researchers: Mapping[int, Sequence[Sighting]],
    ctx: Context,
    apart: AbstractSet[tuple[int, int]] = frozenset(),
) -> Resolution:
    """Decide a sighting against candidate researchers, each given by its stored sightings.

    A researcher holding an id that conflicts with the sighting's is never joined. The
    sighting joins every researcher it links to at merge level (the lowest id survives, the
    others are merged into it) unless two of those researchers conflict on an id or a curator
    has declared them two people (``apart``: (lower id, higher id) pairs, from a split or a
    candidate match resolved as different), in which case all of them become candidates.
    Researchers linked at candidate level are candidates.
    """
    merges: dict[int, Comparison] = {}
    candidates: dict[int, Comparison] = {}
    for rid in sorted(researchers):
        comparisons = [compare(sighting, other, ctx) for other in researchers[rid]]
        if any(c.cannot_link for c in comparisons):
            continue
        best = _best(comparisons)
        if best is None:
            continue
        if best.decision == "merge":
            merges[rid] = best
        elif best.decision == "candidate":
            candidates[rid] = best
    if len(merges) > 1 and (
        _conflicting(sorted(merges), researchers)
        or any((a, b) in apart for a in merges for b in merges if a < b)
    ):
        candidates.update(merges)
        merges = {}
    if not merges:
        ranked = sorted(candidates.items(), key=lambda kv: (-kv[1].weight, kv[0]))
        return Resolution(None, candidates=tuple(ranked))
    target = min(merges)
    join = merges[target]
    others = tuple(sorted(r for r in merges if r != target))
    rest = tuple(sorted(candidates.items(), key=lambda kv: (-kv[1].weight, kv[0])))
    return Resolution(
        target,
        confidence=join.probability,
        name_only=join.name_only,
        reasons=join.reasons,
        also_merge=others,
        candidates=rest,
    )


def _conflicting(rids: Sequence[int], researchers: Mapping[int, Sequence[Sighting]]) -> bool:
    for i, a in enumerate(rids):
        for b in rids[i + 1 :]:
            for sa in researchers[a]:
                for sb in researchers[b]:
                    if any(
                        _norm_id(s, sa.ids[s]) != _norm_id(s, sb.ids[s])
                        for s in set(sa.ids) & set(sb.ids)
                    ) or (_native(sa, sb) is False):
                        return True
    return False


def cluster(sightings: Sequence[Sighting], ctx: Context) -> list[set[int]]:
    """The partition :func:`resolve` reaches when ``sightings`` arrive one by one in this order
    (indexes into ``sightings``); the same for every order when no conflict intervenes."""
    members: dict[int, list[int]] = {}
    next_id = 0
    for i, s in enumerate(sightings):
        view = {rid: [sightings[j] for j in idx] for rid, idx in members.items()}
        decision = resolve(s, view, ctx)
        if decision.researcher is None:
            members[next_id] = [i]
            next_id += 1
            continue
        members[decision.researcher].append(i)
        for other in decision.also_merge:
            members[decision.researcher] += members.pop(other)
    return [set(v) for v in members.values()]
