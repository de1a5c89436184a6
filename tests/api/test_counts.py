"""A paper tally through the API on the real stack: each count checked against what it counts
and refused with 422 naming the field and the rule; nothing is written by a refused tally."""

from __future__ import annotations

import httpx
import pytest

from api.db import open_database
from gongtui.stack import EmbeddedStack
from proto import voting_pb2
from tests.api.conftest import SYSTEM, Stubs, TokenFactory, bearer, create_election, register_place

pytestmark = pytest.mark.stack


async def test_impossible_tallies_are_422_naming_field_and_rule(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    db = open_database(stack.settings)
    await register_place(db, "d-cnt", "s-cnt", "c-cnt")
    await db.dispose()
    eid = await create_election(stubs, "c-cnt", "s-cnt", "d-cnt")
    office = bearer(await make_token("community_office", "community:c-cnt"))
    people = [f"p{i:03d}" for i in range(1, 101)]
    meeting = await stubs.voting.OpenMeeting(voting_pb2.OpenMeetingRequest(
        idempotency_key=f"test-open/{eid}", actor=SYSTEM, election_id=eid, kind="congress",
        session=1, profile="nanjing", electorate=[
            voting_pb2.Elector(person_id=p, name=f"党员{p}", expected=True, **{"class": "member"})
            for p in people] + [voting_pb2.Elector(person_id="x001", name="出国党员",
                                                   expected=False, **{"class": "member"})]))
    mid = meeting.meeting_id
    assert meeting.expected == 100
    r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/check-in", headers=office,
                        json={"person_ids": [*people, "x001"]})  # E2: not counted present
    assert r.status_code == 422 and (r.json()["field"], r.json()["rule"]) == (
        "person_ids", "E2"), r.text
    r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/check-in", headers=office,
                        json={"committee_size": 9, "headcount": 10})
    assert r.status_code == 422 and (r.json()["field"], r.json()["rule"]) == (
        "headcount", "M11"), r.text
    r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/check-in", headers=office,
                        json={"person_ids": people})
    assert r.status_code == 200, r.text
    r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/confirm-attendance",
                        headers=office)
    assert r.json()["present_members"] == 100, r.text
    rnd = await stubs.voting.OpenRound(voting_pb2.OpenRoundRequest(
        idempotency_key=f"test-round/{eid}", actor=SYSTEM, meeting_id=mid, post="secretary",
        kind="regular", seats=1, candidates=[voting_pb2.Candidate(person_id="p001", name="王建国"),
                                              voting_pb2.Candidate(person_id="p002",
                                                                   name="李秀英")]))
    url = f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/tally"

    def line(votes_for: int, against: int = 0) -> dict[str, object]:
        return {"person_id": "p001", "votes_for": votes_for, "votes_against": against}

    for body, field, rule in (
            # 130 issued / 130 returned / 129 valid with 100 members present
            ({"issued": 130, "returned": 130, "invalid": 1, "lines": [line(100)]},
             "issued", "M12"),
            ({"issued": 100, "returned": 10, "invalid": 11}, "invalid", "M3"),
            ({"issued": 100, "returned": 100, "invalid": 2, "valid": 97}, "valid", "M3"),
            ({"issued": 100, "returned": 100, "invalid": 10, "lines": [line(60, 31)]},
             "lines[0]", "M3"),
            ({"issued": 100, "returned": 100, "write_ins": [{"name": "钱八", "votes": 101}]},
             "write_ins[0].votes", "M4")):
        r = await http.post(url, headers=office, json=body)
        assert r.status_code == 422, (body, r.text)
        assert (r.json()["field"], r.json()["rule"]) == (field, rule), r.text
    r = await http.get(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}", headers=office)
    assert (r.json()["source"], r.json()["issued"]) == ("", 0)  # nothing half-written
    # more returned than issued is no refusal: M2 voids the round when it is counted
    r = await http.post(url, headers=office, json={"issued": 100, "returned": 101,
                                                   "invalid": 1, "valid": 100,
                                                   "lines": [line(70)]})
    assert r.status_code == 200, r.text
    # counted once the supervisor confirms the tally (four eyes, M12)
    supervisor = bearer(await make_token("supervisor", "community:c-cnt"))
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/tally/confirm",
                        headers=supervisor, json={"approve": True})
    assert r.json()["void"] is True and "M2" in r.json()["rules"], r.text
