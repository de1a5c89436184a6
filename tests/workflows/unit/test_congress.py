"""Step 7, the congress: the plain path and its edges (M1, M2, M5, M6, M7), the workflow on a
real Temporal dev server with the services replaced by an in-memory fake."""

from __future__ import annotations

from tests.workflows.unit.people import Played


def test_plain_path_elects_the_first_candidates_and_files_them(
        played: dict[str, Played]) -> None:
    st, people = played["plain"].result()
    fake = played["plain"].fake
    assert st.status == "completed", st.error
    assert [t.status for t in st.timeline] == ["done"] * 8
    assert {p: [c.name for c in cs] for p, cs in st.elected.items()} == {
        "secretary": ["张三"], "member": ["周一", "吴二"]}
    assert fake.sessions_of("congress") == [True]
    assert fake.rounds_of("congress") == [(1, "secretary", "regular", ["张三"]),
                                          (1, "member", "regular", ["周一", "吴二"])]
    # O1: every notice with a period is closed at its end; the announcement has none
    assert fake.closed_notices == ["registrants", "shortlist", "candidates", "results"]
    # each of them carries the services' signed heads, gathered just before it is published
    assert fake.anchored == ["registrants", "shortlist", "candidates", "results"]
    assert [[h.service for h in n.heads] for n in fake.notices if n.kind != "announcement"
            ] == [["nomination", "voting", "approval"]] * 4
    # A1: the secretary approved, the members filed
    assert fake.stage("approved", "secretary") == ["张三"]
    assert fake.stage("filed", "member") == ["周一", "吴二"]
    assert people.stopped_at is None


def test_m1_a_session_below_quorum_is_followed_by_a_new_one(played: dict[str, Played]) -> None:
    st, _ = played["m1"].result()
    fake = played["m1"].fake
    assert st.status == "completed", st.error
    assert fake.sessions_of("congress") == [False, True]
    assert {s for s, *_ in fake.rounds_of("congress")} == {2}  # nothing elected in session 1


def test_m2_a_void_round_is_held_again(played: dict[str, Played]) -> None:
    st, _ = played["m2"].result()
    assert st.status == "completed", st.error
    assert played["m2"].fake.rounds_of("congress")[:2] == [
        (1, "secretary", "regular", []), (1, "secretary", "repeat", ["张三"])]


def test_m5_no_majority_then_an_additional_round(played: dict[str, Played]) -> None:
    st, _ = played["m5"].result()
    assert st.status == "completed", st.error
    assert played["m5"].fake.rounds_of("congress")[:2] == [
        (1, "secretary", "regular", []), (1, "secretary", "additional", ["张三"])]
    assert [c.name for c in st.elected["secretary"]] == ["张三"]


def test_m6_a_tie_at_the_last_seat_is_voted_among_the_tied(played: dict[str, Played]) -> None:
    st, _ = played["m6"].result()
    assert st.status == "completed", st.error
    tie = [r for r in played["m6"].fake.rounds.values() if r.state.kind == "tie"]
    assert [(r.state.seats, [c.name for c in r.candidates]) for r in tie] == [
        (1, ["吴二", "郑三"])]
    assert [c.name for c in st.elected["member"]] == ["周一", "郑三"]


def test_m7_reelect_votes_the_unfilled_seat_again(played: dict[str, Played]) -> None:
    st, people = played["m7-reelect"].result()
    fake = played["m7-reelect"].fake
    assert st.status == "completed", st.error
    assert [w.post for w in people.seen if w.kind == "unfilled"] == ["member"]
    # enough inspected persons remain: a new committee vote, then a new congress session
    assert fake.sessions_of("committee") == [True, True]
    assert fake.sessions_of("congress") == [True, True]
    assert fake.rounds_of("congress")[-1] == (2, "member", "regular", ["吴二"])
    assert [c.name for c in st.elected["member"]] == ["周一", "吴二"]


def test_m7_reduce_below_p1_is_refused_and_reelect_goes_on(played: dict[str, Played]) -> None:
    st, people = played["m7-refused"].result()
    fake = played["m7-refused"].fake
    assert st.status == "completed", st.error
    assert people.refused[0] == "decision: must be reduce or reelect, not 'maybe' (M7)"
    assert people.refused[1].startswith("[P1] decision: committee_size=2")
    assert len(people.refused) == 2
    assert people.refused_details == [{"field": "decision", "rule": "M7"},
                                      {"field": "decision", "rule": "P1"}]
    assert [sum(p.seats for p in c.posts) for c in fake.reduce_checks] == [2]
    assert [c.name for c in st.elected["member"]] == ["周一", "吴二"]


def test_m7_reduce_shrinks_the_post_to_the_seats_filled(played: dict[str, Played]) -> None:
    st, _ = played["m7-reduce"].result()
    fake = played["m7-reduce"].fake
    assert st.status == "completed", st.error
    assert [c.name for c in st.elected["member"]] == ["周一"]
    assert fake.sessions_of("congress") == [True]  # no new election for the seat given up
    assert sorted(a.name for a in fake.approvals.values()) == ["周一", "张三"]
