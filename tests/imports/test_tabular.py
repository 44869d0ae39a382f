"""Reading the files users upload: typed Excel cells become the strings a user sees, xlsx
is streamed (rows arrive before the sheet is read to its end), damaged files are refused
in Chinese, csv in UTF-8 or GB18030."""

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import Workbook

from shuangsuiji.imports import tabular
from shuangsuiji.imports.tabular import TableError, read_table


def excel_file(path, rows):
    """An xlsx as Excel saves it (openpyxl: shared strings, typed numbers and dates)."""
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_typed_cells_become_what_the_user_sees(tmp_path):
    path = excel_file(
        tmp_path / "typed.xlsx",
        [
            ["名称*", "行政区划代码", "成立日期", "投诉举报次数", "比例", "是否", "空"],
            ["  清河县甲公司 ", 130534, dt.datetime(2019, 5, 20), 3.0, 12.5, True, None],
            [None, None, None, None, None, None, None],  # empty row: skipped
            ["清河县乙公司", "130534", dt.date(2020, 1, 2), 0, 0.1, False, ""],
        ],
    )
    header, rows = read_table(path)
    assert header == ["名称", "行政区划代码", "成立日期", "投诉举报次数", "比例", "是否", "空"]
    got = list(rows)
    assert [n for n, _ in got] == [2, 4]  # spreadsheet row numbers as Excel shows them
    assert got[0][1][:6] == ["清河县甲公司", "130534", "2019-05-20", "3", "12.5", "是"]
    assert got[1][1][:6] == ["清河县乙公司", "130534", "2020-01-02", "0", "0.1", "否"]


def test_xlsx_rows_stream_before_the_sheet_is_read(tmp_path, monkeypatch):
    path = excel_file(tmp_path / "big.xlsx", [["名称"], *[[f"企业{i}"] for i in range(5000)]])
    read = []
    real = tabular._sheet_rows

    def counting(p):
        for row in real(p):
            read.append(row)
            yield row

    monkeypatch.setattr(tabular, "_sheet_rows", counting)
    _header, rows = read_table(path)
    assert next(rows) == (2, ["企业0"])
    assert len(read) == 2  # header and one row: the rest is not read yet


def test_damaged_and_foreign_files_are_refused_in_chinese(tmp_path):
    good = excel_file(tmp_path / "good.xlsx", [["名称"], *[[f"企业{i}"] for i in range(20000)]])
    with zipfile.ZipFile(good) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(broken, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data[: len(data) // 2] if name == sheet else data)  # sheet cut in the middle
    with pytest.raises(TableError, match="文件已损坏"):
        _header, rows = read_table(broken)
        list(rows)
    (tmp_path / "not.xlsx").write_bytes(b"this is not a zip file")
    with pytest.raises(TableError, match="文件已损坏") as refused:
        read_table(tmp_path / "not.xlsx")
    assert not re.search("[A-Za-z]{3,}", str(refused.value).replace("Excel", "").replace("xlsx", ""))
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    with pytest.raises(TableError, match="只支持 xlsx 或 csv"):
        read_table(tmp_path / "a.pdf")


def test_csv_in_gb18030_as_older_excel_saves_it(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes("名称,行政区划代码\r\n清河县丙公司,130534\r\n".encode("gb18030"))
    header, rows = read_table(path)
    assert header == ["名称", "行政区划代码"] and list(rows) == [(2, ["清河县丙公司", "130534"])]
