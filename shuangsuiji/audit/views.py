from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from shuangsuiji.accounts.permissions import AUDIT_READERS, role_required
from shuangsuiji.accounts.scope import get_in_scope_or_404, in_scope, sees_everything
from shuangsuiji.audit import labels, sealed
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.web.pagination import paginate


def _scoped_entries(user):
    qs = AuditEntry.objects.select_related("organisation")
    if sees_everything(user):
        return qs
    return in_scope(user, qs, "organisation")


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@role_required(*AUDIT_READERS)
def entry_list(request):
    qs = _scoped_entries(request.user)
    g = request.GET
    filters = {k: g.get(k, "").strip() for k in ("q", "action", "object_type", "actor", "start", "end")}
    if filters["q"]:
        qs = qs.filter(
            Q(object_repr__icontains=filters["q"]) | Q(object_id=filters["q"]) | Q(reason__icontains=filters["q"])
        )
    if filters["action"]:
        qs = qs.filter(action=filters["action"])
    if filters["object_type"]:
        qs = qs.filter(object_type=filters["object_type"])
    if filters["actor"]:
        qs = qs.filter(actor_name__icontains=filters["actor"])
    start, end = _parse_date(filters["start"]), _parse_date(filters["end"])
    if start:
        qs = qs.filter(created_at__date__gte=start)
    if end:
        qs = qs.filter(created_at__date__lte=end)
    context = {
        "filters": filters,
        "actions": labels.choices(
            AuditEntry.objects.values_list("action", flat=True).distinct().order_by(), labels.action_label
        ),
        "object_types": labels.choices(
            AuditEntry.objects.values_list("object_type", flat=True).distinct().order_by(), labels.object_label
        ),
        "active_section": "audit",
    }
    context.update(paginate(request, qs.order_by("-seq"), per_page=50))
    return render(request, "audit/entry_list.html", context)


@role_required(*AUDIT_READERS)
@never_cache
def entry_detail(request, seq: int):
    """The entry; its sealed part only as ``audit.sealed`` decides (``?sealed=1`` asks for it
    before publication, and that read is recorded)."""
    entry = get_in_scope_or_404(request.user, _scoped_entries(request.user), "organisation", seq=seq)
    decisions = sealed.Decisions(request.user)
    revealed = request.GET.get("sealed") == "1" and sealed.reveal(entry, decisions)
    shown = sealed.view(entry, decisions, revealed=revealed)
    return render(
        request,
        "audit/entry_detail.html",
        {
            "entry": entry,
            "shown": shown,
            "rows": [(entry.field_label(k), b, a) for k, b, a in shown.rows],
            "active_section": "audit",
        },
    )
