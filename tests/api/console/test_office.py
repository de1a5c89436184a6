"""The office's roster upload on the real stack: a CSV with errors lists every failing row
and column and imports nothing; a good file is previewed, then imported all at once;
confirming it twice imports once (the file's digest is the idempotency key); a street
committee may not upload (403 role)."""

from __future__ import annotations

import re

import httpx
import pytest

from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer
from tests.api.console.conftest import csrf_of, place, sign_in

pytestmark = pytest.mark.stack
HEAD = "编号,姓名,身份,党龄,年龄,居住本社区"


async def test_the_roster_upload_previews_and_imports_all_or_nothing(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    _, street, community, eid = await place(stack, stubs, "roster")
    office = await make_token("community_office", f"community:{community}")
    csrf = await sign_in(http, office)
    page = await http.get(f"/console/roster/{eid}")
    assert page.status_code == 200 and "当前名册（0 人）" in page.text

    bad = "\n".join([HEAD, "m01,党员甲,正式党员,5,40,是", "m02,党员乙,外星人,5,40,是",
                     "m03,,正式党员,5,40,是"]).encode()
    r = await http.post(f"/console/roster/{eid}/preview", data={"csrf": csrf},
                        files={"file": ("名册.csv", bad, "text/csv")})
    assert r.status_code == 422, r.text
    table = r.text[r.text.index('id="row-errors"'):]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td>", table)
    assert ("3", "身份") in rows and ("4", "姓名") in rows, rows
    assert "当前名册（0 人）" in r.text  # nothing imported

    good = "\n".join([HEAD] + [f"m{i:02d},党员{i:02d},正式党员,{i},{30 + i},是"
                               for i in range(1, 8)]).encode()
    r = await http.post(f"/console/roster/{eid}/preview", data={"csrf": csrf},
                        files={"file": ("名册.csv", good, "text/csv")})
    assert r.status_code == 200 and "共 7 行，全部通过检查" in r.text, r.text
    assert "当前名册（0 人）" in r.text  # a preview imports nothing
    payload = re.search(r'name="payload" value="([^"]+)"', r.text)
    assert payload is not None
    confirm = {"csrf": csrf_of(r.text), "payload": payload.group(1), "kind": "text/csv"}
    done = await http.post(f"/console/roster/{eid}/import", data=confirm,
                           follow_redirects=True)
    assert done.status_code == 200 and "新增 7 人" in done.text and "当前名册（7 人）" in done.text
    again = await http.post(f"/console/roster/{eid}/import", data=confirm,
                            follow_redirects=True)
    assert again.status_code == 200 and "当前名册（7 人）" in again.text
    listed = await http.get(f"/api/v1/elections/{eid}/roster", headers=bearer(office))
    assert sorted(p["person_id"] for p in listed.json()) == [f"m{i:02d}" for i in range(1, 8)]

    csrf = await sign_in(http, await make_token("street_committee", f"street:{street}"))
    r = await http.post(f"/console/roster/{eid}/import", data={**confirm, "csrf": csrf})
    assert r.status_code == 403 and "角色（role）" in r.text


async def test_a_paper_tally_is_entered_checked_and_counted_at_the_desk(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    from tests.api.console.conftest import congress, roster

    _, _, community, eid = await place(stack, stubs, "tally")
    token = await make_token("community_office", f"community:{community}")
    await roster(http, bearer(token), eid)
    c = await congress(http, stubs, eid, bearer(token))
    csrf = await sign_in(http, token)
    desk = await http.get(f"/console/desk/{eid}")
    assert f'class="tally" data-round="{c.round_id}"' in desk.text
    url = f"/console/desk/{eid}/rounds/{c.round_id}/tally"
    sheet = {"csrf": csrf, "issued": "5", "returned": "5", "invalid": "1",
             "for.p1": "4", "against.p1": "1", "for.p2": "0", "abstain.p2": "4",
             "wname.0": "张伟", "wvotes.0": "1"}
    r = await http.post(url, data=sheet)  # p1: 5 marks on 4 valid ballots
    assert r.status_code == 422 and "M3：" in r.text and "得票（lines[" in r.text, r.text
    r = await http.post(url, data={**sheet, "against.p1": "0", "abstain.p1": "0",
                                   "issued": "x"})
    assert r.status_code == 422 and "发出票数（issued）" in r.text
    r = await http.post(url, data={**sheet, "against.p1": "0"}, follow_redirects=True)
    assert r.status_code == 200 and "第 1 轮计票结果已录入" in r.text, r.text
    entered = (await http.get(f"/api/v1/elections/{eid}/rounds/{c.round_id}",
                              headers=bearer(token))).json()
    assert entered["status"] == "open" and entered["tally_status"] == "entered"
    # counted once the supervisor confirms it (four eyes, M12)
    supervisor = bearer(await make_token("supervisor", f"community:{community}"))
    counted = (await http.post(f"/api/v1/elections/{eid}/rounds/{c.round_id}/tally/confirm",
                               headers=supervisor, json={"approve": True})).json()
    assert counted["status"] == "counted" and counted["source"] == "paper"
    assert counted["elected"] == ["p1"] and counted["invalid"] == 1
    assert counted["write_ins"] == [{"name": "张伟", "votes": 1}]
