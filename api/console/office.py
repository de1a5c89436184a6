"""The community office's roster upload (党员名册): a CSV or XLSX file, a preview of every row
or every error by row and column, then the import — all or nothing. The file is parsed by
the API's own reader (api.roster_io) and imported by the roster routes' own import
(api.routes.roster), under their check (the office of the community); the import's
idempotency key is the file's digest, so confirming twice imports once."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from api.console import messages, web
from api.errors import ApiError
from api.roster_io import XLSX_TYPE, RosterFileError, parse_roster
from api.routes import roster as rest

router = APIRouter()


async def view(request: Request, user: web.User, election_id: str, status: int = 200,
               **extra: Any) -> Response:
    principal, info = await web.election_access(request, rest.Office, user, election_id,
                                                view=True)
    people = await rest.list_roster((principal, info), web.clients(request))
    return web.render(request, "roster.html", status, user=user, info=info, people=people,
                      **extra)


@router.get("/roster/{election_id}")
@web.page
async def roster(request: Request, election_id: str, done: str = "") -> Response:
    user = await web.require_user(request)
    return await view(request, user, election_id, notice=done[:200])


def _parse(data: bytes, content_type: str) -> list[Any]:
    if len(data) > rest.MAX_FILE:
        raise ApiError(413, f"the file exceeds {rest.MAX_FILE // 1024 // 1024} MB", field="body")
    try:
        return parse_roster(data, content_type)
    except RosterFileError as exc:
        first = exc.errors[0]
        raise ApiError(422, f"{len(exc.errors)} row error(s), nothing imported",
                       field=first.field, rule=first.rule, errors=exc.errors) from exc


@router.post("/roster/{election_id}/preview")
@web.page
async def preview(request: Request, election_id: str) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        return await view(request, user, election_id, 422, error=ApiError(
            422, messages.t("roster.no_file"), field="file"))
    data = await upload.read(rest.MAX_FILE + 1)
    kind = upload.content_type or ""
    try:
        await web.election_access(request, rest.Office, user, election_id, view=True)
        rows = _parse(data, kind)
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc,
                          file_name=upload.filename)
    return await view(request, user, election_id, rows=rows, file_name=upload.filename,
                      payload=base64.b64encode(data).decode(), kind=kind,
                      digest=hashlib.sha256(data).hexdigest())


@router.post("/roster/{election_id}/import")
@web.page
async def import_file(request: Request, election_id: str) -> Response:
    user = await web.require_user(request)
    form = await web.form_of(request, user)
    try:
        data = base64.b64decode(str(form.get("payload", "")), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    kind = str(form.get("kind", ""))
    kind = kind if kind in (XLSX_TYPE, "text/csv") else ""
    try:
        principal, info = await web.election_access(request, rest.Office, user, election_id)
        rows = _parse(data, kind)
        done = await rest._import(principal, info, web.clients(request),
                                  [rest._person(r) for r in rows], [r.row for r in rows],
                                  "file-" + hashlib.sha256(data).hexdigest()[:32])
    except ApiError as exc:
        return await view(request, user, election_id, exc.status, error=exc)
    text = messages.t("roster.done", rows=done.rows, imported=done.imported)
    return RedirectResponse(f"{web.PREFIX}/roster/{election_id}?done={text}", status_code=303)
