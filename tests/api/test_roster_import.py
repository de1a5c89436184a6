"""Roster import from CSV (UTF-8 / GB18030), XLSX, XLS and ODS with Chinese headers: row-level
errors, nothing imported when any row fails, files bounded before they are parsed."""

from __future__ import annotations

import asyncio
import io
import struct
import time
import zipfile
from collections.abc import Sequence

import httpx
import pytest

from api.db import open_database
from api.roster_io import ODS_TYPE, XLS_TYPE, XLSX_TYPE, RosterFileError, parse_roster
from gongtui.stack import EmbeddedStack
from tests.api.conftest import Stubs, TokenFactory, bearer, create_election, register_place

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """A workbook as openpyxl (a maintained writer) saves it."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xls(rows: Sequence[Sequence[object]]) -> bytes:
    """An Excel 97-2003 workbook as xlwt writes it."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名册")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def ods(rows: Sequence[Sequence[object]]) -> bytes:
    """An OpenDocument spreadsheet as odfpy writes it."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="名册")
    for row in rows:
        tr = TableRow()
        for value in row:
            if isinstance(value, (int, float)):
                cell = TableCell(valuetype="float", value=value)
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def xlsx_by_hand(cells: Sequence[tuple[str, str]], dimension: str = "") -> bytes:
    """The smallest workbook Excel opens, cell references as given (for files no writer makes)."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells:
        row = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(row, []).append(
            f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    sheet = (f'<worksheet xmlns="{MAIN}">'
             + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>"
             + "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
             + "</sheetData></worksheet>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<Types xmlns="{PKG}/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}/relationships"><Relationship '
                   f'Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
                   "</Relationships>")
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                   '<sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}/relationships">'
                   f'<Relationship Id="rId1" Type="{REL}/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


HEADER: list[object] = ["编号", "姓名", "身份", "不计入事由", "党龄", "年龄", "居住本社区"]
ROWS: list[list[object]] = [HEADER, ["x1", "王建国", "正式党员", "", 12, 45, "是"],
        ["x2", "李秀英", "预备党员", "", 0.5, 23, "否"],
        ["x3", "张伟", "正式党员", "长期卧床", 40, 88, "是"]]
EXPECTED = [("x1", "王建国", "full", "", 45), ("x2", "李秀英", "probationary", "", 23),
            ("x3", "张伟", "full", "bedridden", 88)]


@pytest.mark.parametrize(("make", "content_type"), [
    (xlsx, XLSX_TYPE), (xls, XLS_TYPE), (ods, ODS_TYPE), (xlsx, "application/octet-stream"),
    (xls, "application/octet-stream"), (ods, "application/octet-stream")])
def test_spreadsheets_are_read(make, content_type: str) -> None:
    rows = parse_roster(make(ROWS), content_type)
    assert [(r.person_id, r.name, r.status, r.excluded_reason, r.age) for r in rows] == EXPECTED
    assert rows[1].resides_in_community is False and rows[0].party_years == 12
    assert rows[1].party_years == 0.5 and [r.row for r in rows] == [2, 3, 4]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_an_office_saves(encoding: str) -> None:
    text = "\r\n".join(",".join(str(c) for c in row) for row in ROWS) + "\r\n"
    rows = parse_roster(text.encode(encoding), "text/csv")
    assert [(r.person_id, r.name, r.status, r.excluded_reason, r.age) for r in rows] == EXPECTED


def test_gbk_csv_as_excel_saves_it_keeps_every_name() -> None:
    # 镕 and 喆 are GBK; 𬌗 is GB18030 only (four bytes): both decode, none garbled
    text = "编号,姓名,身份\r\ng1,朱镕基,正式党员\r\ng2,张喆,群众\r\ng3,王𬌗,群众\r\n"
    rows = parse_roster(text.encode("gb18030"), "text/csv")
    assert [r.name for r in rows] == ["朱镕基", "张喆", "王𬌗"]
    with pytest.raises(RosterFileError) as info:
        parse_roster("编号,姓名,身份\ng1,王五,群众\n".encode("utf-16"), "text/csv")
    assert info.value.errors[0].row == 1


def test_every_failing_row_is_named() -> None:
    text = "编号,姓名,身份,年龄\nx1,王建国,正式党员,45\nx2,,党员,20\n\nx1,张伟,群众,abc\n"
    with pytest.raises(RosterFileError) as info:
        parse_roster(text.encode(), "text/csv")
    got = {(e.row, e.field) for e in info.value.errors}
    assert got == {(3, "姓名"), (3, "身份"), (5, "编号"), (5, "年龄")}  # blank row 4 counted
    with pytest.raises(RosterFileError) as info:
        parse_roster("姓名,身份\n王建国,正式党员\n".encode(), "text/csv")
    assert info.value.errors[0].field == "编号" and info.value.errors[0].row == 1
    with pytest.raises(RosterFileError):
        parse_roster(b"PK\x03\x04 not really a zip", XLSX_TYPE)
    with pytest.raises(RosterFileError):
        parse_roster(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not really a workbook", XLS_TYPE)


def test_a_name_is_normalized_and_the_same_person_twice_is_reported_with_both_rows() -> None:
    rows = parse_roster("编号,姓名,身份\nz1,\u200b王五,正式党员\nz2, 李  四 ,群众\n".encode(),
                        "text/csv")
    assert [r.name for r in rows] == ["王五", "李 四"]
    text = "编号,姓名,身份\nz1,王五,正式党员\nz2,赵六,群众\nz3,\u200b王五,正式党员\n"
    with pytest.raises(RosterFileError) as info:
        parse_roster(text.encode(), "text/csv")
    errors = info.value.errors
    assert [(e.row, e.field) for e in errors] == [(2, "姓名"), (4, "姓名")]
    assert "also row 4" in errors[0].message and "also row 2" in errors[1].message


def test_a_cell_far_out_is_refused_before_parsing() -> None:
    # 756 bytes naming cell ZZZZZ1: the hand-written reader spent 46 s and 246 MB on it
    for cells, dim in (([("A1", "编号"), ("ZZZZZ1", "x")], ""), ([("ZZZZZ1", "x")], ""),
                       ([("A1", "编号")], "A1:ZZZZZZZZ1"), ([("A1", "编号"), ("A1048576", "x")], "")):
        data = xlsx_by_hand(cells, dim)
        assert len(data) < 1500
        t = time.perf_counter()
        with pytest.raises(RosterFileError) as info:
            parse_roster(data, XLSX_TYPE)
        assert time.perf_counter() - t < 2
        e = info.value.errors[0]
        assert ("column" in e.message and e.field) or ("row" in e.message and e.row), e


@pytest.mark.parametrize("far", [(65535, 0), (0, 255), (30000, 3)])
@pytest.mark.parametrize("dimensions", ["as written", "zeroed"])
def test_an_xls_cell_far_out_is_refused_before_parsing(far: tuple[int, int],
                                                       dimensions: str) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名册")
    ws.write(0, 0, "编号")
    ws.write(*far, "x")
    buf = io.BytesIO()
    wb.save(buf)
    data = bytearray(buf.getvalue())
    if dimensions == "zeroed":  # a file whose DIMENSIONS record says nothing: the cells tell
        at = data.find(b"\x00\x02\x0e\x00")
        assert at > 0
        data[at + 4:at + 16] = bytes(12)
    t = time.perf_counter()
    with pytest.raises(RosterFileError) as info:
        parse_roster(bytes(data), XLS_TYPE)
    assert time.perf_counter() - t < 2
    e = info.value.errors[0]
    assert e.row == far[0] + 1 if far[0] > 20000 else e.field == "IV", e


def test_a_file_that_kills_the_reader_is_refused_and_the_next_is_read() -> None:
    # found by mutating bytes of an xlwt workbook: it passes every bound, and calamine then
    # asks for about a terabyte and aborts its process (Rust's answer to a failed allocation);
    # the reader runs in a process of its own, so only that process ends
    data = bytearray(xls(ROWS))
    data[650], data[1077] = 0x3D, 0x1B
    data[2630:2630] = b"\xc1"
    data[3533:3535] = b"\x0b"
    del data[5620:]
    for _ in range(2):
        with pytest.raises(RosterFileError) as info:
            parse_roster(bytes(data), XLS_TYPE)
        assert "not a readable XLS workbook" in info.value.errors[0].message
        assert len(parse_roster(xls(ROWS), XLS_TYPE)) == 3


def test_damaged_files_are_refused_never_raised() -> None:
    """Bytes of each kind of file changed, cut or inserted at random: a RosterFileError or a
    roster, nothing else, and none takes long."""
    import random

    rng = random.Random(7)
    for make, kind in ((xlsx, XLSX_TYPE), (xls, XLS_TYPE), (ods, ODS_TYPE)):
        base = make(ROWS)
        for _ in range(150):
            data = bytearray(base)
            for _ in range(rng.randint(1, 6)):
                pos = rng.randrange(len(data))
                op = rng.random()
                if op < 0.6:
                    data[pos] = rng.randrange(256)
                elif op < 0.8:
                    del data[pos:pos + rng.randint(1, 40)]
                else:
                    data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
            t = time.perf_counter()
            try:
                parse_roster(bytes(data), kind)
            except RosterFileError:
                pass
            assert time.perf_counter() - t < 5


def _lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with ``member``'s unpacked size rewritten in both headers."""
    out = bytearray(data)
    name = member.encode()
    local = out.find(b"PK\x03\x04" + b"")
    while local != -1:
        (name_len,) = struct.unpack_from("<H", out, local + 26)
        if out[local + 30:local + 30 + name_len] == name:
            struct.pack_into("<I", out, local + 22, size)
        local = out.find(b"PK\x03\x04", local + 4)
    central = out.find(b"PK\x01\x02")
    while central != -1:
        (name_len,) = struct.unpack_from("<H", out, central + 28)
        if out[central + 46:central + 46 + name_len] == name:
            struct.pack_into("<I", out, central + 24, size)
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


@pytest.mark.parametrize("size", [10, 2**31])
def test_a_zip_that_lies_about_its_sizes_is_refused(size: int) -> None:
    data = _lie_about_size(xlsx(ROWS), "xl/worksheets/sheet1.xml", size)
    with pytest.raises(RosterFileError) as info:
        parse_roster(data, XLSX_TYPE)
    assert "sheet1.xml" in info.value.errors[0].message


def test_ods_repeats_are_counted_before_parsing() -> None:
    import re

    data = ods([HEADER[:3], ["o1", "王五", "群众"]])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    # the data row repeated a million times: what calamine would lay out as a million rows
    parts["content.xml"] = re.sub(rb"(<table:table-row)(>(?:(?!</table:table-row>).)*o1)",
                                  rb'\1 table:number-rows-repeated="1000000"\2',
                                  parts["content.xml"], flags=re.S)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    t = time.perf_counter()
    with pytest.raises(RosterFileError) as info:
        parse_roster(buf.getvalue(), ODS_TYPE)
    assert time.perf_counter() - t < 2 and info.value.errors[0].row == 1000001


def test_too_many_rows_or_columns_are_refused() -> None:
    header = "编号,姓名,身份\n"
    with pytest.raises(RosterFileError) as info:
        parse_roster((header + "a,b,群众\n" * 20001).encode(), "text/csv")
    assert "20000" in info.value.errors[0].message
    with pytest.raises(RosterFileError) as info:
        parse_roster((header + ",".join(["x"] * 65) + "\n").encode(), "text/csv")
    assert info.value.errors[0].row == 2 and "65 columns" in info.value.errors[0].message


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


@pytest.mark.stack
async def test_a_bomb_is_refused_while_the_api_serves_on(
        stack: EmbeddedStack, http: httpx.AsyncClient, stubs: Stubs,
        make_token: TokenFactory) -> None:
    db = open_database(stack.settings)
    await register_place(db, "d-bomb", "s-bomb", "c-bomb")
    await db.dispose()
    eid = await create_election(stubs, "c-bomb", "s-bomb", "d-bomb")
    office = bearer(await make_token("community_office", "community:c-bomb"))
    url = f"/api/v1/elections/{eid}/roster"
    bomb = xlsx_by_hand([("A1", "编号"), ("ZZZZZ1", "x")])

    async def timed(request: object) -> tuple[httpx.Response, float]:
        t = time.perf_counter()
        response = await request  # type: ignore[misc]
        return response, time.perf_counter() - t

    (refused, t_bomb), (listed, t_list) = await asyncio.gather(
        timed(http.post(url + "/import", content=bomb,
                        headers={**office, "Content-Type": XLSX_TYPE})),
        timed(http.get(url, headers=office)))
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "ZZZZZ" and t_bomb < 2
    assert listed.status_code == 200 and t_list < 2

    lying = _lie_about_size(xlsx(ROWS), "xl/worksheets/sheet1.xml", 10)
    r = await http.post(url + "/import", content=lying,
                        headers={**office, "Content-Type": XLSX_TYPE})
    assert r.status_code == 422 and "sheet1.xml" in r.json()["message"], r.text

    twice = "编号,姓名,身份\r\nb1,王五,正式党员\r\nb2,\u200b王五,正式党员\r\n"
    r = await http.post(url + "/import", content=twice.encode(),
                        headers={**office, "Content-Type": "text/csv"})
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(2, "姓名"), (3, "姓名")]
    r = await http.post(url, json={"people": [
        {"person_id": "j1", "name": "赵六", "status": "full"},
        {"person_id": "j2", "name": "赵六\u200b", "status": "full"}]}, headers=office)
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == ["people[0].name", "people[1].name"]

    r = await http.post(url + "/import", content=xls(ROWS),
                        headers={**office, "Content-Type": XLS_TYPE})
    assert r.status_code == 200 and r.json()["imported"] == 3, r.text
    gbk = "编号,姓名,身份\r\ng1,朱镕基,正式党员\r\ng2,张喆,群众\r\n".encode("gbk")
    r = await http.post(url + "/import", content=gbk, headers={**office, "Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["imported"] == 2, r.text
    r = await http.post(url + "/import", content=ods([HEADER[:3], ["o1", "\u2060欧阳 修", "群众"]]),
                        headers={**office, "Content-Type": ODS_TYPE})
    assert r.status_code == 200, r.text
    names = {p["person_id"]: p["name"] for p in (await http.get(url, headers=office)).json()}
    assert names == {"x1": "王建国", "x2": "李秀英", "x3": "张伟", "g1": "朱镕基", "g2": "张喆",
                     "o1": "欧阳 修"}
