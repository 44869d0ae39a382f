"""Inspection tasks (抽查任务) and their draws (抽取).

Glossary (code → UI):
- Task → 抽查任务 (one batch; single-department or joint 部门联合)
- TaskParticipant → 参与部门 (role lead 牵头 / cooperating 配合; ``unit`` = 承办股室)
- TaskItem → 任务检查事项 (a published item version of that department, with its methods)
- Draw → 抽取 (kind ``targets`` = 检查对象抽取, ``inspectors`` = 检查人员抽取 of one department)
- DrawResult → 抽取结果版本 (append-only: version 1 is the draw, later versions add a
  reserve use 备选递补 or a substitute draw 递补抽取 and name the event)
- DrawnTarget → 抽中对象 (index of the current result; ``replaced_by`` set when a reserve took its place)
- Assignment → 检查人员分配 (index of the current result; ``ended_by`` set when substituted)
- Confirmation → 派发确认 (one per participating department and target draw; due 1 working day)
- VoidRequest → 作废申请 (reason; approved by a higher role; the draw stays in the history)

Rules (in ``services.py`` / ``drawday.py``): a draw's frozen files, entropy and first result
never change; every later event is a new DrawResult version with a reason and an audit entry.
"""

from __future__ import annotations

from django.db import models

from shuangsuiji import immutability as im
from shuangsuiji.accounts.fields import user_fk as _user_fk


class TaskSource(models.TextChoices):
    PLAN = "plan", "年度计划"
    TEMPORARY = "temporary", "临时任务"


class TaskStatus(models.TextChoices):
    DRAFT = "draft", "草稿（可修改）"
    FIXED = "fixed", "已定稿（已冻结抽取）"
    CANCELLED = "cancelled", "已撤销"


class Task(models.Model):
    code = models.CharField("任务编号", max_length=40, unique=True)
    title = models.CharField("任务名称", max_length=200)
    year = models.PositiveIntegerField("年度")
    region = models.ForeignKey(
        "orgs.Region", verbose_name="抽查区域", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    lead = models.ForeignKey(
        "orgs.Organisation", verbose_name="牵头部门", on_delete=models.PROTECT, related_name="led_tasks"
    )
    is_joint = models.BooleanField("部门联合抽查", default=False)
    source = models.CharField("任务来源", max_length=12, choices=TaskSource.choices, default=TaskSource.PLAN)
    plan = models.ForeignKey(
        "plans.Plan", verbose_name="所属年度计划", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    justification = models.TextField("临时任务依据", blank=True)
    status = models.CharField("状态", max_length=12, choices=TaskStatus.choices, default=TaskStatus.DRAFT)
    # Population (抽查范围): see ``population.py`` for the keys.
    population = models.JSONField("抽查范围条件", default=dict, blank=True)
    stratify = models.BooleanField("按信用风险分类分层", default=True)
    # {"A": {"ratio": "0.1", "min": 0, "max": null, "reserves": 2}, …} or {"ALL": {...}}
    strata = models.JSONField("分层抽取比例", default=dict)
    window_from = models.DateField("检查开始日期")
    window_to = models.DateField("检查结束日期")
    group_size = models.PositiveSmallIntegerField("每组检查人员数", default=2)
    inspector_cap = models.PositiveSmallIntegerField("每名检查人员最多检查对象数", null=True, blank=True)
    notes = models.TextField("其他说明", blank=True)
    published_at = models.DateTimeField("名单公开时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = _user_fk("创建人")

    class Meta:
        verbose_name = "抽查任务"
        verbose_name_plural = "抽查任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(group_size__gte=2), name="task_group_size_at_least_2"),
            models.CheckConstraint(condition=models.Q(window_to__gte=models.F("window_from")), name="task_window"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def audit_organisation_id(self) -> int:
        return self.lead_id

    @property
    def is_sealed(self) -> bool:
        return self.published_at is None


class TaskParticipant(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "牵头部门"
        COOPERATING = "cooperating", "配合部门"

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="participants")
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="task_participations"
    )
    unit = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="承办股室",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField("角色", max_length=12, choices=Role.choices)
    experts = models.PositiveSmallIntegerField("每组专家人数", default=0)

    class Meta:
        verbose_name = "参与部门"
        verbose_name_plural = "参与部门"
        ordering = ["task_id", "role", "id"]  # "cooperating" < "lead": listed with lead_first()
        constraints = [
            models.UniqueConstraint(fields=["task", "department"], name="taskparticipant_unique_department"),
            models.UniqueConstraint(fields=["task"], condition=models.Q(role="lead"), name="taskparticipant_one_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.department}（{self.get_role_display()}）"

    def audit_organisation_id(self) -> int:
        return self.department_id


class TaskItem(models.Model):
    participant = models.ForeignKey(
        TaskParticipant, verbose_name="参与部门", on_delete=models.CASCADE, related_name="items"
    )
    item_version = models.ForeignKey(
        "items.ItemVersion", verbose_name="检查事项（版本）", on_delete=models.PROTECT, related_name="+"
    )
    methods = models.JSONField("检查方式", default=list)

    class Meta:
        verbose_name = "任务检查事项"
        verbose_name_plural = "任务检查事项"
        ordering = ["participant_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "item_version"], name="taskitem_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item_version.item.code} {self.item_version.name}"

    def audit_organisation_id(self) -> int:
        return self.participant.department_id

    @property
    def method_labels(self) -> list[str]:
        from shuangsuiji.targets.choices import InspectionMethod

        labels = dict(InspectionMethod.choices)
        return [labels.get(v, v) for v in self.methods]


class DrawKind(models.TextChoices):
    TARGETS = "targets", "检查对象抽取"
    INSPECTORS = "inspectors", "检查人员抽取"


class DrawStatus(models.TextChoices):
    FROZEN = "frozen", "已冻结，待录入公开随机数"
    DRAWN = "drawn", "已抽取"
    VOID = "void", "已作废"


LIVE = (DrawStatus.FROZEN, DrawStatus.DRAWN)

# The stored files that can be large (a million-line population.csv is 23 MB): left out of
# every fetch of a Draw unless asked for with ``with_files()``.
DRAW_FILES = ("population_csv", "exclusions_csv", "inspectors_json")


class DrawQuerySet(im.ImmutableQuerySet):
    def with_files(self):
        """Load the stored bundle files too (the draw services need them; pages do not)."""
        return self.defer(None)


class DrawManager(models.Manager.from_queryset(DrawQuerySet)):
    def get_queryset(self):
        return super().get_queryset().defer(*DRAW_FILES)


def without_files(prefix: str) -> list[str]:
    """``defer()`` arguments that leave a related Draw's files out of a ``select_related``
    (``Assignment.objects.select_related("draw").defer(*without_files("draw"))``)."""
    return [f"{prefix}__{name}" for name in DRAW_FILES]


class Draw(im.ImmutableModel):
    """One engine run: frozen inputs and commitment, then entropy and the first result.

    The inputs are the bundle files of spec v1 (docs/draw-spec.md §14) byte for byte.
    """

    FROZEN_AT_CREATION = (
        "task_id",
        "kind",
        "department_id",
        "target_draw_id",
        "attempt",
        "draw_id",
        "population_csv",
        "exclusions_csv",
        "params_json",
        "inspectors_json",
        "commitment_json",
        "commitment_sha256",
        "server_secret",
        "population_count",
        "stratum_counts",
        "frozen_by_id",
    )
    FROZEN_AT_DRAW = ("entropy_json", "seed", "drawn_at", "drawn_by_id", "witnesses", "index_total")
    immutable = im.Immutable(
        freeze=(
            im.Freeze("已冻结或已抽取的内容不可修改（{name}）。", fields=FROZEN_AT_CREATION),
            im.Freeze(
                "已冻结或已抽取的内容不可修改（{name}）。",
                fields=FROZEN_AT_DRAW,
                when=im.stored("status").not_in(DrawStatus.FROZEN),
            ),
            im.Freeze("已作废的抽取不可恢复。", fields=("status",), when=im.stored("status").in_(DrawStatus.VOID)),
        ),
        no_delete="抽取记录不可删除；如需重新抽取，请申请作废。",
        write_once=DRAW_FILES,  # stored by a second statement right after the row (storage.py)
    )

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.PROTECT, related_name="draws")
    kind = models.CharField("类别", max_length=12, choices=DrawKind.choices)
    department = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="抽取检查人员的部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_draw = models.ForeignKey(
        "self",
        verbose_name="所依据的检查对象抽取",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspector_draws",
    )
    attempt = models.PositiveIntegerField("第几次抽取")
    draw_id = models.CharField("抽取编号", max_length=64, unique=True)
    status = models.CharField("状态", max_length=8, choices=DrawStatus.choices, default=DrawStatus.FROZEN)
    population_csv = models.BinaryField("population.csv")
    exclusions_csv = models.BinaryField("exclusions.csv")
    params_json = models.BinaryField("params.json")
    inspectors_json = models.BinaryField("inspectors.json", null=True, blank=True)
    commitment_json = models.BinaryField("commitment.json")
    commitment_sha256 = models.CharField("承诺值（SHA-256）", max_length=64, unique=True)
    server_secret = models.CharField("服务器密钥", max_length=64)  # hex; revealed in entropy.json
    population_count = models.PositiveIntegerField("总体数量", default=0)
    # Frame size per stratum after the exclusions, as frozen (what the ceremony shows).
    stratum_counts = models.JSONField("各层总体数量", default=dict)
    excluded_count = models.PositiveIntegerField("排除数量", default=0)
    frozen_at = models.DateTimeField("冻结时间", auto_now_add=True)
    frozen_by = _user_fk("冻结人")
    entropy_json = models.BinaryField("entropy.json", null=True, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = _user_fk("抽取人")
    witnesses = models.CharField("见证人", max_length=300, blank=True)
    # The index rows of the first result (DrawnTarget / Assignment) are written by the job queue
    # after the draw commits (``tasks.indexes.complete``): ``index_total`` is set by the draw,
    # ``index_done`` counts the rows written so far. Complete when equal (0 / 0 for a frozen
    # draw); until then every reader that needs the rows is gated (``drawday.require_index``).
    index_total = models.PositiveIntegerField("名单索引行数", default=0)
    index_done = models.PositiveIntegerField("已生成的名单索引行数", default=0)

    objects = DrawManager()

    class Meta:
        verbose_name = "抽取"
        verbose_name_plural = "抽取"
        base_manager_name = "objects"  # a draw reached through a foreign key leaves its files too
        ordering = ["task_id", "kind", "department_id", "attempt"]
        constraints = [
            # One live target draw per task, one live inspector draw per department and target draw:
            # this is what makes two operators pressing "冻结" or "抽取" at once produce one draw.
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(kind="targets", status__in=["frozen", "drawn"]),
                name="draw_one_live_target_draw",
            ),
            models.UniqueConstraint(
                fields=["target_draw", "department"],
                condition=models.Q(kind="inspectors", status__in=["frozen", "drawn"]),
                name="draw_one_live_inspector_draw",
            ),
            models.UniqueConstraint(fields=["task", "kind", "department", "attempt"], name="draw_unique_attempt"),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id}（{self.get_kind_display()}）"

    def audit_organisation_id(self) -> int:
        return self.department_id or self.task.lead_id

    @property
    def is_live(self) -> bool:
        return self.status in LIVE

    @property
    def index_complete(self) -> bool:
        """Are the index rows of the first result all written (by the job queue)?"""
        return self.index_done >= self.index_total

    @property
    def index_percent(self) -> int:
        return 100 if self.index_complete else self.index_done * 100 // self.index_total


class DrawResultQuerySet(im.ImmutableQuerySet):
    def with_files(self):
        return self.defer(None)


class DrawResultManager(models.Manager.from_queryset(DrawResultQuerySet)):
    def get_queryset(self):
        return super().get_queryset().defer("result_json")


class DrawResult(im.ImmutableModel):
    """A version of result.json. Version 1 is the draw; each later version appends one event.

    ``result_json`` (megabytes for a provincial draw) is left out of every fetch unless asked
    for with ``with_files()``."""

    class Event(models.TextChoices):
        DRAW = "draw", "抽取"
        RESERVE = "reserve", "备选对象递补"
        SUBSTITUTE = "substitute", "检查人员递补抽取"

    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="results")
    version = models.PositiveIntegerField("版本")
    event = models.CharField("事件", max_length=12, choices=Event.choices)
    reason = models.CharField("原因", max_length=500, blank=True)
    result_json = models.BinaryField("result.json")
    result_sha256 = models.CharField("result.json SHA-256", max_length=64)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    created_by = _user_fk("操作人")

    objects = DrawResultManager()

    immutable = im.Immutable(
        append_only="抽取结果版本不可修改；新的事件请写入新版本。",
        no_delete="抽取结果版本不可删除。",
        write_once=("result_json",),  # stored right after the row (storage.py)
    )

    class Meta:
        verbose_name = "抽取结果版本"
        verbose_name_plural = "抽取结果版本"
        ordering = ["draw_id", "version"]
        constraints = [models.UniqueConstraint(fields=["draw", "version"], name="drawresult_unique_version")]

    def __str__(self) -> str:
        return f"{self.draw_id} v{self.version} {self.get_event_display()}"


class DrawnTarget(models.Model):
    """A target of the current result of a target draw (an index kept by the services)."""

    # draw: no index of its own, the unique (draw, target) leads with it (a provincial draw
    # writes 50,003 rows, each index costs); replaced_*: partial indexes of the few set rows
    draw = models.ForeignKey(
        Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="drawn_targets", db_index=False
    )
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    # the code the draw drew (result.json's id), kept with the row: the inspector draw freezes
    # these codes, in list order, without looking 50,003 targets up in the register again
    code = models.CharField("抽取时的对象编码", max_length=18, db_default="")
    stratum = models.CharField("层", max_length=16)
    ticket = models.CharField("签号", max_length=64)
    position = models.PositiveIntegerField("序号")
    from_reserve = models.BooleanField("由备选对象递补", default=False)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="被替换为",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    replaced_reason = models.CharField("替换原因", max_length=500, blank=True)
    replaced_department = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="报告问题的部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = "抽中对象"
        verbose_name_plural = "抽中对象"
        ordering = ["draw_id", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "target"], name="drawntarget_unique")]
        # the sealed list pages through a draw's current targets by position
        indexes = [
            models.Index(
                fields=["draw", "position"],
                condition=models.Q(replaced_by__isnull=True),
                name="drawntarget_draw_position",
            ),
            models.Index(
                fields=["replaced_by"], condition=models.Q(replaced_by__isnull=False), name="drawntarget_replaced_by"
            ),
            models.Index(
                fields=["replaced_department"],
                condition=models.Q(replaced_department__isnull=False),
                name="drawntarget_replaced_dept",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.draw_id} #{self.position} {self.target_id}"

    @property
    def is_active(self) -> bool:
        return self.replaced_by_id is None


class ItemWithdrawal(models.Model):
    """Joint task: a cooperating department reported a drawn target outside its remit. Its
    items for that target are removed (its inspectors are not assigned to it); the target stays
    for the other departments. Append-only; sealed like the list (the reason names the target)."""

    draw = models.ForeignKey(Draw, verbose_name="检查对象抽取", on_delete=models.PROTECT, related_name="withdrawals")
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("原因", max_length=500)
    created_at = models.DateTimeField("报告时间", auto_now_add=True)
    created_by = _user_fk("报告人")

    class Meta:
        verbose_name = "部门退出检查对象"
        verbose_name_plural = "部门退出检查对象"
        ordering = ["draw_id", "id"]
        constraints = [models.UniqueConstraint(fields=["draw", "target", "department"], name="itemwithdrawal_once")]

    def __str__(self) -> str:
        return f"{self.draw_id} {self.target_id} −{self.department_id}"


class Assignment(models.Model):
    """An inspector in a department's group for a target (index of the current result)."""

    draw = models.ForeignKey(Draw, verbose_name="检查人员抽取", on_delete=models.PROTECT, related_name="assignments")
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    # inspector: no index of its own, (inspector, draw) leads with it (100,006 rows a draw)
    inspector = models.ForeignKey(
        "inspectors.Inspector",
        verbose_name="检查人员",
        on_delete=models.PROTECT,
        related_name="assignments",
        db_index=False,
    )
    is_expert = models.BooleanField("专家", default=False)
    from_substitution = models.BooleanField("递补抽取", default=False)
    ended_reason = models.CharField("被递补原因", max_length=500, blank=True)
    ended_at = models.DateTimeField("被递补时间", null=True, blank=True)

    class Meta:
        verbose_name = "检查人员分配"
        verbose_name_plural = "检查人员分配"
        ordering = ["draw_id", "target_id", "id"]
        # an inspector's groups per draw (home page, own targets), without reading whole draws
        indexes = [models.Index(fields=["inspector", "draw"], name="assignment_inspector_draw")]

    def __str__(self) -> str:
        return f"{self.draw_id} {self.target_id} {self.inspector_id}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Confirmation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"

    draw = models.ForeignKey(Draw, verbose_name="检查对象抽取", on_delete=models.PROTECT, related_name="confirmations")
    department = models.ForeignKey("orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField("确认期限")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    note = models.CharField("确认意见", max_length=500, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = _user_fk("确认人")

    class Meta:
        verbose_name = "派发确认"
        verbose_name_plural = "派发确认"
        ordering = ["draw_id", "department_id"]
        constraints = [models.UniqueConstraint(fields=["draw", "department"], name="confirmation_unique")]

    def __str__(self) -> str:
        return f"{self.draw.draw_id} {self.department}：{self.get_status_display()}"

    def audit_organisation_id(self) -> int:
        return self.department_id

    def audit_sealed_task_id(self) -> int:
        return self.draw.task_id


class VoidRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准（已作废）"
        REJECTED = "rejected", "已驳回"

    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="void_requests")
    reason = models.CharField("作废原因", max_length=500)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    requested_by = _user_fk("申请人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = _user_fk("审批人")
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "作废申请"
        verbose_name_plural = "作废申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["draw"], condition=models.Q(status="requested"), name="voidrequest_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.draw.draw_id} 作废申请"

    def audit_organisation_id(self) -> int:
        return self.draw.task.lead_id

    def audit_sealed_task_id(self) -> int:
        return self.draw.task_id
