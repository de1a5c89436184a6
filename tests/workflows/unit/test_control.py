"""Pause, resume and abort of one election, and the older positional forms of its messages
(the scenario player and the committed histories send them)."""

from __future__ import annotations

from tests.workflows.unit.people import Played


def test_paused_time_does_not_count_and_nothing_moves(played: dict[str, Played]) -> None:
    st, people = played["pause"].result()
    assert st.status == "completed", st.error
    paused, reason, waiting = people.notes["notice"]
    # the one-day period did not end in twenty days of pause
    assert (paused, reason) == (True, "台风 / typhoon")
    assert waiting is not None and (waiting.kind, waiting.notice) == ("notice", "shortlist")
    paused, _, waiting = people.notes["inspection"]
    assert paused and waiting is not None and waiting.kind == "inspection"
    assert not st.paused and st.pause_reason == ""


def test_abort_ends_the_election_at_the_next_wait(played: dict[str, Played]) -> None:
    st, people = played["abort"].result()
    fake = played["abort"].fake
    assert st.status == "aborted"
    assert st.error == "aborted: 撤销 / called off"
    assert st.waiting is None
    assert [t.status for t in st.timeline][6:] == ["active", "pending"]
    assert not fake.rounds_of("congress")  # the round was never counted
    assert not fake.approvals


def test_the_older_positional_forms_still_work(played: dict[str, Played]) -> None:
    st, people = played["old-forms"].result()
    fake = played["old-forms"].fake
    assert st.status == "completed", st.error
    assert fake.stage("rejected", "secretary") == ["孙七"]  # held and objected (3 arguments)
    assert [w.post for w in people.seen if w.kind == "unfilled"] == ["member"]
    assert [c.name for c in st.elected["member"]] == ["周一", "吴二"]


def _acts(played: Played) -> list[tuple[str, str, str, str]]:
    """The control acts the workflow recorded, in order: (kind, role, holder, reason)."""
    records = sorted(played.fake.controls.items(), key=lambda kv: int(kv[0].rsplit("/", 1)[1]))
    return [(r.kind, r.by.role, r.by.holder, str(r.payload.get("reason", "")))
            for _, r in records]


def test_pause_resume_and_abort_are_recorded(played: dict[str, Played]) -> None:
    assert _acts(played["pause"]) == [
        ("election.paused", "", "", "台风 / typhoon"),
        ("election.resumed", "", "", "过去了 / over"),
        ("election.paused", "", "", "台风 / typhoon"),
        ("election.resumed", "", "", "过去了 / over")]
    assert _acts(played["abort"]) == [("election.aborted", "", "", "撤销 / called off")]
    # each under a key of its own, the workflow's: a retried activity records once
    assert all(k.endswith(f"/control/{i}") for i, k in
               enumerate(played["pause"].fake.controls, start=1))


def test_a_supervisors_halt_is_lifted_by_the_district_only(played: dict[str, Played]) -> None:
    st, people = played["halt"].result()
    assert st.status == "completed", st.error
    refused = people.notes["refused"]
    assert [(a, r) for a, r, _ in refused] == [("resume", "street_committee"),
                                              ("resume", "district_admin"),
                                              ("abort", "street_committee")]
    assert "[CTL2]" in refused[0][2] and "district_admin" in refused[0][2]
    assert refused[1][2].startswith("reason:")
    assert "[CTL1]" in refused[2][2]
    assert people.notes["after-street-pause"] == (True, "supervisor")
    assert people.notes["after-district-resume"] == (False, "")
    # only what happened is on the record, with who and why
    assert _acts(played["halt"]) == [
        ("election.paused", "supervisor", "监督委员会", "举报待查 / a complaint"),
        ("election.resumed", "district_admin", "区委组织部", "查清了 / cleared")]
    first = next(iter(played["halt"].fake.controls.values()))
    assert first.by.token_id == "t-sup"


def test_the_unfilled_decision_is_recorded(played: dict[str, Played]) -> None:
    acts = [r for r in played["m7-reelect"].fake.controls.values()]
    assert [(r.kind, r.payload) for r in acts] == [
        ("election.unfilled_decided", {"post": "member", "decision": "reelect", "rule": "M7"})]
    # a refused reduce (P1) is not recorded: only the decision that stood
    refused = [r.payload["decision"] for r in played["m7-refused"].fake.controls.values()]
    assert refused == ["reelect"]
