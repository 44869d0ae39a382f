"""Export responses (xlsx / csv) for any filtered list, and import templates."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

from shuangsuiji.imports.tabular import write_xlsx

XLSX_MAX_ROWS = 1_048_575  # Excel's limit below the header


def _disposition(filename: str) -> str:
    """RFC 6266 / 5987: an ASCII fallback for old clients, the Chinese name in ``filename*``."""
    suffix = filename.rsplit(".", 1)[-1] if "." in filename else "dat"
    return f"attachment; filename=\"export.{suffix}\"; filename*=UTF-8''{quote(filename)}"


def disposition(filename: str) -> str:
    return _disposition(filename)


def export_name(what: str, user, scope: str = "") -> str:
    """What a file holds, whose it is and when: 事项清单_清河县水务局_2026-12-02 (no suffix).
    ``scope`` names the data (a department); by default the user's organisation."""
    from django.utils import timezone

    org = scope or (user.organisation.name if getattr(user, "organisation_id", None) else "全部")
    safe = "".join(ch for ch in org if ch not in '\\/:*?"<>|')
    return f"{what}_{safe}_{timezone.localdate().isoformat()}"


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> StreamingHttpResponse:
    """Streams UTF-8 (with BOM) csv: constant memory for a million rows."""
    import csv

    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(headers)
        for row in rows:
            yield writer.writerow(["" if v is None else v for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], sheet: str = "Sheet1"):
    tmp = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(tmp, headers, rows, sheet_name=sheet)
    tmp.seek(0)
    response = FileResponse(tmp, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = _disposition(filename)
    return response


def export_response(fmt: str, basename: str, headers: Sequence[str], rows: Callable[[], Iterable[Sequence]]):
    if fmt == "csv":
        return csv_response(f"{basename}.csv", headers, rows())
    if fmt == "xlsx":
        return xlsx_response(f"{basename}.xlsx", headers, rows(), sheet=basename[:31])
    return HttpResponse("导出格式应为 xlsx 或 csv。", status=400, content_type="text/plain; charset=utf-8")


def template_response(fmt: str, basename: str, columns) -> HttpResponse:
    """An import template: Chinese headers (required ones marked *) and one example row."""
    headers = [f"{c.header}*" if c.required else c.header for c in columns]
    example = [c.example for c in columns]
    if fmt == "xlsx":
        return xlsx_response(f"{basename}导入模板.xlsx", headers, [example], sheet="导入模板")
    if fmt == "csv":
        return csv_response(f"{basename}导入模板.csv", headers, [example])
    return HttpResponse("模板格式应为 xlsx 或 csv。", status=400, content_type="text/plain; charset=utf-8")
