"""A report form (``annex.AnnexForm``) as xlsx (xlsxwriter, merged ranges as in the annex) and
as PDF (Typst, ``report.typ``, Noto CJK fonts embedded). The screen renders the same cells
with ``templates/reports/_form.html``."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import xlsxwriter
from django.conf import settings

from shuangsuiji.reports.annex import AnnexForm

TEMPLATE = Path(__file__).with_name("report.typ")
_lock = threading.Lock()
_compiler = None


def xlsx_bytes(form: AnnexForm, sheet: str = "报表") -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet[:31])
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    plain = book.add_format({"align": "center", "valign": "vcenter"})
    left = book.add_format({"align": "left", "valign": "vcenter"})
    right = book.add_format({"align": "right", "valign": "vcenter"})
    cell_fmt = {
        (False, "center"): book.add_format({"border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}),
        (False, "left"): book.add_format({"border": 1, "align": "left", "valign": "vcenter", "text_wrap": True}),
        (True, "center"): book.add_format(
            {
                "border": 1,
                "bold": True,
                "bg_color": "#F2F2F2",
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        ),
        (True, "left"): book.add_format(
            {"border": 1, "bold": True, "bg_color": "#F2F2F2", "align": "left", "valign": "vcenter", "text_wrap": True}
        ),
    }
    ncols = len(form.widths)
    total = sum(form.widths)
    width = 120 if form.landscape else 90  # characters across the page
    for c, w in enumerate(form.widths):
        ws.set_column(c, c, max(4, round(w / total * width)))
    last = ncols - 1
    ws.merge_range(0, 0, 0, last, form.title, title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, form.subtitle, plain)
    half = max(0, ncols // 2 - 1)
    ws.merge_range(2, 0, 2, half, form.meta_left, left) if half > 0 else ws.write(2, 0, form.meta_left, left)
    if half + 1 < last:
        ws.merge_range(2, half + 1, 2, last, form.meta_right, right)
    else:
        ws.write(2, last, form.meta_right, right)
    top = 3
    for r, c, cell in form.placed():
        fmt = cell_fmt[(cell.head, cell.align)]
        row, col = top + r, c
        value = _number(cell.text) if not cell.head else cell.text
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_range(row, col, row + cell.rowspan - 1, col + cell.colspan - 1, value, fmt)
        else:
            ws.write(row, col, value, fmt)
    for r, row in enumerate(form.rows):
        lines = max((cell.text.count("\n") + 1 + len(cell.text) // 40 for cell in row), default=1)
        ws.set_row(top + r, max(20, 15 * lines))
    next_row = top + len(form.rows) + 1
    for note in form.notes:
        ws.merge_range(next_row, 0, next_row, last, note, left)
        next_row += 1
    if form.signatures:
        ws.merge_range(next_row + 1, 0, next_row + 1, last, "　　　　".join(form.signatures), left)
        next_row += 2
    if form.footer:
        ws.merge_range(next_row + 1, 0, next_row + 1, last, "　　".join(form.footer), right)
    ws.set_landscape() if form.landscape else ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def _number(text: str):
    """Figures go into the sheet as numbers (a reader can add them up); anything else as text."""
    try:
        return int(text) if text.isdigit() else text
    except ValueError:
        return text


def form_data(form: AnnexForm, *, author: str, mark: str) -> dict:
    return {
        "title": form.title,
        "subtitle": form.subtitle,
        "meta_left": form.meta_left,
        "meta_right": form.meta_right,
        "widths": form.widths,
        "landscape": form.landscape,
        "cells": [
            {
                "text": cell.text,
                "colspan": cell.colspan,
                "rowspan": cell.rowspan,
                "head": cell.head,
                "align": cell.align,
            }
            for _r, _c, cell in form.placed()
        ],
        "notes": form.notes,
        "signatures": form.signatures,
        "footer": form.footer,
        "author": author,
        "mark": mark,
    }


def pdf_bytes(form: AnnexForm, *, author: str, mark: str) -> bytes:
    global _compiler
    data = json.dumps(form_data(form, author=author, mark=mark), ensure_ascii=False)
    with _lock:
        if _compiler is None:
            import typst

            font_dir = getattr(settings, "SHUANGSUIJI_PDF_FONT_DIR", "/usr/share/fonts/opentype/noto")
            _compiler = typst.Compiler(root=str(TEMPLATE.parent), font_paths=[font_dir], ignore_system_fonts=True)
        return _compiler.compile(TEMPLATE.read_bytes(), format="pdf", sys_inputs={"data": data})
