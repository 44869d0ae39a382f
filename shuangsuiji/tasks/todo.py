"""What waits for a user on the draw day (the home page's to-do list).

- managers of a task (lead department, region office): drafts to preview and freeze, frozen
  draws waiting for the ceremony, void requests to decide;
- a participating department's 部门系统管理员: targets to confirm (deadline: 1 working day,
  overdue flagged), inspectors to draw once every department confirmed;
- an inspector: the targets assigned to them, with the inspection window.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.tasks import access, changes, drawday
from shuangsuiji.tasks.deadlines import provisional_confirmations
from shuangsuiji.tasks.models import (
    Assignment,
    Confirmation,
    Draw,
    DrawKind,
    DrawStatus,
    TaskParticipant,
    TaskStatus,
    VoidRequest,
    without_files,
)


def todo_for(user, today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    out: list[dict] = []
    if not (user.is_authenticated and user.is_active):
        return out
    tasks = access.visible_tasks(user).exclude(status=TaskStatus.CANCELLED).select_related("lead", "region")
    # each task's participants and live target draw read once for all of them: the checks
    # below ask for them per task (an inspector in 20 tasks: 144 → a few queries)
    tasks = drawday.with_live_target_draw(
        tasks.prefetch_related(
            Prefetch("participants", queryset=TaskParticipant.objects.select_related("department", "unit"))
        )
    )
    for task in tasks.order_by("window_from")[:200]:
        url = reverse("tasks:detail", args=[task.pk])
        live = drawday.live_target_draw(task)
        if access.can_manage(user, task):
            if live is None and task.status == TaskStatus.DRAFT:
                late = "（检查期间已结束，请调整）" if today > task.window_to else ""
                out.append(
                    {
                        "title": f"预览并冻结抽取：{task}{late}",
                        "url": url,
                        "due": task.window_from,
                        "overdue": today > task.window_from,
                    }
                )
            elif live is not None and live.status == DrawStatus.FROZEN:
                out.append(
                    {
                        "title": f"抽取（已冻结，待录入公开随机数）：{task}",
                        "url": reverse("tasks:ceremony", args=[live.pk]),
                        "due": task.window_from,
                        "overdue": today > task.window_from,
                    }
                )
        if live is None or live.status != DrawStatus.DRAWN:
            continue
        confirms = any(access.can_confirm(user, p.department_id) for p in task.participants.all())
        pending = list(live.confirmations.filter(status=Confirmation.Status.PENDING)) if confirms else []
        provisional = provisional_confirmations(pending)
        for c in pending:
            if not access.can_confirm(user, c.department_id):
                continue
            if live.index_complete:
                title, target = f"确认派发的检查对象：{task}", url
            else:  # the job queue is still writing the drawn rows: the draw page shows its progress
                title = f"名单索引生成中（{live.index_percent}%），完成后确认派发的检查对象：{task}"
                target = reverse("tasks:draw", args=[live.pk])
            out.append(
                {
                    "title": title,
                    "url": target,
                    "due": c.due_on,
                    "due_provisional": c.pk in provisional,
                    "overdue": today > c.due_on,
                }
            )
        # who may draw (or substitute) inspectors for a department of this task: only they see
        # the groups to change, so nobody else pays for looking them up
        parts = {p.department_id: p for p in task.participants.all() if access.can_draw_inspectors(user, p)}
        flagged = changes.affected_in_task(task) if parts and live.inspector_draws.exists() else []
        for a in flagged:
            p = parts.get(a.draw.department_id)
            if p is not None and access.can_draw_inspectors(user, p):
                out.append(
                    {
                        "title": (
                            f"检查组需调整（{a.inspector.name}：{a.cause_text}，{a.groups} 个检查组，"
                            f"建议递补抽取）：{task}"
                        ),
                        "url": url,
                        "due": None,
                        "overdue": False,
                    }
                )
        if parts and drawday.all_confirmed(live):
            for p in parts.values():
                if drawday.live_inspector_draw(live, p.department_id) is None:
                    out.append(
                        {"title": f"抽取{p.department.name}检查人员：{task}", "url": url, "due": None, "overdue": False}
                    )
    for v in (
        VoidRequest.objects.filter(status=VoidRequest.Status.REQUESTED, draw__task__in=access.visible_tasks(user))
        .select_related("draw__task", "draw__task__region")
        .defer(*without_files("draw"))
    ):
        if access.can_approve_void(user, v.draw.task, v.requested_by_id):
            out.append(
                {
                    "title": f"审批作废申请：{v.draw.draw_id}",
                    "url": reverse("tasks:detail", args=[v.draw.task_id]),
                    "due": None,
                    "overdue": False,
                }
            )
    inspector = getattr(user, "inspector", None)
    if inspector is not None:
        # the groups of an inspector draw are index rows the job queue writes after the draw: who
        # is in them is not known here until then (the draw's own result is sealed)
        department = inspector.organisation.department if inspector.organisation_id else None
        for d in Draw.objects.filter(
            kind=DrawKind.INSPECTORS, status=DrawStatus.DRAWN, department=department, index_done__lt=F("index_total")
        ).select_related("task"):
            out.append(
                {
                    "title": (
                        f"本部门检查人员抽取的名单索引生成中（{d.index_percent}%）：{d.task.title}；"
                        "完成后分配给您的检查对象将列于此处"
                    ),
                    "url": reverse("home"),
                    "due": None,
                    "overdue": False,
                }
            )
        rows = (
            Assignment.objects.filter(
                inspector=inspector,
                ended_at__isnull=True,
                draw__status=DrawStatus.DRAWN,
                draw__kind=DrawKind.INSPECTORS,
                draw__task__window_to__gte=today,
            )
            .select_related("target", "draw__task")
            .defer(*without_files("draw"))
            .order_by("draw__task__window_from", "target__name")[:50]
        )
        for a in rows:
            task = a.draw.task
            out.append(
                {
                    "title": f"检查：{a.target.name}（{task.title}，{task.window_from:%m-%d}至{task.window_to:%m-%d}）",
                    "url": reverse("tasks:sheet", args=[task.pk, a.target_id]),
                    "due": task.window_to,
                    "overdue": False,
                }
            )
    return out
