"""Upload a file, watch its import, download its error report: the same for every register."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render

from shuangsuiji.accounts.permissions import role_required
from shuangsuiji.accounts.scope import get_in_scope_or_404
from shuangsuiji.imports.access import IMPORT_ROLES
from shuangsuiji.imports.exports import template_response
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.imports.progress import read_progress
from shuangsuiji.imports.runner import IMPORTERS, create_job
from shuangsuiji.imports.tasks import run_import_task

SECTION_OF = {"targets": "targets", "inspectors": "inspectors", "items": "items"}
MAX_UPLOAD = 300 * 1024 * 1024


def _importer(kind: str):
    if kind not in IMPORTERS:
        raise Http404("没有这种导入。")
    return IMPORTERS[kind]


@role_required(*IMPORT_ROLES)
def upload(request, kind: str):
    importer = _importer(kind)
    if not importer.may_import(request.user):
        raise PermissionDenied(f"您无权导入{importer.title}。")
    error = ""
    if request.method == "POST":
        f = request.FILES.get("file")
        mode = request.POST.get("mode", ImportJob.Mode.ALL)
        if f is None:
            error = "请选择要导入的文件。"
        elif Path(f.name).suffix.lower() not in {".xlsx", ".csv"}:
            error = "只支持 xlsx 或 csv 文件。"
        elif f.size > MAX_UPLOAD:
            error = "文件超过 300 MB，请拆分后导入，或由管理员使用命令行导入。"
        else:
            with tempfile.NamedTemporaryFile(suffix=Path(f.name).suffix.lower()) as tmp:
                for chunk in f.chunks():
                    tmp.write(chunk)
                tmp.flush()
                try:
                    job = create_job(kind=kind, source=Path(tmp.name), file_name=f.name, mode=mode, user=request.user)
                except ValueError as exc:  # an unknown mode: create_job names it
                    error = str(exc)
                else:
                    run_import_task(job.pk)
                    return redirect("imports:job", pk=job.pk)
    jobs = ImportJob.objects.filter(kind=kind, created_by=request.user)[:10]
    return render(
        request,
        "imports/upload.html",
        {
            "kind": kind,
            "importer": importer,
            "error": error,
            "jobs": jobs,
            "modes": ImportJob.Mode.choices,
            "active_section": SECTION_OF.get(kind),
        },
        status=400 if error else 200,
    )


def _job_for(request, pk: int) -> ImportJob:
    return get_in_scope_or_404(request.user, ImportJob.objects.select_related("created_by"), "organisation", pk=pk)


@login_required
def job_detail(request, pk: int):
    job = _job_for(request, pk)
    progress = read_progress(job.pk) if not job.finished else None
    processed = progress["processed"] if progress else job.processed_rows
    total = progress["total"] if progress else job.total_rows
    percent = min(100, processed * 100 // total) if total else None
    template = "imports/_job_status.html" if request.htmx else "imports/job.html"
    context = {
        "job": job,
        "processed": processed,
        "total": total,
        "percent": percent,
        "active_section": SECTION_OF.get(job.kind),
    }
    return render(request, template, context)


@login_required
def error_report(request, pk: int):
    job = _job_for(request, pk)
    if not job.error_report_path or not Path(job.error_report_path).exists():
        raise Http404("该导入没有错误报告。")
    return FileResponse(
        open(job.error_report_path, "rb"),
        as_attachment=True,
        filename=f"导入错误报告-{job.pk}.xlsx",
    )


@login_required
def import_template(request, kind: str, fmt: str):
    importer = _importer(kind)
    return template_response(fmt, importer.title, importer.columns)
