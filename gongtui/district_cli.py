"""District commands: ``gongtui pause|resume|abort --district|--street|--community ID --reason``,
``gongtui progress`` and the district ``demo``."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from core.ids import district_workflow_id, election_workflow_id
from gongtui.demo.command import demo_cmd
from services.common.identity import OPERATOR_TOKEN

console = Console(stderr=True)

ScopeOpt = Annotated[str | None, typer.Option(help="the district's id")]


async def _running_districts(client: Any) -> list[str]:
    ids = []
    async for w in client.list_workflows(
            "WorkflowType = 'DistrictElectionWorkflow' AND ExecutionStatus = 'Running'"):
        ids.append(w.id)
    return ids


async def find_district(client: Any, district: str | None, street: str | None,
                        community: str | None) -> str | None:
    """The workflow id of the district holding the street or community (None: not in one)."""
    from workflows.district.workflows import DistrictElectionWorkflow

    if district:
        return district_workflow_id(district)
    for wid in await _running_districts(client):
        try:
            directory = await client.get_workflow_handle(wid).query(
                DistrictElectionWorkflow.directory)
        except Exception:
            continue
        if (community and community in directory) or (street and street in directory.values()):
            return str(wid)
    return None


async def control(action: str, district: str | None, street: str | None, community: str | None,
                  reason: str, actor: str) -> dict[str, Any]:
    from temporalio.client import Client

    from core.config import get_settings
    from workflows.district.types import ControlInput
    from workflows.district.workflows import DistrictElectionWorkflow

    settings = get_settings()
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace)
    scope, target = (("community", community) if community else
                     ("street", street) if street else ("district", ""))
    wid = await find_district(client, district, street, community)
    if wid is None and community:
        return await _control_election(client, settings, action, community, reason, actor)
    if wid is None:
        raise typer.BadParameter(f"no running district holds street {street!r}")
    result = await client.get_workflow_handle(wid).execute_update(
        DistrictElectionWorkflow.control,
        ControlInput(action=action, scope=scope, target=target or "", reason=reason, actor=actor,
                     token_id=OPERATOR_TOKEN))
    return {"district": wid, "action": result.action, "scope": result.scope,
            "target": result.target, "communities": result.affected, "paused": result.paused}


async def _control_election(client: Any, settings: Any, action: str, election_id: str,
                            reason: str, actor: str) -> dict[str, Any]:
    """A community election run on its own (``gongtui simulate``): ID is its election id.
    The workflow's ``control`` update checks the act (CTL1, CTL2) and records it, as the
    district's operator, in the election's chain."""
    from workflows.election.types import ActorRef, ControlAct
    from workflows.election.workflows import CommunityElectionWorkflow

    handle = client.get_workflow_handle(election_workflow_id(election_id))
    await handle.describe()
    await handle.execute_update(CommunityElectionWorkflow.control, ControlAct(
        action, reason, ActorRef("district_admin", "district:*", OPERATOR_TOKEN, actor)))
    return {"election": election_id, "action": action, "communities": [election_id]}


def _command(action: str):  # type: ignore[no-untyped-def]
    def cmd(
        reason: Annotated[str, typer.Option(help="why (recorded in every affected election's "
                                                 "audit chain)")],
        district: ScopeOpt = None,
        street: Annotated[str | None, typer.Option(help="one street's id")] = None,
        community: Annotated[str | None, typer.Option(help="one community's id")] = None,
        actor: Annotated[str, typer.Option(help="who gives the order")] = "district office",
    ) -> None:
        if not (district or street or community):
            raise typer.BadParameter("give --district, --street or --community")
        if street and community:
            raise typer.BadParameter("give either --street or --community")
        if not reason.strip():
            raise typer.BadParameter("a reason is required", param_hint="--reason")
        try:
            out = asyncio.run(control(action, district, street, community, reason, actor))
        except typer.BadParameter:
            raise
        except Exception as exc:
            console.print(f"[red]error:[/] {exc}")
            raise typer.Exit(1) from exc
        n = len(out["communities"])
        console.print(f"{action}: {n} communit{'y' if n == 1 else 'ies'} "
                      f"({out.get('scope', 'community')} {out.get('target') or out.get('district')})")
        typer.echo(json.dumps(out, ensure_ascii=False))

    cmd.__doc__ = {
        "pause": "Pause the district, a street or a community: no step starts, input waits, "
                 "notice clocks stop.",
        "resume": "Resume the district, a street or a community exactly where it stood.",
        "abort": "Abort the district, a street or a community (final).",
    }[action]
    return cmd


def progress_cmd(district: Annotated[str, typer.Option(help="the district's id")]) -> None:
    """Show a running district: communities per step, per street; paused, waiting, completed."""
    from temporalio.client import Client

    from core.config import get_settings
    from workflows.district.workflows import DistrictElectionWorkflow

    async def main() -> Any:
        s = get_settings()
        client = await Client.connect(s.temporal_address, namespace=s.temporal_namespace)
        return await client.get_workflow_handle(district_workflow_id(district)).query(
            DistrictElectionWorkflow.progress)

    p = asyncio.run(main())
    t = Table(title=f"{p.district_id}: {p.status} (run {p.runs}, {p.history_events} events)")
    for col in ("street", "communities", *[f"step {n}" for n in range(1, 9)], "paused",
                "waiting", "completed", "failed", "aborted"):
        t.add_column(col, justify="right")
    for name, sp in [*p.streets.items(), ("district", p)]:
        t.add_row(name, str(sp.communities), *[str(sp.per_step.get(n, "")) for n in range(1, 9)],
                  str(sp.paused), str(sp.waiting), str(sp.completed), str(sp.failed),
                  str(sp.aborted))
    Console().print(t)


def register(app: typer.Typer) -> None:
    for action in ("pause", "resume", "abort"):
        app.command(name=action)(_command(action))
    app.command(name="progress")(progress_cmd)
    app.command(name="demo")(demo_cmd)  # the demo's own module (gongtui/demo/command.py)
