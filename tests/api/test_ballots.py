"""Secret ballot through the API on the real stack: check-in, ballot issue with one-time codes,
casting with the code alone; a code casts once (409), a cast ballot cannot be changed, and
nothing the API logs carries a code."""

from __future__ import annotations

import httpx
import pytest

from api.db import open_database
from gongtui.stack import EmbeddedStack
from proto import voting_pb2
from tests.api.conftest import SYSTEM, Stubs, TokenFactory, bearer, create_election, register_place

pytestmark = pytest.mark.stack

PEOPLE = [("p1", "王建国"), ("p2", "李秀英"), ("p3", "张伟"), ("p4", "刘洋"), ("p5", "陈静")]


async def test_cast_twice_with_the_same_code_is_a_clear_409(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    db = open_database(stack.settings)
    await register_place(db, "d-bal", "s-bal", "c-bal")
    await db.dispose()
    eid = await create_election(stubs, "c-bal", "s-bal", "d-bal")
    office = bearer(await make_token("community_office", "community:c-bal"))
    member = bearer(await make_token("member", "community:c-bal", person_id="p1"))

    r = await http.post(f"/api/v1/elections/{eid}/roster", headers=office, json={"people": [
        {"person_id": pid, "name": name, "status": "full"} for pid, name in PEOPLE]})
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 5

    meeting = await stubs.voting.OpenMeeting(voting_pb2.OpenMeetingRequest(
        idempotency_key=f"test-open/{eid}", actor=SYSTEM, election_id=eid, kind="congress",
        session=1, profile="nanjing", electorate=[
            voting_pb2.Elector(person_id=pid, name=name, expected=True, **{"class": "member"})
            for pid, name in PEOPLE]))
    mid = meeting.meeting_id
    r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/check-in", headers=office,
                        json={"person_ids": [p for p, _ in PEOPLE]})
    assert r.status_code == 200, r.text
    assert r.json()["checked_in"] == 5
    r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/confirm-attendance",
                        headers=office)
    assert r.status_code == 200, r.text
    assert r.json()["quorum_met"] is True

    rnd = await stubs.voting.OpenRound(voting_pb2.OpenRoundRequest(
        idempotency_key=f"test-round/{eid}", actor=SYSTEM, meeting_id=mid, post="secretary",
        kind="regular", seats=1, candidates=[voting_pb2.Candidate(person_id="p1", name="王建国"),
                                              voting_pb2.Candidate(person_id="p2",
                                                                   name="李秀英")]))
    # a member does not run the desk
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots", headers=member,
                        json={"person_ids": ["p1"]})
    assert r.status_code == 403 and r.json()["field"] == "role"

    issue = {**office, "Idempotency-Key": "desk-batch-1"}
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots", headers=issue,
                        json={"person_ids": ["p1", "p2", "p3"]})
    assert r.status_code == 200, r.text
    codes = r.json()["codes"]
    assert len(codes) == 3 and r.json()["issued_total"] == 3
    # the answer was lost: the same request with the same key answers the same codes
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots", headers=issue,
                        json={"person_ids": ["p1", "p2", "p3"]})
    assert r.status_code == 200 and r.json()["codes"] == codes, r.text
    # ... to the same caller only: another token of the same office, under the same key and
    # with the same request, is another request (and those people hold their ballots)
    other = {**bearer(await make_token("community_office", "community:c-bal")),
             "Idempotency-Key": "desk-batch-1"}
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots", headers=other,
                        json={"person_ids": ["p1", "p2", "p3"]})
    assert r.status_code == 409 and "codes" not in r.json(), r.text
    assert not any(code in r.text for code in codes)
    # a person gets one ballot per round
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots", headers=office,
                        json={"person_ids": ["p1"]})
    assert r.status_code == 409 and r.json()["field"] == "person_ids"
    # no cast before casting opens; then no ballot is issued
    early = await http.post("/api/v1/ballots", json={"round_id": rnd.round_id, "code": codes[0]})
    assert early.status_code == 409 and early.json()["field"] == "round_id", early.text
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/casting", headers=office)
    assert r.status_code == 200, r.text
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots", headers=office,
                        json={"person_ids": ["p4"]})
    assert r.status_code == 409 and r.json()["field"] == "round_id", r.text
    # a spoilt ballot handed back is replaced; its code is void
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots/spoil",
                        headers=office, json={"code": codes[2], "reason": "marked in error"})
    assert r.status_code == 200 and len(r.json()["codes"]) == 1, r.text
    codes[2] = r.json()["codes"][0]

    ballot = {"round_id": rnd.round_id, "code": codes[0],
              "marks": [{"person_id": "p1", "choice": "for"}]}
    first = await http.post("/api/v1/ballots", json=ballot)  # no token: the code is enough
    assert first.status_code == 201, first.text
    assert first.json()["receipt"].startswith("sha256:") and first.json()["valid"] is True

    again = await http.post("/api/v1/ballots", json=ballot)
    assert again.status_code == 409, again.text
    body = again.json()
    assert body["code"] == "ALREADY_EXISTS" and body["field"] == "code"
    assert "already used" in body["message"]
    # ... and a cast ballot cannot be changed with the same code
    changed = await http.post("/api/v1/ballots", json={**ballot, "marks": [
        {"person_id": "p2", "choice": "for"}]})
    assert changed.status_code == 409 and changed.json()["field"] == "code"

    unknown = await http.post("/api/v1/ballots", json={**ballot, "code": "not-a-code"})
    assert unknown.status_code == 404 and unknown.json()["field"] == "code"

    # the batch was lost: its codes not yet cast are void, as many new ones issued
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/ballots/reissue",
                        headers=office, json={"issue_key": "desk-batch-1", "reason": "lost"})
    assert r.status_code == 200 and len(r.json()["codes"]) == 1, r.text  # codes[2] was spoilt
    lost = codes[1]
    codes[1] = r.json()["codes"][0]
    void = await http.post("/api/v1/ballots", json={"round_id": rnd.round_id, "code": lost})
    assert void.status_code == 404, void.text
    for code in codes[1:]:
        r = await http.post("/api/v1/ballots", json={"round_id": rnd.round_id, "code": code,
                                                     "marks": [{"person_id": "p2",
                                                                "choice": "for"}]})
        assert r.status_code == 201, r.text
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{rnd.round_id}/close", headers=office)
    assert r.status_code == 200, r.text
    counted = r.json()
    assert counted["status"] == "counted" and counted["returned"] == 3
    assert counted["ballot_box_digest"].startswith("sha256:")

    # nothing this API wrote to its log links (or even mentions) a code or a cast
    log = (stack.log_dir / "api.log").read_text(errors="replace")
    assert "/check-in" in log  # the access log is on ...
    assert "/api/v1/ballots" not in log  # ... but says nothing of casts
    for code in [*codes, lost]:
        assert code not in log
