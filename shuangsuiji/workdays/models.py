"""The working-day calendar's editable part.

chinese_calendar ships the State Council's holiday schedule for the years it knows. For a
year it lacks, an administrator enters the official schedule here (``CalendarYear`` marks the
year as entered, ``CalendarOverride`` holds each holiday or adjusted working day). An override
also wins over chinese_calendar for a year it knows (e.g. a corrected notice).

Glossary: CalendarOverride → 工作日历调整; CalendarYear → 年度放假安排.
"""

from __future__ import annotations

from django.db import models


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
