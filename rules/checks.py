"""Eligibility (E), nomination (NM), approval (A) and notice (O) decisions."""

from __future__ import annotations

from collections.abc import Sequence

from .engine import PREFIX, evaluate, evaluate_one
from .model import POSTS, STATUSES, Cosigner, PersonFacts, Profile, RuleViolation, Verdict

_ELIG = PREFIX + "eligibility"
_NOM = PREFIX + "nomination"
_APPR = PREFIX + "approval"


def _status(status: str) -> str:
    if status not in STATUSES:
        raise RuleViolation(
            "E1", "status", status, f"未知的人员身份 / unknown status (one of {', '.join(STATUSES)})"
        )
    return status


_E1_REASONS = {
    "pass": "本社区正式党员，有表决权和选举权 / full member of the community's own organization",
    "fail:E1:own": "组织关系不在本社区党组织 / membership is not in the community's own organization",
    "fail:E1:status": "预备党员、留党察看或被中止权利的党员不能选举和被选举"
    " / probationary, disciplined or suspended members may neither vote nor stand",
    "fail:E4:status": "驻区单位党员和群众不参加选举大会表决 / guest members and residents never vote"
    " at the congress",
}


def _e1(person: PersonFacts) -> Verdict:
    decision = evaluate_one(
        _ELIG, {"q": "E1", "status": _status(person.status), "own": bool(person.own_organization)}
    )
    rule = "E4" if decision == "fail:E4:status" else "E1"
    return Verdict(decision == "pass", rule, _E1_REASONS[decision], person.status)


def may_vote_at_congress(person: PersonFacts) -> Verdict:
    """E1/E4: only full members of the own organization vote at the congress."""
    return _e1(person)


def _e3_facts(profile: Profile, person: PersonFacts) -> list[tuple[str, dict, str]]:
    checks: list[tuple[str, dict, str]] = []
    years = profile["min_party_years"]
    if years:
        checks.append(
            (
                "party_years",
                {"known": person.party_years is not None, "cmp": "min",
                 "value": person.party_years, "bound": years},
                f"党龄不足{years}年 / party standing below {years} years",
            )
        )
    if profile["min_age"] is not None:
        lo = profile["min_age"]
        checks.append(
            ("age", {"known": person.age is not None, "cmp": "min", "value": person.age,
                     "bound": lo}, f"年龄低于{lo}岁 / younger than {lo}")
        )
    if profile["max_age"] is not None:
        hi = profile["max_age"]
        checks.append(
            ("age", {"known": person.age is not None, "cmp": "max", "value": person.age,
                     "bound": hi}, f"年龄超过{hi}岁 / older than {hi}")
        )
    if profile["require_residence"]:
        checks.append(
            ("resides_in_community", {"known": True, "cmp": "true",
                                      "value": bool(person.resides_in_community)},
             "不居住在本社区 / does not reside in the community")
        )
    return checks


def check_eligibility(profile: Profile, person: PersonFacts) -> Verdict:
    """E1 (and E4) then E3: may this person stand? ``rule`` is the failing rule, or on success
    ``"E1"`` / ``"E1,E3"`` when the profile sets candidate conditions."""
    first = _e1(person)
    if not first.ok:
        return first
    checks = _e3_facts(profile, person)
    if not checks:
        return Verdict(True, "E1", first.reason, person.status)
    decisions = evaluate(_ELIG, [{"q": "E3", **fact} for _, fact, _ in checks])
    for (field, fact, reason), decision in zip(checks, decisions, strict=True):
        if decision != "pass":
            value = fact["value"] if fact["known"] else None
            return Verdict(False, "E3", reason, {field: value})
    return Verdict(True, "E1,E3", "符合候选人条件 / meets the candidate conditions", person.status)


def check_exclusion(profile: Profile, reason: str) -> Verdict:
    """E2: may a member be left out of the expected attendance for ``reason``?"""
    listed = reason in profile["exclusion_reasons"]
    decision = evaluate_one(_ELIG, {"q": "E2", "reason": str(reason), "listed": listed})
    if decision == "pass":
        return Verdict(True, "E2", "经上级同意可不计入应到会人数 / may be excluded with the higher"
                       " committee's consent", reason)
    return Verdict(False, "E2", "该事由不能不计入应到会人数 / not a reason to exclude a member"
                   f" (allowed: {', '.join(profile['exclusion_reasons'])})", reason)


def check_channel(profile: Profile, channel: str) -> Verdict:
    """NM1: is the nomination channel offered by this profile?"""
    offered = channel in profile["channels"]
    decision = evaluate_one(_NOM, {"q": "NM1", "offered": offered})
    if decision == "pass":
        return Verdict(True, "NM1", "提名渠道有效 / channel offered", channel)
    return Verdict(False, "NM1", "本规则配置不设该提名渠道 / channel not offered"
                   f" (offered: {', '.join(profile['channels'])})", channel)


def check_joint_nomination(
    profile: Profile, nominee_id: str, cosigners: Sequence[Cosigner]
) -> Verdict:
    """NM2: enough distinct valid co-signers, enough of them full members.

    A co-signature counts once per person (the caller passes the co-signatures of one post),
    never for the nominee, only from the community and only while not withdrawn.
    ``value = {"cosigners": n, "members": k}``.
    """
    counted: dict[str, Cosigner] = {}
    for cs in cosigners:
        if cs.withdrawn or not cs.in_community or cs.person_id == nominee_id:
            continue
        _status(cs.status)
        counted.setdefault(cs.person_id, cs)
    n = len(counted)
    k = sum(1 for cs in counted.values() if cs.status == "full")
    need_n = profile["joint_min_cosigners"]
    need_k = profile["joint_min_member_cosigners"]
    decision = evaluate_one(
        _NOM,
        {"q": "NM2", "cosigners": n, "members": k, "min_cosigners": need_n, "min_members": need_k},
    )
    value = {"cosigners": n, "members": k}
    if decision == "pass":
        return Verdict(True, "NM2", "联名人数符合要求 / co-signatures sufficient", value)
    if decision == "fail:cosigners":
        return Verdict(False, "NM2", f"有效联名人不足{need_n}人 / fewer than {need_n} valid"
                       f" co-signers ({n})", value)
    return Verdict(False, "NM2", f"联名人中正式党员不足{need_k}人 / fewer than {need_k} full"
                   f" members among co-signers ({k})", value)


def check_registration(profile: Profile, window_open: bool, already_registered: bool) -> Verdict:
    """NM3: inside the window, once per person per post."""
    decision = evaluate_one(
        _NOM, {"q": "NM3", "window_open": bool(window_open), "already": bool(already_registered)}
    )
    if decision == "pass":
        return Verdict(True, "NM3", "报名受理 / registration accepted")
    if decision == "fail:window":
        return Verdict(False, "NM3", "不在报名期内 / outside the nomination window"
                       f" ({profile['nomination_days']} days)", "window")
    return Verdict(False, "NM3", "该职务已报名 / already registered for this post", "duplicate")


def review_decision(automatic: Verdict, approve: bool, reason: str | None) -> Verdict:
    """NM4: the street committee's recorded decision on a registrant.

    ``automatic`` is the E1/E3 verdict; a decision without a reason is refused
    (RuleViolation NM4); an approval cannot override a failed automatic check.
    """
    decision = evaluate_one(_NOM, {"q": "NM4", "has_reason": bool(reason and reason.strip())})
    if decision != "pass":
        raise RuleViolation("NM4", "reason", reason, "资格审查决定须写明理由 / a review decision"
                            " needs a reason")
    if approve and not automatic.ok:
        return Verdict(False, automatic.rule, automatic.reason, automatic.value)
    text = "资格审查通过 / qualified" if approve else "资格审查未通过 / not qualified"
    return Verdict(bool(approve), "NM4", f"{text}: {reason}", reason)


def approval_kind(post: str) -> str:
    """A1: ``"approval"`` for secretary and deputies, ``"filing"`` for members."""
    if post not in POSTS:
        raise RuleViolation("A1", "post", post, f"未知职务 / unknown post (one of {', '.join(POSTS)})")
    return "filing" if post == "member" else "approval"


def rejection_route(profile: Profile, remaining_inspected: int, candidates_needed: int) -> Verdict:
    """A2: after a rejection, value ``"committee"`` (step 6) when at least ``candidates_needed``
    inspected persons remain without the rejected person, else ``"recommendation"`` (step 4)."""
    decision = evaluate_one(
        _APPR, {"q": "A2", "remaining": int(remaining_inspected), "needed": int(candidates_needed)}
    )
    if decision == "committee":
        return Verdict(True, "A2", "回到差额票决 / back to the committee vote", "committee")
    return Verdict(False, "A2", "考察人选不足，回到公推 / too few inspected persons remain, back"
                   " to the recommendation meeting", "recommendation")


def approver_may_decide(approver_committee: str, community_parent_committee: str) -> Verdict:
    """A3: an approver decides only for communities under its own committee."""
    decision = evaluate_one(
        _APPR,
        {"q": "A3", "approver": str(approver_committee), "parent": str(community_parent_committee)},
    )
    if decision == "pass":
        return Verdict(True, "A3", "属本党委管辖 / under the approver's committee")
    return Verdict(False, "A3", "不属本党委管辖 / not under the approver's committee",
                   community_parent_committee)


def notice_days(profile: Profile) -> int:
    """O1: length of every notice period in days."""
    return int(profile["notice_days"])


def notice_complete(profile: Profile, elapsed_days: float) -> Verdict:
    """O1: has a notice run its full period? ``elapsed_days`` excludes paused time."""
    decision = evaluate_one(
        _APPR, {"q": "O1", "elapsed": float(elapsed_days), "days": notice_days(profile)}
    )
    return Verdict(decision == "pass", "O1",
                   "公示期满 / notice period over" if decision == "pass"
                   else "公示期未满 / notice period still running", elapsed_days)


def objection_effect(decision: str) -> Verdict:
    """O2: ``"pending"`` holds the person (value "hold"), ``"upheld"`` removes them from every
    later stage ("removed"), ``"dismissed"`` lets them go on ("continue")."""
    if decision not in ("pending", "upheld", "dismissed"):
        raise RuleViolation("O2", "decision", decision, "异议决定应为 pending/upheld/dismissed"
                            " / objection decision must be pending, upheld or dismissed")
    effect = evaluate_one(_APPR, {"q": "O2", "decision": decision})
    texts = {
        "hold": "异议待决，暂停 / held until the street committee decides",
        "removed": "异议成立，退出后续环节 / objection upheld: removed from later stages",
        "continue": "异议不成立，继续 / objection dismissed: goes on",
    }
    return Verdict(effect == "continue", "O2", texts[effect], effect)
