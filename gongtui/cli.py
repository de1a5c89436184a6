"""The ``gongtui`` command line."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from core.config import SERVICES, Settings, get_settings

app = typer.Typer(help="gongtui — 公推直选: durable community elections for a whole district.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
console = Console(stderr=True)

COMPONENTS = (*SERVICES, "worker", "api")


def _mount_subcommands() -> None:
    from api.cli import token_app
    from gongtui.audit_cli import register as register_audit
    from gongtui.bench import bench_app, load_commands

    app.add_typer(token_app, name="token", help="bearer tokens: create, list, revoke")
    register_audit(app)  # audit verify / keys / export, recount
    load_commands()
    app.add_typer(bench_app, name="bench")
    from gongtui.rules_cli import rules_app

    app.add_typer(rules_app, name="rules")
    from gongtui.documents_cli import documents

    app.command()(documents)

    from gongtui.certs_cli import register as register_certs

    register_certs(app)
    from gongtui.chaos.command import register as register_chaos

    register_chaos(app)  # the fault campaign on the supervised topology
    try:  # district-wide commands (pause / resume / abort) live in their own module
        from gongtui.district_cli import register
    except ModuleNotFoundError as exc:
        if exc.name != "gongtui.district_cli":
            raise
    else:
        register(app)


_mount_subcommands()


@app.command()
def up(
    data_dir: Annotated[Path, typer.Option(help="where the databases and logs live")] = Path(".gongtui"),
    api_port: Annotated[int, typer.Option(help="port of the REST API")] = 8000,
    temporal_ui: Annotated[bool, typer.Option(help="serve the Temporal web UI")] = True,
    database_url: Annotated[str, typer.Option(
        envvar="GONGTUI_DATABASE_URL",
        help="PostgreSQL for every service (postgresql+asyncpg://user@host/db), each in its own "
             "schema; default: a SQLite file per service under --data-dir")] = "",
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    metrics: Annotated[bool, typer.Option(
        help="serve /metrics, /livez, /readyz of every service and worker on a port of its own"
    )] = True,
) -> None:
    """Start the stack in the foreground, every component its own process (Ctrl-C stops
    them all): the Temporal dev server, the three services, the workers and the API."""
    from core.shutdown import stop_on_signals
    from gongtui.stack import EmbeddedStack, LockHeld, StackError, embedded_settings

    settings = embedded_settings(data_dir, api_port=api_port, fixed_ports=True,
                                 database_url=database_url)

    async def main() -> None:
        stack = EmbeddedStack(settings, temporal_ui=temporal_ui, extra_workers=max(0, workers - 1),
                              metrics=metrics, supervise=True, echo=console.out)
        with stop_on_signals() as stop:
            try:
                try:
                    await stack.start()
                except (LockHeld, StackError) as exc:  # names the folder's holder / the component
                    console.print(f"error: {exc}", style="red", markup=False, highlight=False)
                    raise typer.Exit(1) from exc
                console.print(f"[green]gongtui is up[/] (data in {stack.data_dir}; databases: "
                              f"{'PostgreSQL' if database_url else 'SQLite'})")
                console.print(f"  API        http://{settings.host}:{settings.api_port}  "
                              f"(OpenAPI: /docs, metrics: /metrics)")
                console.print(f"  Temporal   {settings.temporal_address}"
                              + (f"  UI http://127.0.0.1:{settings.temporal_ui_port}"
                                 if temporal_ui else ""))
                for s in SERVICES:
                    extra = (f"  metrics http://127.0.0.1:{stack.metrics_ports[s]}/metrics"
                             if s in stack.metrics_ports else "")
                    console.print(f"  {s:<10} {settings.service_address(s)}{extra}")
                for name, port in stack.metrics_ports.items():
                    if name.startswith("worker"):
                        console.print(f"  {name:<10} metrics http://127.0.0.1:{port}/metrics")
                console.print("  first token: gongtui token create --role district_admin "
                              "--scope district:DISTRICT_ID")
                console.print("Ctrl-C stops every component.")
                await stop.wait()
            finally:
                console.print("stopping…")
                stack.stop()

    asyncio.run(main())


@app.command()
def serve(component: Annotated[str, typer.Argument(help="|".join(COMPONENTS))]) -> None:
    """Run one component in this process, configured by GONGTUI_* environment variables
    (docs/deployment.md): JSON logs, /metrics, graceful stop on SIGTERM. A service applies
    its database migrations first."""
    from gongtui.supervisor import claim_data
    from services.common.logs import setup

    settings = get_settings()
    if component not in COMPONENTS:
        raise typer.BadParameter(f"unknown component {component!r}; one of {', '.join(COMPONENTS)}")
    setup(component, settings.log_level, settings.log_format)
    from services.common.tls import TlsNotConfigured, enabled

    try:
        enabled(settings)  # mutual TLS, or plain gRPC only where allowed: else refuse now
    except TlsNotConfigured as exc:
        sys.stderr.write(f"error: {component}: {exc}\n")
        raise SystemExit(2) from exc
    claim_data(component, settings)  # a service owns its SQLite file; exits naming a holder
    run: Callable[[Settings], Coroutine[Any, Any, None]]  # each component's main(settings)
    if component == "nomination":
        from services.nomination.server import main as run
    elif component == "voting":
        from services.voting.server import main as run
    elif component == "approval":
        from services.approval.server import main as run
    elif component == "worker":
        from workflows.worker import run_worker as run
    else:  # api
        import uvicorn

        from api.main import create_app

        uvicorn.run(create_app(settings), host=settings.host, port=settings.api_port,
                    log_level=settings.log_level.lower(), log_config=None,
                    timeout_graceful_shutdown=int(settings.shutdown_grace_seconds))
        return
    asyncio.run(run(settings))


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="scenario YAML (shared/SCENARIOS.md)")],
    json_out: Annotated[Path | None, typer.Option("--json", help="write the outcome here")] = None,
    ballots: Annotated[str, typer.Option(help="paper | electronic")] = "paper",
    day_seconds: Annotated[float, typer.Option(help="one day of the procedure, in seconds")] = 0.2,
    resume: Annotated[str, typer.Option(
        "--resume", metavar="ELECTION",
        help="attach to this existing election on the running stack and play the rest of the "
             "scenario from the step it waits in (what the services recorded is not sent again)"
    )] = "",
) -> None:
    """Play a scenario through the running stack (or an embedded one) and write the outcome.
    The election's ID is said on stderr at the start: a run that was cut off goes on with
    ``--resume ID`` (the same file and options), to the output an uninterrupted run gives."""
    from gongtui.runner import ensure_stack, play_scenario, wait_reachable
    from gongtui.simulate.driver import new_election_id
    from gongtui.simulate.scenario import ScenarioError, load

    if ballots not in ("paper", "electronic"):
        raise typer.BadParameter("paper or electronic", param_hint="--ballots")
    try:
        scenario = load(file)
    except ScenarioError as exc:
        console.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    election_id = resume or new_election_id(scenario)
    # one unwrapped line, at once: a run cut off is resumed by this ID
    sys.stderr.write(f"{'resuming' if resume else 'election'} {election_id} (scenario "
                     f"{scenario['name']}; go on after a cut with --resume {election_id})\n")
    sys.stderr.flush()

    async def main() -> dict:  # type: ignore[type-arg]
        if resume:  # the election lives on the configured stack: never on a fresh one
            settings = get_settings()
            if not await wait_reachable(settings, timeout=120):
                console.print(f"error: --resume {resume}: no stack reachable at "
                              f"{settings.temporal_address}", style="red", markup=False)
                raise typer.Exit(2)
            return await play_scenario(scenario, settings, ballots=ballots,
                                       day_seconds=day_seconds, election_id=resume,
                                       resume=True)
        async with ensure_stack(log=console.print) as settings:
            return await play_scenario(scenario, settings, ballots=ballots,
                                       day_seconds=day_seconds, election_id=election_id)

    out = asyncio.run(main())
    text = json.dumps(out, ensure_ascii=False, indent=2)
    if json_out:
        json_out.write_text(text + "\n", encoding="utf-8")
        console.print(f"{out['scenario']}: {out['status']} → {json_out}")
    else:
        sys.stdout.write(text + "\n")
    if out["status"] == "failed":
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
