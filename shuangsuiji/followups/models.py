"""Follow-up cases (后续处置) and the credit loop (信用闭环), issue 14.

Glossary (code → UI):
- FollowUpType → 后续处置类型（代码表，分版本）
- FollowUp → 后续处置（一件）: one problem or a group of problems of a determined part
- FollowUpProblem → 后续处置涉及的问题（事项检查结果）
- FollowUpStep → 处置步骤（追加，不修改）
- Transfer → 移送/抄告（接收或退回）
- ReInspection → 复查 (failed items only); ReInspectionItem → 复查事项结果
- CreditRule → 信用规则（分版本）; CreditConsequence → 信用后果（applied on the target
  register through ``targets.services.set_risk_class``, i.e. a ``RiskClassChange`` row)
- Objection → 异议（申辩）with its decision

Nothing here is edited in place or deleted (``append_only``, on ``shuangsuiji.immutability``):
a follow-up's own facts are written once; only its declared state fields move; everything
else is a new row.
"""

from __future__ import annotations

from django.db import models

from shuangsuiji import immutability as im
from shuangsuiji.accounts.fields import user_fk as _user_fk
from shuangsuiji.codebooks import CodebookEntry
from shuangsuiji.workdays.models import DeadlineStatus, deadline_status_field

TYPE_CODEBOOK_VERSION = "2026"  # loaded by migration 0002


def append_only(name: str, state: tuple[str, ...] = ()) -> im.Immutable:
    """Rows written once: every stored field but ``state`` is frozen, always; never deleted.
    One mechanism (``shuangsuiji.immutability``): the model guard and the database triggers,
    so a raw ``UPDATE`` of a frozen column is refused too."""
    return im.Immutable(
        freeze=(im.Freeze(f"{name}的“{{field}}”不可修改；请追加新的记录并说明原因。", except_=state),),
        no_delete=f"{name}不可删除。",
    )


# --- The follow-up type codebook -----------------------------------------------------------------


class TypeKind(models.TextChoices):
    NONE = "none", "无需后续处置（即时办结）"
    GUIDANCE = "guidance", "行政指导"
    RECTIFY = "rectify", "责令改正"
    CASE = "case", "立案或移送办案"
    TRANSFER = "transfer", "移送或抄告其他部门"
    EXTERNAL = "external", "移送公安司法机关"
    LISTING = "listing", "列入名录或名单"
    OTHER = "other", "其他"


class FollowUpType(CodebookEntry):
    """One code of a version of the follow-up codebook (issue 14's list)."""

    code = models.CharField("处置代码", max_length=8)
    label = models.CharField("处置类型", max_length=100)
    kind = models.CharField("类别", max_length=12, choices=TypeKind.choices)
    due_workdays = models.PositiveSmallIntegerField(
        "办结期限（工作日）", default=20, help_text="自开启之日起按官方工作日历计算；默认 20 个工作日（按时回填）"
    )
    rectify_workdays = models.PositiveSmallIntegerField(
        "默认整改期限（工作日）", null=True, blank=True, help_text="责令改正：默认整改期限"
    )
    needs_rectify_deadline = models.BooleanField("须填写整改期限", default=False)
    needs_case = models.BooleanField("须填写案号、处罚决定", default=False)
    needs_text = models.BooleanField("须填写说明", default=False)
    needs_receiver = models.BooleanField("须指定接收部门", default=False)

    class Meta:
        verbose_name = "后续处置类型"
        verbose_name_plural = "后续处置类型代码表"
        ordering = ["codebook_version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["codebook_version", "code"], name="followuptype_unique_code"),
            models.UniqueConstraint(fields=["codebook_version", "label"], name="followuptype_unique_label"),
        ]


# --- Follow-ups ----------------------------------------------------------------------------------


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "办理中"
    TRANSFERRING = "transferring", "已移送待接收"
    CLOSED = "closed", "已办结"
    ESCALATED = "escalated", "已升级处置"


_FOLLOWUP_STATE = ("status", "closed_on", "closed_at", "closed_by_id", "outcome", "escalated_to_id", "updated_at")
_DEADLINES = ("due_on", "rectify_by", "deadline_status")


class FollowUp(im.ImmutableModel):
    """后续处置: one case opened from a determined department part (or received by transfer)."""

    immutable = im.Immutable(
        freeze=(
            im.Freeze(
                "后续处置的“{field}”不可修改；请追加新的记录并说明原因。",
                except_=_FOLLOWUP_STATE + _DEADLINES,
            ),
            # a provisional (暂定) deadline moves once, when its year's calendar is entered
            # (workdays.deadlines.recompute, audited; followups.deadlines); an official one never
            im.Freeze(
                "后续处置的“{field}”不可修改（正式期限）；请追加新的记录并说明原因。",
                when=im.stored("deadline_status").not_in(DeadlineStatus.PROVISIONAL),
                fields=_DEADLINES,
            ),
        ),
        no_delete="后续处置不可删除。",
    )

    number = models.CharField("处置编号", max_length=40, unique=True)
    part = models.ForeignKey(
        "inspections.DepartmentPart", verbose_name="部门检查结果", on_delete=models.PROTECT, related_name="+"
    )
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="承办部门", on_delete=models.PROTECT, related_name="followups"
    )
    owner_unit = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="承办股室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_person = _user_fk("承办人")
    type = models.ForeignKey(FollowUpType, verbose_name="处置类型", on_delete=models.PROTECT, related_name="+")
    problems = models.ManyToManyField(
        "inspections.ItemResult", verbose_name="涉及的问题", through="FollowUpProblem", related_name="+", blank=True
    )
    summary = models.TextField("问题概述", blank=True)
    opened_on = models.DateField("开启日期")
    due_on = models.DateField("办结期限")
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    deadline_status = deadline_status_field()
    case_number = models.CharField("案号", max_length=64, blank=True)
    decision = models.CharField("处罚决定", max_length=500, blank=True)
    fine_wan = models.DecimalField("罚款（万元）", max_digits=12, decimal_places=4, null=True, blank=True)
    other_text = models.CharField("说明", max_length=500, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="上一环节", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    origin_transfer = models.OneToOneField(
        "Transfer",
        verbose_name="来自移送",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_followup",
    )
    status = models.CharField("状态", max_length=14, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    closed_on = models.DateField("办结日期", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = _user_fk("办结人")
    outcome = models.CharField("办结结果", max_length=500, blank=True)
    escalated_to = models.ForeignKey(
        "self", verbose_name="升级为", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = _user_fk("开启人")
    created_at = models.DateTimeField("开启时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "后续处置"
        verbose_name_plural = "后续处置"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["department", "status"], name="followup_dept_status"),
            models.Index(fields=["status", "due_on"], name="followup_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fine_wan__isnull=True) | models.Q(fine_wan__gte=0), name="followup_fine_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False), name="followup_closed_dated"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def audit_sealed_task_id(self) -> int:
        """The task whose sealed list the follow-up's finding belongs to (audit's sealed part)."""
        return self.part.record.task_id

    def audit_organisation_id(self) -> int:
        return self.department_id

    @property
    def is_open(self) -> bool:
        return self.status in (FollowUpStatus.OPEN, FollowUpStatus.TRANSFERRING)

    def is_overdue(self, today) -> bool:
        return self.status == FollowUpStatus.OPEN and today > self.due_on

    @property
    def fine_display(self) -> str:
        """The fine in 万元 as written (exact; no exponent, no trailing zeros)."""
        return "" if self.fine_wan is None else format(self.fine_wan.normalize(), "f")


class FollowUpProblem(im.ImmutableModel):
    immutable = append_only("后续处置涉及的问题")

    followup = models.ForeignKey(FollowUp, verbose_name="后续处置", on_delete=models.PROTECT, related_name="+")
    item_result = models.ForeignKey(
        "inspections.ItemResult", verbose_name="事项检查结果", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "后续处置涉及的问题"
        verbose_name_plural = "后续处置涉及的问题"
        constraints = [models.UniqueConstraint(fields=["followup", "item_result"], name="followupproblem_unique")]

    def __str__(self) -> str:
        return f"{self.followup_id} {self.item_result_id}"

    def audit_sealed_task_id(self) -> int:
        return self.followup.audit_sealed_task_id()

    def audit_organisation_id(self) -> int:
        return self.followup.department_id


class StepKind(models.TextChoices):
    OPEN = "open", "开启"
    NOTE = "note", "办理情况"
    EVIDENCE = "evidence", "补充材料"
    RECTIFIED = "rectified", "报告已整改"
    REINSPECTION = "reinspection", "复查"
    TRANSFER = "transfer", "移送/抄告"
    ACCEPTED = "accepted", "接收移送"
    RETURNED = "returned", "退回移送"
    ESCALATE = "escalate", "升级处置"
    CLOSE = "close", "办结"
    CORRECTION = "correction", "更正说明"
    CREDIT = "credit", "信用后果"
    # The result it was opened from was corrected (a new determined version, services.py)
    CORRECTED = "corrected", "检查结果已更正"
    REVIEW = "review", "结果更正待复核"
    REVIEWED = "reviewed", "已复核结果更正"


def step_path(instance: FollowUpStep, filename: str) -> str:
    return f"followups/{instance.sha256[:2]}/{instance.sha256}"


class FollowUpStep(im.ImmutableModel):
    """处置步骤: appended, dated, with an optional evidence file; a correction is a new step
    (``corrects``) with its reason."""

    immutable = append_only("处置步骤")

    followup = models.ForeignKey(FollowUp, verbose_name="后续处置", on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField("步骤", max_length=14, choices=StepKind.choices)
    on = models.DateField("日期")
    text = models.TextField("内容")
    corrects = models.ForeignKey(
        "self", verbose_name="更正的步骤", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField("证据材料", upload_to=step_path, max_length=200, blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    actor = _user_fk("操作人")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "处置步骤"
        verbose_name_plural = "处置步骤"
        ordering = ["followup_id", "id"]

    def __str__(self) -> str:
        return f"{self.followup_id} {self.kind}"

    def audit_sealed_task_id(self) -> int:
        return self.followup.audit_sealed_task_id()

    def audit_organisation_id(self) -> int:
        return self.followup.department_id


class TransferKind(models.TextChoices):
    TRANSFER = "transfer", "移送"
    NOTIFY = "notify", "抄告"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    RETURNED = "returned", "已退回"


class Transfer(im.ImmutableModel):
    """移送/抄告: the receiving department accepts (then owns its own follow-up) or returns
    it with a reason, by ``respond_by`` (working days)."""

    immutable = im.Immutable(
        freeze=(
            im.Freeze(
                "移送/抄告的“{field}”不可修改；请追加新的记录并说明原因。",
                except_=("status", "decided_by_id", "decided_at", "return_reason", "respond_by", "deadline_status"),
            ),
            # a provisional 接收期限 moves once, when its year's calendar is entered
            im.Freeze(
                "移送/抄告的“{field}”不可修改（正式期限）。",
                when=im.stored("deadline_status").not_in(DeadlineStatus.PROVISIONAL),
                fields=("respond_by", "deadline_status"),
            ),
        ),
        no_delete="移送/抄告不可删除。",
    )

    followup = models.ForeignKey(FollowUp, verbose_name="后续处置", on_delete=models.PROTECT, related_name="transfers")
    kind = models.CharField("方式", max_length=10, choices=TransferKind.choices, default=TransferKind.TRANSFER)
    from_department = models.ForeignKey(
        "orgs.Organisation", verbose_name="移送部门", on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        "orgs.Organisation", verbose_name="接收部门", on_delete=models.PROTECT, related_name="received_transfers"
    )
    reason = models.CharField("移送理由", max_length=500)
    sent_on = models.DateField("移送日期")
    respond_by = models.DateField("接收期限")
    deadline_status = deadline_status_field()
    status = models.CharField("状态", max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    decided_by = _user_fk("处理人")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    return_reason = models.CharField("退回理由", max_length=500, blank=True)
    sent_by = _user_fk("移送人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "移送/抄告"
        verbose_name_plural = "移送/抄告"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(return_reason=""), name="transfer_return_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.followup_id} → {self.to_department_id}"

    def audit_sealed_task_id(self) -> int:
        return self.followup.audit_sealed_task_id()

    def audit_organisation_id(self) -> int:
        return self.from_department_id


class ReInspectionMethod(models.TextChoices):
    DRAW = "draw", "随机抽取检查人员"
    ORIGINAL = "original", "原检查组"


class ReInspectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "待复查"
    PASSED = "passed", "复查合格"
    FAILED = "failed", "复查仍不合格"


class ReInspection(im.ImmutableModel):
    """复查 of the failed items only. With ``method = draw`` the inspectors come from a small
    inspector draw of the engine; its bundle files are kept byte for byte (``bundle_files``)
    and verify with ``tools/verify_draw.py``."""

    immutable = append_only("复查", state=("status", "inspected_on", "determined_by_id", "determined_at", "note"))

    followup = models.ForeignKey(
        FollowUp, verbose_name="后续处置", on_delete=models.PROTECT, related_name="reinspections"
    )
    method = models.CharField("检查人员产生方式", max_length=10, choices=ReInspectionMethod.choices)
    draw_id = models.CharField("抽取编号", max_length=80, blank=True)
    commitment_sha256 = models.CharField("承诺值", max_length=64, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    bundle = models.JSONField("抽取数据包", default=dict, blank=True, help_text="文件名 → 内容（十六进制）")
    inspectors = models.JSONField("复查人员（执法证号）", default=list)
    scheduled_on = models.DateField("安排日期")
    status = models.CharField(
        "复查结果", max_length=10, choices=ReInspectionStatus.choices, default=ReInspectionStatus.SCHEDULED
    )
    inspected_on = models.DateField("复查日期", null=True, blank=True)
    note = models.TextField("复查情况", blank=True)
    determined_by = _user_fk("认定人")
    determined_at = models.DateTimeField("认定时间", null=True, blank=True)
    created_by = _user_fk("安排人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "复查"
        verbose_name_plural = "复查"
        ordering = ["followup_id", "id"]

    def __str__(self) -> str:
        return f"复查 {self.pk}"

    def audit_sealed_task_id(self) -> int:
        return self.followup.audit_sealed_task_id()

    def audit_organisation_id(self) -> int:
        return self.followup.department_id

    def bundle_files(self) -> dict[str, bytes]:
        return {name: bytes.fromhex(value) for name, value in (self.bundle or {}).items()}


class ReInspectionItem(im.ImmutableModel):
    immutable = append_only("复查事项结果", state=("outcome", "problem"))

    reinspection = models.ForeignKey(ReInspection, verbose_name="复查", on_delete=models.PROTECT, related_name="items")
    item_result = models.ForeignKey(
        "inspections.ItemResult", verbose_name="原事项检查结果", on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(
        "复查结果", max_length=8, choices=[("passed", "合格"), ("problem", "仍发现问题")], blank=True
    )
    problem = models.TextField("仍存在的问题", blank=True)

    class Meta:
        verbose_name = "复查事项结果"
        verbose_name_plural = "复查事项结果"
        constraints = [models.UniqueConstraint(fields=["reinspection", "item_result"], name="reinspectionitem_unique")]

    def __str__(self) -> str:
        return f"{self.reinspection_id} {self.item_result_id}"

    def audit_sealed_task_id(self) -> int:
        return self.reinspection.followup.audit_sealed_task_id()

    def audit_organisation_id(self) -> int:
        return self.reinspection.followup.department_id


# --- The credit loop ------------------------------------------------------------------------------


class Trigger(models.TextChoices):
    RESULT_CODE = "result_code", "检查结果代码"
    FOLLOWUP_TYPE = "followup_type", "后续处置类型"
    CASE_FINE = "case_fine", "立案并处罚款"
    REFUSED_RECTIFY = "refused_rectify", "复查仍不合格后立案（拒不改正）"


class CreditRule(im.ImmutableModel):
    """信用规则: one row per version of a rule (``key``); an edit by the platform
    administrator is a new version, the old one is closed (``superseded_at``)."""

    immutable = append_only("信用规则", state=("superseded_at", "superseded_by_id"))

    key = models.CharField("规则编号", max_length=16)
    version = models.PositiveIntegerField("版本", default=1)
    title = models.CharField("规则名称", max_length=100)
    trigger = models.CharField("触发条件", max_length=16, choices=Trigger.choices)
    trigger_code = models.CharField("触发代码", max_length=8, blank=True, help_text="结果代码或处置代码")
    min_fine_wan = models.DecimalField("罚款不低于（万元）", max_digits=12, decimal_places=4, null=True, blank=True)
    risk_floor = models.CharField(
        "信用风险分类至少为", max_length=1, blank=True, help_text="A 最好，D 最差；已更差则不变"
    )
    months = models.PositiveSmallIntegerField("有效期（月）", null=True, blank=True)
    weight = models.PositiveSmallIntegerField("抽取权重", null=True, blank=True, help_text="加大抽查频次：≥2")
    flag = models.CharField("标记", max_length=64, blank=True)
    proposes_abnormal = models.BooleanField("建议列入经营异常名录", default=False)
    counts_clean = models.BooleanField("计入无问题检查次数（降低抽查频次）", default=False)
    reason = models.CharField("依据与理由", max_length=500)
    is_active = models.BooleanField("启用", default=True)
    superseded_at = models.DateTimeField("被新版本替代时间", null=True, blank=True)
    superseded_by = _user_fk("修改人")
    created_by = _user_fk("创建人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "信用规则"
        verbose_name_plural = "信用规则"
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="creditrule_unique_version"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(superseded_at__isnull=True), name="creditrule_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version} {self.title}"


class CreditConsequence(im.ImmutableModel):
    """信用后果: one application of a rule to a target, with the record that caused it.
    A risk change goes through ``targets.services.set_risk_class`` (the replaced
    classification becomes a ``RiskClassChange``); ``reversed_*`` is set when an upheld
    objection reverses it (a new classification again, with history)."""

    immutable = append_only("信用后果", state=("reversed_at", "reversed_by_id", "reversal_reason"))

    target = models.ForeignKey(
        "targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="credit_consequences"
    )
    rule = models.ForeignKey(CreditRule, verbose_name="信用规则", on_delete=models.PROTECT, related_name="+")
    part = models.ForeignKey(
        "inspections.DepartmentPart",
        verbose_name="检查结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followup = models.ForeignKey(
        FollowUp, verbose_name="后续处置", null=True, blank=True, on_delete=models.PROTECT, related_name="consequences"
    )
    risk_before = models.CharField("原信用风险分类", max_length=1)
    risk_after = models.CharField("调整后信用风险分类", max_length=1)
    weight = models.PositiveSmallIntegerField("抽取权重", default=1)
    flag = models.CharField("标记", max_length=64, blank=True)
    counts_clean = models.BooleanField("计入无问题检查", default=False)
    effective_on = models.DateField("生效日期")
    until = models.DateField("有效期至", null=True, blank=True)
    source = models.CharField("来源", max_length=200)
    applied_at = models.DateTimeField("记录时间", auto_now_add=True)
    applied_by = _user_fk("记录人")
    reversed_at = models.DateTimeField("撤销时间", null=True, blank=True)
    reversed_by = _user_fk("撤销人")
    reversal_reason = models.CharField("撤销原因", max_length=500, blank=True)

    class Meta:
        verbose_name = "信用后果"
        verbose_name_plural = "信用后果"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(part__isnull=False) | models.Q(followup__isnull=False),
                name="creditconsequence_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.rule_id} {self.risk_before}→{self.risk_after}"

    @property
    def moved_stratum(self) -> bool:
        return self.risk_before != self.risk_after

    def audit_sealed_task_id(self) -> int:
        return self.followup.audit_sealed_task_id() if self.followup_id else self.part.record.task_id


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待决定"
    UPHELD = "upheld", "异议成立"
    REJECTED = "rejected", "异议不成立"


class Objection(im.ImmutableModel):
    """异议（申辩） of the business against a result or a consequence, with the decision."""

    immutable = append_only("异议（申辩）", state=("status", "decision", "decided_by_id", "decided_at"))

    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    consequence = models.ForeignKey(
        CreditConsequence,
        verbose_name="信用后果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objections",
    )
    followup = models.ForeignKey(
        FollowUp, verbose_name="后续处置", null=True, blank=True, on_delete=models.PROTECT, related_name="objections"
    )
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="受理部门", on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField("提出日期")
    objector = models.CharField("提出人", max_length=100)
    text = models.TextField("异议内容")
    status = models.CharField("状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING)
    decision = models.TextField("决定意见", blank=True)
    decided_by = _user_fk("决定人")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    recorded_by = _user_fk("登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "异议（申辩）"
        verbose_name_plural = "异议（申辩）"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"异议 {self.pk}"

    def audit_organisation_id(self) -> int:
        return self.department_id


class ReInspectionRule(models.Model):
    """复查规则 of a department: re-inspect with the original group instead of a small
    inspector draw (default: a draw). Changes are audited."""

    department = models.OneToOneField(
        "orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="reinspection_rule"
    )
    original_group = models.BooleanField("由原检查组复查", default=False)
    workdays_after_deadline = models.PositiveSmallIntegerField("整改期限届满后复查期限（工作日）", default=5)
    note = models.CharField("依据", max_length=300, blank=True)
    updated_by = _user_fk("修改人")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "复查规则"
        verbose_name_plural = "复查规则"

    def __str__(self) -> str:
        return f"复查规则 {self.department_id}"

    def audit_organisation_id(self) -> int:
        return self.department_id
