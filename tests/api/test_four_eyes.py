"""Four eyes where one token decided, through the API on the real stack: a paper tally counts
only once the supervisor — another person — confirms it; the committee's size is the
registry's; E2 exclusions need the street committee's consent; a cast carries the code alone;
codes are shown to their issuer only."""

from __future__ import annotations

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from proto import voting_pb2
from tests.api.conftest import SYSTEM, Stubs, TokenFactory, bearer
from tests.api.console.conftest import codes, congress, place, roster

pytestmark = pytest.mark.stack


async def test_a_tally_counts_once_another_person_as_supervisor_confirms_it(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    district, street, community, eid = await place(stack, stubs, "4eyes")
    office = bearer(await make_token("community_office", f"community:{community}",
                                     name="李会计"))
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    base = f"/api/v1/elections/{eid}/rounds/{c.round_id}"
    # beyond attendance: 5 present, 6 issued
    r = await http.post(base + "/tally", headers=office, json={
        "issued": 6, "returned": 6, "lines": [{"person_id": "p1", "votes_for": 4}]})
    assert r.status_code == 422 and r.json()["field"] == "issued", r.text
    r = await http.post(base + "/tally", headers=office, json={
        "issued": 5, "returned": 5, "lines": [{"person_id": "p1", "votes_for": 4}]})
    assert r.status_code == 200 and r.json()["tally_status"] == "entered", r.text
    assert r.json()["tally_entered_by"] == "李会计"
    r = await http.post(base + "/close", headers=office)
    assert r.status_code == 409 and (r.json()["field"], r.json()["rule"]) == (
        "tally_status", "M12"), r.text
    r = await http.post(base + "/tally/confirm", headers=office, json={"approve": True})
    assert r.status_code == 403 and r.json()["field"] == "role", r.text
    # the same person with a supervisor's token as well
    same = bearer(await make_token("supervisor", f"district:{district}", name="李会计"))
    r = await http.post(base + "/tally/confirm", headers=same, json={"approve": True})
    assert r.status_code == 403 and (r.json()["field"], r.json()["rule"]) == (
        "actor", "M12"), r.text
    supervisor = bearer(await make_token("supervisor", f"street:{street}", name="王监票"))
    r = await http.post(base + "/tally/confirm", headers=supervisor, json={"approve": False})
    assert r.status_code == 422 and r.json()["field"] == "reason", r.text
    r = await http.post(base + "/tally/confirm", headers=supervisor,
                        json={"approve": False, "reason": "p1 的票数与计票单不符"})
    assert r.status_code == 200 and r.json()["tally_status"] == "rejected", r.text
    assert r.json()["status"] == "open"
    r = await http.post(base + "/tally", headers=office, json={
        "issued": 5, "returned": 5, "lines": [{"person_id": "p1", "votes_for": 3}]})
    assert r.json()["tally_status"] == "entered", r.text
    r = await http.post(base + "/tally/confirm", headers=supervisor, json={"approve": True})
    assert r.status_code == 200, r.text
    counted = r.json()
    assert counted["status"] == "counted" and counted["elected"] == ["p1"]
    assert (counted["tally_entered_by"], counted["tally_confirmed_by"]) == ("李会计", "王监票")


async def test_the_committee_size_is_the_registry_s_not_the_caller_s(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    district, street, _, eid = await place(stack, stubs, "csize")
    meeting = await stubs.voting.OpenMeeting(voting_pb2.OpenMeetingRequest(
        idempotency_key=f"test-open-committee/{eid}", actor=SYSTEM, election_id=eid,
        kind="committee", session=1, profile="nanjing"))
    url = f"/api/v1/elections/{eid}/meetings/{meeting.meeting_id}/check-in"
    street_token = bearer(await make_token("street_committee", f"street:{street}"))
    r = await http.post(url, headers=street_token, json={"committee_size": 3, "headcount": 3})
    assert r.status_code == 409 and (r.json()["field"], r.json()["rule"]) == (
        "committee_size", "M11"), r.text  # nothing registered: the caller's 3 is not taken
    r = await http.put(f"/api/v1/streets/{street}/committee", headers=street_token,
                       json={"size": 3})
    assert r.status_code == 403, r.text  # the committee does not declare its own size
    admin = bearer(await make_token("district_admin", f"district:{district}"))
    r = await http.put(f"/api/v1/streets/{street}/committee", headers=admin, json={"size": 9})
    assert r.status_code == 200 and r.json()["size"] == 9, r.text
    # a smaller committee would make 3 present a quorum (M11: more than two-thirds)
    r = await http.post(url, headers=street_token, json={"committee_size": 3, "headcount": 3})
    assert r.status_code == 422 and r.json()["field"] == "committee_size", r.text
    r = await http.post(url, headers=street_token, json={"headcount": 3})
    assert r.status_code == 200 and r.json()["meeting"]["expected"] == 9, r.text
    r = await http.post(url.replace("check-in", "confirm-attendance"), headers=street_token)
    assert r.status_code == 200 and r.json()["quorum_met"] is False, r.text


async def test_e2_exclusions_are_consented_by_the_street_committee(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, street, community, eid = await place(stack, stubs, "e2c")
    office = bearer(await make_token("community_office", f"community:{community}"))
    r = await http.post(f"/api/v1/elections/{eid}/roster", headers=office, json={"people": [
        {"person_id": "p1", "name": "王建国", "status": "full"},
        {"person_id": "p2", "name": "李秀英", "status": "full", "excluded_reason": "abroad"}]})
    assert r.status_code == 200, r.text
    url = f"/api/v1/elections/{eid}/roster/exclusions"
    r = await http.post(url, headers=office, json={"person_ids": ["p2"], "consent": True})
    assert r.status_code == 403, r.text  # the office does not consent to its own exclusions
    listed = (await http.get(f"/api/v1/elections/{eid}/roster", headers=office)).json()
    assert [p["exclusion_consent"] for p in listed if p["person_id"] == "p2"] == [""]
    street_token = bearer(await make_token("street_committee", f"street:{street}",
                                           name="街道组织委员"))
    r = await http.post(url, headers=street_token, json={"person_ids": ["p2"],
                                                         "consent": False})
    assert r.status_code == 422 and r.json()["field"] == "reason", r.text
    r = await http.post(url, headers=street_token, json={"person_ids": ["p2"], "consent": True})
    assert r.status_code == 200, r.text
    assert [(p["person_id"], p["exclusion_consent"], p["exclusion_decided_by"])
            for p in r.json()] == [("p2", "consented", "街道组织委员")]


async def test_a_cast_carries_the_code_alone_and_codes_are_shown_to_their_issuer_only(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    district, _, community, eid = await place(stack, stubs, "castonly")
    office = bearer(await make_token("community_office", f"community:{community}"))
    await roster(http, office, eid)
    c = await congress(http, stubs, eid, office)
    issue = f"/api/v1/elections/{eid}/rounds/{c.round_id}/ballots"
    first = await http.post(issue, headers={**office, "Idempotency-Key": "batch-1"},
                            json={"person_ids": ["p1", "p2", "p3"]})
    assert first.status_code == 200, first.text
    batch = first.json()["codes"]
    again = await http.post(issue, headers={**office, "Idempotency-Key": "batch-1"},
                            json={"person_ids": ["p1", "p2", "p3"]})
    assert again.json()["codes"] == batch  # the issuer's retry: the same batch
    other = bearer(await make_token("community_office", f"community:{community}"))
    stolen = await http.post(issue, headers={**other, "Idempotency-Key": "batch-1"},
                             json={"person_ids": ["p1", "p2", "p3"]})
    assert stolen.status_code == 409 and "codes" not in stolen.json(), stolen.text
    # no read shows a code: the round, the meeting, the audit listing
    for url in (f"/api/v1/elections/{eid}/rounds/{c.round_id}",
                f"/api/v1/elections/{eid}/meetings/{c.meeting_id}"):
        text = (await http.get(url, headers=office)).text
        assert not any(code in text for code in batch), url
    rest = await codes(http, c, ["p4"])  # then casting opens
    cast = {"round_id": c.round_id, "code": batch[0],
            "marks": [{"person_id": "p1", "choice": "for"}]}
    for role, scope in (("community_office", f"community:{community}"),
                        ("supervisor", f"district:{district}"), ("member",
                                                                 f"community:{community}")):
        r = await http.post("/api/v1/ballots", json=cast,
                            headers=bearer(await make_token(role, scope)))
        assert r.status_code == 403 and r.json()["field"] == "authorization", (role, r.text)
    r = await http.post("/api/v1/ballots", json=cast, headers={"Authorization": "Bearer x"})
    assert r.status_code == 403, r.text  # not even a made-up token
    r = await http.post("/api/v1/ballots", json=cast, headers={"Cookie": "gongtui_session=s"})
    assert r.status_code == 403 and r.json()["field"] == "session", r.text
    r = await http.post("/api/v1/ballots", json=cast)
    assert r.status_code == 201, r.text  # the code alone casts, once
    report = (await http.get(f"/api/v1/elections/{eid}/rounds/{c.round_id}",
                             headers=office)).json()
    assert (report["issued"], report["codes_cast"], report["codes_unused"]) == (4, 1, 3)
    r = await http.post(f"/api/v1/elections/{eid}/rounds/{c.round_id}/close", headers=office)
    assert r.status_code == 200, r.text
    assert (r.json()["codes_cast"], r.json()["codes_unused"], r.json()["codes_void"]) == (
        1, 0, 3)
    r = await http.post("/api/v1/ballots", json={**cast, "code": rest[0]})
    assert r.status_code == 409 and "void" in r.json()["message"], r.text
