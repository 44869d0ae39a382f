"""The inspector register (执法检查人员名录库).

Glossary: Inspector → 执法检查人员; certificate_no → 执法证号; is_expert → 专家（辅助检查，
不计入执法人员人数）; TrainingRecord → 培训记录; LeavePeriod → 请假/停用期间; Relationship →
利害关系申报（回避）; InspectorChange → 执法检查人员变更记录.

Corrections (更正) never edit or delete a record in place: a training record entered by
mistake is voided (作废), a leave period is ended early (提前结束, the original end kept in
``planned_end``) or cancelled (取消), a relationship declaration is withdrawn (撤销申报).
Each keeps who, when and why; only live records (``.live()``) count for the draw.

An inspector belongs to a department or one of its units (``organisation``); the data
scope applies through that foreign key. ``certificate_no`` is the inspector's identifier in
the draw (the ``id`` of ``shuangsuiji.draw.Inspector``). Experts have no enforcement
certificate of their own; they are registered with their expert certificate or appointment
number in the same field, so that every person of the register has one unique id.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shuangsuiji.inspectors.choices import EXPIRING_DAYS, CertificateStatus, RelationshipKind


class Inspector(models.Model):
    name = models.CharField("姓名", max_length=64, db_index=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        related_name="inspectors",
        help_text="部门或其内设股室",
    )
    position = models.CharField("职务", max_length=64, blank=True)
    certificate_no = models.CharField(
        "执法证号", max_length=32, unique=True, help_text="行政执法证件号；专家填写专家证书（聘书）编号"
    )
    cert_valid_from = models.DateField("证件有效期起", null=True, blank=True)
    cert_valid_to = models.DateField("证件有效期止")
    phone = models.CharField("联系电话", max_length=32, blank=True)
    is_expert = models.BooleanField(
        "专家", default=False, help_text="专家只辅助检查，不计入每组至少 2 名执法检查人员的人数。"
    )
    is_active = models.BooleanField("在岗", default=True, help_text="停用的人员不参加抽取。")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="平台账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspector",
        help_text="本人登录平台的账号：可查看分配给本人的检查对象和一企一表。",
    )
    specialties = models.ManyToManyField(
        "tags.Tag", verbose_name="专业特长与资格", blank=True, related_name="inspectors"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    import_job = models.ForeignKey(
        "imports.ImportJob", verbose_name="最近导入批次", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "执法检查人员"
        verbose_name_plural = "执法检查人员名录库"
        ordering = ["organisation_id", "certificate_no"]
        indexes = [
            models.Index(fields=["organisation", "is_active"], name="inspector_org_active_idx"),
            models.Index(fields=["cert_valid_to"], name="inspector_cert_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"

    def certificate_status(self, today: date) -> str:
        if self.cert_valid_from and self.cert_valid_from > today:
            return CertificateStatus.NOT_YET
        if self.cert_valid_to < today:
            return CertificateStatus.EXPIRED
        if self.cert_valid_to <= today + timedelta(days=EXPIRING_DAYS):
            return CertificateStatus.EXPIRING
        return CertificateStatus.VALID


class RecordState(models.TextChoices):
    """The state of a training record, leave period or relationship declaration."""

    IN_FORCE = "in_force", "有效"
    ENDED_EARLY = "ended_early", "已提前结束"
    CANCELLED = "cancelled", "已取消"
    VOIDED = "voided", "已作废"
    WITHDRAWN = "withdrawn", "已撤销"


class _PartQuerySet(models.QuerySet):
    def live(self):
        """Records not voided, cancelled or withdrawn: the ones that count."""
        return self.filter(**{f"{self.model.CLOSED_AT}__isnull": True})


class _InspectorPart(models.Model):
    """Records that belong to one inspector (their audit entries carry its organisation).

    ``CLOSED_AT`` names the timestamp that takes a record out of force (void, cancel, withdraw).
    """

    CLOSED_AT = ""

    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    objects = _PartQuerySet.as_manager()

    class Meta:
        abstract = True

    def audit_organisation_id(self) -> int | None:
        return Inspector.objects.filter(pk=self.inspector_id).values_list("organisation_id", flat=True).first()


def _closed_reason_given(name: str, at: str, reason: str) -> models.CheckConstraint:
    """A record taken out of force names a reason."""
    return models.CheckConstraint(condition=Q(**{f"{at}__isnull": True}) | ~Q(**{reason: ""}), name=name)


class TrainingRecord(_InspectorPart):
    CLOSED_AT = "voided_at"

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField("培训课程", max_length=200)
    completed_on = models.DateField("完成日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, null=True, blank=True)
    issuer = models.CharField("培训机构", max_length=128, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="作废人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    void_reason = models.CharField("作废原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["-completed_on", "-id"]
        constraints = [_closed_reason_given("trainingrecord_void_has_reason", "voided_at", "void_reason")]

    def __str__(self) -> str:
        return f"{self.course}（{self.completed_on}）"

    @property
    def state(self) -> str:
        return RecordState.VOIDED if self.voided_at else RecordState.IN_FORCE


class LeavePeriod(_InspectorPart):
    """A period the inspector is away. ``end`` is the end in force; ending early moves it and
    keeps the original in ``planned_end`` (the history holds every step)."""

    CLOSED_AT = "cancelled_at"

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="leave_periods")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    reason = models.CharField("原因", max_length=200)
    planned_end = models.DateField("原定结束日期", null=True, blank=True, help_text="提前结束时保留的原结束日期")
    end_reason = models.CharField("提前结束原因", max_length=200, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取消人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "请假/停用期间"
        verbose_name_plural = "请假/停用期间"
        ordering = ["-start", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="leaveperiod_end_after_start"),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True) | (Q(planned_end__gt=F("end")) & ~Q(end_reason="")),
                name="leaveperiod_ended_early_before_planned_end",
            ),
            _closed_reason_given("leaveperiod_cancel_has_reason", "cancelled_at", "cancel_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.start}—{self.end} {self.reason}"

    @property
    def state(self) -> str:
        if self.cancelled_at:
            return RecordState.CANCELLED
        return RecordState.ENDED_EARLY if self.planned_end else RecordState.IN_FORCE


class Relationship(_InspectorPart):
    """A declared interest in a target: the inspector must recuse from inspecting it (回避).

    Withdrawn declarations (撤销申报) stay on record but no longer count; the same
    relationship may then be declared again."""

    CLOSED_AT = "withdrawn_at"

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="relationships")
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("关系类型", max_length=20, choices=RelationshipKind.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    declared_on = models.DateField("申报日期")
    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤销人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdraw_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "利害关系申报"
        verbose_name_plural = "利害关系申报"
        ordering = ["-declared_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "target", "kind"],
                condition=Q(withdrawn_at__isnull=True),
                name="relationship_unique_live_kind",
            ),
            _closed_reason_given("relationship_withdraw_has_reason", "withdrawn_at", "withdraw_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.inspector_id} {self.get_kind_display()} {self.target_id}"

    @property
    def state(self) -> str:
        return RecordState.WITHDRAWN if self.withdrawn_at else RecordState.IN_FORCE


class InspectorChange(models.Model):
    """History of an inspector: creation, field changes, added and corrected training/leave/relationships."""

    class Action(models.TextChoices):
        CREATE = "create", "登记"
        UPDATE = "update", "变更"
        TRAINING = "training", "培训记录"
        LEAVE = "leave", "请假/停用"
        RELATIONSHIP = "relationship", "利害关系申报"
        TRAINING_VOIDED = "training_voided", "培训记录作废"
        LEAVE_ENDED = "leave_ended", "请假/停用提前结束"
        LEAVE_CANCELLED = "leave_cancelled", "请假/停用取消"
        RELATIONSHIP_WITHDRAWN = "relationship_withdrawn", "利害关系申报撤销"

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField("操作", max_length=32, choices=Action.choices)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后")
    import_job = models.ForeignKey("imports.ImportJob", null=True, blank=True, on_delete=models.PROTECT)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    changed_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "执法检查人员变更记录"
        verbose_name_plural = "执法检查人员变更记录"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.inspector_id} {self.action} {self.changed_at:%Y-%m-%d}"
