"""The rule table as data (docs/rules.md is generated from it), for decisions, errors and
`gongtui rules explain`."""

from __future__ import annotations

from typing import Any

from .model import Profile, RuleRow

# (id, zh / en text, kind, source, parameter names)
_ROWS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    (
        "E1",
        "只有本社区党组织的正式党员有表决权、选举权和被选举权；预备党员、留党察看和被中止权利的党员不能选举和被选举"
        " / Only full members of the community's own organization vote at the congress and may"
        " stand; probationary, disciplined (留党察看) and suspended members may neither vote nor stand.",
        "N",
        "2020 条例 第5条",
        (),
    ),
    (
        "E2",
        "应到会人数为有选举权的党员，经上级党组织同意可不计入：丧失行为能力、自费出国半年以上、服刑、"
        "长期卧床、外出半年以上未转组织关系；每项须记录事由"
        " / Expected attendance counts every voting member except those excluded with the higher"
        " committee's consent (mentally unable, abroad over 6 months, serving a sentence, bedridden,"
        " away over 6 months without transfer); each exclusion records its reason.",
        "N",
        "2020 条例",
        ("exclusion_reasons",),
    ),
    (
        "E3",
        "规则配置可增加候选人条件（党龄、年龄、居住）；默认无"
        " / A profile may add candidate conditions (party standing, age band, residence); none by"
        " default.",
        "L/I",
        "local practice",
        ("min_party_years", "min_age", "max_age", "require_residence"),
    ),
    (
        "E4",
        "驻区单位党员和群众参加公推大会、投信任票，不参加选举大会表决；群众可联名举荐"
        " / Guest members and residents attend the recommendation meeting and cast trust ballots;"
        " they never vote at the congress. Residents may co-sign joint nominations.",
        "L",
        "Nanjing 公推直选",
        (),
    ),
    (
        "NM1",
        "组织推荐、个人自荐、党员群众联名举荐三种渠道"
        " / Three channels: organization, self, joint.",
        "L",
        "Nanjing 公推直选",
        ("channels",),
    ),
    (
        "NM2",
        "联名举荐须有不少于规定人数的联名人，其中正式党员不少于规定人数；联名人属本社区，不得联名推荐自己，"
        "每人每职务限联名一次，撤回的联名不计"
        " / A joint nomination needs enough distinct co-signers of whom enough are full members;"
        " co-signers belong to the community; nobody co-signs their own nomination; one"
        " co-signature per person per post; withdrawn co-signatures do not count.",
        "L/I",
        "no Nanjing figure found; 10 members is a Wujiang figure",
        ("joint_min_cosigners", "joint_min_member_cosigners"),
    ),
    (
        "NM3",
        "只在报名期内受理报名，每人每职务限报一次，可报多个职务"
        " / Registrations only inside the nomination window, one per person per post; a person may"
        " register for several posts.",
        "L",
        "Nanjing 公推直选",
        ("nomination_days",),
    ),
    (
        "NM4",
        "资格审查：自动审查E1、E3，再由街道党工委对每名报名人作出有理由的决定"
        " / Qualification review: automatic checks E1 and E3, then a recorded decision with a"
        " reason by the street committee for each registrant.",
        "L",
        "Nanjing 公推直选",
        (),
    ),
    (
        "P1",
        "委员会人数：支部3至5人、不超过7人；总支5至7人、不超过9人；党委5至9人。正式党员不足7人的支部不设委员会，"
        "只选书记，必要时增选一名副书记"
        " / Committee size by organization type: branch 3–5, at most 7; general branch 5–7, at"
        " most 9; Party committee 5–9. A branch with fewer than 7 full members elects a secretary"
        " and, if needed, one deputy.",
        "N",
        "2020 条例; 支部工作条例 2018",
        ("committee_size", "branch_committee_min_members"),
    ),
    (
        "P2",
        "委员候选人数应多于应选名额并不少于应选名额的120%（向上取整）"
        " / Committee-member candidates ≥ seats + 20 %, rounded up, and more than the seats.",
        "N",
        "2020 条例 第13条",
        (),
    ),
    (
        "P3",
        "普遍差额、全程差额：初步人选 > 考察人选 > 候选人 > 应选名额"
        " / Every post contested at every stage: shortlist > inspected > candidates > seats.",
        "L",
        "Nanjing 公推直选",
        ("contested_stages",),
    ),
    (
        "P4",
        "南京书记职位每名额：初步人选不少于4人、考察3人、候选人2人；副书记同样"
        " / Nanjing funnel per secretary seat: shortlist ≥ 4, inspected 3, candidates 2; deputies"
        " follow the same shape.",
        "L",
        "Nanjing 公推直选 (seed)",
        ("funnel", "funnel_minimum_posts"),
    ),
    (
        "P5",
        "召开党员大会选举；党员500人以上或驻地分散的可召开党员代表大会（代表100至200名，最多300名）"
        " / A members' meeting elects; a delegates' meeting only with 500 or more members or"
        " scattered units (100–200 delegates, at most 300).",
        "N",
        "2020 条例",
        ("delegates_min_members", "delegates_min", "delegates_max"),
    ),
    (
        "P6",
        "社区党组织每届任期5年 / Term of a community organization: 5 years.",
        "N",
        "支部工作条例 2018",
        ("term_years",),
    ),
    (
        "P7",
        "选举顺序：南京由党员大会依次直接选举书记、副书记、委员，当选者退出后续选举；全国规定由党员大会选举委员，"
        "新委员会第一次全体会议选举书记、副书记"
        " / Congress order: nanjing elects secretary, deputies, then members directly (a person"
        " elected leaves later ballots); national: the congress elects members and the first"
        " plenary elects secretary and deputies.",
        "L/N",
        "Nanjing (seed) / 2020 条例 第20条",
        ("congress_order",),
    ),
    (
        "M1",
        "选举大会实到会有选举权的党员须超过应到会人数的五分之四"
        " / Congress quorum: voting members present × 5 > expected × 4.",
        "N",
        "2020 条例",
        (),
    ),
    (
        "M2",
        "收回选票多于发出选票，该次选举无效，应重新选举"
        " / A round whose returned ballots outnumber the issued ballots is void and held again.",
        "N",
        "2020 条例",
        (),
    ),
    (
        "M3",
        "某一职务所选人数多于应选名额的选票无效，等于或少于的有效"
        " / A ballot section marking more names than the seats of that post is invalid.",
        "N",
        "2020 条例",
        (),
    ),
    (
        "M4",
        "对候选人可投赞成、不赞成或弃权；投不赞成票者方可另选他人"
        " / Each candidate gets for / against / abstain; a write-in is allowed only beside an"
        " against.",
        "N",
        "2020 条例 第25条",
        (),
    ),
    (
        "M5",
        "赞成票超过实到会有选举权人数的半数始得当选；恰好半数不当选"
        " / Elected: for-votes × 2 > voting members present. Exactly half fails.",
        "N",
        "2020 条例",
        (),
    ),
    (
        "M6",
        "超过半数者多于应选名额时按得票多少当选；末位票数相等时仅就票数相等者再次投票"
        " / More passing than seats: take them by votes; a tie at the last seat is voted again"
        " among the tied only.",
        "N",
        "2020 条例",
        (),
    ),
    (
        "M7",
        "当选人数少于应选名额时，在未当选人中另行选举，仍须过半数；超过规定轮数交街道党工委"
        " / Fewer elected than seats: an additional round for the unfilled seats among those not"
        " elected, under M5 again; after the allowed rounds the post goes back to the street"
        " committee.",
        "N/I",
        "2020 条例; rounds limit our reading",
        ("max_additional_rounds",),
    ),
    (
        "M8",
        "公推大会：本社区正式党员投推荐票（每职务不超过名额数），其他到会人员投信任票；两类人员均记录到会"
        " / Recommendation meeting: own full members cast recommendation ballots (at most seats"
        " marks per post); everyone else present casts trust ballots; attendance recorded for"
        " both.",
        "L",
        "Nanjing 公推直选",
        (),
    ),
    (
        "M9",
        "按推荐票多少确定初步人选；在截止位票数相同者均保留"
        " / Shortlist: the top persons by recommendation votes; persons tied at the cut are all"
        " kept.",
        "L/I",
        "Nanjing 公推直选",
        ("funnel",),
    ),
    (
        "M10",
        "信任票须过半数方保留在初步人选中，依次递补"
        " / Trust threshold: a person stays on the shortlist only if trust votes × 2 > trust"
        " ballots cast; the next-ranked moves up.",
        "L",
        "玄武区 信任投票必须过半数 (seed)",
        ("trust_threshold",),
    ),
    (
        "M11",
        "街道党工委差额票决：到会超过三分之二；赞成票超过全体成员半数为通过；按得票取前若干名；末位票数相同者再次票决"
        " / Street committee vote: more than two-thirds present; pass with for-votes × 2 >"
        " membership; the top of those passing; a tie at the cut is voted again among the tied.",
        "L/I",
        "Nanjing 公推直选",
        ("committee_quorum_num", "committee_quorum_den"),
    ),
    (
        "M12",
        "无记名投票，不得委托投票；监票人不得为候选人；候选人按姓氏笔画排列，书记、副书记按上级批准顺序；"
        "当场计票、当场宣布"
        " / Secret ballot, no proxy; scrutineers are not candidates; names by surname stroke"
        " order, secretary and deputies as approved; counted and announced on the spot.",
        "N",
        "2020 条例",
        (),
    ),
    (
        "A1",
        "书记、副书记报上级党组织批准，委员报上级备案"
        " / Secretary and deputies are approved by the higher committee; members are filed.",
        "N",
        "党章 第31条",
        (),
    ),
    (
        "A2",
        "未获批准的职务重新选举（不含被否决者）：考察人选仍不少于候选人数时回到差额票决，否则回到公推"
        " / A rejected post is elected again without the rejected person: back to the committee"
        " vote when at least `candidates` inspected persons remain, otherwise back to the"
        " recommendation meeting; a new congress session elects the post.",
        "I",
        "our reading",
        (),
    ),
    (
        "A3",
        "审批机关只审批其所属党委管辖的社区"
        " / An approver decides only for the communities under its own committee.",
        "I",
        "our reading",
        (),
    ),
    (
        "O1",
        "报名人选、初步人选、候选人预备人选和选举结果分别公示，公示期不计暂停时间"
        " / The registrant list, the shortlist, the prospective candidates and the results are"
        " each published for the notice period; paused time does not count.",
        "L/I",
        "Nanjing 公推直选",
        ("notice_days",),
    ),
    (
        "O2",
        "公示期内的异议使相关人员暂停，待街道党工委决定：成立则退出后续各环节，不成立则继续"
        " / An objection during a notice period holds the person until the street committee"
        " decides: upheld removes the person from every later stage, dismissed lets them go on.",
        "L/I",
        "Nanjing 公推直选",
        (),
    ),
)

RULE_IDS: tuple[str, ...] = tuple(r[0] for r in _ROWS)
_SWITCHES = {"P3": "contested_stages", "M10": "trust_threshold"}


def _active(profile: Profile, rule_id: str, kind: str) -> bool:
    if rule_id in _SWITCHES:
        return bool(profile.get(_SWITCHES[rule_id]))
    if rule_id == "P4":
        return bool(profile.get("funnel_minimum_posts"))
    if rule_id in ("NM2", "P7") or not kind.startswith("L"):
        return True
    return bool(profile.get("local_practice"))


def rule_table(profile: Profile) -> list[RuleRow]:
    """Every row of the rule table with the values ``profile`` gives its parameters."""
    rows = []
    for rule_id, text, kind, source, names in _ROWS:
        params: dict[str, Any] = {n: profile.get(n) for n in names}
        rows.append(RuleRow(rule_id, text, kind, source, params, _active(profile, rule_id, kind)))
    return rows


def rule_text(rule_id: str) -> str:
    for row in _ROWS:
        if row[0] == rule_id:
            return row[1]
    raise KeyError(rule_id)
