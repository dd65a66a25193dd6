"""Data behind the recognisers: given and family names, places, pinyin syllables.

The tables are built by ``bench/build_news_lexicon.py``: single-word given and family names
from the names-dataset (the top 2,000 of each of its 105 countries) and place names from
GeoNames (countries, US states, cities of 50,000 people or more). They are loaded once.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from importlib import resources

_PINYIN = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ang|eng|ing|ong|uai|iao|ian|uan|van|ai|ei|ao|ou|an|en|er|in|un|vn"
    r"|ia|ie|iu|ua|uo|ui|ue|ve|a|o|e|i|u|v))"
)


def _read(name: str) -> str:
    raw = resources.files("plugins.news").joinpath(f"data/{name}").read_bytes()
    return gzip.decompress(raw).decode("utf-8")


@lru_cache(maxsize=1)
def name_table() -> dict[str, str]:
    """Name (title case) → ``g``, ``f`` or ``gf``."""
    out: dict[str, str] = {}
    for line in _read("names.tsv.gz").splitlines():
        name, _, kinds = line.partition("\t")
        if name:
            out[name] = kinds
    return out


@lru_cache(maxsize=1)
def place_table() -> frozenset[str]:
    return frozenset(line for line in _read("places.txt.gz").splitlines() if line)


def is_known_name(token: str) -> bool:
    """A given or family name from the table, or a romanised Chinese name (pinyin syllables)."""
    token = token.strip(".,;:'’")
    if not token:
        return False
    if token.title() in name_table():
        return True
    return is_pinyin_name(token)


def is_pinyin_name(token: str) -> bool:
    """ "Shunyu", "Xiaoming", "Li": one to three pinyin syllables (a hyphen may split them)."""
    word = token.lower().replace("-", "").replace("'", "")
    if not word.isascii() or not word.isalpha() or len(word) > 12:
        return False
    return _syllables(word) is not None


def _syllables(word: str) -> int | None:
    best: dict[int, int] = {0: 0}
    for i in range(len(word)):
        if i not in best:
            continue
        for match_len in range(6, 0, -1):
            piece = word[i : i + match_len]
            if len(piece) == match_len and _PINYIN.fullmatch(piece):
                count = best[i] + 1
                if count <= 3 and best.get(i + match_len, 99) > count:
                    best[i + match_len] = count
    return best.get(len(word))


def is_place(text: str) -> bool:
    """A country, US state, large city or region, as written ("Seattle", "Hong Kong")."""
    return text.strip() in place_table()
