"""E2 as the workflow opens a congress: a member the office excluded counts in the expected
attendance until the street committee consented to the exclusion."""

from __future__ import annotations

from typing import Any

from temporalio.testing import ActivityEnvironment

from core.config import Settings
from proto import nomination_pb2, voting_pb2
from workflows.election.activities import ElectionActivities
from workflows.election.types import OpenMeetingInput


class Recorder:
    """The two stubs the activity calls: the roster it reads, the meeting it opens."""

    def __init__(self, people: list[nomination_pb2.Person]):
        self.people = people
        self.opened: voting_pb2.OpenMeetingRequest | None = None

    async def ListRoster(self, request: Any) -> nomination_pb2.ListRosterResponse:
        return nomination_pb2.ListRosterResponse(people=self.people)

    async def OpenMeeting(self, request: voting_pb2.OpenMeetingRequest) -> voting_pb2.Meeting:
        self.opened = request
        return voting_pb2.Meeting(meeting_id="mt-1", kind=request.kind, session=1,
                                  status="checking_in")


class Clients:
    def __init__(self, recorder: Recorder):
        self.nomination = self.voting = recorder


async def test_an_exclusion_without_consent_leaves_the_member_expected() -> None:
    people = [
        nomination_pb2.Person(person_id="p1", name="王一", status="full"),
        nomination_pb2.Person(person_id="p2", name="王二", status="full",
                              excluded_reason="abroad"),
        nomination_pb2.Person(person_id="p3", name="王三", status="full",
                              excluded_reason="abroad", exclusion_consent="consented"),
        nomination_pb2.Person(person_id="p4", name="王四", status="full",
                              excluded_reason="bedridden", exclusion_consent="refused"),
    ]
    recorder = Recorder(people)
    activities = ElectionActivities(Settings(), Clients(recorder))  # type: ignore[arg-type]
    await ActivityEnvironment().run(activities.open_meeting, OpenMeetingInput(
        "e-1", "wf-1", "congress", 1, "nanjing", {}))
    assert recorder.opened is not None
    expected = {e.person_id: e.expected for e in recorder.opened.electorate}
    assert expected == {"p1": True, "p2": True, "p3": False, "p4": True}
