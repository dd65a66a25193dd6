"""Finding institutions and people named in a sentence."""

from __future__ import annotations

import re

from plugins.news.lexicon import is_known_name, is_place, name_table
from plugins.news.model import AliasTable, Mention, PersonMention

_HAN = "\u4e00-\u9fff"
# "Tsinghua-trained", "Paris-based": an alias glued to a lowercase word is an adjective.
_ADJECTIVAL = re.compile(r"-[a-z]")
_ORG_SUFFIXES = frozenset(
    {
        "AI", "Labs", "Lab", "Research", "Institute", "University", "Technologies",
        "Robotics", "Systems", "Intelligence", "Inc", "Inc.", "Corp", "Corp.", "Group",
        "Laboratory", "Laboratories", "Academy", "College", "Foundation", "Computing",
        "School", "Department", "Faculty", "Centre", "Center",
    }
)  # fmt: skip
_UNKNOWN_ORG = re.compile(
    r"\b(?:at|from|joins|joined|join|joining|for|with|by|of|to) "
    r"((?:[A-Z][\w.&-]*\s){0,3}[A-Z][\w.&-]*)"
)
_UNIT_OF = re.compile(r"['’]s? (?:(?:[A-Z][\w-]*|of|for|the) ){0,4}")
_NATIONAL = frozenset({"国立", "國立"})
_ANAPHORA = re.compile(
    r"\bthe (?:company|firm|lab|startup|start-up|group|organisation|organization)\b"
)


def find_institutions(text: str, start: int, end: int, aliases: AliasTable) -> list[Mention]:
    """Institutions in ``text[start:end]``: alias-table names first, then unknown organisations."""
    found: list[Mention] = []
    pattern = aliases.pattern
    if pattern is not None:
        for match in pattern.finditer(text, start, end):
            if _ADJECTIVAL.match(text, match.end()):
                continue
            if _glued_to_name(text, match.start(), match.group()):
                continue
            if text[max(0, match.start() - 2) : match.start()] in _NATIONAL:
                # "国立清华大学" is National Tsing Hua University, not Tsinghua University: a
                # "national" prefix the index does not know names another institution.
                found.append(
                    Mention(
                        match.start() - 2, match.end(), text[match.start() - 2 : match.end()], None
                    )
                )
                continue
            found.append(
                Mention(match.start(), match.end(), match.group(), aliases.slug_for(match.group()))
            )
    for match in _UNKNOWN_ORG.finditer(text, start, end):
        name = match.group(1)
        words = name.split()
        if words[-1].rstrip(".,") not in _ORG_SUFFIXES or len(words) < 2:
            continue
        m_start, m_end = match.start(1), match.start(1) + len(name.rstrip(".,"))
        if any(m.start < m_end and m_start < m.end for m in found):
            continue
        if any(
            m.slug and m.end <= m_start and _UNIT_OF.fullmatch(text, m.end, m_start) for m in found
        ):
            # "A*STAR's Institute for Infocomm Research": a unit the index does not know, of
            # an organisation it knows, is that organisation (the index's granularity).
            continue
        found.append(Mention(m_start, m_end, text[m_start:m_end], None))
    found.sort(key=lambda m: m.start)
    return [_site(text, m, aliases) for m in _merge_nested(text, found, aliases)]


_SITE = re.compile(
    r"\s+(?:(?:lab|laboratory|office|team|group|centre|center|site|hub)\s+)?in\s+([A-Z][a-z]+)"
)


def _site(text: str, mention: Mention, aliases: AliasTable) -> Mention:
    """ "FAIR lab in Paris": the Paris site when the index has one ("FAIR Paris")."""
    match = _SITE.match(text, mention.end)
    if match is None or not mention.slug:
        return mention
    slug = aliases.slug_for(f"{mention.name} {match.group(1)}")
    if not slug:
        return mention
    return Mention(mention.start, mention.end, f"{mention.name} {match.group(1)}", slug)


def _glued_to_name(text: str, pos: int, alias: str) -> bool:
    """A one-word alias right after a capitalised word is a surname ("Gordon Brown")."""
    if " " in alias or not alias[:1].isupper() or not alias.isascii():
        return False
    prev = re.search(r"([A-Z][a-z-]+) $", text[max(0, pos - 30) : pos])
    return bool(
        prev
        and prev.group(1) not in STOPWORDS
        and prev.group(1).lower() not in _DESCRIPTORS
        and not prev.group(1).endswith("-based")  # "Toronto-based Cohere"
    )


def _merge_nested(text: str, found: list[Mention], aliases: AliasTable) -> list[Mention]:
    """ "Meta's FAIR", "谷歌DeepMind": a parent name followed by a unit keeps the unit."""
    out: list[Mention] = []
    for mention in found:
        if out:
            prev = out[-1]
            gap = text[prev.end : mention.start]
            if mention.slug and prev.slug and gap in ("", " ", "'s ", "’s "):
                out[-1] = Mention(prev.start, mention.end, mention.name, mention.slug)
                continue
        out.append(mention)
    return out


_ORG_NOUN = (
    r"(?:start-?up|company|firm|lab|laboratory|venture|business|outfit|AI lab|research lab"
    r"|non-?profit|organi[sz]ation|foundation|institute)"
)
_NEW_NAME = (
    r"((?:[A-Z][\w&'-]*(?:\.[\w&'-]+)*)(?:[ \t]+(?:[A-Z][\w&-]*(?:\.[\w&'-]+)*|of|for)){0,3})"
)
_NEW_ORG_SHAPES = (
    # "a start-up called Kinetica Labs", "a new company named Lumen"
    re.compile(rf"\b(?i:a|an|the|its|his|her|their)\s+(?:new\s+|young\s+|small\s+|stealth\s+|own\s+)*"
               rf"(?:[\w-]+\s+)?{_ORG_NOUN}\s*,?\s+(?:(?:is|was|will be)\s+)?(?:called|named|dubbed|known as)\s+{_NEW_NAME}"),
    # "Kinetica Labs, a new start-up", "Lumen, the company he founded"
    re.compile(rf"{_NEW_NAME}\s*,\s+(?:a|an|the)\s+(?:new\s+|young\s+|stealth\s+|two-year-old\s+)*"
               rf"(?:[\w-]+\s+){{0,4}}{_ORG_NOUN}\b(?:\s+(?:she|he|they)\s+(?:co-?)?founded|\s+(?:founded|started|launched|set up))?"),
    # "co-founded Lumen", "founded Kinetica Labs", "launched Vireo"
    re.compile(rf"\b(?:co-?found(?:ed|s|ing)?|found(?:ed|s|ing)|launch(?:ed|es|ing)|start(?:ed|s|ing)?|set up)\s+"
               rf"(?:(?:the\s+)?(?:start-?up|company|firm|lab|venture)\s+)?{_NEW_NAME}"),
    # "has started a new company, Halcyon Robotics, with ..."
    re.compile(rf"\b(?:a|an)\s+(?:new\s+|young\s+|stealth\s+|own\s+)*(?:[\w-]+\s+)?{_ORG_NOUN}\s*,\s+{_NEW_NAME}\s*,"),
    # "who previously worked at Sony", "formerly of Lumina"
    re.compile(rf"\b(?:previously|formerly|most recently|until recently)\s+(?:[a-z]+\s+){{0,3}}?(?:at|of|with|for)\s+{_NEW_NAME}"),
    # "Chipmaker Cerebras Systems has hired", "rival Lumen"
    re.compile(rf"\b(?:[Cc]hipmaker|[Ss]tart-?up|[Dd]eveloper|[Mm]aker|[Uu]nicorn|[Rr]ival|[Ss]pin-?off)\s+{_NEW_NAME}"
               rf"(?=\s+(?:has|have|had|is|was|said|says|hired|named|appointed|announced|and|which|that)\b|[,.])"),
    # "Fenwick AI, which builds weather models, said": a company by what it makes
    re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=\n)){_NEW_NAME}\s*,\s+which\s+(?:builds|makes|develops|designs|sells"
               rf"|offers|trains|is building|is developing|provides|uses)\b"),
    # "Ford has hired", "AMD has appointed": the subject of a hire is an organisation
    re.compile(rf"(?:^|(?<=[.!?]\s)|(?<=\n)){_NEW_NAME}\s+(?:has|have)\s+(?:also\s+)?(?:hired|appointed"
               rf"|poached|recruited)\b"),
    # "from Goldman Sachs, where he ran", "a data science job at Spotify"
    re.compile(rf"\bfrom\s+{_NEW_NAME}\s*,\s+where\s+(?:he|she|they)\b"),
    re.compile(rf"\b(?:job|role|position|post|stint|career)\s+(?:at|with)\s+{_NEW_NAME}"),
    # "the start-up Kinetica Labs"
    re.compile(rf"\b[Tt]he\s+(?:new\s+)?(?:[A-Z][\w-]+\s+|[\w-]+-based\s+)?(?:start-?up|company|firm|venture)\s*,?\s+{_NEW_NAME}"),
    # "P's new venture, N" / "P's start-up, N"
    re.compile(rf"['’]s\s+(?:new\s+)?{_ORG_NOUN}\s*,\s+{_NEW_NAME}"),
)  # fmt: skip
_DESCRIPTORS = frozenset(
    {"chipmaker", "start-up", "startup", "developer", "maker", "unicorn", "rival", "spin-off",
     "spinoff", "carmaker", "automaker", "lender", "bank", "retailer", "insurer", "lab"}
)  # fmt: skip
_NOT_ORG_WORDS = frozenset(
    {"The", "A", "An", "It", "Its", "He", "She", "They", "In", "On", "At", "Last", "This", "That",
     "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "AI", "Silicon",
     "Bay", "San", "New", "His", "Her", "Their", "Our", "We", "I", "With", "And", "But"}
)  # fmt: skip


def find_new_organisations(text: str, start: int, end: int) -> list[Mention]:
    """Organisations named by their shape ("a start-up called N", "N, a new company",
    "founded N"), whether or not the institution index knows them."""
    out: list[Mention] = []
    for shape in _NEW_ORG_SHAPES:
        for match in shape.finditer(text, start, end):
            if "\n" in match.group():
                continue  # a headline ending "… to a start-up" does not name the next line
            name = re.sub(r"['’]s?$", "", match.group(1).strip().rstrip(".,;:"))
            words = name.split()
            while (
                words and words[-1] in ("of", "for", "AI") and len(words) > 1 and words[-1] != "AI"
            ):
                words.pop()
            while words and words[-1] in ("of", "for"):
                words.pop()
            while len(words) > 1 and (
                words[0].lower() in _DESCRIPTORS or re.fullmatch(r"[\w-]+-based", words[0])
            ):
                words.pop(0)  # "Chipmaker Cerebras Systems has hired", "Beijing-based N"
            name = " ".join(words)
            if not words or words[0] in _NOT_ORG_WORDS or words[0] in STOPWORDS:
                continue
            if name in STOPWORDS or name.lower() in ("ai",) or is_place(name):
                continue
            m_start = match.start(1) + max(0, match.group(1).find(name))
            out.append(Mention(m_start, m_start + len(name), name, None))
    out.sort(key=lambda m: m.start)
    return out


def find_joined_organisations(text: str, start: int, end: int) -> list[Mention]:
    """What someone joins, when it is not a person: "left the company to join Snowflake" (not
    a join dated years back, "who joined N in 2019", which is history)."""
    out: list[Mention] = []
    for match in _JOINED_NAME.finditer(text, start, end):
        name = match.group(1)
        words = name.split()
        if words[0] in _NOT_ORG_WORDS or words[0] in STOPWORDS or is_place(name):
            continue
        # "joined Sarah Chen at …" joins a person: a first word that is a given name, or two
        # words that read as a person's name, are not an organisation.
        if "g" in name_table().get(words[0], "") or (len(words) == 2 and may_be_person(name)):
            continue
        out.append(Mention(match.start(1), match.start(1) + len(name), name, None))
    return out


# "left the company to join Snowflake": what someone joins is an organisation.
_JOINED_NAME = re.compile(
    r"\b(?:to join|to rejoin|joined|rejoined|has joined|will join|is joining)\s+"
    r"([A-Z][\w&-]*(?:\s+[A-Z][\w&-]*){0,2})(?!\s+in\s+(?:19|20)\d\d)"
    r"(?=\s*(?:[,.;]|$)|\s+(?:as|in|on|last|this|earlier"
    r"|after|from|where|which|to)\b)"
)


def find_anaphora(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of "the company" and the like, which refer back to an institution."""
    return [(m.start(), m.end()) for m in _ANAPHORA.finditer(text, start, end)]


# --- people (Latin script) -------------------------------------------------------------

STOPWORDS = frozenset(
    ["The", "A", "An", "In", "On", "At", "Of", "For", "From", "To", "By", "With", "And", "But", "Or", "Nor", "So", "Yet", "As", "If", "Then", "Than", "That", "This", "These", "Those", "It", "Its", "He", "She", "They", "We", "I", "His", "Her", "Their", "Our", "My", "You", "Your", "Who", "Whom", "Whose", "Which", "What", "When", "Where", "Why", "How", "After", "Before", "Since", "While", "During", "Under", "Over", "Into", "About", "Around", "Among", "Between", "Also", "Both", "Former", "Ex", "Formerly", "Previously", "Longtime", "Veteran", "Senior", "Chief", "Head", "Lead", "Dr", "Prof", "Professor", "Mr", "Mrs", "Ms", "Sir", "Dame", "Separately", "Meanwhile", "Sources", "Source", "According", "Citing", "Industry", "Contrary", "Another", "Two", "Three", "Four", "Five", "Several", "Some", "Many", "Most", "One", "Other", "Others", "Researcher", "Researchers", "Scientist", "Engineer", "Engineers", "Founder", "Co", "President", "Vice", "Director", "Manager", "Officer", "Chairman", "Chair", "Partner", "Fellow", "Distinguished", "Principal", "Staff", "Member", "Members", "Team", "Group", "Lab", "Labs", "Research", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December", "Last", "Next", "Earlier", "Later", "Today", "Yesterday", "New", "Old", "Our", "Hiring", "Talent", "AI", "ML", "LLM", "CEO", "CTO", "CFO", "COO", "VP", "Paris", "London", "Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Seattle", "Zurich", "Munich", "Berlin", "Washington", "Warsaw", "Poland", "Europe", "China", "America", "Tokyo", "Toronto", "California", "Cambridge", "Redmond", "Singapore", "Bloomberg", "Reuters", "Information", "Financial", "Times", "Wall", "Street", "Journal", "Weibo", "LinkedIn", "WeChat", "NeurIPS", "ICML", "ICLR", "Gemini", "PaLM", "Llama", "Grok", "Siri", "Alexa", "ChatGPT", "GPT", "Claude", "Kimi", "Autopilot", "Plus", "Seed", "Hunyuan", "Qwen", "Brain", "There", "Here", "However", "Instead", "Still", "Even", "Only", "Just", "Now", "Soon", "Rumours", "Rumors", "Reports", "Report", "Talks", "Memo", "Sunday", "Spokesperson", "Superintelligence", "Reasoning", "Safety", "Alignment", "Interpretability", "Pretraining", "Gemini", "Post"]
)  # fmt: skip
# Letters of Latin-1 and Latin Extended-A (Kovačević, Łukasiewicz, Dvořák, Şahin), by case.
_UP = "A-ZÀ-ÖØ-Þ" + "".join(chr(c) for c in range(0x100, 0x180) if chr(c).isupper())
_LOW = "a-zß-öø-ÿ" + "".join(chr(c) for c in range(0x100, 0x180) if chr(c).islower())
_TOKEN = rf"(?:[{_UP}](?:['’][{_UP}])?[{_LOW}]+(?:[A-Z][{_LOW}]+)?(?:-[{_UP}{_LOW}][{_LOW}]+)*)"
_NAME_RUN = re.compile(rf"{_TOKEN}(?:\s+(?:(?:de|van|von|der|da|di|le|la|bin|al|el)\s+)?{_TOKEN})*")
_NICKNAME = re.compile(rf"({_TOKEN})\s+[\"“'‘]([A-Z][a-z]+)[\"”'’]\s+({_TOKEN})")
_PRONOUN = re.compile(r"\b(?:he|she|He|She|they|They|Her|her|His|his|I|I've|I'm)\b")
# "the researcher", "the scientist": a definite description that refers back to a person.
_PERSON_ANAPHOR = re.compile(
    r"\b[Tt]he (?:\d+-year-old |veteran |former |longtime |senior |\w+-born )?(?:researcher|scientist"
    r"|engineer|professor|executive|computer scientist|roboticist|academic|founder|co-founder)\b(?! (?:who|at|from|of|team))"
)


def find_people(
    text: str, start: int, end: int, masks: list[tuple[int, int]]
) -> list[PersonMention]:
    """Capitalised name sequences (2-4 words) and single words, minus stopwords and masked spans."""
    chars = list(text)
    for m_start, m_end in masks:
        for i in range(max(m_start, start), min(m_end, end)):
            chars[i] = "#" if not chars[i].isspace() else chars[i]
    masked = "".join(chars)
    people: list[PersonMention] = []
    taken: list[tuple[int, int]] = []
    for match in _NICKNAME.finditer(masked, start, end):
        if match.group(1) in STOPWORDS or match.group(3) in STOPWORDS:
            continue
        people.append(
            PersonMention(match.start(), match.end(), f"{match.group(1)} {match.group(3)}")
        )
        taken.append((match.start(), match.end()))
    for match in _NAME_RUN.finditer(masked, start, end):
        if any(t_start <= match.start() < t_end for t_start, t_end in taken):
            continue
        for seg_start, seg_end in _segments(masked, match.start(), match.end()):
            words = masked[seg_start:seg_end].split()
            if len(words) > 4:
                continue
            if text[seg_end : seg_end + 1] == "." and len(words) == 1 and len(words[0]) <= 4:
                continue  # "Dr." and the like
            if not may_be_person(text[seg_start:seg_end]):
                continue
            if _in_place(text, seg_start, seg_end):
                continue
            people.append(PersonMention(seg_start, seg_end, text[seg_start:seg_end]))
    for match in _PERSON_ANAPHOR.finditer(masked, start, end):
        people.append(PersonMention(match.start(), match.end(), "the researcher", pronoun=True))
    for match in _PRONOUN.finditer(masked, start, end):
        people.append(
            PersonMention(match.start(), match.end(), match.group().lower(), pronoun=True)
        )
    people.sort(key=lambda p: p.start)
    return people


_PLACE_BEFORE = re.compile(r"\b(?:in|near|outside)\s+$")
_PLACE_AFTER = re.compile(r",\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")


def _in_place(text: str, start: int, end: int) -> bool:
    """ "the Jackson Laboratory in Bar Harbor, Maine": a name after "in" and before a state
    or country is a town, not a person."""
    if not _PLACE_BEFORE.search(text, max(0, start - 8), start):
        return False
    after = _PLACE_AFTER.match(text, end)
    return bool(after and is_place(after.group(1)))


def may_be_person(name: str) -> bool:
    """A place is never a person; a name of two words or more needs a known given or family
    name (or a romanised Chinese one) among its words. A single word is left to coreference."""
    if is_place(name) or (is_place(name.split()[-1]) and len(name.split()) == 1):
        return False
    words = [w for w in name.split() if w.lower() not in _PARTICLES]
    if len(words) < 2:
        return True
    if all(is_place(w) for w in words):
        return False
    # A double-barrelled surname ("Mbeki-Lindahl") is known when one of its parts is.
    parts = [part for w in words for part in (w, *w.split("-"))]
    if any(is_known_name(w) for w in parts):
        return True
    # "Alaric Ogunwale-Fisk": a given name before a double-barrelled surname has a person's
    # shape even when no part is in the table (an organisation's hyphen joins lower case or
    # stands alone: "Rolls-Royce", "Mercedes-Benz").
    return len(words) in (2, 3) and bool(_DOUBLE_BARRELLED.fullmatch(words[-1]))


_DOUBLE_BARRELLED = re.compile(rf"[{_UP}][{_LOW}]{{2,}}-[{_UP}][{_LOW}]{{2,}}")


_PARTICLES = frozenset({"de", "van", "von", "der", "da", "di", "le", "la", "bin", "al", "el"})


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a capitalised run at stopwords; keep the pieces that may be names."""
    out: list[tuple[int, int]] = []
    seg_start: int | None = None
    seg_end = start
    for word in re.finditer(r"\S+", text[start:end]):
        w_start, w_end = start + word.start(), start + word.end()
        token = word.group()
        base = token.split("-")[0]
        if token in STOPWORDS or base in STOPWORDS or token.endswith(("'s", "’s")):
            if seg_start is not None:
                out.append((seg_start, seg_end))
            seg_start = None
            if token.endswith(("'s", "’s")) and token[:-2] not in STOPWORDS:
                out.append((w_start, w_end - 2))
            continue
        if seg_start is None:
            seg_start = w_start
        seg_end = w_end
    if seg_start is not None:
        out.append((seg_start, seg_end))
    return [
        (s, e)
        for s, e in out
        if text[s:e].split()[-1] not in _ORG_SUFFIXES and text[s:e].split()[0][0].isupper()
    ]
