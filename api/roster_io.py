"""Roster files (党员名册) in CSV or XLSX with Chinese (or English) headers.

Columns (header row first; order free; 编号 and 姓名 and 身份 are required):

| 中文 header | also | field | values |
|---|---|---|---|
| 编号 / 人员编号 | person_id | person_id | letters, digits, ``-_.:`` |
| 姓名 | name | name | text |
| 身份 / 政治面貌 | status | status | 正式党员 预备党员 留党察看 中止权利 驻区单位党员 群众 (or the codes) |
| 不计入事由 / 不计入应到会事由 | excluded_reason | excluded_reason | E2 reason code or 中文 |
| 党龄 | party_years | party_years | number ≥ 0 |
| 年龄 | age | age | whole number ≥ 0 |
| 居住本社区 / 是否居住本社区 | resides_in_community | resides_in_community | 是/否 (default 是) |

Every row is checked; the errors name the row (1-based, the header is row 1) and the column.
XLSX is read with the standard library (zipfile + xml): the first worksheet, shared and inline
strings, numbers.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from api.errors import FieldError
from core.vocabulary import STATUSES

HEADERS = {
    "person_id": ("编号", "人员编号", "person_id", "id"),
    "name": ("姓名", "name"),
    "status": ("身份", "政治面貌", "status"),
    "excluded_reason": ("不计入事由", "不计入应到会事由", "excluded_reason"),
    "party_years": ("党龄", "party_years"),
    "age": ("年龄", "age"),
    "resides_in_community": ("居住本社区", "是否居住本社区", "resides_in_community"),
}
REQUIRED = ("person_id", "name", "status")
STATUS_ZH = {"正式党员": "full", "预备党员": "probationary", "留党察看": "discipline",
             "中止权利": "suspended", "中止党员权利": "suspended", "驻区单位党员": "guest_member",
             "群众": "resident", "居民": "resident"}
EXCLUDED_ZH = {"丧失行为能力": "mentally_unable", "出国": "abroad", "自费出国": "abroad",
               "服刑": "sentence", "长期卧床": "bedridden", "外出未转组织关系": "away_untransferred"}
YES = {"是", "y", "yes", "true", "1", ""}
NO = {"否", "n", "no", "false", "0"}
PERSON_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,79}$")
MAX_ROWS = 20000
MAX_UNZIPPED = 64 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}


class RosterFileError(ValueError):
    def __init__(self, errors: list[FieldError]):
        super().__init__(errors[0].message if errors else "invalid roster file")
        self.errors = errors


@dataclass
class RosterRow:
    person_id: str
    name: str
    status: str
    excluded_reason: str = ""
    party_years: float = 0.0
    age: int = 0
    resides_in_community: bool = True
    row: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def _fail(message: str, column: str = "", row: int | None = None) -> RosterFileError:
    return RosterFileError([FieldError(field=column, message=message, row=row)])


def read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise _fail("the file is neither UTF-8 nor GB18030 text") from exc
    if "\x00" in text:
        raise _fail("the file contains NUL characters")
    try:
        return [row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise _fail(f"not valid CSV: {exc}") from exc


def _col_index(ref: str) -> int:
    letters = "".join(ch for ch in ref if ch.isalpha())
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return max(n - 1, 0)


def read_xlsx(data: bytes) -> list[list[str]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _fail("not an XLSX file (not a zip archive)") from exc
    with zf:
        if sum(i.file_size for i in zf.infolist()) > MAX_UNZIPPED:
            raise _fail("the workbook is too large")
        names = set(zf.namelist())
        try:
            workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
            sheet = workbook.find("m:sheets/m:sheet", _NS)
            if sheet is None:
                raise _fail("the workbook has no worksheet")
            rid = sheet.get(f"{{{_NS['r']}}}id")
            target = next((r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)
                           if r.get("Id") == rid), "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            shared: list[str] = []
            if "xl/sharedStrings.xml" in names:
                for si in ElementTree.fromstring(zf.read("xl/sharedStrings.xml")).findall(
                        "m:si", _NS):
                    shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
            root = ElementTree.fromstring(zf.read(path))
        except KeyError as exc:
            raise _fail(f"not an XLSX workbook: missing {exc}") from exc
        except ElementTree.ParseError as exc:
            raise _fail(f"not an XLSX workbook: {exc}") from exc
    rows: list[list[str]] = []
    for r in root.iter(f"{{{_NS['m']}}}row"):
        cells: dict[int, str] = {}
        for i, c in enumerate(r.findall("m:c", _NS)):
            idx = _col_index(c.get("r", "")) if c.get("r") else i
            kind = c.get("t", "")
            v = c.find("m:v", _NS)
            if kind == "s" and v is not None:
                try:
                    value = shared[int(v.text or "0")]
                except (ValueError, IndexError) as exc:
                    raise _fail("a shared string is missing", row=len(rows) + 1) from exc
            elif kind == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t"))
            else:
                value = v.text or "" if v is not None else ""
                if kind in ("", "n") and value.endswith(".0"):
                    value = value[:-2]
            cells[idx] = value
        if cells:
            width = max(cells) + 1
            row = [cells.get(i, "") for i in range(width)]
            if any(x.strip() for x in row):
                rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            raise _fail(f"more than {MAX_ROWS} rows")
    return rows


def parse_rows(table: list[list[str]]) -> list[RosterRow]:
    """Header and rows → roster rows; every row error collected, none imported on any."""
    if not table:
        raise _fail("the file is empty: a header row (编号, 姓名, 身份, ...) is required")
    if len(table) > MAX_ROWS + 1:
        raise _fail(f"more than {MAX_ROWS} rows")
    header = [h.strip().lstrip("\ufeff") for h in table[0]]
    columns: dict[str, int] = {}
    errors: list[FieldError] = []
    for i, h in enumerate(header):
        for key, names in HEADERS.items():
            if h in names or h.lower() in names:
                if key in columns:
                    errors.append(FieldError(field=h, message="column appears twice", row=1))
                columns[key] = i
    for key in REQUIRED:
        if key not in columns:
            errors.append(FieldError(field=HEADERS[key][0], row=1,
                                     message=f"required column {HEADERS[key][0]} ({key}) is "
                                             "missing"))
    if errors:
        raise RosterFileError(errors)
    if len(table) == 1:
        raise _fail("the file has a header but no rows")
    out: list[RosterRow] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(table[1:], start=2):
        def cell(key: str, raw: list[str] = raw) -> str:
            i = columns.get(key)
            return raw[i].strip() if i is not None and i < len(raw) else ""

        def err(key: str, message: str, n: int = n) -> None:
            errors.append(FieldError(field=HEADERS[key][0], message=message, row=n,
                                     rule="E2" if key == "excluded_reason" else ""))

        pid, name, status = cell("person_id"), cell("name"), cell("status")
        if not pid:
            err("person_id", "required")
        elif not PERSON_ID.match(pid):
            err("person_id", "letters, digits and -_.: only, at most 80")
        elif pid in seen:
            err("person_id", f"{pid} appears twice (also row {seen[pid]})")
        else:
            seen[pid] = n
        if not name:
            err("name", "required")
        elif len(name) > 80:
            err("name", "at most 80 characters")
        code = STATUS_ZH.get(status, status)
        if code not in STATUSES:
            err("status", f"{status or '(empty)'} is not one of "
                          f"{', '.join(STATUS_ZH)} ({', '.join(STATUSES)})")
        excluded = cell("excluded_reason")
        excluded = EXCLUDED_ZH.get(excluded, excluded)
        if excluded and code != "full":
            err("excluded_reason", "only full members (正式党员) are excluded from the expected "
                                   "attendance")
        years_text, age_text = cell("party_years"), cell("age")
        years, age = 0.0, 0
        if years_text:
            try:
                years = float(years_text)
                if not 0 <= years <= 120:
                    raise ValueError
            except ValueError:
                err("party_years", f"{years_text} is not a number of years")
        if age_text:
            try:
                age = int(float(age_text))
                if not 0 <= age <= 150:
                    raise ValueError
            except ValueError:
                err("age", f"{age_text} is not an age")
        resides_text = cell("resides_in_community").lower()
        if resides_text not in YES | NO:
            err("resides_in_community", f"{resides_text} is not 是/否")
        out.append(RosterRow(pid, name, code, excluded, years, age, resides_text not in NO,
                             row=n))
    if errors:
        raise RosterFileError(errors)
    return out


def parse_roster(data: bytes, content_type: str) -> list[RosterRow]:
    if not data:
        raise _fail("the request body is empty: send the CSV or XLSX file as the body")
    is_xlsx = XLSX_TYPE in content_type or data[:2] == b"PK"
    return parse_rows(read_xlsx(data) if is_xlsx else read_csv(data))
