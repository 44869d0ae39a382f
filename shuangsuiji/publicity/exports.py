"""Exports to the national systems, per batch (docs/schemas/, docs/architecture.md "一公开").

A batch carries what the department published since its last batch: each result publication
not yet exported (operation ``i``; ``u`` when an earlier version of the same result was
exported), and each exported one withdrawn since (``d``). Two documents, each as JSON and
CSV: 国家企业信用信息公示系统 "双随机抽查结果信息" and "互联网+监管" 行政检查行为. A record
missing a mandatory field is refused by name (the validation report ``ExportBatch.refused``)
and stays for a later batch; the JSON documents are validated against the schemas
(jsonschema-rs) before the batch is stored.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuangsuiji.publicity import access
from shuangsuiji.publicity.models import Decision, ExportBatch, ExportedRecord, Kind, Publication, Withdrawal
from shuangsuiji.rules import RuleError

SCHEMAS = Path(settings.BASE_DIR) / "docs" / "schemas"
GSXT_SCHEMA = "gsxt-random-inspection-result.schema.json"
HLW_SCHEMA = "hlw-inspection-act.schema.json"

LABELS = {
    "plan_id": "抽查计划编号",
    "plan_name": "抽查计划名称",
    "task_id": "抽查任务编号",
    "task_name": "抽查任务名称",
    "type": "类型",
    "authority": "检查实施机关",
    "date": "检查日期",
    "party_name": "检查对象名称",
    "uscc": "统一社会信用代码",
    "result": "检查结果",
    "details": "检查事项",
    "item_codes": "监管事项目录编码",
    "inspection_name": "检查名称",
    "inspection_no": "检查编号",
    "agency": "实施机构",
    "party_type": "检查对象类型",
    "id_type": "证件类型",
    "id_no": "证件号码",
    "region_code": "行政区划代码",
    "method": "检查方式",
    "inspection_time": "检查时间",
    "inspectors": "检查人员及执法证号",
    "submit_time": "提交时间",
    "record_id": "公示编号",
    "operation": "操作",
    "version": "版本",
}


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _part(pub: Publication):
    from shuangsuiji.inspections.models import DepartmentPart

    record_id, department_id = (int(x) for x in pub.subject_id.split("-"))
    return (
        DepartmentPart.objects.filter(
            record_id=record_id, department_id=department_id, version=pub.record.get("part_version", 1)
        )
        .select_related("record__target", "record__task__plan", "department")
        .prefetch_related("item_results__task_item__item_version", "record__inspectors_present__inspector")
        .first()
    )


def gsxt_record(pub: Publication, operation: str) -> dict:
    r, task = pub.record, pub.task
    return {
        "operation": operation,
        "record_id": pub.pk,
        "version": pub.version,
        "plan_id": str(r.get("plan_id") or ""),
        "plan_name": r.get("plan_title", ""),
        "task_id": task.code if task else "",
        "task_name": r.get("task_title", ""),
        "type": r.get("type", ""),
        "authority": r.get("authority", ""),
        "date": r.get("date", ""),
        "party_name": r.get("target_name", ""),
        "uscc": r.get("target_code", ""),
        "result": r.get("result", ""),
        "remark": r.get("remark", ""),
        "details": [
            {"seq": n, "item_name": i.get("name", ""), "item_result": i.get("result", "")}
            for n, i in enumerate(r.get("items") or [], start=1)
        ],
    }


def hlw_record(pub: Publication, operation: str) -> dict:
    r = pub.record
    part = _part(pub)
    target = part.record.target if part else None
    results = list(part.item_results.all()) if part else []
    inspectors = [
        {"name": ri.inspector.name, "certificate_no": ri.certificate_no}
        for ri in (part.record.inspectors_present.all() if part else [])
        if ri.department_id == part.department_id
    ]
    visit = part.record.visit_date if part else None
    return {
        "operation": operation,
        "record_id": pub.pk,
        "plan_id": str(r.get("plan_id") or ""),
        "item_codes": sorted({_national_code(ir.task_item.item_version) for ir in results} - {""}),
        "inspection_name": r.get("task_title", ""),
        "inspection_no": f"{r.get('task_code', '')}-{pub.subject_id}",
        "agency": r.get("authority", ""),
        "party_type": target.get_target_type_display() if target else "",
        "party_name": r.get("target_name", ""),
        "id_type": "统一社会信用代码" if target and target.uscc else ("内部编码" if target else ""),
        "id_no": r.get("target_code", ""),
        "address": target.address if target else "",
        "region_code": target.region_id if target else "",
        "method": "、".join(dict.fromkeys(ir.get_method_display() for ir in results)),
        "result": r.get("result", ""),
        "inspection_time": visit.isoformat() if visit else "",
        "inspectors": inspectors,
        "submit_time": timezone.localtime(pub.published_at).strftime("%Y-%m-%dT%H:%M:%S"),
    }


def missing_fields(record: dict, record_schema: dict) -> list[str]:
    return [f for f in record_schema["required"] if record.get(f) in (None, "", [])]


def _pending(department) -> list[tuple[Publication, str]]:
    """(publication, operation) the department's next batch carries, oldest first."""
    exported = ExportedRecord.objects.filter(publication__department=department)
    done = set(exported.values_list("publication_id", "operation"))
    exported_subjects = set(exported.values_list("publication__subject_id", flat=True))
    out = []
    pubs = Publication.objects.filter(department=department, kind=Kind.RESULT).select_related("task")
    approved = Withdrawal.objects.filter(publication__in=pubs, status=Decision.APPROVED)
    withdrawn = set(approved.values_list("publication_id", flat=True))
    for pub in pubs.order_by("published_at", "pk"):
        if (pub.pk, "i") in done or (pub.pk, "u") in done:
            if pub.pk in withdrawn and (pub.pk, "d") not in done:
                out.append((pub, "d"))
            continue
        if pub.pk in withdrawn:
            continue  # withdrawn before it was ever sent
        out.append((pub, "u" if pub.subject_id in exported_subjects or pub.corrects_id else "i"))
    return out


def _csv(records: list[dict], columns: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([LABELS.get(c, c) for c in columns])
    for rec in records:
        row = []
        for c in columns:
            v = rec.get(c, "")
            if c == "details":
                v = "；".join(f"{d['seq']}.{d['item_name']}：{d['item_result']}" for d in v)
            elif c == "inspectors":
                v = "；".join(f"{i['name']}（{i['certificate_no']}）" for i in v)
            elif isinstance(v, list):
                v = "；".join(v)
            row.append(v)
        w.writerow(row)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _number(today) -> str:
    prefix = today.strftime("%Y%m%d")
    n = ExportBatch.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{n:05d}"


def validate(document: dict, name: str) -> list[str]:
    import jsonschema_rs

    validator = jsonschema_rs.validator_for(schema(name))
    return [f"{'/'.join(str(p) for p in e.instance_path)}: {e.message}" for e in validator.iter_errors(document)]


@transaction.atomic
def make_batch(department, user) -> ExportBatch:
    if not access.may_publish(user, department):
        raise RuleError("只有本部门的系统管理员或业务股室操作员可以生成报送批次。")
    pending = _pending(department)
    if not pending:
        raise RuleError("自上一批次以来没有新公开、更正或撤回的检查结果。")
    gsxt_schema, hlw_schema = schema(GSXT_SCHEMA), schema(HLW_SCHEMA)
    gsxt_item = gsxt_schema["properties"]["records"]["items"]
    hlw_item = hlw_schema["properties"]["records"]["items"]
    gsxt, hlw, carried, refused = [], [], [], []
    for pub, op in pending:
        g, h = gsxt_record(pub, op), hlw_record(pub, op)
        problems = [("国家企业信用信息公示系统", f) for f in missing_fields(g, gsxt_item)]
        problems += [("互联网+监管", f) for f in missing_fields(h, hlw_item)]
        if h["inspection_time"] and h["submit_time"] and h["submit_time"][:10] < h["inspection_time"]:
            problems.append(("互联网+监管", "submit_time"))
        if problems:
            for system, f in problems:
                refused.append(
                    {
                        "record_id": pub.pk,
                        "party_name": g["party_name"],
                        "system": system,
                        "field": f,
                        "message": (
                            f"公示编号 {pub.pk}（{g['party_name']}）：{system}缺少必填字段“{LABELS.get(f, f)}”（{f}）"
                        ),
                    }
                )
            continue
        gsxt.append(g)
        hlw.append(h)
        carried.append((pub, op))
    now = timezone.now()
    number = _number(timezone.localdate())
    gsxt_doc = {"batch_no": number, "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "records": gsxt}
    hlw_doc = {"batch_no": number, "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "records": hlw}
    errors = validate(gsxt_doc, GSXT_SCHEMA) + validate(hlw_doc, HLW_SCHEMA)
    if errors:
        raise RuleError([f"报送文件未通过格式校验：{e}" for e in errors[:10]])
    g_cols = [c for c in gsxt_item["properties"] if c != "details"] + ["details"]
    h_cols = list(hlw_item["properties"])
    batch = ExportBatch(
        department=department,
        number=number,
        created_by=user,
        record_count=len(carried),
        refused=refused,
        gsxt_json=json.dumps(gsxt_doc, ensure_ascii=False, indent=1).encode(),
        gsxt_csv=_csv(gsxt, g_cols),
        hlw_json=json.dumps(hlw_doc, ensure_ascii=False, indent=1).encode(),
        hlw_csv=_csv(hlw, h_cols),
    )
    from shuangsuiji.audit.context import acting

    with acting(actor=user, action="publicity.export_batch"):
        batch.save()
        ExportedRecord.objects.bulk_create(
            ExportedRecord(batch=batch, publication=pub, operation=op) for pub, op in carried
        )
    return batch


def _national_code(version) -> str:
    """The item's “互联网+监管” code: the version the task used, else the item's current published
    version (a department that adds the code in a later version is not stuck: published versions
    are never edited)."""
    if version.national_code:
        return version.national_code
    current = version.item.published_version
    return current.national_code if current is not None else ""
