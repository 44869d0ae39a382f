"""The draw day's stored deadline (the confirmation of the drawn targets) as a kind of
``workdays.deadlines``: provisional in a year without its calendar, recomputed when entered."""

from __future__ import annotations

from django.urls import reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.workdays.deadlines import Kind, provisional_ids
from shuangsuiji.workdays.services import Deadline

CONFIRMATION = "tasks.confirmation"


def _update(pk: int, d: Deadline) -> None:
    from shuangsuiji.tasks.models import Confirmation

    conf = Confirmation.objects.get(pk=pk)
    if conf.due_on == d.day:
        return
    conf.due_on = d.day
    conf.save(update_fields=["due_on"])


def _owners(pk: int):
    """The department's 部门系统管理员 (who confirm) and the task's lead department admins."""
    from shuangsuiji.tasks.models import Confirmation

    conf = Confirmation.objects.select_related("draw__task").get(pk=pk)
    departments = {conf.department_id, conf.draw.task.lead_id}
    return User.objects.filter(
        is_active=True, organisation_id__in=departments, role_grants__role=Role.DEPARTMENT_ADMIN
    ).distinct()


def _describe(pk: int) -> tuple[str, str]:
    from shuangsuiji.tasks.models import Confirmation

    conf = Confirmation.objects.select_related("draw__task", "department").get(pk=pk)
    task = conf.draw.task
    return f"{task.code}（{conf.department.name}确认抽中的检查对象）", reverse("tasks:detail", args=[task.pk])


KIND = Kind(CONFIRMATION, "确认期限", _update, _owners, _describe)


def provisional_confirmations(confirmations) -> set[int]:
    return provisional_ids(CONFIRMATION, [c.pk for c in confirmations])
