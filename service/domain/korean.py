"""Korean names in Hangul, read as the romanised names sources print (pure, no I/O).

A Korean researcher appears as 박서연 in a Korean source and as "Seoyeon Park", "Seo-yeon Pak" or
"Park Seoyeon" in an English one. Hangul is an alphabet: each syllable block decomposes into an
initial consonant, a vowel and an optional final consonant (Unicode arithmetic), which the
Revised Romanization of Korean (2000) writes letter by letter; personal names are romanised
syllable by syllable, without the sound changes between syllables. People rarely keep to one
system, so a syllable also gets the spellings most used beside it (``eo`` as ``u`` in "Sung",
``u`` as ``oo`` in "Joon", 우 as "woo"), and a family name the spellings families chose
("Park", "Pak", "Bak" for 박; "Lee", "Yi", "Rhee" for 이).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product

_FIRST, _LAST = 0xAC00, 0xD7A3
_INITIALS = (
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t",
    "p", "h",
)  # fmt: skip
_VOWELS = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo",
    "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip

# Family names: the spellings in use beside the Revised Romanization (most frequent first).
_SURNAMES: dict[str, tuple[str, ...]] = {
    "김": ("kim", "gim"),
    "이": ("lee", "yi", "rhee", "i", "ri"),
    "리": ("lee", "ri", "yi"),
    "박": ("park", "pak", "bak"),
    "최": ("choi", "choe"),
    "정": ("jung", "jeong", "chung"),
    "강": ("kang", "gang"),
    "조": ("cho", "jo"),
    "윤": ("yoon", "yun"),
    "장": ("jang", "chang"),
    "임": ("lim", "im", "rim"),
    "림": ("lim", "rim"),
    "한": ("han",),
    "오": ("oh", "o"),
    "서": ("seo", "suh"),
    "신": ("shin", "sin"),
    "권": ("kwon", "gwon"),
    "황": ("hwang",),
    "안": ("ahn", "an"),
    "송": ("song",),
    "류": ("ryu", "yoo", "yu"),
    "유": ("yoo", "yu", "ryu"),
    "전": ("jeon", "jun", "chun"),
    "홍": ("hong",),
    "고": ("ko", "go", "koh"),
    "문": ("moon", "mun"),
    "양": ("yang",),
    "손": ("son", "sohn"),
    "배": ("bae", "pae"),
    "백": ("baek", "paik", "paek"),
    "허": ("heo", "huh", "hur"),
    "남": ("nam",),
    "심": ("sim", "shim"),
    "노": ("noh", "roh", "no"),
    "하": ("ha",),
    "곽": ("kwak", "gwak"),
    "성": ("sung", "seong"),
    "차": ("cha",),
    "주": ("joo", "ju", "chu"),
    "우": ("woo", "u"),
    "구": ("koo", "gu", "ku"),
    "민": ("min",),
    "진": ("jin", "chin"),
    "지": ("ji", "chi"),
    "엄": ("eom", "um"),
    "채": ("chae",),
    "원": ("won",),
    "천": ("cheon", "chun"),
    "방": ("bang",),
    "공": ("kong", "gong"),
    "현": ("hyun", "hyeon"),
    "나": ("na", "ra"),
}
# A syllable's spellings beside the Revised Romanization, as (from, to) rewrites.
_ALTERNATES = (("eo", "u"), ("eo", "o"), ("u", "oo"))
_WHOLE: dict[str, tuple[str, ...]] = {"u": ("woo",), "i": ("yi", "lee"), "ui": ("eui",)}
MAX_READINGS = 16


def is_hangul(text: str) -> bool:
    """True when ``text`` (spaces aside) is made of Hangul syllables only."""
    letters = [c for c in text if not c.isspace()]
    return bool(letters) and all(_FIRST <= ord(c) <= _LAST for c in letters)


def romanise_syllable(char: str) -> str:
    """One Hangul syllable in the Revised Romanization ("박" → "bak")."""
    code = ord(char) - _FIRST
    if not 0 <= code <= _LAST - _FIRST:
        raise ValueError(f"not a Hangul syllable: {char!r}")
    initial, rest = divmod(code, 21 * 28)
    vowel, final = divmod(rest, 28)
    return _INITIALS[initial] + _VOWELS[vowel] + _FINALS[final]


def _syllable_spellings(char: str) -> tuple[str, ...]:
    rr = romanise_syllable(char)
    found = [rr, *_WHOLE.get(rr, ())]
    for old, new in _ALTERNATES:
        if old in rr:
            found.append(rr.replace(old, new))
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=4096)
def korean_readings(name: str) -> tuple[tuple[str, str], ...]:
    """(family, given) romanisations of a Hangul name, family first as Korean writes it:
    "박서연" → ("park", "seoyeon"), ("pak", "seoyeon"), ("park", "suyeon"), ... The first is
    the commonest spelling; at most :data:`MAX_READINGS` are given."""
    letters = "".join(name.split())
    if not is_hangul(letters) or len(letters) < 2:
        return ()
    family, given = letters[0], letters[1:]
    families = _SURNAMES.get(family, (romanise_syllable(family),))
    rr_given = "".join(romanise_syllable(c) for c in given)
    givens = [rr_given]
    for parts in product(*(_syllable_spellings(c) for c in given)):
        givens.append("".join(parts))
    givens = list(dict.fromkeys(givens))
    readings: list[tuple[str, str]] = []
    for g in givens:
        for f in families:
            readings.append((f, g))
    # Spread the budget: every family spelling with the standard given name first.
    ordered = sorted(readings, key=lambda r: (givens.index(r[1]) > 0, readings.index(r)))
    return tuple(ordered[:MAX_READINGS])


def surname_group(family: str) -> str | None:
    """One key for the spellings of a Korean family name ("jung", "jeong", "chung" → "정")."""
    return _GROUPS.get(family)


_GROUPS: dict[str, str] = {}
for _hangul, _spellings in _SURNAMES.items():
    for _spelling in _spellings:
        if len(_spelling) > 1:
            _GROUPS.setdefault(_spelling, _hangul)
