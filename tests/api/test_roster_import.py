"""Roster import from CSV and XLSX (Chinese headers): row-level errors, nothing imported when
any row fails; the XLSX reader needs only the standard library."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

import httpx
import pytest

from api.db import open_database
from api.roster_io import XLSX_TYPE, RosterFileError, parse_roster
from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer, create_election, register_place


def xlsx(rows: Sequence[Sequence[object]], shared: bool = True) -> bytes:
    """A minimal workbook: strings shared (or inline), numbers as numbers."""
    strings: list[str] = []
    cells_xml = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(65 + c)}{r}"
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif shared:
                strings.append(str(value))
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
                   '<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml",
                   f'<worksheet xmlns="{main}"><sheetData>{"".join(cells_xml)}</sheetData>'
                   '</worksheet>')
        if shared:
            z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">' + "".join(
                f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>")
    return buf.getvalue()


HEADER = ["编号", "姓名", "身份", "不计入事由", "党龄", "年龄", "居住本社区"]


@pytest.mark.parametrize("shared", [True, False])
def test_xlsx_is_read_with_the_standard_library(shared: bool) -> None:
    data = xlsx([HEADER, ["x1", "王建国", "正式党员", "", 12, 45, "是"],
                 ["x2", "李秀英", "预备党员", "", 0.5, 23, "否"],
                 ["x3", "张伟", "正式党员", "长期卧床", 40, 88, "是"]], shared=shared)
    rows = parse_roster(data, XLSX_TYPE)
    assert [(r.person_id, r.name, r.status, r.excluded_reason, r.age) for r in rows] == [
        ("x1", "王建国", "full", "", 45), ("x2", "李秀英", "probationary", "", 23),
        ("x3", "张伟", "full", "bedridden", 88)]
    assert rows[1].resides_in_community is False and rows[0].party_years == 12


def test_every_failing_row_is_named() -> None:
    text = "编号,姓名,身份,年龄\nx1,王建国,正式党员,45\nx2,,党员,20\nx1,张伟,群众,abc\n"
    with pytest.raises(RosterFileError) as info:
        parse_roster(text.encode(), "text/csv")
    got = {(e.row, e.field) for e in info.value.errors}
    assert got == {(3, "姓名"), (3, "身份"), (4, "编号"), (4, "年龄")}
    with pytest.raises(RosterFileError) as info:
        parse_roster("姓名,身份\n王建国,正式党员\n".encode(), "text/csv")
    assert info.value.errors[0].field == "编号" and info.value.errors[0].row == 1
    with pytest.raises(RosterFileError):
        parse_roster(b"PK\x03\x04 not really a zip", XLSX_TYPE)


@pytest.mark.stack
async def test_import_all_or_nothing(stack: EmbeddedStack, http: httpx.AsyncClient,
                                     stubs: Stubs, make_token: TokenFactory) -> None:
    db = open_database(stack.settings)
    await register_place(db, "d-ros", "s-ros", "c-ros")
    await db.dispose()
    eid = await create_election(stubs, "c-ros", "s-ros", "d-ros")
    office = bearer(await make_token("community_office", "community:c-ros"))
    url = f"/api/v1/elections/{eid}/roster"

    bad = "编号,姓名,身份\ny1,王建国,正式党员\ny2,李秀英,党外人士\ny3,,群众\n"
    r = await http.post(url + "/import", content=bad.encode(),
                        headers={**office, "Content-Type": "text/csv"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "身份"), (4, "姓名")]
    assert body["field"] == "身份" and "nothing imported" in body["message"]
    assert (await http.get(url, headers=office)).json() == []

    # E2: the service refuses an exclusion reason; the error points at the row of the file
    data = xlsx([HEADER, ["y1", "王建国", "正式党员", "", 10, 40, "是"],
                 ["y2", "李秀英", "正式党员", "出差", 10, 40, "是"]])
    r = await http.post(url + "/import", content=data,
                        headers={**office, "Content-Type": XLSX_TYPE})
    assert r.status_code == 422, r.text
    assert r.json()["rule"] == "E2" and r.json()["errors"][0]["row"] == 3
    assert (await http.get(url, headers=office)).json() == []

    data = xlsx([HEADER, ["y1", "王建国", "正式党员", "", 10, 40, "是"],
                 ["y2", "李秀英", "正式党员", "服刑", 10, 40, "是"],
                 ["y3", "赵磊", "群众", "", "", 60, "是"]])
    r = await http.post(url + "/import", content=data,
                        headers={**office, "Content-Type": XLSX_TYPE})
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 3
    people = {p["person_id"]: p for p in (await http.get(url, headers=office)).json()}
    assert people["y2"]["excluded_reason"] == "sentence" and people["y3"]["status"] == "resident"

    r = await http.post(url + "/import", content=b"{}",
                        headers={**office, "Content-Type": "application/json"})
    assert r.status_code == 415 and r.json()["field"] == "content-type"
