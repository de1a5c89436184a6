"""gRPC adapter of the voting service: one line per RPC over the domain code.

Four RPCs differ from the pattern, all for ballot secrecy (docs/design.md, "Trust model"):

* ``IssueBallots``, ``ReissueBallots`` and ``SpoilBallot`` keep their answers under the
  idempotency key with the codes sealed under that key, the key and the request stored only
  as digests taken without the persons (``services.voting.domain.batches``): a retry with
  the same key answers the same codes, and nothing stored opens them or names the persons.
* ``CastBallot`` has no idempotency key: the one-time code is its key. It is written by the
  ballot box (services/voting/ballot_box/) in group commits, not through ``Store.mutate``:
  the code's ``used`` flag makes a cast happen once, and nothing is stored that would lead
  from the code to the ballot. A second cast with the same code is always refused ("already
  used"), never replayed.
"""

from __future__ import annotations

from typing import Any

from proto import voting_pb2 as pb
from proto import voting_pb2_grpc
from services.common.errors import InvalidArgument
from services.common.mutation import AuditRpcs, mutation
from services.common.store import Store, Tx
from services.voting.ballot_box import BallotBox
from services.voting.details import set_meeting_details
from services.voting.domain import VotingDomain, round_to_message
from services.voting.domain.shared import meeting_message
from services.voting.export import list_round_ballots
from services.voting.official import confirm_results


class VotingServicer(AuditRpcs, voting_pb2_grpc.VotingServicer):
    def __init__(self, store: Store, ballot_box: BallotBox):
        self.store = store
        self.domain = VotingDomain(store)
        self.ballot_box = ballot_box

    @mutation(pb.Meeting)
    async def OpenMeeting(self, tx: Tx, request: pb.OpenMeetingRequest) -> pb.Meeting:
        return await self.domain.meetings.open_meeting(tx, request)

    async def GetMeeting(self, request: pb.GetMeetingRequest, context: Any) -> pb.Meeting:
        return await self.domain.meetings.get_meeting(request.meeting_id)

    async def ListMeetings(self, request: pb.ListMeetingsRequest, context: Any
                           ) -> pb.ListMeetingsResponse:
        return await self.domain.meetings.list_meetings(request)

    @mutation(pb.CheckInResponse)
    async def CheckIn(self, tx: Tx, request: pb.CheckInRequest) -> pb.CheckInResponse:
        return await self.domain.attendance.check_in(tx, request)

    @mutation(pb.Meeting)
    async def ConfirmAttendance(self, tx: Tx, request: pb.MeetingActionRequest) -> pb.Meeting:
        return await self.domain.attendance.confirm_attendance(tx, request)

    @mutation(pb.Meeting)
    async def CloseMeeting(self, tx: Tx, request: pb.MeetingActionRequest) -> pb.Meeting:
        return await self.domain.meetings.close_meeting(tx, request)

    @mutation(pb.Round)
    async def OpenRound(self, tx: Tx, request: pb.OpenRoundRequest) -> pb.Round:
        return await self.domain.rounds.open_round(tx, request)

    async def GetRound(self, request: pb.GetRoundRequest, context: Any) -> pb.Round:
        return await self.domain.rounds.get_round(request.round_id)

    async def IssueBallots(self, request: pb.IssueBallotsRequest, context: Any
                           ) -> pb.IssueBallotsResponse:
        ballots = self.domain.ballots
        return await ballots.issued_once("IssueBallots", request,
                                         lambda tx: ballots.issue_ballots(tx, request))

    async def ReissueBallots(self, request: pb.ReissueBallotsRequest, context: Any
                             ) -> pb.IssueBallotsResponse:
        ballots = self.domain.ballots
        return await ballots.issued_once("ReissueBallots", request,
                                         lambda tx: ballots.reissue_ballots(tx, request))

    async def SpoilBallot(self, request: pb.SpoilBallotRequest, context: Any
                          ) -> pb.IssueBallotsResponse:
        ballots = self.domain.ballots
        return await ballots.issued_once("SpoilBallot", request,
                                         lambda tx: ballots.spoil_ballot(tx, request))

    @mutation(pb.Round)
    async def OpenCasting(self, tx: Tx, request: pb.RoundActionRequest) -> pb.Round:
        return await self.domain.ballots.open_casting(tx, request)

    async def CastBallot(self, request: pb.CastBallotRequest, context: Any
                         ) -> pb.CastBallotResponse:
        if not request.code:
            raise InvalidArgument("required", field="code")
        if not request.round_id:
            raise InvalidArgument("required", field="round_id")
        return await self.ballot_box.cast(request)

    @mutation(pb.Round)
    async def EnterTally(self, tx: Tx, request: pb.EnterTallyRequest) -> pb.Round:
        return await self.domain.rounds.enter_tally(tx, request)

    @mutation(pb.Round)
    async def ConfirmTally(self, tx: Tx, request: pb.ConfirmTallyRequest) -> pb.Round:
        return await self.domain.tallies.confirm_tally(tx, request)

    @mutation(pb.Round)
    async def CloseRound(self, tx: Tx, request: pb.RoundActionRequest) -> pb.Round:
        return await self.domain.counting.close_round(tx, request)

    async def ListRoundBallots(self, request: pb.GetRoundRequest, context: Any
                               ) -> pb.ListRoundBallotsResponse:
        return await list_round_ballots(self.store, request.round_id)

    @mutation(pb.Meeting)
    async def SetMeetingDetails(self, tx: Tx, request: pb.SetMeetingDetailsRequest
                                ) -> pb.Meeting:
        return await meeting_message(tx, await set_meeting_details(tx, request))

    @mutation(pb.Round)
    async def ConfirmResults(self, tx: Tx, request: pb.RoundActionRequest) -> pb.Round:
        return round_to_message(await confirm_results(tx, request))
