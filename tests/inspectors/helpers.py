from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

HEADER = [
    "姓名*",
    "执法证号*",
    "所属机构*",
    "职务",
    "证件有效期起",
    "证件有效期止*",
    "联系电话",
    "专业特长",
    "是否专家",
    "状态",
    "最近培训日期",
    "培训课程",
]
WATER_UNIT = "清河县水务局水土保持股"
MARKET = "清河县市场监督管理局"


def row(name="张伟", no="13053410001", org=WATER_UNIT, valid_to="2028-12-31", **extra) -> list[str]:
    values = {
        "position": "科员",
        "valid_from": "2024-01-01",
        "phone": "0319-8160001",
        "specialties": "",
        "expert": "否",
        "status": "在岗",
        "training_on": "",
        "course": "",
    } | extra
    return [
        name,
        no,
        org,
        values["position"],
        values["valid_from"],
        valid_to,
        values["phone"],
        values["specialties"],
        values["expert"],
        values["status"],
        values["training_on"],
        values["course"],
    ]


def write_csv(path: Path, rows: list[list[str]], header=HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(path: Path, mode: str = "all", user=None, **kwargs):
    from shuangsuiji.imports.runner import create_job, run_import

    job = create_job(kind="inspectors", source=path, file_name=path.name, mode=mode, user=user)
    return run_import(job.pk, **kwargs)


def make_inspector(org, no="13053410001", name="张伟", valid_to=date(2028, 12, 31), **fields):
    from shuangsuiji.inspectors.models import Inspector

    return Inspector.objects.create(organisation=org, certificate_no=no, name=name, cert_valid_to=valid_to, **fields)


def make_target(code="91130534MA0CXXXX01", name="清河县示例羊绒有限公司", region="130534"):
    from shuangsuiji.targets.models import Target

    return Target.objects.create(code=code, name=name, target_type="enterprise", region_id=region)


def specialty(code="specialty-soil-water", name="水土保持"):
    from shuangsuiji.tags.models import Tag
    from shuangsuiji.tags.services import ensure_tag

    parent = ensure_tag("specialty", "专业特长", scope=Tag.Scope.INSPECTORS)
    return ensure_tag(code, name, parent=parent, scope=Tag.Scope.INSPECTORS)
