"""Tampering with one stored audit record is detected: the verify route and
`gongtui audit verify` name the service and the first broken record."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import httpx
import pytest

from api.db import open_database
from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer, create_election, register_place
from tests.conftest import service_probe

pytestmark = pytest.mark.stack
AUDIT_CLI = "from gongtui.audit_cli import audit_app; audit_app()"


async def test_edited_audit_row_is_named_by_verify(
        stack: EmbeddedStack, stack_env: dict[str, str], http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    db = open_database(stack.settings)
    await register_place(db, "d-aud", "s-aud", "c-aud")
    await db.dispose()
    eid = await create_election(stubs, "c-aud", "s-aud", "d-aud")
    office = bearer(await make_token("community_office", "community:c-aud"))
    supervisor = bearer(await make_token("supervisor", "district:d-aud"))
    for i in range(3):  # records 2, 3, 4 after election.created
        r = await http.post(f"/api/v1/elections/{eid}/roster", headers=office, json={"people": [
            {"person_id": f"a{i}", "name": f"党员{i}", "status": "full"}]})
        assert r.status_code == 200, r.text

    r = await http.get(f"/api/v1/elections/{eid}/audit/verify", headers=supervisor)
    assert r.status_code == 200, r.text
    assert r.json()["verified"] is True and r.json()["first_broken"] is None
    nomination = next(s for s in r.json()["services"] if s["service"] == "nomination")
    assert nomination["records"] == 4
    ok = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", AUDIT_CLI, "verify", eid], env=stack_env,
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    # someone edits record 3 straight in the nomination service's database
    probe = service_probe(stack.settings, "nomination")
    (payload,) = probe.rows("SELECT payload_json FROM audit_records WHERE election_id = ? "
                         "AND seq = 3", eid)[0]
    forged = json.loads(payload)
    forged["imported"] = 99
    probe.execute("UPDATE audit_records SET payload_json = ? WHERE election_id = ? AND "
               "seq = 3", json.dumps(forged), eid)

    r = await http.get(f"/api/v1/elections/{eid}/audit/verify", headers=supervisor)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["verified"] is False
    assert body["first_broken"]["service"] == "nomination"
    assert body["first_broken"]["seq"] == 3
    assert "hash" in body["first_broken"]["problem"]

    broken = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", AUDIT_CLI, "verify", eid], env=stack_env,
                            capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "first broken record: nomination seq 3" in broken.stdout

    # the audit records themselves are for the supervisor and the district, not the office
    r = await http.get(f"/api/v1/elections/{eid}/audit", headers=office)
    assert r.status_code == 403
    r = await http.get(f"/api/v1/elections/{eid}/audit", headers=supervisor)
    assert r.status_code == 200 and [x["seq"] for x in r.json()] == [1, 2, 3, 4]
