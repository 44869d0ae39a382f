"""Who may see and do what with inspection records and results.

Results are sealed content (保密) until the task's list is published: the tasks app's sealed
rule decides who reads a record at all (``tasks.access.sealed_access``: the participants who
see the whole list, an inspector only the targets assigned to them); every read while sealed
is recorded (``tasks.sealed.require_sealed``). Anyone else gets 404, by page, evidence and API.

Within a record, a department's part that is not determined yet (录入中、待审核、已退回) is
read only by that department: its 部门系统管理员, the operators of the department or of its
承办股室 on the task, and its inspectors assigned to the target; plus the organising 双随机办.
Another department's inspector of the same joint team neither reads nor writes it.

Writing ("谁检查、谁录入"): only the department's own inspectors assigned to the target (the
Assignment rows of the department's live inspector draw). Reviewing (退回、认定): the
department's 部门系统管理员 or an operator of its 承办股室 on the task, never a person who
entered or submitted that part.
"""

from __future__ import annotations

from django.http import Http404

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import can_write, region_in_scope
from shuangsuiji.tasks import access as task_access
from shuangsuiji.tasks.models import Assignment, DrawKind, DrawStatus, Task, TaskParticipant
from shuangsuiji.tasks.sealed import require_sealed

NOT_FOUND = "未找到该检查记录，或您无权查看（检查结果在公开前保密）。"


def _inspector(user):
    if not (user.is_authenticated and user.is_active and user.has_role(Role.INSPECTOR)):
        return None
    return getattr(user, "inspector", None)


def assignments(task_id: int, target_id: int, department_id: int | None = None):
    """The active assignments of the target in the task's live, drawn inspector draws."""
    qs = Assignment.objects.filter(
        draw__task_id=task_id,
        draw__kind=DrawKind.INSPECTORS,
        draw__status=DrawStatus.DRAWN,
        target_id=target_id,
        ended_at__isnull=True,
    )
    if department_id is not None:
        qs = qs.filter(draw__department_id=department_id)
    return qs


def assigned_departments(user, task_id: int, target_id: int) -> set[int]:
    """The departments for which the user is an assigned inspector of the target."""
    inspector = _inspector(user)
    if inspector is None:
        return set()
    return set(
        assignments(task_id, target_id).filter(inspector=inspector).values_list("draw__department_id", flat=True)
    )


def record_mode(user, task: Task, target_id: int) -> str | None:
    """``"all"``, ``"own"`` or None: may the user open the record of this target?"""
    mode = task_access.sealed_access(user, task)
    if mode == task_access.OWN_TARGETS and not assigned_departments(user, task.pk, target_id):
        return None
    return mode


def require_record(user, record, channel: str = "page") -> str:
    """404 unless the user may read the record; the read is audited while the list is sealed."""
    task = record.task
    if record_mode(user, task, record.target_id) is None:
        raise Http404(NOT_FOUND)
    return require_sealed(user, task, None, channel, detail=f"检查记录 {record.pk}")


def _department_people(user, participant: TaskParticipant) -> bool:
    """Administrator of the department or operator of it / of its 承办股室 on the task."""
    org_id = user.organisation_id
    if org_id is None:
        return False
    if user.has_role(Role.DEPARTMENT_ADMIN) and org_id == participant.department_id:
        return True
    return bool(user.has_role(Role.UNIT_OPERATOR) and org_id in (participant.department_id, participant.unit_id))


def part_readable(user, part, record=None) -> bool:
    """Determined (or superseded) versions: everyone who reads the record. Open versions: the
    department's own people, its assigned inspectors and the organising office."""
    if part.is_frozen:
        return True
    record = record or part.record
    if task_access.region_office_over(user, record.task):
        return True
    if _department_people(user, part.participant):
        return True
    return part.department_id in assigned_departments(user, record.task_id, record.target_id)


def department_reads(user, record, department_id: int) -> bool:
    """The department's own readers of its open part: its people, its assigned inspectors, the
    organising office."""
    if task_access.region_office_over(user, record.task):
        return True
    p = record.task.participants.filter(department_id=department_id).first()
    if p is not None and _department_people(user, p):
        return True
    return department_id in assigned_departments(user, record.task_id, record.target_id)


def evidence_readable(user, ev) -> bool:
    """A department's evidence is read like its part: by everyone reading the record once the
    department's part is determined, before that by the department's own readers."""
    from shuangsuiji.inspections.models import PartStatus

    record = ev.record
    if ev.item_result_id is not None:
        return part_readable(user, ev.item_result.part, record)
    if record.parts.filter(department_id=ev.department_id, status=PartStatus.DETERMINED).exists():
        return True
    return department_reads(user, record, ev.department_id)


def can_enter(user, record, department_id: int) -> bool:
    """谁检查、谁录入: the department's own inspectors assigned to this target."""
    return can_write(user) and department_id in assigned_departments(user, record.task_id, record.target_id)


def can_edit_visit(user, record) -> bool:
    """The visit (date, place, inspectors present, signature) is the joint team's: any assigned
    inspector of the target."""
    return can_write(user) and bool(assigned_departments(user, record.task_id, record.target_id))


def enterers(part) -> set[int]:
    """Everybody who saved or submitted this version."""
    from shuangsuiji.inspections.models import PartEvent

    ids = set(
        part.events.filter(action__in=[PartEvent.Action.SAVE, PartEvent.Action.SUBMIT]).values_list(
            "actor_id", flat=True
        )
    )
    ids |= {part.entered_by_id, part.submitted_by_id}
    ids.discard(None)
    return ids


def is_reviewer(user, part) -> bool:
    """The department's reviewer role (ignoring who entered the part)."""
    return can_write(user) and _department_people(user, part.participant)


def can_review(user, part) -> bool:
    """退回 / 认定: the department's administrator or 承办股室 operator, never who entered it."""
    return is_reviewer(user, part) and user.pk not in enterers(part)


def can_correct(user, part) -> bool:
    """Asking for a correction of a determined part: its department's inspectors assigned to the
    target, or its reviewers."""
    record = part.record
    return is_reviewer(user, part) or can_enter(user, record, part.department_id)


def can_decide_register(user, proposal) -> bool:
    """Register keepers of the target's region (the register is shared by a region's departments):
    a 部门系统管理员 or 双随机办 whose scope holds the region."""
    if not (can_write(user) and user.has_role(Role.DEPARTMENT_ADMIN, Role.COORDINATING_OFFICE, Role.PLATFORM_ADMIN)):
        return False
    return region_in_scope(user, proposal.target.region_id)
