"""What the API's register writes answer (see imports/rows.py)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema


class RowErrorOut(Schema):
    row: int = Field(description="第几条（按提交顺序，从 1 起）")
    column: str = Field(description="列（导入模板的列名）")
    value: str
    reason: str


class ImportResultOut(Schema):
    job_id: int = Field(description="导入批次编号（与文件导入同一记录，可在导入记录中查看）")
    status: str
    message: str
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut] = Field(description="模式 valid 时跳过的行")


def result(job) -> dict:
    return {
        "job_id": job.pk,
        "status": job.status,
        "message": job.message,
        "created": job.created_count,
        "updated": job.updated_count,
        "unchanged": job.unchanged_count,
        "errors": [e.__dict__ for e in job.api_errors],
    }


Mode = Literal["all", "valid"]
