from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.permissions import AUDIT_READERS, require_roles
from shuangsuiji.accounts.scope import in_scope, sees_everything
from shuangsuiji.apipages import Pages
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
    before: dict | None
    after: dict | None
    reason: str
    request_id: str
    ip: str
    prev_hash: str
    hash: str


@router.get("/entries", response=list[AuditEntryOut], summary="审计日志（督查、双随机办、平台管理员）")
@paginate(Pages, page_size=50)
def list_entries(request, action: str = "", object_type: str = "", object_id: str = ""):
    require_roles(request.user, AUDIT_READERS)
    qs = AuditEntry.objects.all()
    if not sees_everything(request.user):
        qs = in_scope(request.user, qs, "organisation")
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-seq")
