"""Name folding and keys for people and institutions.

Everything here is pure and deterministic. The keys produced are stored in the database
(``institution_alias.normalized``, ``researcher_alias.normalized``, ``*.search_text``), so a
change to a rule here needs the stored keys recomputed.

Person names: the same researcher appears as "Shunyu Yao", "Yao Shunyu", "Shun-Yu Yao",
"S. Yao" and "姚顺雨". :func:`person_name_variants` gives the folded full-name keys under both
name orders for East Asian names, with the given name's syllables joined; two spellings of
one name share at least one key. Initials are not expanded here: that is a judgement made with
context in :mod:`service.domain.resolution`.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from anyascii import anyascii
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict

from service.caches import memoise_text
from service.domain.korean import is_hangul, korean_readings, romanise_syllable, surname_group
from service.errors import BadUserInput

logger = logging.getLogger(__name__)

# Names are short: longer texts (a search a client sent, a document) are folded without being
# kept, and the caches below are bounded by bytes, so no input grows the process.
MAX_CACHED_NAME_CHARS = 256
# What a search may hold: a long name with its affiliation fits several times over.
MAX_SEARCH_CHARS = 256
MAX_SEARCH_TERMS = 16

# --------------------------------------------------------------------------------------------
# Character classes

_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x2FA1F),  # Extensions B.. and compatibility supplement
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x3005, 0x3007),  # 々 〆 〇
)
_HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
    (0x3007, 0x3007),
)


def _in(ranges: tuple[tuple[int, int], ...], char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in ranges)


def is_cjk_char(char: str) -> bool:
    """A Han ideograph, kana or Hangul character."""
    return _in(_CJK_RANGES, char)


def is_han_char(char: str) -> bool:
    return _in(_HAN_RANGES, char)


def is_cjk(text: str) -> bool:
    """True when ``text`` contains at least one CJK (Han, kana, Hangul) character."""
    return not text.isascii() and any(is_cjk_char(c) for c in text)


def has_han(text: str) -> bool:
    return not text.isascii() and any(is_han_char(c) for c in text)


# --------------------------------------------------------------------------------------------
# Folding

_APOSTROPHES = {"'", "’", "ʼ", "`", "´"}


# ASCII letters and digits stay, lower-cased; every other ASCII character becomes a space.
_ASCII_FOLD = str.maketrans(
    {chr(c): (chr(c).lower() if chr(c).isalnum() else " ") for c in range(128)}
)


def fold(text: str) -> str:
    """Fold text for comparison.

    NFKC, case-folded, accents stripped (Łukasz → lukasz, Müller → muller), punctuation and
    hyphens turned into spaces, whitespace collapsed. CJK characters are kept as they are.
    Idempotent: ``fold(fold(x)) == fold(x)``.
    """
    if text.isascii():
        # What the general path gives for ASCII (NFKC leaves it as it is, casefold is lower,
        # and there are no CJK runs to separate), without its per-character work. Cheaper
        # than a cache lookup, so ASCII text is never cached.
        return " ".join(text.translate(_ASCII_FOLD).split())
    return fold_general(text)


@memoise_text(max_bytes=8 * 1024 * 1024, max_chars=MAX_CACHED_NAME_CHARS)
def fold_general(text: str) -> str:
    """``fold`` of any text, character by character (memoised: names recur)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    out: list[str] = []
    for char in text:
        if char.isascii():
            out.append(char if char.isalnum() else " ")
            continue
        if is_cjk_char(char):
            out.append(char)
            continue
        if char in _APOSTROPHES:
            out.append(" ")
            continue
        decomposed = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if decomposed.isascii():
            out.append(decomposed if decomposed.isalnum() else " ")
            continue
        category = unicodedata.category(char)
        if category[0] in ("L", "N"):
            ascii_form = anyascii(decomposed).casefold()
            out.append("".join(c if c.isalnum() else " " for c in ascii_form) or " ")
        else:
            out.append(" ")
    folded = " ".join("".join(out).split())
    # Separate CJK runs from Latin runs ("清华university" -> "清华 university").
    folded = re.sub(r"(?<=[a-z0-9])(?=[^\x00-\x7f ])|(?<=[^\x00-\x7f ])(?=[a-z0-9])", " ", folded)
    return folded


# --------------------------------------------------------------------------------------------
# Pinyin

_SURNAME_READINGS: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "区": "ou",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "乐": "yue",
    "盖": "ge",
    "缪": "miao",
    "尉": "yu",
    "翟": "zhai",
    "覃": "qin",
    "秘": "bi",
    "员": "yun",
    "种": "chong",
    "繁": "po",
    "万俟": "moqi",
    "尉迟": "yuchi",
    "长孙": "zhangsun",
    "黑": "he",
    "召": "shao",
    "褚": "chu",
    "重": "chong",
    "折": "she",
    "句": "gou",
    "谌": "chen",
    "过": "guo",
    "祭": "zhai",
    "宁": "ning",
    "藏": "zang",
    "大": "da",
    "沈": "shen",
    "柏": "bai",
    "纪": "ji",
    "华": "hua",
    "任": "ren",
    "冼": "xian",
}
_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "慕容",
        "东方",
        "皇甫",
        "令狐",
        "公孙",
        "司徒",
        "夏侯",
        "尉迟",
        "长孙",
        "宇文",
        "万俟",
        "端木",
        "南宫",
        "西门",
        "独孤",
        "歐陽",
        "澹台",
        "公冶",
        "轩辕",
        "呼延",
    }
)


def _strip_tones(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable known to pypinyin's dictionary (ü written as u and v)."""
    found: set[str] = set()
    for readings in pinyin_dict.values():
        for reading in readings.split(","):
            plain = _strip_tones(reading.strip())
            if plain.isascii() and plain.isalpha():
                found.add(plain)
                if "u" in plain:
                    found.add(plain.replace("u", "v"))
    found.discard("")
    # Interjection-only readings that are not name syllables and confuse segmentation.
    found -= {"m", "n", "ng", "hm", "hng", "r"}
    return frozenset(found)


def to_pinyin(text: str, *, surname_first: bool = False) -> str:
    """Toneless pinyin of the Han characters in ``text``, one syllable per character.

    Non-Han runs are kept (folded). With ``surname_first`` the leading character (or compound
    surname) is read with its surname reading (单 → shan, 曾 → zeng, 区 → ou).
    """
    text = unicodedata.normalize("NFKC", text)
    prefix: list[str] = []
    if surname_first:
        stripped = text.strip()
        for size in (2, 1):
            head = stripped[:size]
            if len(head) == size and head in _SURNAME_READINGS:
                prefix = [_SURNAME_READINGS[head]]
                text = stripped[size:]
                break
    syllables = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True, errors="default")
    parts = prefix + [_strip_tones(s) for s in syllables]
    return fold(" ".join(parts))


def split_cjk_name(name: str) -> tuple[str, str]:
    """Split a Chinese name in native script into (surname, given name), characters kept."""
    name = "".join(unicodedata.normalize("NFKC", name).split()).replace("·", "")
    if len(name) >= 3 and name[:2] in _COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def romanise_cjk_name(name: str) -> tuple[str, str]:
    """(surname, given) in toneless pinyin, given syllables joined: 姚顺雨 → ("yao", "shunyu")."""
    surname, given = split_cjk_name(name)
    sur = to_pinyin(surname, surname_first=True).replace(" ", "")
    giv = to_pinyin(given).replace(" ", "")
    return sur, giv


@memoise_text(max_bytes=4 * 1024 * 1024, max_chars=64)
def segment_pinyin(token: str) -> tuple[str, ...] | None:
    """Split a romanised token into pinyin syllables ("shunyu" → ("shun", "yu")), or None.

    Prefers the split with the fewest syllables; among those, the longest first syllable.
    """
    syllables = pinyin_syllables()
    n = len(token)
    if n == 0 or not token.isalpha() or not token.isascii():
        return None
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[n] = ()
    for i in range(n - 1, -1, -1):
        candidate: tuple[str, ...] | None = None
        for j in range(min(n, i + 6), i, -1):
            rest = best[j]
            piece = token[i:j]
            if rest is None or piece not in syllables:
                continue
            option = (piece, *rest)
            if candidate is None or len(option) < len(candidate):
                candidate = option
        best[i] = candidate
    return best[0]


# --------------------------------------------------------------------------------------------
# Surnames


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CHINESE_SURNAME_CHARS = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤"
    "尹黎易常武乔贺赖龚文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂丛焦向柳邢路岳齐沿"
    "梅莫庄辛管祝左涂谷祁时舒耿牟卜路詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘"
    "景薄单包司柏宁柯阮桂闵欧解强柴华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫来嵺苟全褚廉简娄"
    "盖符奚木穆党燕郎邸冀谈姬屠连郁晏栾郗仇蓝区"
)
_WADE_CANTONESE_SURNAMES = _words(
    "chang cheung chow chan wong hsu hsieh tsai tseng kuo chiang lo lau leung ng ho yeung tang "
    "kwok fung tse yip mak hui tsang au chu shih chien hsiao kao teng tung yen chou lai chung "
    "kuan pan yu lam cheng chiu choy kwan lui law tam tong woo wu yiu yuen tsui tsao hou huang "
    "hung lee lu lin liang sung tai tan teo goh lim koh ong toh chua"
)
KOREAN_SURNAMES = _words(
    "kim lee yi rhee park pak choi choe jung jeong chung kang cho jo yoon yun jang chang lim im "
    "han oh seo suh shin sin kwon hwang ahn an song yoo yu ryu hong jeon chun ko koh moon mun "
    "yang son sohn bae baek paik heo hur nam sim shim noh roh ha kwak sung cha joo ju woo gu "
    "koo min na jin ji eom um chae won cheon bang kong hyun hyeon"
)
JAPANESE_SURNAMES = _words(
    "sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida "
    "yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda "
    "hashimoto yamashita ishikawa nakajima maeda fujita ogawa goto okada hasegawa murakami "
    "kondo ishii saito sakamoto endo aoki fujii nishimura fukuda ota miura fujiwara okamoto "
    "matsuda nakagawa nakano harada ono tamura takeuchi kaneko wada nakayama ishida ueda "
    "morita hara shibata sakai kudo yokoyama miyazaki miyamoto uchida takagi ando taniguchi "
    "ohno maruyama imai takada fujimoto takeda murata ueno sugiyama masuda sugawara hirano "
    "otsuka kojima chiba kubo matsui iwasaki sakurai kinoshita noguchi matsuo nomura kikuchi"
)
VIETNAMESE_SURNAMES = _words(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly"
)


@lru_cache(maxsize=1)
def chinese_surnames() -> frozenset[str]:
    """Romanised Chinese surnames (pinyin of the common surname characters, plus Wade-Giles
    and Cantonese spellings, plus the compound surnames)."""
    found = {romanise_cjk_name(c + "一")[0] for c in _CHINESE_SURNAME_CHARS}
    found |= {romanise_cjk_name(c + "一")[0] for c in _COMPOUND_SURNAMES}
    return frozenset(found | _WADE_CANTONESE_SURNAMES)


@lru_cache(maxsize=1)
def east_asian_surnames() -> frozenset[str]:
    return chinese_surnames() | KOREAN_SURNAMES | VIETNAMESE_SURNAMES


# Surnames so frequent that a name match on them alone says little (Chinese, Korean,
# Vietnamese, Indian and English). Used by resolution for a penalty.
COMMON_SURNAMES = _words(
    "wang li zhang liu chen yang zhao huang zhou wu xu sun hu zhu gao lin he guo ma luo liang "
    "song zheng xie han tang feng yu dong xiao cheng cao yuan deng fu shen zeng peng lu su "
    "jiang cai jia ding wei xue ye yan pan du dai xia zhong tian ren fan fang shi yao tan "
    "kim lee park choi jung jeong kang cho yoon jang lim han oh seo shin kwon hwang ahn song "
    "nguyen tran le pham hoang huynh phan vu vo dang bui "
    "singh kumar sharma patel gupta shah khan ali ahmed reddy rao "
    "smith johnson williams brown jones miller davis garcia rodriguez martinez wong chan "
    "chang lau cheung ng"
)


# --------------------------------------------------------------------------------------------
# Person names


@dataclass(frozen=True)
class NameParse:
    """One reading of a person's name: family name, given-name tokens (folded)."""

    family: str
    given: tuple[str, ...]
    east_asian: bool = False

    @property
    def given_key(self) -> str:
        """The given name as one key: syllables joined for East Asian names ("shun yu" →
        "shunyu"); for others the first given token (middle names are compared apart)."""
        if not self.given:
            return ""
        if self.east_asian:
            return "".join(self.given)
        return self.given[0]

    @property
    def initials(self) -> str:
        """First letters of the given name: syllable by syllable for pinyin ("shunyu" → "sy")."""
        if self.east_asian:
            letters: list[str] = []
            for token in self.given:
                parts = segment_pinyin(token) if len(token) > 1 else None
                letters.extend(p[0] for p in (parts or (token,)))
            return "".join(letters)
        return "".join(t[0] for t in self.given)

    @property
    def is_initials_only(self) -> bool:
        return bool(self.given) and all(len(t) == 1 for t in self.given)


def _name_tokens(name: str) -> list[str]:
    """Fold a romanised name into tokens, honouring "Family, Given"."""
    name = unicodedata.normalize("NFKC", name).strip()
    if name.count(",") == 1:
        family, given = (part.strip() for part in name.split(","))
        suffix = fold(given)
        if family and given and suffix not in {"jr", "sr", "ii", "iii", "iv", "phd", "md"}:
            name = f"{given} {family}"
    tokens = fold(name).split()
    while len(tokens) > 2 and tokens[-1] in {"jr", "sr", "ii", "iii", "iv", "phd", "md"}:
        tokens.pop()
    return tokens


# Arabic family names with the article: "Al-Harbi", "Al Harbi" and "Alharbi", "El-Amrani" and
# "Elamrani" are one name, written with a hyphen, a space or joined.
_ARABIC_ARTICLES = frozenset({"al", "el"})
# Spanish and Portuguese family names: a person with two surnames (paternal, maternal) is often
# named by the first alone ("Carlos Martínez Sánchez" is "Carlos Martínez"). The commonest,
# and the patronymics in -ez (González, Fernández), recognise a pair of surnames.
HISPANIC_SURNAMES = _words(
    "garcia rodriguez gonzalez fernandez lopez martinez sanchez perez gomez martin jimenez ruiz "
    "hernandez diaz moreno alvarez munoz romero alonso gutierrez navarro torres dominguez vazquez "
    "ramos gil ramirez serrano blanco molina morales suarez ortega delgado castro ortiz rubio "
    "marin sanz nunez iglesias medina garrido cortes castillo santos lozano guerrero cano prieto "
    "mendez cruz calvo gallego vidal leon marquez herrera pena flores cabrera campos vega fuentes "
    "carrasco diez reyes caballero nieto aguilar pascual santana herrero lorenzo montero hidalgo "
    "gimenez ibanez ferrer duran santiago benitez mora vicente vargas arias carmona crespo roman "
    "pastor soto saez velasco rojas silva oliveira souza costa pereira almeida ferreira "
    "rodrigues carvalho araujo ribeiro mendoza aguirre salazar rivera contreras espinoza "
    "figueroa sandoval guzman acosta"
)


def _hispanic_surname(token: str) -> bool:
    return token in HISPANIC_SURNAMES or (len(token) >= 5 and token.endswith("ez"))


# Russian and Ukrainian given names in their transliterations: one key for "Dmitry",
# "Dmitrii", "Dmitriy" and "Dmytro", for "Alexander", "Aleksandr" and "Oleksandr".
_SLAVIC_GIVEN = MappingProxyType(
    {
        "oleksandr": "alexander", "aleksandr": "alexander", "alexandr": "alexander",
        "oleksiy": "alexey", "oleksii": "alexey", "aleksei": "alexey", "aleksey": "alexey",
        "alexei": "alexey", "dmytro": "dmitry", "serhiy": "sergey", "serhii": "sergey",
        "andriy": "andrey", "andrii": "andrey", "mykola": "nikolay", "nikolai": "nikolay",
        "volodymyr": "vladimir", "mykhailo": "mikhail", "mykhaylo": "mikhail",
        "yuriy": "yury", "yurii": "yury", "iurii": "yury", "yuri": "yury", "vasyl": "vasily",
        "pavlo": "pavel", "petro": "petr", "pyotr": "petr", "ihor": "igor", "hennadiy": "gennady",
        "yevgeny": "evgeny", "yevgeniy": "evgeny", "evgenii": "evgeny", "ievgen": "evgeny",
        "yevhen": "evgeny", "mikhael": "mikhail", "maksim": "maxim", "maksym": "maxim",
    }
)  # fmt: skip
_SLAVIC_ENDING = re.compile(r"(?:iy|ii|ij|yi|yj)$")


def slavic_given(token: str) -> str:
    """One key for the transliterations of a Russian or Ukrainian given name: "dmitrii",
    "dmitriy", "dmytro" → "dmitry"; "oleksandr", "aleksandr" → "alexander"; "sergei" →
    "sergey"."""
    if token in _SLAVIC_GIVEN:
        return _SLAVIC_GIVEN[token]
    key = _SLAVIC_ENDING.sub("y", token)
    key = re.sub(r"ei$", "ey", key)
    return _SLAVIC_GIVEN.get(key, key)


@lru_cache(maxsize=1)
def _kakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


@lru_cache(maxsize=65536)
def japanese_readings(name: str) -> tuple[NameParse, ...]:
    """The Hepburn reading of a name in kanji when it reads as a Japanese one: 佐藤大輔 →
    ("sato", "daisuke"), long vowels written short as names write them. A sighting in kanji
    only meets one in Hepburn only ("Daisuke Sato"), which the pinyin reading (zuo teng da fu)
    never does. Japanese when the family name read is a common Japanese one, or is written
    with two kanji or more (Chinese family names are mostly one character), the whole name
    with three or four."""
    text = "".join(name.split())
    if not 2 <= len(text) <= 5 or text[:2] in _COMPOUND_SURNAMES:
        return ()
    words = [w for w in _kakasi().convert(text) if w["orig"].strip()]
    if len(words) < 2 or not all(w["hepburn"].isascii() and w["hepburn"] for w in words):
        return ()
    family = hepburn_short(fold(words[0]["hepburn"]).replace(" ", ""))
    given = hepburn_short("".join(fold(w["hepburn"]).replace(" ", "") for w in words[1:]))
    japanese = family in JAPANESE_SURNAMES or (len(words[0]["orig"]) >= 2 and len(text) >= 3)
    if not japanese or not family or not given:
        return ()
    return (NameParse(family, (given,), True),)


# Wade–Giles, as Taiwanese names are romanised ("Chih-Hao Chang" for 张志豪, Zhang Zhihao), its
# apostrophes dropped: each initial and final with the pinyin it may stand for.
_WG_INITIALS = (
    ("ch", ("zh", "j", "ch", "q")), ("hs", ("x",)), ("ts", ("z", "c")), ("tz", ("z", "c")),
    ("k", ("g", "k")), ("p", ("b", "p")), ("t", ("d", "t")), ("j", ("r",)),
)  # fmt: skip
_WG_FINALS = (
    ("ieh", ("ie",)), ("ien", ("ian",)), ("iung", ("iong",)), ("ung", ("ong",)),
    ("ueh", ("ue",)), ("uei", ("ui",)), ("erh", ("er",)), ("ih", ("i",)), ("o", ("o", "e", "uo")),
)  # fmt: skip
_WG_MARKS = re.compile(r"^(?:hs|tz|ts)|ih$|ieh$|ien$|ung$|ueh$")


def wade_giles_pinyin(syllable: str) -> tuple[str, ...]:
    """The pinyin syllables a Wade–Giles syllable may be: "chih" → zhi, ji?, chi, qi (those
    pinyin has); "hsu" → xu; "chang" → zhang, chang."""
    heads: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
        (syllable[len(w) :], p) for w, p in _WG_INITIALS if syllable.startswith(w)
    )[:1] or ((syllable, ("",)),)
    rest, initials = heads[0]
    finals: tuple[str, ...] = (rest,)
    for w, p in _WG_FINALS:
        if rest.endswith(w):
            finals = tuple(rest[: -len(w)] + f for f in p)
            break
    known = pinyin_syllables()
    return tuple(dict.fromkeys(i + f for i in initials for f in finals if i + f in known))


def _wade_giles_readings(tokens: list[str]) -> tuple[NameParse, ...]:
    """Pinyin readings of a name romanised in Wade–Giles, given name hyphenated or joined
    ("Chih-Hao Chang", "Chang Chih-hao"): only when a syllable shows Wade–Giles (hs, tz, ih,
    ieh, ung), so that pinyin names gain no readings. At most a few dozen."""
    if not 2 <= len(tokens) <= 3 or not any(_WG_MARKS.search(t) for t in tokens):
        return ()
    options = [wade_giles_pinyin(t) for t in tokens]
    if not all(options):
        return ()
    readings: list[NameParse] = []
    for family_at in (len(tokens) - 1, 0):
        given_parts = [options[i] for i in range(len(tokens)) if i != family_at]
        givens = [""]
        for part in given_parts:
            givens = [g + p for g in givens for p in part]
        for family in options[family_at]:
            readings += [NameParse(family, (g,), True) for g in givens]
    return tuple(dict.fromkeys(readings))[:48]


def _looks_east_asian(tokens: list[str]) -> bool:
    if len(tokens) < 2 or len(tokens) > 4:
        return False
    surnames = east_asian_surnames()
    if tokens[0] in KOREAN_SURNAMES or tokens[-1] in KOREAN_SURNAMES:
        return True
    if len(tokens) == 2 and (tokens[0] in JAPANESE_SURNAMES or tokens[-1] in JAPANESE_SURNAMES):
        return True  # "Tanaka Yuto" is "Yuto Tanaka": Japanese sources write the family first
    pinyin_like = all(len(t) == 1 or segment_pinyin(t) is not None for t in tokens)
    if tokens[0] not in surnames and tokens[-1] not in surnames:
        # an uncommon surname ("Pu Yiming"): every word must read as pinyin, with at most
        # three syllables each, and one word a single syllable (the surname)
        return (
            pinyin_like
            and any(
                len(t) > 1 and len(segment_pinyin(t) or ()) == 1 for t in (tokens[0], tokens[-1])
            )
            and all(len(segment_pinyin(t) or ()) <= 3 for t in tokens)
        )
    return pinyin_like


@lru_cache(maxsize=65536)
def parse_person_name(name: str) -> tuple[NameParse, ...]:
    """Every plausible (family, given) reading of a name.

    Native Han script → the pinyin reading (family first). Romanised East Asian names → both
    orders. Other names → family last ("Family, Given" honoured).
    """
    name = name.strip()
    if not name:
        return ()
    if is_hangul(name):
        return tuple(NameParse(f, (g,), True) for f, g in korean_readings(name)) or (
            NameParse(romanise_syllable(name.strip()[0]), (), True),
        )
    if has_han(name) and not re.search(r"[A-Za-z]", name):
        family, given = romanise_cjk_name(name)
        if not given:
            return (NameParse(family, (), True),)
        return (NameParse(family, (given,), True), *japanese_readings(name))
    tokens = _name_tokens(name)
    if not name.isascii():  # an ASCII name folds to ASCII tokens, none of them CJK
        tokens = [t for t in tokens if not is_cjk(t)] or tokens
    if not tokens:
        return ()
    if len(tokens) == 1:
        return (NameParse(tokens[0], ()),)
    wade_giles = _wade_giles_readings(tokens)
    if _looks_east_asian(tokens):
        readings = [NameParse(tokens[-1], tuple(tokens[:-1]), True)]
        if len(tokens[0]) > 1:
            readings.append(NameParse(tokens[0], tuple(tokens[1:]), True))
        return tuple(dict.fromkeys((*readings, *wade_giles)))
    if wade_giles:
        return (NameParse(tokens[-1], tuple(tokens[:-1])), *wade_giles)
    if len(tokens) >= 3 and tokens[-2] in _ARABIC_ARTICLES:
        # "Khalid S. Al-Harbi" is "Khalid S. Alharbi": the article belongs to the family name
        tokens = [*tokens[:-2], tokens[-2] + tokens[-1]]
    western = NameParse(tokens[-1], tuple(tokens[:-1]))
    if len(tokens) >= 3 and _hispanic_surname(tokens[-2]) and _hispanic_surname(tokens[-1]):
        # "Carlos Martínez Sánchez": two surnames, the first the one a person goes by alone
        return (western, NameParse(tokens[-2], tuple(tokens[:-2])))
    if len(tokens[0]) == 1 and all(len(t) > 1 for t in tokens[1:]):
        # "S. Ramanathan", "N. Ravi Shankar": in South Indian usage the initial first is the
        # family (a father's or a place's) name, the words after it the given name; written
        # in full elsewhere as "Ramanathan Srinivasan".
        return (western, NameParse(tokens[0], tuple(tokens[1:])))
    if tokens[0] in VIETNAMESE_SURNAMES and tokens[-1] not in VIETNAMESE_SURNAMES:
        # "Pham Thi Lan": the family name first, the name a person goes by last, middle
        # names ("Thi", "Van", "Duc") between; written Western-style it is "Lan Pham".
        return (NameParse(tokens[0], (tokens[-1], *tokens[1:-1])), western)
    if len(tokens) >= 3 and tokens[0] in VIETNAMESE_SURNAMES:
        # "Vũ Minh Hoàng": a name a person goes by that is a family name too (Hoàng, Lê) may
        # be either; written Western-style it is "Hoang Vu", the family first read is theirs.
        return (western, NameParse(tokens[0], (tokens[-1], *tokens[1:-1])))
    return (western,)


@lru_cache(maxsize=65536)
def person_name_variants(name: str) -> frozenset[str]:
    """Folded full-name keys of a person's name.

    "Yao Shunyu", "Shunyu Yao", "Shun-Yu Yao", "Shun Yu Yao" and "姚顺雨" all give
    {"shunyu yao", "yao shunyu"}; "Geoffrey E. Hinton" gives {"geoffrey hinton",
    "geoffrey e hinton"}. Names made only of initials give no key beyond their folded form.
    """
    keys: set[str] = set()
    for parse in parse_person_name(name):
        if not parse.given:
            keys.add(parse.family)
            continue
        if parse.east_asian:
            given = "".join(parse.given)
            keys.add(f"{given} {parse.family}")
            keys.add(f"{parse.family} {given}")
        else:
            keys.add(" ".join((*parse.given, parse.family)))
            keys.add(f"{parse.given[0]} {parse.family}")
    return frozenset(keys)


_WRITTEN_OUT = re.compile(r"(?<=[a-z])([aou])e")
# Long vowels of Japanese names romanised otherwise than in plain Hepburn: "oh", "ou", "oo"
# for ō (Satoh, Satou, Oono), "uu" for ū (Yuuki).
_LONG_VOWEL = re.compile(r"(?<=o)[uh](?![aeiou])|(?<=o)o|(?<=u)u")


def hepburn_short(token: str) -> str:
    """A folded Japanese name token with its long vowels written short, as plain Hepburn
    writes them in names: "satoh", "satou" → "sato"; "ohno", "oono" → "ono"; "yuuki" →
    "yuki"."""
    return _LONG_VOWEL.sub("", token)


def japanese_family(a: str, b: str) -> bool:
    """Two spellings of one Japanese family name, long vowels apart (Sato and Satoh)."""
    short = hepburn_short(a)
    return short == hepburn_short(b) and short in JAPANESE_SURNAMES


def umlauts_written_out(token: str) -> str:
    """A folded token with German umlauts written out collapsed: "mueller" → "muller", as
    folding makes of "Müller" (so both spellings meet)."""
    return _WRITTEN_OUT.sub(r"\1", token)


@lru_cache(maxsize=65536)
def blocking_keys(name: str) -> frozenset[str]:
    """Cheap keys to find candidate matches in SQL: "family|first-initial" per reading.

    "Shunyu Yao", "S. Yao" and "姚顺雨" share "yao|s".
    """
    keys: set[str] = set()
    for parse in parse_person_name(name):
        if parse.given and not parse.east_asian and len(parse.given[0]) > 1 and parse.family:
            # the given name and the family name's initial: "S. Ramanathan" (family S.),
            # "Venkatesh K." and "Ramanathan Srinivasan" meet here
            keys.add(f"~{parse.given[0]}|{parse.family[0]}")
        if len(parse.family) < 2:
            continue
        initial = parse.given[0][0] if parse.given else ""
        keys.add(f"{parse.family}|{initial}")
        collapsed = umlauts_written_out(parse.family)
        if collapsed != parse.family and len(collapsed) >= 2:
            keys.add(f"{collapsed}|{umlauts_written_out(initial)}")
        short = hepburn_short(parse.family)
        if short != parse.family and short in JAPANESE_SURNAMES:
            keys.add(f"{short}|{initial}")  # "Satoh" and "Sato" meet
        if parse.given and not parse.east_asian:
            slavic = slavic_given(parse.given[0])[0]
            if slavic != initial:
                keys.add(f"{parse.family}|{slavic}")  # "Oleksandr" and "Alexander" meet
        group = surname_group(parse.family) if parse.east_asian else None
        if group is not None:
            keys.add(f"{group}|{initial}")  # "Jung" and "Jeong" meet
    return frozenset(keys)


def researcher_search_text(names: Iterable[str]) -> str:
    """One folded string holding every name of a researcher for SQL ``LIKE`` search: each
    name folded as written, its native script, and its variants in both orders (pinyin of
    CJK names included), separated by " | "."""
    parts: list[str] = []
    for name in names:
        if not name or not name.strip():
            continue
        parts.append(fold(name))
        parts.extend(sorted(person_name_variants(name)))
        if has_han(name):
            parts.append(to_pinyin(name, surname_first=True))
    return " | ".join(dict.fromkeys(p for p in parts if p))


def check_search(query: str, field: str = "search") -> str:
    """``query`` if it is a search a person could type, else :class:`BadUserInput` naming
    ``field``. Checked before any folding: a search's cost (folding, one bound parameter per
    term, one LIKE per term) grows with its length and its number of terms."""
    if len(query) > MAX_SEARCH_CHARS:
        raise BadUserInput(
            f"`{field}` is {len(query)} characters long; at most {MAX_SEARCH_CHARS}",
            field=field,
            maxLength=MAX_SEARCH_CHARS,
        )
    terms = len(query.split())
    if terms > MAX_SEARCH_TERMS:
        raise BadUserInput(
            f"`{field}` has {terms} words; at most {MAX_SEARCH_TERMS}",
            field=field,
            maxTerms=MAX_SEARCH_TERMS,
        )
    return query


def search_tokens(query: str, field: str = "search") -> list[str]:
    """Folded tokens of a user's search query; Han runs are replaced by their pinyin (surname
    first, given syllables joined), which :func:`researcher_search_text` always carries.
    A search longer than the limits is refused (:func:`check_search`)."""
    return list(dict.fromkeys(_search_terms(query, field)))


def search_key(query: str, field: str = "search") -> str:
    """A search as one name key: its folded tokens in the order typed (repeats kept: "yang
    yang"), joined by single spaces, as each " | "-separated form of
    :func:`researcher_search_text` is written. A researcher whose form starts with it matches
    every token (``researcher_name_key``)."""
    return " ".join(_search_terms(query, field))


def _search_terms(query: str, field: str) -> list[str]:
    check_search(query, field)
    tokens: list[str] = []
    for token in fold(query).split():
        if has_han(token):
            if len(token) <= 4:
                family, given = romanise_cjk_name(token)
                tokens.extend(t for t in (family, given) if t)
            else:
                tokens.extend(to_pinyin(token).split())
        else:
            tokens.append(token)
    return tokens


# --------------------------------------------------------------------------------------------
# Institution names

_LEGAL_SUFFIXES: tuple[tuple[str, ...], ...] = tuple(
    tuple(s.split())
    for s in (
        "inc",
        "incorporated",
        "llc",
        "l l c",
        "ltd",
        "limited",
        "gmbh",
        "co",
        "corp",
        "corporation",
        "s a",
        "sa",
        "s a s",
        "sas",
        "ag",
        "plc",
        "bv",
        "b v",
        "nv",
        "n v",
        "srl",
        "s r l",
        "spa",
        "s p a",
        "kk",
        "k k",
        "pty",
        "pte",
        "lp",
        "llp",
        "oy",
        "ab",
        "as",
        "se",
        "group",
        "holdings",
        "holding",
    )
)
_CJK_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "株式会社",
    "集团",
    "公司",
)
_ABBREVIATIONS = {
    "univ": "university",
    "uni": "university",
    "inst": "institute",
    "institut": "institute",
    "tech": "technology",
    "technol": "technology",
    "natl": "national",
    "dept": "department",
    "lab": "laboratory",
    "labs": "laboratories",
    "ctr": "center",
    "centre": "center",
    "acad": "academy",
    "res": "research",
    "coll": "college",
    "intl": "international",
    "sci": "science",
    "sch": "school",
}
_QUALIFIER_WORDS = frozenset(
    {
        "united states",
        "usa",
        "us",
        "u s",
        "u s a",
        "united kingdom",
        "uk",
        "china",
        "prc",
        "p r china",
        "japan",
        "korea",
        "south korea",
        "republic of korea",
        "germany",
        "france",
        "canada",
        "india",
        "singapore",
        "switzerland",
        "israel",
        "hong kong",
        "taiwan",
        "australia",
        "netherlands",
        "italy",
        "spain",
        "sweden",
        "beijing",
        "shanghai",
        "shenzhen",
        "hangzhou",
        "london",
        "paris",
        "zurich",
        "toronto",
        "montreal",
        "seattle",
        "new york",
        "mountain view",
        "menlo park",
        "redmond",
        "san francisco",
        "tokyo",
        "seoul",
        "北京",
        "上海",
        "深圳",
        "杭州",
        "中国",
        "美国",
    }
)


@lru_cache(maxsize=1)
def _country_qualifiers() -> frozenset[str]:
    import pycountry

    names: set[str] = set(_QUALIFIER_WORDS)
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(fold(value))
        names.add(fold(country.alpha_2))
        names.add(fold(country.alpha_3))
    return frozenset(names)


def is_place_qualifier(text: str) -> bool:
    """A country or major city name (as seen in "(United States)", "(Beijing)")."""
    return fold(text) in _country_qualifiers()


_PAREN = re.compile(r"\(([^()]*)\)")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&\-]{1,9}$")


@lru_cache(maxsize=65536)
def normalize_institution(name: str) -> str:
    """The key stored in ``institution_alias.normalized``.

    fold + "&" → "and", parenthetical country/city qualifiers dropped ("Google (United
    States)"), leading "The" dropped, common abbreviations expanded ("Univ." → university,
    "Inst." → institute, "Lab" → laboratory, "Centre" → center), trailing legal suffixes
    dropped (Inc, LLC, Ltd, GmbH, Co., Corp, S.A., 有限公司, 股份有限公司 …). Never empty for
    a non-empty input that has letters or digits.
    """
    text = unicodedata.normalize("NFKC", name)
    text = text.replace("&", " and ").replace("＆", " and ")

    def _drop(match: re.Match[str]) -> str:
        inner = match.group(1).strip()
        if is_place_qualifier(inner) or _ACRONYM.match(inner):
            return " "
        return f" {inner} "

    stripped = _PAREN.sub(_drop, text)
    folded = fold(stripped)
    if not folded:
        return fold(text)
    tokens = [_ABBREVIATIONS.get(t, t) for t in folded.split()]
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for legal in _LEGAL_SUFFIXES:
            size = len(legal)
            if len(tokens) > size and tuple(tokens[-size:]) == legal:
                tokens = tokens[:-size]
                changed = True
                break
    while len(tokens) > 1 and tokens[-1] in _CJK_SUFFIXES:
        tokens.pop()  # "腾讯科技（深圳）有限公司": the qualifier split the suffix off
    if tokens:
        last = tokens[-1]
        for suffix in _CJK_SUFFIXES:
            if last.endswith(suffix) and len(last) > len(suffix) + 1:
                last = last[: -len(suffix)]
                break
        tokens[-1] = last
    result = " ".join(tokens)
    return result or folded
