"""The sealed list (保密名单): every view and export is recorded with who and when.

Pages, exports, PDFs and API calls that show drawn targets, assignments or 一企一表 call
:func:`require_sealed` first; it answers 404 to anyone without access (``access.py``) and
writes one audit entry naming the viewer, the task, the draw and the channel.
"""

from __future__ import annotations

from django.http import Http404

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.tasks.access import sealed_access
from shuangsuiji.tasks.models import Draw, Task

CHANNELS = {
    "page": "查看保密名单",
    "export": "导出保密名单",
    "api": "通过接口读取保密名单",
    "sheet": "查看一企一表",
    "sheet_pdf": "下载一企一表 PDF",
    "sheet_print": "生成一企一表打印文件",
    "sheet_zip": "下载一企一表打印文件（ZIP）",
    "bundle": "下载抽取数据包",
}


def require_sealed(user, task: Task, draw: Draw | None, channel: str, detail: str = "") -> str:
    """The user's access mode (``"all"`` or ``"own"``); 404 without access; audited while sealed."""
    mode = sealed_access(user, task)
    if mode is None:
        raise Http404("未找到该名单，或您无权查看（抽取结果在公开前保密）。")
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
                    "detail": detail,
                },
            )
    return mode


def viewer_mark(user, now) -> str:
    """The line every sealed download carries."""
    return f"保密 · 下载人：{user.display_name}（{user.username}） · {now:%Y-%m-%d %H:%M:%S} · 未经批准不得复制、传播"
