"""The domain vocabulary every component shares: posts, member statuses, channels, stages,
meeting kinds, the eight steps with their Chinese names, roles. The one place these are
spelled; everything else imports them from here (docs/design.md has the glossary)."""

from __future__ import annotations

from enum import StrEnum


class Post(StrEnum):
    SECRETARY = "secretary"  # 书记
    DEPUTY_SECRETARY = "deputy_secretary"  # 副书记
    MEMBER = "member"  # 委员


#: the posts in the order the congress elects them (P7, nanjing order)
POSTS: tuple[str, ...] = tuple(p.value for p in Post)
POST_ZH: dict[str, str] = {"secretary": "书记", "deputy_secretary": "副书记", "member": "委员"}

#: a ballot section's choices for one candidate (M4)
CHOICES: tuple[str, ...] = ("for", "against", "abstain")

#: the rule profile an election uses when none is named
DEFAULT_PROFILE = "nanjing"


class MemberStatus(StrEnum):
    FULL = "full"  # 正式党员
    PROBATIONARY = "probationary"  # 预备党员
    DISCIPLINE = "discipline"  # 留党察看
    SUSPENDED = "suspended"  # 中止权利 / 留置
    GUEST_MEMBER = "guest_member"  # 驻区单位党员
    RESIDENT = "resident"  # 群众


STATUSES: tuple[str, ...] = tuple(s.value for s in MemberStatus)


class Channel(StrEnum):
    ORGANIZATION = "organization"  # 组织推荐
    SELF = "self"  # 个人自荐
    JOINT = "joint"  # 党员群众联名举荐


CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)

ORG_TYPES: tuple[str, ...] = ("branch", "general_branch", "committee")


class Stage(StrEnum):
    REGISTERED = "registered"
    REJECTED = "rejected"
    QUALIFIED = "qualified"
    SHORTLISTED = "shortlisted"
    INSPECTED = "inspected"
    CANDIDATE = "candidate"
    ELECTED = "elected"
    APPROVED = "approved"
    FILED = "filed"
    DROPPED = "dropped"


#: what the notice board publishes (公示, O1): the announcement, then the four lists that take
#: objections during their period
NOTICE_KINDS: tuple[str, ...] = ("announcement", "registrants", "shortlist", "candidates",
                                 "results")
OBJECTABLE_NOTICES: tuple[str, ...] = NOTICE_KINDS[1:]
NOTICE_ZH: dict[str, str] = {"announcement": "选举公告", "registrants": "报名人选公示",
                             "shortlist": "初步人选公示", "candidates": "候选人预备人选公示",
                             "results": "选举结果公告"}


#: the organization's committee by its type (P1)
ORG_ZH: dict[str, str] = {"branch": "支部委员会", "general_branch": "总支部委员会",
                          "committee": "委员会"}
#: the meetings, and the kinds of round, as their papers and screens name them
MEETING_ZH: dict[str, str] = {"recommendation": "公推大会", "committee": "差额票决会议",
                              "congress": "党员大会", "plenary": "委员会全体会议"}
ROUND_ZH: dict[str, str] = {"recommendation": "推荐", "trust": "信任投票", "regular": "正式选举",
                            "repeat": "重新投票", "tie": "再次投票", "additional": "另行选举"}


class MeetingKind(StrEnum):
    RECOMMENDATION = "recommendation"  # 公推大会
    COMMITTEE = "committee"  # 差额票决
    CONGRESS = "congress"  # 党员大会


# The eight steps: number, code name, Chinese name.
STEPS: tuple[tuple[int, str, str], ...] = (
    (1, "plan", "制订方案"),
    (2, "publish", "发布信息"),
    (3, "nominate", "报名与资格审查"),
    (4, "recommend", "公推与信任投票"),
    (5, "inspect", "组织考察"),
    (6, "committee", "差额票决"),
    (7, "elect", "差额选举"),
    (8, "report", "报批备案"),
)
STEP_NAMES: dict[int, str] = {n: name for n, name, _ in STEPS}
STEP_ZH: dict[int, str] = {n: zh for n, _, zh in STEPS}

ROLES: tuple[str, ...] = (
    "district_admin",
    "street_committee",
    "community_office",
    "approver",
    "supervisor",
    "member",
    "resident",
    "system",
)
