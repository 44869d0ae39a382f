"""The sealed list (保密名单): every view and export is recorded with who and when.

Pages, exports, PDFs and API calls that show drawn targets, assignments or 一企一表 call
:func:`require_sealed` first; it answers 404 to anyone without access (``access.py``) and
writes one audit entry naming the viewer, the task, the draw and the channel.

Everything derived from the list is sealed content too (issue 17): the seeds (also as the
public entropy of inspector draws), reserve and substitute details, reasons and confirmation
notes. One question decides who reads it, :func:`readable` (the whole list's access, or
published); pages and API show it through the helpers below, audit entries keep it in their
sealed part (``audit.sealed``, with :class:`AuditPolicy` deciding for the audit trail).
"""

from __future__ import annotations

import json

from django.http import Http404
from django.views.decorators.cache import never_cache

from shuangsuiji.audit import sealed as audit_sealed
from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.tasks.access import may_read_sealed_audit, sealed_access, seed_visible
from shuangsuiji.tasks.entropy import kind_label
from shuangsuiji.tasks.models import Confirmation, Draw, DrawResult, Task

CHANNELS = {
    "page": "查看保密名单",
    "export": "导出保密名单",
    "api": "通过接口读取保密名单",
    "sheet": "查看一企一表",
    "sheet_pdf": "下载一企一表 PDF",
    "sheet_print": "生成一企一表打印文件",
    "sheet_zip": "下载一企一表打印文件（ZIP）",
    "bundle": "下载抽取数据包",
    "audit": "查看审计记录的封存内容",
}

# What reads a draw's index rows (DrawnTarget, Assignment): refused while the job queue writes
# them (``indexes.IndexPending``); the bundle and the print file are read from elsewhere.
NEEDS_INDEX = {"page", "export", "api", "sheet", "sheet_pdf", "sheet_print"}

SEALED_NOTICE = "名单公开前仅参与人员可见"
NO_ACCESS = "未找到该名单，或您无权查看（抽取结果在公开前保密）。"
REOPENED_NOTE = "已有对象递补，确认重新开启"
NOTE_NOTICE = "（确认意见名单公开前仅参与人员可见）"

# Every sealed response is never stored by a browser or proxy (Cache-Control: no-store …).
no_store = never_cache


def readable(user, task: Task) -> bool:
    """May ``user`` read what is derived from the task's sealed list (seed, reserve and
    substitute details, reasons, notes)? Those who see the whole list; everyone after publication."""
    return seed_visible(user, task)


def require_sealed(user, task: Task, draw: Draw | None, channel: str, detail: str = "") -> str:
    """The user's access mode (``"all"`` or ``"own"``); 404 without access; audited while sealed.
    While the index rows of the draw are being written (``NEEDS_INDEX`` channels), raises
    ``indexes.IndexPending`` after the access check: the page shows the progress instead."""
    mode = sealed_access(user, task)
    if mode is None:
        raise Http404(NO_ACCESS)
    if draw is not None and channel in NEEDS_INDEX:
        from shuangsuiji.tasks import indexes

        pending = indexes.index_pending(draw)
        if pending is not None:  # nothing of the list is shown yet: the page says so (no read)
            raise indexes.IndexPending(pending)
    if task.is_sealed:
        with acting(actor=user):
            record(
                action=f"tasks.sealed_{channel}",
                obj=draw or task,
                organisation_id=task.lead_id,
                after={
                    "task": task.code,
                    "draw_id": draw.draw_id if draw else "",
                    "channel": CHANNELS.get(channel, channel),
                    "mode": mode,
                },
                sealed_task_id=task.pk,
                sealed={"after": {"detail": detail}} if detail else None,
            )
    return mode


# --- Derived content, as shown to one user -----------------------------------------------------


def public_entropy(draw: Draw, shown: bool) -> list[dict]:
    """The public entropy entries of a draw. An inspector draw's first entry is its target
    draw's seed: hidden exactly as that draw hides its seed (``shown`` = :func:`readable`)."""
    if draw.entropy_json is None:
        return []
    out = []
    for e in json.loads(bytes(draw.entropy_json)).get("public") or []:
        hidden = e.get("kind") == "target_draw_seed" and not shown
        out.append(
            {**e, "value": "" if hidden else e["value"], "sealed": hidden, "kind_label": kind_label(e.get("kind", ""))}
        )
    return out


def confirmation_note(conf: Confirmation, shown: bool) -> str:
    """A confirmation's note names targets (a reserve reopened it, or the department's remark)."""
    if shown or not conf.note:
        return conf.note
    return REOPENED_NOTE if conf.status == Confirmation.Status.PENDING else NOTE_NOTICE


def sealed_text(text: str, shown: bool) -> str:
    """A reason or note written about a drawn list (it may name targets)."""
    return text if shown or not text else f"（{SEALED_NOTICE}）"


def result_reason(result: DrawResult, shown: bool) -> str:
    """Why a result version was made (a reserve use, a substitute draw): it speaks of targets."""
    return sealed_text(result.reason, shown)


# --- The audit trail's sealed parts ------------------------------------------------------------


class AuditPolicy:
    """Registered with ``audit.sealed`` by the tasks app."""

    def decide(self, user, task_ids: set[int]) -> dict[int, str | None]:
        out: dict[int, str | None] = {}
        for task in Task.objects.filter(pk__in=task_ids).select_related("region"):
            if not task.is_sealed:
                out[task.pk] = audit_sealed.OPEN
            elif may_read_sealed_audit(user, task):
                out[task.pk] = audit_sealed.ON_REQUEST
        return out

    def record_read(self, user, entry) -> None:
        task = Task.objects.get(pk=entry.sealed_task_id)
        with acting(actor=user):
            record(
                action="tasks.sealed_audit",
                object_type="audit.auditentry",
                object_id=str(entry.seq),
                object_repr=f"审计记录 #{entry.seq}（{entry.action}）",
                organisation_id=task.lead_id,
                after={
                    "task": task.code,
                    "entry": entry.seq,
                    "action": entry.action,
                    "channel": CHANNELS["audit"],
                },
                sealed_task_id=task.pk,
            )


def viewer_mark(user, now) -> str:
    """The line every sealed download carries."""
    return f"保密 · 下载人：{user.display_name}（{user.username}） · {now:%Y-%m-%d %H:%M:%S} · 未经批准不得复制、传播"
