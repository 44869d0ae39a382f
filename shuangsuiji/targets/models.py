"""The target register (检查对象名录库).

Glossary: Target → 检查对象; Industry → 国民经济行业（GB/T 4754-2017）; RiskClassChange →
信用风险分类记录; TargetChange → 检查对象变更记录; LastInspection → 最近检查日期（按部门）.

A target's identifier (``code``) is its USCC (统一社会信用代码) when it has one; otherwise a
stable internal code starting with ``Z`` (a letter the USCC alphabet never uses), so the two
can never collide. The draw engine uses ``code`` as the candidate id.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from shuangsuiji.orgs.models import RegionField
from shuangsuiji.targets.choices import RegistrationStatus, RiskClass, TargetType

INTERNAL_CODE_PREFIX = "Z"


# The fields of a target that entry forms and imports set and compare (the risk class and the
# tags have their own history and are handled apart).
DATA_FIELDS = (
    "name",
    "uscc",
    "target_type",
    "legal_representative",
    "business_scope",
    "address",
    "region_id",
    "industry_id",
    "registration_status",
    "established_on",
    "abnormal_operation",
    "address_unreachable",
    "serious_violation",
    "complaint_count",
)


def new_internal_code(region_code: str) -> str:
    """Z + region code + 11 random base-16 characters: 18 characters, never a valid USCC."""
    return f"{INTERNAL_CODE_PREFIX}{region_code}{uuid.uuid4().hex[:11].upper()}"


class Industry(models.Model):
    """GB/T 4754-2017 sections (门类, A–T) and divisions (大类, 01–97), shipped as data."""

    class Level(models.TextChoices):
        SECTION = "section", "门类"
        DIVISION = "division", "大类"

    code = models.CharField("代码", max_length=4, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=8, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")

    class Meta:
        verbose_name = "国民经济行业"
        verbose_name_plural = "国民经济行业"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Target(models.Model):
    code = models.CharField("对象编码", max_length=18, help_text="统一社会信用代码或内部编码")
    # Unique through ``code`` (constraint below, a plain unique index: a ``unique=True`` field
    # would add a second, varchar_pattern_ops index on PostgreSQL that no query uses). A target
    # with a USCC has code == USCC, so no second unique index is kept (each index slows a
    # million-row import).
    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True)
    name = models.CharField("名称", max_length=200)
    target_type = models.CharField("对象类型", max_length=16, choices=TargetType.choices)
    legal_representative = models.CharField("法定代表人（负责人）", max_length=64, blank=True)
    business_scope = models.TextField("经营范围", blank=True)
    address = models.CharField("住所（经营场所）", max_length=255, blank=True)
    # Indexes: the composite (region, risk_class) index below serves region filters and the
    # data scope, so the foreign keys keep no index of their own (fewer indexes = faster
    # million-row imports; the other filters narrow what the region index finds).
    region = RegionField(db_index=False)
    industry = models.ForeignKey(
        Industry, verbose_name="行业", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    registration_status = models.CharField(
        "登记状态", max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.ACTIVE
    )
    established_on = models.DateField("成立日期", null=True, blank=True)
    risk_class = models.CharField(
        "信用风险分类", max_length=1, choices=RiskClass.choices, default=RiskClass.UNCLASSIFIED
    )
    # These four describe the *current* classification (with ``risk_class``); the earlier ones
    # are ``RiskClassChange`` rows, written when a new classification replaces them (so an
    # import that classifies every new target writes no history rows).
    risk_source = models.CharField("风险分类来源", max_length=200, blank=True)
    risk_effective_on = models.DateField("风险分类生效日期", null=True, blank=True)
    risk_recorded_at = models.DateTimeField("风险分类记录时间", null=True, blank=True)
    risk_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="风险分类记录人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    abnormal_operation = models.BooleanField("列入经营异常名录", default=False)
    # 住所无法联系: set by the register keepers when a determined inspection result found the
    # target unreachable at its registered address (a proposal of the inspections app).
    address_unreachable = models.BooleanField("住所无法联系", default=False, db_default=False)
    serious_violation = models.BooleanField("列入严重违法失信名单", default=False)
    complaint_count = models.PositiveIntegerField("投诉举报次数", default=0)
    tags = models.ManyToManyField("tags.Tag", verbose_name="标签", blank=True, related_name="targets")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    import_job = models.ForeignKey(
        "imports.ImportJob",
        verbose_name="最近导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # import jobs are kept (they are the provenance of the rows)
        db_index=False,
    )

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象名录库"
        ordering = ["-id"]
        indexes = [models.Index(fields=["region", "risk_class"], name="target_region_risk_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], name="target_unique_code", violation_error_message="对象编码已存在。"
            ),
            models.CheckConstraint(
                condition=models.Q(uscc__isnull=True) | models.Q(uscc=models.F("code")),
                name="target_code_is_uscc",
                violation_error_message="有统一社会信用代码的检查对象，其对象编码必须等于统一社会信用代码。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def superseded_risk(self) -> RiskClassChange:
        """The current classification as an *unsaved* history row: save (or bulk_create) it
        right before overwriting the current fields with ``set_current_risk``."""
        created = self.created_at or timezone.now()
        return RiskClassChange(
            target=self,
            risk_class=self.risk_class,
            effective_on=self.risk_effective_on or timezone.localdate(created),
            source=self.risk_source,
            recorded_at=self.risk_recorded_at or created,
            recorded_by_id=self.risk_recorded_by_id,
        )

    def set_current_risk(self, risk_class: str, *, source: str, effective_on, recorded_at, recorded_by_id) -> None:
        """Set the five fields of the current classification (does not save)."""
        self.risk_class = risk_class
        self.risk_source = source
        self.risk_effective_on = effective_on
        self.risk_recorded_at = recorded_at
        self.risk_recorded_by_id = recorded_by_id

    def risk_records(self, limit: int | None = None) -> list[RiskClassChange]:
        """For display: the current classification (unsaved, first), then the earlier ones,
        newest first (at most ``limit`` earlier ones when given)."""
        current = self.superseded_risk()
        if self.risk_recorded_by_id is not None:
            current.recorded_by = self.risk_recorded_by
        earlier = self.risk_history.select_related("recorded_by")
        return [current, *(earlier[:limit] if limit is not None else earlier)]


class RiskClassChange(models.Model):
    """One row per *earlier* credit-risk classification of a target, written when a new
    classification replaces it: the replaced classification's class, effective date, source,
    recorder and recording time. The current classification is on the target itself
    (``Target.risk_class`` and ``risk_*``), as in a system-versioned temporal table."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="risk_history")
    risk_class = models.CharField("信用风险分类", max_length=1, choices=RiskClass.choices)
    effective_on = models.DateField("生效日期")
    source = models.CharField("来源", max_length=200, help_text="如：市场监管部门信用风险分类结果（2026年第三季度）")
    # The replaced classification's own recording time (set explicitly; not auto_now_add).
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, db_index=False
    )

    class Meta:
        verbose_name = "信用风险分类记录"
        verbose_name_plural = "信用风险分类记录"
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.target_id} {self.risk_class} {self.effective_on}"


class TargetChange(models.Model):
    """Field-level history of a target: every create and every change, with its origin."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField("操作", max_length=16)  # create / update
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后")
    import_job = models.ForeignKey("imports.ImportJob", null=True, blank=True, on_delete=models.PROTECT)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    changed_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查对象变更记录"
        verbose_name_plural = "检查对象变更记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.target_id} {self.action} {self.changed_at:%Y-%m-%d}"


class LastInspection(models.Model):
    """The date a department last inspected a target (maintained by result entry later)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="last_inspections")
    department = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+")
    inspected_on = models.DateField("检查日期")

    class Meta:
        verbose_name = "最近检查日期"
        verbose_name_plural = "最近检查日期"
        constraints = [models.UniqueConstraint(fields=["target", "department"], name="lastinspection_unique")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.department_id} {self.inspected_on}"
