"""Who may see and do what with tasks and their draws.

Seeing a task (its parameters, commitment, counts, history): users whose data scope
(``accounts.scope``) holds one of the participating departments, and the 双随机办 /督查 of a
region office over the task's region. Anything else answers 404.

The sealed list (保密, seed 004 §13): until the task's lists are published, the drawn targets,
the assignments and the 一企一表 are shown only to the task's participants who need them:

- the 部门系统管理员 of a participating department;
- 业务股室操作员 working in a participating department itself or in its 承办股室 (the unit
  named on the task); operators of other units are not participants;
- the 双随机办 of a region office over the task's region (the organiser);
- an 执法检查人员 linked to an inspector assigned in the task: only the targets assigned to them.

Platform administrators and 督查 are not participants: they see the task and its audit trail
but not the sealed list. Every view and export of a sealed list is recorded (``sealed.py``).

Changing (edit, preview, freeze, draw, void request): the lead department's 部门系统管理员,
operators of the lead's 承办股室 (or of the lead department itself), the region's 双随机办.
Confirming and drawing inspectors: the 部门系统管理员 of that department (drawing also the
operators of its 承办股室). Approving a void: the lead's 部门系统管理员 or the region's
双随机办, never the person who asked for it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write, scope_q
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.tasks.models import Assignment, Task, TaskParticipant

ALL_TARGETS = "all"
OWN_TARGETS = "own"


def _active(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def region_office_over(user, task: Task) -> bool:
    org = user.organisation
    return bool(
        org is not None
        and org.kind == Organisation.Kind.OFFICE
        and user.has_role(Role.COORDINATING_OFFICE)
        and task.region.path.startswith(org.region.path)
    )


def visible_tasks(user) -> QuerySet[Task]:
    if not _active(user):
        return Task.objects.none()
    q = Q(pk__in=TaskParticipant.objects.filter(scope_q(user, "department")).values("task_id"))
    org = user.organisation
    dept = org.department if org is not None else None
    if dept is not None:  # everyone working in a participating department sees the task (not its list)
        q |= Q(pk__in=TaskParticipant.objects.filter(department=dept).values("task_id"))
    if (
        org is not None
        and org.kind == Organisation.Kind.OFFICE
        and user.has_role(Role.COORDINATING_OFFICE, Role.SUPERVISOR)
    ):
        q |= Q(region__path__startswith=org.region.path)
    inspector = getattr(user, "inspector", None) if user.has_role(Role.INSPECTOR) else None
    if inspector is not None:
        q |= Q(pk__in=Assignment.objects.filter(inspector=inspector).values("draw__task_id"))
    # every condition is on the task itself or an id subquery: each task once, no DISTINCT
    return Task.objects.filter(q)


def get_task_or_404(user, pk) -> Task:
    task = visible_tasks(user).select_related("lead", "region", "plan").filter(pk=pk).first()
    if task is None:
        raise Http404("未找到该任务，或不在您的数据范围内。")
    return task


def participant_of(user, task: Task) -> TaskParticipant | None:
    """The participation the user acts for as administrator or operator (None if none)."""
    org = user.organisation
    if org is None:
        return None
    for p in task.participants.all():
        if user.has_role(Role.DEPARTMENT_ADMIN) and org.pk == p.department_id:
            return p
        if user.has_role(Role.UNIT_OPERATOR) and org.pk in (p.department_id, p.unit_id):
            return p
    return None


def _is_department_admin(user, department_id: int) -> bool:
    return bool(user.has_role(Role.DEPARTMENT_ADMIN) and user.organisation_id == department_id)


def sealed_access(user, task: Task) -> str | None:
    """``"all"``, ``"own"`` (an inspector's own targets) or None."""
    if not _active(user):
        return None
    if region_office_over(user, task) or participant_of(user, task) is not None:
        return ALL_TARGETS
    if not task.is_sealed and visible_tasks(user).filter(pk=task.pk).exists():
        return ALL_TARGETS
    inspector = getattr(user, "inspector", None) if user.has_role(Role.INSPECTOR) else None
    if inspector is not None and task.draws.filter(assignments__inspector=inspector).exists():
        return OWN_TARGETS
    return None


def supervisor_over(user, task: Task) -> bool:
    org = user.organisation
    return bool(
        org is not None
        and org.kind == Organisation.Kind.OFFICE
        and user.has_role(Role.SUPERVISOR)
        and task.region.path.startswith(org.region.path)
    )


def may_read_sealed_audit(user, task: Task) -> bool:
    """Before publication the sealed part of the task's audit entries is read by those who
    see the whole list and by the region's 督查 (oversight), each read itself recorded; not by
    the platform administrator (``audit.sealed``; docs/architecture.md "Sealed list")."""
    return _active(user) and (sealed_access(user, task) == ALL_TARGETS or supervisor_over(user, task))


def seed_visible(user, task: Task) -> bool:
    """The seed (and the revealed server secret) decide every ticket: with the register at
    hand they rebuild the list, so while sealed only those who see the whole list see them."""
    return not task.is_sealed or sealed_access(user, task) == ALL_TARGETS


def can_manage(user, task: Task) -> bool:
    if not can_write(user):
        return False
    if region_office_over(user, task):
        return True
    p = participant_of(user, task)
    return p is not None and p.role == TaskParticipant.Role.LEAD


def can_confirm(user, department_id: int) -> bool:
    return can_write(user) and _is_department_admin(user, department_id)


def can_draw_inspectors(user, participant: TaskParticipant) -> bool:
    if not can_write(user):
        return False
    if _is_department_admin(user, participant.department_id):
        return True
    return bool(
        user.has_role(Role.UNIT_OPERATOR) and user.organisation_id in (participant.department_id, participant.unit_id)
    )


def can_request_void(user, draw) -> bool:
    """Managers of the task may ask to void any of its draws; a department may also ask to
    void its own inspector draw."""
    if can_manage(user, draw.task):
        return True
    if draw.department_id is None:
        return False
    p = draw.task.participants.filter(department_id=draw.department_id).first()
    return p is not None and can_draw_inspectors(user, p)


def can_approve_void(user, task: Task, requested_by_id: int | None) -> bool:
    if not can_write(user) or user.pk == requested_by_id:
        return False
    return region_office_over(user, task) or _is_department_admin(user, task.lead_id)


def can_create_for(user, department: Organisation) -> bool:
    """May the user create a task led by ``department``?"""
    if not can_write(user) or department.kind != Organisation.Kind.DEPARTMENT:
        return False
    org = user.organisation
    if org is None:
        return False
    if org.kind == Organisation.Kind.OFFICE and user.has_role(Role.COORDINATING_OFFICE):
        return department.region.path.startswith(org.region.path)
    if user.has_role(Role.DEPARTMENT_ADMIN) and org.pk == department.pk:
        return True
    return bool(user.has_role(Role.UNIT_OPERATOR) and org.department is not None and org.department.pk == department.pk)
