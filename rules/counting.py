"""Meeting and counting (M) rules: quorum, ballots, majority, ties, rounds, shortlists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .engine import PREFIX, evaluate, evaluate_one
from .model import (
    CHOICES,
    CommitteeOutcome,
    Mark,
    Profile,
    RoundOutcome,
    RuleViolation,
    ShortlistOutcome,
    Verdict,
)
from .strokes import order_index, stroke_sorted, tie_key

_MEET = PREFIX + "meeting"


def _nonneg(rule: str, field: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleViolation(rule, field, value, "应为非负整数 / must be a non-negative integer")
    return value


def _rank(names: Sequence[str], votes: Mapping[str, int], order: Sequence[str]) -> list[str]:
    """By votes descending; equal votes in the caller's stroke order (M12)."""
    index = order_index(order)
    return sorted(names, key=lambda n: (-votes[n], tie_key(n, index)))


def _cut(ranked: list[str], votes: Mapping[str, int], n: int) -> tuple[list[str], list[str]]:
    """Split the top ``n`` of ``ranked``: (certainly in, tied at the cut) — the tied group is
    empty when the n-th and (n+1)-th differ."""
    if len(ranked) <= n:
        return list(ranked), []
    cut_votes = votes[ranked[n - 1]] if n > 0 else None
    if n == 0 or votes[ranked[n]] != cut_votes:
        return ranked[:n], []
    above = [x for x in ranked if votes[x] > cut_votes]
    tied = [x for x in ranked if votes[x] == cut_votes]
    return above, tied


# --------------------------------------------------------------------------- congress
def congress_quorum(profile: Profile, present: int, expected: int) -> Verdict:
    """M1: voting members present × 5 > expected × 4."""
    _nonneg("M1", "present", present)
    _nonneg("M1", "expected", expected)
    decision = evaluate_one(_MEET, {"q": "M1", "present_x5": present * 5, "expected": expected})
    need = expected * 4 // 5 + 1
    value = {"present": present, "expected": expected, "need": need}
    if decision == "pass":
        return Verdict(True, "M1", f"到会{present}人，超过应到会{expected}人的五分之四 / {present}"
                       f" present of {expected} expected: quorum met", value)
    return Verdict(False, "M1", f"到会{present}人，未超过应到会{expected}人的五分之四，不能进行选举 /"
                   f" {present} present of {expected} expected: need at least {need}", value)


def round_void(issued: int, returned: int) -> Verdict:
    """M2: ``ok=False`` means the round is void (more ballots returned than issued)."""
    _nonneg("M2", "issued", issued)
    _nonneg("M2", "returned", returned)
    decision = evaluate_one(_MEET, {"q": "M2", "issued": issued, "returned": returned})
    value = {"issued": issued, "returned": returned}
    if decision == "pass":
        return Verdict(True, "M2", "收回选票不多于发出选票，选举有效 / returned ballots do not"
                       " exceed issued: round valid", value)
    return Verdict(False, "M2", "收回选票多于发出选票，选举无效，应重新选举 / more ballots returned"
                   " than issued: round void, vote again", value)


def ballot_holders(meeting_kind: str, round_kind: str, present_members: int,
                   present_others: int) -> tuple[int, str, str]:
    """How many may hold a ballot of a round, who they are, and the rule that says so.

    Trust ballots go to the non-members present and recommendation ballots to the members
    (M8); the street committee votes by its headcount (M11); a congress or plenary by its
    voting members present, one ballot each and no proxy (M12). More issued is refused."""
    if round_kind == "trust":
        return present_others, "non-members", "M8"
    if meeting_kind == "recommendation":
        return present_members, "members", "M8"
    if meeting_kind == "committee":
        return present_members, "committee members", "M11"
    return present_members, "voting members", "M12"


def ballot_section_valid(seats: int, marks: Sequence[Mark]) -> Verdict:
    """M3/M4: one post's section of a ballot.

    "for" marks plus write-ins above ``seats`` → invalid (M3). A write-in not beside an
    "against", an unknown choice, or a candidate marked twice → invalid (M4).
    """
    _nonneg("M3", "seats", seats)
    seen: set[str] = set()
    duplicates = bad_write_ins = bad_choices = for_marks = 0
    for mark in marks:
        if mark.choice not in CHOICES:
            bad_choices += 1
        if mark.candidate is not None:
            if mark.candidate in seen:
                duplicates += 1
            seen.add(mark.candidate)
        if mark.choice == "for" and mark.candidate is not None:
            for_marks += 1
        if mark.write_in is not None:
            for_marks += 1
            if mark.choice != "against" or mark.candidate is None:
                bad_write_ins += 1
    decision = evaluate_one(_MEET, {
        "q": "M34", "seats": seats, "for_marks": for_marks, "duplicates": duplicates,
        "bad_write_ins": bad_write_ins, "bad_choices": bad_choices,
    })
    if decision == "pass":
        return Verdict(True, "M3", "选票有效 / ballot section valid", for_marks)
    if decision == "fail:M3":
        return Verdict(False, "M3", f"所选人数{for_marks}多于应选名额{seats}，选票无效 / {for_marks}"
                       f" names chosen for {seats} seats: invalid", for_marks)
    return Verdict(False, "M4", "只有投不赞成票方可另选他人，每名候选人只能标记一次 / a write-in"
                   " only beside an against, one mark per candidate: invalid",
                   {"bad_write_ins": bad_write_ins, "duplicates": duplicates,
                    "bad_choices": bad_choices})


def count_round(
    seats: int, present: int, votes: Mapping[str, int], order: Sequence[str]
) -> RoundOutcome:
    """M5/M6/M7: one round of one post.

    Passing (M5) needs for × 2 > present. More passing than seats → by votes (M6); a tie at the
    last seat leaves ``elected`` = those above the tie, ``tied`` = the tied (a new round among
    them) and ``unfilled`` = the seats that round fills. Fewer passing than seats → ``unfilled``
    > 0 (M7). Equal votes are listed in ``order`` (stroke order), then by stroke_key.
    """
    _nonneg("M5", "seats", seats)
    _nonneg("M5", "present", present)
    names = list(votes)
    for n in names:
        _nonneg("M5", f"votes.{n}", votes[n])
    decisions = evaluate(_MEET, [{"q": "M5", "for_x2": votes[n] * 2, "present": present}
                                 for n in names])
    passing = [n for n, d in zip(names, decisions, strict=True) if d == "pass"]
    ranked = _rank(passing, votes, order)
    relation = evaluate_one(_MEET, {"q": "seats", "passing": len(ranked), "seats": seats})
    if relation == "exact":
        return RoundOutcome(ranked, [], 0, ["M5"])
    if relation == "M7":
        return RoundOutcome(ranked, [], seats - len(ranked), ["M5", "M7"])
    above, tied = _cut(ranked, votes, seats)
    if not tied:
        return RoundOutcome(above, [], 0, ["M5", "M6"])
    return RoundOutcome(above, tied, seats - len(above), ["M5", "M6"])


def additional_round_allowed(profile: Profile, rounds_held: int) -> Verdict:
    """M7: may another additional round (另行选举) be held? ``rounds_held`` counts the
    additional rounds already held for this post (the first round not included)."""
    _nonneg("M7", "rounds_held", rounds_held)
    limit = profile["max_additional_rounds"]
    decision = evaluate_one(_MEET, {"q": "M7", "held": rounds_held, "max_rounds": limit})
    if decision == "pass":
        return Verdict(True, "M7", f"可另行选举（已进行{rounds_held}轮，至多{limit}轮） / additional"
                       f" round allowed ({rounds_held} of {limit} held)", rounds_held)
    return Verdict(False, "M7", f"另行选举已达{limit}轮，交街道党工委处理 / {limit} additional"
                   " rounds held: the post goes back to the street committee", rounds_held)


def scrutineer_allowed(person_id: str, candidates: Sequence[str]) -> Verdict:
    """M12: a scrutineer (监票人) is not a candidate."""
    decision = evaluate_one(_MEET, {"q": "M12", "is_candidate": person_id in set(candidates)})
    if decision == "pass":
        return Verdict(True, "M12", "可担任监票人 / may serve as scrutineer", person_id)
    return Verdict(False, "M12", "候选人不得担任监票人 / a candidate cannot be a scrutineer",
                   person_id)


def ballot_order(names: Sequence[str], approved_order: Sequence[str] | None = None) -> list[str]:
    """M12: names on a ballot — in the approved order for secretary/deputies when given,
    otherwise by surname strokes."""
    if approved_order is not None:
        index = order_index(approved_order)
        return sorted(names, key=lambda n: tie_key(n, index))
    return stroke_sorted(names)


# --------------------------------------------------------------------------- recommendation
def recommendation_ballot_valid(seats: int, marks: int) -> Verdict:
    """M8: a recommendation ballot marks at most ``seats`` names for a post."""
    _nonneg("M8", "seats", seats)
    decision = evaluate_one(_MEET, {"q": "M8", "seats": seats, "marks": int(marks)})
    if decision == "pass":
        return Verdict(True, "M8", "推荐票有效 / recommendation ballot valid", marks)
    return Verdict(False, "M8", f"推荐人数{marks}多于名额{seats}，推荐票无效 / {marks} marks for"
                   f" {seats} seats: invalid", marks)


def shortlist(
    profile: Profile,
    n: int,
    votes: Mapping[str, int],
    trust: Mapping[str, tuple[int, int]] | None,
    order: Sequence[str],
) -> ShortlistOutcome:
    """M9 (+M10): the top ``n`` by recommendation votes, everyone tied at the cut kept.

    With the profile's ``trust_threshold``, a person whose trust ``yes × 2 <= yes + no`` is
    dropped and the next-ranked moves up; a person missing from ``trust`` counts as (0, 0) and
    is dropped. ``dropped`` lists those dropped at or above the final cut, in rank order.
    """
    _nonneg("M9", "n", n)
    names = list(votes)
    for x in names:
        _nonneg("M9", f"votes.{x}", votes[x])
    ranked = _rank(names, votes, order)
    rules = ["M9"]
    failed: set[str] = set()
    if profile["trust_threshold"]:
        if trust is None:
            raise RuleViolation("M10", "trust", None, "本规则配置要求信任票 / this profile needs"
                                " trust ballot counts")
        rules.append("M10")
        facts = []
        for x in ranked:
            yes, no = trust.get(x, (0, 0))
            facts.append({"q": "M10", "yes_x2": int(yes) * 2, "cast": int(yes) + int(no)})
        failed = {x for x, d in zip(ranked, evaluate(_MEET, facts), strict=True) if d != "pass"}
    remaining = [x for x in ranked if x not in failed]
    kept: list[str] = []
    if remaining and n > 0:
        cut = votes[remaining[min(n, len(remaining)) - 1]]
        decisions = evaluate(_MEET, [{"q": "M9", "votes": votes[x], "cut": cut} for x in remaining])
        kept = [x for x, d in zip(remaining, decisions, strict=True) if d == "pass"]
    floor = min((votes[x] for x in kept), default=None)
    dropped = [(x, "M10") for x in ranked
               if x in failed and (floor is None or votes[x] >= floor)]
    return ShortlistOutcome(kept, dropped, rules)


# --------------------------------------------------------------------------- committee vote
def committee_vote(
    profile: Profile,
    size: int,
    present: int,
    votes: Mapping[str, int],
    n: int,
    order: Sequence[str],
) -> CommitteeOutcome:
    """M11: street committee vote. Quorum present × den > size × num (default more than
    two-thirds); a person passes with for × 2 > size; the top ``n`` of those passing; a tie at
    the cut leaves ``selected`` = those above it and ``tied`` = the tied (vote again)."""
    _nonneg("M11", "size", size)
    _nonneg("M11", "present", present)
    _nonneg("M11", "n", n)
    num, den = profile["committee_quorum_num"], profile["committee_quorum_den"]
    quorum = evaluate_one(_MEET, {"q": "M11q", "present_xden": present * den,
                                  "size_xnum": size * num}) == "pass"
    if not quorum:
        return CommitteeOutcome(False, [], [], [], ["M11"])
    names = list(votes)
    for x in names:
        _nonneg("M11", f"votes.{x}", votes[x])
    decisions = evaluate(_MEET, [{"q": "M11", "for_x2": votes[x] * 2, "size": size}
                                 for x in names])
    passed = _rank([x for x, d in zip(names, decisions, strict=True) if d == "pass"], votes, order)
    selected, tied = _cut(passed, votes, n)
    return CommitteeOutcome(True, passed, selected, tied, ["M11"])


def narrow_after_inspection(n: int, ranked: Sequence[str], passed: Mapping[str, bool]) -> list[str]:
    """Step 5: keep the ranked order, drop those whose inspection failed (or is missing), take n."""
    return [x for x in ranked if passed.get(x, False)][: max(n, 0)]
