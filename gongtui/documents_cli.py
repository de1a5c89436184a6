"""``gongtui documents ELECTION --out DIR``: every paper of an election as PDF, the archive
PDF with bookmarks and its ZIP (the PDF, the audit records as JSONL, a manifest)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import grpc
import typer
from rich.console import Console

from core.config import Settings, get_settings
from proto import nomination_pb2

console = Console(stderr=True)


async def registry_street_name(settings: Settings, street_id: str) -> str:
    """The street's name from the API's registry, as the API's document routes print it ("" when
    this machine has no API database: the street's id stands in)."""
    from api.db import database_url, open_database
    from api.registry import street_name

    url, _ = database_url(settings)
    if url.startswith("sqlite") and not (settings.data_dir / "api.db").exists():
        return ""
    db = open_database(settings)
    try:
        return await street_name(db, street_id)
    finally:
        await db.dispose()


async def write_documents(election_id: str, out: Path, board_url: str = "") -> list[Path]:
    from documents.archive import write_all
    from documents.gather import gather
    from services.common.clients import ServiceClients

    settings = get_settings()
    board = board_url or f"http://{settings.host}:{settings.api_port}/api/v1/notices"
    clients = ServiceClients(settings)
    try:
        election = await clients.nomination.GetElection(
            nomination_pb2.GetElectionRequest(election_id=election_id))
        facts = await gather(election_id, clients.nomination, clients.voting, clients.approval,
                             notice_board_url=board,
                             street_name=await registry_street_name(settings,
                                                                    election.street_id))
    finally:
        await clients.close()
    # Drawing is CPU work: off the event loop, like any other blocking call.
    return await asyncio.to_thread(write_all, facts, out)


def documents(
    election: Annotated[str, typer.Argument(help="the election's id")],
    out: Annotated[Path, typer.Option("--out", help="directory the PDFs and the ZIP go to")],
    board_url: Annotated[str, typer.Option(
        help="the online notice board the notices' QR code points to "
             "(default: this stack's API /api/v1/notices)")] = "",
) -> None:
    """Write every document of ELECTION (ballots, tally sheets, result reports, notices, the
    request and the filing report, minutes) and the archive (PDF with bookmarks + ZIP)."""
    try:
        paths = asyncio.run(write_documents(election, out, board_url))
    except grpc.aio.AioRpcError as exc:
        console.print(f"[red]error:[/] {exc.code().name}: {exc.details()}")
        raise typer.Exit(2) from exc
    for p in paths:
        console.print(f"  {p}")
    console.print(f"{len(paths)} files in {out}")
