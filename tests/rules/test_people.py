"""E, NM, A and O rows."""

import pytest

import rules
from rules import Cosigner, PersonFacts


@pytest.mark.parametrize(
    "person,ok,rule",
    [
        pytest.param(PersonFacts("full"), True, "E1", id="E1-full-own-may-stand"),
        pytest.param(PersonFacts("probationary"), False, "E1", id="E1-probationary-cannot"),
        pytest.param(PersonFacts("discipline"), False, "E1", id="E1-discipline-cannot"),
        pytest.param(PersonFacts("suspended"), False, "E1", id="E1-suspended-cannot"),
        pytest.param(PersonFacts("full", own_organization=False), False, "E1", id="E1-other-org"),
        pytest.param(PersonFacts("guest_member"), False, "E4", id="E4-guest-cannot-stand"),
        pytest.param(PersonFacts("resident"), False, "E4", id="E4-resident-cannot-stand"),
    ],
)
def test_e1_e4_eligibility(nanjing, person, ok, rule):
    v = rules.check_eligibility(nanjing, person)
    assert (v.ok, v.rule) == (ok, rule)
    w = rules.may_vote_at_congress(person)
    assert (w.ok, w.rule) == (ok, rule)


def test_e1_unknown_status():
    with pytest.raises(rules.RuleViolation) as exc:
        rules.may_vote_at_congress(PersonFacts("vip"))
    assert exc.value.rule_id == "E1" and exc.value.field == "status"


@pytest.mark.parametrize(
    "overrides,person,ok,rule",
    [
        pytest.param({}, PersonFacts("full", party_years=0.1, age=99), True, "E1",
                     id="E3-none-by-default"),
        pytest.param({"min_party_years": 3}, PersonFacts("full", party_years=3), True, "E1,E3",
                     id="E3-party-years-at-minimum"),
        pytest.param({"min_party_years": 3}, PersonFacts("full", party_years=2.9), False, "E3",
                     id="E3-party-years-below"),
        pytest.param({"min_party_years": 3}, PersonFacts("full"), False, "E3",
                     id="E3-party-years-unknown"),
        pytest.param({"min_age": 18, "max_age": 60}, PersonFacts("full", age=60), True, "E1,E3",
                     id="E3-age-at-max"),
        pytest.param({"min_age": 18, "max_age": 60}, PersonFacts("full", age=61), False, "E3",
                     id="E3-age-above"),
        pytest.param({"min_age": 18}, PersonFacts("full", age=17), False, "E3", id="E3-age-below"),
        pytest.param({"require_residence": True}, PersonFacts("full", resides_in_community=False),
                     False, "E3", id="E3-residence-required"),
        pytest.param({"min_party_years": 3}, PersonFacts("probationary", party_years=9), False,
                     "E1", id="E3-after-E1"),
    ],
)
def test_e3_conditions(overrides, person, ok, rule):
    v = rules.check_eligibility(rules.load_profile("nanjing", overrides), person)
    assert (v.ok, v.rule) == (ok, rule)


@pytest.mark.parametrize(
    "reason,ok",
    [
        pytest.param("abroad", True, id="E2-abroad-allowed"),
        pytest.param("sentence", True, id="E2-sentence-allowed"),
        pytest.param("bedridden", True, id="E2-bedridden-allowed"),
        pytest.param("busy", False, id="E2-busy-refused"),
    ],
)
def test_e2_exclusion(nanjing, reason, ok):
    v = rules.check_exclusion(nanjing, reason)
    assert (v.ok, v.rule) == (ok, "E2")


def test_e2_profile_may_narrow_reasons():
    p = rules.load_profile("nanjing", {"exclusion_reasons": ["sentence"]})
    assert not rules.check_exclusion(p, "abroad").ok


def _cs(n_full, n_resident, prefix="p"):
    out = [Cosigner(f"{prefix}f{i}", "full", True) for i in range(n_full)]
    out += [Cosigner(f"{prefix}r{i}", "resident", True) for i in range(n_resident)]
    return out


@pytest.mark.parametrize(
    "cosigners,ok,value",
    [
        pytest.param(_cs(5, 4), False, {"cosigners": 9, "members": 5}, id="NM2-9-cosigners-fails"),
        pytest.param(_cs(5, 5), True, {"cosigners": 10, "members": 5},
                     id="NM2-10-with-5-members-passes"),
        pytest.param(_cs(4, 6), False, {"cosigners": 10, "members": 4},
                     id="NM2-10-with-4-members-fails"),
        pytest.param(_cs(5, 4) + [Cosigner("nominee", "full", True)], False,
                     {"cosigners": 9, "members": 5}, id="NM2-self-cosign-not-counted"),
        pytest.param(_cs(5, 4) + [Cosigner("w", "full", True, withdrawn=True)], False,
                     {"cosigners": 9, "members": 5}, id="NM2-withdrawn-not-counted"),
        pytest.param(_cs(5, 4) + [Cosigner("pf0", "full", True)], False,
                     {"cosigners": 9, "members": 5}, id="NM2-duplicate-not-counted"),
        pytest.param(_cs(5, 4) + [Cosigner("out", "full", False)], False,
                     {"cosigners": 9, "members": 5}, id="NM2-outside-community-not-counted"),
        pytest.param(_cs(5, 4) + [Cosigner("prob", "probationary", True)], True,
                     {"cosigners": 10, "members": 5}, id="NM2-probationary-counts-not-as-member"),
    ],
)
def test_nm2_joint_nomination(nanjing, cosigners, ok, value):
    v = rules.check_joint_nomination(nanjing, "nominee", cosigners)
    assert (v.ok, v.rule, v.value) == (ok, "NM2", value)


def test_nm2_thresholds_are_parameters():
    p = rules.load_profile("nanjing", {"joint_min_cosigners": 3, "joint_min_member_cosigners": 1})
    assert rules.check_joint_nomination(p, "x", _cs(1, 2)).ok


@pytest.mark.parametrize(
    "profile,channel,ok",
    [
        pytest.param("nanjing", "self", True, id="NM1-self-in-nanjing"),
        pytest.param("nanjing", "joint", True, id="NM1-joint-in-nanjing"),
        pytest.param("national", "self", False, id="NM1-no-self-in-national"),
        pytest.param("nanjing", "lottery", False, id="NM1-unknown-channel"),
    ],
)
def test_nm1_channels(profile, channel, ok):
    assert rules.check_channel(rules.load_profile(profile), channel).ok is ok


@pytest.mark.parametrize(
    "window_open,already,ok,value",
    [
        pytest.param(True, False, True, None, id="NM3-open-first"),
        pytest.param(False, False, False, "window", id="NM3-closed"),
        pytest.param(True, True, False, "duplicate", id="NM3-one-per-post"),
    ],
)
def test_nm3_registration(nanjing, window_open, already, ok, value):
    v = rules.check_registration(nanjing, window_open, already)
    assert (v.ok, v.rule, v.value) == (ok, "NM3", value)


def test_nm4_review_needs_reason(nanjing):
    auto = rules.check_eligibility(nanjing, PersonFacts("full"))
    with pytest.raises(rules.RuleViolation) as exc:
        rules.review_decision(auto, True, "  ")
    assert exc.value.rule_id == "NM4"
    assert rules.review_decision(auto, True, "群众基础好").ok
    failed = rules.check_eligibility(nanjing, PersonFacts("probationary"))
    assert not rules.review_decision(failed, True, "override").ok


@pytest.mark.parametrize(
    "post,kind",
    [
        pytest.param("secretary", "approval", id="A1-secretary-approved"),
        pytest.param("deputy_secretary", "approval", id="A1-deputy-approved"),
        pytest.param("member", "filing", id="A1-member-filed"),
    ],
)
def test_a1_approval_kind(post, kind):
    assert rules.approval_kind(post) == kind


@pytest.mark.parametrize(
    "remaining,needed,route",
    [
        pytest.param(2, 2, "committee", id="A2-enough-inspected-committee"),
        pytest.param(1, 2, "recommendation", id="A2-too-few-recommendation"),
    ],
)
def test_a2_rejection_route(nanjing, remaining, needed, route):
    assert rules.rejection_route(nanjing, remaining, needed).value == route


def test_a3_approver_scope():
    assert rules.approver_may_decide("street-1", "street-1").ok
    assert not rules.approver_may_decide("street-1", "street-2").ok


def test_o1_notice_days(nanjing):
    assert rules.notice_days(nanjing) == 5
    assert not rules.notice_complete(nanjing, 4.99).ok
    assert rules.notice_complete(nanjing, 5).ok


@pytest.mark.parametrize(
    "decision,effect",
    [
        pytest.param("pending", "hold", id="O2-pending-holds"),
        pytest.param("upheld", "removed", id="O2-upheld-removes"),
        pytest.param("dismissed", "continue", id="O2-dismissed-continues"),
    ],
)
def test_o2_objection(decision, effect):
    assert rules.objection_effect(decision).value == effect
