"""The one import path for every register (UI upload, management command, benchmark).

1. Read the file (xlsx or csv) and map its Chinese headers to fields.
2. Validate every row (in a thread of its own, overlapping with the database writes); collect
   errors as (row, column, value, reason in Chinese). Duplicate keys inside the file are
   errors naming the other row.
3. Mode ``all`` (default): any error → nothing is kept, the job is *rejected* with an error
   report (xlsx). Mode ``valid``: the good rows are written, the bad ones reported.
4. Writing happens in one transaction: if anything fails half-way, nothing is kept.
   Progress goes through the cache (visible to the page while the transaction is open).
   Re-importing upserts by the register's key; every change is kept in the register's history
   and the import itself is one audit-trail entry (file name, SHA-256, counts).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import multiprocessing
import operator
import queue
import shutil
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record, record_many
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.imports.progress import clear_progress, estimate_rows, report_progress
from shuangsuiji.imports.tabular import TableError, read_table, write_xlsx

log = logging.getLogger(__name__)

BATCH_SIZE = 10_000  # upper bound; an importer may ask for less
KEPT_ERRORS = 1000
ERROR_REPORT_HEADERS = ["行号", "列", "值", "原因"]


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    example: str = ""
    note: str = ""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str

    def as_list(self) -> list:
        return [self.row, self.column, self.value, self.reason]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Audit entries for the records a batch changed (before/after), written by the runner:
    # re-imports never overwrite silently. New records are covered by the import's own entry.
    audit: list[dict] = field(default_factory=list)
    # Rows the writer refused (an existing record outside the user's data scope): reported like
    # validation errors; in mode ``all`` they reject the file.
    errors: list[RowError] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


class Importer:
    """What a register supplies: its columns, how to clean a row, how to write a batch."""

    # Templates get the class (upload page): Django must not call it to render its title.
    do_not_call_in_templates: ClassVar[bool] = True
    kind: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    batch_size: ClassVar[int] = BATCH_SIZE
    # Tables a large import fills: vacuumed and analysed right after it (see _maintain).
    maintained_models: ClassVar[tuple[type, ...]] = ()

    def __init__(self, job: ImportJob):
        self.job = job

    @classmethod
    def may_import(cls, user) -> bool:
        """Whether ``user`` may import into this register at all (the rows are checked too)."""
        return True

    def begin(self) -> None:
        """Load lookups (regions, tags, …) once per import, in the writer's thread (uses the database)."""

    def begin_clean(self) -> None:
        """Prepare what ``clean`` needs in the validating thread (no database access there)."""

    def clean(self, row: int, raw: dict[str, str]) -> tuple[Any, str | None, list[RowError]]:
        """Return (clean row, upsert key or None, errors)."""
        raise NotImplementedError

    def pack(self, rows: list[Any]) -> Any:
        """Turn a chunk of clean rows into what travels to the writer (in the validating thread
        or process). The default sends the rows as they are; the target register sends rows
        already encoded for ``COPY`` (cheaper to pass between processes than dicts)."""
        return rows

    def apply(self, batch: Any) -> Counts:
        """Write one packed batch of clean rows (inside the import's transaction)."""
        raise NotImplementedError

    def error(self, row: int, field_name: str, value: str, reason: str) -> RowError:
        header = next((c.header for c in self.columns if c.field == field_name), field_name)
        return RowError(row, header, value, reason)

    @classmethod
    def map_header(cls, header: list[str]) -> dict[str, int]:
        by_header = {c.header: c for c in cls.columns}
        mapping: dict[str, int] = {}
        for index, title in enumerate(header):
            column = by_header.get(title)
            if column is not None and column.field not in mapping:
                mapping[column.field] = index
        missing = [c.header for c in cls.columns if c.required and c.field not in mapping]
        if missing:
            raise TableError(f"缺少必填列：{'、'.join(missing)}。请使用下载的导入模板。")
        return mapping


IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    IMPORTERS[importer.kind] = importer
    return importer


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def create_job(*, kind: str, source: Path, file_name: str, mode: str, user=None) -> ImportJob:
    """Keep a copy of the uploaded file and create its job (status pending)."""
    if kind not in IMPORTERS:
        raise ValueError(f"未知的导入类型：{kind}")
    if mode not in ImportJob.Mode.values:
        raise ValueError(f"未知的导入模式：{mode}（应为 all 或 valid）")
    job = ImportJob.objects.create(
        kind=kind,
        mode=mode,
        file_name=file_name[:255],
        file_path="",
        file_sha256=sha256_file(source),
        created_by=user,
        organisation=getattr(user, "organisation", None),
    )
    stored = upload_dir() / f"{job.pk}{Path(file_name).suffix.lower()}"
    if source.resolve() != stored.resolve():
        shutil.copyfile(source, stored)
    ImportJob.objects.filter(pk=job.pk).update(file_path=str(stored))
    job.file_path = str(stored)
    return job


def _write_error_report(job: ImportJob, errors: list[RowError]) -> str:
    path = upload_dir() / f"{job.pk}-errors.xlsx"
    write_xlsx(path, ERROR_REPORT_HEADERS, (e.as_list() for e in errors), sheet_name="错误报告")
    return str(path)


def _finish(job: ImportJob, **fields) -> ImportJob:
    fields.setdefault("finished_at", timezone.now())
    ImportJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job


class _Rejected(Exception):
    """Raised inside the import transaction to undo the optimistic writes of a rejected file."""


# Files of at least this many (estimated) rows are validated in a forked process, so that
# validation and writing run on two cores; smaller ones in a thread.
PROCESS_THRESHOLD = 50_000
PROCESS_THRESHOLD_BYTES = 4_000_000  # a spreadsheet of about 50,000 rows (its rows are not counted first)


def _validate(importer: Importer, path: str, mode: str, chunk_size: int, out) -> None:
    """Producer: read and validate rows, send ("chunk", packed rows, row count, processed)
    messages and finally ("done", processed, error_rows, errors, failure). Touches no database connection, so it
    can run in a thread or in a forked process.
    """
    processed = error_rows = 0
    errors: list[RowError] = []
    failure = None
    try:
        header, rows = read_table(path)
        mapping = importer.map_header(header)
        importer.begin_clean()
        first_row_of_key: dict[str, int] = {}
        chunk: list[Any] = []
        fields = list(mapping)
        pick = operator.itemgetter(*mapping.values())  # the mapped cells in one C call
        width = max(mapping.values()) + 1
        padding = [""] * width
        for row_number, cells in rows:
            if len(cells) < width:  # short rows (trailing empty cells left out)
                cells = cells + padding[len(cells) :]
            raw = dict(zip(fields, pick(cells) if len(fields) > 1 else (pick(cells),), strict=True))
            clean, key, row_errors = importer.clean(row_number, raw)
            if key is not None and not row_errors:
                earlier = first_row_of_key.setdefault(key, row_number)
                if earlier != row_number:
                    row_errors = [
                        RowError(row_number, "（整行）", key, f"与第 {earlier} 行重复（同一对象只能出现一次）")
                    ]
            processed += 1
            if row_errors:
                errors.extend(row_errors)
                error_rows += 1
                if mode == ImportJob.Mode.ALL:
                    chunk = []  # nothing more will be written; keep validating for the report
            elif mode != ImportJob.Mode.ALL or not errors:
                chunk.append(clean)
            if len(chunk) >= chunk_size:
                out.put(("chunk", importer.pack(chunk), len(chunk), processed))
                chunk = []
        if chunk and not (mode == ImportJob.Mode.ALL and errors):
            out.put(("chunk", importer.pack(chunk), len(chunk), processed))
    except TableError as exc:
        failure = ("table", str(exc))
    except BaseException as exc:
        failure = ("error", f"{type(exc).__name__}: {exc}")
        log.error("import validation failed: %s", traceback.format_exc())
    out.put(("done", processed, error_rows, errors, failure))


def _validate_in_process(*args) -> None:
    """``_validate`` in a forked process of its own. Its cyclic garbage collector is off: the
    rows it makes form no cycles, and the collector's passes over millions of young objects
    cost 5–10 % of the validation (measured); the process ends with the file."""
    gc.disable()
    _validate(*args)


def _next_message(chunks, producer):
    while True:
        try:
            return chunks.get(timeout=1)
        except queue.Empty:
            if not producer.is_alive():
                with contextlib.suppress(queue.Empty):
                    return chunks.get(timeout=1)
                raise RuntimeError("校验进程意外退出") from None


def _start_producer(importer: Importer, job: ImportJob, chunk_size: int, total: int):
    """Start the validating producer; returns (queue, handle with is_alive())."""
    large = total >= PROCESS_THRESHOLD or (
        total == 0 and Path(job.file_path).stat().st_size >= PROCESS_THRESHOLD_BYTES  # xlsx: rows unknown
    )
    if large and "fork" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("fork")
        out = ctx.Queue(maxsize=4)
        handle = ctx.Process(
            target=_validate_in_process, args=(importer, job.file_path, job.mode, chunk_size, out), daemon=True
        )
    else:
        out = queue.Queue(maxsize=4)
        handle = threading.Thread(
            target=_validate, args=(importer, job.file_path, job.mode, chunk_size, out), daemon=True
        )
    handle.start()
    return out, handle


MAINTAIN_AFTER_ROWS = 10_000


def _maintain(importer: Importer, changed_rows: int) -> None:
    """After a large import on PostgreSQL: ``VACUUM (ANALYZE)`` the tables it filled.

    Without it the planner keeps the statistics of the empty table (and counts visit every
    row) until autovacuum comes by — never, where autovacuum is off. About 0.6 s per million
    rows. Inside an outer transaction (tests) only ``ANALYZE`` is possible. A failure here is
    logged, never turned into a failed import: the data is already committed.
    """
    from django.db import connection

    if connection.vendor != "postgresql" or changed_rows < MAINTAIN_AFTER_ROWS:
        return
    statement = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    try:
        with connection.cursor() as cur:
            for model in importer.maintained_models:
                cur.execute(f"{statement} {connection.ops.quote_name(model._meta.db_table)}")
    except Exception:
        log.warning("maintenance after import %s failed: %s", importer.job.pk, traceback.format_exc())


def run_import(job_id: int, *, fail_after_rows: int | None = None) -> ImportJob:
    """Run a pending job to its end. ``fail_after_rows`` exists for the half-way-failure test.

    Rows are written optimistically as they are validated, inside one transaction; in mode
    ``all`` the first bad row stops the writing and the transaction is rolled back at the end,
    so a rejected file leaves nothing behind either.
    """
    job = ImportJob.objects.get(pk=job_id)
    importer = IMPORTERS[job.kind](job)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, message="正在校验并写入…")
    total = estimate_rows(job.file_path)
    counts = Counts()
    processed = error_rows = 0
    errors: list[RowError] = []
    refused: list[RowError] = []
    try:
        importer.begin()
        chunks, producer = _start_producer(importer, job, min(importer.batch_size, BATCH_SIZE), total)
        try:
            with transaction.atomic(), acting(actor=job.created_by, action=f"{job.kind}.import"):
                written = 0
                while True:
                    message = _next_message(chunks, producer)
                    if message[0] == "done":
                        _, processed, error_rows, errors, failure = message
                        if refused:
                            error_rows += len({e.row for e in refused})
                            errors = sorted([*errors, *refused], key=operator.attrgetter("row"))
                        break
                    _, chunk, rows_in_chunk, seen = message
                    batch_counts = importer.apply(chunk)
                    record_many(batch_counts.audit)
                    refused.extend(batch_counts.errors)
                    counts.add(batch_counts)
                    written += rows_in_chunk
                    report_progress(job.pk, seen, total)
                    if fail_after_rows is not None and written >= fail_after_rows:
                        raise RuntimeError("模拟的导入中途故障")
                if failure is not None:
                    kind, text = failure
                    raise TableError(text) if kind == "table" else RuntimeError(text)
                if processed == 0 or (job.mode == ImportJob.Mode.ALL and errors):
                    raise _Rejected
                record(
                    action=f"{job.kind}.import",
                    object_type="imports.importjob",
                    object_id=str(job.pk),
                    object_repr=f"{importer.title}导入：{job.file_name}",
                    after={
                        "file_name": job.file_name,
                        "file_sha256": job.file_sha256,
                        "mode": job.mode,
                        "rows": processed,
                        "created": counts.created,
                        "updated": counts.updated,
                        "unchanged": counts.unchanged,
                        "skipped_error_rows": error_rows,
                    },
                    organisation_id=job.organisation_id,
                )
        except _Rejected:
            pass
        finally:
            while producer.is_alive():  # unblock a producer waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    chunks.get(timeout=0.1)
            clear_progress(job.pk)

        if not (job.mode == ImportJob.Mode.ALL and errors) and processed:
            _maintain(importer, counts.created + counts.updated)
        report = _write_error_report(job, errors) if errors else ""
        kept = [e.__dict__ for e in errors[:KEPT_ERRORS]]
        done = {"total_rows": processed, "processed_rows": processed, "error_count": error_rows}
        if processed == 0:
            return _finish(job, status=ImportJob.Status.REJECTED, message="文件中没有数据行。", **done)
        if errors and job.mode == ImportJob.Mode.ALL:
            return _finish(
                job,
                status=ImportJob.Status.REJECTED,
                errors=kept,
                error_report_path=report,
                message=(
                    f"共 {processed} 行，其中 {error_rows} 行有错误，未导入任何数据。请下载错误报告修改后重新导入。"
                ),
                **done,
            )
        skipped = f"，跳过有错误的 {error_rows} 行（见错误报告）" if error_rows else ""
        return _finish(
            job,
            status=ImportJob.Status.DONE,
            created_count=counts.created,
            updated_count=counts.updated,
            unchanged_count=counts.unchanged,
            errors=kept,
            error_report_path=report,
            message=f"导入完成：新增 {counts.created}，更新 {counts.updated}，无变化 {counts.unchanged}{skipped}。",
            **done,
        )
    except TableError as exc:
        return _finish(job, status=ImportJob.Status.REJECTED, message=str(exc))
    except Exception as exc:
        log.error("import %s failed: %s", job.pk, traceback.format_exc())
        return _finish(job, status=ImportJob.Status.FAILED, message=f"导入失败，数据库未做任何改动：{exc}")
