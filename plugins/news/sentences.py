"""Sentence splitting for English and Chinese news text, keeping character offsets."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    {
        "dr", "prof", "mr", "mrs", "ms", "st", "jr", "sr", "inc", "corp", "ltd", "co",
        "no", "vs", "etc", "e.g", "i.e", "u.s", "u.k", "gen", "sen", "rep", "mt", "jan",
        "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    }
)  # fmt: skip
_LATIN_END = re.compile(r"[.!?]+[\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9\u4e00-\u9fff])")
_HAN_END = re.compile(r"[。！？!?]+[”’」』）)]*")
_LINE_BREAK = re.compile(r"\n")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) offsets of each sentence, whitespace trimmed."""
    cuts: set[int] = set()
    for match in _LATIN_END.finditer(text):
        word = re.search(r"([A-Za-z.]+)\.$", text[: match.start() + 1])
        if match.group().startswith(".") and word:
            token = word.group(1).lower()
            if token in _ABBREVIATIONS or (len(token) == 1 and _is_initial(text, word.start(1))):
                continue
        cuts.add(match.end())
    for match in _HAN_END.finditer(text):
        cuts.add(match.end())
    # A line break ends a headline or a paragraph, with or without punctuation.
    for match in _LINE_BREAK.finditer(text):
        cuts.add(match.start())
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        if cut <= start:
            continue
        segment = text[start:cut]
        lead = len(segment) - len(segment.lstrip())
        trail = len(segment) - len(segment.rstrip())
        if segment.strip():
            spans.append((start + lead, cut - trail))
        start = cut
    return spans


def _is_initial(text: str, pos: int) -> bool:
    """ "John F. Kennedy": a single capital after a capitalised word is an initial, not an end."""
    prev = re.search(r"(\S+)\s+$", text[max(0, pos - 40) : pos])
    return bool(prev and prev.group(1)[:1].isupper())
