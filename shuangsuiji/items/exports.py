"""Files of the item list: export of a filtered list (the import and its template: ``importer``).

xlsx via xlsxwriter; csv in UTF-8 with a BOM so that Excel opens it in Chinese.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import xlsxwriter
from django.utils import timezone

from shuangsuiji.items.models import ItemVersion

EXPORT_HEADERS = [
    "部门",
    "事项编码",
    "事项名称",
    "事项类别",
    "版本",
    "状态",
    "最低抽查比例",
    "抽查频次",
    "检查对象类型",
    "检查方式",
    "子项",
    "法律依据",
    "执法检查人员要求",
    "“互联网+监管”事项编码",
    "检查表格",
    "认领来源",
    "发布人",
    "发布时间",
]


def _status(version: ItemVersion) -> str:
    if version.item.is_withdrawn:
        return "已停用"
    return version.get_status_display()


def export_rows(versions: Iterable[ItemVersion]) -> list[list[str]]:
    rows = []
    for v in versions:
        rows.append(
            [
                v.item.department.name,
                v.item.code,
                v.name,
                v.get_kind_display(),
                str(v.version),
                _status(v),
                v.ratio_percent,
                v.frequency,
                "、".join(v.target_type_labels),
                "、".join(v.method_labels),
                "\n".join(f"{s.code} {s.name}：{s.check_content}" for s in v.sub_items.all()),
                "\n".join(str(b) for b in v.legal_bases.all()),
                "、".join(t.full_name for t in v.inspector_requirements.all()),
                v.national_code,
                "、".join(str(f) for f in v.forms.all()),
                f"{v.claimed_from.item.department.name} {v.claimed_from.item.code}（第 {v.claimed_from.version} 版）"
                if v.claimed_from_id
                else "",
                v.published_by.display_name if v.published_by_id else "",
                timezone.localtime(v.published_at).strftime("%Y-%m-%d %H:%M") if v.published_at else "",
            ]
        )
    return rows


def xlsx_bytes(headers: list[str], rows: list[list[str]], sheet: str) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col, title in enumerate(headers):
        ws.write_string(0, col, title, head)
        ws.set_column(col, col, 14 if col not in (1, 2, 7, 8) else 30)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            ws.write_string(r, col, value, wrap)
    ws.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
