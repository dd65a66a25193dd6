"""English move patterns: joins, leaves, hires and their hedges."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from plugins.news.mentions import (
    find_anaphora,
    find_institutions,
    find_new_organisations,
    find_people,
    may_be_person,
)
from plugins.news.modality import RUMOUR_MODALITIES, classify
from plugins.news.model import AliasTable, Candidate, Mention, PersonMention

JOIN, LEAVE, HIRE, FOUND = "join", "leave", "hire", "found"

_CUES: dict[str, str] = {
    JOIN: r"re-?join(?:s|ed|ing)?|join(?:s|ed|ing)?|sign(?:s|ed|ing)? on with|mov(?:e|es|ed|ing) to"
    r"|mov(?:e|es|ed|ing) (?:again|on),? (?:this time )?to|now works? (?:at|for)|now working (?:at|for)"
    r"|(?:took|takes|taking|has taken|have taken) (?:on )?the (?:role|job|post|position|seat)"
    r"|(?:took|takes|taking|has taken|have taken) up (?:a|an|the) (?:[\w-]+ ){0,2}?(?:professorship"
    r"|post|position|role|job|chair|fellowship)(?= at| with)"
    r"|(?:has|have|had) (?:\w+ )?gone to|start(?:s|ed)? (?:work(?:ing)? )?there\b"
    r"|list(?:s|ed)?(?= [^.;]{1,40}? as (?:their|his|her) (?:current |new )?employer)"
    r"|head(?:s|ed|ing)? to|(?:is|are|was) going to|return(?:s|ed|ing)? to|defect(?:s|ed)? to"
    r"|now at|(?:is|are) back (?:at|with)|start(?:s|ed)? as(?= [\w -]{1,60}? at )|becom(?:e|es|ing)|became|mov(?:e|es|ed|ing) over to|(?:is|are|was) moving to",
    LEAVE: r"mov(?:e|es|ed|ing) from|switch(?:es|ed|ing)? from|left|leav(?:e|es|ing)|depart(?:s|ed|ing)?|departure from|quit(?:s|ting)?"
    r"|resign(?:s|ed|ing)?|step(?:s|ped|ping)? down|exit(?:s|ed|ing)?|defect(?:s|ed)? from"
    r"|heading out|(?:is|are|was|were) out (?:at|from)|no longer (?:at|with|works? (?:at|for))"
    r"|last day (?:at|with)|departure of",
    FOUND: r"co-?found(?:s|ed|ing)?|found(?:s|ed|ing)|start(?:s|ed|ing)? (?:a|an|his|her|their|up) (?:own |new )?"
    r"(?:[\w-]+ )?(?:company|start-?up|firm|lab|venture|business|non-?profit|organi[sz]ation|institute)"
    r"|launch(?:es|ed|ing)? (?:a|an|his|her|their) (?:own |new )?(?:[\w-]+ )?(?:company|start-?up|firm|lab"
    r"|venture|business|non-?profit|organi[sz]ation|institute)|set(?:s|ting)? up (?:a|an|his|her|their) "
    r"(?:own |new )?(?:[\w-]+ )?(?:company|start-?up|firm|lab|venture|business|non-?profit|organi[sz]ation"
    r"|institute)",
    HIRE: r"(?:re)?hir(?:e|es|ed|ing)|poach(?:es|ed|ing)?|lur(?:e|es|ed|ing)(?: away)?|appoint(?:s|ed|ing)?"
    r"|named|recruit(?:s|ed|ing)?|br(?:ing|ings|ought) (?:in|on)|tap(?:s|ped)|add(?:s|ed)"
    r"|welcom(?:e|es|ed)|land(?:s|ed)|pick(?:s|ed)? up|snapp(?:ed|ing) up|snaps up",
}
_CUE_RE = re.compile(
    r"\b(?:" + "|".join(f"(?P<{kind}>{body})" for kind, body in _CUES.items()) + r")\b"
)
_PASSIVE = re.compile(r"\b(?:is|was|were|be|been|being|are)\s+(?:\w+ly\s+)?$")
_NEGATED = re.compile(r"\b(?:not|n't|never|no longer|nor)\s+(?:\w+\s+){0,2}$|n't\s+(?:\w+\s+)?$")
_BACKGROUND_ING = re.compile(r"\b(?:after|before|since|upon|when)\s+$")
_DENIAL = re.compile(
    r"\bdeni(?:ed|es|al)\b|\bdeny\b|\b(?:dismissed|rejected|refuted|rebutted) (?:the |a |an )?(?:\w+ )?"
    r"(?:reports?|rumou?rs?|speculation|claims?|story)|\bnot going anywhere\b"
    r"|\b(?:rumou?rs?|reports?|claims?) (?:were|was|are|is) (?:false|untrue|wrong|baseless)"
    r"|\bnot true\b|\bno plans to\b|\bremains? (?:at|with)\b|\bis staying\b"
    r"|\b(?:reports?|rumou?rs?|claims?|story|stories|speculation) that\b.{0,160}?\b(?:is|was|are|were) "
    r"(?:wrong|false|untrue|inaccurate|incorrect|baseless|mistaken)\b",
    re.IGNORECASE,
)
ARTICLE_DENIAL = re.compile(
    r"\bdeni(?:ed|es)\b|\b(?:dismissed|rejected|rebutted) (?:the |a |an )?(?:\w+ )?(?:reports?|rumou?rs?)"
    r"|\bwere false\b|\bnot true\b|\bnot going anywhere\b"
    r"|\b(?:insisted|maintained)\b[^.;]{0,60}\b(?:remain(?:s|ed)?|stay(?:s|ed)?)\b",
    re.IGNORECASE,
)
_RUMOUR = re.compile(
    r"\breportedly\b|\b(?:is|are|was|were) said to\b|\baccording to (?:\w+ )?(?:people|persons?|sources?|a person|someone)"
    r"|\b(?:people|person|sources?) (?:familiar|with knowledge|close to)|\bwith knowledge of\b|\bsources? (?:say|said)\b"
    r"|\bin (?:advanced |early )?talks\b|\bin discussions\b|\b(?:is|are|was) expected to\b|\bcould\b|\bmay\b|\bmight\b"
    r"|\bclose to (?:hiring|joining|a deal)|\bnearing\b|\brumou?r|\bspeculat|\btrying to\b|\boffered\b|\bbelieve\b"
    r"|\bconsidering\b|\bweighing\b|\breported\b|\bthe report\b|\bunconfirmed\b",
    re.IGNORECASE,
)
_ORIGIN_BEFORE = re.compile(
    r"(?:\bfrom|\bformer(?:ly)?(?: of| at| with)?|\bex-|\bleaving|\bleft|\bquit|\b(?:years|months|decade|stint) (?:at|on|with)"
    r"|\bpreviously(?: at| of| with)?|(?:his|her|their) role at)\s*(?:the\s+|its\s+|his\s+|her\s+|their\s+)?$",
    re.IGNORECASE,
)
_TAKE_ROLE = re.compile(r"(?:took|takes|taking|has taken|have taken)\b")
# "the professor who advised Zhipu AI": an institution the person dealt with, not worked for.
_UNRELATED_CLAUSE = re.compile(
    r"\b(?:who|which|that) (?:has |had )?(?:advised|consulted for|invested in|backed|sued|critici[sz]ed"
    r"|praised|partnered with|competed with|collaborated with|worked with|studied|interned at)\s+"
    r"(?:the\s+)?$",
    re.IGNORECASE,
)
_WEAK_ORIGIN_BEFORE = re.compile(r"\b(?:at|of|on)\s+(?:the\s+)?$", re.IGNORECASE)
_DEST_BEFORE = re.compile(
    r"\b(?:to|for|join(?:s|ed|ing)?|with|by|at|now at)\s+(?:the\s+)?$", re.IGNORECASE
)
_SUBJECT_GAP = re.compile(
    r"^(?:,?\s+(?:in|based in)\s+[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?,?)?\s+(?:(?:has|have|had|is|was|are|also|reportedly|quietly|recently|just|now|finally|officially"
    r"|formally|said|says|announced|confirmed|it|that|could|may|might|will|would|in|talks|to|trying"
    r"|been|on|monday|tuesday|wednesday|thursday|friday|saturday|sunday|this|week|last|close)\s+)*$",
    re.IGNORECASE,
)
PLURAL = "<plural>"
"""The person slot of a frame whose plural subject ("two researchers") is named later."""
_PLURAL_SUBJECT = re.compile(
    r"\b(?:[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]everal|[Aa] (?:pair|trio|handful|group) of|[Bb]oth)\s+"
    r"(?:[\w'’-]+\s+){0,3}?(?:researchers|scientists|engineers|employees|staffers|members|colleagues"
    r"|executives|veterans|founders)\b"
)
COORD_GAP = re.compile(
    r"^(?:\s*\([^()]{1,60}\))?(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|\s*,\s*as well as\s+)"
    # "CEO A and chief scientist B": a title before the next name keeps the list going
    r"(?:(?:chief|head|lead|senior|principal|staff|research|scientist|engineer|researcher"
    r"|co-?founder|founder|CEO|CTO|COO|executive|director|president|of|the)\s+){0,3}$"
)
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_DATE = re.compile(
    r"\b(?:in|since|from|by|on)?\s*(?:(?P<month>January|February|March|April|May|June|July|August"
    r"|September|October|November|December)\s+)?(?:of\s+)?(?P<year>(?:19|20)\d{2})\b"
    r"|\bin\s+(?P<month_only>January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\b"
)
_ROLE = re.compile(
    r"\b(?P<role>(?:chief (?:\w+ )?(?:scientist|officer|executive|technology officer|architect))"
    r"|(?:(?:senior |principal |staff |lead |distinguished )?(?:research )?(?:scientist|engineer|researcher))"
    r"|(?:head of [a-z ]+?)(?=[,.]| at| to| for)|(?:vice president of [a-z ]+?)(?=[,.]| at| to| for)"
    r"|co-?founder|professor|research director|director|adviser|advisor|member of technical staff"
    r"|CTO|CEO|chief scientist)\b",
)
_SPEAKER = re.compile(r"[\"”]\s*,?\s*(?:wrote|said|says|writes|posted)\s+")
_PRIOR = re.compile(
    r"\b(?:previously|formerly|currently (?:works|worked|is|was)|had been|spent [\w ]+? (?:at|with)|worked (?:at|for)"
    r"|(?:spent [\w ]+?|worked) on (?=[A-Z][\w&.-]*(?: [A-Z][\w&.-]*)*['’]s\b)"
    r"|was most recently|before that|(?P<latest>most recently|until recently|latest role|last (?:role|job|post)))\b",
    re.IGNORECASE,
)
# "at A until last month": the employer the person has just left.
_UNTIL_LATELY = re.compile(
    r"\s+until (?:last (?:week|month|year|spring|summer|autumn|fall|winter)|recently|earlier this"
    r"|this (?:week|month|year)|(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b)"
)
_LEFT_FOR = re.compile(r"\b(?:left|quit|leaving)\s+(?:the\s+)?$")
_ROLE_OF_BEFORE = re.compile(
    r"\b(?:head|chief|director|leader|founder|co-founder|president|dean|manager|scientist"
    r"|researcher|engineer|professor)\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# "X, a senior researcher at A", "X, who leads A's team": the person's employer, in apposition.
_APPOSITION = re.compile(
    r"^\s*,\s+(?:(?:a|an|the)\b|who (?:is|was|works|worked|leads|led|heads|headed|runs|ran|has been)\b)"
    r"[^,.;()]{0,70}?\b(?:at|of|with|for|on|in)\s+(?:the\s+)?$"
)
_PREMODIFIER_WORDS = frozenset(
    [
        "researcher",
        "researchers",
        "scientist",
        "scientists",
        "engineer",
        "engineers",
        "professor",
        "veteran",
        "alum",
        "alumnus",
        "lead",
        "head",
        "chief",
        "senior",
        "principal",
        "staff",
        "research",
        "robotics",
        "ai",
        "ml",
        "former",
        "longtime",
        "star",
        "top",
        "computer",
        "vision",
        "language",
        "model",
        "models",
        "team",
        "director",
        "manager",
        "postdoc",
        "fellow",
        "co-founder",
        "cofounder",
        "founder",
        "executive",
        "vice",
        "president",
        "of",
        "and",
    ]
)


@dataclass
class _Cue:
    kind: str
    start: int
    end: int
    passive: bool


def sentence_candidates(
    text: str,
    sentences: list[tuple[int, int]],
    index: int,
    aliases: AliasTable,
    published_year: int | None,
    history: list[PersonMention],
    institutions_so_far: list[Mention],
) -> list[Candidate]:
    """Moves and prior affiliations stated in sentence ``index``."""
    s_start, s_end = sentences[index]
    sentence = text[s_start:s_end]
    insts = find_institutions(text, s_start, s_end, aliases)
    anaphora = find_anaphora(text, s_start, s_end)
    people = find_people(text, s_start, s_end, [(m.start, m.end) for m in insts])
    people = _resolve_people(people, history, text, s_start, s_end)
    rumoured = bool(_RUMOUR.search(sentence))
    denied = bool(_DENIAL.search(sentence))
    new_orgs = find_new_organisations(text, s_start, s_end)
    cues = _cues(text, s_start, s_end)
    out: list[Candidate] = []
    consumed: set[int] = set()
    previous_people: list[PersonMention] = []
    backgrounds: list[bool] = []
    for i, cue in enumerate(cues):
        left = cues[i - 1].end if i else s_start
        right = cues[i + 1].start if i + 1 < len(cues) else s_end
        background = _is_background(text, cue, left, right, published_year, i == 0)
        if (
            not background
            and i
            and backgrounds[-1]
            and re.search(r"\bto\s+$", text[left : cue.start])
        ):
            background = True  # "who left OpenAI in 2022 to co-found a start-up"
        if not background:
            background = _told_in_passing(text, cues, i, left, s_start, backgrounds)
        backgrounds.append(background)
        negated = bool(_NEGATED.search(text[max(s_start, cue.start - 25) : cue.start]))
        persons, origin, dest = _roles(
            text,
            cue,
            left,
            right,
            s_start,
            s_end,
            insts,
            anaphora,
            people,
            previous_people,
            institutions_so_far,
            consumed,
        )
        if persons:
            previous_people = persons
        for m in (origin, dest):
            if m is not None:
                consumed.add(m.start)
        if background and cue.kind == FOUND and persons and not (negated or denied):
            # "who left OpenAI in 2022 to co-found a start-up": the latest employer is that
            # start-up, named or not; an earlier one is not the origin of a later move.
            founded = _founded(text, cue, right, new_orgs, insts)
            employer = founded or Mention(cue.start, cue.end, "", None)
            out.extend(
                Candidate(p.name, index, employer, None, 0.5, False, prior=True,
                          extras={"pos": str(cue.end)})
                for p in persons
                if not p.name.islower()
            )  # fmt: skip
            continue
        if background and cue.kind == JOIN and dest is not None and persons:
            if not (negated or denied or rumoured):
                # "before joining Cohere last spring": not news, but the latest employer known
                # (and, when the year is given, a stint that began then).
                extras = {"pos": str(dest.start), "background": "1"}
                old_year, old_month = _date(text, left, right, published_year)
                own_clause = dest.start - cue.end <= 40 and "," not in text[cue.end : dest.start]
                if (
                    own_clause
                    and old_year is not None
                    and (published_year is None or old_year < published_year)
                ):
                    extras["year"] = str(old_year)
                    if old_month is not None:
                        extras["month"] = str(old_month)
                out.extend(
                    Candidate(
                        p.name,
                        index,
                        dest,
                        None,
                        0.5,
                        False,
                        prior=True,
                        extras=dict(extras),
                    )
                    for p in persons
                    if not p.name.islower()
                )
            continue
        if not persons and not background and cue.kind != HIRE:
            group = _PLURAL_SUBJECT.search(text, left, cue.start)
            if group is not None:
                # "Two researchers from A have left": the people are named later.
                persons = [PersonMention(group.start(), group.end(), PLURAL)]
        if background or not persons:
            continue
        if cue.kind == FOUND:
            dest = (
                _founded(text, cue, right, new_orgs, insts)
                or dest
                or _named_later(text, cue.end, aliases)
            )
            if dest is None:
                continue
        if dest is None and origin is None:
            continue
        if cue.kind == JOIN and dest is None and not re.search(r"\bfrom\s", text[cue.end : right]):
            continue
        year, month = _date(text, left, right, published_year)
        conf = 0.9 if origin and dest else 0.8
        modality = "denied" if negated or denied else classify(text[left : cue.end], sentence)
        if (
            modality == "leave_of_absence"
            and dest is not None
            and cue.kind != LEAVE
            and re.search(r"\bleave of absence to\b|\bon leave (?:from|to)\b", sentence)
        ):
            modality = "reported"  # "taking a leave of absence to become chief scientist at B"
        rumoured = modality in RUMOUR_MODALITIES
        if rumoured:
            conf = min(conf, 0.4)
        elif re.search(
            r"\b(?:will|is set to|plans to|is joining|is leaving)\b", text[left : cue.end]
        ):
            conf -= 0.1
        role = _role(text, s_start, s_end)
        partners = [
            p
            for p in people
            if not p.pronoun
            and p.name not in {q.name for q in persons}
            and re.search(
                r"\b(?:together with|along with|alongside|with (?:her|his|their) co-?founder)\s+$",
                text[max(s_start, p.start - 40) : p.start],
            )
        ]
        # A partner ("together with Y") shares the destination, not the subject's origin; a
        # person listed with an organisation in brackets ("A (OpenAI), B (Meta)") comes from it.
        own = [(p, _own_origin(text, p, insts) or origin) for p in persons]
        for person, own_origin in own + [(p, None) for p in partners]:
            out.append(
                Candidate(
                    person.name,
                    index,
                    own_origin,
                    dest,
                    conf,
                    rumoured,
                    role,
                    year,
                    month,
                    modality=modality,
                    kind=cue.kind,
                )
            )
    out.extend(_prior(text, index, s_start, s_end, insts, people, consumed))
    out.extend(_listed(text, index, s_start, s_end, aliases))
    out.extend(_roster(text, index, s_start, s_end, insts, people, institutions_so_far))
    history.extend(p for p in people if not p.pronoun)
    institutions_so_far.extend(insts)
    return out


_ROSTER = re.compile(
    r"\b[Tt]he (?:new|latest) (?:[\w-]+ )?(?:staff|hires|recruits|arrivals|members|additions"
    r"|researchers|employees)\s+(?:are|include|were)\b"
)
_MOST_RECENTLY_AT = re.compile(
    r",?\s+who (?:was|is|had been) (?:most recently|until recently|previously|formerly)\b"
    r"[^.;()]{0,60}?\b(?:at|with)\s+(?:the\s+)?$"
)


def _roster(
    text: str,
    index: int,
    s_start: int,
    s_end: int,
    insts: list[Mention],
    people: list[PersonMention],
    institutions_so_far: list[Mention],
) -> list[Candidate]:
    """ "X has made another round of hires. The new staff are A (from OpenAI), B (Anthropic)
    and C, who was most recently a postdoc at D": each person listed joins the organisation
    the previous sentence has hiring, from their own bracketed or stated employer."""
    roster = _ROSTER.search(text, s_start, s_end)
    if roster is None:
        return []
    previous = [m for m in institutions_so_far if m.slug or m.name]
    hirer = next(
        (
            m
            for m in reversed(previous)
            if re.match(r"\s+(?:has|have|had|is|was|made|makes)\b", text[m.end : m.end + 8])
        ),
        None,
    )
    if hirer is None:
        return []
    listed = _coordinated(
        [p for p in people if p.start >= roster.end() and not p.pronoun], text, insts
    )
    modality = classify(text[s_start : roster.end()], text[s_start:s_end])
    out: list[Candidate] = []
    for person in listed:
        origin = _own_origin(text, person, insts)
        if origin is None:
            origin = next(
                (
                    m
                    for m in insts
                    if m.start > person.end
                    and _MOST_RECENTLY_AT.fullmatch(text, person.end, m.start)
                ),
                None,
            )
        if origin is None or (origin.slug or origin.name) == (hirer.slug or hirer.name):
            continue
        out.append(
            Candidate(person.name, index, origin, hirer, 0.9, False, modality=modality, kind=HIRE)
        )
    return out


def _bracketed(text: str, person: PersonMention, insts: Sequence[Mention]) -> Mention | None:
    """The organisation in brackets right after a person's name: "B (Google DeepMind)"."""
    match = re.match(r"\s*\(", text[person.end : person.end + 3])
    if match is None:
        return None
    open_at = person.end + match.end()
    close = text.find(")", open_at)
    inside = [m for m in insts if open_at <= m.start and (close < 0 or m.end <= close)]
    return inside[-1] if inside and close >= 0 and close - open_at <= 60 else None


_ORG_WORDS = r"[A-Z][\w&.'’-]*(?: (?:[A-Z][\w&.'’-]*|AI|of|for|de))*"
_LISTED = re.compile(
    rf"(?P<person>[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){{1,2}})\s*[:–—]\s*(?:from\s+)?(?P<origin>{_ORG_WORDS})"
    rf"\s+(?:to|→|->|for)\s+(?P<dest>{_ORG_WORDS})(?P<note>\s*\([^)]{{0,60}}\))?"
    # "Hakon Berg, Synthesia → ElevenLabs (people familiar)": a comma, when an arrow follows
    rf"|(?P<person2>[A-Z][\w'’-]+(?: [A-Z][\w'’-]+){{1,2}}),\s*(?P<origin2>{_ORG_WORDS})"
    rf"\s*(?:→|->)\s*(?P<dest2>{_ORG_WORDS})(?P<note2>\s*\([^)]{{0,60}}\))?"
)


_SPECULATIVE_NOTE = re.compile(
    r"\b(?:rumou?r|reportedly|expected|may|might|could|likely|unconfirmed|talks|said to)\b",
    re.IGNORECASE,
)


def _listed(
    text: str, index: int, s_start: int, s_end: int, aliases: AliasTable
) -> list[Candidate]:
    """Moves in a sidebar list: "Chen Wei: Baidu to ByteDance (confirmed)"."""
    out: list[Candidate] = []
    for match in _LISTED.finditer(text, s_start, s_end):
        tail = "" if match.group("person") else "2"
        person = match.group("person" + tail)
        if not may_be_person(person):
            continue
        ends = []
        for group in ("origin" + tail, "dest" + tail):
            name = match.group(group).rstrip(".,;")
            ends.append(Mention(match.start(group), match.start(group) + len(name), name,
                                aliases.slug_for(name)))  # fmt: skip
        note = match.group("note" + tail) or ""
        modality = classify(note, note) if note.strip() else "reported"
        if modality == "rumour" and not _SPECULATIVE_NOTE.search(note):
            # "(people familiar)", "(according to her LinkedIn profile)": who told a listed move
            # that is given as done, not speculation about it
            modality = "reported"
        out.append(
            Candidate(
                person,
                index,
                ends[0],
                ends[1],
                0.8,
                modality in RUMOUR_MODALITIES,
                modality=modality,
            )
        )
    return out


def _named_later(text: str, pos: int, aliases: AliasTable) -> Mention | None:
    """ "… to launch a non-profit. The organisation, called Clearwater Alignment, …": the first
    organisation the article introduces by its shape within the next few hundred characters."""
    best: Mention | None = None
    for name, slug in aliases.entries.items():
        if slug:
            continue
        at = text.find(name, pos, pos + 300)
        if at != -1 and (best is None or at < best.start):
            best = Mention(at, at + len(name), name, None)
    return best


def _founded(
    text: str, cue: _Cue, right: int, new_orgs: list[Mention], insts: list[Mention]
) -> Mention | None:
    """The company a founding cue names: the first organisation after it in its clause."""
    for m in [*new_orgs, *insts]:
        if cue.end <= m.start < min(right + 80, cue.end + 120) and not m.slug:
            return m
    return None


def _cues(text: str, start: int, end: int) -> list[_Cue]:
    cues: list[_Cue] = []
    for match in _CUE_RE.finditer(text, start, end):
        kind = match.lastgroup or JOIN
        before = text[max(start, match.start() - 25) : match.start()]
        passive = kind == HIRE and bool(_PASSIVE.search(before))
        if (
            kind == HIRE
            and match.group().lower().startswith("hir")
            and text[match.end() : match.end() + 1] in ".,"
        ):
            continue  # "the hire." as a noun
        if kind == FOUND and re.match(
            r"(?:co-?)?founding\s+(?:[\w-]+\s+)?(?:engineer|member|employee|researcher|scientist"
            r"|team|staff|partner|director|editor|chair|president|father|mother|figure|document|year)s?\b",
            text[match.start() : end],
            re.IGNORECASE,
        ):
            continue  # "a founding engineer at Figure AI": a role, not a founding
        cues.append(_Cue(kind, match.start(), match.end(), passive))
    return cues


_OLD_MOVE = re.compile(
    r"\b(?:years|decades?|a decade) ago\b|\bback in (?:19|20)\d\d\b|\bearlier in (?:his|her|their) career\b"
    r"|\blast year\b|\b(?:two|three|four|five) years ago\b"
    r"|\bonce (?:left|joined|worked)\b|\bat the time\b",
    re.IGNORECASE,
)


_CHAINED = re.compile(r"\b(?:and|before|then|after|later)\s+(?:\w+\s+){0,2}$")
_RELATIVE = re.compile(r"\bwho\s+(?:had\s+)?(?:\w+ly\s+)?$")
_PLUPERFECT = re.compile(r"\bhad\s+(?:\w+\s+){0,3}$")
_SPEECH = re.compile(r"\b(?:said|says|told|wrote|announced|confirmed|posted)\b")


def _told_in_passing(
    text: str, cues: list[_Cue], i: int, left: int, s_start: int, backgrounds: list[bool]
) -> bool:
    """A cue that tells a step of the person's past, not this article's news: the next step
    of a history already in the past ("had returned to China in 2021 and joined A before
    moving to B"), a relative clause before the sentence's own move ("X, who moved to A in
    November, has returned to B"), or the pluperfect outside reported speech ("he had been on
    leave from A")."""
    cue = cues[i]
    before = text[left : cue.start]
    if i and backgrounds[-1] and _CHAINED.search(before):
        return True
    if i + 1 < len(cues) and _RELATIVE.search(before):
        return True
    return bool(_PLUPERFECT.search(before)) and not _SPEECH.search(text, s_start, cue.start)


def _is_background(
    text: str, cue: _Cue, left: int, right: int, published_year: int | None, first: bool
) -> bool:
    if (
        _BACKGROUND_ING.search(text[max(left - 10, 0) : cue.start])
        and re.match(r"\w+ing\b", text[cue.start : cue.end])
        and cue.kind != LEAVE
    ):
        return True
    if _OLD_MOVE.search(text, left, min(right, cue.end + 40)):
        return True
    if cue.kind == FOUND and re.search(
        r",\s+who\s+(?:had\s+)?$", text[max(left - 10, 0) : cue.start]
    ):
        # "X, who co-founded Bramble, has left": the founding is told in passing; the
        # company is X's employer, the origin of the move the sentence reports.
        return True
    if published_year is None:
        return False
    window = text[cue.start : right]
    match = re.search(r"\b(?:in|since|of)\s+(?:[A-Z][a-z]+\s+)?((?:19|20)\d{2})\b", window)
    if match is None and first:
        match = re.search(
            r"\b(?:[Ii]n|[Ss]ince)\s+(?:[A-Z][a-z]+\s+)?((?:19|20)\d{2})\b", text[left : cue.start]
        )
    if match is None:
        match = re.search(r"\b((?:19|20)\d{2})\b", text[cue.start : min(right, cue.end + 40)])
    return bool(match and int(match.group(1)) < published_year)


def _roles(
    text: str,
    cue: _Cue,
    left: int,
    right: int,
    s_start: int,
    s_end: int,
    insts: list[Mention],
    anaphora: list[tuple[int, int]],
    people: list[PersonMention],
    previous_people: list[PersonMention],
    institutions_so_far: list[Mention],
    consumed: set[int],
) -> tuple[list[PersonMention], Mention | None, Mention | None]:
    after = [m for m in insts if cue.end <= m.start < right]
    before = [m for m in insts if left <= m.start < cue.start and m.start not in consumed]
    subject = _subject_org(text, cue, s_start, insts, people)
    origin: Mention | None = None
    dest: Mention | None = None
    persons: list[PersonMention]
    if cue.kind == HIRE and not cue.passive:
        if subject is None:
            return [], None, None
        dest = subject
        # "the latest of the moves by Mustafa Suleyman's division": an owner is not hired.
        persons = _coordinated(
            [
                p
                for p in people
                if cue.end <= p.start < right
                and not p.pronoun
                and not re.match(r"['’]s\b", text[p.end : p.end + 2])
            ],
            text,
            insts,
        )
        others = [
            m for m in after if m is not dest and (m.slug or m.name) != (dest.slug or dest.name)
        ]
        first_person = min((p.start for p in persons), default=right)
        if _ITS_PEOPLE.search(text, max(cue.end, first_person - 40), first_person):
            # "has acquired N … and brought on its founders A and B": the people of the company
            # the sentence names before the hire, not of the hirer
            owned = [m for m in before if m is not dest and m.start < cue.start]
            if owned:
                return persons, owned[-1], dest
        latest = [
            m
            for m in others
            if re.search(r"\b(?:most|until) recently\b", text[max(cue.end, m.start - 50) : m.start])
        ]
        chosen = latest or others
        origin = chosen[0] if chosen else None
        return persons, origin, dest
    persons = _subjects(text, cue, left, right, s_start, people, previous_people)
    first_person = min((p.start for p in persons), default=cue.start)
    for m in after:
        prefix = text[max(cue.end, m.start - 30) : m.start]
        if (
            cue.kind == LEAVE
            and re.search(r"[,;]", text[cue.end : m.start])
            and not re.search(r"\b(?:for|to|join|joining|from|at)\s+(?:[\w-]+\s+){0,3}$", prefix)
        ):
            continue  # "has resigned, the company said, … since Meta took a stake": not its end
        if _ORIGIN_BEFORE.search(prefix):
            if origin is None:
                origin = m
        elif (
            dest is not None
            and origin is None
            and _WEAK_ORIGIN_BEFORE.search(prefix)
            and not any(cue.end <= p.start < m.start and not p.pronoun for p in people)
        ) or (
            cue.kind == LEAVE
            and origin is None
            and not re.search(
                r"\b(?:for|to|join)\s+(?:(?:rival|rivals|fellow|competitor|competing|start-?up|lab|the)\s+)*$",
                prefix,
            )
        ):
            origin = m
        elif dest is None:
            dest = m
    if cue.kind == LEAVE and origin is None:
        for a_start, a_end in anaphora:
            if cue.end <= a_start < right:
                prior = [m for m in institutions_so_far if m.start < a_start] + [
                    m for m in insts if m.start < a_start
                ]
                if prior:
                    ref = prior[-1]
                    origin = Mention(a_start, a_end, ref.name, ref.slug)
                break
    if (
        cue.kind == LEAVE
        and origin is None
        and subject is not None
        and subject.end <= first_person
        and re.search(r"\bits\b", text[subject.end : first_person])
    ):
        origin = subject  # "Cohere said its chief scientist, X, is stepping down"
    if dest is None and cue.kind == JOIN and subject is not None and subject.start < first_person:
        dest = subject
    if dest is None and cue.kind == JOIN:
        joined = _JOINED_ANAPHOR.match(text, cue.end)
        if joined:
            # "has also joined the company": the company the article is about, a new one first.
            prior = [
                m
                for m in [*institutions_so_far, *insts]
                if m.start < joined.start(1) and (origin is None or m.name != origin.name)
            ]
            fresh = [m for m in prior if not m.slug and m.name]
            pool = fresh or prior
            if pool:
                ref = pool[-1]
                dest = Mention(joined.start(1), joined.end(1), ref.name, ref.slug)
    if origin is None:
        descriptors = [
            m
            for m in before
            if m is not subject
            and m is not dest
            and not _UNRELATED_CLAUSE.search(text, left, m.start)
            and not _VISIT_BEFORE.search(text, max(left, m.start - 50), m.start)
        ]
        if not descriptors and persons and cue.kind != HIRE:
            descriptors = [
                m
                for m in insts
                if s_start <= m.start < first_person
                and m is not subject
                and m is not dest
                and m.start not in consumed
            ]
        if descriptors:
            origin = descriptors[-1]
    if cue.kind == LEAVE and origin is None and persons and not before:
        origin = _previous_sentence_org(text, s_start, institutions_so_far)
    if (
        cue.kind == LEAVE
        and origin is None
        and persons
        and _OWNER_ANAPHOR.search(text, s_start, first_person)
        and institutions_so_far
    ):
        origin = _most_named(institutions_so_far)  # "The team's leader, X, left for Meta"
    if cue.kind == HIRE and dest is None and subject is not None:
        dest = subject
    if dest is None and _TAKE_ROLE.match(text, cue.start, cue.end):
        dest = _role_holder(text, s_start, institutions_so_far, origin)
    return persons, origin, dest


# "a short stint as a visiting researcher at Microsoft Research": a visit is not an employer.
_ITS_PEOPLE = re.compile(
    r"\bits (?:\w+ )?(?:co-?founders?|founders?|founding team|team|staff|employees|researchers"
    r"|engineers|chief executive|CEO|CTO)\s+(?:[\w-]+\s+){0,2}$"
)
_VISIT_BEFORE = re.compile(
    r"\b(?:visiting|short stint|sabbatical|internship|intern)\b[^.;,]*$", re.IGNORECASE
)
_OWNER_OF_ORG = re.compile(
    r"['’]s\s+(?:new\s+|own\s+)?(?:[A-Z]|(?:lab|start-?up|company|venture|firm|group|team)\b)"
)
_JOINED_ANAPHOR = re.compile(r"\s+(the (?:company|start-?up|firm|venture))\b")
_OWNER_ANAPHOR = re.compile(
    r"\b[Tt]he (?:team|company|lab|group|unit|division|start-?up|firm)['’]s\s+[\w\s-]{0,40}?,?\s*$"
)


def _most_named(mentions: list[Mention]) -> Mention:
    """The institution the article has named most often so far (the earliest on a tie)."""
    counts: dict[str, int] = {}
    for m in mentions:
        key = m.slug or m.name.lower()
        counts[key] = counts.get(key, 0) + 1
    best = max(counts.values())
    return next(m for m in mentions if counts[m.slug or m.name.lower()] == best)


def _subject_org(
    text: str, cue: _Cue, s_start: int, insts: list[Mention], people: list[PersonMention]
) -> Mention | None:
    """The organisation doing the hiring or announcing, e.g. "Meta has hired", "Anthropic said"."""
    for m in reversed([m for m in insts if m.end <= cue.start]):
        gap = text[m.end : cue.start]
        # "Thinking Machines Lab, the start-up founded by X, has hired": skip the apposition.
        apposition = re.match(r"^\s*,[^,]{3,90},(?=\s)", gap)
        if apposition and (
            cue.kind == HIRE
            or re.match(r"^\s*,\s*which\b", gap)
            or re.match(r"\s+(?:said|says|announced|confirmed)\b", gap[apposition.end() :])
        ):
            # "Sakana AI, the Tokyo start-up, said on Wednesday that X had joined"
            gap = gap[apposition.end() :]
        if cue.kind == HIRE and _SUBJECT_GAP.match(gap):
            return m
        announces = re.match(
            r"^\s+(?:has |have |had |also |on \w+ |this week )?"
            r"(?:said|says|announced|confirmed|is|was|has)\b",
            gap,
        )
        described = re.search(
            r"\b(?:former|ex-)\s*$", text[max(s_start, m.start - 12) : m.start], re.IGNORECASE
        )
        if announces and not described:
            return m
    return None


def _subjects(
    text: str,
    cue: _Cue,
    left: int,
    right: int,
    s_start: int,
    people: list[PersonMention],
    previous_people: list[PersonMention],
) -> list[PersonMention]:
    if text[cue.start : cue.end].startswith("departure") and not any(
        left <= p.start and p.end <= cue.start for p in people
    ):
        after_cue = [p for p in people if cue.end <= p.start < right and not p.pronoun]
        return _coordinated(after_cue, text) if after_cue else []
    in_left = [p for p in people if left <= p.start and p.end <= cue.start]
    # "X, a co-founder of Mira Murati's Thinking Machines Lab, has left": a person named as
    # the owner of an organisation is not the subject.
    owners = [p for p in in_left if _OWNER_OF_ORG.match(text, p.end) and p is not in_left[0]]
    in_left = [p for p in in_left if p not in owners]
    if in_left:
        nearest = in_left[-1]
        if nearest.name in ("i", "i've", "i'm"):
            after_quote = _SPEAKER.search(text, cue.end, right)
            if after_quote:
                named = [p for p in people if p.start >= after_quote.end() and not p.pronoun]
                return named[:1]
            return []
        if nearest.pronoun:
            return [nearest] if not nearest.name.islower() else []
        return _coordinated_back(text, in_left)
    if previous_people:
        return previous_people
    colon = text.find(":", cue.end, right)
    if colon != -1:
        return _coordinated([p for p in people if colon < p.start < right and not p.pronoun], text)
    return []


def _coordinated(
    people: list[PersonMention],
    text: str,
    insts: Sequence[Mention] = (),
) -> list[PersonMention]:
    """The first person and those coordinated with it ("A, B and C"); a person named later in
    the clause ("..., chief executive C said") is not one of them. Each member may carry its
    own origin ("A from X, B from Y and C from Z")."""
    if not people:
        return []
    out = [people[0]]
    for p in people[1:]:
        if p.pronoun or p.start < out[-1].end:
            continue
        gap_start = out[-1].end
        own = _own_origin(text, out[-1], insts)
        if own is not None and own.end < p.start and not _bracketed(text, out[-1], insts):
            gap_start = own.end
            tail = _ORG_TAIL.match(text, gap_start, p.start)
            if tail:
                gap_start = tail.end()
        gap = text[gap_start : p.start]
        if not (COORD_GAP.match(gap) or re.fullmatch(r"\s*(?:,\s*)?(?:and|as well as|&)\s+", gap)):
            break
        out.append(p)
    return out


# "from Databricks' Mosaic Research team": the rest of an origin's noun phrase
_ORG_TAIL = re.compile(r"['’]s?(?:\s+[A-Z][\w-]*)*(?:\s+(?:team|group|lab|unit|division))?")


def _own_origin(text: str, person: PersonMention, insts: Sequence[Mention]) -> Mention | None:
    """The organisation a listed person comes from: in brackets ("B (Google DeepMind)") or
    right after the name ("B from Google DeepMind")."""
    bracketed = _bracketed(text, person, insts)
    if bracketed is not None:
        return bracketed
    for m in insts:
        if person.end < m.start <= person.end + 12 and re.fullmatch(
            r"\s+from\s+(?:the\s+)?", text[person.end : m.start]
        ):
            return m
    return None


def _coordinated_back(text: str, in_left: list[PersonMention]) -> list[PersonMention]:
    chain = [in_left[-1]]
    for p in reversed(in_left[:-1]):
        if (p.start, p.end) == (chain[0].start, chain[0].end):
            chain.insert(0, p)  # "they": the members of one group share the span
            continue
        if p.pronoun or not COORD_GAP.match(text[p.end : chain[0].start]):
            break
        chain.insert(0, p)
    return chain


def _resolve_people(
    people: list[PersonMention], history: list[PersonMention], text: str, s_start: int, s_end: int
) -> list[PersonMention]:
    """Map surnames and pronouns onto full names seen earlier; drop unknown single words."""
    out: list[PersonMention] = []
    for p in people:
        known = [h for h in history if not h.pronoun] + [q for q in out if not q.pronoun]
        if p.pronoun:
            if p.name in ("i", "i've", "i'm"):
                out.append(p)
                continue
            if known and p.name in ("he", "she", "her", "his", "the researcher"):
                ref = known[-1]
                out.append(PersonMention(p.start, p.end, ref.name, pronoun=True))
            elif p.name == "they":
                # "A and B ... They are leaving for C": one mention per member of the group.
                out.extend(
                    PersonMention(p.start, p.end, member.name, pronoun=True)
                    for member in _last_group(text, known)
                )
            continue
        words = p.name.split()
        if len(words) >= 2:
            out.append(p)
            history_match = [h for h in known if _same_person(h.name, p.name)]
            if history_match:
                out[-1] = PersonMention(p.start, p.end, history_match[-1].name)
            continue
        for h in reversed(known):
            if p.name in h.name.split():
                out.append(PersonMention(p.start, p.end, h.name))
                break
    # Pronoun mentions carry a resolved name but are flagged; make them usable as subjects.
    return [PersonMention(p.start, p.end, p.name, pronoun=p.name.islower()) for p in out]


def _last_group(text: str, known: list[PersonMention]) -> list[PersonMention]:
    """The most recent people named together ("A and B", "A, B and C")."""
    for i in range(len(known) - 1, 0, -1):
        group = [known[i]]
        j = i - 1
        while (
            j >= 0
            and known[j].end <= group[0].start
            and COORD_GAP.match(text[known[j].end : group[0].start])
        ):
            group.insert(0, known[j])
            j -= 1
        if len(group) >= 2:
            return group
    return []


def _same_person(a: str, b: str) -> bool:
    return sorted(a.lower().split()) == sorted(b.lower().split())


def _date(
    text: str, left: int, right: int, published_year: int | None
) -> tuple[int | None, int | None]:
    for match in _DATE.finditer(text, left, right):
        if match.group("year"):
            month = match.group("month")
            return int(match.group("year")), _MONTHS[month.lower()] if month else None
        if match.group("month_only") and published_year is not None:
            return published_year, _MONTHS[match.group("month_only").lower()]
    return None, None


def _role(text: str, s_start: int, s_end: int) -> str | None:
    match = _ROLE.search(text, s_start, s_end)
    return match.group("role").lower() if match else None


def _prior(
    text: str,
    index: int,
    s_start: int,
    s_end: int,
    insts: list[Mention],
    people: list[PersonMention],
    consumed: set[int],
) -> list[Candidate]:
    """Employers the sentence gives people: "formerly at A", "most recently at A", "X, a
    researcher at A", "A researcher X", "A's head of research, X". Used to fill the origin of
    a move whose own sentence names none; "most recently" ranks above the rest."""
    named = [p for p in people if not p.name.islower()]
    out: list[Candidate] = []

    def add(person: PersonMention, inst: Mention, pos: int) -> None:
        extras = {"pos": str(pos)}
        out.append(Candidate(person.name, index, inst, None, 0.5, False, prior=True, extras=extras))

    for marker in _PRIOR.finditer(text, s_start, s_end):
        after = [m for m in insts if marker.start() <= m.start <= marker.end() + 60]
        subjects = [p for p in named if p.end <= marker.start()]
        if after and subjects:
            rank = 10_000_000 if marker.group("latest") else 0
            add(subjects[-1], after[0], rank + marker.start())
    for inst in insts:
        before = [p for p in named if p.end <= inst.start]
        if before and _APPOSITION.match(text[before[-1].end : inst.start]):
            add(before[-1], inst, inst.start)
        if before and _UNTIL_LATELY.match(text, inst.end, s_end):
            add(before[-1], inst, 10_000_000 + inst.start)  # "led research at A until last month"
        if before and _LEFT_FOR.search(text, s_start, inst.start):
            # "who left A for B in 2023": B is the later employer
            nxt = [m for m in insts if m.start > inst.end]
            if nxt and re.fullmatch(r"\s+for\s+(?:the\s+)?", text[inst.end : nxt[0].start]):
                add(before[-1], nxt[0], nxt[0].start)
        later = [p for p in named if p.start >= inst.end]
        if (
            later
            and _ROLE_OF_BEFORE.search(text, max(s_start, inst.start - 60), inst.start)
            and re.match(r"^\s*,\s*(?:Dr\.?\s+|Prof\.?\s+)?$", text[inst.end : later[0].start])
        ):
            add(later[0], inst, inst.start)  # "The head of Sea AI Lab, Dr. Lim Wei Ling, …"
        if later:
            gap = text[inst.end : later[0].start]
            words = re.findall(r"[\w-]+", gap.lower().replace("'s", " ").replace("’s", " "))
            if len(gap) <= 60 and all(w in _PREMODIFIER_WORDS for w in words) and "." not in gap:
                add(later[0], inst, inst.start)
    return out


def _role_holder(
    text: str, s_start: int, institutions_so_far: list[Mention], origin: Mention | None
) -> Mention | None:
    """ "Perplexity has a new head of research. X took the role": the organisation just named."""
    recent = [m for m in institutions_so_far if s_start - 250 < m.start < s_start]
    recent = [m for m in recent if origin is None or m.slug != origin.slug or m.name != origin.name]
    if not recent or re.search(r"[.!?]\s", text[recent[-1].end : s_start].rstrip()[:-1]):
        return None
    return recent[-1]


def _previous_sentence_org(
    text: str, s_start: int, institutions_so_far: list[Mention]
) -> Mention | None:
    """ "Another Meta researcher is leaving. X has resigned": the unnamed researcher's employer."""
    recent = [m for m in institutions_so_far if s_start - 200 < m.start < s_start]
    if len(recent) != 1:
        return None
    between = text[recent[0].end : s_start]
    if re.search(r"[.!?]\s", between[:-1]) or re.search(r"\b[A-Z][a-z]+ [A-Z][a-z]+", between):
        return None
    if not re.match(r"\s+(?:researcher|scientist|engineer|executive|employee|veteran)", between):
        return None
    return recent[0]
