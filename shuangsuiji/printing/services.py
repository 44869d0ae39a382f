"""The print job's workflow: request, run (in huey), expire.

A job renders a task's 一企一表 into PDFs packed in one ZIP on disk:

- grouping ``department``: per participating department (lead first) one set of volumes of at
  most ``SHUANGSUIJI_PRINT_SHEETS_PER_FILE`` sheets in draw order. A sheet is the same for every
  department (it lists all of them), so each volume is rendered once and stored under each
  department's folder.
- grouping ``group``: per department one PDF per 检查组, i.e. per set of inspectors (and
  experts) assigned together, with the sheets of the targets that set inspects; targets the
  department has nobody for yet go into 未分配检查人员.

An ``own`` job (an inspector's) holds only the targets the inspector is assigned to, and only
the departments (and groups) they belong to. Memory stays bounded whatever the task's size: the
plan holds target ids only; sheets are built and rendered ``SHEETS_PER_CHUNK`` at a time and each
PDF goes into the ZIP (written incrementally, deflated) before the next chunk is read.

Finished files are kept ``SHUANGSUIJI_PRINT_KEEP_DAYS`` days; then the file is removed (hourly
huey task, and on access) and the job row stays, marked expired. Who may request, see and
download: ``printing/access.py``. Requests and downloads are audited through
``tasks.sealed.require_sealed`` like every other sealed view.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.printing.models import PrintJob
from shuangsuiji.printing.render import render_pdf
from shuangsuiji.tasks import access as task_access
from shuangsuiji.tasks import drawday, sheets
from shuangsuiji.tasks.models import LIVE, Assignment, DrawKind, DrawStatus, Task
from shuangsuiji.tasks.sealed import require_sealed, viewer_mark
from shuangsuiji.tasks.services import participants_lead_first

log = logging.getLogger(__name__)

SHEETS_PER_CHUNK = 50  # sheets built and rendered at a time (bounds the worker's memory)
UNASSIGNED = "未分配检查人员"


def keep_days() -> int:
    return int(getattr(settings, "SHUANGSUIJI_PRINT_KEEP_DAYS", 7))


def sheets_per_file() -> int:
    return max(1, int(getattr(settings, "SHUANGSUIJI_PRINT_SHEETS_PER_FILE", 50)))


def storage_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "printing"


class PrintRefused(Exception):
    """Why a print job cannot be made (shown to the user)."""


# --- Request ----------------------------------------------------------------------------------


def request_print(user, task: Task, grouping: str) -> PrintJob:
    """Record and queue a print job for the user's sheets of ``task``; 404 without sealed access."""
    if grouping not in PrintJob.Grouping.values:
        raise PrintRefused("请选择分组方式。")
    draw = drawday.live_target_draw(task)
    if draw is None or draw.status != DrawStatus.DRAWN:
        raise Http404("该任务尚未抽取检查对象，没有一企一表。")
    label = PrintJob.Grouping(grouping).label.split("（")[0]
    mode = require_sealed(user, task, draw, "sheet_print", detail=f"生成一企一表打印文件（{label}）")
    inspector = user.inspector if mode == task_access.OWN_TARGETS else None
    job = PrintJob.objects.create(
        task=task,
        target_draw=draw,
        requested_by=user,
        mode=mode,
        inspector=inspector,
        grouping=grouping,
        mark=viewer_mark(user, timezone.localtime()),
    )
    from shuangsuiji.printing.tasks import run_print_job_task

    transaction.on_commit(lambda: run_print_job_task(job.pk))
    return job


# --- Plan: which PDFs, holding which targets ---------------------------------------------------


@dataclass
class PlannedFile:
    names: list[str]  # ZIP entries holding this same PDF (one per department in department mode)
    title: str
    target_ids: list[int] = field(default_factory=list)


def _safe(name: str) -> str:
    return "".join("_" if c in '\\/:*?"<>|' else c for c in name).strip() or "未命名"


def _departments(job: PrintJob):
    parts = participants_lead_first(job.task)
    if job.inspector_id is None:
        return parts
    mine = set(
        Assignment.objects.filter(
            draw__target_draw=job.target_draw,
            draw__kind=DrawKind.INSPECTORS,
            draw__status__in=LIVE,
            inspector_id=job.inspector_id,
            ended_at__isnull=True,
        ).values_list("draw__department_id", flat=True)
    )
    return [p for p in parts if p.department_id in mine]


def plan(job: PrintJob) -> list[PlannedFile]:
    """The PDFs of the job in order (target ids only: a few bytes per sheet)."""
    draw = job.target_draw
    only = job.inspector if job.inspector_id else None
    order = list(sheets.drawn_targets(draw, only).values_list("target_id", "position"))
    position = dict(order)
    depts = _departments(job)
    per_file = sheets_per_file()
    code = job.task.code
    files: list[PlannedFile] = []
    if job.grouping == PrintJob.Grouping.DEPARTMENT:
        for start in range(0, len(order), per_file):
            part = order[start : start + per_file]
            volume = start // per_file + 1
            span = f"第{part[0][1]}-{part[-1][1]}号"
            names = [
                f"{n:02d}-{_safe(p.department.name)}/{_safe(p.department.name)}-第{volume:03d}册（{span}）.pdf"
                for n, p in enumerate(depts, 1)
            ]
            files.append(PlannedFile(names, f"一企一表 {code} 第{volume}册（{span}）", [t for t, _ in part]))
        return files

    idraws = sheets.live_inspector_draws(draw)
    for n, p in enumerate(depts, 1):
        folder = f"{n:02d}-{_safe(p.department.name)}"
        idraw = idraws.get(p.department_id)
        members: dict[int, list[tuple[bool, int, str]]] = defaultdict(list)
        if idraw is not None and idraw.status == DrawStatus.DRAWN:
            rows = (
                Assignment.objects.filter(draw=idraw, ended_at__isnull=True)
                .order_by("is_expert", "id")
                .values_list("target_id", "is_expert", "inspector_id", "inspector__name")
            )
            for target_id, is_expert, inspector_id, name in rows.iterator(chunk_size=5000):
                if target_id in position:
                    members[target_id].append((is_expert, inspector_id, name))
        groups: dict[tuple, list[int]] = {}
        names_of: dict[tuple, str] = {}
        for target_id, _pos in order:
            people = members.get(target_id, [])
            if job.inspector_id and people and job.inspector_id not in {i for _, i, _ in people}:
                continue
            key = tuple(sorted((e, i) for e, i, _ in people))
            groups.setdefault(key, []).append(target_id)
            names_of.setdefault(key, "、".join(nm for _, _, nm in people) if people else UNASSIGNED)
        numbered = sorted(groups.items(), key=lambda kv: (not kv[0], position[kv[1][0]]))
        for g, (key, target_ids) in enumerate(numbered, 1):
            label = names_of[key]
            for start in range(0, len(target_ids), per_file):
                part = "" if len(target_ids) <= per_file else f"-第{start // per_file + 1}部分"
                stem = f"检查组{g:04d}-{_safe(label)[:60]}{part}"
                files.append(
                    PlannedFile(
                        [f"{folder}/{stem}.pdf"],
                        f"一企一表 {code} {p.department.name} 检查组{g}（{label}）",
                        target_ids[start : start + per_file],
                    )
                )
    return files


# --- Run ------------------------------------------------------------------------------------------


def _chunks(files: list[PlannedFile], size: int) -> Iterator[list[PlannedFile]]:
    """Consecutive files whose sheets are built together (about ``size`` sheets)."""
    batch: list[PlannedFile] = []
    count = 0
    for f in files:
        batch.append(f)
        count += len(f.target_ids)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def render_files(
    job: PrintJob, files: list[PlannedFile], sheet_source: Callable[[list[int]], dict[int, sheets.Sheet]]
) -> Iterator[tuple[PlannedFile, bytes, int]]:
    """(file, PDF bytes, sheets in it) for every planned file, chunk by chunk."""
    author = job.requested_by.display_name
    when = job.created_at
    for batch in _chunks(files, SHEETS_PER_CHUNK):
        built = sheet_source([t for f in batch for t in f.target_ids])
        for f in batch:
            chosen = [built[t] for t in f.target_ids if t in built]
            yield f, render_pdf(chosen, title=f.title, mark=job.mark, author=author, when=when), len(chosen)


def db_sheets(job: PrintJob) -> Callable[[list[int]], dict[int, sheets.Sheet]]:
    """Builds the sheets of some targets of the job's draw (a constant number of queries)."""

    def build(target_ids: list[int]) -> dict[int, sheets.Sheet]:
        drawn = sheets.drawn_targets(job.target_draw).filter(target_id__in=target_ids)
        return {s.target.pk: s for s in sheets.build_sheets(job.task, job.target_draw, drawn)}

    return build


def write_zip(
    path: Path,
    rendered: Iterable[tuple[PlannedFile, bytes, int]],
    *,
    readme: str,
    progress: Callable[[int, int], None] = lambda done, files: None,
) -> tuple[int, int]:
    """Writes the ZIP incrementally (each PDF is deflated to disk before the next is rendered)."""
    stamp = timezone.localtime().timetuple()[:6]
    done = files = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(zipfile.ZipInfo("说明.txt", stamp), readme.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
        for f, pdf, count in rendered:
            for name in f.names:
                zf.writestr(zipfile.ZipInfo(name, stamp), pdf, compress_type=zipfile.ZIP_DEFLATED)
                files += 1
            done += count
            progress(done, files)
    return done, files


def _readme(job: PrintJob, files: list[PlannedFile]) -> str:
    task = job.task
    scope = "本人负责的检查对象" if job.inspector_id else "全部抽中检查对象"
    return (
        f"部门联合双随机抽查“一企一表”\r\n抽查任务：{task.code} {task.title}\r\n"
        f"抽取编号：{job.target_draw.draw_id}\r\n范围：{scope}\r\n分组方式：{job.get_grouping_display()}\r\n"
        f"PDF 文件：{sum(len(f.names) for f in files)} 个\r\n{job.mark}\r\n"
    )


def run(job_id: int) -> PrintJob:
    """Renders the job (called by the huey task). Any failure marks the job failed."""
    job = PrintJob.objects.select_related("task", "target_draw", "requested_by", "inspector").get(pk=job_id)
    if job.status != PrintJob.Status.PENDING:
        return job
    now = timezone.now()
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJob.Status.RUNNING, started_at=now)
    directory = storage_dir()
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"{job.pk}.zip"
    partial = directory / f"{job.pk}.zip.part"
    try:
        files = plan(job)
        total = sum(len(f.target_ids) for f in files)
        PrintJob.objects.filter(pk=job.pk).update(total_sheets=total)

        def progress(done: int, count: int) -> None:
            PrintJob.objects.filter(pk=job.pk).update(done_sheets=done, file_count=count)

        done, count = write_zip(
            partial, render_files(job, files, db_sheets(job)), readme=_readme(job, files), progress=progress
        )
        digest = hashlib.sha256()
        with partial.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        os.replace(partial, final)
        finished = timezone.now()
        PrintJob.objects.filter(pk=job.pk).update(
            status=PrintJob.Status.DONE,
            finished_at=finished,
            expires_at=finished + dt.timedelta(days=keep_days()),
            done_sheets=done,
            file_count=count,
            file_path=str(final),
            file_size=final.stat().st_size,
            file_sha256=digest.hexdigest(),
            message=f"已生成 {count} 个 PDF（{done} 张一企一表）。",
        )
    except Exception as exc:  # the job records the failure; the worker keeps running
        log.exception("print job %s failed", job.pk)
        partial.unlink(missing_ok=True)
        PrintJob.objects.filter(pk=job.pk).update(
            status=PrintJob.Status.FAILED, finished_at=timezone.now(), message=f"生成失败：{exc}"
        )
    job.refresh_from_db()
    return job


# --- Expiry ---------------------------------------------------------------------------------------


def expire(job: PrintJob, now: dt.datetime | None = None) -> bool:
    """Removes the file of a finished job whose time is up; the row stays (marked expired)."""
    now = now or timezone.now()
    if job.status != PrintJob.Status.DONE or job.expires_at is None or job.expires_at > now:
        return False
    if job.file_path:
        Path(job.file_path).unlink(missing_ok=True)
    updated = PrintJob.objects.filter(pk=job.pk, status=PrintJob.Status.DONE).update(
        status=PrintJob.Status.EXPIRED, expired_at=now, file_path=""
    )
    if updated:
        with acting(actor_name="系统", action="printing.expire", reason="保留期满"):
            record(
                action="printing.file_expired",
                obj=job,
                organisation_id=job.task.lead_id,
                after={
                    "task": job.task.code,
                    "job": job.pk,
                    "sha256": job.file_sha256,
                    "说明": "一企一表打印文件保留期满，已删除",
                },
            )
    job.refresh_from_db()
    return bool(updated)


STALE_AFTER = dt.timedelta(hours=6)  # a running job older than this lost its worker


def expire_due(now: dt.datetime | None = None) -> int:
    """Expires every finished job past its time (the hourly huey task); a job whose worker
    died half-way (still running after ``STALE_AFTER``) is marked failed and its part removed."""
    now = now or timezone.now()
    for job in PrintJob.objects.filter(status=PrintJob.Status.RUNNING, started_at__lte=now - STALE_AFTER):
        (storage_dir() / f"{job.pk}.zip.part").unlink(missing_ok=True)
        PrintJob.objects.filter(pk=job.pk, status=PrintJob.Status.RUNNING).update(
            status=PrintJob.Status.FAILED, finished_at=now, message="生成中断（后台任务未完成），请重新生成。"
        )
    due = PrintJob.objects.filter(status=PrintJob.Status.DONE, expires_at__lte=now).select_related("task")
    return sum(expire(job, now) for job in due)
