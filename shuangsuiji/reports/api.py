"""Reports API: the same visibility and figures as the pages (``reports.access``, ``annex``).

(No ``from __future__ import annotations``: django-ninja resolves the Literal parameters at import.)
"""

from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from shuangsuiji.apipages import Pages
from shuangsuiji.reports import access, annex, services
from shuangsuiji.reports.models import Report

router = Router(tags=["统计报表"])


class ReportOut(Schema):
    id: int
    organisation_id: int
    organisation: str
    recipient_id: int | None
    kind: str
    year: int
    period: int
    version: int
    status: str
    due_on: date | None
    submitted_at: datetime | None
    reason: str
    figures: dict[str, Any]

    @staticmethod
    def resolve_organisation(obj: Report) -> str:
        return obj.organisation.name


class FormOut(Schema):
    organisation_id: int
    organisation: str
    kind: str
    year: int
    period: int
    figures: dict[str, Any]


class FormQuery(Schema):
    year: int = Field(..., ge=2000, le=2100)
    period: int = Field(0, ge=0, le=12)


@router.get("/reports", response=list[ReportOut], summary="报表（数据范围内及报送本单位的；已报送的含冻结数据）")
@paginate(Pages, page_size=50)
def list_reports(request, kind: Literal["monthly", "quarterly", "annual", "joint"] | None = None):
    qs = access.visible_reports(request.auth).select_related("organisation")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-year", "-period", "kind", "organisation_id", "-version")


@router.get("/forms/{kind}", response=FormOut, summary="本单位某期报表的实时统计数据（与页面、Excel、PDF 相同）")
def live_form(request, kind: Literal["monthly", "quarterly", "annual", "joint"], q: Query[FormQuery]):
    org = access.reporting_organisation(request.auth)
    if org is None:
        raise PermissionDenied("您未分配机构，无法生成报表。")
    _kind, year, period = kind, *services.check_period(kind, q.year, q.period)
    return {
        "organisation_id": org.pk,
        "organisation": org.name,
        "kind": kind,
        "year": year,
        "period": period,
        "figures": annex.compute(kind, org, year, period),
    }
