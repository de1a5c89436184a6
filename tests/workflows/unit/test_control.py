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
