"""一企一表 pages and PDF (being written)."""

from django.http import Http404


def sheet_list(request, **kwargs):
    raise Http404


def sheet_detail(request, **kwargs):
    raise Http404


def sheet_pdf(request, **kwargs):
    raise Http404


def sheets_pdf(request, **kwargs):
    raise Http404
