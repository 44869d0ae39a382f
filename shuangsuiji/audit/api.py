from __future__ import annotations

from datetime import datetime

from django.http import Http404
from django.views.decorators.cache import never_cache
from ninja import Path, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from shuangsuiji.accounts.permissions import AUDIT_READERS, require_roles
from shuangsuiji.accounts.scope import in_scope, sees_everything
from shuangsuiji.apipages import Pages
from shuangsuiji.audit import sealed as sealing
from shuangsuiji.audit.models import AuditEntry

router = Router(tags=["审计日志"])


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor_name: str
    organisation_id: int | None
    object_type: str
    object_id: str
    object_repr: str
    action: str
    action_label: str  # 操作的中文名称（shuangsuiji/audit/labels.py）
    object_label: str  # 对象类型的中文名称
    before: dict | None
    after: dict | None
    reason: str
    request_id: str
    ip: str
    prev_hash: str
    hash: str
    sealed_task_id: int | None
    sealed: dict | None = None
    sealed_notice: str = ""

    @staticmethod
    def resolve_sealed(obj: AuditEntry, context) -> dict | None:
        return _view(obj, context).detail

    @staticmethod
    def resolve_sealed_notice(obj: AuditEntry, context) -> str:
        return _view(obj, context).notice


def _view(entry: AuditEntry, context) -> sealing.EntryView:
    request = context["request"]
    decisions = getattr(request, "_audit_decisions", None)
    if decisions is None:
        decisions = request._audit_decisions = sealing.Decisions(request.user)
    return sealing.view(entry, decisions, revealed=getattr(request, "_audit_revealed", None) == entry.seq)


def _scoped(request):
    require_roles(request.user, AUDIT_READERS)
    qs = AuditEntry.objects.all()
    if not sees_everything(request.user):
        qs = in_scope(request.user, qs, "organisation")
    return qs


@router.get(
    "/entries",
    response=list[AuditEntryOut],
    summary="审计日志（督查、双随机办、平台管理员；涉及保密名单的内容在名单公开前封存）",
)
@paginate(Pages, page_size=50)
def list_entries(request, action: str = "", object_type: str = "", object_id: str = ""):
    qs = _scoped(request)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-seq")


@router.get(
    "/entries/{seq}",
    response=AuditEntryOut,
    summary="一条审计记录（sealed=true：名单公开前由参与人员或督查读取封存内容，本次读取记入审计日志）",
)
@decorate_view(never_cache)
def get_entry(request, seq: int = Path(..., ge=1, le=2**63 - 1), sealed: bool = False):
    entry = _scoped(request).filter(seq=seq).first()
    if entry is None:
        raise Http404("未找到该审计记录，或不在您的数据范围内。")
    if sealed:
        decisions = request._audit_decisions = sealing.Decisions(request.user)
        if not sealing.reveal(entry, decisions) and entry.sealed and decisions(entry) != sealing.OPEN:
            raise Http404("未找到该记录的封存内容，或您无权查看（抽取结果在公开前保密）。")
        request._audit_revealed = entry.seq
    return entry
