"""The documents over HTTP for a finished election: the list, each PDF, the archive PDF for
whoever may read the election, the archive ZIP (it holds the audit records) only for the
district and the supervisor; other scopes are refused."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
import pytest

from gongtui.runner import play_scenario
from gongtui.simulate.scenario import load
from gongtui.stack import EmbeddedStack
from tests.api.conftest import TokenFactory, bearer
from tests.documents import pdfcheck

pytestmark = pytest.mark.stack
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "foundation.yaml"


async def test_documents_routes_with_the_election_scopes(
        stack: EmbeddedStack, http: httpx.AsyncClient, make_token: TokenFactory) -> None:
    scenario = load(SCENARIO)
    scenario["community"] = {**scenario["community"], "id": "doc-001", "street": "st-doc"}
    out = await play_scenario(scenario, stack.settings)
    assert out["status"] == "completed", out
    eid = out["election_id"]
    office = bearer(await make_token("community_office", "community:doc-001"))
    other = bearer(await make_token("community_office", "community:doc-999"))
    supervisor = bearer(await make_token("supervisor", "community:doc-001"))

    r = await http.get(f"/api/v1/elections/{eid}/documents", headers=office)
    assert r.status_code == 200, r.text
    listed = r.json()
    kinds = {d["kind"] for d in listed}
    assert {"ballot", "tally", "result", "minutes", "notice", "request", "filing"} <= kinds
    assert [d["step"] for d in listed] == sorted(d["step"] for d in listed)

    request = next(d for d in listed if d["kind"] == "request")
    r = await http.get(request["href"], headers=office)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = pdfcheck.compact(r.content)
    assert "当否，请批示。" in text and f"{out['elected']['secretary'][0]}任书记" in text
    assert "中共st-doc工作委员会" in text and "任期5年" in text  # the profile's P6
    # the street's name once the registry has it
    admin = bearer(await make_token("district_admin", "district:*"))
    for path, body in (("/api/v1/districts", {"district_id": "d-doc", "name": "玄武区"}),
                       ("/api/v1/streets", {"street_id": "st-doc", "district_id": "d-doc",
                                            "name": "梅园新村街道"})):
        r = await http.post(path, headers=admin, json=body)
        assert r.status_code in (200, 201), r.text
    text = pdfcheck.compact((await http.get(request["href"], headers=office)).content)
    assert "中共梅园新村街道工作委员会" in text and "st-doc" not in text

    r = await http.get(f"/api/v1/elections/{eid}/documents/nothing.pdf", headers=office)
    assert r.status_code == 404 and r.json()["field"] == "filename"
    r = await http.get(request["href"], headers=other)
    assert r.status_code == 403

    # the congress's first round made official by the office and the supervisor
    meetings = (await http.get(f"/api/v1/elections/{eid}/meetings", headers=office)).json()
    congress = next(m for m in meetings if m["kind"] == "congress")
    first = congress["rounds"][0]
    # who presided, who took the minutes, where and when: recorded, then printed
    details = {"presided_by": "李明", "recorded_by": "王芳", "place": "社区党群服务中心",
               "held_at": "2026-03-08T09:00"}
    r = await http.put(f"/api/v1/elections/{eid}/meetings/{congress['meeting_id']}/details",
                       headers=office, json=details)
    assert r.status_code == 200 and r.json()["details"] == details, r.text
    r = await http.put(f"/api/v1/elections/{eid}/meetings/{congress['meeting_id']}/details",
                       headers=office, json={**details, "held_at": "明天上午"})
    assert r.status_code == 422 and r.json()["field"] == "details.held_at", r.text
    r = await http.put(f"/api/v1/elections/{eid}/meetings/{congress['meeting_id']}/details",
                       headers=supervisor, json=details)
    assert r.status_code == 403
    minutes = next(d for d in (await http.get(f"/api/v1/elections/{eid}/documents",
                                              headers=office)).json()
                   if d["kind"] == "minutes" and "congress" in d["filename"])
    text = pdfcheck.compact((await http.get(minutes["href"], headers=office)).content)
    assert "主持人李明" in text and "地点社区党群服务中心" in text and "2026年3月8日9:00" in text
    for who in (office, supervisor):
        r = await http.post(f"/api/v1/elections/{eid}/rounds/{first['round_id']}/confirm",
                            headers=who)
        assert r.status_code == 200, r.text
    assert r.json()["official"] is True
    report = next(d for d in (await http.get(f"/api/v1/elections/{eid}/documents",
                                             headers=office)).json()
                  if d["kind"] == "result" and f"-r{first['number']}-" in d["filename"]
                  and d["filename"].startswith("7-congress"))
    r = await http.get(report["href"], headers=office)
    assert "草稿" not in pdfcheck.compact(r.content)

    r = await http.get(f"/api/v1/elections/{eid}/archive.pdf", headers=office)
    assert r.status_code == 200
    assert sum(1 for level, _ in pdfcheck.bookmarks(r.content) if level == 1) == len(listed)
    r = await http.get(f"/api/v1/elections/{eid}/archive.zip", headers=office)
    assert r.status_code == 403  # the audit records are not the office's to read
    r = await http.get(f"/api/v1/elections/{eid}/archive.zip", headers=supervisor)
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert {"archive.pdf", "manifest.json", "audit/voting.jsonl"} <= set(z.namelist())
