"""Is this the same researcher? Scoring a pair of person records.

Order of evidence:

1. strong ids: the same ORCID, OpenAlex author id or other id (dblp, semantic scholar) → same;
   two different ORCIDs → different (an ORCID is one person's; OpenAlex splits authors, so
   two OpenAlex ids are only a mild signal);
2. names: the variant keys of :mod:`service.domain.names` (both orders, pinyin, hyphens),
   initials ("S. Yao"), native-script names (王伟 and 王巍 are both "Wei Wang" but different
   people); a frequent surname weakens a name match;
3. context: the same institution (or a parent/child of it) at overlapping times, shared topics,
   the same source document; at the same time at unrelated institutions counts against.

The decision: ``same`` at or above :data:`SAME_THRESHOLD`, ``candidate`` in the grey zone down
to :data:`CANDIDATE_THRESHOLD` (kept visible for a curator, never merged automatically),
``different`` below. Names made only of initials, and very common names (a frequent surname
with a one-syllable given name), never reach ``same`` on names and institutions alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from rapidfuzz import fuzz

from service.domain.institutions import InstitutionIndex
from service.domain.korean import surname_group
from service.domain.names import (
    COMMON_SURNAMES,
    VIETNAMESE_SURNAMES,
    NameParse,
    east_asian_surnames,
    fold,
    has_han,
    hepburn_short,
    japanese_family,
    parse_person_name,
    segment_pinyin,
    slavic_given,
    umlauts_written_out,
)

logger = logging.getLogger(__name__)

Decision = Literal["same", "candidate", "different"]
NameLevel = Literal["exact", "close", "initials", "none"]

SAME_THRESHOLD = 0.85
CANDIDATE_THRESHOLD = 0.5

_NAME_BASE: dict[NameLevel, float] = {"exact": 0.6, "close": 0.45, "initials": 0.35, "none": 0.0}
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class PersonRecord:
    """What we know of one researcher record (from one source, or a stored researcher).

    ``stints`` are (institution_id, start_year, end_year) with None for unknown ends.
    """

    names: tuple[str, ...]
    native_name: str | None = None
    orcid: str | None = None
    openalex_id: str | None = None
    other_ids: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    stints: tuple[tuple[int, int | None, int | None], ...] = ()
    topics: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    id: int | None = None

    def all_names(self) -> tuple[str, ...]:
        extra = (self.native_name,) if self.native_name else ()
        return tuple(n for n in (*self.names, *extra) if n and n.strip())


@dataclass(frozen=True)
class MatchScore:
    score: float
    decision: Decision
    reasons: tuple[str, ...]


def _norm_orcid(value: str) -> str:
    value = value.strip().upper()
    return value.rsplit("/", 1)[-1]


def _norm_openalex(value: str) -> str:
    return value.strip().rsplit("/", 1)[-1].upper()


def _decide(score: float) -> Decision:
    if score >= SAME_THRESHOLD:
        return "same"
    if score >= CANDIDATE_THRESHOLD:
        return "candidate"
    return "different"


# ------------------------------------------------------------------------------- names


def _given_initials_compatible(short: NameParse, full: NameParse) -> bool:
    """ "S." or "S.-Y." against "Shunyu"; "G. E." against "Geoffrey E."."""
    letters = "".join(short.given)
    if not letters:
        return False
    if full.east_asian:
        syllables = full.initials
        return syllables.startswith(letters) or letters == syllables[:1]
    full_letters = "".join(t[0] for t in full.given)
    if letters[0] != full_letters[0]:
        return False
    # a second initial must agree with a given middle name, when both are there
    return len(letters) < 2 or len(full_letters) < 2 or letters[1] == full_letters[1]


def _vietnamese_initials(short: NameParse, full: NameParse) -> bool:
    """ "A. K. Bui" for "Bui Anh Khoa": the initials of a Vietnamese name in the order it is
    written (middle names, then the name the person goes by), every one of them given."""
    if full.east_asian or full.family not in VIETNAMESE_SURNAMES or len(full.given) < 2:
        return False
    written = (*full.given[1:], full.given[0])
    return "".join(short.given) == "".join(t[0] for t in written)


def family_initial(short: NameParse, full: NameParse) -> bool:
    """ "Venkatesh K." or "S. Ramanathan" (the family name an initial) for "Venkatesh
    Krishnan" or "Ramanathan Srinivasan": the same given names, the family name's initial."""
    if len(short.family) != 1 or len(full.family) < 2 or short.east_asian or full.east_asian:
        return False
    if short.is_initials_only or full.is_initials_only or full.family[0] != short.family:
        return False
    if short.given_key in east_asian_surnames():
        return False  # "H. Tran" is an initial and a family name, not a family initial
    return short.given_key == full.given_key and not _middles_conflict(short, full)


def _middles_conflict(a: NameParse, b: NameParse) -> bool:
    """Western middle names/initials that both sides give and that disagree."""
    if a.east_asian or b.east_asian:
        return False
    ma, mb = a.given[1:], b.given[1:]
    if not ma or not mb:
        return False
    return ma[0][0] != mb[0][0]


def compare_parses(a: NameParse, b: NameParse) -> NameLevel:
    """How well two parsed names agree: exact, close, initials or none (family names must agree,
    closely for long ones; middle initials must not conflict)."""
    if not a.given or not b.given:
        return "none"
    if family_initial(a, b) or family_initial(b, a):
        return "initials"
    family_equal = a.family == b.family
    # "Jung" and "Jeong" (정) are one Korean family name romanised two ways: close, not equal.
    korean = a.east_asian and b.east_asian and surname_group(a.family) is not None
    japanese = japanese_family(a.family, b.family)
    if (korean and surname_group(a.family) == surname_group(b.family)) or japanese:
        pass
    elif not family_equal and (
        min(len(a.family), len(b.family)) < 6 or fuzz.ratio(a.family, b.family) < 90
    ):
        return "none"
    if a.is_initials_only != b.is_initials_only:
        short, full = (a, b) if a.is_initials_only else (b, a)
        if _vietnamese_initials(short, full):
            return "initials"
    if _middles_conflict(a, b):
        return "none"
    if a.is_initials_only or b.is_initials_only:
        short, full = (a, b) if a.is_initials_only else (b, a)
        if full.is_initials_only:
            return "initials" if "".join(a.given) == "".join(b.given) else "none"
        return "initials" if _given_initials_compatible(short, full) else "none"
    ga, gb = a.given_key, b.given_key
    if ga == gb:
        return "exact" if family_equal else "close"
    # "Shun Yu Yao" read as Western vs "Shunyu Yao", "Mary-Anne" vs "Maryanne": compare the
    # joined given names
    if "".join(a.given) == "".join(b.given):
        return "exact" if family_equal else "close"
    if min(len(ga), len(gb)) >= 5 and fuzz.ratio(ga, gb) >= 88 and family_equal:
        return "close"
    # "Dmitrii Smirnov" is "Dmitry Smirnov", "Oleksandr" the Ukrainian "Alexander"
    if family_equal and slavic_given(ga) == slavic_given(gb):
        return "close"
    # "Yuuki Satoh" is "Yuki Sato": Japanese long vowels written out
    if japanese and hepburn_short(ga) == hepburn_short(gb):
        return "close"
    # "Juergen Mueller" is "Jürgen Müller" transliterated (folding keeps only "jurgen muller")
    if (umlauts_written_out(a.family), umlauts_written_out(ga)) == (
        umlauts_written_out(b.family),
        umlauts_written_out(gb),
    ):
        return "close"
    return "none"


NAME_LEVEL_RANK: dict[NameLevel, int] = {"none": 0, "initials": 1, "close": 2, "exact": 3}


def name_match(a_names: Iterable[str], b_names: Iterable[str]) -> tuple[NameLevel, str]:
    """The best name agreement between two sets of names, with the family name it rests on."""
    best: NameLevel = "none"
    family = ""
    b_parses = [p for n in b_names for p in parse_person_name(n)]
    for name in a_names:
        for pa in parse_person_name(name):
            for pb in b_parses:
                level = compare_parses(pa, pb)
                if NAME_LEVEL_RANK[level] > NAME_LEVEL_RANK[best]:
                    best, family = level, pa.family
    return best, family


def _native_conflict(a: PersonRecord, b: PersonRecord) -> bool | None:
    """True when both give different Han names, False when both give the same, else None."""
    na = a.native_name if a.native_name and has_han(a.native_name) else None
    nb = b.native_name if b.native_name and has_han(b.native_name) else None
    if not na or not nb:
        return None
    return "".join(fold(na).split()) != "".join(fold(nb).split())


def _very_common(parses: Iterable[NameParse]) -> bool:
    """A frequent surname with a short given name ("Wei Wang", "Min Kim", "J. Li")."""
    for parse in parses:
        if parse.family not in COMMON_SURNAMES or parse.is_initials_only:
            continue
        given = "".join(parse.given)
        syllables = segment_pinyin(given) if given else None
        if len(given) <= 4 or (syllables is not None and len(syllables) <= 1):
            return True
    return False


# ------------------------------------------------------------------------------- context


def _overlap(
    a: tuple[int, int | None, int | None], b: tuple[int, int | None, int | None], slack: int = 0
) -> bool:
    a_start = a[1] if a[1] is not None else -10_000
    a_end = a[2] if a[2] is not None else 10_000
    b_start = b[1] if b[1] is not None else -10_000
    b_end = b[2] if b[2] is not None else 10_000
    return a_start <= b_end + slack and b_start <= a_end + slack


def _related(a: int, b: int, index: InstitutionIndex | None) -> bool:
    if a == b:
        return True
    return index is not None and a in index and b in index and index.related(a, b)


def _institution_context(
    a: PersonRecord, b: PersonRecord, index: InstitutionIndex | None
) -> tuple[float, list[str]]:
    if not a.stints or not b.stints:
        return 0.0, []
    same_time_same = same_time_related = same_inst_any_time = False
    same_time_unrelated = False
    for sa in a.stints:
        for sb in b.stints:
            if sa[0] == sb[0]:
                if _overlap(sa, sb, slack=1):
                    same_time_same = True
                else:
                    same_inst_any_time = True
            elif _related(sa[0], sb[0], index):
                if _overlap(sa, sb, slack=1):
                    same_time_related = True
                else:
                    same_inst_any_time = True
            elif _overlap(sa, sb, slack=-1):
                same_time_unrelated = True
    if same_time_same:
        return 0.3, ["same institution at overlapping times"]
    if same_time_related:
        return 0.22, ["related institutions (parent/child) at overlapping times"]
    if same_inst_any_time:
        return 0.1, ["same institution at different times"]
    if same_time_unrelated:
        return -0.25, ["unrelated institutions at the same time"]
    return 0.0, ["different institutions at different times"]


def _topic_context(a: PersonRecord, b: PersonRecord) -> tuple[float, list[str]]:
    if not a.topics or not b.topics:
        return 0.0, []
    ta = {fold(t) for t in a.topics}
    tb = {fold(t) for t in b.topics}
    shared = ta & tb
    if len(shared) >= 2:
        return 0.15, [f"{len(shared)} shared topics"]
    if shared:
        return 0.08, ["1 shared topic"]
    return -0.1, ["no shared topic"]


# ------------------------------------------------------------------------------- scoring


def score_pair(
    a: PersonRecord, b: PersonRecord, index: InstitutionIndex | None = None
) -> MatchScore:
    """Score whether ``a`` and ``b`` are the same researcher (symmetric in a and b)."""
    if a.orcid and b.orcid:
        if _norm_orcid(a.orcid) == _norm_orcid(b.orcid):
            return MatchScore(1.0, "same", ("same ORCID",))
        return MatchScore(0.0, "different", ("different ORCIDs",))
    if (
        a.openalex_id
        and b.openalex_id
        and _norm_openalex(a.openalex_id) == _norm_openalex(b.openalex_id)
    ):
        return MatchScore(0.99, "same", ("same OpenAlex author id",))
    reasons: list[str] = []
    penalty = 0.0
    for scheme, value in a.other_ids.items():
        other = b.other_ids.get(scheme)
        if other is None:
            continue
        if fold(other) == fold(value):
            return MatchScore(0.97, "same", (f"same {scheme} id",))
        penalty += 0.3
        reasons.append(f"different {scheme} ids")
    if a.openalex_id and b.openalex_id:
        penalty += 0.05
        reasons.append("different OpenAlex author ids")

    level, family = name_match(a.all_names(), b.all_names())
    native = _native_conflict(a, b)
    if native is True:
        return MatchScore(0.0, "different", (*reasons, "different native-script names"))
    if level == "none":
        return MatchScore(0.0, "different", (*reasons, "names do not match"))
    score = _NAME_BASE[level]
    reasons.append(f"names: {level}")
    if native is False:
        score += 0.15
        reasons.append("same native-script name")

    parses = [p for n in (*a.all_names(), *b.all_names()) for p in parse_person_name(n)]
    common = family in COMMON_SURNAMES
    very_common = _very_common(p for p in parses if p.family == family)
    if very_common:
        score -= 0.15
        reasons.append(f"very common name (surname {family!r})")
    elif common:
        score -= 0.05
        reasons.append(f"common surname {family!r}")
    else:
        score += 0.1
        reasons.append("uncommon surname")

    inst_delta, inst_reasons = _institution_context(a, b, index)
    topic_delta, topic_reasons = _topic_context(a, b)
    score += inst_delta + topic_delta
    reasons.extend(inst_reasons + topic_reasons)
    shared_docs = a.documents & b.documents
    if shared_docs:
        score += 0.3
        reasons.append("same source document")
    score -= penalty
    score = max(0.0, min(score, 0.98))

    strong_context = bool(shared_docs) or native is False
    initials_backed = bool(shared_docs) and inst_delta > 0
    initials_backed = initials_backed or (not common and inst_delta >= 0.3 and topic_delta >= 0.15)
    if level == "initials" and not initials_backed:
        score = min(score, SAME_THRESHOLD - 0.01)
        reasons.append("initials only: at most a candidate")
    if very_common and not strong_context:
        score = min(score, SAME_THRESHOLD - 0.01)
        reasons.append("very common name: at most a candidate")
    score = round(score, 4)
    return MatchScore(score, _decide(score), tuple(reasons))


def best_match(
    record: PersonRecord,
    candidates: Iterable[PersonRecord],
    index: InstitutionIndex | None = None,
) -> tuple[PersonRecord, MatchScore] | None:
    """The highest-scoring candidate that is at least a candidate match, if any. Ties at the
    top between two "same" candidates are demoted to "candidate" (ambiguity stays visible)."""
    scored = sorted(
        ((c, score_pair(record, c, index)) for c in candidates),
        key=lambda item: (-item[1].score, item[0].id or 0),
    )
    scored = [item for item in scored if item[1].decision != "different"]
    if not scored:
        return None
    top, top_score = scored[0]
    if len(scored) > 1 and scored[1][1].decision == "same" and top_score.decision == "same":
        demoted = MatchScore(
            min(top_score.score, SAME_THRESHOLD - 0.01),
            "candidate",
            (*top_score.reasons, "several records match equally"),
        )
        return top, demoted
    return top, top_score
