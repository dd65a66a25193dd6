"""How an article speaks of a move: reported, confirmed, denied, in talks, rumour, planned,
leave of absence, or background.

Only reported and confirmed frames become moves; talks and rumours become RUMOURED moves; a
denial is evidence against a move; the rest become nothing. The classifier reads the clause
around the move's cue (and, for sourcing, the whole sentence): a denial or a failed negotiation
outranks talks, talks outrank unnamed sources, and an explicit confirmation outranks sourcing.
A move told as done ("has joined B") by unnamed sources, with no word of speculation, is
reported: the sourcing says who told it, not that it may not have happened.
"""

from __future__ import annotations

import re
from typing import Literal

Modality = Literal[
    "reported",
    "confirmed",
    "denied",
    "in_talks",
    "rumour",
    "planned",
    "leave_of_absence",
    "background",
    "side_post",
    "internal",
]
MOVE_MODALITIES: frozenset[str] = frozenset({"reported", "confirmed"})
RUMOUR_MODALITIES: frozenset[str] = frozenset({"in_talks", "rumour"})

_EN_DENIED = re.compile(
    r"\bden(?:ied|ies|y|ying)\b|\bdenial\b|\b(?:dismissed|rejected|refuted|rebutted|shot down) "
    r"(?:the |a |an )?(?:\w+ )?(?:reports?|rumou?rs?|speculation|claims?|story)|\bnot going anywhere\b"
    r"|\b(?:but|and) (?:\w+ )?(?:said )?(?:that )?(?:they|the talks|talks|discussions) (?:had )?"
    r"(?:ended|stalled|fizzled)\b|\b(?:rumou?rs?|reports?|claims?|speculation) "
    r"(?:were|was|are|is) (?:false|untrue|wrong|baseless|inaccurate)|\bnot true\b"
    r"|\bno plans to (?:leave|join|quit)|\bis staying\b|\b(?:will|would) (?:stay|remain)\b"
    r"|\b(?:decided|chose|opted) to (?:stay|remain)\b|\bturned down\b|\bdeclined (?:the|an|its|their) offer"
    r"|\btalks? (?:collapsed|fell (?:apart|through)|broke down|ended without|went nowhere|came to nothing)"
    r"|\b(?:fell|falls) through\b|\bcame to nothing\b|\bnever (?:joined|left|materiali[sz]ed)"
    r"|\bwalked away from (?:the )?(?:talks|deal|offer)|\bcalled off\b"
    r"|\b(?:insisted|maintained|stressed)\b[^.;]{0,60}\b(?:remain(?:s|ed)?|stay(?:s|ed)?|is staying)\b",
    re.IGNORECASE,
)
_EN_LEAVE = re.compile(
    r"\bleave of absence\b|\bon (?:a |an )?(?:extended |unpaid |medical |parental |personal )?"
    r"leave\b|\bsabbatical\b|\btak(?:e|es|ing|en) (?:some )?time off\b|\btemporar(?:y|ily) "
    r"(?:step|stepping|leave|leaving)|\bwill return (?:to|in)\b|\bexpected (?:back|to return)\b"
    r"|\bparental leave\b|\bmedical leave\b|\bstepp(?:ed|ing) back (?:temporarily|for now)"
    r"|\btak(?:e|es|ing|en) (?:a |an )?(?:[\w-]+ )?leave\b",
    re.IGNORECASE,
)
_EN_TALKS = re.compile(
    r"\bin (?:advanced |early |late-stage |preliminary )?(?:talks|discussions|negotiations)\b"
    r"|\b(?:held|had|holding) (?:\w+ )?talks\b|\btalks (?:about|over|on) (?:joining|leaving|a move)"
    r"|\bnegotiat(?:ing|es|ed) (?:with|to)\b|\b(?:has |have |had )?offered\b|\bclose to "
    r"(?:hiring|joining|signing|a deal)|\bnearing (?:a deal|an agreement)|\btrying to "
    r"(?:recruit|hire|lure|poach)|\bcourting\b|\bwooing\b|\bapproached\b|\bin the running\b",
    re.IGNORECASE,
)
_EN_RUMOUR = re.compile(
    r"\breportedly\b|\b(?:is|are|was|were) (?:said|rumou?red|understood|believed|thought) to\b"
    r"|\baccording to (?:\w+ )?(?:people|persons?|sources?|a person|someone|reports?)"
    r"|\b(?:people|person|sources?|insiders?) (?:familiar|with knowledge|close to|briefed)"
    r"|\bwith knowledge of\b|\bsources? (?:say|said|tell|told)\b|\brumou?r|\bspeculat"
    r"|\bunconfirmed\b|\b(?:is|are|was) expected to\b|\bcould\b|\bmight\b|\bmay (?:join|leave|be)"
    r"|\blikely to (?:join|leave)\b|\bchatter\b|\b(?:the (?:\w+ )?)?(?:report|newspaper|outlet) (?:said|says)"
    r"|\bbelieve\b|\b(?:has|have) learned\b|\bwhispers?\b",
    re.IGNORECASE,
)
_EN_DONE = re.compile(
    r"\b(?:has|have|had) (?:\w+ )?(?:joined|left|hired|poached|started|moved|departed|quit|resigned"
    r"|recruited|appointed|named|gone to|gone over to)\b|\b(?:joined|left|hired|poached|started at|moved to|departed"
    r"|quit|resigned)\b",
    re.IGNORECASE,
)
_EN_SPECULATIVE = re.compile(
    r"\breportedly\b|\b(?:is|are|was|were) (?:said|rumou?red|believed|thought|expected|likely) to\b"
    r"|\brumou?r|\bspeculat|\bunconfirmed\b|\bcould\b|\bmight\b|\bmay\b|\blikely\b"
    r"|\bwhispers?\b|\bbelieve\b|\bwould\b|\bwill\b|\bconsidering\b|\bweighing\b",
    re.IGNORECASE,
)
_EN_PLANNED = re.compile(
    r"\b(?:plans?|planning|intends?|intending|hopes?|hoping|aims?|wants?) to (?:\w+ )?$"
    r"|\b(?:considering|weighing|mulling|contemplating|exploring|thinking about) (?:\w+ )?$",
    re.IGNORECASE,
)
# "will join OpenAI next summer", "effective July 1": a move set for a later date has not
# happened yet.
_EN_FUTURE_TIME = re.compile(
    r"\b(?:early |late |later )?next (?:year|spring|summer|autumn|fall|winter|academic year|semester"
    r"|term)\b|\beffective (?:from |on )?(?:[A-Z][a-z]+ \d|\d{1,2} [A-Z][a-z]+|the (?:start|end"
    r"|beginning))"
    # "will leave at the end of the spring semester", "will join after she defends her thesis",
    # "will move once his current grant ends": a move set after something still to come
    r"|\bat the end of the (?:\w+ )?(?:semester|term|academic year|school year)\b"
    r"|\bafter (?:he|she|they) (?:defends|finishes|completes|graduates|submits)\b"
    r"|\b(?:once|when) (?:his|her|their) (?:[\w-]+ ){0,3}(?:ends|expires|runs out|is over|finishes)\b",
)
_EN_FUTURE_TENSE = re.compile(
    r"\b(?:will|would|is set to|are set to|is to|are to|is due to)\b|['’]ll\b", re.IGNORECASE
)
# "plans to leave the company early next year to join B": the intention governs every cue
# after it in the sentence, unless a firm verb intervenes.
_EN_PLANNED_BEFORE = re.compile(
    r"\b(?:plans|planned|planning|intends|intending|hopes|hoping|aims) to\b",
    re.IGNORECASE,
)
_EN_FIRM_AFTER_PLAN = re.compile(
    r"\b(?:has|have|had) (?:joined|left|started|moved)\b|\band (?:will|has|is|was)\b", re.IGNORECASE
)
_EN_HYPOTHETICAL = re.compile(
    r"\b(?:if|should|were) (?:the|a|that|this|he|she|they) (?:\w+ ){0,4}(?:goes ahead|happens|succeeds"
    r"|went ahead|were to)\b|\bif\b[^.;]{0,80}\bwould\b|\bwould\b[^.;]{0,80}\bif\b|\bwould have\b",
    re.IGNORECASE,
)
# "moved from the Gemini team to Google Research as part of a reshuffle": a transfer inside
# one employer is not a move between employers.
_EN_INTERNAL = re.compile(
    r"\b(?:reshuffle|reorgani[sz]ation|restructuring|internal (?:move|transfer|change|reshuffle))\b"
    r"|\b(?:was|were|been) (?:\w+ )?transferred\b",
    re.IGNORECASE,
)
# "named a faculty affiliate of the Vector Institute, a title held alongside …", "an adjunct
# principal investigator", "a part-time adviser": a post held beside the job, not a move.
_EN_SIDE_POST = re.compile(
    r"\bfaculty affiliate\b|\badjunct\b|\bpart-time (?:adviser|advisor|role|post|position)\b"
    r"|\bheld alongside\b",
    re.IGNORECASE,
)
ZH_SIDE_POST = re.compile(r"兼职|兼任|顾问")
_EN_CONFIRMED = re.compile(
    r"\bconfirmed\b|\bannounced\b|\bsaid in a statement\b|\bofficially\b|\bin a (?:blog )?post\b"
    r"|\bwrote on\b|\bposted on\b|\bon (?:his|her|their) LinkedIn\b|\btold (?:\w+ ){0,2}(?:reporters|us)\b",
    re.IGNORECASE,
)
_EN_BACKGROUND = re.compile(
    r"\b(?:years|decade|decades|months) ago\b|\bback in (?:19|20)\d\d\b|\bat the time\b"
    r"|\bbefore (?:that|then)\b|\bpreviously\b|\bearlier in (?:his|her|their) career\b"
    r"|\bonce (?:left|joined)\b|\bhad (?:left|joined|moved|quit)\b",
    re.IGNORECASE,
)

_ZH_DENIED = re.compile(
    r"否认|辟谣|不实|并未(?:离职|加入|跳槽)|未离职|没有离职|仍在|仍将|继续留在|留任|与事实不符|谣言|假消息"
    r"|谈判破裂|未能谈拢|没有谈拢|告吹|婉拒|拒绝了|最终未|并无此事"
)
_ZH_LEAVE = re.compile(r"休假|停薪留职|请假|暂时离开|暂别|学术休假|产假|病假|将于.{0,8}回归")
_ZH_TALKS = re.compile(r"洽谈|接触|谈判|商谈|邀请|开出|抛出橄榄枝|挖角.{0,4}(?:中|未)|正在争取")
_ZH_RUMOUR = re.compile(
    r"知情人士|据传|传闻|网传|有消息称|消息称|消息人士|或将|有望|据报道|媒体报道|报道称|传出|疑似|可能|传言|爆料"
    r"|网帖|网友称|自媒体|流传|有人称|坊间|据(?:业界|业内|行业|市场)?消息"
)
_ZH_SOURCES = re.compile(
    r"知情人士|消息人士|据报道|媒体报道|报道称|有消息称|消息称|据(?:业界|业内|行业|市场)?消息"
)
_ZH_DONE = re.compile(
    r"已(?:经)?(?:于[^，。；]{1,8}?)?(?:正式|先后)?(?:离职|加入|加盟|入职|离开|出任|到岗|到任|辞职)"
    r"|已(?:经)?正式"
)
_ZH_PLANNED = re.compile(
    r"(?<![”\"])计划(?!中)|预计将|提出(?:离职|辞职)|提交了?辞呈|打算|考虑|准备(?:离开|加入)|有意"
    r"|将于|届时|明年|下学期|下个学期"
)
_ZH_CONFIRMED = re.compile(r"证实|官宣|宣布|确认|正式|发文|表示")
_ZH_BACKGROUND = re.compile(r"此前|曾经|曾于|曾在|早年|多年前|当年|后来")


def classify(clause: str, sentence: str, *, chinese: bool = False) -> Modality:
    """The modality of a move told in ``sentence``; ``clause`` is the text of the cue's own
    clause up to the cue's end (where "plans to" and the like must stand)."""
    if chinese:
        if _ZH_DENIED.search(sentence):
            return "denied"
        if ZH_SIDE_POST.search(clause or sentence):
            return "side_post"  # "出任公司兼职首席科学家", "将兼任台积电AI顾问"
        if _ZH_LEAVE.search(sentence):
            return "leave_of_absence"
        if _ZH_TALKS.search(sentence):
            return "in_talks"
        rumour = _ZH_RUMOUR.search(sentence)
        if rumour and not (
            # "据多家媒体报道，他已正式入职", "据知情人士透露，X已于9月离职": press or sources
            # telling a done deal, with no word of speculation, is a report.
            all(_ZH_SOURCES.fullmatch(r) for r in _ZH_RUMOUR.findall(sentence))
            and _ZH_DONE.search(sentence)
            and not re.search(r"将(?:会)?(?:加入|加盟|出任|入职|前往|赴)", sentence)
        ):
            return "rumour"
        if _ZH_PLANNED.search(clause):
            return "planned"
        return "confirmed" if _ZH_CONFIRMED.search(sentence) else "reported"
    if _EN_DENIED.search(sentence):
        return "denied"
    if _EN_INTERNAL.search(sentence):
        return "internal"
    if _EN_SIDE_POST.search(sentence):
        return "side_post"
    if _EN_LEAVE.search(sentence):
        return "leave_of_absence"
    if _EN_TALKS.search(sentence):
        return "in_talks"
    if _EN_RUMOUR.search(sentence):
        if (
            _EN_DONE.search(clause[-80:])
            and not _EN_SPECULATIVE.search(sentence)
            and not _EN_PLANNED_BEFORE.search(sentence)
        ):
            # "has joined B, according to two people with knowledge of the move": a move done,
            # told by unnamed sources, is reported; speculation about one is a rumour.
            return "reported"
        if _EN_CONFIRMED.search(sentence) and not re.search(
            r"\bdeclined to confirm|\bnot confirmed|\bwould not confirm", sentence, re.IGNORECASE
        ):
            return "confirmed"
        return "rumour"
    if _EN_PLANNED.search(clause[-60:]) or _EN_HYPOTHETICAL.search(sentence):
        return "planned"
    future = _EN_FUTURE_TIME.search(sentence)
    at = sentence.find(clause[-60:]) if clause else -1
    # "will leave at the end of the semester to join B": the tense of the clause before the cue
    upto = sentence[: at + len(clause[-60:])] if at >= 0 else clause
    if future and (future.group().startswith("effective") or _EN_FUTURE_TENSE.search(upto[-120:])):
        return "planned"
    cue_at = sentence.find(clause[-60:]) if clause else -1
    plans = (
        list(_EN_PLANNED_BEFORE.finditer(sentence, 0, cue_at + len(clause[-60:])))
        if cue_at >= 0
        else []
    )
    if plans and not _EN_FIRM_AFTER_PLAN.search(sentence, plans[-1].end()):
        return "planned"
    return "confirmed" if _EN_CONFIRMED.search(sentence) else "reported"


# Told anywhere in the article about the person: the job is kept beside the new post (an
# advisory, board or visiting post), so nothing moves.
_EN_KEEPS_JOB = re.compile(
    r"\b(?:keep|keeps|keeping|retain|retains|retaining|continue to hold|continues to hold) "
    r"(?:his|her|their) (?:\w+ )?(?:professorship|chair|post|position|job|appointment"
    r"|faculty (?:post|position|appointment)|lab|day job)\b"
    r"|\b(?:will )?remains? (?:a |an )?(?:full-time )?(?:professor|faculty member|employee) (?:at|of)\b",
    re.IGNORECASE,
)
# The person has not gone yet: the move is planned, whatever tense the headline used.
_EN_NOT_GONE_YET = re.compile(
    r"\b(?:is|are) still (?:at|with|employed)\b|\b(?:has|have) not (?:yet )?left\b"
    r"|\b(?:hasn['’]t|haven['’]t) (?:yet )?left\b|\bwill (?:finish|complete) (?:the |his |her |their )?"
    r"(?:[\w-]+ )?(?:term|semester|academic year|school year)\b|\b(?:is|are) expected to start\b"
    r"|\bwill (?:step down|leave|depart) (?:at|by|in|on|after)\b"
    # "remains at Huawei until the end of the year", "until then she will continue to teach",
    # "has not resigned", "has not yet set a start date": still at the old job
    r"|\b(?:remains?|will remain|will stay|stays|is staying) (?:on )?(?:at|with) [^.;]{1,60}?\buntil\b"
    r"|\buntil then\b[^.;]{0,40}\b(?:will|continues?|remains?|stays?)\b"
    r"|\b(?:has|have) not (?:yet )?(?:resigned|handed in|set a start date)\b"
    r"|\b(?:hasn['’]t|haven['’]t) (?:yet )?(?:resigned|handed in)\b|\bstill on [^.;]{1,30}payroll\b",
    re.IGNORECASE,
)


def told_elsewhere(about: list[str], *, chinese: bool = False) -> Modality | None:
    """What the article's other sentences about a person say of every move told of them:
    a job kept beside a new post (``side_post``) or a move that has not happened yet
    (``planned``); None when they say neither."""
    if chinese:
        return None
    text = " ".join(about)
    if _EN_KEEPS_JOB.search(text):
        return "side_post"
    if _EN_NOT_GONE_YET.search(text):
        return "planned"
    return None


def is_background(clause: str, *, chinese: bool = False) -> bool:
    """A clause that tells an old move in passing ("who had left Google years ago")."""
    return bool((_ZH_BACKGROUND if chinese else _EN_BACKGROUND).search(clause))
