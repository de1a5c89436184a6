"""The acts of the nomination steps a scenario plays (the plan, registrations and co-signatures,
the review, objections against a notice, the inspection): gRPC calls to the nomination
service, each under an idempotency key made of the election and the act (``Play.key``), so a
player that starts again (``simulate --resume``) records nothing twice."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import grpc

from gongtui.simulate.clients import Clients
from gongtui.simulate.roster import RosterPerson
from proto import common_pb2, nomination_pb2
from services.common.errors import describe_refusal
from workflows.election.types import NoticeRelease, Waiting
from workflows.election.workflows import CommunityElectionWorkflow


class ScenarioStop(Exception):
    """The election stops: the plan or the inputs break a rule (status failed)."""


class NominationActs:
    """The nomination steps' handlers of ``Play`` (gongtui/simulate/driver.py)."""

    if TYPE_CHECKING:
        scenario: dict[str, Any]
        clients: Clients
        election_id: str
        roster: list[RosterPerson]
        by_name: dict[str, RosterPerson]

        @property
        def community(self) -> dict[str, Any]: ...

        @property
        def workflow_id(self) -> str: ...

        def key(self, *parts: object) -> str: ...

        def office(self) -> common_pb2.Actor: ...

        def street_committee(self) -> common_pb2.Actor: ...

    async def on_plan(self, w: Waiting) -> bool:
        n = self.clients.nomination
        people = [nomination_pb2.Person(person_id=p.person_id, name=p.name, status=p.status,
                                        excluded_reason=p.excluded_reason,
                                        resides_in_community=True) for p in self.roster]
        await n.ImportRoster(nomination_pb2.ImportRosterRequest(
            idempotency_key=self.key("roster"), actor=self.office(), election_id=self.election_id,
            people=people))
        posts = [nomination_pb2.PostPlan(post=post, **spec)
                 for post, spec in self.scenario["plan"]["posts"].items()]
        try:
            await n.SubmitPlan(nomination_pb2.SubmitPlanRequest(
                idempotency_key=self.key("plan"), actor=self.office(),
                election_id=self.election_id, posts=posts))
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.INVALID_ARGUMENT,
                              grpc.StatusCode.FAILED_PRECONDITION):
                raise ScenarioStop(describe_refusal(exc)) from exc
            raise
        await n.DecidePlan(nomination_pb2.DecidePlanRequest(
            idempotency_key=self.key("plan-approve"), actor=self.street_committee(),
            election_id=self.election_id, approve=True, reason="符合规定 / conforms"))
        return True

    async def on_nominations(self, w: Waiting) -> bool:
        n = self.clients.nomination
        used: dict[str, set[str]] = defaultdict(set)  # NM2: one co-signature per person per post
        nominations = self.scenario.get("nominations", [])
        regs: list[nomination_pb2.Registration] = []
        if nominations:  # one call for every registration (all recorded, or none)
            regs = list((await n.RegisterMany(nomination_pb2.RegisterManyRequest(
                idempotency_key=self.key("register-all", len(nominations)), actor=self.office(),
                election_id=self.election_id, registrations=[
                    nomination_pb2.RegistrationEntry(
                        person_id=self.by_name[nom["name"]].person_id, post=nom["post"],
                        channel=nom["channel"]) for nom in nominations]))).registrations)
        for nom, reg in zip(nominations, regs, strict=True):
            if nom["channel"] != "joint":
                continue
            want = nom.get("cosigners", {})
            for status, count in (("full", want.get("members", 0)),
                                  ("resident", want.get("residents", 0))):
                pool = [p for p in self.roster if p.status == status and not p.named
                        and p.person_id not in used[nom["post"]]]
                signers = [p.person_id for p in pool[:count]]
                if not signers:
                    continue
                used[nom["post"]].update(signers)
                # one call for the co-signers of one kind (all recorded, or none)
                await n.CosignMany(nomination_pb2.CosignManyRequest(
                    idempotency_key=self.key("cosign", reg.registration_id, status),
                    actor=common_pb2.Actor(role="member" if status == "full" else "resident",
                                           scope=f"community:{self.community['id']}"),
                    registration_id=reg.registration_id, cosigner_person_ids=signers))
        await n.CloseNominations(nomination_pb2.WindowRequest(
            idempotency_key=self.key("close-window"), actor=self.office(),
            election_id=self.election_id))
        return True

    async def on_review(self, w: Waiting) -> bool:
        n = self.clients.nomination
        decisions = self.scenario.get("review", {})
        regs = await n.ListRegistrations(
            nomination_pb2.ListRegistrationsRequest(election_id=self.election_id))
        batch = []
        for r in regs.registrations:
            if r.review != "pending":
                continue
            approve = decisions.get(r.name, "approve") == "approve"
            batch.append(nomination_pb2.ReviewDecision(
                registration_id=r.registration_id, approve=approve,
                reason="资格审查通过 / qualified" if approve else "街道党工委审查未通过 / not qualified"))
        if batch:  # one call, one wake-up of the election (all recorded, or none)
            await n.DecideReviews(nomination_pb2.DecideReviewsRequest(
                idempotency_key=self.key("reviews", *(d.registration_id for d in batch)),
                actor=self.street_committee(), decisions=batch))
        return True

    async def on_notice(self, w: Waiting) -> bool:
        """O2: objections against people on this notice, decided by the street committee."""
        try:
            await self._object(w.notice)
        finally:
            # the period held for these objections (await_turn) runs on; sent even if none
            # was held (the wait read by a query after an error): the workflow ignores it then
            await self.clients.temporal.get_workflow_handle(self.workflow_id).signal(
                CommunityElectionWorkflow.release_notice, NoticeRelease(w.notice))
        return True

    async def _object(self, notice: str) -> None:
        n = self.clients.nomination
        for i, obj in enumerate(self.scenario.get("objections", [])):
            if obj["notice"] != notice:
                continue
            person = self.by_name.get(obj["against"])
            if person is None:
                raise ScenarioStop(f"objections[{i}].against: {obj['against']} is not in the roster")
            filed = await n.FileObjection(nomination_pb2.FileObjectionRequest(
                idempotency_key=self.key("objection", i), actor=common_pb2.Actor(
                    role="member", scope=f"community:{self.community['id']}"),
                election_id=self.election_id, notice_kind=notice, person_id=person.person_id,
                post=obj.get("post", ""), reason="群众举报 / complaint"))
            if "decision" in obj:
                await n.DecideObjection(nomination_pb2.DecideObjectionRequest(
                    idempotency_key=self.key("objection-decision", i),
                    actor=self.street_committee(), objection_id=filed.objection_id,
                    upheld=obj["decision"] == "upheld",
                    reason="经核查 / after investigation"))

    async def on_objections(self, w: Waiting) -> bool:
        return False  # an objection without a decision in the scenario: the election waits

    async def on_inspection(self, w: Waiting) -> bool:
        n = self.clients.nomination
        verdicts = self.scenario.get("inspection", {})
        regs = await n.ListRegistrations(nomination_pb2.ListRegistrationsRequest(
            election_id=self.election_id, stage="shortlisted"))
        for r in regs.registrations:
            passed = verdicts.get(r.name, "pass") == "pass"
            await n.RecordInspection(nomination_pb2.RecordInspectionRequest(
                idempotency_key=self.key("inspection", r.post, r.person_id),
                actor=self.street_committee(), election_id=self.election_id, post=r.post,
                person_id=r.person_id, passed=passed,
                report="考察合格 / fit" if passed else "考察不合格 / unfit"))
        return True
