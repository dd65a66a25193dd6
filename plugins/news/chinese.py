"""Chinese move patterns: 加入, 离职, 跳槽, 出任, 前…研究员 and their hedges."""

from __future__ import annotations

import re

from plugins.news.mentions import find_institutions, find_people
from plugins.news.modality import RUMOUR_MODALITIES, ZH_SIDE_POST, classify
from plugins.news.model import AliasTable, Candidate, Mention, PersonMention

_SURNAMES = tuple(
    re.findall(
        r"\S+",
        "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 令狐 司空 鲜于 仲孙 闻人 贺兰 宇文 长孙 澹台 淳于 "
        "申屠 夏侯 轩辕 呼延 端木 南宫 钟离 谯 衣 计 戈 满 官 傅 萧 束 王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 "
        "郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 "
        "谭 陆 汪 范 金 石 廖 贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 "
        "万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 "
        "申 欧 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 单 季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 "
        "骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 解 牟 艾 尤 阳 时 穆 农 司 卓 古 吉 缪 简 车 项 连 "
        "芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 师 和 仇 栾 "
        "隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝 钮 扈 綦 郜 訾 逄 隗 鄢 燕 郦 冀 邰 雍"
        " 璩 桓 濮 仝 逯 宦 蔺 揭 索 赖 郗 班 仰 伊 宓 蒯 荆 楚 芮 羿 储 汲 邴 胥 苍 闻 莘 贡 劳 堵 宰 郏 茹 庾 暨 衡"
        " 弘 匡 阙 殳 蔚 夔 晁 勾 阚 乜 鞠 竺 盖 厉 戎 晋 闫 阎 鄂 邸 丰 井 宓 靖 凤 郁 裘 缪 鲜 练 麦 佘 冼 区 岳 蓝"
        " 危 糜 仉 漆 谈 昝 荀 嵇 狄 伏 茅 奚 湛 禹 钭 屠 郇 韶 敖 蒯 逯",
    )
)
_ROLE_WORDS = tuple(
    re.findall(
        r"\S+",
        "研究员 科学家 首席科学家 工程师 负责人 副总裁 总裁 教授 副教授 联合创始人 创始人 成员 博士后 博士 架构师 研究科学家 技术负责"
        "人 主管 总监 院长 专家 高管 员工 前员工 核心成员 的 原 前 研究者 学者 CTO CEO 老兵 大牛 实习生 少年"
        " 毕业生 博士生 研究生 硕士生 校友 学生 和 与 及 、 官 之一 一位 一名 两位 两名 骨干 导师 博导 讲师 助理教授 主任"
        " 合伙人 董事 同事 团队 老师 对此 此外 其中 随后 如今 后来 获悉 透露 显示 称 由 但 而 据 任命 聘任 聘请 挖来"
        " 引进 邀请 迎来 名为 名叫 叫做",
    )
)
_BOUNDARIES = tuple(
    re.findall(
        r"\S+",
        "已经 已 担任 加入 加盟 离职 离开 跳槽 转投 入职 出任 担任 宣布 近日 日前 正式 于 将 或将 在 此前 本人 也 从 表示 称 回应"
        " 证实 主要 长期 曾 带领 和 与 、 任 今年 目前 现 希望 是 被 成为 出走 辞职 卸任 回国 回归 透露 工作 并 还 不 未 "
        "没有 等 ， 。 ； ： ！ ？ （ ( “ ” 的 洽谈 接触 领导 负责 主导 参与 共同 则 仍 均 都 一同 一起 随后 随即"
        " 之前 本科 博士 毕业 早年 后来 先后 对 向 接受 认为 说 告诉 坦言 正 即将 近期 目前 此后 或 会 博士毕业 选择 辞去 为 受聘 重新 去了"
        " 及 以及 原为 原是 原任",
    )
)
# Words that start with a surname character but are not names ("应届", "高级研究员").
_NOT_NAMES = frozenset(
    {"应届", "高级", "高价", "高薪", "资深", "首席", "前任", "现任", "原任", "任职", "任命", "钱包", "方面", "毕业",
     "全职", "华人", "曾经", "曾先", "曾参", "简讯", "高校", "常务", "高层", "高管", "于是", "安全",
     "时间", "金融", "文化", "方向", "程序", "关于", "周年", "周末", "成员", "成为", "成立", "司机",
     "江湖", "黎明前", "车辆", "车型", "项目", "向其", "和其", "宋体", "史上", "龙头", "万元", "马上",
     "任务", "全球", "全面", "全新", "全体", "全部", "全国", "向外", "包括", "连续", "应用", "石油",
     "高端", "高效", "高速", "高度", "段时", "孔径", "陆续", "时任", "解决", "解读", "管理", "华东",
     "华南", "华北", "华中", "华西", "温度", "任教", "任职于", "于今", "于去", "计划", "计算",
     "满意", "满足", "官宣", "官方", "官网", "官员", "萧条", "束缚", "傅里", "上官网", "东方"}
)  # fmt: skip
# Characters that start a verb phrase far more often than they end a given name.
_FUNCTION_CHARS = frozenset(
    "已从于将在也曾和与并称被是等还未近日担转跳入加离或仍则共均都即便随又再此今目先后就亦正说"
)
# "曾入选", "曾任", "曾在": the adverb 曾 ("once") before a verb, not the surname 曾.
_ADVERB_ZENG = re.compile(r"曾(?=[入任在于是经获参先担就加效为与带主负从做供执])")
_STRONG_LEFT = ("的", "研究员", "科学家", "工程师", "负责人", "教授", "博士后", "成员", "创始人")
_ARRIVE = re.compile(
    r"下一站(?:可能|或将|将)?(?:是|为)|新[东東]家(?:是|为|為)|去向(?:可能)?(?:是|为)|任命|聘任|转战|转任|加入|加盟|入职|转投|投奔|出任|担任|(?<![离])任(?=[\u4e00-\u9fff]{2})|跳槽(?:至|到)|回归|回到|重返|迎来|入局|(?:整体)?并入"
    r"|吸纳了?|招揽了?|延揽了?|引进了?|聘请了?|挖来了?|招募了?|招入了?|选择了?|受聘(?:为|于)?|获聘(?:为|于)?|(?<![失回])去了"
)
_GENERIC_ORGS = frozenset(
    {
        "公司",
        "团队",
        "实验室",
        "集团",
        "研究院",
        "大学",
        "学校",
        "大厂",
        "创业公司",
        "初创公司",
        "新公司",
        "对方",
    }
)
"""Words that name an organisation only by what it is; never a new institution."""
_TAKES_IN = frozenset(
    {"迎来", "吸纳", "招揽", "延揽", "引进", "聘请", "挖来", "任命", "聘任", "招募", "招入"}
)
"""Verbs whose subject is the organisation and whose objects are the people who join it."""
_LEAVE = re.compile(r"离职|离开|辞职|出走|卸任|告别|跳槽(?!至|到)|退出")
# "一家成立不久的初创公司", "成立于2024年": the age of a company someone joins, not a founding
_FOUND = re.compile(
    r"(?:联合创办|联合创立|创办|创立|创建|成立了|成立|创业)(?!不久|于|以来|至今|仅|才|刚|没多久|未满|不到)"
)
_NEW_COMPANY = re.compile(r"[“\"「]([^”\"」]{2,20})[”\"」]|名为([\u4e00-\u9fffA-Za-z0-9]{2,12})的")
_DENIAL = re.compile(
    r"否认|辟谣|不实|并未|未离职|没有离职|仍在|与事实不符|谣言|假消息|不存在(?:离职|跳槽|加盟)"
)
_RUMOUR = re.compile(
    r"知情人士|据传|传闻|网传|有消息称|消息称|消息人士|或将|有望|洽谈|接触|据报道|传出|疑似|可能|据悉"
)
_SUBJECT_AFTER = re.compile(r"^\s*(?:近日|日前|今日|正在|已经|已|宣布|表示|证实|迎来|正|方面|也)")
_ROLE = re.compile(
    r"(首席科学家|首席技术官|首席架构师|研究科学家|研究员|科学家|工程师|负责人|副总裁|联合创始人|创始人|教授|院长|架构师|总监)"
)
_DATE = re.compile(r"((?:19|20)\d{2})年(?:(\d{1,2})月)?|今年(\d{1,2})月")


def _han_people(
    text: str, start: int, end: int, masks: list[tuple[int, int]]
) -> list[PersonMention]:
    """Chinese names: a surname plus one or two characters, framed by a role word and a verb."""
    masked = list(text)
    for m_start, m_end in masks:
        for i in range(m_start, m_end):
            masked[i] = "#"
    s = "".join(masked)
    out: list[PersonMention] = []
    i = start
    while i < end:
        found = None
        if s[i : i + 2] in _NOT_NAMES:
            i += 2
            continue
        if _ADVERB_ZENG.match(s, i):
            i += 1
            continue
        for surname in _SURNAMES:
            if not s.startswith(surname, i):
                continue
            prefix = s[start:i]
            ok_prefix = (
                i == start
                or not re.match(r"[\u4e00-\u9fff]", s[i - 1])
                or any(prefix.endswith(w) for w in _ROLE_WORDS)
            )
            if not ok_prefix:
                continue
            short_tail = s[i + len(surname) + 1 : i + len(surname) + 2]
            order = (1, 2) if short_tail and short_tail in _FUNCTION_CHARS else (2, 1)
            for given in order:
                stop = i + len(surname) + given
                name = s[i:stop]
                if stop > end or not re.fullmatch(r"[\u4e00-\u9fff]+", name):
                    continue
                tail = s[stop:end]
                if (
                    not tail
                    or any(tail.startswith(b) for b in _BOUNDARIES)
                    or not re.match(r"[\u4e00-\u9fff]", tail)
                ):
                    found = PersonMention(i, stop, text[i:stop])
                    break
            if found is None and any(prefix.endswith(w) for w in _STRONG_LEFT):
                stop = i + len(surname) + 2
                if stop <= end and re.fullmatch(r"[\u4e00-\u9fff]+", s[i:stop]):
                    found = PersonMention(i, stop, text[i:stop])
            if found:
                break
        if found:
            out.append(found)
            i = found.end
        else:
            i += 1
    return out


def sentence_candidates(
    text: str,
    sentences: list[tuple[int, int]],
    index: int,
    aliases: AliasTable,
    published_year: int | None,
    history: list[PersonMention],
    institutions_so_far: list[Mention],
) -> list[Candidate]:
    s_start, s_end = sentences[index]
    sentence = text[s_start:s_end]
    insts = find_institutions(text, s_start, s_end, aliases)
    masks = [(m.start, m.end) for m in insts]
    people = _han_people(text, s_start, s_end, masks)
    latin = [
        p
        for p in find_people(text, s_start, s_end, masks)
        if not p.pronoun
        and " " in p.name
        # "乔安澜（Joanna Qiao）": the name in Latin letters of the person just named
        and not any(re.fullmatch(r"\s*[（(]\s*", text[q.end : p.start]) for q in people)
    ]
    people = sorted(people + latin, key=lambda p: p.start)
    for p in re.finditer(r"[他她其]", sentence):
        # "与孙浩不同，她……": a person named to be contrasted is not the one meant.
        known = [
            q
            for q in people
            if q.start < s_start + p.start() and not _CONTRASTED.match(text, q.end)
        ] or [h for h in history if not h.pronoun]
        if known and not any(q.start <= s_start + p.start() < q.end for q in people):
            people.append(
                PersonMention(s_start + p.start(), s_start + p.end(), known[-1].name, pronoun=True)
            )
    people.sort(key=lambda p: p.start)
    history.extend(p for p in people if not p.pronoun)
    institutions_so_far.extend(insts)
    modality = "denied" if _DENIAL.search(sentence) else classify(sentence, sentence, chinese=True)
    rumoured = modality in RUMOUR_MODALITIES
    cues = sorted(
        [(m.start(), m.end(), "arrive") for m in _ARRIVE.finditer(text, s_start, s_end)]
        + [(m.start(), m.end(), "leave") for m in _LEAVE.finditer(text, s_start, s_end)]
        + [(m.start(), m.end(), "found") for m in _FOUND.finditer(text, s_start, s_end)]
    )
    out: list[Candidate] = []
    prev_person: list[PersonMention] = []
    consumed: set[int] = set()
    arrived = False
    for n, (c_start, c_end, kind) in enumerate(cues):
        next_cue = cues[n + 1][0] if n + 1 < len(cues) else s_end
        if re.search(r"(?:不|未|没有|并未|否认)\s*$", text[max(s_start, c_start - 3) : c_start]):
            continue
        if kind == "arrive" and text.startswith(("后", "之后", "以后"), c_end):
            continue  # "入职后将重组团队": the move told already, as the time of what follows
        clause_end = min(_clause_end(text, c_end, s_end), next_cue)
        before_people = [p for p in people if p.end <= c_start]
        if (
            c_start - s_start >= 2
            and text[c_start - 1] in "的"
            and not text.startswith(("下一站", "去向", "新东家", "新東家"), c_start)
        ):
            continue  # "离职的传闻": a noun phrase, not a report
        if kind == "arrive" and text[c_start:c_end].rstrip("了") in _TAKES_IN:
            persons = [p for p in people if c_end <= p.start < s_end and not p.pronoun]
            subject = next((m for m in reversed(insts) if m.end <= c_start), None)
            for person in persons:
                # the organisation taking the person in is not where they come from
                origin = _origin_for(text, person, [m for m in insts if m is not subject], s_start)
                out.append(
                    _cand(
                        person,
                        index,
                        origin,
                        subject,
                        rumoured,
                        text,
                        s_start,
                        s_end,
                        published_year,
                    )
                )
            continue
        if text[c_start:c_end] in ("担任", "出任", "任") and arrived:
            continue
        persons = before_people[-1:] if before_people else prev_person
        if not persons:
            continue
        chained = not before_people or before_people[-1].end <= (cues[n - 1][1] if n else s_start)
        person = persons[0]
        if person.pronoun:
            named = [
                p
                for p in people
                if p.name == person.name and not p.pronoun and p.start < person.start
            ]
            person = named[-1] if named else person
        prev_person = [person]
        after = [m for m in insts if c_end <= m.start < clause_end]
        origin = None if chained else _origin_for(text, person, insts, s_start)
        dest: Mention | None = None
        from_mark = [
            m for m in insts if person.end <= m.end <= c_start and text[max(0, m.start - 1)] == "从"
        ]
        if kind == "found":
            # "成立了一家……的公司“灵枢科技”": the new company, by its quoted or stated name.
            company = _NEW_COMPANY.search(text, c_end, s_end)
            if (
                text.startswith("的", c_end)
                and not re.match(
                    r"的[\u4e00-\u9fff]{0,8}(?:公司|企业|实验室|研究院|机构)", text[c_end:s_end]
                )
                # "P创办的浮岚智能已完成融资": the company P founded, by its name
                and not any(m.start == c_end + 1 and not m.slug for m in insts)
            ):
                continue  # "公司新成立的具身智能业务": a founding that describes a unit
            named_after = [m for m in insts if c_end <= m.start < clause_end and not m.slug]
            if company is not None:
                name = company.group(1) or company.group(2)
                dest = Mention(company.start(), company.end(), name, aliases.slug_for(name))
            elif named_after:
                dest = named_after[0]  # "创办了AI硬件公司弦外科技": a new company, by its name
            else:
                # "云杉算力由A和B共同创立": the company is the subject of a passive.
                dest = next(
                    (m for m in insts if m.end < person.start and text.startswith("由", m.end)),
                    None,
                )
            if dest is None:
                continue
            origin = origin or _origin_for(text, person, insts, s_start)
        elif kind == "arrive":
            dest = after[0] if after else None
            if from_mark:
                origin = from_mark[-1]
                described = _origin_for(text, person, insts, s_start)
                if described and described.name.startswith(origin.name):
                    origin = described  # "原华为诺亚方舟实验室科学家X已从华为离开"
            if dest is None:
                # "已加入小红书，担任……": an organisation the index does not know, by its place.
                unknown = re.match(
                    r"([\u4e00-\u9fffA-Za-z]{2,8}?)(?=[，,。；;]|担任|出任|任职|负责|的)",
                    text[c_end:s_end],
                )
                if unknown and (
                    unknown.group(1).startswith(
                        ("了", "该", "本", "这", "其", "公司", "一家", "一个")
                    )
                    or unknown.group(1) in _GENERIC_ORGS
                    or unknown.group(1).endswith(("事宜", "团队", "一事"))
                    or re.search(r"洽谈|商谈|接触|讨论", text[max(s_start, c_start - 4) : c_start])
                ):
                    unknown = None
                if (
                    unknown
                    and not any(m.start <= c_end + unknown.end() and c_end < m.end for m in insts)
                    and text[c_start:c_end] in ("加入", "加盟", "入职", "转投")
                ):
                    name = unknown.group(1)
                    # "加入智元" after "智元机器人" was named: the short form of that company.
                    full = [a for a in aliases.entries if a.startswith(name) and a in text]
                    # "广达电脑宣布……加入广达": the company named in full elsewhere
                    suffixed = re.search(re.escape(name) + _COMPANY_SUFFIX, text)
                    if full:
                        name = max(full, key=len)
                    elif suffixed:
                        name = suffixed.group()
                    dest = Mention(c_end, c_end + len(name), name, aliases.slug_for(name))
            if dest is None:
                subjects = [
                    m
                    for m in insts
                    if m.end <= person.start and _SUBJECT_AFTER.match(text[m.end : m.end + 6])
                ]
                dest = subjects[0] if subjects else None
            if dest is None:
                continue
            if origin is not None and origin.slug == dest.slug:
                origin = None
            arrived = True
        else:
            from_mark = [
                m
                for m in insts
                if person.end <= m.end <= c_start and text[max(0, m.start - 1)] == "从"
            ]
            described = _origin_for(text, person, insts, s_start)
            if after:
                origin = after[0]
            elif from_mark:
                origin = from_mark[-1]
            if (
                origin is not None
                and described is not None
                and described.name != origin.name
                and described.name.startswith(origin.name)
            ):
                # "华为诺亚方舟实验室主任X已从华为离职": the lab, not the group, is the origin.
                origin = described
            elif origin is None and (
                re.match(r"公司|该公司", text[c_end : c_end + 3])
                or re.search(
                    r"(?:公司|该公司|其)[\u4e00-\u9fff]{0,8}$",
                    text[max(s_start, person.start - 10) : person.start],
                )
            ):
                # "离开公司", "公司首席科学家王浩然……卸任": the company just named.
                prior = [m for m in institutions_so_far + insts if m.start < c_start]
                origin = prior[-1] if prior else None
            if origin is None:
                continue
        if origin is not None and origin.start in consumed and kind == "arrive":
            origin = None
        for m in (origin, dest):
            if m is not None:
                consumed.add(m.start)
        group = _coordinated(people, person, text)
        year, month = _date_of(text, s_start, s_end)
        old = year is not None and published_year is not None and year < published_year
        if (
            old
            or _BACKGROUND_FRAME.search(text, max(s_start, c_start - 4), clause_end)
            or (
                _CAREER_BEFORE.search(text, s_start, c_start)
                and _NEXT_STEP.search(text, max(s_start, c_start - 4), c_start)
            )
        ):
            # "2019年从谷歌加入字节跳动": an old move told in passing is not news, but it names
            # the person's employer since then (and, for a stint, the year it began).
            if kind != "leave" and dest is not None:
                extras = {"pos": str(dest.start), "background": "1"}
                if old:
                    extras["year"] = str(year)
                    if month is not None:
                        extras["month"] = str(month)
                out.extend(
                    Candidate(p.name, index, dest, None, 0.5, False, prior=True, extras=extras)
                    for p in group
                )
            continue
        inherited: Mention | None = None
        previous: PersonMention | None = None
        for member in group:
            # "X的两名研究员A、B": a member described by nobody takes the employer of the
            # member before; "前X工程师A和前Y研究员B": each keeps their own.
            own = _origin_for(text, member, insts, s_start) if len(group) > 1 else None
            bare = previous is not None and text[previous.end : member.start] in "、和与及"
            member_origin = own or (inherited if bare or previous is None else None) or origin
            previous = member
            if (
                member is person
                and origin is not None
                and not (own and own.name.startswith(origin.name))
            ):
                member_origin = origin
            inherited = member_origin
            out.append(
                _cand(member, index, member_origin, dest, rumoured, text, s_start, s_end,
                      published_year)
            )  # fmt: skip
    return out


_CONTRASTED = re.compile(r"(?:不同|相反|相比|一样|类似)")
_COORD_GAP = re.compile(r"^(?:、|和|与|及|以及|同)[\u4e00-\u9fffA-Za-z0-9]{0,24}$")
_PARTNER_BEFORE = re.compile(r"(?:与|和|同)[\u4e00-\u9fffA-Za-z0-9]{0,12}$")
_PARTNER_AFTER = re.compile(r"^(?:一起|共同|联合|一同|携手)")
# "曾在卡内基梅隆大学任教，后加入微软研究院": the next step of a career told in the past.
_CAREER_BEFORE = re.compile(r"曾(?:先后|经)?(?:在|于|任|担任)|早年|此前")
_NEXT_STEP = re.compile(r"[，,](?:后|后来|随后|之后|再)(?:又)?$")
_BACKGROUND_FRAME = re.compile(
    r"在加入|加入.{1,12}(?:之前|以前|前[，,])|曾(?:先后|经)?(?:在|于|任|担任)|此前(?:曾|在|担任|任)|早年"
)


def _coordinated(
    people: list[PersonMention], person: PersonMention, text: str
) -> list[PersonMention]:
    """ "邹文博、任佳怡已于近日离职", "前阿里云专家宋涛和前阿里云算法专家罗晶共同创立": every
    person coordinated with the subject, each described in their own words."""
    group = [person]
    named = [p for p in people if not p.pronoun and p.end <= person.start]
    for p in reversed(named):
        gap = text[p.end : group[0].start]
        if not _COORD_GAP.match(gap):
            break
        group.insert(0, p)
    partner = _PARTNER_BEFORE.search(text, max(0, group[0].start - 13), group[0].start)
    if partner and _PARTNER_AFTER.match(text[person.end : person.end + 2]):
        # "她……与前同事马骏一起创立了": the subject before "与" founds it too.
        subject = [p for p in people if p.end <= partner.start()]
        if subject and subject[-1].name not in {g.name for g in group}:
            group.insert(0, subject[-1])
    return group


def _clause_end(text: str, pos: int, end: int) -> int:
    match = re.compile(r"[，,；;：:]").search(text, pos, end)
    return match.start() if match else end


def _origin_for(
    text: str, person: PersonMention, insts: list[Mention], s_start: int
) -> Mention | None:
    """The institution described as the person's own: "前OpenAI研究员X", "来自清华大学的X", "腾讯研究员X"."""
    for m in reversed([m for m in insts if m.end <= person.start]):
        gap = text[m.end : person.start]
        # a Latin word ("PixelDance团队研究员") counts as one character
        if len(re.sub(r"[A-Za-z0-9]+", "x", gap)) > 14 or re.search(
            r"[，,。；]|加入|离职|宣布|正在|洽谈|接触", gap
        ):
            continue
        return m
    return None


def _date_of(text: str, start: int, end: int) -> tuple[int | None, int | None]:
    match = _DATE.search(text, start, end)
    if match is None:
        return None, None
    if match.group(1):
        return int(match.group(1)), int(match.group(2)) if match.group(2) else None
    return None, int(match.group(3))


def _cand(
    person: PersonMention,
    index: int,
    origin: Mention | None,
    dest: Mention | None,
    rumoured: bool,
    text: str,
    s_start: int,
    s_end: int,
    published_year: int | None,
) -> Candidate:
    year, month = _date_of(text, s_start, s_end)
    if year is None and month is not None:
        year = published_year
    role_match = _ROLE.search(text, s_start, s_end)
    conf = 0.9 if origin and dest else 0.8
    if rumoured:
        conf = 0.4
    sentence = text[s_start:s_end]
    modality = "denied" if _DENIAL.search(sentence) else classify(sentence, sentence, chinese=True)
    return Candidate(
        person.name, index, origin, dest, conf, rumoured,
        role_match.group(1) if role_match else None, year, month, modality=modality,
    )  # fmt: skip


_QUOTED_ORG = re.compile(
    r"(?:名为|名叫|叫做|公司|新公司|品牌|创办了?|创立了?|成立了?|共同创办了?)[^，。；！？\n]{0,12}?"
    r"[“「\"]([\u4e00-\u9fffA-Za-z0-9]{2,12})[”」\"]"
)
_SHAPED_ORG = re.compile(
    r"(?:(?<=前)|(?<=原)|(?<=从)|(?<=来自)|(?<=加入)|(?<=加盟)|(?<=入职)|(?<=离开)|(?<=公司))"
    r"([\u4e00-\u9fff]{2,4}?(?:科技|智能|汽车|机器人|半导体|网络|集团))(?![\u4e00-\u9fff]{0,1}(?:公司|领域|行业|方向))"
)
"""A company the index does not know, by a suffix, where an employer stands: "前理想汽车
自动驾驶专家", "加入李未可科技"."""
_COMPANY_THEN_VERB = re.compile(
    r"(?<=公司)([\u4e00-\u9fffA-Za-z]{2,6}?)(?=近日|日前|今日|宣布|任命|聘任|完成|获得|迎来|正式|已经|已)"
)
"""A company named right after what it does, before its verb: "心理陪伴公司西湖心辰近日任命"."""
_HIRING_SUBJECT = re.compile(
    r"(?:^|(?<=[。！？\n，：]))([\u4e00-\u9fffA-Za-z]{2,6}?)(?:今日|今天|近日|日前|正式|已)?(?:宣布，?)?"
    r"(?=延揽|迎来|聘请|招揽|引进|官宣)"
)
"""An organisation as the subject of a hiring verb at the start of a clause: "蔚来近日迎来一位
新的技术负责人", "华硕今日宣布，延揽前微软研究员"."""
_COMPANY_SUFFIX = r"(?:电脑|科技|智能|集团|汽车|电子|机器人|半导体|网络|股份|控股)"
_DESCRIBED_ORG = re.compile(
    r"(?:加入|加盟|入职|转投|投身|创办|创立|创建|收购)了?(?:了|一家|一个)?[^，。；、“”「」]{0,14}?"
    r"(?:公司|企业|创企|初创|机构)([\u4e00-\u9fff]{2,6}?)(?=[，。、；]|出任|担任|任职|负责|工作|的|$)"
)
"""A company named right after what it is, where someone goes: "加入一家成立不久的初创公司
栖木智能，", "创办了AI硬件公司弦外科技。"."""
_NAMED_ORG = re.compile(
    r"(?:名为|名叫|叫做)([\u4e00-\u9fffA-Za-z]{2,8}?)的[\u4e00-\u9fffA-Za-z]{0,8}?(?:公司|企业|创企|机构|实验室)"
)
"""A company introduced by its name: "一家名为嘉禾的初创公司"."""
_FOUNDED_THEN_NAME = re.compile(
    r"(?:创办|创立|创建|成立|孵化)的([\u4e00-\u9fff]{2,6}?)(?=已|近日|日前|今日|完成|获得?|宣布|正式|，)"
)
"""A company after a founder's clause: "原X负责人P创办的浮岚智能已完成……融资"."""
_FROM_UNKNOWN = re.compile(
    r"从([\u4e00-\u9fffA-Za-z]{2,8}?)(?=离职|辞职|出走|离开|跳槽|加入|加盟|来到)"
)


_NOT_A_NAME_START = (
    "了",
    "该",
    "本",
    "这",
    "其",
    "公司",
    "学校",
    "原",
    "前",
    "一家",
    "一个",
    "一所",
    "某",
    "那家",
    "多家",
    "两家",
)


def new_organisations(text: str, aliases: AliasTable) -> list[str]:
    """Organisations an article introduces by their shape, not in the alias table: a quoted
    name after a founding word ("新公司名为“衡宇科技”", "机器人公司“踏浪智能”"), or the place
    someone left from ("从理想汽车离职"). Every later mention of them then resolves."""
    names: list[str] = []
    for match in _QUOTED_ORG.finditer(text):
        names.append(match.group(1))
    for match in [
        *_FROM_UNKNOWN.finditer(text),
        *_SHAPED_ORG.finditer(text),
        *_COMPANY_THEN_VERB.finditer(text),
        *_HIRING_SUBJECT.finditer(text),
        *_DESCRIBED_ORG.finditer(text),
        *_NAMED_ORG.finditer(text),
        *_FOUNDED_THEN_NAME.finditer(text),
    ]:
        name = match.group(1)
        if (
            name in _GENERIC_ORGS
            # "加入一家具身智能创业公司": 一家 ("a company of that kind") is not a name
            or name.startswith(_NOT_A_NAME_START)
            or (aliases.pattern is not None and aliases.pattern.search(name))
        ):
            continue
        names.append(name)
    # "广达延揽……广达电脑宣布": the name in full, where the article also gives it, so that
    # every short mention resolves to it
    names += [
        full.group()
        for name in names
        if (full := re.search(re.escape(name) + _COMPANY_SUFFIX, text)) is not None
    ]
    known = set(aliases.entries)
    return [n for n in dict.fromkeys(names) if n not in known and n not in _GENERIC_ORGS]


_CONFIRMATION = re.compile(r"(?<![未尚没])(?:确认|证实|确有其事|官宣)")
_WORKED_AT = re.compile(r"在(?P<org>#+)(?:工作|任职|任教|待了|担任|从事)")


def settle_modality(
    candidates: list[Candidate],
    text: str,
    sentences: list[tuple[int, int]],
    people: list[PersonMention],
) -> None:
    """What the rest of the article says of a move told earlier: "阿里方面已向36氪确认了这一
    消息" makes the rumour before it a confirmed move; "消息不实，X仍在带领团队" makes the
    moves of X told before it a denial (a denial naming nobody denies only rumours)."""
    for cand in candidates:
        if cand.modality == "side_post" and cand.destination is None:
            # "因个人原因卸任，但将继续担任公司顾问": the post kept is beside a departure,
            # which is still one
            start, end = sentences[cand.sentence]
            plain = ZH_SIDE_POST.sub("", text[start:end])
            cand.modality = classify(plain, plain, chinese=True)
    for index, (start, end) in enumerate(sentences):
        sentence = text[start:end]
        named = {p.name for p in people if start <= p.start < end and not p.pronoun}
        denial = _DENIAL.search(sentence)
        if denial:
            # "其中A和B已经入职；C目前仍在X任职": a clause that denies naming someone denies
            # only them, not the others the sentence names
            c_start = max((m.end() for m in re.finditer(r"[；;，,]", sentence[: denial.start()])),
                          default=0)  # fmt: skip
            c_end = next(
                (m.start() for m in re.finditer(r"[；;，,]", sentence[denial.end() :])), None
            )
            c_end = len(sentence) if c_end is None else denial.end() + c_end
            in_clause = {
                p.name
                for p in people
                if start + c_start <= p.start < start + c_end and not p.pronoun
            }
            named = in_clause or named
        if denial:
            for cand in candidates:
                if cand.prior or cand.modality == "denied":
                    continue
                # "相关传闻不实，X仍在公司工作。此前有自媒体称，X已离职": a rumour of X told after
                # the denial is denied too; a firm report only when told before it.
                later_rumour = cand.sentence > index and cand.modality in RUMOUR_MODALITIES
                if cand.sentence >= index and not later_rumour:
                    continue
                if (cand.person in named and (cand.sentence < index or later_rumour)) or (
                    not named and cand.modality in RUMOUR_MODALITIES and cand.sentence < index
                ):
                    cand.modality = "denied"
                    cand.rumoured = False
        elif _CONFIRMATION.search(sentence):
            for cand in candidates:
                if cand.prior or cand.sentence > index or cand.modality != "rumour":
                    continue
                if not named or cand.person in named:
                    cand.modality = "confirmed"
                    cand.rumoured = False
                    cand.confidence = 0.9 if cand.origin and cand.destination else 0.8


def document_priors(
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    people: list[PersonMention],
) -> list[Candidate]:
    """Employers the article gives people outside any move: "前OpenAI研究员X", "腾讯研究员X",
    "在商汤工作了九年的X", "X在网易工作了七年". A move whose own sentence names no origin takes
    the latest of them."""
    out: list[Candidate] = []
    for index, (start, end) in enumerate(sentences):
        insts = find_institutions(text, start, end, aliases)
        named = [p for p in people if start <= p.start < end and not p.pronoun]
        for person in named:
            org = _origin_for(text, person, insts, start)
            if org is not None:
                out.append(
                    Candidate(person.name, index, org, None, 0.5, False, prior=True,
                              extras={"pos": str(org.start)})
                )  # fmt: skip
        masked = list(text[start:end])
        for m in insts:
            for i in range(m.start - start, m.end - start):
                masked[i] = "#"
        for match in _WORKED_AT.finditer("".join(masked)):
            org = next(m for m in insts if m.start - start == match.start("org"))
            before = [p for p in named if p.end <= start + match.start()]
            after = [p for p in named if p.start >= start + match.end()]
            # "在商汤科技工作了九年的田野": the person follows; "董浩在网易工作了七年": precedes.
            if text.startswith("的", start + match.end() + 2) or (
                after and not before and after[0].start - (start + match.end()) <= 8
            ):
                subject = after[:1]
            else:
                subject = before[-1:]
            if not subject:
                earlier = [p for p in people if p.start < start and not p.pronoun]
                subject = earlier[-1:]
            out.extend(
                Candidate(p.name, index, org, None, 0.5, False, prior=True,
                          extras={"pos": str(org.start)})
                for p in subject
            )  # fmt: skip
    return out


_COFOUNDER_AFTER = re.compile(r"(?:是|为|担任)(?:公司的?)?联合创始人")
_COFOUNDER_BEFORE = re.compile(
    r"(?:联合创始人|共同创办人|共同创始人)(?:还|也)?(?:分别)?(?:包括|有|是|为)[^，。；]{0,16}$"
)
_WITH_PARTNER = re.compile(r"[，,](?:并|再|后)?(?:与|和|同)[^，。；]{0,20}$")
_FOUNDER_TITLE = re.compile(
    r"(?:^\s*|[，。：、]|公司)(?P<org>[\u4e00-\u9fffA-Za-z0-9]{0,8}?)(?:联合)?创始人"
    r"(?:兼(?:CEO|CTO|COO|首席[\u4e00-\u9fff]{2,5}|[\u4e00-\u9fff]{2,4}))?$"
)
_FOUNDED_IN = re.compile(
    r"(?:成立|创立|创办|创建)于(?:19|20)\d\d|(?:19|20)\d\d年(?:\d{1,2}月)?(?:成立|创立|创办)"
)
_JOINS_THE_COMPANY = re.compile(
    r"(?:全职)?加入(?:了)?(?:公司|该公司|团队)?(?=[，。；,]|担任|出任|任|$)"
)


def founding_partners(
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    people: list[PersonMention],
    candidates: list[Candidate],
) -> list[Candidate]:
    """ "深空智能联合创始人还包括前清华大学助理教授韩雪", "覃思雨是联合创始人", "宋嘉禾……全职加入":
    in an article about a company founded by someone, its other founders and the people who
    "join" with no object join that company."""
    out: list[Candidate] = []
    for cand in candidates:
        # "A于3月离职，与原B研究员C联合创立“X”": A, the subject before the partner, founded X.
        if cand.prior or cand.destination is None:
            continue
        start, end = sentences[cand.sentence]
        named = [p for p in people if start <= p.start < end and not p.pronoun]
        partner = next((p for p in named if p.name == cand.person), None)
        if partner is None:
            continue
        before = [p for p in named if p.end <= partner.start and p.name != cand.person]
        if (
            before
            and _WITH_PARTNER.search(text, before[-1].end, partner.start)
            and _FOUND.search(text, partner.end, end)
        ):
            out.append(
                Candidate(before[-1].name, cand.sentence, None, cand.destination, cand.confidence,
                          cand.rumoured, modality=cand.modality, kind="found")
            )  # fmt: skip
    founded = [
        c.destination
        for c in candidates
        if not c.prior and c.destination is not None and not c.destination.slug
    ]
    if not founded:
        return out + _titled_founders(text, sentences, aliases, people, candidates)
    company = founded[0]
    for index, (start, end) in enumerate(sentences):
        named = [p for p in people if start <= p.start < end and not p.pronoun]
        if not named:
            continue
        for person in named:
            if _COFOUNDER_AFTER.match(text, person.end) or _COFOUNDER_BEFORE.search(
                text, max(start, person.start - 24), person.start
            ):
                out.append(Candidate(person.name, index, None, company, 0.8, False))
        for match in _JOINS_THE_COMPANY.finditer(text, start, end):
            subject = [p for p in people if start <= p.start < match.start() and not p.pronoun]
            if not subject:
                continue
            if re.search(
                r"(?:不|未|没有|将|会)[^，。]{0,6}$", text[subject[-1].end : match.start()]
            ):
                continue
            out.append(Candidate(subject[-1].name, index, None, company, 0.8, False))
    return out


def _titled_founders(
    text: str,
    sentences: list[tuple[int, int]],
    aliases: AliasTable,
    people: list[PersonMention],
    candidates: list[Candidate],
) -> list[Candidate]:
    """ "具身智能公司青穹智能完成融资……公司创始人兼CEO乔安澜此前在谷歌DeepMind工作": in an article
    about a new company (one the index does not know, named in the headline or lede), a person
    titled its founder, with no move of their own, founded it; where they came from is what the
    article says of them."""
    lede = [
        m
        for a, b in sentences[:3]
        for m in find_institutions(text, a, b, aliases)
        if not m.slug and m.name
    ]
    if not lede or _FOUNDED_IN.search(text):
        return []  # "成立于2024年": a founding the article dates is background, not news
    company = lede[0]
    # a founder told only leaving ("今年年中离职") still has the company as the destination
    moving = {c.person for c in candidates if not c.prior and c.destination is not None}
    out: list[Candidate] = []
    for index, (start, end) in enumerate(sentences):
        for person in (p for p in people if start <= p.start < end and not p.pronoun):
            if person.name in moving:
                continue
            title = _FOUNDER_TITLE.search(text[start : person.start])
            # "衔蝉科技另一位联合创始人滕若溪": another of the company's founders
            org = (
                re.sub(r"(?:的)?(?:另一位|另一名|另外一位|另一|其他)$", "", title.group("org"))
                if title
                else ""
            )
            if title is None or org not in ("", "公司", "该公司", company.name):
                continue
            out.append(Candidate(person.name, index, None, company, 0.8, False, kind="found"))
            moving.add(person.name)
    return out
