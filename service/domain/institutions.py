"""Institution records in memory: resolving raw names and affiliation strings, the hierarchy.

Resolution order in :meth:`InstitutionIndex.resolve`:

1. external ids (ROR, OpenAlex);
2. the whole string's normalised form against every alias (``institution_alias.normalized``);
3. the parts of a raw affiliation string ("Department of Computer Science, Tsinghua
   University, Beijing 100084, China" → Tsinghua): each comma-separated segment, then runs of
   words inside a segment, then known native-script names inside CJK text; when several
   institutions are found, the most specific one (a site or child over its parent) wins, and
   unrelated ones make the answer None;
4. a conservative fuzzy match (rapidfuzz) for spelling slips, word by word, with a high
   cutoff; the country breaks ties.

The rule is never to merge wrongly: when unsure, :meth:`resolve` returns None and the caller
creates a new, unreviewed institution, which a curator can merge later.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import fuzz, process

from service.domain.names import fold, has_han, is_place_qualifier, normalize_institution

logger = logging.getLogger(__name__)

MatchMethod = Literal["ror", "openalex", "alias", "fuzzy", "segment"]
Sector = Literal["academia", "industry", "other"]

FUZZY_CUTOFF = 92.0
FUZZY_TOKEN_CUTOFF = 80.0
FUZZY_MIN_LENGTH = 8
_FUZZY_STOPWORDS = frozenset({"of", "the", "at", "for", "and", "de", "la", "le", "des", "du"})
# Prepositions that seat a name in a place: "... de Lyon", "... at Austin".
_SEAT_PREPOSITIONS = frozenset({"de", "di", "du", "at", "in"})
_SEGMENT_SPLIT = re.compile(r"[,;，；、|/]|\s+-\s+|\n")
# Generic words that never identify an institution by themselves.
_GENERIC = frozenset(
    {
        "university",
        "institute",
        "college",
        "school",
        "department",
        "laboratory",
        "laboratories",
        "research",
        "center",
        "ai",
        "lab",
        "science",
        "sciences",
        "technology",
        "academy",
        "faculty",
        "group",
        "team",
        "computer science",
        "engineering",
        "national",
        "international",
    }
)


# Words that may surround an institution's one-word name in an affiliation segment
# ("Stanford AI Lab", "DeepMind Technologies"); any other word makes a one-word match unsafe.
_CONTEXT_WORDS = frozenset(
    {
        "department",
        "dept",
        "school",
        "faculty",
        "division",
        "of",
        "and",
        "the",
        "for",
        "in",
        "at",
        "computer",
        "computing",
        "science",
        "sciences",
        "engineering",
        "electrical",
        "electronic",
        "information",
        "mathematics",
        "statistics",
        "laboratory",
        "laboratories",
        "institute",
        "research",
        "center",
        "group",
        "team",
        "ai",
        "artificial",
        "intelligence",
        "machine",
        "learning",
        "technology",
        "technologies",
        "university",
        "college",
        "key",
        "state",
        "lab",
        "brain",
        "labs",
    }
)


def _is_context_word(token: str) -> bool:
    return token in _CONTEXT_WORDS or token.isdigit() or is_place_qualifier(token)


@dataclass(frozen=True)
class InstitutionRecord:
    id: int
    slug: str
    name: str
    kind: str
    country_code: str | None
    parent_id: int | None
    is_site: bool = False
    ror: str | None = None
    openalex_id: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstitutionMatch:
    id: int
    method: MatchMethod
    score: float


def sector(kind: str, ancestor_kinds: Iterable[str] = ()) -> Sector:
    """The sector of an institution for flow purposes.

    university → academia; company → industry; government and nonprofit → academia (public
    and non-profit research counts with academia in talent-flow studies: the question asked is
    "did they leave open research for a company"); lab → industry, unless it sits under a
    university, government body or nonprofit (a university lab is academia); other → other.
    """
    if kind == "university" or kind in ("government", "nonprofit"):
        return "academia"
    if kind == "company":
        return "industry"
    if kind == "lab":
        for parent_kind in ancestor_kinds:
            if parent_kind in ("university", "government", "nonprofit"):
                return "academia"
            if parent_kind == "company":
                return "industry"
        return "industry"
    return "other"


def _content_tokens(key: str) -> list[str]:
    return [t for t in key.split() if t not in _FUZZY_STOPWORDS]


def _normalise_ror(value: str) -> str:
    value = value.strip().lower()
    return value.rsplit("/", 1)[-1]


def _normalise_openalex(value: str) -> str:
    value = value.strip()
    value = value.rsplit("/", 1)[-1]
    return value.upper() if value[:1].lower() == "i" else value


class InstitutionIndex:
    """Institutions held in memory for resolution and hierarchy questions."""

    def __init__(self, records: Iterable[InstitutionRecord] = ()) -> None:
        self._records: dict[int, InstitutionRecord] = {}
        self._by_slug: dict[str, int] = {}
        self._by_ror: dict[str, int] = {}
        self._by_openalex: dict[str, int] = {}
        self._by_key: dict[str, set[int]] = defaultdict(set)
        self._children: dict[int, set[int]] = defaultdict(set)
        self._fuzzy_keys: list[str] | None = None
        self._han_keys: list[str] | None = None
        self._max_tokens = 1
        for record in records:
            self.add(record)

    # ---------------------------------------------------------------- building

    def add(self, record: InstitutionRecord) -> None:
        """Add (or replace) a record and index its name and aliases."""
        old = self._records.get(record.id)
        if old is not None:
            self._unindex(old)
        self._records[record.id] = record
        self._by_slug[record.slug] = record.id
        if record.ror:
            self._by_ror[_normalise_ror(record.ror)] = record.id
        if record.openalex_id:
            self._by_openalex[_normalise_openalex(record.openalex_id)] = record.id
        for key in self._keys(record):
            self._by_key[key].add(record.id)
            self._max_tokens = max(self._max_tokens, len(key.split()))
        if record.parent_id is not None:
            self._children[record.parent_id].add(record.id)
        self._fuzzy_keys = None
        self._han_keys = None

    def _unindex(self, record: InstitutionRecord) -> None:
        for key in self._keys(record):
            ids = self._by_key.get(key)
            if ids is not None:
                ids.discard(record.id)
                if not ids:
                    del self._by_key[key]
        if record.parent_id is not None:
            self._children[record.parent_id].discard(record.id)

    @staticmethod
    def _keys(record: InstitutionRecord) -> set[str]:
        keys = {normalize_institution(n) for n in (record.name, *record.aliases) if n.strip()}
        keys.add(normalize_institution(record.slug.replace("-", " ")))
        keys.discard("")
        return keys

    # ---------------------------------------------------------------- lookups

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, institution_id: object) -> bool:
        return institution_id in self._records

    def get(self, institution_id: int) -> InstitutionRecord | None:
        return self._records.get(institution_id)

    def by_slug(self, slug: str) -> InstitutionRecord | None:
        found = self._by_slug.get(slug)
        return None if found is None else self._records[found]

    def records(self) -> list[InstitutionRecord]:
        return list(self._records.values())

    def ids_for_key(self, key: str) -> frozenset[int]:
        return frozenset(self._by_key.get(key, ()))

    # ---------------------------------------------------------------- hierarchy

    def ancestors(self, institution_id: int) -> list[int]:
        """Parents up to the top, nearest first (the institution itself excluded)."""
        chain: list[int] = []
        seen = {institution_id}
        record = self._records.get(institution_id)
        while record is not None and record.parent_id is not None:
            if record.parent_id in seen:
                logger.warning("institution parent cycle at %s", record.parent_id)
                break
            chain.append(record.parent_id)
            seen.add(record.parent_id)
            record = self._records.get(record.parent_id)
        return chain

    def descendants(self, institution_id: int) -> set[int]:
        """The institution and everything below it."""
        found = {institution_id}
        stack = [institution_id]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                if child not in found:
                    found.add(child)
                    stack.append(child)
        return found

    def top_level(self, institution_id: int) -> int:
        chain = self.ancestors(institution_id)
        return chain[-1] if chain else institution_id

    def related(self, a: int, b: int) -> bool:
        """Equal, or one is an ancestor of the other."""
        return a == b or a in self.ancestors(b) or b in self.ancestors(a)

    def sector(self, institution_id: int) -> Sector:
        record = self._records.get(institution_id)
        if record is None:
            return "other"
        kinds = [self._records[i].kind for i in self.ancestors(institution_id) if i in self]
        return sector(record.kind, kinds)

    def top_level_map(self) -> dict[int, int]:
        """Every institution's top-level ancestor (for the flows PARENT level)."""
        return {i: self.top_level(i) for i in self._records}

    # ---------------------------------------------------------------- resolution

    def resolve(
        self,
        name: str | None = None,
        *,
        ror: str | None = None,
        openalex_id: str | None = None,
        country_code: str | None = None,
    ) -> InstitutionMatch | None:
        """Resolve an institution name or raw affiliation string; None when unsure."""
        if ror:
            found = self._by_ror.get(_normalise_ror(ror))
            if found is not None:
                return InstitutionMatch(found, "ror", 1.0)
        if openalex_id:
            found = self._by_openalex.get(_normalise_openalex(openalex_id))
            if found is not None:
                return InstitutionMatch(found, "openalex", 1.0)
        if not name or not name.strip():
            return None
        country = country_code.upper() if country_code else None

        key = normalize_institution(name)
        exact = self._pick(self._by_key.get(key, set()), country)
        if exact is not None:
            return InstitutionMatch(exact, "alias", 1.0)
        if self._by_key.get(key):
            return None  # the name is known but ambiguous

        segmented = self._resolve_segments(name, country)
        if segmented is not None:
            return segmented
        return self._resolve_fuzzy(name, country)

    def _pick(self, ids: Iterable[int], country: str | None) -> int | None:
        """One id from a set of candidates: the only one, or the most specific of a chain,
        or the only one in ``country``; otherwise None."""
        candidates = set(ids)
        if not candidates:
            return None
        if len(candidates) == 1:
            return next(iter(candidates))
        specific = self._most_specific(candidates)
        if specific is not None:
            return specific
        if country:
            local = {i for i in candidates if self._records[i].country_code == country}
            if len(local) == 1:
                return next(iter(local))
            specific = self._most_specific(local) if local else None
            if specific is not None:
                return specific
        return None

    def _most_specific(self, candidates: set[int]) -> int | None:
        """The candidate below all the others when they form one chain, else None."""
        for candidate in candidates:
            above = set(self.ancestors(candidate))
            if all(other == candidate or other in above for other in candidates):
                return candidate
        return None

    def _segments(self, name: str) -> list[str]:
        return [s.strip() for s in _SEGMENT_SPLIT.split(name) if s and s.strip()]

    def _resolve_segments(self, name: str, country: str | None) -> InstitutionMatch | None:
        found: dict[int, float] = {}
        first_exact: int | None = None
        ambiguous = False
        segments = self._segments(name)
        # adjacent segments together: "Institute of Automation, Chinese Academy of Sciences"
        for size in (3, 2):
            for start in range(len(segments) - size + 1):
                joined = normalize_institution(", ".join(segments[start : start + size]))
                pick = self._pick(self._by_key.get(joined, ()), country)
                if pick is not None:
                    return InstitutionMatch(pick, "segment", 0.95)
        for segment in segments:
            key = normalize_institution(segment)
            if not key:
                continue
            ids = self._by_key.get(key)
            if ids:
                pick = self._pick(ids, country)
                if pick is None:
                    ambiguous = True
                else:
                    found[pick] = max(found.get(pick, 0.0), 0.95)
                    if first_exact is None:
                        first_exact = pick
                continue
            for pick, score in self._window_matches(key, country):
                found[pick] = max(found.get(pick, 0.0), score)
        if not found:
            return None
        best = self._most_specific(set(found))
        if best is None:
            best = self._pick(found, country) if country else None
        if best is None and first_exact is not None and not ambiguous:
            # "Mila, Université de Montréal": the first named unit is the most specific one
            best = first_exact
        if best is None:
            logger.debug("affiliation %r names several institutions: %s", name, sorted(found))
            return None
        if ambiguous and len(found) == 1 and found[best] < 0.95:
            return None
        return InstitutionMatch(best, "segment", found[best])

    def _window_matches(self, key: str, country: str | None) -> list[tuple[int, float]]:
        """Institutions named by a run of words inside one segment, longest runs first;
        runs inside a longer match are skipped. Han text is searched for known names."""
        tokens = key.split()
        taken = [False] * len(tokens)
        matches: list[tuple[int, float]] = []
        for size in range(min(len(tokens), self._max_tokens), 0, -1):
            for start in range(len(tokens) - size + 1):
                if any(taken[start : start + size]):
                    continue
                window = " ".join(tokens[start : start + size])
                if window in _GENERIC or (size == 1 and not self._distinctive(window)):
                    continue
                ids = self._by_key.get(window)
                if not ids:
                    continue
                rest = tokens[:start] + tokens[start + size :]
                if size == 1 and not all(_is_context_word(t) for t in rest):
                    continue  # "Apple Valley High School" is not Apple
                pick = self._pick(ids, country)
                if pick is None:
                    continue
                if rest and self._elsewhere(pick, country):
                    continue  # "Microsoft Research India" (IN) is a site, not the US lab
                if self._another_seat(pick, tokens[start + size :]):
                    continue  # "École normale supérieure de Lyon" is not the one in Paris
                matches.append((pick, 0.85 if size > 1 else 0.8))
                for i in range(start, start + size):
                    taken[i] = True
        for token, used in zip(tokens, taken, strict=True):
            if used or not has_han(token):
                continue
            for han_key in self._han_alias_keys():
                if han_key in token and han_key != token:
                    pick = self._pick(self._by_key[han_key], country)
                    if pick is not None:
                        matches.append((pick, 0.8))
                        break
        return matches

    def _another_seat(self, inst: int, after: Sequence[str]) -> bool:
        """Whether the words after a name seat it somewhere its record does not name: a
        preposition of place and one word ("École normale supérieure de Lyon", "Universidad X
        de Chile") that no name of ``inst`` contains. Such names are a sister institution of
        the same kind elsewhere, not ``inst``."""
        if len(after) != 2 or after[0] not in _SEAT_PREPOSITIONS:
            return False
        own = {
            t
            for n in (self._records[inst].name, *self._records[inst].aliases)
            for t in normalize_institution(n).split()
        }
        return after[1] not in own

    def _elsewhere(self, inst: int, country: str | None) -> bool:
        """Whether ``inst`` lies in another country than the one the source gives."""
        known = self._records[inst].country_code
        return bool(country and known and known.upper() != country)

    @staticmethod
    def _distinctive(token: str) -> bool:
        """A one-word alias is trusted inside a longer string when it is a long word
        ("tsinghua", "deepmind") or in Han script, not a short acronym that could be a
        common word."""
        if has_han(token):
            return len(token) >= 2
        return len(token) >= 5 and not token.isdigit()

    def _han_alias_keys(self) -> list[str]:
        if self._han_keys is None:
            self._han_keys = sorted(
                (k for k in self._by_key if has_han(k) and " " not in k and len(k) >= 2),
                key=len,
                reverse=True,
            )
        return self._han_keys

    def _resolve_fuzzy(self, name: str, country: str | None) -> InstitutionMatch | None:
        if self._fuzzy_keys is None:
            self._fuzzy_keys = [k for k in self._by_key if len(k) >= FUZZY_MIN_LENGTH]
        queries = [normalize_institution(name)] + [
            normalize_institution(s) for s in self._segments(name)
        ]
        results: dict[int, float] = {}
        for query in dict.fromkeys(queries):
            if len(query) < FUZZY_MIN_LENGTH or query in _GENERIC:
                continue
            for key, score, _ in process.extract(
                query, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5
            ):
                if not self._tokens_agree(query, key):
                    continue
                for inst in self._by_key[key]:
                    results[inst] = max(results.get(inst, 0.0), float(score))
        if not results:
            return None
        top = max(results.values())
        best = {i for i, s in results.items() if s >= top - 2.0}
        pick = self._pick(best, country)
        if pick is None:
            return None
        return InstitutionMatch(pick, "fuzzy", round(results[pick] / 100.0 * 0.9, 4))

    @staticmethod
    def _tokens_agree(query: str, key: str) -> bool:
        """Word by word, the same words up to spelling slips (rejects "tokyo" vs "kyoto")."""
        left, right = _content_tokens(query), _content_tokens(key)
        if len(left) != len(right):
            return False
        for a, b in zip(left, right, strict=True):
            if a == b:
                continue
            if a.isdigit() or b.isdigit() or len(a) < 4 or len(b) < 4:
                return False
            if fuzz.ratio(a, b) < FUZZY_TOKEN_CUTOFF:
                return False
        return True


def folded_name(record: InstitutionRecord) -> str:
    """The folded display name (for ``institution.search_text``)."""
    return fold(" ".join((record.name, *record.aliases)))


def records_from_seed(entries: Iterable[Mapping[str, Any]]) -> list[InstitutionRecord]:
    """Records from parsed seed-file tables (``[[institution]]`` dicts), numbered 1.. in file
    order; parents are referred to by slug and resolved here. Native names become aliases."""
    rows = list(entries)
    ids = {str(row["slug"]): number for number, row in enumerate(rows, start=1)}
    records: list[InstitutionRecord] = []
    for row in rows:
        slug = str(row["slug"])
        parent = row.get("parent")
        aliases = tuple(str(a) for a in (*row.get("aliases", ()), *row.get("native_names", ())))
        records.append(
            InstitutionRecord(
                id=ids[slug],
                slug=slug,
                name=str(row["name"]),
                kind=str(row.get("kind", "other")),
                country_code=row.get("country") or row.get("country_code"),
                parent_id=ids.get(str(parent)) if parent else None,
                is_site=bool(row.get("site", False)),
                ror=row.get("ror"),
                openalex_id=row.get("openalex"),
                aliases=aliases,
            )
        )
    return records
