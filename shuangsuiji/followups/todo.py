"""What waits for a user in the follow-up loop (the home page's to-do list).

- the owner department (administrator, unit operators): open follow-ups, overdue flagged;
  follow-ups whose result was corrected without their finding (review, services.py);
  rectification deadlines reached (re-inspect); failed re-inspections (escalate); determined
  parts "发现问题待后续处理" without a follow-up yet;
- the receiving department: transfers to accept or return (deadline, overdue flagged);
- supervisors (督查) and the region's office: the overdue follow-ups of their region, read-only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.scope import scope_q
from shuangsuiji.followups import access, services
from shuangsuiji.followups import deadlines as fdeadlines
from shuangsuiji.followups.models import (
    FollowUp,
    FollowUpProblem,
    FollowUpStatus,
    ReInspection,
    ReInspectionStatus,
    Transfer,
    TransferStatus,
    TypeKind,
)
from shuangsuiji.workdays.deadlines import provisional_ids

LIMIT = 50


def _item(title, url, due, overdue, provisional=False):
    return {"title": title, "url": url, "due": due, "overdue": overdue, "due_provisional": provisional}


def todo_for(user, today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    out: list[dict] = []
    if not (user.is_authenticated and user.is_active):
        return out
    handler = user.has_role(*access.HANDLER_ROLES)
    if handler:
        mine = (
            access.visible_followups(user)
            .filter(status=FollowUpStatus.OPEN)
            .select_related("target", "type", "department", "owner_unit")
            .order_by("due_on", "id")
        )
        mine = list(mine[: LIMIT * 2])
        due_provisional = provisional_ids(fdeadlines.DUE, [fu.pk for fu in mine])
        rectify_provisional = provisional_ids(fdeadlines.RECTIFY, [fu.pk for fu in mine])
        for fu in mine:
            if not access.may_handle(user, fu):
                continue
            url = reverse("followups:detail", args=[fu.pk])
            label = f"{fu.type.label}：{fu.target.name}（{fu.number}）"
            if services.needs_review(fu):  # a correction of its result removed a finding
                out.append(
                    _item(
                        f"检查结果已更正，请复核：{label}",
                        url,
                        fu.due_on,
                        fu.is_overdue(today),
                        fu.pk in due_provisional,
                    )
                )
                continue
            if fu.type.kind == TypeKind.RECTIFY:
                ris = list(ReInspection.objects.filter(followup=fu).values_list("status", flat=True))
                if ReInspectionStatus.FAILED in ris:
                    out.append(
                        _item(
                            f"复查仍不合格，升级处置：{label}",
                            url,
                            fu.due_on,
                            fu.is_overdue(today),
                            fu.pk in due_provisional,
                        )
                    )
                    continue
                if ReInspectionStatus.SCHEDULED in ris:
                    out.append(
                        _item(f"录入复查结果：{label}", url, fu.due_on, fu.is_overdue(today), fu.pk in due_provisional)
                    )
                    continue
                if fu.rectify_by and today >= fu.rectify_by:
                    out.append(
                        _item(
                            f"整改期限已到，安排复查：{label}",
                            url,
                            fu.rectify_by,
                            fu.is_overdue(today),
                            fu.pk in rectify_provisional,
                        )
                    )
                    continue
            out.append(_item(f"办理后续处置 {label}", url, fu.due_on, fu.is_overdue(today), fu.pk in due_provisional))
        transfers = list(
            Transfer.objects.filter(status=TransferStatus.PENDING)
            .filter(scope_q(user, "to_department"), followup__in=access.visible_followups(user))
            .select_related("followup__target", "from_department", "to_department")
            .order_by("respond_by")[:LIMIT]
        )
        respond_provisional = provisional_ids(fdeadlines.RESPOND, [tr.pk for tr in transfers])
        for tr in transfers:
            if access.may_decide_transfer(user, tr):
                out.append(
                    _item(
                        f"接收或退回{tr.from_department.name}的{tr.get_kind_display()}：{tr.followup.target.name}",
                        reverse("followups:detail", args=[tr.followup_id]),
                        tr.respond_by,
                        today > tr.respond_by,
                        tr.pk in respond_provisional,
                    )
                )
        out += _parts_waiting(user)
    if user.has_role(Role.SUPERVISOR, Role.COORDINATING_OFFICE) and not handler:
        overdue = access.visible_followups(user).filter(status=FollowUpStatus.OPEN, due_on__lt=today)
        n = overdue.count()
        if n:
            out.append(
                _item(
                    f"督查：逾期未办结的后续处置 {n} 件",
                    reverse("followups:list") + "?overdue=1",
                    overdue.order_by("due_on").values_list("due_on", flat=True).first(),
                    True,
                )
            )
    return out


def _parts_waiting(user) -> list[dict]:
    """Determined parts "发现问题待后续处理" of the user's departments without a follow-up."""
    from shuangsuiji.inspections.models import DepartmentPart, PartStatus

    # a follow-up of any version of the same result (a correction keeps the earlier one's follow-ups)
    has_followup = Exists(
        FollowUp.objects.filter(
            part__record_id=OuterRef("record_id"), part__department_id=OuterRef("department_id"), parent__isnull=True
        )
    )
    has_problem_followup = Exists(FollowUpProblem.objects.filter(item_result__part=OuterRef("pk")))
    parts = (
        DepartmentPart.objects.filter(status=PartStatus.DETERMINED, codes__code__starts_follow_up=True)
        .filter(scope_q(user, "department"))
        .exclude(has_followup)
        .exclude(has_problem_followup)
        .select_related("record__target")
        .distinct()
        .order_by("determined_at")[:LIMIT]
    )
    out = []
    for part in parts:
        if access.may_open(user, part):
            out.append(
                _item(
                    f"开启后续处置：{part.record.target.name}",
                    reverse("followups:open", args=[part.pk]),
                    None,
                    False,
                )
            )
    return out
