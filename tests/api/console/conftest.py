"""Helpers of the console tests: sign in through the sign-in form (as a browser would), read
a form's CSRF token, and set up a congress with a round the way the workflow's activities
would (gRPC), so each page is tested against the real stack."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx

from api.db import open_database
from gongtui.stack import EmbeddedStack
from proto import nomination_pb2, voting_pb2
from tests.api.conftest import SYSTEM, Stubs, bearer, create_election, register_place

PEOPLE = [("p1", "王建国"), ("p2", "李秀英"), ("p3", "张伟"), ("p4", "刘洋"), ("p5", "陈静")]
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


async def sign_in(http: httpx.AsyncClient, token: str) -> str:
    """Signs ``http`` in through the form; returns the session's CSRF token."""
    page = await http.get("/console/login")
    r = await http.post("/console/login", data={"token": token, "csrf": csrf_of(page.text),
                                                "next": "/console/"})
    assert r.status_code == 303, r.text
    home = await http.get("/console/", follow_redirects=True)
    return csrf_of(home.text)


@dataclass
class Congress:
    election_id: str
    meeting_id: str
    round_id: str
    office: dict[str, str]


async def place(stack: EmbeddedStack, stubs: Stubs, tag: str) -> tuple[str, str, str, str]:
    """A district, street and community of their own, and an election without a workflow."""
    district, street, community = f"d-{tag}", f"s-{tag}", f"c-{tag}"
    db = open_database(stack.settings)
    await register_place(db, district, street, community)
    await db.dispose()
    eid = await create_election(stubs, community, street, district,
                                election_id=f"{community}-{uuid.uuid4().hex[:6]}")
    return district, street, community, eid


async def roster(http: httpx.AsyncClient, office: dict[str, str], eid: str,
                 extra: int = 0) -> None:
    """PEOPLE, and ``extra`` more full members (m01 …) for a plan's committee size (P1)."""
    people = PEOPLE + [(f"m{i:02d}", f"党员{i:02d}") for i in range(1, extra + 1)]
    r = await http.post(f"/api/v1/elections/{eid}/roster", headers=office, json={"people": [
        {"person_id": pid, "name": name, "status": "full"} for pid, name in people]})
    assert r.status_code == 200, r.text


async def congress(http: httpx.AsyncClient, stubs: Stubs, eid: str, office: dict[str, str],
                   check_in: list[str] | None = None, kind: str = "regular") -> Congress:
    """A congress of PEOPLE, checked in and confirmed, with a round for secretary between
    p1 and p2 (ballot order p2, p1 as the rules would sort them is not assumed: as given)."""
    meeting = await stubs.voting.OpenMeeting(voting_pb2.OpenMeetingRequest(
        idempotency_key=f"test-open/{eid}", actor=SYSTEM, election_id=eid, kind="congress",
        session=1, profile="nanjing", electorate=[
            voting_pb2.Elector(person_id=pid, name=name, expected=True, **{"class": "member"})
            for pid, name in PEOPLE]))
    mid = meeting.meeting_id
    present = [p for p, _ in PEOPLE] if check_in is None else check_in
    if present:
        r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/check-in", headers=office,
                            json={"person_ids": present})
        assert r.status_code == 200, r.text
    rnd = ""
    if check_in is None:
        r = await http.post(f"/api/v1/elections/{eid}/meetings/{mid}/confirm-attendance",
                            headers=office)
        assert r.status_code == 200 and r.json()["quorum_met"], r.text
        opened = await stubs.voting.OpenRound(voting_pb2.OpenRoundRequest(
            idempotency_key=f"test-round/{eid}", actor=SYSTEM, meeting_id=mid, post="secretary",
            kind=kind, seats=1, candidates=[voting_pb2.Candidate(person_id="p2", name="李秀英"),
                                            voting_pb2.Candidate(person_id="p1", name="王建国")]))
        rnd = opened.round_id
    return Congress(eid, mid, rnd, office)


async def codes(http: httpx.AsyncClient, c: Congress, people: list[str]) -> list[str]:
    """Ballots issued to ``people``, then casting opened (the round's two phases)."""
    r = await http.post(f"/api/v1/elections/{c.election_id}/rounds/{c.round_id}/ballots",
                        headers=c.office, json={"person_ids": people})
    assert r.status_code == 200, r.text
    opened = await http.post(f"/api/v1/elections/{c.election_id}/rounds/{c.round_id}/casting",
                             headers=c.office)
    assert opened.status_code == 200, opened.text
    return list(r.json()["codes"])


async def registrants_notice(http: httpx.AsyncClient, stubs: Stubs, eid: str,
                             office: dict[str, str], days: int = 5) -> None:
    """p1 and p2 registered for secretary (organization channel), and the registrants notice
    naming them, as step 3 publishes it (the roster needs ``extra=25``)."""
    plan = {"posts": [
        {"post": "secretary", "seats": 1, "shortlist": 4, "inspected": 3, "candidates": 2},
        {"post": "deputy_secretary", "seats": 1, "shortlist": 4, "inspected": 3,
         "candidates": 2},
        {"post": "member", "seats": 3, "shortlist": 6, "inspected": 5, "candidates": 4}]}
    r = await http.post(f"/api/v1/elections/{eid}/plan", headers=office, json=plan)
    assert r.status_code == 200, r.text
    await stubs.nomination.DecidePlan(nomination_pb2.DecidePlanRequest(
        idempotency_key=f"test-plan/{eid}", actor=SYSTEM, election_id=eid, approve=True,
        reason="符合规定"))
    await stubs.nomination.OpenNominations(nomination_pb2.WindowRequest(
        idempotency_key=f"test-window/{eid}", actor=SYSTEM, election_id=eid))
    for pid in ("p1", "p2"):
        r = await http.post(f"/api/v1/elections/{eid}/registrations", headers=office,
                            json={"person_id": pid, "post": "secretary",
                                  "channel": "organization"})
        assert r.status_code == 201, r.text
    await stubs.nomination.PublishNotice(nomination_pb2.PublishNoticeRequest(
        idempotency_key=f"test-notice/{eid}", actor=SYSTEM, election_id=eid, kind="registrants",
        title="报名人员公示", body="以下同志报名参加书记职务选举", names=["王建国", "李秀英"],
        days=days))


__all__ = ["bearer"]
