"""Rule-based extraction of researcher moves from news text (English and Chinese).

Old moves mentioned in passing are not extracted: a move whose own clause dates it to a year
before the article's publication year ("who left Google in 2019", "2021年加入华为"), or that
is only the background of another event ("after joining", "since joining"), yields nothing.
Such a clause still counts as used, so its institution is not taken as the origin of the
article's main move.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from anyascii import anyascii

from plugins.news import chinese, english
from plugins.news.model import AliasTable, Candidate, ExtractedMove, Mention, PersonMention
from plugins.news.sentences import split_sentences

__all__ = ["AliasTable", "ExtractedMove", "extract_moves", "person_key"]

logger = logging.getLogger(__name__)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_ZH_ARTICLE_DENIAL = re.compile(r"不实|否认|辟谣|与事实不符")
RUMOUR_CEILING = 0.5


def extract_moves(
    text: str,
    aliases: AliasTable,
    *,
    language: str | None = None,
    published_year: int | None = None,
) -> list[ExtractedMove]:
    """Every move the article reports, one per (person, from, to), in order of first mention."""
    sentences = split_sentences(text)
    history: list[PersonMention] = []
    seen_insts: list[Mention] = []
    candidates: list[Candidate] = []
    denied_article = False
    for index, (start, end) in enumerate(sentences):
        sentence = text[start:end]
        is_zh = language == "zh" or (language is None and bool(_HAN.search(sentence)))
        module = chinese if is_zh else english
        if (
            english.ARTICLE_DENIAL.search(sentence)
            if not is_zh
            else _ZH_ARTICLE_DENIAL.search(sentence)
        ):
            denied_article = True
        candidates.extend(
            module.sentence_candidates(
                text, sentences, index, aliases, published_year, history, seen_insts
            )
        )
    if denied_article:
        candidates = [c for c in candidates if not c.rumoured]
    return _merge(candidates, text, sentences)


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
        for move in moves:
            if move.origin is None and move.destination is not None and priors:
                best = min(priors, key=lambda p: abs(p.sentence - move.sentence))
                if _inst_key(best.origin) != _inst_key(move.destination):
                    move.origin = best.origin
        full = [c for c in moves if c.origin and c.destination]
        departures = [c for c in moves if c.origin and not c.destination]
        arrivals = [c for c in moves if c.destination and not c.origin]
        departures = [
            d
            for d in departures
            if not any(_inst_key(f.origin) == _inst_key(d.origin) for f in full)
        ]
        arrivals = [
            a
            for a in arrivals
            if not any(_inst_key(f.destination) == _inst_key(a.destination) for f in full)
        ]
        if departures and arrivals:
            d, a = departures.pop(0), arrivals.pop(0)
            if _inst_key(d.origin) != _inst_key(a.destination):
                merged = Candidate(
                    a.person, a.sentence, d.origin, a.destination,
                    min(a.confidence, d.confidence) if (a.rumoured or d.rumoured) else max(a.confidence, d.confidence),
                    a.rumoured and d.rumoured, a.role or d.role, a.year or d.year, a.month or d.month,
                )  # fmt: skip
                full.append(merged)
            else:
                full.append(a)
        best_by_key: dict[tuple[str | None, str | None], Candidate] = {}
        for cand in [*full, *departures, *arrivals]:
            key = (_inst_key(cand.origin), _inst_key(cand.destination))
            if key[0] is not None and key[0] == key[1]:
                continue
            current = best_by_key.get(key)
            if current is None or (cand.confidence, -cand.sentence) > (
                current.confidence,
                -current.sentence,
            ):
                best_by_key[key] = cand
        for cand in best_by_key.values():
            results.append((cand.sentence, _to_move(cand, text, sentences)))
    results.sort(key=lambda r: (r[0], r[1].person))
    return [move for _, move in results]


def _to_move(cand: Candidate, text: str, sentences: list[tuple[int, int]]) -> ExtractedMove:
    start, end = sentences[cand.sentence]
    confidence = min(cand.confidence, RUMOUR_CEILING) if cand.rumoured else cand.confidence
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
        status_hint="rumoured" if cand.rumoured else "reported",
        role=cand.role,
    )
