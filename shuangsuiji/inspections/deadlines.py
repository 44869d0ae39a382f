"""A determined result's publication deadline (公示期限, 20 working days after determination)
as a kind of ``workdays.deadlines``: provisional (暂定) in a year without its official
calendar, and computed again when the platform administrator enters that year: with its
``deadline_status`` the one field of a determined version that may still change, only while
provisional (the part's immutability spec), this way and audited."""

from __future__ import annotations

from django.urls import reverse

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.workdays.deadlines import Kind, provisional_ids
from shuangsuiji.workdays.models import deadline_status
from shuangsuiji.workdays.services import Deadline

PUBLICATION = "inspections.departmentpart:publication_due_on"  # the model label and the field


def _update(pk: int, d: Deadline) -> None:
    from shuangsuiji.inspections.models import DepartmentPart

    part = DepartmentPart.objects.get(pk=pk)
    part.publication_due_on, part.deadline_status = d.day, deadline_status(d)
    part.save(update_fields=["publication_due_on", "deadline_status"])


def _owners(pk: int):
    from shuangsuiji.inspections.models import DepartmentPart

    part = DepartmentPart.objects.get(pk=pk)
    return User.objects.filter(
        is_active=True, organisation_id=part.department_id, role_grants__role=Role.DEPARTMENT_ADMIN
    ).distinct()


def _describe(pk: int) -> tuple[str, str]:
    from shuangsuiji.inspections.models import DepartmentPart

    part = DepartmentPart.objects.select_related("record__task", "department").get(pk=pk)
    return f"{part.record.task.code}（{part.department.name}检查结果公示）", reverse("inspections:part", args=[pk])


KIND = Kind(PUBLICATION, "公示期限", _update, _owners, _describe)


def provisional_parts(parts) -> set[int]:
    return provisional_ids(PUBLICATION, [p.pk for p in parts])
