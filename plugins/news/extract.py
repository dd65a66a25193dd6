"""Document-level extraction of researcher moves from news text (English and Chinese).

The article is read as a whole:

1. **Segmentation** (``plugins.news.sentences``): headline, lede and body sentences with their
   character offsets; line breaks end a headline, a paragraph or a sidebar.
2. **Mentions**: institutions from the institution index and its aliases, plus organisations
   recognised by their shape ("a start-up called N", "N, a new company", "co-founded N"), which
   are added to the document's own alias table so every later mention resolves; people are
   capitalised name runs checked against a table of given and family names from many cultures
   (``plugins.news.lexicon``), never a place, never an institution.
3. **Coreference chains**: a full name, then the surname or given name alone, "he"/"she", "the
   researcher", and "they" for the people just coordinated, all resolve to one person.
4. **Move frames** (leave, join, found, hire/poach/appoint, return) per cue, each with a
   modality (``plugins.news.modality``), then filled across the document: a departure and an
   arrival of one person in different sentences become one move; an arrival with no origin takes
   the person's latest employer named before it; coordinated and plural subjects give one frame
   per person.

Old moves mentioned in passing (a clause dated before the article's year, "after joining")
yield no frame but count as the person's known employer.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import unicodedata
from collections.abc import Mapping

from anyascii import anyascii

from plugins.news import chinese, english
from plugins.news.mentions import (
    STOPWORDS,
    find_institutions,
    find_joined_organisations,
    find_new_organisations,
)
from plugins.news.modality import MOVE_MODALITIES, RUMOUR_MODALITIES, told_elsewhere
from plugins.news.model import AliasTable, Candidate, ExtractedMove, Mention, PersonMention
from plugins.news.script import as_written, to_simplified
from plugins.news.sentences import split_sentences

__all__ = ["AliasTable", "ExtractedMove", "extract_moves", "person_key"]

logger = logging.getLogger(__name__)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ZH_ARTICLE_DENIAL = re.compile(
    r"不实|否认|辟谣|与事实不符|假消息|谣言|不属实|并非事实|(?:并无|没有)(?:离职|跳槽|加盟|加入)(?:计划|打算)"
    r"|没有.{0,6}这回事|目前仍(?:为|是|在)"
)
RUMOUR_CEILING = 0.5


def extract_moves(
    text: str,
    aliases: AliasTable,
    *,
    language: str | None = None,
    published_year: int | None = None,
    parents: Mapping[str, str] | None = None,
) -> list[ExtractedMove]:
    """Every move frame the article tells, one per (person, from, to), in order of first
    mention, each with its modality (only ``reported``/``confirmed`` ones are moves).
    ``parents`` (institution slug → its parent's slug) lets a move name the lab the article
    places the person in rather than the company that owns it."""
    original = text
    if parents:
        aliases = _with_possessive_labs(aliases, parents)
    if language == "zh" or (language is None and _HAN.search(text)):
        text = to_simplified(text)
    sentences = split_sentences(text)
    aliases = _with_acronyms(aliases, text)
    if language != "zh":
        new_orgs = [
            *find_new_organisations(text, 0, len(text)),
            *find_joined_organisations(text, 0, len(text)),
        ]
        known = set(aliases.entries)
        fresh = [
            m.name
            for m in new_orgs
            if m.name not in known
            and not aliases.slug_for(m.name)
            and not _known_then_joined(m.name, aliases)
        ]
        fresh += _short_forms(fresh, aliases)
        if fresh:
            aliases = aliases.with_names(fresh)
    if language == "zh" or (language is None and _HAN.search(text)):
        fresh = chinese.new_organisations(text, aliases)
        if fresh:
            aliases = aliases.with_names(fresh)
    history: list[PersonMention] = []
    seen_insts: list[Mention] = []
    candidates: list[Candidate] = []
    for index, (start, end) in enumerate(sentences):
        sentence = text[start:end]
        is_zh = language == "zh" or (language is None and bool(_HAN.search(sentence)))
        module = chinese if is_zh else english
        found = module.sentence_candidates(
            text, sentences, index, aliases, published_year, history, seen_insts
        )
        denial = (
            _ZH_ARTICLE_DENIAL.search(sentence)
            if is_zh
            else english.ARTICLE_DENIAL.search(sentence)
        )
        if denial and not [c for c in found if not c.prior]:
            # "The company denied the report": the rumours told before it are denied.
            for cand in candidates:
                if cand.modality in RUMOUR_MODALITIES:
                    cand.modality = "denied"
        candidates.extend(found)
    candidates = _name_plural_subjects(candidates, history, text, sentences)
    if language == "zh":
        candidates += chinese.founding_partners(text, sentences, aliases, history, candidates)
        candidates += chinese.document_priors(text, sentences, aliases, history)
        chinese.settle_modality(candidates, text, sentences, history)
        topic = _zh_topic_employer(text, sentences, aliases)
        if topic is not None:
            _fill_from_topic(candidates, topic)
    if language != "zh":
        candidates += _named_cofounders(text, sentences, aliases, history, candidates)
        candidates += _founded_by(text, sentences, aliases, history)
        candidates += _group_priors(text, sentences, aliases, history)
        topic = _topic_employer(text, sentences, aliases)
        if topic is not None:
            _fill_from_topic(candidates, topic)
        gainer = _topic_gainer(text, sentences, aliases)
        if gainer is not None:
            _fill_destination(candidates, gainer)
    moves = [_full_name(move, aliases, text) for move in _merge(candidates, text, sentences)]
    moves = _complete_halves(moves, candidates, text, sentences, aliases, parents or {})
    if parents:
        moves = _specialise(moves, candidates, text, sentences, aliases, parents)
    moves = _earlier_steps_are_background(moves, parents or {})
    if text != original:
        moves = [_in_original_script(move, text, original) for move in moves]
    return moves


_ACRONYM = re.compile(r"(?<![\w-])[A-Z]{2,5}(?![\w-])")


def _with_acronyms(aliases: AliasTable, text: str) -> AliasTable:
    """ "Meta Superintelligence Labs … joined MSL": an all-capitals word that spells the
    initials of a known organisation the article named before it is that organisation."""
    pattern = aliases.pattern
    if pattern is None:
        return aliases
    first: dict[str, int] = {}
    for match in _ACRONYM.finditer(text):
        if match.group() not in aliases.entries:
            first.setdefault(match.group(), match.start())
    if not first:
        return aliases
    pairs: list[tuple[str, str]] = []
    for match in pattern.finditer(text):
        name = match.group()
        words = [w for w in re.split(r"[\s-]+", name) if w]
        initials = "".join(w[0] for w in words if w[0].isupper())
        if len(words) < 2 or initials not in first or first[initials] < match.end():
            continue
        slug = aliases.slug_for(name)
        if slug and all(slug != s for n, s in pairs if n == initials):
            pairs.append((initials, slug))
    chosen = {n: s for n, s in pairs if sum(1 for m, _ in pairs if m == n) == 1}
    return aliases.with_aliases(chosen.items()) if chosen else aliases


_RETURN_TO = (
    r"(?:\breturn(?:s|ed|ing)? to|\bback (?:at|to|with)|\brejoin(?:s|ed|ing)?"
    r"|回归|重返|回到|重新加入)\s*(?:the\s+)?"
)


def _told_as_return(move: ExtractedMove) -> bool:
    """The move's own sentence says the person goes back to its destination."""
    return bool(
        move.to_name and re.search(_RETURN_TO + re.escape(move.to_name), move.quote, re.IGNORECASE)
    )


def _earlier_steps_are_background(
    moves: list[ExtractedMove], parents: Mapping[str, str]
) -> list[ExtractedMove]:
    """Two firm moves of one person that chain (A → B, then B → C) tell a history and its
    latest step: the earlier step is background ("X, who left A for B last year, has now
    joined C"). When they go back and forth (A → B, B → A), the one told as a return is the
    news ("who left Microsoft for OpenAI, is back at Microsoft")."""

    def key(name: str | None, slug: str | None) -> str | None:
        return slug or (name.casefold() if name else None)

    def same(a: str | None, b: str | None) -> bool:
        return a is not None and b is not None and (a == b or _related(a, b, parents))

    firm = [m for m in moves if m.modality in MOVE_MODALITIES and m.from_name and m.to_name]
    earlier: set[int] = set()
    for first in firm:
        for then in firm:
            if first is then or person_key(first.person) != person_key(then.person):
                continue
            if not same(key(first.to_name, first.to_slug), key(then.from_name, then.from_slug)):
                continue
            back_and_forth = same(
                key(first.from_name, first.from_slug), key(then.to_name, then.to_slug)
            )
            if back_and_forth and (_told_as_return(first) or not _told_as_return(then)):
                continue  # nothing tells which of the two is the news
            earlier.add(id(first))
    if not earlier:
        return moves
    return [dataclasses.replace(m, modality="background") if id(m) in earlier else m for m in moves]


def _short_forms(names: list[str], aliases: AliasTable) -> list[str]:
    """ "Larkspur" for "Larkspur Systems": a new organisation named again without its suffix
    (``_full_name`` gives moves the full name back)."""
    out: list[str] = []
    for name in names:
        words = name.split()
        if len(words) < 2 or not re.fullmatch(_ORG_SUFFIX, words[-1]):
            continue
        short = " ".join(words[:-1])
        if short in aliases.entries or len(short) < 4 or short in STOPWORDS:
            continue
        out.append(short)
    return out


def _known_then_joined(name: str, aliases: AliasTable) -> bool:
    """ "Google for Upstage" ("has left Google for Upstage, the company said"): a known
    organisation and what follows "for" or "of" is not one new organisation's name."""
    match = re.match(r"(.+?) (?:for|of) ", name)
    return bool(match and aliases.slug_for(match.group(1)))


_POSSESSIVE_TABLES: dict[tuple[int, int], tuple[AliasTable, Mapping[str, str], AliasTable]] = {}


def _with_possessive_labs(aliases: AliasTable, parents: Mapping[str, str]) -> AliasTable:
    """ "Meta's superintelligence lab", "ByteDance's Seed team": a lab named as its company's
    possession, the way news writes "Meta Superintelligence Labs" and "ByteDance Seed". Every
    name of a lab that begins with a name of its parent gives the possessive forms, with the
    rest as written and in lower case, singular and plural."""
    key = (id(aliases), len(parents))
    cached = _POSSESSIVE_TABLES.get(key)
    if cached is not None and cached[0] is aliases and cached[1] == parents:
        return cached[2]
    names: dict[str, list[str]] = {}
    for alias, slug in aliases.entries.items():
        if slug and alias.isascii():
            names.setdefault(slug, []).append(alias)
    pairs: list[tuple[str, str]] = []
    for child, parent in parents.items():
        for name in names.get(child, []):
            for owner in names.get(parent, []):
                if not name.startswith(owner + " ") or len(name) <= len(owner) + 2:
                    continue
                rest = name[len(owner) + 1 :]
                if rest in aliases.entries:
                    continue  # "Meta's FAIR": "FAIR" is found already, and may be narrowed
                forms = {rest, rest.lower()}
                forms |= {f[:-1] for f in forms if f.endswith("s") and len(f) > 4}
                # "Databricks' Mosaic Research": a name ending in s takes the bare apostrophe.
                marks = ("'s", "’s", "'", "’") if owner.endswith("s") else ("'s", "’s")
                pairs += [(f"{owner}{mark} {form}", child) for form in forms for mark in marks]
    table = aliases.with_aliases(pairs)
    _POSSESSIVE_TABLES.clear()
    _POSSESSIVE_TABLES[key] = (aliases, parents, table)
    return table


def _in_original_script(move: ExtractedMove, simplified: str, original: str) -> ExtractedMove:
    """A move read from the simplified form of a traditional-script article, with the person,
    the new organisations and the quote as the article writes them."""
    return dataclasses.replace(
        move,
        person=as_written(move.person, simplified, original) or move.person,
        from_name=move.from_name
        if move.from_slug
        else as_written(move.from_name, simplified, original),
        to_name=move.to_name if move.to_slug else as_written(move.to_name, simplified, original),
        quote=original[move.span_start : move.span_end],
    )


def _descendant_of(slug: str, ancestor: str, parents: Mapping[str, str]) -> bool:
    seen: set[str] = set()
    while slug in parents and slug not in seen:
        seen.add(slug)
        slug = parents[slug]
        if slug == ancestor:
            return True
    return False


_LEFT_BEFORE = re.compile(r"\b(?:left|leaving|quit|departed|离开|离职)\s*(?:the\s+)?$")


def _narrower(
    near: list[Mention], slug: str | None, other: str | None, parents: Mapping[str, str]
) -> Mention | None:
    """The one lab of ``slug`` among ``near`` (not the move's other end), if exactly one."""
    if not slug:
        return None
    labs = {
        m.slug: m
        for m in near
        if m.slug and m.slug != other and _descendant_of(m.slug, slug, parents)
    }
    return next(iter(labs.values())) if len(labs) == 1 else None


def _specialise(
    moves: list[ExtractedMove],
    candidates: list[Candidate],
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    parents: Mapping[str, str],
) -> list[ExtractedMove]:
    """ "Meta has hired X ... X will join Meta Superintelligence Labs", "Google has appointed X
    as director of Google DeepMind's team", "X, a Google Research scientist, has left Google":
    an end named by a company is the lab of that company the article places the person in
    (one of the person's own frames, the move's sentence or the one before), when there is
    exactly one such lab."""
    out: list[ExtractedMove] = []
    for move in moves:
        key = person_key(move.person)
        near: list[Mention] = [
            m
            for c in candidates
            if person_key(c.person) == key
            for m in (c.origin, c.destination)
            if m is not None and m.slug
        ]
        index = next((i for i, (a, b) in enumerate(sentences) if a <= move.span_start < b), None)
        if index is not None:
            first = sentences[max(0, index - 1)][0]
            last = sentences[index][1]
            if index + 1 < len(sentences):
                # "Meta has hired X. X will join Meta Superintelligence Labs": the next sentence
                # too, when it is about the same person.
                n_start, n_end = sentences[index + 1]
                opening = text[n_start:n_end].split(maxsplit=1)[:1]
                names = set(move.person.split()) | {"He", "She", "They"}
                if opening and (opening[0].rstrip(",") in names or move.person in opening[0]):
                    last = n_end
            # A lab another person of the sentence moves from or to is theirs, not this one's.
            theirs = {
                e
                for o in moves
                if person_key(o.person) != key and o.span_start < last and o.span_end > first
                for e in (o.from_slug, o.to_slug)
                if e
            }
            near += [
                m for m in find_institutions(text, first, last, aliases) if m.slug not in theirs
            ]

        origin = _narrower(near, move.from_slug, move.to_slug, parents)
        # "Google has rehired X, who left Google Brain in 2023": a lab the person is told
        # leaving is not where they go back to.
        left = {
            c.origin.slug
            for c in candidates
            if person_key(c.person) == key and c.origin is not None and c.origin.slug
        }
        dest = _narrower(
            [
                m
                for m in near
                if m.slug not in left
                and not _LEFT_BEFORE.search(text, max(0, m.start - 20), m.start)
            ],
            move.to_slug,
            move.from_slug,
            parents,
        )
        if origin is None and dest is None:
            out.append(move)
            continue
        out.append(
            dataclasses.replace(
                move,
                from_name=origin.name if origin else move.from_name,
                from_slug=origin.slug if origin else move.from_slug,
                to_name=dest.name if dest else move.to_name,
                to_slug=dest.slug if dest else move.to_slug,
            )
        )
    # A half-move now inside a full move of the same person and modality says nothing more.
    full = {(person_key(m.person), m.modality, m.from_slug, m.to_slug) for m in out}
    return [
        m
        for i, m in enumerate(out)
        if not (
            (m.from_slug is None or m.to_slug is None)
            and any(
                k[0] == person_key(m.person)
                and k[1] == m.modality
                and k[2] is not None
                and k[3] is not None
                and (k[2] == m.from_slug if m.to_slug is None else k[3] == m.to_slug)
                for k in full
            )
            and (m.from_name is None or m.to_name is None)
        )
        and (m.from_slug, m.to_slug, person_key(m.person), m.modality)
        not in {(o.from_slug, o.to_slug, person_key(o.person), o.modality) for o in out[:i]}
    ]


def _person_spans(
    person: str, candidates: list[Candidate], text: str, sentences: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The stretches of text that speak of ``person``: in each sentence of their own frames or
    naming them (in full, or by a word of their name), the clauses (split at semicolons) that
    name them, else the whole sentence."""
    key = person_key(person)
    own = {c.sentence for c in candidates if person_key(c.person) == key}
    if _HAN.search(person):
        words = [person]
    else:
        words = [w for w in re.findall(r"[\w'’-]+", person) if len(w) > 2 and w[0].isupper()]
    names = re.compile("|".join(rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in words) or r"(?!)")
    spans: list[tuple[int, int]] = []
    for index, (start, end) in enumerate(sentences):
        clauses: list[tuple[int, int]] = []
        at = start
        for stop in re.finditer(r"[;；]", text[start:end]):
            clauses.append((at, start + stop.end()))
            at = start + stop.end()
        clauses.append((at, end))
        named = [(a, b) for a, b in clauses if names.search(text, a, b)]
        if named:
            spans.extend(named)
        elif index in own:
            spans.append((start, end))
    return spans


def _pronoun_sentences_after(
    spans: list[tuple[int, int]], text: str, sentences: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The sentences that continue a span about the person with a pronoun ("He has not said
    what he will do next")."""
    ends = {b for _, b in spans}
    return [
        (start, end)
        for i, (start, end) in enumerate(sentences)
        if i
        and sentences[i - 1][1] in ends
        and re.match(r"\s*(?:He|She|They|他|她)", text[start:end])
    ]


def _related(a: str | None, b: str | None, parents: Mapping[str, str]) -> bool:
    if not a or not b:
        return False
    return a == b or _descendant_of(a, b, parents) or _descendant_of(b, a, parents)


_NEXT_STEP_UNKNOWN = re.compile(
    r"\b(?:has|have|had|did|does) not (?:yet )?(?:announced|said|disclosed|revealed|decided)"
    r"|\bdid not say (?:where|what)|\bdeclined to say\b|\bnext (?:step|move|role)s? (?:is|are|was"
    r"|were|remains?) (?:unknown|unclear|not known)|\bnot (?:yet )?(?:said|known) where"
    r"|去向(?:未知|不明|尚不明确)|未透露(?:其)?(?:去向|下一步)|暂未透露|尚未公布",
    re.IGNORECASE,
)
_DATED_AFTER = re.compile(r"\s+(?:in|since)\s+(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d\b|(?:19|20)\d\d年")


def _complete_halves(
    moves: list[ExtractedMove],
    candidates: list[Candidate],
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    parents: Mapping[str, str],
) -> list[ExtractedMove]:
    """A move with one end unknown ("X has left A") is recorded only when the article leaves
    that end unknown. Where it names, where it speaks of X or in its headline and lede,
    another organisation that is neither the known end, nor part of it, nor an employer told
    in passing, that organisation is almost always the end the rules failed to tie in: a
    half-move would say the destination is unknown when the article says what it is, so none
    is recorded. A rumoured half-move says too little to keep."""
    out: list[ExtractedMove] = []
    for move in moves:
        if move.modality == "background" or (move.from_name is None) == (move.to_name is None):
            out.append(move)
            continue
        if move.modality in RUMOUR_MODALITIES:
            continue
        key = person_key(move.person)
        known = move.from_slug or move.from_name or move.to_slug or move.to_name
        known_key = (known or "").lower()
        priors = {
            (_inst_key(c.origin) or "")
            for c in candidates
            if c.prior and person_key(c.person) == key and c.origin is not None
        }
        others: dict[str, Mention] = {}
        spans = _person_spans(move.person, candidates, text, sentences)
        told = [*spans, *_pronoun_sentences_after(spans, text, sentences)]
        if any(_NEXT_STEP_UNKNOWN.search(text, a, b) for a, b in told):
            out.append(move)  # "has not announced her plans": the article says it is unknown
            continue
        # The headline and lede count too, for organisations not at the ends of the moves of
        # others the article tells.
        others_ends = {
            (e or "").lower()
            for m in moves
            if person_key(m.person) != key
            for e in (m.from_slug or m.from_name, m.to_slug or m.to_name)
        }
        # A new organisation the article introduces ("The new company is called N") is
        # news wherever it is named.
        introduced = [
            (m.start, m.end, True)
            for m in find_institutions(text, 0, len(text), aliases)
            if not m.slug and m.name
        ]
        lede = [(a, b, True) for a, b in sentences[:2]] + introduced
        for start, end, in_lede in [*((a, b, False) for a, b in spans), *lede]:
            if not in_lede and _TALKS_ONLY.search(text, start, end):
                continue  # "他也曾与银河通用有过接触": talks name no end of a move done
            for inst in find_institutions(text, start, end, aliases):
                ikey = _inst_key(inst) or ""
                if ikey == known_key or _related(inst.slug, known, parents) or ikey in priors:
                    continue  # the known end, a part of it, or an employer told in passing
                if in_lede and ikey in others_ends:
                    continue
                if _DATED_AFTER.match(text, inst.end):
                    continue  # "left OpenAI in 2022": history, not the missing end
                others.setdefault(ikey, inst)
        if not others:
            out.append(move)
            continue
        filled = _filled(move, others, text, parents)
        if filled is not None:
            out.append(filled)
    return out


_TALKS_ONLY = re.compile(r"有过接触|曾与.{1,12}接触|洽谈过|\bheld talks with\b|\bhad talks with\b")
_TOWARDS = re.compile(
    r"(?:\b(?:return(?:s|ed|ing)?|go(?:es|ing)? back|head(?:s|ed|ing)?|mov(?:e|es|ed|ing))"
    r"(?:\s+full[ -]time)?\s+to|加入|加盟|回到|去了|赴)\s*(?:the\s+)?$"
)
_AWAY_FROM = re.compile(
    r"(?:\b(?:left|leaving|from|PhD at|doctorate at|[Ff]ormer)|\b[Ee]x-|离开|从|前)\s*(?:the\s+)?$"
)


def _filled(
    move: ExtractedMove, others: dict[str, Mention], text: str, parents: Mapping[str, str]
) -> ExtractedMove | None:
    """ "P has resigned from A. P will return full time to B": the one other organisation,
    introduced as where the person goes (or, for an arrival, where they come from), is the
    missing end."""
    ends = list(others.values())
    if not ends or any(
        not _related(m.slug, ends[0].slug, parents) for m in ends[1:]
    ):  # "from Google, where she led a team in Google Research": one family is one end
        return None
    end = ends[0]
    before = text[max(0, end.start - 30) : end.start]
    if move.to_name is None and _TOWARDS.search(before):
        return dataclasses.replace(move, to_name=end.name, to_slug=end.slug, confidence=0.8)
    if move.from_name is None and _AWAY_FROM.search(before):
        return dataclasses.replace(move, from_name=end.name, from_slug=end.slug, confidence=0.8)
    return None


_ORG_SUFFIX = r"(?:Labs|Lab|AI|Systems|Data|Bio|Robotics|Research|Technologies|Intelligence)"


def _full_name(move: ExtractedMove, aliases: AliasTable, text: str) -> ExtractedMove:
    """ "Corvid" for "Corvid Labs", "远岫" for "远岫机器人": a new organisation named again by
    its first word is the one named in full, not a second organisation."""

    def full(name: str | None, slug: str | None) -> str | None:
        if not name or slug:
            return name
        longer = [
            alias
            for alias, known in aliases.entries.items()
            if not known
            and len(alias) > len(name)
            and alias.startswith(name)
            and (_HAN.match(alias) or alias[len(name)] == " ")
            and alias in text
        ]
        if longer:
            return max(longer, key=len)
        suffixed = re.search(rf"\b{re.escape(name)} {_ORG_SUFFIX}\b", text)
        return suffixed.group() if suffixed else name

    from_name, to_name = full(move.from_name, move.from_slug), full(move.to_name, move.to_slug)
    if (from_name, to_name) == (move.from_name, move.to_name):
        return move
    return dataclasses.replace(move, from_name=from_name, to_name=to_name)


_COFOUNDER_IS = re.compile(
    r"\b(?:(?:[Hh]er|[Hh]is|[Tt]heir|[Ii]ts|[Tt]he\s+company['’]s)\s+|(?P<org>[A-Z][\w&.-]*"
    r"(?:\s+[A-Z][\w&.-]*){0,2})['’]s\s+)(?:other\s+|fellow\s+|second\s+|third\s+)?co-?founders?"
    r"\s+(?:is|was|are|were|includes?|included)\s+"
)


def _named_cofounders(
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    people: list[PersonMention],
    candidates: list[Candidate],
) -> list[Candidate]:
    """ "Her co-founder is Michael O'Connell, a former engineer at Scale AI", "Parity Bio's other
    co-founder is Omar Haddad": the person named founded the company (the one named, else the
    one the article has someone found); their origin comes from what the article says of them."""
    founded = [
        c.destination
        for c in candidates
        if not c.prior and c.kind == "found" and c.destination is not None
    ]
    out: list[Candidate] = []
    for index, (start, end) in enumerate(sentences):
        for match in _COFOUNDER_IS.finditer(text, start, end):
            company: Mention | None = None
            if match.group("org"):
                named = find_institutions(text, match.start("org"), match.end("org"), aliases)
                company = named[0] if named else None
            if company is None and founded:
                company = founded[0]
            if company is None:
                continue
            after = [p for p in people if match.end() <= p.start < end and not p.pronoun]
            if not after or after[0].start != match.end():
                continue
            out.extend(
                Candidate(p.name, index, None, company, 0.8, False, kind="found")
                for p in _first_group(after, text) or after[:1]
            )
    return out


_FOUNDED_BY = re.compile(
    r"(?P<org>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,2})\s*,\s+(?:a|an|the)\s+[^,;]{0,60}?"
    r"\b(?:co-?)?founded\s+(?:(?:earlier\s+)?this\s+(?:year|spring|summer|autumn|fall|winter|month"
    r"|week)|recently)\s+by\s+"
)


def _founded_by(
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    people: list[PersonMention],
) -> list[Candidate]:
    """ "Larkspur Systems, the start-up founded this spring by former OpenAI researcher P": P
    (and anyone coordinated with them) founded it; where they came from is what the article
    says of them. Only a founding the sentence calls recent ("this spring") is news: "the
    start-up co-founded by P" or "founded last year by P" is background."""
    out: list[Candidate] = []
    for index, (start, end) in enumerate(sentences):
        for match in _FOUNDED_BY.finditer(text, start, end):
            if re.search(r"\b(?:19|20)\d\d\b", match.group()):
                continue
            named = find_institutions(text, match.start("org"), match.end("org"), aliases)
            if not named or named[0].start != match.start("org"):
                continue
            after = [p for p in people if match.end() <= p.start < end and not p.pronoun]
            if not after or not re.fullmatch(
                r"(?:(?:former|ex-|a|an|the)\s+)?(?:[\w&.'’-]+\s+){0,5}?",
                text[match.end() : after[0].start],
            ):
                continue
            out.extend(
                Candidate(p.name, index, None, named[0], 0.8, False, kind="found")
                for p in _first_group(after, text) or after[:1]
            )
    return out


_NUMBER = r"(?:two|three|four|five|six|several)"
_GROUP_FROM = re.compile(
    rf"\b{_NUMBER}\s+(?:[\w-]+\s+){{0,2}}?(?P<noun>researchers|engineers|scientists|employees"
    r"|staffers|executives|members)\s+(?:from|at|of)\s+(?:the\s+)?",
    re.IGNORECASE,
)


def _group_priors(
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    people: list[PersonMention],
) -> list[Candidate]:
    """ "hired two engineers from Microsoft ... The two engineers, A and B, joined": A and B
    were at Microsoft."""
    out: list[Candidate] = []
    for index, (start, end) in enumerate(sentences):
        for match in _GROUP_FROM.finditer(text, start, end):
            insts = [
                m for m in find_institutions(text, start, end, aliases) if m.start == match.end()
            ]
            if not insts:
                continue
            anaphor = re.compile(
                rf"\b[Tt]he\s+{_NUMBER}\s+{match.group('noun')}\s*,\s*$", re.IGNORECASE
            )
            later = [p for p in people if p.start > match.end() and not p.pronoun]
            for i, first in enumerate(later):
                if anaphor.search(text, max(0, first.start - 40), first.start):
                    group = _first_group(later[i:], text) or [first]
                    sentence = next(
                        (k for k, (a, b) in enumerate(sentences) if a <= first.start < b), index
                    )
                    out.extend(
                        Candidate(p.name, sentence, insts[0], None, 0.5, False, prior=True,
                                  extras={"pos": str(p.start)})
                        for p in group
                    )  # fmt: skip
                    break
    return out


_GAINING_AFTER = re.compile(
    r"^(?:['’]s)?(?:\s[\w-]+){0,3}?\s(?:is|has|have|keeps?)\s(?:\w+\s)?(?:hiring|hired|adding|added"
    r"|recruiting|recruited|poaching|poached|winning the (?:hiring|talent) war)\b",
    re.IGNORECASE,
)


def _topic_gainer(
    text: str, sentences: list[tuple[int, int]], aliases: AliasTable
) -> Mention | None:
    """The organisation the article is about hiring ("How Anthropic is winning the hiring
    war", "Meta has been poaching"), from the headline and the lede."""
    for start, end in sentences[:2]:
        for inst in find_institutions(text, start, end, aliases):
            if _GAINING_AFTER.match(text[inst.end : end]):
                return inst
    return None


def _fill_destination(candidates: list[Candidate], gainer: Mention) -> None:
    """ "Among this year's arrivals is X, who joined from OpenAI": a join with an origin and no
    destination, in an article about one organisation hiring, is a join of that organisation."""
    for cand in candidates:
        if cand.prior or cand.kind != "join" or cand.destination is not None:
            continue
        if cand.origin is None or _inst_key(cand.origin) == _inst_key(gainer):
            continue
        cand.destination = gainer


_LOSING_BEFORE = re.compile(
    r"(?:exodus|departures?|defections?|brain drain|talent drain|losses at|people leaving"
    r"|researchers leaving) (?:from |at )?(?:the )?$",
    re.IGNORECASE,
)
_LOSING_AFTER = re.compile(
    r"^(?:['’]s)?(?:\s[\w-]+){0,4}?\s(?:(?:has|have|had|is|are|keeps?|continues? to)\s(?:\w+\s)?)?"
    r"(?:lost|loses|losing|been losing|bleeding|shed|shedding|seen (?:[\w-]+ ){0,4}(?:departures|exits"
    r"|defections)|empties|emptied|emptying|thins|thinned|thinning|hollowed out|hollowing out)\b",
    re.IGNORECASE,
)


def _topic_employer(
    text: str, sentences: list[tuple[int, int]], aliases: AliasTable
) -> Mention | None:
    """The organisation the article is about losing people ("the quiet exodus from Google",
    "Google's Gemini effort has lost three researchers", "X's research bench empties"), from
    the headline and the lede."""
    for start, end in sentences[:3]:
        for inst in find_institutions(text, start, end, aliases):
            before = text[max(start, inst.start - 40) : inst.start]
            if _LOSING_BEFORE.search(before) or _LOSING_AFTER.match(text[inst.end : end]):
                return inst
    # "Google DeepMind has spent two years building a team. At least four of the people who
    # built it have walked out": people leaving "it", the lede's subject named just before.
    subject: Mention | None = None
    for start, end in sentences[:4]:
        found = [m for m in find_institutions(text, start, end, aliases) if m.slug]
        if found and found[0].start - start <= 3:
            subject = found[0]
        if subject is not None and _PEOPLE_WALKED_OUT.search(text, start, end):
            return subject
    return None


_PEOPLE_WALKED_OUT = re.compile(
    r"\b(?:people|researchers|scientists|engineers|members|staff(?:ers)?|of them)\b[^.;]{0,40}?"
    r"\b(?:it|its|there)\b[^.;]{0,20}?\b(?:have|has) (?:\w+ )?(?:walked out|left|departed|quit)\b",
    re.IGNORECASE,
)


_ZH_LOSING_AFTER = re.compile(
    r"[\u4e00-\u9fffA-Za-z]{0,10}?(?:近期|近日|今年|日前)?(?:又|接连|先后)?(?:有|已有)?"
    r"[两三四五六七八九十多数几]+(?:名|位|个)[\u4e00-\u9fff]{0,6}?(?:离职|出走|流失|离开)"
)


def _zh_topic_employer(
    text: str, sentences: list[tuple[int, int]], aliases: AliasTable
) -> Mention | None:
    """The organisation a Chinese article is about losing people ("华为盘古大模型团队近期有两名
    科学家离职"), from the headline and the lede."""
    for start, end in sentences[:3]:
        for inst in find_institutions(text, start, end, aliases):
            if inst.slug and _ZH_LOSING_AFTER.match(text, inst.end, end):
                return inst
    return None


def _fill_from_topic(candidates: list[Candidate], topic: Mention) -> None:
    """People leaving in an article about an organisation losing people, whose own employer is
    named nowhere, leave that organisation."""
    people_with_employer = {person_key(c.person) for c in candidates if c.origin is not None}
    for cand in candidates:
        if cand.prior or cand.origin is not None or cand.destination is None:
            continue
        if person_key(cand.person) in people_with_employer:
            continue
        if _inst_key(cand.destination) == _inst_key(topic):
            continue
        cand.origin = topic


def _name_plural_subjects(
    candidates: list[Candidate],
    people: list[PersonMention],
    text: str,
    sentences: list[tuple[int, int]],
) -> list[Candidate]:
    """Give a frame with a plural subject ("two researchers have left") one copy per person of
    the group named next ("A and B, who ..."), within the next two sentences."""
    out: list[Candidate] = []
    for cand in candidates:
        if cand.person != english.PLURAL:
            out.append(cand)
            continue
        start = sentences[cand.sentence][0]
        stop = sentences[min(cand.sentence + 2, len(sentences) - 1)][1]
        group = _first_group([p for p in people if start <= p.start < stop], text)
        for member in group:
            copy = Candidate(
                member.name, cand.sentence, cand.origin, cand.destination, cand.confidence,
                cand.rumoured, cand.role, cand.year, cand.month, modality=cand.modality,
                kind=cand.kind,
            )  # fmt: skip
            out.append(copy)
    return out


def _first_group(people: list[PersonMention], text: str) -> list[PersonMention]:
    for i, first in enumerate(people):
        group = [first]
        for p in people[i + 1 :]:
            if p.start >= group[-1].end and english.COORD_GAP.match(text[group[-1].end : p.start]):
                group.append(p)
            else:
                break
        if len(group) >= 2:
            return group
    return []


def person_key(name: str) -> str:
    """Case-, accent-, spacing- and order-insensitive key for a person's name."""
    folded = anyascii(unicodedata.normalize("NFKC", name)).lower()
    tokens = re.findall(r"[a-z0-9]+", folded)
    if _HAN.search(name):
        return "".join(tokens)
    return " ".join(sorted(tokens))


def _inst_key(m: Mention | None) -> str | None:
    if m is None:
        return None
    return m.slug or m.name.lower()


def _modality_class(cand: Candidate) -> str:
    if cand.modality in MOVE_MODALITIES:
        return "firm"
    if cand.modality in RUMOUR_MODALITIES:
        return "rumour"
    if cand.modality == "denied":
        return "denied"
    return "none"


_CLASS_RANK = {"firm": 0, "rumour": 1, "denied": 2, "none": 3}


def _latest_prior(priors: list[Candidate], sentence: int) -> Candidate:
    """The employer known last before ``sentence`` (else the latest told in the nearest
    sentence after it)."""
    before = [p for p in priors if p.sentence <= sentence]
    if before:
        return max(before, key=lambda p: (p.sentence, p.extras.get("pos", "0").zfill(8)))
    # "X has hired P. After a PhD at A, P spent four years at B and most recently led C":
    # within the nearest later sentence, the latest employer of the career it tells.
    nearest = min(p.sentence for p in priors)
    return max(
        (p for p in priors if p.sentence == nearest),
        key=lambda p: p.extras.get("pos", "0").zfill(8),
    )


def _pair_halves(moves: list[Candidate]) -> list[Candidate]:
    """Join a departure (A → ?) and an arrival (? → B) told in different sentences."""
    full = [c for c in moves if c.origin and c.destination]
    departures = [c for c in moves if c.origin and not c.destination]
    arrivals = [c for c in moves if c.destination and not c.origin]
    departures = [
        d for d in departures if not any(_inst_key(f.origin) == _inst_key(d.origin) for f in full)
    ]
    arrivals = [
        a
        for a in arrivals
        if not any(_inst_key(f.destination) == _inst_key(a.destination) for f in full)
    ]
    while departures and arrivals:
        d = departures.pop(0)
        a = min(arrivals, key=lambda x: abs(x.sentence - d.sentence))
        arrivals.remove(a)
        if _inst_key(d.origin) == _inst_key(a.destination):
            # "steps down ... and will become an adviser to the company": a new role at the
            # same place; the departure is the news.
            full.append(d)
            continue
        full.append(
            Candidate(
                a.person,
                min(a.sentence, d.sentence),
                d.origin,
                a.destination,
                max(a.confidence, d.confidence),
                a.rumoured and d.rumoured,
                a.role or d.role,
                a.year or d.year,
                a.month or d.month,
                modality=a.modality,
                kind=a.kind,
            )
        )
    return [*full, *departures, *arrivals]


_PRONOUN_START = re.compile(
    r"\s*(?:(?:Until then|Until that happens|Since then|Meanwhile|For now|In the meantime),?\s+)?"
    r"(?:He|She|They|His|Her|Their|he|she|they|his|her|their)\b"
)


def _sentences_about(person: str, text: str, sentences: list[tuple[int, int]]) -> list[str]:
    """The sentences naming ``person`` by surname, and those that follow them and open with
    a pronoun (an English name only)."""
    if _HAN.search(person):
        return []
    tokens = person.split()
    if not tokens:
        return []
    surname = tokens[-1]
    out: list[str] = []
    follows = False
    for start, end in sentences:
        sentence = text[start:end]
        if re.search(rf"\b{re.escape(surname)}\b", sentence) or (
            follows and _PRONOUN_START.match(sentence)
        ):
            out.append(sentence)
            follows = True
        else:
            follows = False
    return out


def _merge(
    candidates: list[Candidate], text: str, sentences: list[tuple[int, int]]
) -> list[ExtractedMove]:
    groups: dict[str, list[Candidate]] = {}
    for cand in candidates:
        groups.setdefault(person_key(cand.person), []).append(cand)
    results: list[tuple[int, ExtractedMove]] = []
    for group in groups.values():
        priors = [c for c in group if c.prior]
        moves = [c for c in group if not c.prior]
        # "Castellane-Obuya will keep his professorship", "she is still at OpenAI": a later
        # sentence about the person can say that no move has happened.
        verdict = told_elsewhere(_sentences_about(group[0].person, text, sentences))
        if verdict is not None:
            for move in moves:
                if move.modality in MOVE_MODALITIES or (
                    verdict == "planned" and move.modality in RUMOUR_MODALITIES
                ):
                    move.modality = verdict
        # "taking a leave of absence from A to become chief scientist at B": the employer left
        # on leave is still the origin of the move told beside it.
        priors += [
            c for c in moves if c.modality == "leave_of_absence" and c.origin and not c.destination
        ]
        # A departure told in the article is the origin of an arrival of the same kind; the
        # employers known in passing fill only arrivals that have none.
        leaving = {_modality_class(c) for c in moves if c.origin and not c.destination}
        for move in moves:
            if _modality_class(move) in leaving:
                continue
            # "has returned to Google": the employer they go back to is not where they leave.
            elsewhere = [p for p in priors if _inst_key(p.origin) != _inst_key(move.destination)]
            if move.origin is None and move.destination is not None and elsewhere:
                best = _latest_prior(elsewhere, move.sentence)
                if best.origin is not None and not best.origin.name:
                    continue  # the latest employer is a company the article does not name
                if _inst_key(best.origin) != _inst_key(move.destination):
                    move.origin = best.origin
        # "Samsung has appointed P head of its centre. P will take a leave from KAIST": a move
        # from the employer the person is on leave from, told in another sentence, is a leave.
        on_leave = {
            (_inst_key(c.origin), c.sentence)
            for c in moves
            if c.modality == "leave_of_absence"
            and c.origin
            and _inst_key(c.destination) in (None, _inst_key(c.origin))
        }
        for move in moves:
            if (
                move.modality in MOVE_MODALITIES
                and move.origin is not None
                and move.destination is not None
                and any(k == _inst_key(move.origin) and s != move.sentence for k, s in on_leave)
            ):
                move.modality = "leave_of_absence"
        by_class: dict[str, list[Candidate]] = {}
        for move in moves:
            by_class.setdefault(_modality_class(move), []).append(move)
        _firm_departure_takes_rumoured_arrival(by_class)
        chosen: dict[tuple[str | None, str | None], Candidate] = {}
        firm_ends: set[str] = set()
        for klass in sorted(by_class, key=_CLASS_RANK.__getitem__):
            for cand in _pair_halves(by_class[klass]):
                key = (_inst_key(cand.origin), _inst_key(cand.destination))
                if key[0] is not None and key[0] == key[1]:
                    continue
                if klass != "firm" and (key in chosen or _covered(key, firm_ends)):
                    continue  # told firmly elsewhere in the article
                current = chosen.get(key)
                if current is None or (cand.confidence, -cand.sentence) > (
                    current.confidence,
                    -current.sentence,
                ):
                    chosen[key] = cand
                if klass == "firm":
                    firm_ends.update(k for k in key if k)
        # A half-move whose known end is part of a full move of the same class adds nothing.
        for key in list(chosen):
            cand = chosen[key]
            if key[0] is None or key[1] is None:
                same = [
                    k
                    for k, c in chosen.items()
                    if k != key
                    and k[0] is not None
                    and k[1] is not None
                    and _modality_class(c) == _modality_class(cand)
                    and (k[0] == key[0] or k[1] == key[1])
                ]
                if same:
                    del chosen[key]
        for cand in chosen.values():
            results.append((cand.sentence, _to_move(cand, text, sentences)))
        stint = _background_stint(priors)
        if stint is not None:
            results.append((stint.sentence, _to_move(stint, text, sentences)))
    results.sort(key=lambda r: (r[0], r[1].person))
    return [move for _, move in results]


def _background_stint(priors: list[Candidate]) -> Candidate | None:
    """An old move told in passing with its year ("who joined Google from Baidu in 2016",
    "2019年从谷歌加入字节跳动") is not news, but it says where the person has worked since then:
    one ``background`` frame, the latest such employer. One per person and article, so that
    an article's background alone never makes a history from which a move could be
    inferred."""
    dated = [
        p
        for p in priors
        if p.extras.get("background")
        and p.extras.get("year")
        and p.origin is not None
        and p.origin.name
    ]
    if not dated:
        return None
    latest = max(dated, key=lambda p: (int(p.extras["year"]), p.sentence))
    return Candidate(
        latest.person,
        latest.sentence,
        None,
        latest.origin,
        0.6,
        False,
        year=int(latest.extras["year"]),
        month=int(latest.extras["month"]) if latest.extras.get("month") else None,
        modality="background",
        kind="join",
    )


def _firm_departure_takes_rumoured_arrival(by_class: dict[str, list[Candidate]]) -> None:
    """ "OpenAI confirmed she left. She is now at Meta, a person familiar said": a departure
    told firmly and the destination told by a source make one reported move."""
    firm = by_class.get("firm") or []
    rumours = by_class.get("rumour") or []
    left = {_inst_key(c.origin) for c in firm if c.origin and not c.destination}
    if not left:
        return
    # the arrival may already carry the origin the firm departure names
    arrivals = [c for c in rumours if c.destination and _inst_key(c.origin) in left | {None}]
    if not arrivals or any(c.destination for c in firm):
        return
    for arrival in arrivals:
        rumours.remove(arrival)
        arrival.modality = "reported"
        arrival.rumoured = False
        firm.append(arrival)


def _covered(key: tuple[str | None, str | None], firm_ends: set[str]) -> bool:
    return bool(firm_ends) and all(k is None or k in firm_ends for k in key)


def _to_move(cand: Candidate, text: str, sentences: list[tuple[int, int]]) -> ExtractedMove:
    start, end = sentences[cand.sentence]
    rumoured = cand.modality in RUMOUR_MODALITIES
    confidence = min(cand.confidence, RUMOUR_CEILING) if rumoured else cand.confidence
    return ExtractedMove(
        person=cand.person,
        from_name=cand.origin.name if cand.origin else None,
        to_name=cand.destination.name if cand.destination else None,
        from_slug=cand.origin.slug if cand.origin else None,
        to_slug=cand.destination.slug if cand.destination else None,
        year=cand.year,
        month=cand.month,
        quote=text[start:end],
        span_start=start,
        span_end=end,
        confidence=round(max(0.0, min(1.0, confidence)), 2),
        status_hint="rumoured" if rumoured else "reported",
        role=cand.role,
        modality=cand.modality,
        kind=cand.kind,
    )
