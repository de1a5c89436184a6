"""Spreadsheet roster files (XLSX, XLS, ODS) read by python-calamine, bounded before it parses.

python-calamine was chosen by measurement (``gongtui bench roster-readers``: a 10,000-row
roster read in about a tenth of openpyxl's read-only time for a few MB more) and because one
library reads all three formats. calamine builds a dense grid from the first to the last cell
with a value, so a 1 KB file naming cell ``ZZZZZ1`` next to ``A1`` asks for twelve million
cells: the extent of every sheet is checked here first, from what the file says and from the
cells it really holds (XLS through olefile, which opens the compound document), and a zip is read through once so that sizes it declares but does not
keep (a "lying" zip) are refused before calamine sees it. calamine then runs in a reader
process of its own (_Reader), since a damaged file can still make it panic or abort. Every
refusal is a
:class:`RosterFileError` naming the sheet, row and column where they are known.
"""

from __future__ import annotations

import atexit
import io
import multiprocessing
import re
import struct
import threading
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree

import python_calamine

from api.errors import FieldError

MAX_ROWS = 20000  # data rows, the header not counted
MAX_COLUMNS = 64
MAX_UNZIPPED = 64 * 1024 * 1024  # all members of an XLSX / ODS together, as really inflated
# the reader process: its address space (calamine's grid for the largest roster allowed is
# some tens of MB; the interpreter and its libraries take the rest) and its time per file
READER_MEMORY = 1024 * 1024 * 1024
READER_SECONDS = 20
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLS_TYPE = "application/vnd.ms-excel"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CHUNK = 1024 * 1024
# a cell that holds something: ``<c r="B7" ...>`` not self-closed (``<c r="B7" s="1"/>`` is
# formatting only, which calamine skips)
_XLSX_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,10})([0-9]{1,10})"[^>]*?(/?)>')
_XLSX_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_REF = re.compile(r"^\$?([A-Z]{1,10})\$?([0-9]{1,10})$")
_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class RosterFileError(ValueError):
    def __init__(self, errors: list[FieldError]):
        super().__init__(errors[0].message if errors else "invalid roster file")
        self.errors = errors

    def __reduce__(self) -> tuple[type[RosterFileError], tuple[list[FieldError]]]:
        # raised in the reader process and sent back: rebuilt from its errors, not its text
        return (RosterFileError, (self.errors,))


def fail(message: str, column: str = "", row: int | None = None) -> RosterFileError:
    return RosterFileError([FieldError(field=column, message=message, row=row)])


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _check_extent(where: str, last_row: int, last_col: int) -> None:
    """``last_row`` 1-based, ``last_col`` 0-based, as a cell reference reads."""
    if last_row > MAX_ROWS + 1:
        raise fail(f"{where} reaches row {last_row}: a roster has at most {MAX_ROWS} rows "
                   "and a header", row=last_row)
    if last_col >= MAX_COLUMNS:
        raise fail(f"{where} reaches column {column_letters(last_col)}: a roster has at most "
                   f"{MAX_COLUMNS} columns", column=column_letters(last_col))


# ------------------------------------------------------------------------------ zip members
def _inflate(zf: zipfile.ZipFile, wanted: set[str]) -> dict[str, bytes]:
    """Reads every member through (CRC checked), counting the bytes really inflated against
    :data:`MAX_UNZIPPED`; keeps the ``wanted`` ones. A member whose declared size or checksum
    disagrees with its data is refused here, never left to the parser."""
    kept: dict[str, bytes] = {}
    total = 0
    for info in zf.infolist():
        if info.file_size > MAX_UNZIPPED:
            raise fail(f"member {info.filename} declares {info.file_size} bytes unpacked: "
                       f"at most {MAX_UNZIPPED // 2**20} MB")
        parts: list[bytes] = []
        real = 0
        try:
            with zf.open(info) as member:
                while chunk := member.read(_CHUNK):
                    real += len(chunk)
                    total += len(chunk)
                    if total > MAX_UNZIPPED:
                        raise fail(f"the file unpacks to more than {MAX_UNZIPPED // 2**20} MB")
                    if info.filename in wanted:
                        parts.append(chunk)
        except RosterFileError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError, RuntimeError) as exc:
            # a bad CRC, a truncated stream, an unknown or encrypted method: the archive
            # does not hold what its directory says
            raise fail(f"member {info.filename} is damaged: {exc}") from exc
        if real != info.file_size:
            raise fail(f"member {info.filename} declares {info.file_size} bytes but holds "
                       f"{real}")
        if info.filename in wanted:
            kept[info.filename] = b"".join(parts)
    return kept


def _open_zip(data: bytes, kind: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError,
            struct.error) as exc:
        raise fail(f"not an {kind} file (its zip directory cannot be read: {exc})") from exc


def _check_xlsx(data: bytes) -> None:
    with _open_zip(data, "XLSX") as zf:
        sheets = {n for n in zf.namelist()
                  if n.startswith("xl/worksheets/") and n.endswith(".xml")}
        if not sheets:
            raise fail("not an XLSX workbook: it has no worksheet")
        parts = _inflate(zf, sheets)
    for name, xml in sorted(parts.items()):
        where = f"sheet {name.rsplit('/', 1)[-1]}"
        dim = _XLSX_DIMENSION.search(xml)
        if dim is not None:
            for ref in dim.group(1).decode("ascii", "replace").split(":"):
                ref_match = _REF.match(ref.strip())
                if ref_match is not None:
                    _check_extent(f"{where} declares {dim.group(1).decode('ascii', 'replace')}"
                                  " and", int(ref_match.group(2)),
                                  _column_index(ref_match.group(1)))
        last_row, last_col = 0, 0
        for m in _XLSX_CELL.finditer(xml):
            if m.group(3):  # self-closed: no value
                continue
            last_row = max(last_row, int(m.group(2)))
            last_col = max(last_col, _column_index(m.group(1).decode("ascii")))
        _check_extent(f"{where} holds a value that", last_row, last_col)


def _check_ods(data: bytes) -> None:
    with _open_zip(data, "ODS") as zf:
        if "content.xml" not in zf.namelist():
            raise fail("not an ODS spreadsheet: it has no content.xml")
        content = _inflate(zf, {"content.xml"})["content.xml"]
    # Rows and cells repeat by count (table:number-*-repeated); only those that hold a value
    # take room in calamine's grid, so those are counted as they would be laid out.
    rows = 0
    table_rows = 0
    try:
        for event, elem in ElementTree.iterparse(io.BytesIO(content), events=("start", "end")):
            if elem.tag == f"{_ODS_TABLE}table" and event == "start":
                table_rows = 0
            elif elem.tag == f"{_ODS_TABLE}table-row" and event == "end":
                repeat = int(elem.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
                width, last = 0, -1
                for cell in elem:
                    span = int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                    if cell.get(f"{_ODS_OFFICE}value-type") or len(cell):
                        last = width + span - 1
                    width += span
                if last >= 0:
                    rows = table_rows + repeat
                    _check_extent("the sheet holds a value that", rows, last)
                table_rows += repeat
                elem.clear()
    except RosterFileError:
        raise
    except ElementTree.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise fail(f"not an ODS spreadsheet: content.xml line {line}, column {col}: {exc}",
                   ) from exc
    except ValueError as exc:
        raise fail(f"not an ODS spreadsheet: a repeat count is not a number ({exc})") from exc


# BIFF records whose data starts with the cell's row and column (u16 each) and that hold a
# value; MULRK (0x00BD) ends with the last column of its run. Blank cells are formatting only.
_BIFF_CELLS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6, 0x00BD}
_BIFF_DIMENSIONS = 0x0200


def _check_xls(data: bytes) -> None:
    # The compound document (OLE2) is opened by olefile; the Workbook stream is a run of
    # [type u16][length u16][data] records, which is all that is walked here: the cells'
    # positions and each sheet's DIMENSIONS record, before calamine lays out its grid.
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as exc:  # olefile raises what its parsing meets on a damaged file
        raise fail(f"not an XLS workbook (its compound document cannot be read: {exc})"
                   ) from exc
    with ole:
        name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if name is None:
            raise fail("not an XLS workbook: it has no Workbook stream")
        try:
            stream = ole.openstream(name).read()
        except Exception as exc:  # the same: any failure is a damaged stream
            raise fail(f"the XLS Workbook stream is damaged: {exc}") from exc
    if len(stream) > MAX_UNZIPPED:
        raise fail(f"the XLS workbook holds more than {MAX_UNZIPPED // 2**20} MB")
    pos, last_row, last_col = 0, 0, 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4:pos + 4 + length]
        pos += 4 + length
        if kind == _BIFF_DIMENSIONS and len(body) >= 10:
            if len(body) >= 14:  # BIFF8: rows u32
                first_row, rows, first_col, cols = struct.unpack_from("<IIHH", body)
            else:  # BIFF5: rows u16
                first_row, rows, first_col, cols = struct.unpack_from("<HHHH", body)
            if first_row > rows or first_col > cols:
                raise fail("the XLS sheet declares a range that ends before it begins")
            # rwMac / colMac are one past the last
            _check_extent("the XLS sheet declares a range that", rows, max(cols - 1, 0))
        elif kind in _BIFF_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            if kind == 0x00BD and len(body) >= 6:
                (col,) = struct.unpack_from("<H", body, len(body) - 2)
            last_row, last_col = max(last_row, row + 1), max(last_col, col)
    _check_extent("the XLS sheet holds a value that", last_row, last_col)


def kind_of(data: bytes, content_type: str) -> str:
    """``xlsx``, ``xls``, ``ods`` or ``csv``: by the file's own signature first."""
    if data.startswith(OLE2_MAGIC):
        return "xls"
    if data.startswith(b"PK"):
        if b"mimetype" in data[:100] and ODS_TYPE.encode() in data[:200]:
            return "ods"
        return "ods" if ODS_TYPE in content_type else "xlsx"
    if any(t in content_type for t in (XLSX_TYPE, ODS_TYPE, XLS_TYPE)):
        return {XLSX_TYPE: "xlsx", ODS_TYPE: "ods", XLS_TYPE: "xls"}[
            next(t for t in (XLSX_TYPE, ODS_TYPE, XLS_TYPE) if t in content_type)]
    return "csv"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # calamine's numbers: 12.0 is the 12 that was typed
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return "" if value is None else str(value)


def _grid(data: bytes, label: str) -> list[list[Any]]:
    """calamine's reading of the first sheet; runs in the reader process (see _Reader)."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            raise fail(f"the {label} workbook has no sheet")
        sheet = workbook.get_sheet_by_index(0)
        end = sheet.end
        if end is not None:
            _check_extent(f"the {label} sheet", end[0] + 1, end[1])
        return list(sheet.to_python(skip_empty_area=False))
    except RosterFileError:
        raise
    except (python_calamine.CalamineError, ValueError, OSError, LookupError,
            UnicodeError) as exc:
        raise fail(f"not a readable {label} workbook: {exc}") from None
    except BaseException as exc:
        # pyo3 raises a Rust panic as PanicException, a BaseException that cannot even be
        # sent back from this process: it becomes the refusal here
        if type(exc).__name__ != "PanicException":
            raise
        raise fail(f"not a readable {label} workbook (the reader failed on it: {exc})"
                   ) from None


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (READER_MEMORY, READER_MEMORY))


class _Reader:
    """calamine runs in a process of its own, one at a time, memory-capped. Its Rust code can
    panic on a damaged file (pyo3 raises that as a BaseException) and aborts the whole process
    when an allocation fails, which a file checked above may still provoke: in the API's own
    process that would end every community's casts. A reader that dies or overruns
    READER_SECONDS is replaced and the file refused."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                initializer=_limit_memory)
        return self._pool

    def _discard(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
            pool.shutdown(wait=False, cancel_futures=True)

    def read(self, data: bytes, label: str) -> list[list[Any]]:
        with self._lock:  # one file at a time: the reader's memory cap is per process
            future = self._executor().submit(_grid, data, label)
            try:
                return future.result(timeout=READER_SECONDS)
            except RosterFileError:
                raise
            except FuturesTimeout as exc:
                self._discard()
                raise fail(f"the {label} workbook took more than {READER_SECONDS} s to read"
                           ) from exc
            except BrokenProcessPool as exc:  # the reader aborted (Rust's answer to OOM)
                self._discard()
                raise fail(f"not a readable {label} workbook (the reader failed on it)"
                           ) from exc

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True)
                self._pool = None


READER = _Reader()
atexit.register(READER.close)


def read_spreadsheet(data: bytes, kind: str) -> list[list[str]]:
    """The first sheet's rows as text, from its cell A1 (row *n* of the list is row *n + 1* of
    the sheet, blank rows kept so that errors name the row the office sees); refused before
    parsing when the file is larger than a roster can be. Blocking: call it from a thread."""
    {"xlsx": _check_xlsx, "ods": _check_ods, "xls": _check_xls}[kind](data)
    grid = READER.read(data, kind.upper())
    rows: list[list[str]] = []
    for raw in grid:
        row = [_text(v) for v in raw]
        while row and not row[-1].strip():
            row.pop()
        rows.append(row)
    return rows
