"""``gongtui demo``: the command line of the district demo (registered by district_cli.py).

The run itself (run.py) is imported when the command runs, so that every other ``gongtui``
command starts without loading Temporal and the workflows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console(stderr=True)


def demo_cmd(
    communities: Annotated[int, typer.Option(help="how many communities")] = 363,
    seed: Annotated[int, typer.Option(help="random seed of the generated district")] = 2009,
    calibrate: Annotated[str | None, typer.Option(
        help="follow published figures: nanjing-2009")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the report here")] = None,
    chart: Annotated[Path | None, typer.Option(
        help="PNG chart (default: beside --json, else district.png)")] = None,
    ballots: Annotated[str, typer.Option(help="paper | electronic")] = "paper",
    day_seconds: Annotated[float, typer.Option(help="one day, in seconds")] = 0.2,
    data_dir: Annotated[Path | None, typer.Option(
        help="keep the embedded stack's databases and logs here (default: a temporary folder)")] = None,
) -> None:
    """Run a whole district: one DistrictElectionWorkflow, one election per community."""
    from gongtui.demo.report import write_report
    from gongtui.demo.run import run_demo

    if ballots not in ("paper", "electronic"):
        raise typer.BadParameter("paper or electronic", param_hint="--ballots")
    if chart is None:
        chart = json_out.with_suffix(".png") if json_out else Path("district.png")
    try:
        report = asyncio.run(run_demo(communities, seed, ballots, day_seconds, console, data_dir,
                                      calibrate=calibrate, chart=chart))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if json_out:
        write_report(report, json_out)
        console.print(f"report → {json_out}")
    if report["failed"] or report["completed"] != report["communities"]:
        raise typer.Exit(1)
