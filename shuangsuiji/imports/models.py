"""Import jobs: one import of a file into a register, with progress and outcome.

Glossary: ImportJob → 导入批次.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """One import of a file into a register, with its progress and outcome."""

    class Kind(models.TextChoices):
        TARGETS = "targets", "检查对象"
        INSPECTORS = "inspectors", "执法检查人员"
        ITEMS = "items", "随机抽查事项"

    class Mode(models.TextChoices):
        ALL = "all", "全部成功才导入"
        VALID = "valid", "仅导入有效行"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已完成"
        REJECTED = "rejected", "有错误，未导入"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    mode = models.CharField("模式", max_length=8, choices=Mode.choices, default=Mode.ALL)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField("文件名", max_length=255)
    file_path = models.CharField("文件位置", max_length=500)
    file_sha256 = models.CharField("文件 SHA-256", max_length=64)
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    created_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新", default=0)
    unchanged_count = models.PositiveIntegerField("无变化", default=0)
    error_count = models.PositiveIntegerField("错误行数", default=0)
    errors = models.JSONField("错误（前 1000 条）", default=list, blank=True)
    error_report_path = models.CharField("错误报告", max_length=500, blank=True)
    message = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}导入 #{self.pk} {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REJECTED, self.Status.FAILED)
