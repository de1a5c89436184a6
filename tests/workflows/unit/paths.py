"""Every edge path of the election the fast tier plays: what the people decide on each, from
the scenarios under tests/scenarios (one election per path, all played at once: see conftest)."""

from __future__ import annotations

import asyncio
from typing import Any

from temporalio.client import WorkflowUpdateFailedError

from tests.workflows.unit.fake import standard
from tests.workflows.unit.people import DAY, EdgePath, People, Script
from workflows.election.types import ActorRef, ControlAct, PauseInput, PostPlan, Waiting
from workflows.election.workflows import CommunityElectionWorkflow

HELD = 20 * DAY  # far longer than a one-day notice period


async def pause_a_while(people: People, w: Waiting) -> str:
    """Pause for HELD seconds at this wait and note what the election shows meanwhile. The
    shortlist notice is held (await_turn) until the pause has arrived, then released while
    paused: its clock would run but for the pause."""
    if w.kind == "notice" and w.notice != "shortlist":
        return "act"
    await people.handle.signal(CommunityElectionWorkflow.pause, PauseInput("台风 / typhoon"))
    if w.kind == "notice":
        await people.release(w.notice)
    if w.kind == "inspection":  # the facts change while paused: nothing moves until resumed
        for r in people.fake.registrations:
            if r.stage == "shortlisted":
                people.fake.inspections[(r.post, r.who.person_id)] = True
        await people.wake("inspected while paused")
    await asyncio.sleep(HELD)
    st = await people.handle.query(CommunityElectionWorkflow.status)
    people.notes[w.kind] = (st.paused, st.pause_reason, st.waiting)
    await people.handle.signal(CommunityElectionWorkflow.resume, PauseInput("过去了 / over"))
    return "skip" if w.kind == "notice" else "act"


async def abort_now(people: People, w: Waiting) -> str:
    await people.handle.signal(CommunityElectionWorkflow.abort, PauseInput("撤销 / called off"))
    return "skip"


SUPERVISOR = ActorRef("supervisor", "street:st-1", "t-sup", "监督委员会")
STREET = ActorRef("street_committee", "street:st-1", "t-st", "街道党工委")
DISTRICT = ActorRef("district_admin", "district:d-1", "t-ad", "区委组织部")


async def supervisor_halt(people: People, w: Waiting) -> str:
    """The supervisor halts the election; the street's resume is refused (CTL2), a second
    pause by the street changes nothing; the district lifts the halt."""
    if "after-district-resume" in people.notes:
        return "act"
    handle = people.handle
    await handle.execute_update(CommunityElectionWorkflow.control,
                                ControlAct("pause", "举报待查 / a complaint", SUPERVISOR))
    for act in (ControlAct("resume", "我们查过了 / we looked", STREET),
                ControlAct("resume", "", DISTRICT), ControlAct("abort", "越权", STREET)):
        try:
            await handle.execute_update(CommunityElectionWorkflow.control, act)
        except WorkflowUpdateFailedError as exc:
            people.notes.setdefault("refused", []).append(
                (act.action, act.by.role, str(getattr(exc.cause, "message", exc.cause))))
    st = await handle.execute_update(CommunityElectionWorkflow.control,
                                     ControlAct("pause", "also", STREET))
    people.notes["after-street-pause"] = (st.paused, st.paused_by)
    st = await handle.execute_update(CommunityElectionWorkflow.control,
                                     ControlAct("resume", "查清了 / cleared", DISTRICT))
    people.notes["after-district-resume"] = (st.paused, st.paused_by)
    return "act"


#: M7: one member elected in the regular round, none in the additional one
REELECT: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("congress", "member"): [{"elected": ["周一"]}, {"elected": []}]}

PATHS: dict[str, EdgePath] = {
    # ---- the congress (test_congress) ----
    "plain": lambda: (standard(), Script()),
    "m1": lambda: (standard(), Script(quorum={"congress": [False, True]})),
    "m2": lambda: (standard(), Script(counts={("congress", "secretary"): [
        {"void": True}, {}]})),
    "m5": lambda: (standard(), Script(counts={("congress", "secretary"): [
        {"elected": []}, {}]})),
    "m6": lambda: (standard(), Script(counts={("congress", "member"): [
        {"elected": ["周一"], "tied": ["吴二", "郑三"]}, {"elected": ["郑三"]}]})),
    "m7-reelect": lambda: (standard(), Script(counts=REELECT,
                                               unfilled={"member": ["reelect"]})),
    "m7-refused": lambda: (standard(), Script(counts=REELECT, unfilled={
        "member": ["maybe", "reduce", "reelect"]})),
    "m7-reduce": lambda: (standard(min_committee=2), Script(counts=REELECT,
                                                             unfilled={"member": ["reduce"]})),
    # ---- committee, objections, national order (test_funnel) ----
    "m11-quorum": lambda: (standard(), Script(quorum={"committee": [False, True]})),
    "m11-tie": lambda: (standard(), Script(counts={("committee", "secretary"): [
        {"elected": ["张三"], "tied": ["李四", "赵六"]}, {"elected": ["赵六"]}]})),
    "o2-upheld": lambda: (standard(), Script(objections={"registrants": ["孙七"]})),
    "o2-undecided": lambda: (standard(), Script(objections={"shortlist": ["李四"]},
                                                 objection_decision="undecided")),
    "o2-results": lambda: (standard(), Script(objections={"results": ["吴二"]})),
    "p7": lambda: (standard(member=PostPlan("member", 3, 5, 4, 4), congress_order="plenary"),
                   Script()),
    # ---- approvals (test_report) ----
    "a2-committee": lambda: (standard(), Script(approvals={"secretary": ["rejected"]})),
    # two inspected secretaries: with one rejected, one remains for two candidacies
    "a2-recommendation": lambda: (standard(secretary=PostPlan("secretary", 1, 4, 2, 2)),
                                  Script(approvals={"secretary": ["rejected"]})),
    # ---- pause, abort, older message forms (test_control) ----
    "pause": lambda: (standard(), Script(hold=["shortlist"], hooks={
        "notice": pause_a_while, "inspection": pause_a_while})),
    "abort": lambda: (standard(), Script(hooks={"congress_round": abort_now})),
    "halt": lambda: (standard(), Script(hooks={"inspection": supervisor_halt})),
    "old-forms": lambda: (standard(), Script(
        old_forms=True, objections={"registrants": ["孙七"]},
        counts={("congress", "member"): [{"elected": ["周一"]}, {"elected": []}]},
        unfilled={"member": ["reelect"]})),
}
