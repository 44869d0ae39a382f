"""Reading and writing the spreadsheets users exchange with the platform (xlsx and csv).

- Reading: csv (UTF-8 with or without BOM, or GB18030 as saved by older Excel), xlsx
  streamed row by row (python-calamine-plus), xls/ods (python-calamine). Every cell comes
  back as a stripped string; Excel numbers that are whole become integers ("91" not
  "91.0"), dates become ISO dates.
- Writing: xlsx (xlsxwriter, constant memory, bold Chinese headers) and csv (UTF-8 with BOM so
  that Excel opens it in Chinese).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path

from python_calamine import CalamineWorkbook
from python_calamine_plus import CalamineWorkbook as StreamingWorkbook

XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
STREAMED_SUFFIXES = {".xlsx", ".xlsm"}


DAMAGED = "文件已损坏，或不是有效的 Excel 文件，无法读取。请在 Excel 中打开并另存为 xlsx 后重新导入。"


class TableError(ValueError):
    """The file cannot be read as a table (wrong type, empty, no header)."""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _decode_csv(path: Path) -> io.TextIOBase:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return io.StringIO(raw.decode(encoding), newline="")
        except UnicodeDecodeError:
            continue
    raise TableError("无法识别文件编码：请另存为 UTF-8 编码的 CSV 或 xlsx 文件。")


def _sheet_rows(path: Path) -> Iterator[list]:
    """The first sheet's rows. xlsx/xlsm are streamed (python-calamine-plus: the first row
    arrives at once, so an import writes while the file is still being read, and the sheet is
    never held in memory whole); other formats (xls, ods) are loaded by python-calamine."""
    if path.suffix.lower() in STREAMED_SUFFIXES:
        stream = StreamingWorkbook.from_path(str(path)).stream_sheet_by_index(0)
        return _guarded(iter(stream))
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows()


def _guarded(rows: Iterator[list]) -> Iterator[list]:
    """Errors met half-way through a streamed sheet (a damaged file) become TableError."""
    try:
        yield from rows
    except Exception as exc:
        raise TableError(DAMAGED) from exc


def read_table(path: Path | str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of (spreadsheet row number, cells) for each non-empty row.

    Row numbers are as the user sees them in Excel: the header is row 1.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        try:
            rows = _sheet_rows(path)
        except Exception as exc:  # calamine raises its own error types
            raise TableError(DAMAGED) from exc
        # Most cells are text: strip them inline, convert the rest (numbers, dates) with _cell.
        it: Iterator[list[str]] = ([v.strip() if type(v) is str else _cell(v) for v in row] for row in rows)
    elif suffix in {".csv", ".txt"}:
        it = ([c.strip() for c in row] for row in csv.reader(_decode_csv(path)))
    else:
        raise TableError("只支持 xlsx 或 csv 文件。")
    try:
        header = next(it)
    except StopIteration:
        raise TableError("文件是空的：第 1 行应为表头。") from None
    header = [h.strip().lstrip("\ufeff").rstrip("*") for h in header]
    if not any(header):
        raise TableError("第 1 行应为表头。")

    def rows_with_numbers() -> Iterator[tuple[int, list[str]]]:
        for number, row in enumerate(it, start=2):
            if any(row):
                yield number, row

    return header, rows_with_numbers()


def count_data_rows(path: Path | str) -> int:
    _header, rows = read_table(path)
    return sum(1 for _ in rows)


def write_xlsx(target, headers: Sequence[str], rows: Iterable[Sequence], sheet_name: str = "Sheet1") -> None:
    """Write an xlsx to a path or a binary file object."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for col, title in enumerate(headers):
        sheet.write_string(0, col, str(title), bold)
        sheet.set_column(col, col, max(10, min(40, len(str(title)) * 2 + 4)), text)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            # Codes such as USCC and 执法证号 must stay text (no scientific notation).
            sheet.write_string(r, col, str(value))
    sheet.freeze_panes(1, 0)
    workbook.close()


def write_csv(target, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write a UTF-8 (with BOM) csv to a text file object opened with newline=''."""
    target.write("\ufeff")
    writer = csv.writer(target)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
