"""Traditional Chinese read as simplified: the rules, the surname table and the alias table are
written in simplified characters, so a traditional-script article ("前字節跳動研究員陳立德已加入騰訊")
is converted first, character for character so that every offset still points into the text as
written; names found in the converted text are given back in the article's own script."""

from __future__ import annotations

from functools import lru_cache

from opencc_purepy import OpenCC


@lru_cache(maxsize=1)
def _converter() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` in simplified characters, of the same length (a phrase whose conversion changes
    the length is converted character by character, or kept)."""
    converted: str = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    out: list[str] = []
    for ch in text:
        one: str = _converter().convert(ch)
        out.append(one if len(one) == 1 else ch)
    return "".join(out)


def as_written(name: str | None, simplified: str, original: str) -> str | None:
    """``name`` (found in ``simplified``) as the article writes it."""
    if not name:
        return name
    at = simplified.find(name)
    return original[at : at + len(name)] if at >= 0 else name
