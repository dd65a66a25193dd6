"""Value types shared by the news extractor: the alias table and extracted moves."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from plugins.news.lexicon import name_table


def _is_ascii_word_char(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


def press_case(alias: str) -> str | None:
    """How newsrooms write an all-caps company name: "NVIDIA" → "Nvidia", "NAVER Cloud" →
    "Naver Cloud". Words of six capitals or more, and of five that are not a person's name
    ("ELLIS" stays, since Ellis is a name); ``None`` when nothing changes."""

    def word(w: str) -> str:
        if not (w.isupper() and w.isascii() and w.isalpha()) or len(w) < 5:
            return w
        return w if len(w) == 5 and w.title() in name_table() else w.title()

    cased = " ".join(word(w) for w in alias.split(" "))
    return cased if cased != alias else None


@dataclass(frozen=True)
class AliasTable:
    """Institution names as written (aliases, native names) mapped to institution slugs."""

    entries: Mapping[str, str]

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> AliasTable:
        entries: dict[str, str] = {}
        for alias, slug in pairs:
            alias = alias.strip()
            if alias and alias not in entries:
                entries[alias] = slug
        for alias, slug in list(entries.items()):
            # "Institute of Automation, Chinese Academy of Sciences" is written in running text
            # as "the Institute of Automation of the Chinese Academy of Sciences".
            unit, comma, parent = alias.partition(", ")
            if comma and " " in unit and " " in parent and "," not in parent:
                entries.setdefault(f"{unit} of the {parent}", slug)
                entries.setdefault(f"{unit} of {parent}", slug)
        return cls(entries=entries)

    def with_names(self, names: Iterable[str]) -> AliasTable:
        """This table plus organisations the index does not know (no slug), e.g. a start-up
        an article introduces."""
        entries = dict(self.entries)
        for name in names:
            entries.setdefault(name.strip(), "")
        return AliasTable(entries=entries)

    def with_aliases(self, pairs: Iterable[tuple[str, str]]) -> AliasTable:
        """This table plus more names of known institutions (a name already here keeps its
        slug)."""
        entries = dict(self.entries)
        for name, slug in pairs:
            entries.setdefault(name.strip(), slug)
        return AliasTable(entries=entries)

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """One alternation over every alias, longest first, word-boundary aware for Latin text."""
        forms: dict[str, None] = {}
        for alias in self.entries:
            forms[alias] = None
            cased = press_case(alias)
            if cased is not None:
                forms[cased] = None
        parts: list[str] = []
        for alias in sorted(forms, key=lambda a: (-len(a), a)):
            body = re.escape(alias)
            if _is_ascii_word_char(alias[0]):
                body = r"(?<![A-Za-z0-9_])" + body
            if _is_ascii_word_char(alias[-1]):
                body = body + r"(?![A-Za-z0-9_])"
            parts.append(body)
        if not parts:
            return None
        return re.compile("|".join(parts))

    @cached_property
    def folded(self) -> dict[str, str]:
        """Alias lookup that also accepts the title-cased forms the pattern accepts."""
        out = dict(self.entries)
        for alias, slug in self.entries.items():
            cased = press_case(alias)
            if cased is not None:
                out.setdefault(cased, slug)
        return out

    def slug_for(self, name: str | None) -> str | None:
        if name is None:
            return None
        return self.folded.get(name) or None


@dataclass(frozen=True)
class ExtractedMove:
    """One move reported by an article: who, from where, to where, and the sentence saying so."""

    person: str
    from_name: str | None
    to_name: str | None
    from_slug: str | None
    to_slug: str | None
    year: int | None
    month: int | None
    quote: str
    span_start: int
    span_end: int
    confidence: float
    status_hint: str
    role: str | None
    modality: str = "reported"
    kind: str = "join"


@dataclass(frozen=True)
class Mention:
    """An institution named in the text (absolute offsets)."""

    start: int
    end: int
    name: str
    slug: str | None


@dataclass(frozen=True)
class PersonMention:
    """A person named in the text (absolute offsets); ``name`` is the display form."""

    start: int
    end: int
    name: str
    pronoun: bool = False


@dataclass
class Candidate:
    """A move (or a prior affiliation) found in one sentence, before merging."""

    person: str
    sentence: int
    origin: Mention | None
    destination: Mention | None
    confidence: float
    rumoured: bool
    role: str | None = None
    year: int | None = None
    month: int | None = None
    prior: bool = False
    extras: dict[str, str] = field(default_factory=dict)
    modality: str = "reported"
    kind: str = "join"
