"""Parse job-board location strings into countries, cities and remote/hybrid flags.

Boards write locations freely: ``"San Francisco, CA | New York City, NY"``,
``"Remote (Canada)"``, ``"Toronto, ON, CA"``, ``"北京、上海"``, ``"Paris, France; Remote-Friendly"``.
The parser works in three steps.

1. **Flags.** ``remote`` is set by *remote*, *remote-friendly*, *anywhere*, *work from home*
   or 远程 (遠端, リモート, 在宅勤務, 원격, 재택); ``hybrid`` by *hybrid*, 混合, ハイブリッド or
   하이브리드. Time-zone requirements become the place they name ("within 4 hours of PT" and
   "(EST)" the US, "JST hours" Japan, "UTC+8 ± 2" the APAC region, "CET" Europe), so a
   zone code is never read as a country ("EST" is Estonia's alpha-3, "PT" Portugal's). The
   flag words are then removed, as are notes
   such as *(HQ)*, *(Travel Required)*, *On-site* or *Office*.
2. **Places.** The text is split into places on ``| ; / 、 ， or`` and newlines, and each
   place into parts on commas, dashes and parentheses. Every part is looked up as
   a country (pycountry names, alpha-2 and alpha-3 codes, plus common forms such as
   *UK*, *USA*, *South Korea*, *UAE*, 中国), a region (US states and Canadian provinces
   from pycountry's subdivisions by name and 2-letter code, Australian states, the UK's
   nations), a city of the gazetteer in ``data/cities.txt`` (a few hundred tech hubs with their
   non-ASCII and local-script forms), or a world region (*EMEA*, *APAC*, *Europe*, …),
   which names no country.
3. **Resolution.** Consecutive parts such as ``city, region, country`` are grouped into
   one place and resolved to the single country all of them agree on. That settles the
   two-letter ambiguities: ``"Mountain View, CA"`` is California (a US city before it),
   ``"Toronto, ON, CA"`` and ``"British Columbia, CA"`` are Canada (a Canadian province
   before it), ``"London, ON"`` is Canada, ``"Berlin, DE"`` is Germany. A code after an
   unknown city is read as a US state first (``"Springfield, IL"``); a code standing
   alone is read as a country (``"Remote - CA"`` is Canada, ``"IL"`` is Israel).
   Ambiguous city names fall back on their best-known country (*London* → GB,
   *Cambridge* → GB unless ``MA``, *Vancouver* → CA).

``country_hint`` (usually the posting institution's country) is used only when the text
says nothing about place beyond remote/hybrid/on-site words: it turns a bare
``"Remote"`` or ``"Hybrid"`` into that country, but it never overrides a named place and
is not applied to world regions (``"Remote - EMEA"``) or to ``"Anywhere"``.

``countries`` keeps the order of first appearance without duplicates; ``country_code`` is
the first of them.

``text_country`` reads a posting's own text for the one country it places the job in
("remote within the United Kingdom", "based in Singapore", 工作地点：新加坡), for postings whose
location names none. ``text_anywhere`` tells whether the text opens the job to any country
("you can work from any country", "we can hire in most countries", 全球远程), so a bare
"Remote" is not given the company's home country.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pycountry

logger = logging.getLogger(__name__)

__all__ = ["ParsedLocation", "parse_location", "text_anywhere", "text_country"]


@dataclass(frozen=True)
class ParsedLocation:
    """What a location string says: countries (ISO alpha-2), flags and cities."""

    countries: tuple[str, ...]
    country_code: str | None
    remote: bool
    hybrid: bool
    cities: tuple[str, ...]
    alternatives: tuple[str, ...] = ()
    """The countries the first place could equally be, when it is a city whose name several
    countries share and nothing beside it chooses (a bare "Cambridge": GB, US); empty
    otherwise. ``country_code`` is the best-known of them."""


# The gazetteer: one line per city in ``data/cities.txt`` (canonical name | countries,
# best-known first | other spellings).
CITIES_FILE = "cities.txt"


def _city_lines() -> list[str]:
    text = resources.files("plugins.jobboards").joinpath("data", CITIES_FILE).read_text("utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


# Names and codes that pycountry does not carry but boards use.
_COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB",
    "u.k.": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "us": "US",
    "united states of america": "US",
    "america": "US",
    "can": "CA",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "russia": "RU",
    "taiwan": "TW",
    "vietnam": "VN",
    "iran": "IR",
    "turkey": "TR",
    "türkiye": "TR",
    "czech republic": "CZ",
    "uae": "AE",
    "u.a.e.": "AE",
    "emirates": "AE",
    "holland": "NL",
    "the netherlands": "NL",
    "prc": "CN",
    "mainland china": "CN",
    "china mainland": "CN",
    "hong kong sar": "HK",
    "hong kong sar china": "HK",
    "macau sar": "MO",
    "中国": "CN",
    "中國": "CN",
    "中国大陆": "CN",
    "中国香港": "HK",
    "中國香港": "HK",
    "中国台湾": "TW",
    "中國台灣": "TW",
    "中国澳门": "MO",
    "美国": "US",
    "美國": "US",
    "英国": "GB",
    "英國": "GB",
    "日本": "JP",
    "韩国": "KR",
    "韓國": "KR",
    "한국": "KR",
    "대한민국": "KR",
    "韓国": "KR",
    "大韓民国": "KR",
    "미국": "US",
    "アメリカ": "US",
    "米国": "US",
    "アメリカ合衆国": "US",
    "일본": "JP",
    "중국": "CN",
    "영국": "GB",
    "イギリス": "GB",
    "カナダ": "CA",
    "캐나다": "CA",
    "대만": "TW",
    "홍콩": "HK",
    "香港特別行政區": "HK",
    "德国": "DE",
    "法国": "FR",
    "加拿大": "CA",
    "新加坡": "SG",
    "香港": "HK",
    "台湾": "TW",
    "臺灣": "TW",
    "台灣": "TW",
    "印度": "IN",
    "瑞士": "CH",
    "以色列": "IL",
    "澳大利亚": "AU",
    "deutschland": "DE",
    "schweiz": "CH",
    "suisse": "CH",
    "españa": "ES",
    "brasil": "BR",
    "österreich": "AT",
    "italia": "IT",
    "polska": "PL",
    "nederland": "NL",
    "sverige": "SE",
    "danmark": "DK",
    "norge": "NO",
    "suomi": "FI",
    "méxico": "MX",
    "日本国": "JP",
}

# Regions beyond a country: they name no country and stop the country hint.
_WORLD_REGIONS = frozenset(
    {
        "emea",
        "apac",
        "apj",
        "amer",
        "americas",
        "latam",
        "latin america",
        "north america",
        "south america",
        "europe",
        "eu",
        "eea",
        "european union",
        "asia",
        "asia pacific",
        "asia-pacific",
        "middle east",
        "africa",
        "oceania",
        "nordics",
        "dach",
        "benelux",
        "anywhere",
        "worldwide",
        "global",
        "international",
        "multiple locations",
        "various",
        "any location",
        "全球",
        "亚太",
    }
)

# Sub-national regions pycountry does not give by a 2-letter code.
_EXTRA_REGIONS: dict[str, str] = {
    "nsw": "AU",
    "new south wales": "AU",
    "vic": "AU",
    "victoria": "AU",
    "qld": "AU",
    "queensland": "AU",
    "act": "AU",
    "western australia": "AU",
    "south australia": "AU",
    "tasmania": "AU",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "île-de-france": "FR",
    "ile-de-france": "FR",
    "bavaria": "DE",
    "bayern": "DE",
    "karnataka": "IN",
    "telangana": "IN",
    "maharashtra": "IN",
    "tamil nadu": "IN",
    "haryana": "IN",
    "zhejiang": "CN",
    "guangdong": "CN",
    "jiangsu": "CN",
    "sichuan": "CN",
    "hubei": "CN",
    "anhui": "CN",
    "fujian": "CN",
    "shandong": "CN",
    "gyeonggi": "KR",
    "gyeonggi-do": "KR",
    "kanagawa": "JP",
    "canton of zurich": "CH",
    "canton of zürich": "CH",
}

_REMOTE_RE = re.compile(
    r"\bremote(?:[- ]?(?:first|friendly|only|eligible|ok|possible))?\b"
    r"|\bwork from home\b|\bwfh\b|\bfully distributed\b|远程办公|远程|遠程|远端|遠端|居家办公"
    r"|居家辦公|遠距|フルリモート|リモート|在宅勤務|テレワーク|원격|재택",
    re.IGNORECASE,
)
_ANYWHERE_RE = re.compile(r"\banywhere\b|\bworldwide\b", re.IGNORECASE)
_HYBRID_RE = re.compile(r"\bhybrid\b|混合办公|混合|ハイブリッド|하이브리드", re.IGNORECASE)
_NOISE_RE = re.compile(
    r"\b(?:hq|headquarters|office|offices|on-?site|in[- ]office|in[- ]person|flexible"
    r"|travel required|required travel|relocation|relocate|preferred|only|in|based|or"
    r"|area|metro|metropolitan|greater|region|city|location|locations)\b",
    re.IGNORECASE,
)
# Time zones a remote posting asks for ("within 4 hours of PT", "PST time zone", "US
# Eastern hours", "UTC+8 ± 2 hours"): a US zone names the US, Japan's, Korea's, Singapore's,
# India's, Australia's and British Summer Time their countries, CET Europe, a UTC offset its
# world region (Americas, EMEA, APAC): a region names no country and keeps the company
# default away. Zone codes need a time-zone cue, so
# "Lisbon, PT" and "Hartford, CT" stay places.
_ZONE_COUNTRIES = {
    "pst": "United States", "pdt": "United States", "pt": "United States",
    "pacific": "United States", "est": "United States", "edt": "United States",
    "et": "United States", "eastern": "United States", "cst": "United States",
    "cdt": "United States", "ct": "United States", "central": "United States",
    "mst": "United States", "mdt": "United States", "mt": "United States",
    "mountain": "United States", "jst": "Japan", "kst": "South Korea", "sgt": "Singapore",
    "cet": "Europe", "cest": "Europe", "bst": "United Kingdom", "aest": "Australia",
    "aedt": "Australia", "ist": "India",
}  # fmt: skip
_ZONE_NAMES = (
    r"PST|PDT|PT|EST|EDT|ET|CST|CDT|CT|MST|MDT|MT|Pacific|Eastern|Central|Mountain|JST|KST"
    r"|SGT|CET|CEST|BST|GMT|UTC|IST|AEST|AEDT"
)
_TIMEZONE_RE = re.compile(
    r"(?:\bwithin\s+\d+\s+hours?\s+(?:of|from)\s+(?P<after>" + _ZONE_NAMES + r")\b"
    r"(?:\s*[+-]\s*\d{1,2})?(?:\s+(?:standard\s+)?time)?(?:\s*(?:time\s*zones?|timezones?|tz))?)"
    r"|(?:\b(?P<before>" + _ZONE_NAMES + r")(?:\s*[+-]\s*\d{1,2})?(?:\s+(?:standard\s+)?time)?"
    r"\s*(?:time\s*zones?|timezones?|tz|hours|overlap)\b)"
    r"|(?:\b(?P<named>Pacific|Eastern|Central|Mountain)\s+(?:standard\s+)?time\b)"
    # codes that are only ever time zones ("EST" is no place, though it is Estonia's alpha-3)
    r"|(?:\b(?P<code>PST|PDT|EST|EDT|CDT|MST|MDT)\b)"
    r"|(?:\b(?:UTC|GMT)\s*(?P<offset>[+-]\s*\d{1,2})(?::\d{2})?"
    r"(?:\s*(?:±|\+/-)\s*\d+\s*(?:hours?|h)?)?)",
    re.IGNORECASE,
)


def _timezones(text: str) -> str:
    """``text`` with time-zone requirements replaced by the country they name, if any."""

    def replace(match: re.Match[str]) -> str:
        offset = match.group("offset")
        if offset:  # a band of offsets names a world region, never one country
            hours = int(offset.replace(" ", ""))
            return " (Americas) " if hours <= -3 else " (APAC) " if hours >= 5 else " (EMEA) "
        groups = ("after", "before", "named", "code")
        zone = next((match.group(g) for g in groups if match.group(g)), "").casefold()
        return f" ({_ZONE_COUNTRIES[zone]}) " if zone in _ZONE_COUNTRIES else " "

    return _TIMEZONE_RE.sub(replace, text)


# Work-arrangement words around a flag in CJK scripts (遠端工作, 원격 근무, 在宅勤務制度).
_CJK_NOISE_RE = re.compile(r"工作|办公|辦公|全职|全職|勤務|制度|근무|가능")
_PLACE_SPLIT_RE = re.compile(r"\s*(?:[|;/\n、，；•·]|\bor\b|\band\b|&)\s*", re.IGNORECASE)
_PART_SPLIT_RE = re.compile(r"\s*(?:[,()\[\]（）:：]|\s[-–—]\s|[–—])\s*")
_FLAG_DASH_RE = re.compile(
    r"(?:(?<=remote)|(?<=hybrid)|(?<=friendly))\s*-\s*|\s*-\s*(?=remote|hybrid)",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    """Lower-case, strip accents from Latin letters, collapse spaces; keep other scripts."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = unicodedata.normalize("NFKC", stripped).casefold()
    return " ".join(stripped.replace("’", "'").split()).strip(" .-")


@dataclass(frozen=True)
class _Lexicon:
    countries: dict[str, str]  # folded name -> alpha-2
    codes: dict[str, str]  # upper-case alpha-2/alpha-3 code -> alpha-2
    regions: dict[str, tuple[str, ...]]  # folded name -> countries
    region_codes: dict[str, tuple[str, ...]]  # upper-case 2-letter code -> countries
    cities: dict[str, tuple[str, tuple[str, ...]]]  # folded name -> (canonical, countries)


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    countries: dict[str, str] = {}
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        alpha2 = str(country.alpha_2)
        codes[alpha2] = alpha2
        codes[str(country.alpha_3)] = alpha2
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                countries.setdefault(_fold(str(value)), alpha2)
    for alias, alpha2 in _COUNTRY_ALIASES.items():
        countries[_fold(alias)] = alpha2
    codes["UK"] = "GB"
    codes["USA"] = "US"
    codes["CAN"] = "CA"

    regions: dict[str, list[str]] = {}
    region_codes: dict[str, list[str]] = {}
    for sub in pycountry.subdivisions:
        country_code = str(sub.country_code)
        if country_code in ("US", "CA") and str(sub.type) != "Outlying area":
            suffix = str(sub.code).split("-", 1)[1]
            region_codes.setdefault(suffix, []).append(country_code)
            regions.setdefault(_fold(str(sub.name)), []).append(country_code)
    for name, country_code in _EXTRA_REGIONS.items():
        regions.setdefault(_fold(name), []).append(country_code)
        if len(name) <= 3:
            region_codes.setdefault(name.upper(), []).append(country_code)
    regions.setdefault("quebec", []).append("CA")

    cities: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in _city_lines():
        canonical, country_field, *aliases = line.split("|")
        found = tuple(country_field.split(","))
        for name in (canonical, *aliases):
            cities.setdefault(_fold(name), (canonical, found))
    return _Lexicon(
        countries=countries,
        codes=codes,
        regions={k: tuple(dict.fromkeys(v)) for k, v in regions.items()},
        region_codes={k: tuple(dict.fromkeys(v)) for k, v in region_codes.items()},
        cities=cities,
    )


@dataclass(frozen=True)
class _Part:
    """One comma-separated piece of a place, with its possible readings."""

    text: str
    kind: str  # "country", "region", "code", "city", "world", "unknown"
    as_country: str | None = None  # reading as a country
    as_region: tuple[str, ...] = ()  # countries if read as a state/province
    city: tuple[str, tuple[str, ...]] | None = None


def _classify_part(raw: str) -> _Part | None:
    text = raw.strip(" .-–—'\"")
    if not text:
        return None
    lex = _lexicon()
    folded = _fold(text)
    if folded in _WORLD_REGIONS:
        return _Part(text, "world")
    if len(text) in (2, 3) and text.isupper() and text.isascii():
        as_country = lex.codes.get(text)
        as_region = lex.region_codes.get(text, ())
        if text in ("SF", "LA", "DC", "TLV", "RTP"):
            return _Part(text, "city", city=lex.cities[folded])
        if text in ("NYC", "UAE", "PRC"):
            return _classify_part(text.lower())
        if as_country or as_region:
            return _Part(text, "code", as_country=as_country, as_region=as_region)
    country = lex.countries.get(folded)
    city = lex.cities.get(folded)
    region = lex.regions.get(folded, ())
    if country and (region or city) and country not in region:
        # "Georgia" (country or US state), "Singapore" (city and country).
        return _Part(text, "code", as_country=country, as_region=region, city=city)
    if country:
        return _Part(text, "country", as_country=country, city=city)
    if city and region:
        return _Part(text, "city", as_region=region, city=city)
    if city:
        return _Part(text, "city", city=city)
    if region:
        return _Part(text, "region", as_region=region)
    return _Part(text, "unknown")


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@lru_cache(maxsize=1)
def _cjk_names() -> tuple[str, ...]:
    """Gazetteer and country names in CJK scripts, longest first."""
    lex = _lexicon()
    names = {name for name in (*lex.cities, *lex.countries) if _CJK_RE.search(name)}
    return tuple(sorted(names, key=len, reverse=True))


def _search_cjk(text: str) -> list[_Part]:
    """Find place names in unspaced CJK text ("北京市海淀区")."""
    found: list[tuple[int, _Part]] = []
    rest = text
    for name in _cjk_names():
        position = rest.find(name)
        if position < 0:
            continue
        part = _classify_part(name)
        if part is not None:
            found.append((position, part))
        rest = rest.replace(name, "\0" * len(name))
    return [part for _, part in sorted(found, key=lambda item: item[0])]


def _search_inside(text: str) -> list[_Part]:
    """Find known names inside a part that was not a name itself ("Seoul Korea")."""
    if _CJK_RE.search(text):
        return _search_cjk(text)
    words = text.split()
    found: list[_Part] = []
    i = 0
    while i < len(words):
        for size in range(min(4, len(words) - i), 0, -1):
            candidate = " ".join(words[i : i + size])
            part = _classify_part(candidate)
            if part is not None and part.kind not in ("unknown",):
                if part.kind == "code" and size == 1 and not candidate.isupper():
                    continue
                found.append(part)
                i += size
                break
        else:
            i += 1
    return found


def _group(parts: list[_Part]) -> list[list[_Part]]:
    """Group parts into places: a city/unknown opens one, a country closes it."""
    groups: list[list[_Part]] = []
    current: list[_Part] = []
    for part in parts:
        if part.kind == "world":
            if current:
                groups.append(current)
                current = []
            groups.append([part])
            continue
        opens = part.kind in ("city", "unknown")
        has_local = any(p.kind in ("city", "unknown") for p in current)
        has_region = any(p.kind in ("region", "code") for p in current)
        if current and (
            (opens and (has_local or has_region)) or (part.kind == "region" and has_region)
        ):
            groups.append(current)
            current = []
        current.append(part)
        # A country closes its place; so does a code that can only be a country, or a
        # code with nothing local before it ("US, Canada", "Remote (CA)").
        closes = part.kind == "country" or (
            part.kind == "code" and (not part.as_region or len(current) == 1)
        )
        if closes:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _resolve_group(group: list[_Part]) -> tuple[list[str], list[str], list[str]]:
    """Return (countries, cities, alternatives) for one place: ``alternatives`` are the
    countries an ambiguous city alone could be (best-known first), when no region or country
    part chooses between them."""
    if group[0].kind == "world":
        return [], [], []
    readings: list[tuple[tuple[str, ...], bool]] = []  # (countries, explicit part?)
    has_local = False
    for index, part in enumerate(group):
        options: list[str] = []
        if part.kind == "unknown":
            has_local = True
            continue
        if part.kind == "city" and part.city is not None:
            has_local = True
            options.extend(part.city[1])
            options.extend(part.as_region)
        elif part.kind == "region":
            options.extend(part.as_region)
        elif part.kind == "country" and part.as_country:
            options.append(part.as_country)
        elif part.kind == "code":
            region_first = index > 0 and (has_local or group[index - 1].kind == "region")
            country = [part.as_country] if part.as_country else []
            city = list(part.city[1]) if part.city else []
            ordered = (
                [*part.as_region, *country, *city]
                if region_first
                else [*country, *city, *part.as_region]
            )
            options.extend(ordered)
        if options:
            readings.append((tuple(dict.fromkeys(options)), part.kind != "city"))
    if not readings:
        return [], [], []
    # Choose the country that the most parts allow; then the one that a region or country
    # part names (an explicit "Paris, TX" beats the gazetteer's Paris); then the earliest
    # preference.
    score: dict[str, tuple[int, int, int]] = {}
    for reading, explicit in readings:
        for rank, code in enumerate(reading):
            hits, explicit_hits, ranks = score.get(code, (0, 0, 0))
            score[code] = (hits + 1, explicit_hits + int(explicit), ranks - rank)
    best = max(score, key=lambda code: score[code])
    cities: list[str] = []
    for part in group:
        if part.kind == "city" and part.city is not None:
            # Another town of the same name ("Paris, TX") keeps the name as written.
            cities.append(part.city[0] if best in part.city[1] else part.text)
        elif part.kind == "code" and part.city is not None and best in part.city[1]:
            cities.append(part.city[0])
        elif part.kind == "unknown" and any(p.kind != "unknown" for p in group):
            cities.append(part.text)
    alternatives = [code for code in score if score[code][:2] == score[best][:2]]
    if len(alternatives) < 2:
        alternatives = []
    return [best], cities, sorted(alternatives, key=lambda code: score[code], reverse=True)


def _hint_country(hint: str | None) -> str | None:
    if not hint:
        return None
    value = hint.strip()
    lex = _lexicon()
    code = lex.codes.get(value.upper()) or lex.countries.get(_fold(value))
    if code is None:
        logger.debug("ignoring unknown country hint %r", hint)
    return code


def parse_location(text: str | None, *, country_hint: str | None = None) -> ParsedLocation:
    """Parse a board's location string; see the module docstring for the rules."""
    if text is None:
        text = ""
    text = unicodedata.normalize("NFC", text)
    remote = bool(_REMOTE_RE.search(text) or _ANYWHERE_RE.search(text))
    hybrid = bool(_HYBRID_RE.search(text))
    cleaned = _timezones(text)
    cleaned = _FLAG_DASH_RE.sub(", ", cleaned)
    cleaned = _REMOTE_RE.sub(", ", cleaned)
    cleaned = _HYBRID_RE.sub(", ", cleaned)
    cleaned = _CJK_NOISE_RE.sub(", ", cleaned)

    countries: list[str] = []
    cities: list[str] = []
    alternatives: list[str] | None = None  # of the first place that names a country
    saw_place = False
    for place in _PLACE_SPLIT_RE.split(cleaned):
        parts: list[_Part] = []
        for raw in _PART_SPLIT_RE.split(place):
            part = _classify_part(raw)
            if part is None:
                continue
            if part.kind == "unknown":
                stripped = " ".join(_NOISE_RE.sub(" ", raw).split())
                if not stripped:
                    continue
                inner = _classify_part(stripped)
                if inner is not None and inner.kind != "unknown":
                    parts.append(inner)
                    continue
                found = _search_inside(stripped)
                if found:
                    parts.extend(found)
                    continue
                if not re.search(r"\w", stripped):
                    continue
                part = _Part(stripped, "unknown")
            parts.append(part)
        if parts:
            saw_place = True
        for group in _group(parts):
            found_countries, found_cities, found_alternatives = _resolve_group(group)
            if found_countries and alternatives is None:
                alternatives = found_alternatives
            countries.extend(found_countries)
            cities.extend(found_cities)

    if alternatives and countries:
        # another place of the same location chooses between an ambiguous city's countries
        # ("Cambridge | Boston, MA" is Cambridge, Massachusetts)
        sibling = next((code for code in countries[1:] if code in alternatives), None)
        if sibling:
            countries[0] = sibling
            alternatives = []
    unique = tuple(dict.fromkeys(countries))
    if not unique and not saw_place and (remote or hybrid) and not _ANYWHERE_RE.search(text):
        hinted = _hint_country(country_hint)
        if hinted:
            unique = (hinted,)
    return ParsedLocation(
        countries=unique,
        country_code=unique[0] if unique else None,
        remote=remote,
        hybrid=hybrid,
        cities=tuple(dict.fromkeys(cities)),
        alternatives=tuple(alternatives or ()) if unique and countries else (),
    )


# Phrases in a posting's text that say where the job is: the place follows the cue.
_PLACE_CUE_RE = re.compile(
    r"\b(?:based|located|living|residing|resident|reside|relocate|work(?:ing)? remotely"
    r"|remote(?:ly)?|work from|candidates|applicants|eligible to work|authori[sz]ed to work"
    r"|this (?:role|position|job) is)"
    r"(?:\s+(?:in|within|from|out of|anywhere in|only|open to|to))+"
    r"(?:\s+(?:candidates|applicants|people|anyone))?(?:\s+(?:based|located|living))?"
    r"(?:\s+(?:in|within|from))?\s+(?:(?:the|our)\s+)?([^.;:!?\n()]{2,60})",
    re.IGNORECASE,
)
_CJK_PLACE_CUE_RE = re.compile(
    r"(?:工作地点|工作地點|办公地点|辦公地點|工作城市|工作地|base地|base在|base|常驻|常駐"
    r"|远程办公|远程|遠程|勤務地|근무지|근무 지역)[:：\s]*"
    r"([^\s，。；;,.！!（）()]{2,20})",
    re.IGNORECASE,
)


def text_country(text: str | None) -> str | None:
    """The one country a posting's text places the job in, or None.

    Only phrases that say where the job is count ("based in Singapore", "remote within the
    United Kingdom", "open to candidates located in Germany", "工作地点：新加坡"); the place
    after the cue is parsed like a location string. When those phrases name no country or
    more than one, the answer is None (the text does not decide).
    """
    if not text:
        return None
    text = unicodedata.normalize("NFC", text)
    found: list[str] = []
    for pattern in (_PLACE_CUE_RE, _CJK_PLACE_CUE_RE):
        for match in pattern.finditer(text):
            found.extend(parse_location(match.group(1)).countries)
    unique = set(found)
    return found[0] if len(unique) == 1 else None


# Phrases that open a remote job to (nearly) any country: "work from any country", "hire in
# most countries", "can be done from any country", "based in any LatAm country", "open to
# candidates in any location", "from anywhere in the world", "anywhere in EMEA", "any time
# zone", 全球远程, 不限地点.
_ANYWHERE_TEXT_RE = re.compile(
    r"\b(?:work|working|hire|hiring|live|living|based|located|apply|join us|done|performed"
    r"|open to)\b[^.;\n]{0,40}?"
    r"\b(?:any|most|many|almost any|nearly any)\s+(?:[\w-]+\s+)?(?:countr(?:y|ies)|time ?zones?"
    r"|locations?)\b"
    r"|\bfrom anywhere(?! in\b)|\banywhere in the world\b|\b(?:any|every) time ?zones?\b"
    # a region wider than a country: "we can employ you anywhere in EMEA"
    r"|\banywhere (?:in|across|within) (?:the )?(?:emea|europe|european union|eu|apac|asia"
    r"|asia[- ]pacific|latin america|latam|the americas|americas|africa|middle east|mena"
    r"|nordics|benelux|dach|cee)\b"
    r"|\blocation[- ]independent\b|\bfully remote,? worldwide\b"
    r"|全球远程|全球范围内?远程|不限(?:工作)?地点|工作地点不限",
    re.IGNORECASE,
)


def text_anywhere(text: str | None) -> bool:
    """Whether a posting's text opens the job to any country ("you can work from any
    country", "we hire in most countries", "from anywhere in the world", 全球远程)."""
    return bool(text) and bool(_ANYWHERE_TEXT_RE.search(unicodedata.normalize("NFC", text or "")))
