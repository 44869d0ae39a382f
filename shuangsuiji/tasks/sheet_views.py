"""一企一表 pages and PDFs.

Every view reads the task through the user's scope (``access.get_task_or_404``) and the
task's live, drawn target draw (404 otherwise), then calls ``sealed.require_sealed``, which
answers 404 to anyone without access to the sealed list and records the view (channel
``sheet`` for pages, ``sheet_pdf`` for PDFs). An inspector (mode ``own``) sees only the
targets they are assigned to; any other target answers 404 and is not recorded as viewed.

A single sheet's PDF is rendered here by ``printing.render`` (Typst, the one PDF layout of a
sheet, with the system's Noto CJK fonts embedded as subsets; nothing is fetched from the
network). Each page's footer carries the viewer mark (who downloaded it, when) and the page
number. The whole task's sheets are printed by a job in the queue (``printing``): the old
whole-task URL leads there.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from shuangsuiji.printing.render import render_pdf
from shuangsuiji.tasks import access, drawday, sheets
from shuangsuiji.tasks.models import DrawStatus
from shuangsuiji.tasks.sealed import NO_ACCESS, require_sealed, viewer_mark
from shuangsuiji.web.pagination import paginate

SECTION = {"active_section": "tasks"}


def _task_and_draw(request, pk):
    task = access.get_task_or_404(request.user, pk)
    draw = drawday.live_target_draw(task)
    if draw is None or draw.status != DrawStatus.DRAWN:
        raise Http404("该任务尚未抽取检查对象，没有一企一表。")
    return task, draw


def _own_inspector(request, mode: str):
    return request.user.inspector if mode == access.OWN_TARGETS else None


def _open_one(request, pk, target_pk, channel: str):
    """(task, draw, drawn target, mode) for one sheet; 404 unless the user may see that target."""
    task, draw = _task_and_draw(request, pk)
    if access.sealed_access(request.user, task) is None:
        # the same answer whether or not the target was drawn: no oracle for the list
        raise Http404(NO_ACCESS)
    drawn = sheets.drawn_targets(draw).filter(target_id=target_pk).first()
    if drawn is None:
        raise Http404("该对象不在本任务的抽中名单中。")
    # An inspector sees only the targets they are assigned to. Decided before the audit entry
    # is written, so the trail records the sheets actually shown.
    if access.sealed_access(request.user, task) == access.OWN_TARGETS and not sheets.is_assigned(
        draw, request.user.inspector, drawn.target_id
    ):
        raise Http404("未找到该一企一表，或您无权查看。")
    number = sheets.sheet_number(task, drawn.position)
    mode = require_sealed(request.user, task, draw, channel, detail=f"{number} {drawn.target.code}")
    return task, draw, drawn, mode


def _pdf_response(request, sheet_list, title: str, filename: str) -> HttpResponse:
    user = request.user
    pdf = render_pdf(sheet_list, title=title, mark=viewer_mark(user, timezone.localtime()), author=user.display_name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
@never_cache
def sheet_list(request, pk):
    task, draw = _task_and_draw(request, pk)
    q = request.GET.get("q", "").strip()
    page_no = request.GET.get("page", "1")[:12]
    mode = require_sealed(
        request.user, task, draw, "sheet", detail=f"一企一表列表 第 {page_no} 页" + (f"，查询“{q}”" if q else "")
    )
    qs = sheets.drawn_targets(draw, _own_inspector(request, mode), q=q)
    context = {
        **SECTION,
        "task": task,
        "draw": draw,
        "q": q,
        "mode": mode,
        "own": mode == access.OWN_TARGETS,
        "viewer_mark": viewer_mark(request.user, timezone.localtime()),
    }
    context.update(paginate(request, qs))
    context["sheets"] = sheets.build_sheets(task, draw, context["object_list"])
    context["departments"] = context["sheets"][0].departments if context["sheets"] else ()
    return render(request, "tasks/sheets/list.html", context)


@login_required
@require_safe
@never_cache
def sheet_detail(request, pk, target_pk):
    task, draw, drawn, mode = _open_one(request, pk, target_pk, "sheet")
    sheet = sheets.build_sheet(task, draw, drawn)
    return render(
        request,
        "tasks/sheets/detail.html",
        {
            **SECTION,
            "task": task,
            "draw": draw,
            "sheet": sheet,
            "own": mode == access.OWN_TARGETS,
            "viewer_mark": viewer_mark(request.user, timezone.localtime()),
        },
    )


@login_required
@require_safe
@never_cache
def sheet_pdf(request, pk, target_pk):
    task, draw, drawn, _mode = _open_one(request, pk, target_pk, "sheet_pdf")
    sheet = sheets.build_sheet(task, draw, drawn)
    return _pdf_response(request, [sheet], f"一企一表 {sheet.number} {sheet.target.name}", f"{sheet.number}.pdf")


@login_required
@require_safe
@never_cache
def sheets_pdf(request, pk):
    """The whole task's sheets are printed by a job in the queue (``shuangsuiji.printing``)."""
    task, _draw = _task_and_draw(request, pk)
    if access.sealed_access(request.user, task) is None:
        raise Http404("未找到该名单，或您无权查看（抽取结果在公开前保密）。")
    return redirect("printing:start", pk=pk)
