"""Annual random-inspection plans (年度抽查工作计划).

Glossary (code → UI):
- Plan → 年度抽查计划 (one row per version; ``previous`` links a version to the one it adjusts)
- Plan.status → 草稿 draft / 已报审 submitted / 已审批 approved / 已发布 published / 已被调整版本替代 superseded
- Plan.is_joint → 联合抽查计划 (owner is a 双随机办 office; ``participants`` are the departments)
- PlanLine → 计划事项 (an item version, planned ratio, methods, months, target scope note)
- PlanWaiver → 不纳入说明 (a published item the plan does not cover, with the reason)
- PlanAdjustment → 计划调整申请 (requested → approved / returned; approval opens the next version)

Rules (enforced in ``services.py``; the models refuse to change a published version):
- A published (or superseded) version never changes, nor do its lines and waivers; only its
  status may move on from published to superseded.
"""

from __future__ import annotations

import calendar
import datetime as dt

from django.conf import settings
from django.db import models

from shuangsuiji import immutability as im
from shuangsuiji.accounts.fields import user_fk as _user_fk
from shuangsuiji.workdays.services import PROVISIONAL_NOTE, deadline

REPUBLISH_WORKDAYS = 10  # 调整后 10 个工作日内录入并再次公示（seed 004 §9）
QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}


def plan_due_date(year: int) -> dt.date:
    """The day a year's plan must be published by (default: end of February, 004 §9)."""
    month, day = settings.SHUANGSUIJI_PLAN_DUE_MONTH_DAY
    last = calendar.monthrange(year, month)[1]
    if month == 2 and day >= 28:
        day = last  # "2月底": the 29th in a leap year
    return dt.date(year, month, min(day, last))


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报审"
    APPROVED = "approved", "已审批"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被调整版本替代"


FROZEN = (PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED)


class Plan(im.ImmutableModel):
    immutable = im.Immutable(
        freeze=(
            im.Freeze(
                "已发布的计划版本不可修改（字段 {field}）；请申请调整。",
                when=im.stored("status").in_(*FROZEN),
                except_=("status",),
            ),
            im.Freeze(
                "已被替代的计划版本不可再改变状态。",
                when=im.stored("status").in_(PlanStatus.SUPERSEDED),
                fields=("status",),
            ),
            im.Freeze(
                "已发布的计划版本不可退回草稿；请申请调整。",
                when=im.stored("status").in_(PlanStatus.PUBLISHED),
                fields=("status",),
                allow=im.stored("status").in_(*FROZEN),
            ),
        ),
        no_delete="已发布的计划版本不可删除。",
        no_delete_when=im.stored("status").in_(*FROZEN),
        m2m=("participants",),
        m2m_when=im.stored("status").in_(*FROZEN),
        m2m_message="已发布的计划版本不可修改；请申请调整。",
    )

    owner = models.ForeignKey(
        "orgs.Organisation", verbose_name="制定机构", on_delete=models.PROTECT, related_name="plans"
    )
    is_joint = models.BooleanField("联合抽查计划", default=False)
    participants = models.ManyToManyField(
        "orgs.Organisation", verbose_name="参与部门", blank=True, related_name="joint_plans"
    )
    year = models.PositiveIntegerField("年度")
    version = models.PositiveIntegerField("版本号", default=1)
    previous = models.OneToOneField(
        "self", verbose_name="上一版本", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    status = models.CharField("状态", max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    title = models.CharField("计划名称", max_length=200)
    scope = models.TextField("抽查范围", blank=True)
    notes = models.TextField("其他说明", blank=True)
    adjustment_reason = models.TextField("调整原因", blank=True)
    adjustment_approved_on = models.DateField("调整批准日期", null=True, blank=True)

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = _user_fk("创建人")
    submitted_at = models.DateTimeField("报审时间", null=True, blank=True)
    submitted_by = _user_fk("报审人")
    approved_at = models.DateTimeField("审批时间", null=True, blank=True)
    approved_by = _user_fk("审批人")
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    returned_by = _user_fk("退回人")
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = _user_fk("发布人")

    class Meta:
        verbose_name = "年度抽查计划"
        verbose_name_plural = "年度抽查计划"
        ordering = ["-year", "owner__path", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year"],
                condition=models.Q(is_joint=False, version=1),
                name="plan_one_department_plan_per_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title}（第 {self.version} 版）"

    def audit_organisation_id(self) -> int:
        return self.owner_id

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT

    def due_date(self) -> dt.date | None:
        """The publication deadline of this version. A re-publication deadline in a year the
        calendar lacks is provisional (暂定, :meth:`due_provisional`), never refused."""
        if self.version == 1 or self.adjustment_approved_on is None:
            return plan_due_date(self.year)
        return deadline(self.adjustment_approved_on, REPUBLISH_WORKDAYS).day

    def due_provisional(self) -> bool:
        if self.version == 1 or self.adjustment_approved_on is None:
            return False
        return deadline(self.adjustment_approved_on, REPUBLISH_WORKDAYS).provisional

    def due_problem(self) -> str:
        """Shown beside the deadline: why it is provisional (empty when it is final)."""
        return PROVISIONAL_NOTE if self.due_provisional() else ""

    def is_overdue(self, today: dt.date) -> bool:
        if self.status in FROZEN:
            return False
        due = self.due_date()
        return due is not None and today > due


class PlanChild(im.ImmutableModel):
    """A row frozen with its plan version."""

    immutable = im.FrozenWith("plan", im.stored("status").in_(*FROZEN), "已发布的计划版本不可修改；请申请调整。")

    class Meta:
        abstract = True

    def audit_organisation_id(self) -> int:
        return self.plan.owner_id


class PlanLine(PlanChild):
    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField("序号")
    item_version = models.ForeignKey(
        "items.ItemVersion", verbose_name="抽查事项（版本）", on_delete=models.PROTECT, related_name="+"
    )
    ratio = models.DecimalField("计划抽查比例", max_digits=5, decimal_places=4)
    methods = models.JSONField("检查方式", default=list, blank=True)
    start_month = models.PositiveSmallIntegerField("开始月份")
    end_month = models.PositiveSmallIntegerField("结束月份")
    target_note = models.CharField("检查对象范围", max_length=300, blank=True)

    class Meta:
        verbose_name = "计划事项"
        verbose_name_plural = "计划事项"
        ordering = ["plan_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="planline_unique_position"),
            models.UniqueConstraint(fields=["plan", "item_version"], name="planline_unique_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item_version.item.code} {self.item_version.name}"

    @property
    def ratio_percent(self) -> str:
        return f"{(self.ratio * 100).normalize():f}%"

    @property
    def window_label(self) -> str:
        for q, (a, b) in QUARTERS.items():
            if (self.start_month, self.end_month) == (a, b):
                return QUARTER_NAMES[q]
        if self.start_month == self.end_month:
            return f"{self.start_month}月"
        return f"{self.start_month}—{self.end_month}月"

    @property
    def method_labels(self) -> list[str]:
        from shuangsuiji.targets.choices import InspectionMethod

        labels = dict(InspectionMethod.choices)
        return [labels.get(v, v) for v in self.methods]


class PlanWaiver(PlanChild):
    plan = models.ForeignKey(Plan, verbose_name="计划", on_delete=models.CASCADE, related_name="waivers")
    item = models.ForeignKey("items.Item", verbose_name="抽查事项", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("不纳入原因", max_length=500)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = _user_fk("登记人")

    class Meta:
        verbose_name = "不纳入说明"
        verbose_name_plural = "不纳入说明"
        ordering = ["plan_id", "item__code"]
        constraints = [models.UniqueConstraint(fields=["plan", "item"], name="planwaiver_unique_item")]

    def __str__(self) -> str:
        return f"{self.item.code} 不纳入：{self.reason}"


class PlanAdjustment(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "待审批"
        APPROVED = "approved", "已批准"
        RETURNED = "returned", "已退回"

    plan = models.ForeignKey(
        Plan, verbose_name="被调整的计划版本", on_delete=models.PROTECT, related_name="adjustments"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField("调整原因")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    requested_by = _user_fk("申请人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_on = models.DateField("批准日期", null=True, blank=True)
    decided_by = _user_fk("审批人")
    decision_note = models.CharField("审批意见", max_length=500, blank=True)
    new_plan = models.OneToOneField(
        Plan, verbose_name="调整后的版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "计划调整申请"
        verbose_name_plural = "计划调整申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status="requested"), name="planadjustment_one_open_per_plan"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan.title} 调整申请"

    def audit_organisation_id(self) -> int:
        return self.plan.owner_id
