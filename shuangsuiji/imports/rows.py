"""Register rows sent by another system (the API's writes) go through the one import path.

A request's rows become a csv with the register's import-template headers, kept like an
uploaded file (an 导入批次 with its SHA-256), and are imported by ``runner.run_import`` at
once: the same validation, the same row errors (numbered from 1 in the order sent), the same
history and audit entry, the same data scope, in one transaction. Nothing else writes a
register from outside.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from django.utils import timezone

from shuangsuiji.imports import access
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.imports.runner import IMPORTERS, RowError, create_job, run_import

MAX_API_ROWS = 5000


class RowsRefused(Exception):
    """The rows were refused as a whole (validation errors in mode ``all``, or no rows)."""

    def __init__(self, job: ImportJob | None, message: str, errors: list[RowError]):
        super().__init__(message)
        self.job = job
        self.message = message
        self.errors = errors

    def body(self) -> dict:
        return {
            "detail": [f"第 {e.row} 条 {e.column}：{e.reason}" for e in self.errors] or [self.message],
            "message": self.message,
            "job_id": self.job.pk if self.job else None,
            "errors": [e.__dict__ for e in self.errors],
        }


def cell(value) -> str:
    """A JSON value as the import reads a spreadsheet cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "、".join(str(v).strip() for v in value)
    return str(value)


def _api_row(error: RowError) -> RowError:
    # The csv's header is line 1: the first row sent is line 2, reported as 第 1 条.
    return RowError(max(error.row - 1, 0), error.column, error.value, error.reason)


def import_rows(*, kind: str, rows: Sequence[Mapping[str, object]], user, mode: str = ImportJob.Mode.ALL, label: str):
    """Import ``rows`` ({field: value}) into the register ``kind`` as ``user``; return the job.

    Raises ``PermissionDenied`` (the import rule of imports/access.py) and ``RowsRefused``.
    """
    importer = IMPORTERS[kind]
    access.require_import(user, importer)
    if not rows:
        raise RowsRefused(None, "没有要写入的数据行。", [])
    if len(rows) > MAX_API_ROWS:
        raise RowsRefused(None, f"一次最多写入 {MAX_API_ROWS} 条，本次 {len(rows)} 条，请分批提交。", [])
    fields = [c.field for c in importer.columns]
    empty = [
        RowError(i, "（整行）", "", "整行为空")
        for i, row in enumerate(rows, start=1)
        if not any(cell(v) for v in row.values())
    ]
    if empty:
        raise RowsRefused(None, f"共 {len(rows)} 条，其中 {len(empty)} 条为空，未写入任何数据。", empty)
    stamp = timezone.localtime().strftime("%Y-%m-%d_%H%M%S")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rows.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([c.header for c in importer.columns])
            for row in rows:
                writer.writerow([cell(row.get(f)) for f in fields])
        job = create_job(kind=kind, source=path, file_name=f"接口写入_{label}_{stamp}.csv", mode=mode, user=user)
    job = run_import(job.pk)
    job.api_errors = [_api_row(RowError(**e)) for e in job.errors]
    if job.status == ImportJob.Status.REJECTED:
        raise RowsRefused(job, job.message, job.api_errors)
    if job.status == ImportJob.Status.FAILED:
        raise RuntimeError(job.message)
    return job
