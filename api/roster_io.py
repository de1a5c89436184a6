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

Every row is checked; the errors name the row (1-based as the sheet shows it, blank rows
counted; the header is the first row that is not blank) and the column. Names are normalized
where they enter (core.names): the same person twice is reported with both rows.

Spreadsheets (XLSX, XLS, ODS) are read by python-calamine after their extent is checked
(api.roster_files); CSV is UTF-8 with or without BOM, else GB18030 (which covers the GBK that
Excel on a Chinese system saves), its rows and columns counted before any row is taken.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from api.errors import FieldError
from api.roster_files import (
    MAX_COLUMNS,
    MAX_ROWS,
    ODS_TYPE,
    XLS_TYPE,
    XLSX_TYPE,
    RosterFileError,
    column_letters,
    fail,
    kind_of,
    read_spreadsheet,
)
from core.names import duplicates, normalize_name
from core.vocabulary import STATUSES

__all__ = ["MAX_ROWS", "ODS_TYPE", "XLSX_TYPE", "XLS_TYPE", "RosterFileError", "RosterRow",
           "parse_roster", "parse_rows", "read_csv"]

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


def read_csv(data: bytes) -> list[list[str]]:
    """Rows as the sheet shows them (row *n* of the list is record *n + 1*, blank ones kept)."""
    # Bounded before a row is taken: every record ends in a newline, so the newlines bound the
    # rows (a quoted field spanning lines only makes the bound looser).
    if data.rstrip(b"\r\n").count(b"\n") > MAX_ROWS:
        raise fail(f"more than {MAX_ROWS} rows and a header", row=MAX_ROWS + 2)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            line = data[:exc.start].count(b"\n") + 1
            raise fail(f"row {line}: the file is neither UTF-8 nor GB18030 (GBK) text",
                       row=line) from exc
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise fail("the file contains NUL characters", row=line)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise fail(f"row {len(rows) + 1} has {len(row)} columns: a roster has at most "
                           f"{MAX_COLUMNS}", row=len(rows) + 1,
                           column=column_letters(MAX_COLUMNS))
            rows.append(row)
    except csv.Error as exc:
        raise fail(f"row {len(rows) + 1}: not valid CSV: {exc}", row=len(rows) + 1) from exc
    return rows


def _blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


def parse_rows(table: list[list[str]]) -> list[RosterRow]:
    """Rows as the sheet shows them → roster rows; every row error collected, none imported
    on any. Row *n* of ``table`` is row *n + 1* of the file; blank rows are passed over."""
    first = next((i for i, row in enumerate(table) if not _blank(row)), None)
    if first is None:
        raise fail("the file is empty: a header row (编号, 姓名, 身份, ...) is required")
    body = [(n, raw) for n, raw in enumerate(table[first + 1:], start=first + 2)
            if not _blank(raw)]
    if len(body) > MAX_ROWS:
        raise fail(f"more than {MAX_ROWS} rows", row=body[MAX_ROWS][0])
    header_row = first + 1
    header = [h.strip().lstrip("\ufeff") for h in table[first]]
    columns: dict[str, int] = {}
    errors: list[FieldError] = []
    for i, h in enumerate(header):
        for key, names in HEADERS.items():
            if h in names or h.lower() in names:
                if key in columns:
                    errors.append(FieldError(field=h, message="column appears twice",
                                             row=header_row))
                columns[key] = i
    for key in REQUIRED:
        if key not in columns:
            errors.append(FieldError(field=HEADERS[key][0], row=header_row,
                                     message=f"required column {HEADERS[key][0]} ({key}) is "
                                             "missing"))
    if errors:
        raise RosterFileError(errors)
    if not body:
        raise fail("the file has a header but no rows")
    out: list[RosterRow] = []
    seen: dict[str, int] = {}
    for n, raw in body:
        def cell(key: str, raw: list[str] = raw) -> str:
            i = columns.get(key)
            return raw[i].strip() if i is not None and i < len(raw) else ""

        def err(key: str, message: str, n: int = n) -> None:
            errors.append(FieldError(field=HEADERS[key][0], message=message, row=n,
                                     rule="E2" if key == "excluded_reason" else ""))

        pid, status = cell("person_id"), cell("status")
        name = normalize_name(cell("name"))
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
            except (ValueError, OverflowError):
                err("age", f"{age_text} is not an age")
        resides_text = cell("resides_in_community").lower()
        if resides_text not in YES | NO:
            err("resides_in_community", f"{resides_text} is not 是/否")
        out.append(RosterRow(pid, name, code, excluded, years, age, resides_text not in NO,
                             row=n))
    errors.extend(same_name_errors([(r.name, r.row) for r in out if r.name]))
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise RosterFileError(errors)
    return out


def same_name_errors(names: list[tuple[str, int]], json_body: bool = False
                     ) -> list[FieldError]:
    """One error per row of a name that occurs more than once, naming every other row: two
    entries alike on a ballot cannot be told apart, so the office says whether they are one
    person entered twice or two people (then distinguished in the name, e.g. by birth year)."""
    out = []
    for name, rows in duplicates(names):
        for row in rows:
            if json_body:  # the rows are indexes of the JSON list
                others = ", ".join(f"people[{r}]" for r in rows if r != row)
                column, at = f"people[{row}].name", None
            else:
                others = "row " + ", ".join(str(r) for r in rows if r != row)
                column, at = HEADERS["name"][0], row
            out.append(FieldError(
                field=column, row=at,
                message=f"{name} appears more than once (also {others}): the same person "
                        "twice, or two people to tell apart in the name (同名请注明区别)"))
    return out


def parse_roster(data: bytes, content_type: str) -> list[RosterRow]:
    """Any roster file → checked rows (blocking: run it in a worker thread)."""
    if not data:
        raise fail("the request body is empty: send the CSV, XLSX, XLS or ODS file as the body")
    kind = kind_of(data, content_type)
    return parse_rows(read_csv(data) if kind == "csv" else read_spreadsheet(data, kind))
