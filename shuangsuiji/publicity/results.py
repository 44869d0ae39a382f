"""Determined results (``inspections.DepartmentPart``) as the public reads them, and the
publication queue with its 20-working-day clock.

The subject of a result publication is the record and the department
(``"<record id>-<department id>"``): a corrected part (a new ``DepartmentPart`` version that
``supersedes`` the old one) is published as a new version of the same subject, beside the
original (Art. 12).

**What the public sees** follows the national system's table — 检查实施机关, 类型, 日期, 结果,
备注 — plus the task, each item and its result. Internal codes are mapped to public ones by
``PUBLIC_RESULT``: the interim umbrella code "发现问题待后续处理" (``publishable`` false in the
codebook) is shown as "发现问题"; a non-publishable code without a mapping refuses the
publication by name. Never public: inspectors and their certificates, evidence, problem
descriptions, legal-basis notes, form answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from shuangsuiji.inspections.models import DepartmentPart, ItemOutcome, PartStatus
from shuangsuiji.rules import RuleError

# internal code → public label, for codes the codebook marks as not publishable
PUBLIC_RESULT = {"02": "发现问题"}
ITEM_OUTCOME = {ItemOutcome.PASSED: "未发现问题", ItemOutcome.PROBLEM: "发现问题"}


def subject_of(part: DepartmentPart) -> str:
    return f"{part.record_id}-{part.department_id}"


def parts() -> QuerySet[DepartmentPart]:
    return DepartmentPart.objects.select_related(
        "record__task__plan", "record__target", "department", "participant"
    ).prefetch_related("codes__code", "item_results__task_item__item_version__item")


def public_result(part: DepartmentPart) -> str:
    labels = []
    for pc in part.codes.all():
        code = pc.code
        if code.publishable:
            labels.append(code.label)
        elif code.code in PUBLIC_RESULT:
            labels.append(PUBLIC_RESULT[code.code])
        else:
            raise RuleError(f"结果代码 {code.code}“{code.label}”不向社会公示，且没有对应的公示结果。")
    return "；".join(dict.fromkeys(labels))


def result_record(part: DepartmentPart, redacted: set[str] = frozenset()) -> dict:
    """The exact public record of a determined part (``redacted``: approved field names)."""
    record, task = part.record, part.record.task
    day = record.visit_date or part.determined_on
    items = [
        {
            "code": ir.task_item.item_version.item.code,
            "name": ir.task_item.item_version.name,
            "result": ITEM_OUTCOME.get(ir.outcome, ""),
        }
        for ir in part.item_results.all()
    ]
    rec = {
        "authority": part.department.name,
        "type": "部门联合双随机抽查" if task.is_joint else "双随机抽查",
        "date": day.isoformat() if day else "",
        "result": public_result(part),
        "remark": part.note,
        "items": items,
        "target_name": record.target.name,
        "target_code": record.target.code,
        "task_id": task.pk,
        "task_code": task.code,
        "task_title": task.title,
        "plan_id": task.plan_id,
        "plan_title": task.plan.title if task.plan_id else "",
        "determined_on": part.determined_on.isoformat() if part.determined_on else "",
        "part_version": part.version,
        "redacted": [],
    }
    if "remark" in redacted:
        rec["remark"] = ""
        rec["redacted"].append("备注")
    if "item_results" in redacted:
        for i in rec["items"]:
            i["result"] = "（依法不予公示）"
        rec["redacted"].append("各事项检查结果")
    return rec


def current_part(subject_id: str) -> DepartmentPart | None:
    try:
        record_id, department_id = (int(x) for x in subject_id.split("-"))
    except ValueError:
        return None
    return parts().filter(record_id=record_id, department_id=department_id, status=PartStatus.DETERMINED).first()


def record_of_subject(subject_id: str):
    from shuangsuiji.publicity.services import approved_redactions

    part = current_part(subject_id)
    if part is None:
        raise RuleError("该检查结果没有已认定的版本。")
    return result_record(part, approved_redactions(subject_id)), [part.record.target]


def due_on(part: DepartmentPart) -> dt.date:
    from shuangsuiji.publicity.services import result_due_on

    return part.publication_due_on or result_due_on(part.determined_on)


# --- The queue ----------------------------------------------------------------------------------


@dataclass
class QueueEntry:
    """One row of the publication queue; its state is the one rule's (``deadlines``)."""

    part: DepartmentPart
    due_on: dt.date
    days_left: int | None  # working days from today to the due date (negative: overdue by that many)
    publication: object = None  # the (latest) publication of this part version, if any
    correction: bool = False  # an earlier version of the subject was published
    status: object = None  # deadlines.PartPublication

    @property
    def state(self) -> str:
        if self.status is not None:
            return self.status.label
        if self.publication is not None:
            return "逾期公开" if self.publication.late else "已公开"
        return "已逾期" if (self.days_left or 0) < 0 else "待公开"

    @property
    def overdue(self) -> bool:
        if self.status is not None:
            return self.status.overdue
        return self.publication is None and (self.days_left or 0) < 0


def queue(department, today: dt.date | None = None, include_published: bool = True) -> list[QueueEntry]:
    """Every determined part version of the department with its deadline and state
    (``deadlines.states``: due, overdue, published on time, published late); the unpublished
    first, most urgent first."""
    from shuangsuiji.publicity import deadlines
    from shuangsuiji.publicity.models import Kind, Publication

    today = today or timezone.localdate()
    determined = list(parts().filter(department=department, status=PartStatus.DETERMINED))
    state = deadlines.states(determined, today)
    published_subjects = set(
        Publication.objects.filter(kind=Kind.RESULT, subject_id__in={subject_of(p) for p in determined}).values_list(
            "subject_id", flat=True
        )
    )
    out = []
    for part in determined:
        st = state[part.pk]
        entry = QueueEntry(
            part=part,
            due_on=st.due_on,
            days_left=st.days_left,
            publication=st.publication,
            correction=st.publication is None and subject_of(part) in published_subjects,
            status=st,
        )
        if include_published or entry.publication is None:
            out.append(entry)
    out.sort(key=lambda e: (e.publication is not None, e.days_left if e.days_left is not None else 0, e.part.pk))
    return out
