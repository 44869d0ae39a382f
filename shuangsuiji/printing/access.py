"""Who may request, see and download print jobs.

The rule is the sealed list's (``tasks.access.sealed_access``), not a new one: a job holds
sealed content. On top of it a job belongs to the user who requested it, because its PDFs
carry that user's name as the viewer mark: nobody else sees its page or downloads it (404),
and a job made with the whole list (``all``) is shown only while its requester still has the
whole list; an inspector's job (``own``) holds only their targets by construction.
"""

from __future__ import annotations

from django.http import Http404

from shuangsuiji.printing.models import PrintJob
from shuangsuiji.tasks.access import ALL_TARGETS, OWN_TARGETS, sealed_access

NOT_FOUND = "未找到该打印任务，或您无权查看（抽取结果在公开前保密）。"
NOTHING_TO_PRINT = "该任务尚未抽取检查对象，或您无权查看一企一表。"


def printable_or_404(user, task):
    """The user's sealed access mode and the task's drawn target draw, for the print request
    page; 404 when the user has no sealed access or nothing is drawn yet."""
    from shuangsuiji.tasks import drawday
    from shuangsuiji.tasks.models import DrawStatus

    mode = sealed_access(user, task)
    draw = drawday.live_target_draw(task)
    if mode is None or draw is None or draw.status != DrawStatus.DRAWN:
        raise Http404(NOTHING_TO_PRINT)
    return mode, draw


def may_see(user, job: PrintJob) -> bool:
    if not (user.is_authenticated and job.requested_by_id == user.pk):
        return False
    mode = sealed_access(user, job.task)
    if mode is None:
        return False
    if job.mode == OWN_TARGETS:
        return mode == ALL_TARGETS or getattr(user, "inspector", None) == job.inspector
    return mode == ALL_TARGETS


def job_or_404(user, pk) -> PrintJob:
    job = PrintJob.objects.select_related("task", "target_draw", "requested_by", "inspector").filter(pk=pk).first()
    if job is None or not may_see(user, job):
        raise Http404(NOT_FOUND)
    return job


def jobs_of(user, task) -> list[PrintJob]:
    """The user's own recent jobs for the task (the request page lists them)."""
    jobs = PrintJob.objects.filter(task=task, requested_by=user).select_related("task", "inspector")[:20]
    return [j for j in jobs if may_see(user, j)]
