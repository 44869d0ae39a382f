"""Excel (and csv) export of follow-ups with their steps: one row per step, the follow-up's
columns repeated, so a filter in Excel keeps each step with its case."""

from __future__ import annotations

from shuangsuiji.followups.models import FollowUpStep
from shuangsuiji.imports.exports import export_response

HEADERS = [
    "处置编号",
    "检查对象",
    "统一社会信用代码/编码",
    "承办部门",
    "承办股室",
    "处置类型",
    "状态",
    "是否逾期",
    "开启日期",
    "办结期限",
    "整改期限",
    "案号",
    "处罚决定",
    "罚款（万元）",
    "上一环节",
    "办结日期",
    "办结结果",
    "步骤序号",
    "步骤",
    "步骤日期",
    "步骤内容",
    "操作人",
    "记录时间",
]


def rows(qs, today):
    for fu in qs.select_related("parent").iterator(chunk_size=500):
        steps = list(FollowUpStep.objects.filter(followup=fu).select_related("actor").order_by("id")) or [None]
        base = [
            fu.number,
            fu.target.name,
            fu.target.code,
            fu.department.name,
            fu.owner_unit.name if fu.owner_unit_id else "",
            fu.type.label,
            fu.get_status_display(),
            "逾期" if fu.is_overdue(today) else "",
            fu.opened_on.isoformat(),
            fu.due_on.isoformat(),
            fu.rectify_by.isoformat() if fu.rectify_by else "",
            fu.case_number,
            fu.decision,
            fu.fine_display,
            fu.parent.number if fu.parent_id else "",
            fu.closed_on.isoformat() if fu.closed_on else "",
            fu.outcome,
        ]
        for n, s in enumerate(steps, start=1):
            if s is None:
                yield [*base, "", "", "", "", "", ""]
                continue
            actor = (s.actor.display_name if s.actor_id else "") or ""
            yield [*base, n, s.get_kind_display(), s.on.isoformat(), s.text, actor, s.at.strftime("%Y-%m-%d %H:%M")]


def followups_response(fmt, qs, today):
    return export_response(fmt, "后续处置及步骤", HEADERS, lambda: rows(qs, today))
