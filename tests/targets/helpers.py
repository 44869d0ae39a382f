from __future__ import annotations

import csv
from pathlib import Path

HEADER = ["名称*", "统一社会信用代码", "对象类型*", "行政区划代码*", "行业代码", "信用风险分类", "经营异常名录", "标签"]
# Real-format USCCs with valid check digits (GB 32100-2015).
GOOD_USCC = ["91110000600037341L", "91440300708461136T", "914403001922038216", "91330100716105852F"]


def write_csv(path: Path, rows: list[list[str]], header=HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, mode: str = "all", user=None, **kwargs):
    from shuangsuiji.imports.runner import create_job, run_import

    job = create_job(kind="targets", source=path, file_name=path.name, mode=mode, user=user)
    return run_import(job.pk, **kwargs)
