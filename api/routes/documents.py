"""The papers of an election as PDF (documents/): the list, each document, the archive PDF
with its bookmarks and the archive ZIP. Reading a document takes what reading the election
takes; the ZIP holds the audit records, so it takes what the audit records take (the district
and the supervisor)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import grpc
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api.auth import ALL_ROLES, DISTRICT_ADMIN, SUPERVISOR
from api.db import Principal
from api.deps import ClientsDep, DbDep, ElectionAccess, ElectionInfo, ServiceClients
from api.errors import ERROR_RESPONSES, ApiError, from_grpc
from api.registry import street_name
from documents.archive import archive_pdf, archive_zip, plan, render
from documents.facts import ElectionFacts
from documents.gather import gather
from services.common.db import Database

router = APIRouter(prefix="/api/v1", tags=["documents"], responses=ERROR_RESPONSES)
Reader = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(*ALL_ROLES, what="read this election's documents"))]
Auditor = Annotated[tuple[Principal, ElectionInfo],
                    Depends(ElectionAccess(DISTRICT_ADMIN, SUPERVISOR,
                                           what="read the archive with its audit records"))]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "the document"}}
ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "the archive"}}


class DocumentPublic(BaseModel):
    filename: str
    kind: str  # ballot | tally | result | meeting-result | minutes | notice | request | filing
    step: int
    href: str


async def _facts(clients: ServiceClients, info: ElectionInfo, request: Request,
                 db: Database) -> ElectionFacts:
    """The election's facts from the services, the street's name from the registry."""
    try:
        return await gather(info.election_id, clients.nomination, clients.voting,
                            clients.approval,
                            notice_board_url=str(request.url_for("list_notices")),
                            street_name=await street_name(db, info.street_id))
    except grpc.aio.AioRpcError as exc:
        raise from_grpc(exc) from exc


def _pdf(data: bytes, filename: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/elections/{election_id}/documents", response_model=list[DocumentPublic])
async def list_documents(access: Reader, clients: ClientsDep,
                         request: Request, db: DbDep) -> list[DocumentPublic]:
    """Every document of the election, in the order of the steps."""
    _, info = access
    facts = await _facts(clients, info, request, db)
    base = f"/api/v1/elections/{info.election_id}/documents"
    return [DocumentPublic(filename=i.filename, kind=i.kind, step=i.step,
                           href=f"{base}/{i.filename}") for i in plan(facts)]


@router.get("/elections/{election_id}/documents/{filename}", response_class=Response,
            responses=PDF)
async def get_document(filename: str, access: Reader, clients: ClientsDep,
                       request: Request, db: DbDep) -> Response:
    """One document as PDF (the names of ``GET .../documents``)."""
    _, info = access
    facts = await _facts(clients, info, request, db)
    item = next((i for i in plan(facts) if i.filename == filename), None)
    if item is None:
        raise ApiError(404, f"election {info.election_id} has no document {filename!r}",
                       field="filename")
    return _pdf(await asyncio.to_thread(render, facts, item), filename)


@router.get("/elections/{election_id}/archive.pdf", response_class=Response, responses=PDF)
async def get_archive_pdf(access: Reader, clients: ClientsDep, request: Request,
                          db: DbDep) -> Response:
    """Every document in one PDF, bookmarked by step."""
    _, info = access
    facts = await _facts(clients, info, request, db)
    return _pdf(await asyncio.to_thread(archive_pdf, facts), f"archive-{info.election_id}.pdf")


@router.get("/elections/{election_id}/archive.zip", response_class=Response, responses=ZIP)
async def get_archive_zip(access: Auditor, clients: ClientsDep, request: Request,
                          db: DbDep) -> Response:
    """The archive PDF, the election's audit records as JSONL and a manifest."""
    _, info = access
    facts = await _facts(clients, info, request, db)

    def build() -> bytes:
        return archive_zip(facts, archive_pdf(facts))

    return Response(await asyncio.to_thread(build), media_type="application/zip",
                    headers={"Content-Disposition":
                             f'attachment; filename="archive-{info.election_id}.zip"'})
