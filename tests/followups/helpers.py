"""Builders for the follow-up tests: a drawn joint task (水务局 lead, 市场监管局 cooperating)
from tests/tasks/helpers, and a determined part of 水务局 with a failed item, made the way
the results app stores it (until its determine service lands on this branch)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.inspections.models import (
    DepartmentPart,
    InspectionRecord,
    ItemOutcome,
    ItemResult,
    PartResultCode,
    PartStatus,
    RecordInspector,
    ResultCode,
)
from shuangsuiji.inspections.services import publication_due
from shuangsuiji.tasks.models import Assignment, TaskParticipant
from tests.tasks.helpers import confirmed_with_inspectors, seed_world

DICE = [
    {"kind": "dice", "value": "4 2 6 1 3 5 5 2 1 6 3 4 2 2 6 5 1 3 4 6 1 5 3 2 6 4", "source": "复查见证人 王五、赵六"}
]


def world_with_task(demo):
    world = seed_world(demo)
    task, draw, _inspector_draws = confirmed_with_inspectors(world)
    world.task, world.draw = task, draw
    return world


def drawn_target(world, department, *, not_class: str = "D"):
    """A drawn target of the task that ``department`` inspects, not of class ``not_class``."""
    for dt_ in world.draw.drawn_targets.filter(replaced_by__isnull=True).select_related("target").order_by("position"):
        if dt_.target.risk_class != not_class:
            return dt_.target
    raise AssertionError("no drawn target outside the class")


def determined_part(world, department, target, *, code: str = "02", problem: str = "未按批复落实水土保持措施"):
    """A determined part of ``department`` for ``target`` with one failed item."""
    participant = TaskParticipant.objects.get(task=world.task, department=department)
    task_item = participant.items.first()
    with acting(actor_name="测试"):
        record, _ = InspectionRecord.objects.get_or_create(
            task=world.task, target=target, defaults={"visit_date": timezone.localdate(), "place": target.address}
        )
        for a in Assignment.objects.filter(draw__task=world.task, draw__department=department, target=target):
            RecordInspector.objects.get_or_create(
                record=record,
                inspector=a.inspector,
                defaults={
                    "department": department,
                    "certificate_no": a.inspector.certificate_no,
                    "cert_valid_to": a.inspector.cert_valid_to or dt.date(2030, 12, 31),
                },
            )
        part = DepartmentPart.objects.create(record=record, participant=participant, department=department)
        rc = ResultCode.objects.get(codebook_version="2026", code=code)
        PartResultCode.objects.create(part=part, code=rc)
        if rc.needs_items:
            ItemResult.objects.create(
                part=part,
                task_item=task_item,
                method="on_site",
                outcome=ItemOutcome.PROBLEM if rc.found_problem else ItemOutcome.PASSED,
                problem=problem if rc.found_problem else "",
            )
        part.status = PartStatus.DETERMINED
        part.determined_at = timezone.now()
        part.determined_on = timezone.localdate()
        part.publication_due_on = publication_due(timezone.localdate())
        part.save()
    return part


def corrected_part(world, old, *, still_problem: bool, reason: str = "复核发现：问题认定有误"):
    """A correction of ``old`` determined the way the results app does it (issue 13's
    ``determine`` of a version that supersedes another): ``old`` superseded, the new version
    determined, then the follow-ups hook. ``still_problem``: the item still fails."""
    from shuangsuiji.followups.services import on_part_determined

    user = world.users["sw_admin"]
    now = timezone.now()
    with acting(actor=user):
        old.status = PartStatus.SUPERSEDED
        old.superseded_at = now
        old.save()
        new = DepartmentPart.objects.create(
            record=old.record,
            participant=old.participant,
            department=old.department,
            version=old.version + 1,
            supersedes=old,
            correction_reason=reason,
        )
        code = "02" if still_problem else "01"
        PartResultCode.objects.create(part=new, code=ResultCode.objects.get(codebook_version="2026", code=code))
        for r in old.item_results.all():
            ItemResult.objects.create(
                part=new,
                task_item_id=r.task_item_id,
                method=r.method,
                outcome=ItemOutcome.PROBLEM if still_problem else ItemOutcome.PASSED,
                problem=f"{r.problem}（更正）" if still_problem else "",
            )
        new.status = PartStatus.DETERMINED
        new.determined_at = now
        new.determined_on = timezone.localdate()
        new.publication_due_on = publication_due(timezone.localdate())
        new.save()
        on_part_determined(new, user)
    return new
