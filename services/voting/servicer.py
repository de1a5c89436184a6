"""gRPC adapter of the voting service: one line per RPC over the domain code.

Two RPCs differ from the pattern, both for ballot secrecy (DESIGN.md, Security):

* ``IssueBallots`` stores its response under the idempotency key WITHOUT the codes: a stored
  response would keep the codes beside a digest of the request, i.e. of the persons. The codes
  are handed out once; a replay of the key is refused instead of answering codes it no longer
  has (the persons are recorded as having received their ballots).
* ``CastBallot`` has no idempotency key: the one-time code is its key. It is written by the
  ballot box (services/voting/ballot_box.py) in group commits, not through ``Store.mutate``:
  the code's ``used`` flag makes a cast happen once, and nothing is stored that would lead
  from the code to the ballot. A second cast with the same code is always refused ("already
  used"), never replayed.
"""

from __future__ import annotations

from proto import common_pb2, voting_pb2, voting_pb2_grpc
from services.common.errors import FailedPrecondition, InvalidArgument
from services.common.store import Store, Tx
from services.voting.ballot_box import BallotBox
from services.voting.domain import VotingDomain, round_to_message
from services.voting.official import confirm_results


class VotingServicer(voting_pb2_grpc.VotingServicer):
    def __init__(self, store: Store, ballot_box: BallotBox):
        self.store = store
        self.domain = VotingDomain(store)
        self.ballot_box = ballot_box

    async def OpenMeeting(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "OpenMeeting", request,
                                       voting_pb2.Meeting,
                                       lambda tx: self.domain.open_meeting(tx, request),
                                       request.actor)

    async def GetMeeting(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.get_meeting(request.meeting_id)

    async def ListMeetings(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.list_meetings(request)

    async def CheckIn(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "CheckIn", request,
                                       voting_pb2.CheckInResponse,
                                       lambda tx: self.domain.check_in(tx, request), request.actor)

    async def ConfirmAttendance(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "ConfirmAttendance", request,
                                       voting_pb2.Meeting,
                                       lambda tx: self.domain.confirm_attendance(tx, request),
                                       request.actor)

    async def CloseMeeting(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "CloseMeeting", request,
                                       voting_pb2.Meeting,
                                       lambda tx: self.domain.close_meeting(tx, request),
                                       request.actor)

    async def OpenRound(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "OpenRound", request,
                                       voting_pb2.Round,
                                       lambda tx: self.domain.open_round(tx, request),
                                       request.actor)

    async def GetRound(self, request, context):  # type: ignore[no-untyped-def]
        return await self.domain.get_round(request.round_id)

    async def IssueBallots(self, request, context):  # type: ignore[no-untyped-def]
        issued: dict[str, object] = {}

        async def issue(tx: Tx) -> voting_pb2.IssueBallotsResponse:
            response = await self.domain.issue_ballots(tx, request)
            stored = voting_pb2.IssueBallotsResponse(issued_total=response.issued_total)
            issued["codes"], issued["stored"] = list(response.codes), stored
            return stored  # what the idempotency key keeps: no codes

        result = await self.store.mutate(request.idempotency_key, "IssueBallots", request,
                                         voting_pb2.IssueBallotsResponse, issue, request.actor)
        if result is not issued.get("stored"):  # a replay: the first call's codes are gone
            raise FailedPrecondition(
                "these ballots were already issued under this idempotency key; their codes are"
                " shown only once and never stored (ballot secrecy)", field="idempotency_key")
        return voting_pb2.IssueBallotsResponse(codes=issued["codes"],  # type: ignore[arg-type]
                                               issued_total=result.issued_total)

    async def CastBallot(self, request, context):  # type: ignore[no-untyped-def]
        if not request.code:
            raise InvalidArgument("required", field="code")
        if not request.round_id:
            raise InvalidArgument("required", field="round_id")
        return await self.ballot_box.cast(request)

    async def EnterTally(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "EnterTally", request,
                                       voting_pb2.Round,
                                       lambda tx: self.domain.enter_tally(tx, request),
                                       request.actor)

    async def CloseRound(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.mutate(request.idempotency_key, "CloseRound", request,
                                       voting_pb2.Round,
                                       lambda tx: self.domain.close_round(tx, request),
                                       request.actor)

    async def ConfirmResults(self, request, context):  # type: ignore[no-untyped-def]
        async def confirm(tx: Tx) -> voting_pb2.Round:
            return round_to_message(await confirm_results(tx, request))

        return await self.store.mutate(request.idempotency_key, "ConfirmResults", request,
                                       voting_pb2.Round, confirm, request.actor)

    async def VerifyAudit(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.verify_audit(request.election_id)

    async def ListAudit(self, request, context):  # type: ignore[no-untyped-def]
        return await self.store.list_audit(request.election_id)


_ = common_pb2  # the audit messages come from the shared contract
