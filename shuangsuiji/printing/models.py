"""Print jobs (一企一表打印任务): a task's sheets rendered in the job queue into one ZIP.

Glossary: PrintJob → 一企一表打印任务. The row stays after its file expires (who printed which
task's sheets, when, how many, the file's SHA-256); only the file is removed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PrintJob(models.Model):
    class Grouping(models.TextChoices):
        DEPARTMENT = "department", "按部门（每个部门一套，每册不超过规定张数）"
        GROUP = "group", "按检查组（每个部门的每个检查组一个 PDF）"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期（文件已删除）"

    task = models.ForeignKey("tasks.Task", verbose_name="抽查任务", on_delete=models.PROTECT, related_name="+")
    target_draw = models.ForeignKey(
        "tasks.Draw", verbose_name="检查对象抽取", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    # "all" or "own" (tasks.access): the requester's access when the job was made. An "own" job
    # holds only the sheets of ``inspector``'s targets.
    mode = models.CharField("范围", max_length=4)
    inspector = models.ForeignKey(
        "inspectors.Inspector",
        verbose_name="检查人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    grouping = models.CharField("分组方式", max_length=12, choices=Grouping.choices, default=Grouping.DEPARTMENT)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    mark = models.CharField("下载人标记", max_length=300)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("保留至", null=True, blank=True)
    expired_at = models.DateTimeField("文件删除时间", null=True, blank=True)
    total_sheets = models.PositiveIntegerField("应生成张数", default=0)
    done_sheets = models.PositiveIntegerField("已生成张数", default=0)
    file_count = models.PositiveIntegerField("PDF 文件数", default=0)
    file_path = models.CharField("文件位置", max_length=500, blank=True)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    file_sha256 = models.CharField("文件 SHA-256", max_length=64, blank=True)
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "一企一表打印任务"
        verbose_name_plural = "一企一表打印任务"
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="printing_job_expiry")]

    def __str__(self) -> str:
        return f"一企一表打印 #{self.pk} {self.task_id}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self) -> int | None:
        if not self.total_sheets:
            return None
        return min(100, self.done_sheets * 100 // self.total_sheets)

    @property
    def download_name(self) -> str:
        return f"一企一表-{self.task.code}-{self.pk}.zip"
