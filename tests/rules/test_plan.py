"""P rows: plan validation."""

import pytest

import rules
from rules import PostFunnel


def _ids(violations):
    return sorted({(v.rule_id, v.field) for v in violations})


def _nj_posts(deputies=1, members=3, member_funnel=None):
    p = rules.load_profile("nanjing")
    posts = {"secretary": rules.default_funnel(p, "secretary", 1)}
    if deputies:
        posts["deputy_secretary"] = rules.default_funnel(p, "deputy_secretary", deputies)
    if members:
        posts["member"] = member_funnel or rules.default_funnel(p, "member", members)
    return posts


def test_default_funnels_validate(nanjing):
    assert rules.validate_plan(nanjing, "branch", 40, _nj_posts()) == []


def test_p2_message(nanjing):
    posts = _nj_posts(member_funnel=PostFunnel(3, 6, 5, 3))
    vs = [v for v in rules.validate_plan(nanjing, "branch", 40, posts) if v.rule_id == "P2"]
    assert [str(v) for v in vs] == [
        "P2: posts.member.candidates=3 — 委员候选人数应多于应选名额并不少于应选名额的120% / member"
        " candidates must exceed seats by at least 20% (need >= 4)"
    ]
    assert isinstance(vs[0], ValueError)


@pytest.mark.parametrize(
    "seats,candidates,ok",
    [
        pytest.param(3, 3, False, id="P2-3seats-3-fails"),
        pytest.param(3, 4, True, id="P2-3seats-needs-4"),
        pytest.param(5, 5, False, id="P2-5seats-5-fails"),
        pytest.param(5, 6, True, id="P2-5seats-6-passes"),
        pytest.param(7, 8, False, id="P2-7seats-8-fails"),
        pytest.param(7, 9, True, id="P2-7seats-9-passes"),
        pytest.param(1, 2, True, id="P2-1seat-2-passes"),
    ],
)
def test_p2_candidates(national, seats, candidates, ok):
    posts = {"member": PostFunnel(seats, candidates, candidates, candidates)}
    vs = [v for v in rules.validate_plan(national, "committee", 100, posts) if v.rule_id == "P2"]
    assert (vs == []) is ok


@pytest.mark.parametrize(
    "org_type,full_members,deputies,members,ok",
    [
        pytest.param("branch", 40, 1, 1, True, id="P1-branch-3-ok"),
        pytest.param("branch", 40, 1, 5, True, id="P1-branch-7-max-ok"),
        pytest.param("branch", 40, 1, 6, False, id="P1-branch-8-too-big"),
        pytest.param("branch", 40, 1, 0, False, id="P1-branch-2-too-small"),
        pytest.param("general_branch", 80, 1, 3, True, id="P1-general-branch-5-ok"),
        pytest.param("general_branch", 80, 1, 2, False, id="P1-general-branch-4-too-small"),
        pytest.param("general_branch", 80, 2, 6, True, id="P1-general-branch-9-max-ok"),
        pytest.param("general_branch", 80, 2, 7, False, id="P1-general-branch-10-too-big"),
        pytest.param("committee", 200, 2, 6, True, id="P1-committee-9-ok"),
        pytest.param("committee", 200, 2, 7, False, id="P1-committee-10-too-big"),
        pytest.param("branch", 6, 1, 0, True, id="P1-small-branch-secretary-and-deputy"),
        pytest.param("branch", 6, 0, 0, True, id="P1-small-branch-secretary-only"),
        pytest.param("branch", 6, 1, 1, False, id="P1-small-branch-no-members"),
        pytest.param("branch", 6, 2, 0, False, id="P1-small-branch-one-deputy-at-most"),
        pytest.param("branch", 7, 1, 1, True, id="P1-branch-7-members-has-committee"),
    ],
)
def test_p1_committee_size(nanjing, org_type, full_members, deputies, members, ok):
    vs = rules.validate_plan(nanjing, org_type, full_members, _nj_posts(deputies, members))
    p1 = [v for v in vs if v.rule_id == "P1"]
    assert (p1 == []) is ok, p1


def test_p1_secretary_required_and_single(nanjing):
    posts = _nj_posts()
    posts["secretary"] = PostFunnel(2, 8, 6, 4)
    assert ("P1", "posts.secretary.seats") in _ids(rules.validate_plan(nanjing, "branch", 40, posts))
    del posts["secretary"]
    assert ("P1", "posts.secretary") in _ids(rules.validate_plan(nanjing, "branch", 40, posts))


def test_p1_plenary_counts_member_seats(national):
    posts = {"member": rules.default_funnel(national, "member", 5)}
    assert rules.validate_plan(national, "committee", 100, posts) == []
    posts = {"member": rules.default_funnel(national, "member", 4)}
    assert _ids(rules.validate_plan(national, "committee", 100, posts)) == [("P1", "committee_size")]


def test_p1_unknown_post_and_org(nanjing):
    assert _ids(rules.validate_plan(nanjing, "club", 40, {})) == [("P1", "org_type")]
    bad = {"treasurer": PostFunnel(1, 4, 3, 2)}
    assert _ids(rules.validate_plan(nanjing, "branch", 40, bad)) == [("P1", "posts.treasurer")]


@pytest.mark.parametrize(
    "funnel,field",
    [
        pytest.param(PostFunnel(1, 4, 3, 2), None, id="P3-4-3-2-1-ok"),
        pytest.param(PostFunnel(1, 4, 4, 2), "posts.secretary.shortlist", id="P3-shortlist-eq-inspected"),
        pytest.param(PostFunnel(1, 5, 2, 2), "posts.secretary.inspected", id="P3-inspected-eq-candidates"),
        pytest.param(PostFunnel(1, 5, 3, 1), "posts.secretary.candidates", id="P3-candidates-eq-seats"),
    ],
)
def test_p3_every_stage_contested(funnel, field):
    p = rules.load_profile("nanjing", {"funnel_minimum_posts": []})
    posts = _nj_posts()
    posts["secretary"] = funnel
    p3 = [v.field for v in rules.validate_plan(p, "branch", 40, posts) if v.rule_id == "P3"]
    assert p3 == ([] if field is None else [field])


def test_p3_inactive_in_national(national):
    posts = {"member": PostFunnel(5, 6, 6, 6)}
    assert rules.validate_plan(national, "committee", 100, posts) == []


@pytest.mark.parametrize(
    "post,funnel,fields",
    [
        pytest.param("secretary", PostFunnel(1, 4, 3, 2), [], id="P4-secretary-4-3-2-ok"),
        pytest.param("secretary", PostFunnel(1, 3, 2, 2), ["posts.secretary.shortlist",
                     "posts.secretary.inspected"], id="P4-secretary-3-2-2-short"),
        pytest.param("deputy_secretary", PostFunnel(2, 8, 6, 4), [], id="P4-deputy-2seats-ok"),
        pytest.param("deputy_secretary", PostFunnel(2, 7, 6, 3), ["posts.deputy_secretary.shortlist",
                     "posts.deputy_secretary.candidates"], id="P4-deputy-2seats-short"),
    ],
)
def test_p4_nanjing_funnel(nanjing, post, funnel, fields):
    posts = _nj_posts()
    posts[post] = funnel
    p4 = [v.field for v in rules.validate_plan(nanjing, "general_branch", 80, posts)
          if v.rule_id == "P4"]
    assert p4 == fields


def test_p4_inactive_in_national(national):
    posts = {"member": rules.default_funnel(national, "member", 5),
             "secretary": PostFunnel(1, 1, 1, 1)}
    assert rules.validate_plan(national, "committee", 100, posts) == []


@pytest.mark.parametrize(
    "members,meeting,delegates,scattered,ok",
    [
        pytest.param(120, "members", None, False, True, id="P5-members-meeting"),
        pytest.param(499, "delegates", 150, False, False, id="P5-delegates-below-500"),
        pytest.param(500, "delegates", 150, False, True, id="P5-delegates-at-500"),
        pytest.param(300, "delegates", 120, True, True, id="P5-delegates-scattered-units"),
        pytest.param(900, "delegates", 301, False, False, id="P5-delegates-over-300"),
        pytest.param(900, "delegates", 99, False, False, id="P5-delegates-under-100"),
        pytest.param(900, "assembly", None, False, False, id="P5-unknown-meeting"),
    ],
)
def test_p5_meeting(nanjing, members, meeting, delegates, scattered, ok):
    vs = rules.validate_plan(nanjing, "committee", members, _nj_posts(2, 4), meeting=meeting,
                             delegates=delegates, scattered_units=scattered)
    assert ([v for v in vs if v.rule_id == "P5"] == []) is ok


def test_p5_uses_voting_members(nanjing):
    vs = rules.validate_plan(nanjing, "committee", 600, _nj_posts(2, 4), voting_members=450,
                             meeting="delegates", delegates=150)
    assert [v.rule_id for v in vs] == ["P5"]


def test_p6_term(nanjing):
    assert rules.term_years(nanjing) == 5


def test_p7_order(nanjing, national):
    assert rules.congress_order(nanjing) == ["secretary", "deputy_secretary", "member"]
    assert rules.congress_order(national) == ["member"]
    assert rules.plenary_posts(national) == ["secretary", "deputy_secretary"]
    assert rules.plenary_posts(nanjing) == []
