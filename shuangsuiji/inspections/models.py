"""Inspection records and results (检查记录与结果认定, issue 13).

Chinese names: ResultCode → 检查结果代码（结果代码表，分版本）; InspectionRecord → 检查记录
(one per task + drawn target: "进一次门、查多项事"); RecordInspector → 到场检查人员;
DepartmentPart → 部门检查结果 (one current version per record + participating department:
"谁检查、谁录入"); PartResultCode → 部门检查结果的结果代码 (normalised, one row per code);
ItemResult → 事项检查结果; PartEvent → 检查结果办理记录 (every save, submit, return,
determination and correction, with the client's idempotency key); Evidence → 检查证据材料
(现场记录、照片); InspectionSummary → 检查小结; RegisterChangeProposal → 名录库变更建议.

Nothing the law wants kept is edited in place: a determined part is frozen (the
shared ``shuangsuiji.immutability`` declaration on ``DepartmentPart`` and ``PartChild``: model
guard and database triggers) and
its correction is a new version (``supersedes``) with a reason, determined (= approved) by a
reviewer; both versions stay readable.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from shuangsuiji import immutability as im
from shuangsuiji.accounts.fields import user_fk as _user_fk
from shuangsuiji.codebooks import CodebookEntry
from shuangsuiji.targets.choices import InspectionMethod
from shuangsuiji.workdays.models import DeadlineStatus, deadline_status_field

CODEBOOK_VERSION = "2026"  # the result codebook loaded by migration 0002


# --- The result codebook ------------------------------------------------------------------------


class ResultKind(models.TextChoices):
    INSPECTED = "inspected", "已实施检查"
    NON_INSPECTION = "non_inspection", "未能实施检查"


class RegisterField(models.TextChoices):
    """What a non-inspection outcome proposes to change in the target register."""

    NONE = "", "不变更"
    STATUS = "registration_status", "登记状态"
    ABNORMAL = "abnormal_operation", "列入经营异常名录"
    ADDRESS_UNREACHABLE = "address_unreachable", "住所无法联系"


# Register fields that are flags (the proposal's value "true" sets them).
FLAG_FIELDS = (RegisterField.ABNORMAL, RegisterField.ADDRESS_UNREACHABLE)


class ResultCode(CodebookEntry):
    """One code of a version of the result codebook (the categories real platforms use)."""

    code = models.CharField("结果代码", max_length=8)
    label = models.CharField("结果名称", max_length=100)
    kind = models.CharField("类别", max_length=16, choices=ResultKind.choices)
    needs_items = models.BooleanField("须填写各事项检查结果", default=True)
    needs_note = models.BooleanField("须填写情况说明", default=False)
    found_problem = models.BooleanField("发现问题", default=False)
    starts_follow_up = models.BooleanField(
        "须后续处置", default=False, help_text="如“发现问题待后续处理”：后续处置从此开始；中间状态，不向社会公示。"
    )
    publishable = models.BooleanField("可向社会公示", default=True)
    register_field = models.CharField(
        "建议变更名录库字段", max_length=32, choices=RegisterField.choices, blank=True, default=""
    )
    register_value = models.CharField("建议变更为", max_length=32, blank=True)
    proposes_address_unreachable = models.BooleanField(
        "建议标记住所无法联系", default=False, help_text="认定后另向名录库维护人员建议标记“住所无法联系”"
    )

    class Meta:
        verbose_name = "检查结果代码"
        verbose_name_plural = "检查结果代码表"
        ordering = ["codebook_version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["codebook_version", "code"], name="resultcode_unique_code"),
            models.UniqueConstraint(fields=["codebook_version", "label"], name="resultcode_unique_label"),
        ]

    @property
    def is_inspected(self) -> bool:
        return self.kind == ResultKind.INSPECTED

    @property
    def register_changes(self) -> list[tuple[str, str]]:
        """The register changes a determined result with this code proposes: (field, value)."""
        out = [(self.register_field, self.register_value)] if self.register_field else []
        if self.proposes_address_unreachable:
            out.append((RegisterField.ADDRESS_UNREACHABLE, "true"))
        return out


# --- The record (one per task + target) ---------------------------------------------------------


class SignatureStatus(models.TextChoices):
    PENDING = "", "未记录"
    SIGNED = "signed", "法定代表人（负责人）已签字盖章"
    REFUSED = "refused", "拒绝签字（已由见证人见证）"
    NOT_APPLICABLE = "not_applicable", "不适用（非实地检查或未能实施检查）"


class InspectionRecord(models.Model):
    """检查记录: the visit to one drawn target for one task, shared by the participating
    departments; each department's result is its own ``DepartmentPart``."""

    task = models.ForeignKey("tasks.Task", verbose_name="任务", on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    visit_date = models.DateField("检查日期", null=True, blank=True)
    place = models.CharField("检查地点", max_length=255, blank=True)
    signature = models.CharField(
        "签字确认", max_length=16, choices=SignatureStatus.choices, blank=True, default=SignatureStatus.PENDING
    )
    signer = models.CharField("签字人", max_length=64, blank=True)
    witnesses = models.CharField("见证人", max_length=300, blank=True, help_text="拒绝签字时必填：见证人姓名及身份")
    refusal_note = models.CharField("拒签情况", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = _user_fk("创建人")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["task_id", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "target"], name="inspectionrecord_unique_target")]

    def __str__(self) -> str:
        return f"{self.task_id}/{self.target_id}"

    def audit_organisation_id(self) -> int:
        return self.task.lead_id

    def audit_sealed_task_id(self) -> int:
        return self.task_id


class RecordInspector(models.Model):
    """An inspector present at the visit, with the certificate shown (snapshot of that day)."""

    record = models.ForeignKey(
        InspectionRecord, verbose_name="检查记录", on_delete=models.CASCADE, related_name="inspectors_present"
    )
    inspector = models.ForeignKey(
        "inspectors.Inspector", verbose_name="检查人员", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    certificate_no = models.CharField("执法证号", max_length=32)
    cert_valid_to = models.DateField("证件有效期止")
    is_expert = models.BooleanField("专家", default=False)

    class Meta:
        verbose_name = "到场检查人员"
        verbose_name_plural = "到场检查人员"
        ordering = ["record_id", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "inspector"], name="recordinspector_unique")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.inspector_id}"

    def audit_organisation_id(self) -> int:
        return self.department_id

    def audit_sealed_task_id(self) -> int:
        return self.record.task_id


# --- A department's part ------------------------------------------------------------------------


class PartStatus(models.TextChoices):
    DRAFT = "draft", "录入中"
    SUBMITTED = "submitted", "已提交待审核"
    RETURNED = "returned", "已退回修改"
    DETERMINED = "determined", "已认定"
    SUPERSEDED = "superseded", "已被更正版本替代"


FROZEN_STATES = (PartStatus.DETERMINED, PartStatus.SUPERSEDED)


OPEN_STATUSES = (PartStatus.DRAFT, PartStatus.SUBMITTED, PartStatus.RETURNED)


PART_FROZEN = "已认定的检查结果不可修改；如有错误请提出更正（新版本）。"
PART_NO_DELETE = "检查结果不可删除；如有错误请提出更正（新版本）。"


class DepartmentPart(im.ImmutableModel):
    """部门检查结果: a participating department's result for one record, one row per version."""

    # One mechanism (``shuangsuiji.immutability``: model guard + database triggers): a determined
    # or superseded version keeps every field; only determined → superseded may still happen.
    immutable = im.Immutable(
        freeze=(
            im.Freeze(
                PART_FROZEN,
                when=im.stored("status").in_(*FROZEN_STATES),
                except_=("status", "superseded_at", "publication_due_on", "deadline_status"),
            ),
            # the publication deadline: a provisional (暂定) one moves once, when its year's
            # calendar is entered (inspections.deadlines, audited); an official one never
            im.Freeze(
                PART_FROZEN,
                when=im.stored("deadline_status").in_(DeadlineStatus.OFFICIAL),
                fields=("publication_due_on", "deadline_status"),
            ),
            im.Freeze(PART_FROZEN, when=im.stored("status").in_(PartStatus.SUPERSEDED), fields=("status",)),
            im.Freeze(
                PART_FROZEN,
                when=im.stored("status").in_(PartStatus.DETERMINED),
                fields=("status",),
                allow=im.stored("status").in_(*FROZEN_STATES),
            ),
        ),
        no_delete=PART_NO_DELETE,
    )

    record = models.ForeignKey(
        InspectionRecord, verbose_name="检查记录", on_delete=models.PROTECT, related_name="parts"
    )
    participant = models.ForeignKey(
        "tasks.TaskParticipant", verbose_name="参与部门", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey("orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField("版本", default=1)
    supersedes = models.ForeignKey(
        "self", verbose_name="更正的版本", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    correction_reason = models.CharField("更正原因", max_length=500, blank=True)
    status = models.CharField("状态", max_length=12, choices=PartStatus.choices, default=PartStatus.DRAFT)
    result_codes = models.ManyToManyField(
        ResultCode, verbose_name="检查结果", through="PartResultCode", related_name="+", blank=True
    )
    note = models.TextField("情况说明", blank=True, help_text="未能实施检查（无法联系、注销等）时必填")
    entered_by = _user_fk("录入人")
    entered_at = models.DateTimeField("录入时间", null=True, blank=True)
    submitted_by = _user_fk("提交人")
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    returned_by = _user_fk("退回人")
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    determined_by = _user_fk("认定人")
    determined_at = models.DateTimeField("认定时间", null=True, blank=True)
    determined_on = models.DateField("认定日期", null=True, blank=True)
    publication_due_on = models.DateField(
        "公示期限", null=True, blank=True, help_text="认定之日起 20 个工作日内公示（官方工作日历）"
    )
    deadline_status = deadline_status_field(
        "公示期限状态", default="", blank=True, help_text="认定时写入；暂定期限在录入年度放假安排后重算"
    )
    superseded_at = models.DateTimeField("被更正时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "部门检查结果"
        verbose_name_plural = "部门检查结果"
        ordering = ["record_id", "department_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["record", "department", "version"], name="departmentpart_unique_version"),
            models.UniqueConstraint(
                fields=["record", "department"],
                condition=models.Q(status__in=["draft", "submitted", "returned"]),
                name="departmentpart_one_open",
            ),
            models.UniqueConstraint(
                fields=["record", "department"],
                condition=models.Q(status="determined"),
                name="departmentpart_one_determined",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="determined")
                | (models.Q(determined_at__isnull=False) & models.Q(publication_due_on__isnull=False)),
                name="departmentpart_determined_has_deadline",
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(correction_reason=""),
                name="departmentpart_correction_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="departmentpart_dept_status"),
            models.Index(fields=["status", "publication_due_on"], name="departmentpart_due"),
            # the task's progress: its parts by participant and state (services.progress)
            models.Index(fields=["participant", "status", "publication_due_on"], name="departmentpart_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.department_id} v{self.version}"

    def audit_organisation_id(self) -> int:
        return self.department_id

    def audit_sealed_task_id(self) -> int:
        return self.record.task_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATES


class PartCount(models.Model):
    """How many parts a task participant has in each state (and, determined, per publication
    due date): the task progress's counts (``services.progress``), kept by database triggers on
    ``DepartmentPart`` (migration 0006) in the transaction of every insert or change of a part's
    participant, status or due date, whichever code writes it (the services, a bulk load, a data
    migration). Derived data, never written by the application; ``services.recount`` is the
    reference the tests compare it with after every transition."""

    participant = models.ForeignKey(
        "tasks.TaskParticipant", verbose_name="参与部门", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField("状态", max_length=12, choices=PartStatus.choices)
    due_on = models.DateField("公示期限", null=True, blank=True)
    n = models.IntegerField("数量", default=0)

    class Meta:
        verbose_name = "录入进度计数"
        verbose_name_plural = "录入进度计数"
        constraints = [
            # one row per key; the due date is NULL except for determined / superseded parts
            models.UniqueConstraint(
                fields=["participant", "status", "due_on"],
                condition=models.Q(due_on__isnull=False),
                name="partcount_key_due",
            ),
            models.UniqueConstraint(
                fields=["participant", "status"], condition=models.Q(due_on__isnull=True), name="partcount_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.status} {self.due_on or ''} {self.n}"


class PartChild(im.ImmutableModel):
    """A row frozen with its part's version."""

    immutable = im.FrozenWith("part", im.stored("status").in_(*FROZEN_STATES), PART_FROZEN)

    class Meta:
        abstract = True


class PartResultCode(PartChild):
    part = models.ForeignKey(
        DepartmentPart, verbose_name="部门检查结果", on_delete=models.PROTECT, related_name="codes"
    )
    code = models.ForeignKey(ResultCode, verbose_name="结果代码", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "部门检查结果的结果代码"
        verbose_name_plural = "部门检查结果的结果代码"
        ordering = ["part_id", "code__position"]
        constraints = [models.UniqueConstraint(fields=["part", "code"], name="partresultcode_unique")]
        indexes = [models.Index(fields=["code", "part"], name="partresultcode_code_part")]

    def __str__(self) -> str:
        return f"{self.part_id} {self.code_id}"


class ItemOutcome(models.TextChoices):
    PASSED = "passed", "合格"
    PROBLEM = "problem", "发现问题"


class ItemResult(PartChild):
    """The result of one task item (事项) of the department, in one part version."""

    part = models.ForeignKey(
        DepartmentPart, verbose_name="部门检查结果", on_delete=models.PROTECT, related_name="item_results"
    )
    task_item = models.ForeignKey("tasks.TaskItem", verbose_name="检查事项", on_delete=models.PROTECT, related_name="+")
    method = models.CharField("检查方式", max_length=20, choices=InspectionMethod.choices)
    form_version = models.ForeignKey(
        "items.FormVersion",
        verbose_name="检查表格版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answers = models.JSONField("检查表格填写内容", default=dict, blank=True)
    outcome = models.CharField("事项检查结果", max_length=8, choices=ItemOutcome.choices)
    problem = models.TextField("发现的问题", blank=True)
    legal_basis = models.CharField("问题的法律依据", max_length=500, blank=True)

    class Meta:
        verbose_name = "事项检查结果"
        verbose_name_plural = "事项检查结果"
        ordering = ["part_id", "task_item_id"]
        constraints = [
            models.UniqueConstraint(fields=["part", "task_item"], name="itemresult_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} {self.task_item_id} {self.outcome}"

    def audit_organisation_id(self) -> int:
        return self.part.department_id

    def audit_sealed_task_id(self) -> int:
        return self.part.record.task_id


class PartEvent(im.ImmutableModel):
    """One step of a part's handling (append-only: the shared ``shuangsuiji.immutability``
    declaration, model guard and database triggers). ``client_request_id`` is the idempotency
    key of an offline-queued submission: the same key for the same part and action is
    stored once and answers the first outcome."""

    immutable = im.Immutable(append_only="办理记录不可修改。", no_delete="办理记录不可删除。")

    class Action(models.TextChoices):
        SAVE = "save", "保存草稿"
        SUBMIT = "submit", "提交审核"
        RETURN = "return", "退回修改"
        DETERMINE = "determine", "认定"
        CORRECT = "correct", "提出更正"

    part = models.ForeignKey(
        DepartmentPart, verbose_name="部门检查结果", on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField("操作", max_length=12, choices=Action.choices)
    actor = _user_fk("操作人")
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.CharField("原因或意见", max_length=500, blank=True)
    client_request_id = models.CharField("客户端提交编号", max_length=64, blank=True)

    class Meta:
        verbose_name = "检查结果办理记录"
        verbose_name_plural = "检查结果办理记录"
        ordering = ["part_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["part", "action", "client_request_id"],
                condition=~models.Q(client_request_id=""),
                name="partevent_idempotent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.part_id} {self.action}"


# --- Evidence, summary, register proposals ------------------------------------------------------


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(models.Model):
    """检查证据材料: a file on the record (e.g. the signed 一企一表) or on an item result.
    Never deleted; served only through ``inspections.access`` (sealed until publication)."""

    class Kind(models.TextChoices):
        PHOTO = "photo", "现场照片"
        SIGNED_SHEET = "signed_sheet", "签字盖章的一企一表"
        RECORD = "record", "现场检查记录"
        OTHER = "other", "其他材料"

    record = models.ForeignKey(
        InspectionRecord, verbose_name="检查记录", on_delete=models.PROTECT, related_name="evidence"
    )
    item_result = models.ForeignKey(
        ItemResult,
        verbose_name="事项检查结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
    )
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="上传部门", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("材料类别", max_length=16, choices=Kind.choices, default=Kind.PHOTO)
    description = models.CharField("说明", max_length=200, blank=True)
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    thumbnail = models.BinaryField("缩略图", null=True, blank=True)
    uploaded_by = _user_fk("上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查证据材料"
        verbose_name_plural = "检查证据材料"
        ordering = ["record_id", "id"]

    def __str__(self) -> str:
        return f"证据材料 {self.pk}"  # the file name may name the target (sealed)

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("证据材料不可修改；请上传新的材料。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("证据材料不可删除。")

    def audit_organisation_id(self) -> int:
        return self.department_id

    def audit_sealed_task_id(self) -> int:
        return self.record.task_id

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class InspectionSummary(models.Model):
    """检查小结 (seed 004 §10): for the supervising leader; printable."""

    record = models.OneToOneField(
        InspectionRecord, verbose_name="检查记录", on_delete=models.PROTECT, related_name="summary"
    )
    inspected_at = models.DateTimeField("检查时间")
    content = models.TextField("检查内容")
    findings = models.TextField("发现的问题", blank=True)
    handling_opinion = models.TextField("处理意见", blank=True)
    suggestions = models.TextField("意见建议", blank=True)
    written_by = _user_fk("撰写人")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查小结"
        verbose_name_plural = "检查小结"

    def __str__(self) -> str:
        return f"检查小结 {self.record_id}"

    def audit_organisation_id(self) -> int:
        return self.record.task.lead_id

    def audit_sealed_task_id(self) -> int:
        return self.record.task_id


class RegisterChangeProposal(models.Model):
    """A change of the target register proposed by a determined non-inspection outcome
    (注销、吊销、撤销、迁出、停业 → 登记状态; 无法联系 → 经营异常名录 and 住所无法联系), applied or
    declined by the register's keepers; the applied change is a ``TargetChange``."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待处理"
        APPLIED = "applied", "已变更"
        DECLINED = "declined", "不予变更"

    part = models.ForeignKey(
        DepartmentPart, verbose_name="部门检查结果", on_delete=models.PROTECT, related_name="register_proposals"
    )
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    field = models.CharField("变更字段", max_length=32, choices=RegisterField.choices)
    value = models.CharField("建议值", max_length=32)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_at = models.DateTimeField("提出时间", auto_now_add=True)
    decided_by = _user_fk("处理人")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=500, blank=True)
    target_change = models.ForeignKey(
        "targets.TargetChange", verbose_name="名录库变更记录", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = "名录库变更建议"
        verbose_name_plural = "名录库变更建议"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["part", "field"], name="registerproposal_unique")]

    def __str__(self) -> str:
        return f"{self.target_id} {self.field}={self.value}"

    def audit_organisation_id(self) -> int:
        return self.part.department_id
