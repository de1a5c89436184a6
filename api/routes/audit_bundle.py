"""The election's audit bundle as a ZIP (docs/audit.md): the same files ``gongtui audit
export`` writes — ``manifest.json``, ``<service>.audit.jsonl``, ``ballots.jsonl`` — for the
supervisor to verify (``gongtui audit verify --bundle``) and recount (``gongtui recount``)
on a machine of its own. It holds the audit records and the counted ballots' salts and
marks, so it takes what the audit records take: the district and the supervisor."""

from __future__ import annotations

import io
import zipfile
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.auth import DISTRICT_ADMIN, SUPERVISOR
from api.db import Principal
from api.deps import ClientsDep, ElectionAccess, ElectionInfo, call
from api.errors import ERROR_RESPONSES
from services.common.bundle import bundle_files

router = APIRouter(prefix="/api/v1", tags=["elections"], responses=ERROR_RESPONSES)
Auditor = Annotated[tuple[Principal, ElectionInfo],
                    Depends(ElectionAccess(DISTRICT_ADMIN, SUPERVISOR,
                                           what="download the audit bundle"))]
ZIP: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "the audit bundle"}}


def bundle_zip(files: dict[str, str], election_id: str) -> bytes:
    """The bundle's files in one folder ``audit-<election>/`` of a ZIP, the manifest first."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(f"audit-{election_id}/{name}", text.encode("utf-8"))
    return out.getvalue()


@router.get("/elections/{election_id}/audit/bundle", response_class=Response, responses=ZIP)
async def get_audit_bundle(access: Auditor, clients: ClientsDep) -> Response:
    """The audit bundle: each service's head signed now, the heads and digests the notices
    published, every chain and every counted electronic ballot (a chain that does not verify
    is not signed: 409 naming the seq)."""
    _, info = access
    files = await call(bundle_files(clients, info.election_id), "audit")
    return Response(bundle_zip(files, info.election_id), media_type="application/zip",
                    headers={"Content-Disposition":
                             f'attachment; filename="audit-{info.election_id}.zip"'})
