"""While a draw's index rows are being written by the job queue (``tasks.indexes``): the page
that says so with its progress, in place of a page that needs the rows, and the progress
fragment it polls (htmx, every second, as the print job's page does). When the index is
complete the fragment asks the browser to reload: the page the user asked for then shows.

Only counts are shown (rows written of rows expected), never a row of the list; the page
answers only after the access check of the page it stands for (``sealed.require_sealed``
raises ``IndexPending`` after it), the progress fragment only to users who see the task."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from shuangsuiji.tasks import access, indexes, sealed
from shuangsuiji.tasks.models import Draw


def pending_page(request, exc: indexes.IndexPending) -> HttpResponse:
    """The page in place of one that needs the index (rendered by ``IndexPendingMiddleware``)."""
    draw = exc.draw
    context = {"pending": draw, "message": exc.messages[0], "task": draw.task}
    response = render(request, "tasks/index_pending.html", context)
    add_never_cache_headers(response)  # as every sealed page (sealed.no_store)
    return response


@login_required
@sealed.no_store
def index_progress(request, draw_pk):
    draw = Draw.objects.select_related("task").filter(pk=draw_pk).first()
    if draw is None or not access.visible_tasks(request.user).filter(pk=draw.task_id).exists():
        raise Http404("未找到该抽取，或不在您的数据范围内。")
    response = render(request, "tasks/_index_progress.html", {"pending": draw})
    if draw.index_complete:
        response["HX-Refresh"] = "true"  # the page asked for can now show
    return response


class IndexPendingMiddleware:
    """A page whose reader raised ``IndexPending`` shows the progress page (the API answers 409,
    shuangsuiji/api.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, indexes.IndexPending) and not request.path.startswith("/api/"):
            return pending_page(request, exception)
        return None
