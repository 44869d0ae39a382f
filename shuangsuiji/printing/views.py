"""Print job pages: request (choose grouping), progress (htmx polling), download.

Views hold no rules: access is ``printing.access`` (delegating to the sealed list's rule),
the workflow ``printing.services``. Every response is ``Cache-Control: no-store``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from shuangsuiji.printing import access, services
from shuangsuiji.printing.models import PrintJob
from shuangsuiji.tasks import access as task_access
from shuangsuiji.tasks.sealed import require_sealed

SECTION = {"active_section": "tasks"}


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request, pk):
    task = task_access.get_task_or_404(request.user, pk)
    mode, draw = access.printable_or_404(request.user, task)
    error = ""
    if request.method == "POST":
        try:
            job = services.request_print(request.user, task, request.POST.get("grouping", ""))
        except services.PrintRefused as exc:
            error = str(exc)
        else:
            return redirect("printing:job", pk=job.pk)
    return render(
        request,
        "printing/start.html",
        {
            **SECTION,
            "task": task,
            "draw": draw,
            "own": mode == task_access.OWN_TARGETS,
            "groupings": PrintJob.Grouping.choices,
            "jobs": access.jobs_of(request.user, task),
            "keep_days": services.keep_days(),
            "per_file": services.sheets_per_file(),
            "error": error,
        },
    )


def _job_page(request, job, status=200):
    services.expire(job)  # a file past its time is removed on access too
    template = "printing/_job_status.html" if request.htmx else "printing/job.html"
    return render(request, template, {**SECTION, "job": job, "task": job.task}, status=status)


@login_required
@require_safe
@never_cache
def job_detail(request, pk):
    return _job_page(request, access.job_or_404(request.user, pk))


@login_required
@require_safe
@never_cache
def download(request, pk):
    job = access.job_or_404(request.user, pk)
    services.expire(job)
    if job.status == PrintJob.Status.EXPIRED:
        return _job_page(request, job, status=410)
    if job.status != PrintJob.Status.DONE:
        return _job_page(request, job, status=409)
    require_sealed(
        request.user, job.task, job.target_draw, "sheet_zip", detail=f"打印任务 #{job.pk} {job.download_name}"
    )
    return FileResponse(open(job.file_path, "rb"), as_attachment=True, filename=job.download_name)
