"""The working-day calendar's editable part.

chinese_calendar ships the State Council's holiday schedule for the years it knows. For a
year it lacks, an administrator enters the official schedule here (``CalendarYear`` marks the
year as entered, ``CalendarOverride`` holds each holiday or adjusted working day). An override
also wins over chinese_calendar for a year it knows (e.g. a corrected notice).

Glossary: CalendarOverride → 工作日历调整; CalendarYear → 年度放假安排.
"""

from __future__ import annotations

from django.db import models


class DeadlineStatus(models.TextChoices):
    """A stored deadline of an append-only row (``deadline_status``): while provisional (暂定) it
    may still move, once — when its year's calendar is entered (``deadlines.recompute``); an
    official one is frozen with the row (the rows' immutability specs)."""

    PROVISIONAL = "provisional", "暂定"
    OFFICIAL = "official", "正式"


def deadline_status(d) -> str:
    return DeadlineStatus.PROVISIONAL if d.provisional else DeadlineStatus.OFFICIAL


def deadline_status_field(verbose_name: str = "期限状态", default: str = DeadlineStatus.OFFICIAL, **kwargs):
    """The ``deadline_status`` column of an append-only row with a stored deadline."""
    return models.CharField(
        verbose_name,
        max_length=12,
        choices=DeadlineStatus.choices,
        default=default,
        db_default=default,
        **kwargs,
    )


class CalendarYear(models.Model):
    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("依据", max_length=200, help_text="如：国务院办公厅关于2027年部分节假日安排的通知")
    published_on = models.DateField("发布日期", null=True, blank=True)

    class Meta:
        verbose_name = "年度放假安排"
        verbose_name_plural = "年度放假安排"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年：{self.source}"


class CalendarOverride(models.Model):
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日", help_text="勾选表示调休上班日，不勾选表示法定节假日")
    name = models.CharField("名称", max_length=64, blank=True, help_text="如：春节、国庆节调休")
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "工作日历调整"
        verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        kind = "上班" if self.is_workday else "休息"
        return f"{self.date} {kind} {self.name}"


class ProvisionalDeadline(models.Model):
    """A stored deadline computed while a year's schedule was missing (``workdays.deadlines``).

    Kept after the year is entered (``final_on`` set): it shows how the deadline moved."""

    kind = models.CharField("期限类型", max_length=64)
    object_id = models.PositiveBigIntegerField("对象")
    start = models.DateField("起算日")
    workdays = models.PositiveIntegerField("工作日数")
    due_on = models.DateField("期限")
    first_due_on = models.DateField("最初暂定期限")
    provisional = models.BooleanField("暂定", default=True)
    created_at = models.DateTimeField("计算时间", auto_now_add=True)
    final_on = models.DateTimeField("确定时间", null=True, blank=True)

    class Meta:
        verbose_name = "暂定期限"
        verbose_name_plural = "暂定期限"
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="provisional_deadline_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.due_on}{'（暂定）' if self.provisional else ''}"


class DeadlineNotice(models.Model):
    """A notice to the owner of a deadline that moved when a year's schedule was entered."""

    user = models.ForeignKey(
        "accounts.User", verbose_name="接收人", on_delete=models.CASCADE, related_name="deadline_notices"
    )
    text = models.CharField("内容", max_length=500)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "期限变更通知"
        verbose_name_plural = "期限变更通知"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text
