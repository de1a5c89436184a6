"""Plan (P) rules: committee size, candidate ratios, the funnel, the meeting type, the order."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .engine import PREFIX, evaluate, evaluate_one
from .model import ORG_TYPES, POSTS, PostFunnel, Profile, RuleViolation
from .profile import STAGES, per_seat_minimum

_PLAN = PREFIX + "plan"
_STAGE_ZH = {"shortlist": "初步人选", "inspected": "考察人选", "candidates": "候选人", "seats": "应选名额"}
_POST_ZH = {"secretary": "书记", "deputy_secretary": "副书记", "member": "委员"}


def congress_order(profile: Profile) -> list[str]:
    """P7: the posts the congress elects, in order. ``direct`` (nanjing): secretary, deputies,
    members; ``plenary`` (national): members only — the first plenary of the new committee
    elects secretary and deputies from among them (see :func:`plenary_posts`)."""
    if profile["congress_order"] == "direct":
        return ["secretary", "deputy_secretary", "member"]
    return ["member"]


def plenary_posts(profile: Profile) -> list[str]:
    """P7: posts the new committee's first plenary elects (empty for ``direct``)."""
    return [] if profile["congress_order"] == "direct" else ["secretary", "deputy_secretary"]


def term_years(profile: Profile) -> int:
    """P6: term of office in years."""
    return int(profile["term_years"])


def validate_plan(
    profile: Profile,
    org_type: str,
    full_members: int,
    posts: Mapping[str, PostFunnel],
    voting_members: int | None = None,
    *,
    meeting: str = "members",
    delegates: int | None = None,
    scattered_units: bool = False,
) -> list[RuleViolation]:
    """P1–P5. Returns every violation found (empty list = valid).

    ``voting_members`` (members with the right to vote, default ``full_members``) decides P5;
    ``meeting`` is ``"members"`` or ``"delegates"`` (P5) and ``delegates`` the delegates'
    number for a delegates' meeting; ``scattered_units`` allows a delegates' meeting below the
    member threshold (P5's "scattered units"). Posts with 0 seats are treated as absent.
    """
    out: list[RuleViolation] = []
    if org_type not in ORG_TYPES:
        out.append(RuleViolation("P1", "org_type", org_type,
                                 f"未知组织类型 / unknown organization type (one of {', '.join(ORG_TYPES)})"))
        return out
    active: dict[str, PostFunnel] = {}
    for post, funnel in posts.items():
        if post not in POSTS:
            out.append(RuleViolation("P1", f"posts.{post}", post,
                                     f"未知职务 / unknown post (one of {', '.join(POSTS)})"))
        elif funnel.seats < 0:
            out.append(RuleViolation("P1", f"posts.{post}.seats", funnel.seats,
                                     "应选名额不能为负 / seats cannot be negative"))
        elif funnel.seats > 0:
            active[post] = funnel
    if out:
        return out

    out += _p1(profile, org_type, full_members, active)
    out += _p2_p3_p4(profile, active)
    out += _p5(profile, full_members if voting_members is None else voting_members,
               meeting, delegates, scattered_units)
    return out


def _p1(profile: Profile, org_type: str, full_members: int,
        posts: dict[str, PostFunnel]) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    threshold = profile["branch_committee_min_members"]
    small = org_type == "branch" and evaluate_one(
        _PLAN, {"q": "P1_small", "full_members": full_members, "threshold": threshold}
    ) == "small"
    direct = profile["congress_order"] == "direct"
    sec = posts.get("secretary")
    if sec is not None and sec.seats != 1:
        out.append(RuleViolation("P1", "posts.secretary.seats", sec.seats,
                                 "书记只设一名 / exactly one secretary seat"))
    if small:
        if "member" in posts:
            out.append(RuleViolation(
                "P1", "posts.member.seats", posts["member"].seats,
                f"正式党员不足{threshold}人的支部不设委员会 / a branch with fewer than {threshold}"
                f" full members ({full_members}) has no committee: secretary and at most one deputy"))
        if sec is None:
            out.append(RuleViolation("P1", "posts.secretary", None,
                                     "须选举书记 / a secretary must be elected"))
        dep = posts.get("deputy_secretary")
        if dep is not None and evaluate_one(
            _PLAN, {"q": "range", "value": dep.seats, "low": 0, "high": 1}
        ) != "pass":
            out.append(RuleViolation("P1", "posts.deputy_secretary.seats", dep.seats,
                                     "不设委员会的支部至多选一名副书记 / at most one deputy without a"
                                     " committee"))
        return out

    if direct and sec is None:
        out.append(RuleViolation("P1", "posts.secretary", None,
                                 "须选举书记 / a secretary must be elected"))
    if "member" not in posts and not direct:
        out.append(RuleViolation("P1", "posts.member", None,
                                 "须选举委员 / committee members must be elected"))
        return out
    size = sum(f.seats for f in posts.values()) if direct else posts["member"].seats
    low, high = profile["committee_size"][org_type]
    decision = evaluate_one(_PLAN, {"q": "range", "value": size, "low": low, "high": high})
    if decision != "pass":
        out.append(RuleViolation(
            "P1", "committee_size", size,
            f"委员会人数应为{low}至{high}人（书记、副书记、委员名额合计） / committee size for"
            f" {org_type} must be {low}–{high} (all seats incl. secretary and deputies)"))
    return out


def _p2_p3_p4(profile: Profile, posts: dict[str, PostFunnel]) -> list[RuleViolation]:
    facts: list[dict[str, Any]] = []
    meta: list[tuple[str, str, int, str]] = []  # (rule, field, value, message)

    member = posts.get("member")
    if member is not None:
        need = max(per_seat_minimum("1.2", member.seats), member.seats + 1)
        facts.append({"q": "P2", "candidates_x5": member.candidates * 5,
                      "candidates": member.candidates, "seats": member.seats})
        meta.append(("P2", "posts.member.candidates", member.candidates,
                     "委员候选人数应多于应选名额并不少于应选名额的120% / member candidates must"
                     f" exceed seats by at least 20% (need >= {need})"))

    if profile["contested_stages"]:
        for post, pf in posts.items():
            chain = [("shortlist", pf.shortlist), ("inspected", pf.inspected),
                     ("candidates", pf.candidates), ("seats", pf.seats)]
            for (upper, uv), (lower, lv) in zip(chain, chain[1:], strict=False):
                facts.append({"q": "P3", "upper": uv, "lower": lv})
                meta.append(("P3", f"posts.{post}.{upper}", uv,
                             f"{_POST_ZH[post]}{_STAGE_ZH[upper]}应多于{_STAGE_ZH[lower]}（全程差额）"
                             f" / {post} {upper} must exceed {lower} ({lv}): every stage"
                             " contested"))

    for post in profile["funnel_minimum_posts"]:
        fp = posts.get(post)
        if fp is None:
            continue
        shape = profile["funnel"][post]
        for stage in STAGES:
            minimum = per_seat_minimum(shape[stage], fp.seats)
            value = getattr(fp, stage)
            facts.append({"q": "min", "value": value, "minimum": minimum})
            meta.append(("P4", f"posts.{post}.{stage}", value,
                         f"{_POST_ZH[post]}{_STAGE_ZH[stage]}每名额不少于{shape[stage]}人 /"
                         f" {post} {stage} must be at least {shape[stage]} per seat"
                         f" (need >= {minimum})"))

    decisions = evaluate(_PLAN, facts)
    return [RuleViolation(rule, field, value, message)
            for (rule, field, value, message), d in zip(meta, decisions, strict=True)
            if d != "pass"]


def _p5(profile: Profile, members: int, meeting: str,
        delegates: int | None, scattered: bool) -> list[RuleViolation]:
    out: list[RuleViolation] = []
    threshold = profile["delegates_min_members"]
    decision = evaluate_one(_PLAN, {"q": "P5", "meeting": str(meeting), "members": members,
                                    "delegates_min_members": threshold,
                                    "scattered": bool(scattered)})
    if decision == "fail:kind":
        return [RuleViolation("P5", "meeting", meeting, "会议类型应为党员大会或党员代表大会 /"
                              " meeting must be 'members' or 'delegates'")]
    if decision != "pass":
        out.append(RuleViolation("P5", "meeting", meeting,
                                 f"党员不足{threshold}人，应召开党员大会 / fewer than {threshold}"
                                 f" members ({members}): a members' meeting elects"))
    if meeting == "delegates":
        low, high = profile["delegates_min"], profile["delegates_max"]
        if delegates is None or evaluate_one(
            _PLAN, {"q": "range", "value": delegates, "low": low, "high": high}
        ) != "pass":
            out.append(RuleViolation("P5", "delegates", delegates,
                                     f"代表名额应为{low}至{high}名 / delegates must number"
                                     f" {low}–{high}"))
    return out
