"""Pages of tasks and the draw day (being written)."""

from django.http import Http404


def task_list(request, **kwargs):
    raise Http404


def task_create(request, **kwargs):
    raise Http404


def task_detail(request, **kwargs):
    raise Http404


def task_edit(request, **kwargs):
    raise Http404


def task_preview(request, **kwargs):
    raise Http404


def task_freeze(request, **kwargs):
    raise Http404


def draw_ceremony(request, **kwargs):
    raise Http404


def draw_run(request, **kwargs):
    raise Http404


def draw_detail(request, **kwargs):
    raise Http404


def sealed_list(request, **kwargs):
    raise Http404


def sealed_export(request, **kwargs):
    raise Http404


def draw_bundle(request, **kwargs):
    raise Http404


def draw_confirm(request, **kwargs):
    raise Http404


def draw_report(request, **kwargs):
    raise Http404


def inspectors_draw(request, **kwargs):
    raise Http404


def inspector_substitute(request, **kwargs):
    raise Http404


def void_request(request, **kwargs):
    raise Http404


def void_decide(request, **kwargs):
    raise Http404
