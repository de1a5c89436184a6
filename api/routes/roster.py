"""The roster (党员名册): imported by the community office as JSON, CSV, XLSX, XLS or ODS. Every
row is checked; any failing row imports nothing (the errors name each row and column)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from api.auth import CLERKS, EXCLUSION_CONSENTER, OFFICE
from api.db import Principal
from api.deps import ClientsDep, ElectionAccess, ElectionInfo, IdempotencyKey, actor, call
from api.deps import idempotency_key as make_key
from api.errors import ERROR_RESPONSES, ApiError, FieldError, from_grpc
from api.roster_io import (
    ODS_TYPE,
    XLS_TYPE,
    XLSX_TYPE,
    RosterFileError,
    RosterRow,
    parse_roster,
    same_name_errors,
)
from api.types import Id, ShortText
from core.names import normalize_name
from core.vocabulary import MemberStatus
from proto import nomination_pb2

router = APIRouter(prefix="/api/v1/elections/{election_id}", tags=["roster"],
                   responses=ERROR_RESPONSES)
Office = Annotated[tuple[Principal, ElectionInfo],
                   Depends(ElectionAccess(OFFICE, what="import the roster",
                                           acts=True))]
Clerk = Annotated[tuple[Principal, ElectionInfo],
                  Depends(ElectionAccess(*CLERKS, what="read the roster"))]
Consenter = Annotated[tuple[Principal, ElectionInfo],
                      Depends(ElectionAccess(EXCLUSION_CONSENTER,
                                             what="consent to E2 exclusions"))]
MAX_FILE = 8 * 1024 * 1024


class PersonIn(BaseModel):
    person_id: Id
    name: ShortText = Field(min_length=1)
    status: MemberStatus
    excluded_reason: ShortText = Field("", description="E2 reason code")
    party_years: float = Field(0, ge=0, le=120)
    age: int = Field(0, ge=0, le=150)
    resides_in_community: bool = True


class PersonPublic(PersonIn):
    exclusion_consent: str = Field("", description="E2: \"\" (awaiting the street "
                                   "committee) | consented | refused; only a consented "
                                   "exclusion lowers the expected attendance")
    exclusion_decided_by: str = ""


class ExclusionDecision(BaseModel):
    person_ids: list[Id] = Field(min_length=1, max_length=5000)
    consent: bool
    reason: ShortText = Field("", description="required when refusing")


class RosterImport(BaseModel):
    people: list[PersonIn] = Field(min_length=1, max_length=20000)


class RosterImported(BaseModel):
    election_id: str
    imported: int = Field(description="new people (re-imported identical rows are skipped)")
    rows: int


async def _import(principal: Principal, info: ElectionInfo, clients: ClientsDep,
                  people: list[nomination_pb2.Person], rows: list[int] | None,
                  key: str | None) -> RosterImported:
    try:
        res = await clients.nomination.ImportRoster(nomination_pb2.ImportRosterRequest(
            idempotency_key=make_key(principal, "ImportRoster", key, info.election_id),
            actor=actor(principal), election_id=info.election_id, people=people))
    except grpc.aio.AioRpcError as exc:
        err = from_grpc(exc, "nomination")
        if rows is not None and err.field.startswith("people["):
            # the service names people[i]: point at the row of the file
            index = int(err.field[len("people["):].split("]")[0])
            column = err.field.split("].", 1)[1] if "]." in err.field else ""
            err.errors = [FieldError(field=column, message=err.message, rule=err.rule,
                                     row=rows[index] if index < len(rows) else None)]
        raise err from exc
    return RosterImported(election_id=info.election_id, imported=res.imported, rows=len(people))


def _person(p: PersonIn | RosterRow) -> nomination_pb2.Person:
    return nomination_pb2.Person(person_id=p.person_id, name=normalize_name(p.name),
                                 status=p.status,
                                 excluded_reason=p.excluded_reason,
                                 party_years=float(p.party_years), age=int(p.age),
                                 resides_in_community=p.resides_in_community)


@router.post("/roster", response_model=RosterImported)
async def import_roster_json(body: RosterImport, access: Office, clients: ClientsDep,
                             key: IdempotencyKey = None) -> RosterImported:
    principal, info = access
    people = [_person(p) for p in body.people]
    same = same_name_errors([(p.name, i) for i, p in enumerate(people)], json_body=True)
    if same:
        raise ApiError(422, f"{same[0].field}: {same[0].message}", field=same[0].field,
                       errors=same)
    return await _import(principal, info, clients, people, None, key)


@router.post("/roster/import", response_model=RosterImported, openapi_extra={
    "requestBody": {"required": True, "content": {
        "text/csv": {"schema": {"type": "string"}},
        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        XLS_TYPE: {"schema": {"type": "string", "format": "binary"}},
        ODS_TYPE: {"schema": {"type": "string", "format": "binary"}}}}})
async def import_roster_file(request: Request, access: Office, clients: ClientsDep,
                             key: IdempotencyKey = None) -> RosterImported:
    """The file is the request body (``Content-Type: text/csv`` (UTF-8 or GB18030/GBK), or the
    XLSX, XLS or ODS type). Headers 编号, 姓名, 身份 (required), 不计入事由, 党龄, 年龄,
    居住本社区 (optional)."""
    principal, info = access
    content_type = request.headers.get("content-type", "")
    if not any(t in content_type for t in ("csv", "text/plain", XLSX_TYPE, XLS_TYPE, ODS_TYPE,
                                           "octet-stream")):
        raise ApiError(415, f"send text/csv, {XLSX_TYPE}, {XLS_TYPE} or {ODS_TYPE}, not "
                            f"{content_type or '(none)'}", field="content-type")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FILE:
        raise ApiError(413, f"the file exceeds {MAX_FILE // 1024 // 1024} MB", field="body")
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_FILE:
            raise ApiError(413, f"the file exceeds {MAX_FILE // 1024 // 1024} MB", field="body")
    data = b"".join(parts)
    try:
        # parsing is CPU work of up to a second: in a worker thread, the event loop serves on
        rows = await asyncio.to_thread(parse_roster, data, content_type)
    except RosterFileError as exc:
        first = exc.errors[0]
        raise ApiError(422, f"{len(exc.errors)} row error(s), nothing imported; first: row "
                            f"{first.row}: {first.field}: {first.message}",
                       field=first.field, rule=first.rule, errors=exc.errors) from exc
    return await _import(principal, info, clients, [_person(r) for r in rows],
                         [r.row for r in rows], key)


@router.get("/roster", response_model=list[PersonPublic])
async def list_roster(access: Clerk, clients: ClientsDep) -> list[PersonPublic]:
    _, info = access
    res = await call(clients.nomination.ListRoster(
        nomination_pb2.ListRosterRequest(election_id=info.election_id)), "nomination")
    return [person_public(p) for p in res.people]


@router.post("/roster/exclusions", response_model=list[PersonPublic])
async def decide_exclusions(body: ExclusionDecision, access: Consenter, clients: ClientsDep,
                            key: IdempotencyKey = None) -> list[PersonPublic]:
    """E2: the street committee consents to (or, with a reason, refuses) the exclusions from
    the expected attendance the office entered with the roster. Only a consented exclusion
    lowers the quorum base of a meeting opened after it."""
    principal, info = access
    if not body.consent and not body.reason.strip():
        raise ApiError(422, "required: why the exclusion is refused", field="reason",
                       rule="E2")
    res = await call(clients.nomination.DecideExclusions(nomination_pb2.DecideExclusionsRequest(
        idempotency_key=make_key(principal, "DecideExclusions", key, info.election_id),
        actor=actor(principal), election_id=info.election_id, person_ids=body.person_ids,
        consent=body.consent, reason=body.reason)), "nomination")
    return [person_public(p) for p in res.people]


def person_public(p: nomination_pb2.Person) -> PersonPublic:
    return PersonPublic.model_construct(
        person_id=p.person_id, name=p.name, status=MemberStatus(p.status),
        excluded_reason=p.excluded_reason, party_years=p.party_years, age=p.age,
        resides_in_community=p.resides_in_community, exclusion_consent=p.exclusion_consent,
        exclusion_decided_by=p.exclusion_decided_by)
