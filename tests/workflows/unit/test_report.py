"""Step 8 off the plain path: a person the higher committee rejects (A2) is replaced by a new
election of the post, from the committee vote or, where too few inspected persons remain,
from the recommendation meeting."""

from __future__ import annotations

from tests.workflows.unit.people import Played


def test_a2_rejected_back_to_the_committee_vote(played: dict[str, Played]) -> None:
    st, _ = played["a2-committee"].result()
    fake = played["a2-committee"].fake
    assert st.status == "completed", st.error
    assert [c.name for c in st.elected["secretary"]] == ["李四"]
    assert fake.sessions_of("recommendation") == [True]
    assert fake.sessions_of("committee") == [True, True]
    assert fake.sessions_of("congress") == [True, True]
    # the second committee vote offers the remaining inspected, without the rejected person
    second = [r for r in fake.rounds.values()
              if r.meeting_kind == "committee" and r.session == 2]
    assert [[c.name for c in r.candidates] for r in second] == [["李四", "赵六"]]
    assert sorted((a.name, a.attempt, a.status) for a in fake.approvals.values()
                  if a.post == "secretary") == [("张三", 1, "rejected"), ("李四", 2, "approved")]
    assert fake.stage("approved", "secretary") == ["李四"]
    assert [t.status for t in st.timeline] == ["done"] * 8


def test_a2_rejected_back_to_the_recommendation_meeting(played: dict[str, Played]) -> None:
    st, _ = played["a2-recommendation"].result()
    fake = played["a2-recommendation"].fake
    assert st.status == "completed", st.error
    assert fake.sessions_of("recommendation") == [True, True]
    second = next(r for r in fake.rounds.values()
                  if r.meeting_kind == "recommendation" and r.session == 2
                  and r.state.kind == "recommendation")
    assert [c.name for c in second.candidates] == ["李四", "赵六", "孙七"]
    assert [c.name for c in st.elected["secretary"]] == ["李四"]
    assert {p: [c.name for c in cs] for p, cs in st.elected.items()}["member"] == ["周一", "吴二"]
