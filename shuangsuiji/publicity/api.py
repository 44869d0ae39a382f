"""The public API (/api/public/): read-only, no login, everything through ``published``.

Stable identifiers: a publication's ``id`` never changes and never points at other content
(a correction is a new id; ``corrects_id`` links it to the original); a business is its
register id; a task its task id. Rate limited per client address (``ratelimit.py``).
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from shuangsuiji.apipages import CappedPages
from shuangsuiji.publicity import published
from shuangsuiji.publicity.models import Kind, Publication

router = Router(tags=["公示信息（公开接口）"], auth=None)

NOT_FOUND = "未找到该公开信息。"


class PublicationOut(Schema):
    id: int
    kind: str
    kind_label: str
    version: int
    corrects_id: int | None
    correction_reason: str
    title: str
    department_id: int
    department: str
    region_code: str
    year: int
    task_id: int | None
    channels: list[str]
    published_at: datetime
    late: bool
    due_on: date | None
    withdrawn: bool
    record_sha256: str

    @staticmethod
    def resolve_kind_label(obj: Publication) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_department(obj: Publication) -> str:
        return obj.department.name

    @staticmethod
    def resolve_region_code(obj: Publication) -> str:
        return obj.region_id

    @staticmethod
    def resolve_channels(obj: Publication) -> list[str]:
        return obj.channel_labels

    @staticmethod
    def resolve_withdrawn(obj: Publication) -> bool:
        return bool(getattr(obj, "withdrawn", False))


class PublicationDetailOut(PublicationOut):
    record: dict | None = Field(None, description="公开内容；已撤回的记录为 null")
    withdrawal_reason: str = ""
    versions: list[int]

    @staticmethod
    def resolve_record(obj: Publication):
        return None if obj.withdrawn else obj.record


class BusinessOut(Schema):
    id: int
    code: str
    name: str
    region_code: str

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region_id


class BusinessDetailOut(BusinessOut):
    publications: list[PublicationOut]


class PublicDrawOut(Schema):
    draw_id: str
    status: str
    commitment_sha256: str
    frozen_at: datetime
    drawn_at: datetime | None
    entropy: list[dict]
    seed: str
    server_secret: str
    bundle_url: str


class PublicTaskOut(Schema):
    id: int
    code: str
    list_published: bool
    definition: dict | None
    drawn_list_publication_id: int | None
    draws: list[PublicDrawOut]


@router.get("/publications", response=list[PublicationOut], summary="公示信息（现行版本，可筛选）")
@paginate(CappedPages, page_size=50)
def list_publications(
    request,
    kind: str = "",
    department: int | None = Query(None, ge=1, le=2**63 - 1),
    region: str = Query("", max_length=6),
    year: int | None = Query(None, ge=1990, le=2999),
    q: str = Query("", max_length=100),
    result: str = Query("", max_length=100, description="检查结果（公示的结果类别，如“未发现问题”）"),
):
    dept = published.department(department) if department is not None else None
    reg = published.region(region) if region else None
    if (department is not None and dept is None) or (region and reg is None):
        return Publication.objects.none()
    if result and result not in published.result_categories():
        return Publication.objects.none()
    filters = {"kind": kind if kind in Kind.values else "", "department": dept, "region": reg, "year": year}
    if result and not q:
        return published.ResultPages(**filters, result=result)
    return published.listing(**filters, q=q, result=result).select_related("department")


@router.get("/publications/{pub_id}", response=PublicationDetailOut, summary="一条公示信息（含全部版本编号）")
def get_publication(request, pub_id: int = Path(..., ge=1, le=2**63 - 1)):
    pub = published.get(pub_id)
    if pub is None:
        raise Http404(NOT_FOUND)
    notice = published.withdrawal_notice(pub)
    pub.withdrawal_reason = notice.reason if notice else ""
    pub.versions = [v.pk for v in published.history(pub)]
    return pub


@router.get("/businesses", response=list[BusinessOut], summary="按名称片段或统一社会信用代码查询已公示的检查对象")
@paginate(CappedPages, page_size=50)
def search_businesses(request, q: str = Query(..., min_length=1, max_length=100)):
    return published.search_businesses(q)


@router.get("/businesses/{business_id}", response=BusinessDetailOut, summary="检查对象及其全部公示信息")
def get_business(request, business_id: int = Path(..., ge=1, le=2**63 - 1)):
    target = published.business(business_id)
    if target is None:
        raise Http404(NOT_FOUND)
    target.publications = list(published.business_publications(target))
    return target


@router.get("/tasks/{task_id}", response=PublicTaskOut, summary="抽查任务的公开信息与抽取验证数据")
def get_task(request, task_id: int = Path(..., ge=1, le=2**63 - 1)):
    view = published.task_view(task_id)
    if view is None:
        raise Http404(NOT_FOUND)
    draws = [
        {
            "draw_id": d.draw_id,
            "status": d.status,
            "commitment_sha256": d.commitment_sha256,
            "frozen_at": d.frozen_at,
            "drawn_at": d.drawn_at,
            "entropy": d.entropy,
            "seed": d.seed,
            "server_secret": d.server_secret,
            "bundle_url": f"/gongshi/tasks/{view.task.pk}/draws/{d.pk}/bundle.zip" if d.bundle else "",
        }
        for d in view.draws
    ]
    return {
        "id": view.task.pk,
        "code": view.task.code,
        "list_published": view.list_published,
        "definition": view.definition.record if view.definition and not view.definition.withdrawn else None,
        "drawn_list_publication_id": view.drawn_list.pk if view.drawn_list else None,
        "draws": draws,
    }
