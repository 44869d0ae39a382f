"""The public portal (/gongshi/): no login, no JavaScript needed, everything through ``published``."""

from __future__ import annotations

import csv
import datetime as dt

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from shuangsuiji.publicity import pagecache, published
from shuangsuiji.publicity.models import Kind
from shuangsuiji.publicity.pagecache import cacheable
from shuangsuiji.tasks import drawday
from shuangsuiji.web import pagination
from shuangsuiji.web.pagination import PER_PAGE, CappedPaginator

NOT_FOUND = "未找到该公开信息。"


def paginate(request, queryset) -> dict:
    return pagination.paginate(request, queryset, PER_PAGE, paginator_class=CappedPaginator)


def _year(request) -> int | None:
    raw = (request.GET.get("year") or "").strip()
    return int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2999 else None


def _kind(request) -> str:
    raw = request.GET.get("kind") or ""
    return raw if raw in Kind.values else ""


def _result(request, categories) -> str:
    raw = (request.GET.get("result") or "").strip()
    return raw if raw in categories else ""


def _page(request, template, **context):
    context.setdefault("kinds", Kind.choices)
    return render(request, f"publicity/portal/{template}", context)


@require_GET
@cacheable
def home(request):
    return _page(
        request,
        "home.html",
        title="信息公示",
        recent=published.listing()[:10],
        departments=published.departments()[:50],
        regions=published.regions()[:50],
    )


@require_GET
@cacheable
def search(request):
    q = (request.GET.get("q") or "").strip()[:100]
    ctx = {}
    if q:
        # one search for the first COUNT_CAP + 1 matches (their ids, in order): the count and the
        # page come from it, the page's businesses are then read by id
        ctx = paginate(request, published.search_ids(q))
        ctx["object_list"] = published.businesses_shown(ctx["object_list"])
    return _page(request, "search.html", title="查询检查对象", q=q, **ctx)


@require_GET
@cacheable
def business(request, pk):
    target = published.business_summary(pk)
    if target is None:
        raise Http404(NOT_FOUND)
    pubs = published.business_lines(pk)
    return _page(
        request,
        "business.html",
        title=target.name,
        target=target,
        # each result's versions together, the newest first: the correction beside the original
        results=sorted((p for p in pubs if p.kind == Kind.RESULT), key=lambda p: (p.subject_id, -p.version)),
        lists=[p for p in pubs if p.kind == Kind.DRAWN_LIST],
    )


def _listing(request, template, title, **filters):
    kind, year = _kind(request), _year(request)
    categories = pagecache.remembered("result_categories", published.result_categories)
    result = _result(request, categories)
    q = (request.GET.get("q") or "").strip()[:100]
    qs = published.list_lines(kind=kind, year=year, q=q, result=result, **filters)
    return _page(
        request,
        template,
        title=title,
        kind=kind,
        year=year or "",
        q=q,
        result=result,
        result_choices=categories,
        **filters,
        **paginate(request, qs),
    )


@require_GET
@cacheable
def publications(request):
    return _listing(request, "publications.html", "公示信息")


@require_GET
@cacheable
def department(request, pk):
    dept = pagecache.remembered(("department", pk), lambda: published.department_shown(pk))
    if dept is None:
        raise Http404(NOT_FOUND)
    return _listing(request, "publications.html", dept.name, department=dept)


@require_GET
@cacheable
def region(request, code):
    reg = pagecache.remembered(("region", code), lambda: published.region_shown(code))
    if reg is None:
        raise Http404(NOT_FOUND)
    return _listing(request, "publications.html", reg.name, region=reg)


@require_GET
@cacheable
def publication(request, pk):
    pub = published.get(pk)
    if pub is None:
        raise Http404(NOT_FOUND)
    return _page(
        request,
        "publication.html",
        title=pub.title,
        pub=pub,
        versions=published.history(pub),
        notice=published.withdrawal_notice(pub),
    )


@require_GET
def task(request, pk):
    view = published.task_view(pk)
    if view is None:
        raise Http404(NOT_FOUND)
    return _page(request, "task.html", title=f"抽查任务 {view.task.code}", view=view)


@require_GET
def bundle(request, pk, draw_pk):
    draw = published.bundle_draw(pk, draw_pk)
    if draw is None:
        raise Http404("该抽取数据包尚未公开（名单公开后可下载）。")
    response = HttpResponse(drawday.bundle_zip(draw), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{draw.draw_id}.zip"'
    return response


class _Echo:
    def write(self, value):
        return value


EXPORT_COLUMNS = [
    *("公示编号", "版本", "检查实施机关", "类型", "日期", "结果", "备注"),
    *("检查对象", "统一社会信用代码", "抽查任务", "公开时间", "逾期公开"),
]


def _rows(qs):
    yield EXPORT_COLUMNS
    for p in qs.iterator(chunk_size=2000):
        r = p.record
        yield [
            p.pk,
            p.version,
            r.get("authority", ""),
            r.get("type", ""),
            r.get("date", ""),
            r.get("result", ""),
            r.get("remark", ""),
            r.get("target_name", ""),
            r.get("target_code", ""),
            r.get("task_title", ""),
            timezone.localtime(p.published_at).strftime("%Y-%m-%d %H:%M"),
            "是" if p.late else "否",
        ]


@require_GET
def results_csv(request, code, year):
    reg = published.region(code)
    if reg is None or not (1990 <= year <= 2999):
        raise Http404(NOT_FOUND)
    writer = csv.writer(_Echo())
    rows = _rows(published.results_for_export(reg, year))
    body = (("\ufeff" if i == 0 else "") + writer.writerow(row) for i, row in enumerate(rows))
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="results-{reg.code}-{year}.csv"'
    return response


@require_GET
def opendata(request):
    this_year = dt.date.today().year
    return _page(
        request,
        "opendata.html",
        title="开放数据",
        regions=published.regions(),
        years=list(range(this_year, this_year - 3, -1)),
    )
