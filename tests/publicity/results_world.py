"""Determined results made directly with the inspections models (the results workflow of
issue 13 is built beside this app; these rows are what its determination writes)."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.inspections.models import (
    DepartmentPart,
    Evidence,
    InspectionRecord,
    ItemOutcome,
    ItemResult,
    PartResultCode,
    PartStatus,
    RecordInspector,
    ResultCode,
)
from shuangsuiji.inspections.services import publication_due
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.tasks.models import Assignment, TaskItem, TaskParticipant
from shuangsuiji.workdays.services import WorkdayCalendar

DRAFT_NOTE = "草稿结果标记：尚未认定"
EVIDENCE_NAME = "证据材料标记.jpg"
PROBLEM = "问题描述标记：消防通道堵塞"


def _codebook() -> None:
    """A transactional test's flush removed the codebook its data migration loaded."""
    if not ResultCode.objects.filter(codebook_version="2026").exists():
        import importlib

        from django.apps import apps

        importlib.import_module("shuangsuiji.inspections.migrations.0002_result_codebook_2026").load(apps, None)


def _record(task, target, visit_date):
    record, _ = InspectionRecord.objects.get_or_create(task=task, target=target, defaults={"visit_date": visit_date})
    return record


def part(
    task,
    target,
    department,
    *,
    code="01",
    determined_on: dt.date | None = None,
    note="",
    status=PartStatus.DETERMINED,
    supersedes=None,
    reason="",
    problem=False,
):
    determined_on = determined_on or timezone.localdate()
    _codebook()
    with acting(actor_name="测试"):
        record = _record(task, target, determined_on - dt.timedelta(days=1))
        participant = TaskParticipant.objects.get(task=task, department=department)
        version = 1
        if supersedes is not None:
            version = supersedes.version + 1
            supersedes.status = PartStatus.SUPERSEDED
            supersedes.superseded_at = timezone.now()
            supersedes.save()
        p = DepartmentPart.objects.create(
            record=record,
            participant=participant,
            department=department,
            version=version,
            supersedes=supersedes,
            correction_reason=reason,
            note=note,
        )
        PartResultCode.objects.create(part=p, code=ResultCode.objects.get(codebook_version="2026", code=code))
        for ti in TaskItem.objects.filter(participant=participant):
            ItemResult.objects.create(
                part=p,
                task_item=ti,
                method="on_site",
                outcome=ItemOutcome.PROBLEM if problem else ItemOutcome.PASSED,
                problem=PROBLEM if problem else "",
            )
        a = Assignment.objects.filter(target=target, inspector__organisation__path__startswith=department.path).first()
        inspector = a.inspector if a is not None else None
        if inspector is None:
            inspector = Inspector.objects.filter(organisation__path__startswith=department.path).order_by("pk").first()
        if inspector is not None:
            RecordInspector.objects.get_or_create(
                record=record,
                inspector=inspector,
                defaults={
                    "department": department,
                    "certificate_no": inspector.certificate_no,
                    "cert_valid_to": inspector.cert_valid_to,
                },
            )
        if status == PartStatus.DETERMINED:
            p.status = PartStatus.DETERMINED
            p.determined_at = timezone.now()
            p.determined_on = determined_on
            p.publication_due_on = publication_due(determined_on)
            p.save()
    return p


def evidence(record, department):
    with acting(actor_name="测试"):
        return Evidence.objects.create(
            record=record,
            department=department,
            kind=Evidence.Kind.PHOTO,
            description="现场照片",
            file=ContentFile(b"\xff\xd8\xff fake jpeg", name=EVIDENCE_NAME),
            original_name=EVIDENCE_NAME,
            content_type="image/jpeg",
            size=12,
            sha256="0" * 64,
        )


def determined_for(due_in: int, today: dt.date) -> dt.date:
    """A determination day whose publication deadline is ``due_in`` working days after
    ``today`` (on the calendar the pages use: provisional in a year the calendar lacks, so
    the tests hold in December too, when 20 working days reach into next year)."""
    cal = WorkdayCalendar(provisional=True)
    day = today
    while cal.workdays_between(today, publication_due(day)) != due_in:
        day -= dt.timedelta(days=1)
    return day
