"""Steps 3 to 7 off the plain path: the street committee's vote (M11), objections on a notice
(O2) and the national order where the plenary elects the secretary (P7)."""

from __future__ import annotations

from tests.workflows.unit.people import Played


def test_m11_a_committee_below_quorum_meets_again(played: dict[str, Played]) -> None:
    st, people = played["m11-quorum"].result()
    fake = played["m11-quorum"].fake
    assert st.status == "completed", st.error
    assert fake.sessions_of("committee") == [False, True]
    sessions = [w for w in people.seen if w.kind == "committee_session"]
    assert len({w.meeting_id for w in sessions}) == 2  # a new session, not the same one
    assert {s for s, *_ in fake.rounds_of("committee")} == {2}


def test_m11_a_tie_at_the_cut_is_voted_again_among_the_tied(
        played: dict[str, Played]) -> None:
    st, _ = played["m11-tie"].result()
    fake = played["m11-tie"].fake
    assert st.status == "completed", st.error
    assert fake.rounds_of("committee")[:2] == [(1, "secretary", "regular", ["张三"]),
                                               (1, "secretary", "tie", ["赵六"])]
    tie = next(r for r in fake.rounds.values() if r.state.kind == "tie")
    assert (tie.state.seats, [c.name for c in tie.candidates]) == (1, ["李四", "赵六"])
    candidate_calls = [c for c in fake.stage_calls
                       if c.stage == "candidate" and c.post == "secretary"]
    assert [sorted(c.person_ids) for c in candidate_calls] == [["p-张三", "p-赵六"]]


def test_o2_an_upheld_objection_removes_the_person_from_every_later_stage(
        played: dict[str, Played]) -> None:
    st, people = played["o2-upheld"].result()
    fake = played["o2-upheld"].fake
    assert st.status == "completed", st.error
    assert [(w.kind, w.notice) for w in people.seen if w.kind == "objections"] == [
        ("objections", "registrants")]
    assert fake.stage("rejected", "secretary") == ["孙七"]
    recommendation = next(r for r in fake.rounds.values() if r.state.kind == "recommendation"
                          and r.state.post == "secretary")
    assert [c.name for c in recommendation.candidates] == ["张三", "李四", "赵六"]
    # the period was held while the objection was filed (await_turn hold_notices), then closed
    assert "registrants" in fake.closed_notices


def test_o2_an_undecided_objection_holds_the_step(played: dict[str, Played]) -> None:
    st, people = played["o2-undecided"].result()
    assert st.status == "running"
    assert st.waiting is not None
    assert (st.waiting.kind, st.waiting.notice) == ("objections", "shortlist")
    assert st.step == 4
    assert people.stopped_at is not None and people.stopped_at.kind == "objections"
    assert played["o2-undecided"].fake.sessions_of("committee") == []


def test_o2_an_upheld_objection_on_the_results_sends_the_post_back(
        played: dict[str, Played]) -> None:
    st, _ = played["o2-results"].result()
    fake = played["o2-results"].fake
    assert st.status == "completed", st.error
    assert fake.stage("rejected", "member") == ["吴二"]
    # the remaining inspected members suffice: a new committee vote and congress session
    assert fake.sessions_of("congress") == [True, True]
    assert [c.name for c in st.elected["member"]] == ["周一", "郑三"]


def test_p7_national_the_plenary_of_the_new_committee_elects_the_secretary(
        played: dict[str, Played]) -> None:
    st, _ = played["p7"].result()
    fake = played["p7"].fake
    assert st.status == "completed", st.error
    assert fake.rounds_of("congress") == [(1, "member", "regular", ["周一", "吴二", "郑三"])]
    plenary = next(m for m in fake.meetings.values() if m.state.kind == "plenary")
    assert [c.name for c in plenary.electorate] == ["周一", "吴二", "郑三"]
    assert fake.rounds_of("plenary") == [(1, "secretary", "regular", ["周一"])]
    assert {p: [c.name for c in cs] for p, cs in st.elected.items()} == {
        "member": ["周一", "吴二", "郑三"], "secretary": ["周一"]}
    # no recommendation, inspection or committee vote for the secretary
    assert not [r for r in fake.rounds.values()
                if r.state.post == "secretary" and r.meeting_kind != "plenary"]
    # A1: the plenary's secretary is approved, but not advanced a stage by the workflow
    assert not [c for c in fake.stage_calls if c.post == "secretary"]
    assert sorted((a.post, a.status) for a in fake.approvals.values()) == [
        ("member", "filed")] * 3 + [("secretary", "approved")]
