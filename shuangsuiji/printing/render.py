"""一企一表 PDF rendering with Typst (the one PDF layout of a sheet).

``render_pdf(sheets, title=…, mark=…, author=…)`` turns :class:`tasks.sheets.Sheet` objects into
one A4 PDF (``sheet.typ``): each sheet starts a page, its number in the running header, the
viewer mark (who, when) and 第 N 页 / 共 M 页 in every footer, one bookmark per sheet and per
department, Chinese text in the system's Noto CJK fonts embedded as subsets. Nothing is read
from the network or from anywhere but the template and the font directory.

Why Typst (measured, see docs/benchmarks.md): WeasyPrint spends 0.41 s per sheet even when
many sheets share one document; Typst lays out the same form in 10–16 ms of CPU per sheet.

One compiler per process (font discovery once), behind a lock. Typst memoizes layout work
across compilations and ages entries out only after 10 further compilations; after every
~``FLUSH_AFTER`` rendered sheets a few empty compilations age the previous documents out and
the freed heap goes back to the system, so the process's memory stays flat however many
sheets it renders.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import threading
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings

from shuangsuiji.tasks.sheets import Sheet

TEMPLATE = Path(__file__).with_name("sheet.typ")
FLUSH_AFTER = 50  # sheets rendered between two cache flushes
_FLUSH_COMPILES = 11  # typst-py evicts entries older than 10 compilations

_lock = threading.Lock()
_compiler = None
_source: bytes | None = None
_since_flush = 0


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def sheet_data(s: Sheet) -> dict:
    """The sheet as the template reads it (strings, lists, booleans only)."""
    t = s.target
    task = s.task
    return {
        "number": s.number,
        "joint": bool(task.is_joint),
        "task": f"{task.code} {task.title}",
        "window": f"{_date(task.window_from)}至{_date(task.window_to)}",
        "draw": f"{s.draw_id}（第 {s.position} 号，{s.stratum}{'，备选对象递补' if s.from_reserve else ''}）",
        "target": {
            "name": t.name,
            "uscc": t.uscc,
            "code": t.code,
            "type": t.type_label,
            "region": t.region,
            "legal": t.legal_representative,
            "industry": t.industry,
            "address": t.address,
            "scope": t.business_scope,
            "risk": t.risk_label,
        },
        "departments": [
            {
                "ordinal": d.ordinal,
                "name": d.name,
                "role": d.role_label,
                "unit": d.unit_name,
                "idraw": d.inspector_draw_id,
                "state": d.inspector_state,
                "people": [
                    {
                        "name": p.name,
                        "cert": p.certificate_no,
                        "unit": p.unit,
                        "role": p.role_label + ("（递补）" if p.from_substitution else ""),
                    }
                    for p in d.people
                ],
                "items": [
                    {
                        "code": i.code,
                        "name": i.name,
                        "kind": i.kind_label,
                        "methods": list(i.methods),
                        "laws": list(i.legal_bases),
                        "subs": [[x.code, x.name, x.check_content] for x in i.sub_items],
                        "forms": [
                            {
                                "code": f.code,
                                "name": f.name,
                                "version": str(f.version),
                                "kind": f.kind_label,
                                "description": f.description,
                                "fields": [
                                    {
                                        "label": x.label,
                                        "required": x.required,
                                        "help": x.help_text,
                                        "choices": list(x.choices),
                                        "attachment": x.is_attachment,
                                        "type": x.type_label,
                                    }
                                    for x in f.fields
                                ],
                            }
                            for f in i.forms
                        ],
                    }
                    for i in d.items
                ],
            }
            for d in s.departments
        ],
    }


def _release_memory() -> None:
    """Hands freed heap pages back to the system (glibc keeps them otherwise)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL(None).malloc_trim(0)


def _get_compiler():
    global _compiler, _source
    if _compiler is None:
        import typst

        font_dir = getattr(settings, "SHUANGSUIJI_PDF_FONT_DIR", "/usr/share/fonts/opentype/noto")
        _compiler = typst.Compiler(root=str(TEMPLATE.parent), font_paths=[font_dir], ignore_system_fonts=True)
        _source = TEMPLATE.read_bytes()
    return _compiler


def render_pdf(
    sheets: Sequence[Sheet], *, title: str, mark: str, author: str, when: dt.datetime | None = None
) -> bytes:
    """One PDF of the given sheets (an empty list gives a page saying so)."""
    global _since_flush
    data = json.dumps(
        {"title": title, "author": author, "mark": mark, "sheets": [sheet_data(s) for s in sheets]},
        ensure_ascii=False,
    )
    with _lock:
        compiler = _get_compiler()
        pdf = compiler.compile(
            _source, format="pdf", sys_inputs={"data": data}, timestamp=int(when.timestamp()) if when else None
        )
        _since_flush += max(len(sheets), 1)
        if _since_flush >= FLUSH_AFTER:
            for _ in range(_FLUSH_COMPILES):
                compiler.compile(b"", format="pdf", sys_inputs={})
            _since_flush = 0
            _release_memory()
    return pdf
