"""Reports submitted upward (报送) and plan filings (报备).

Glossary (code → UI):
- ReportKind → 报表类别: monthly 月报表 (seed 000 annex), quarterly 季度情况报告 (seed 000 §四),
  annual 监管信息统计表 (seed 001 annex), joint 部门联合抽查统计表 (seed 002 annex)
- Report → 报表 (one row per version: draft 草稿 → checked 已审核 → signed 已签发 →
  submitted 已报送; a submitted version is frozen, a resubmission is a new version with a reason)
- PlanFiling → 计划报备 (a published plan filed with the office above, who sees when)

The figures of a report are computed live (``figures.py``) until it is submitted; the
submitted version keeps the figures it was submitted with (``figures``), never recomputed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from shuangsuiji.accounts.fields import user_fk as _user_fk


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", "月报表"
    QUARTERLY = "quarterly", "季度情况报告"
    ANNUAL = "annual", "监管信息统计表（年度）"
    JOINT = "joint", "部门联合抽查统计表（年度）"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    CHECKED = "checked", "已审核"
    SIGNED = "signed", "已签发"
    SUBMITTED = "submitted", "已报送"


class Report(models.Model):
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="填报单位", on_delete=models.PROTECT, related_name="reports"
    )
    recipient = models.ForeignKey(
        "orgs.Organisation", verbose_name="报送至", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("报表类别", max_length=12, choices=ReportKind.choices)
    year = models.PositiveIntegerField("年度")
    period = models.PositiveSmallIntegerField("期别", default=0, help_text="月报：月份；季报：季度；年度报表：0")
    version = models.PositiveIntegerField("版本", default=1)
    supersedes = models.ForeignKey(
        "self", verbose_name="更正的版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("重新报送原因", max_length=500, blank=True)
    status = models.CharField("状态", max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    entered = models.JSONField("填报内容", default=dict, blank=True)
    figures = models.JSONField("报送时的统计数据", default=dict, blank=True)
    due_on = models.DateField("报送期限", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = _user_fk("填报人")
    checked_at = models.DateTimeField("审核时间", null=True, blank=True)
    checked_by = _user_fk("审核人")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    signed_by = _user_fk("签发人")
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    submitted_by = _user_fk("报送人")

    class Meta:
        verbose_name = "报表"
        verbose_name_plural = "报表"
        ordering = ["-year", "-period", "kind", "organisation_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "year", "period", "version"], name="report_unique_version"
            ),
            models.UniqueConstraint(
                fields=["organisation", "kind", "year", "period"],
                condition=~models.Q(status="submitted"),
                name="report_one_open_version",
            ),
            models.CheckConstraint(
                condition=models.Q(supersedes__isnull=True) | ~models.Q(reason=""), name="report_resubmission_reason"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "kind", "year", "period"], name="report_recipient_period")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.period_label}{self.get_kind_display()}（第 {self.version} 版）"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            old = Report.objects.filter(pk=self.pk).first()
            if old is not None and old.status == ReportStatus.SUBMITTED:
                raise ValidationError("已报送的报表不可修改；如需更正，请重新报送（新版本，须填写原因）。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == ReportStatus.SUBMITTED:
            raise ValidationError("已报送的报表不可删除。")
        return super().delete(*args, **kwargs)

    def audit_organisation_id(self) -> int:
        return self.organisation_id

    @property
    def period_label(self) -> str:
        if self.kind == ReportKind.MONTHLY:
            return f"{self.year}年{self.period}月"
        if self.kind == ReportKind.QUARTERLY:
            return f"{self.year}年第{self.period}季度"
        return f"{self.year}年度"

    @property
    def is_frozen(self) -> bool:
        return self.status == ReportStatus.SUBMITTED


class PlanFiling(models.Model):
    """计划报备: a published plan version filed with the office above (append-only)."""

    plan = models.ForeignKey("plans.Plan", verbose_name="计划版本", on_delete=models.PROTECT, related_name="+")
    office = models.ForeignKey("orgs.Organisation", verbose_name="报备至", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField("报备时间", auto_now_add=True)
    filed_by = _user_fk("报备人")
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "计划报备"
        verbose_name_plural = "计划报备"
        ordering = ["-filed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan"], name="planfiling_one_per_version")]

    def __str__(self) -> str:
        return f"{self.plan} 报备"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("报备记录不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("报备记录不可删除。")

    def audit_organisation_id(self) -> int:
        return self.plan.owner_id


class RevisitDraw(models.Model):
    """回访抽取: a verifiable random sample (engine spec v1: freeze, public entropy, bundle) of the
    businesses inspected in a year within the supervising office's region."""

    class Status(models.TextChoices):
        FROZEN = "frozen", "已冻结，待录入公开随机数"
        DRAWN = "drawn", "已抽取"

    office = models.ForeignKey("orgs.Organisation", verbose_name="督查机构", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("检查年度")
    draw_id = models.CharField("抽取编号", max_length=64, unique=True)
    ratio = models.CharField("回访比例", max_length=16)
    minimum = models.PositiveIntegerField("最少回访户数", default=1)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.FROZEN)
    population_csv = models.BinaryField("population.csv")
    exclusions_csv = models.BinaryField("exclusions.csv")
    params_json = models.BinaryField("params.json")
    commitment_json = models.BinaryField("commitment.json")
    commitment_sha256 = models.CharField("承诺值（SHA-256）", max_length=64, unique=True)
    server_secret = models.CharField("服务器密钥", max_length=64)
    population_count = models.PositiveIntegerField("总体数量", default=0)
    frozen_at = models.DateTimeField("冻结时间", auto_now_add=True)
    frozen_by = _user_fk("冻结人")
    entropy_json = models.BinaryField("entropy.json", null=True, blank=True)
    result_json = models.BinaryField("result.json", null=True, blank=True)
    bundle_zip = models.BinaryField("抽取包", null=True, blank=True)
    selected = models.JSONField("抽中对象编码", default=list, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = _user_fk("抽取人")
    witnesses = models.CharField("见证人", max_length=300, blank=True)

    class Meta:
        verbose_name = "回访抽取"
        verbose_name_plural = "回访抽取"
        ordering = ["-frozen_at", "-id"]

    def __str__(self) -> str:
        return self.draw_id

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            old = RevisitDraw.objects.filter(pk=self.pk).first()
            if old is not None and old.status == self.Status.DRAWN:
                raise ValidationError("已抽取的回访抽取不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("回访抽取不可删除。")

    def audit_organisation_id(self) -> int:
        return self.office_id


class RevisitFinding(models.Model):
    """回访结果: whether the revisit confirmed the determined result (append-only)."""

    revisit = models.ForeignKey(RevisitDraw, verbose_name="回访抽取", on_delete=models.PROTECT, related_name="findings")
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    confirmed = models.BooleanField("回访确认检查结果属实")
    note = models.CharField("回访情况", max_length=500, blank=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    recorded_by = _user_fk("记录人")

    class Meta:
        verbose_name = "回访结果"
        verbose_name_plural = "回访结果"
        ordering = ["revisit_id", "id"]
        constraints = [models.UniqueConstraint(fields=["revisit", "target"], name="revisitfinding_unique")]

    def __str__(self) -> str:
        return f"{self.revisit_id} {self.target_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValidationError("回访结果不可修改。")
        if not self.confirmed and not self.note.strip():
            raise ValidationError("回访与检查结果不符时须填写回访情况。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("回访结果不可删除。")

    def audit_organisation_id(self) -> int:
        return self.revisit.office_id


# --- The report summary (``reports/summary.py``): counts kept current as the data changes ------
#
# Derived data, never a record of its own: ``summary.refresh_task`` rewrites a task's rows from
# the live tables, ``manage.py rebuild_report_summary`` rewrites them all; the annual table and
# the dashboard add these rows up instead of reading a million results per request.


class TaskFigures(models.Model):
    """A task's counts for one department (汇总：任务 × 部门). The batch, drawn-target and
    channel counts sit on the row of the task's lead department (lead-department rule); results
    and follow-ups on the row of the department that entered the result."""

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    # counted target draws of the task, their current drawn targets, the draw with the highest
    # achieved ratio (its targets and frame size: item coverage)
    draws = models.PositiveIntegerField(default=0)
    targets = models.PositiveIntegerField(default=0)
    best_targets = models.PositiveIntegerField(default=0)
    best_population = models.PositiveIntegerField(default=0)
    # lead-department result publications in force, per channel (only with a counted draw)
    gsxt = models.PositiveIntegerField(default=0)
    professional = models.PositiveIntegerField(default=0)
    department_site = models.PositiveIntegerField(default=0)
    # determined results of the department
    results = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    on_time_entry = models.PositiveIntegerField(default=0)
    published_on_time = models.PositiveIntegerField(default=0)
    published = models.PositiveIntegerField(default=0)  # with a result publication in force
    # follow-ups of the department's results (any status)
    follow_ups = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)
    fines = models.DecimalField(max_digits=16, decimal_places=4, default=0)

    class Meta:
        verbose_name = "报表汇总（任务×部门）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["task", "department"], name="taskfigures_unique")]

    def __str__(self) -> str:
        return f"任务 {self.task_id} × 部门 {self.department_id}"


class TaskDue(models.Model):
    """What becomes due on a date (the figures that depend on today): determined results not
    published, by their publication deadline; open follow-ups, by their deadline."""

    class What(models.TextChoices):
        PUBLICATION = "publication", "待公示的检查结果"
        FOLLOW_UP = "follow_up", "未办结的后续处置"

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    what = models.CharField(max_length=12, choices=What.choices)
    due_on = models.DateField()
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = "报表汇总（到期）"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["task"], name="taskdue_task")]

    def __str__(self) -> str:
        return f"任务 {self.task_id} {self.get_what_display()} {self.due_on}：{self.n}"


class InspectorLoad(models.Model):
    """检查人员工作量: the businesses currently assigned to an inspector by one department's drawn
    inspector draws of a year (kept per year × department; not per task: a business assigned
    in two tasks counts once)."""

    year = models.PositiveIntegerField()
    department = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    inspector = models.ForeignKey(
        "inspectors.Inspector", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    targets = models.PositiveIntegerField()

    class Meta:
        verbose_name = "报表汇总（检查人员工作量）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["year", "department", "inspector"], name="inspectorload_unique")]

    def __str__(self) -> str:
        return f"{self.year} 检查人员 {self.inspector_id}：{self.targets} 户"


class TargetLead(models.Model):
    """A business drawn in a year by a counted draw of a task led by a department (kept per
    year × lead): the repeat-inspection figure (businesses drawn by two or more lead
    departments) is not a sum of per-task counts."""

    year = models.PositiveIntegerField()
    lead = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey("targets.Target", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")

    class Meta:
        verbose_name = "报表汇总（对象×牵头部门）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["year", "lead", "target"], name="targetlead_unique")]
        indexes = [models.Index(fields=["year", "target", "lead"], name="targetlead_target")]

    def __str__(self) -> str:
        return f"{self.year} 对象 {self.target_id} × 牵头部门 {self.lead_id}"


class RepeatFigure(models.Model):
    """被多个部门重复抽查的对象 for one reporting scope (an office, or a department and its line)
    and year: businesses drawn by two or more lead departments in the scope, and all businesses
    drawn. Not a sum over tasks nor over departments: kept per scope, recomputed from
    ``TargetLead`` when a draw of a lead in the scope changes, computed on first read."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    drawn = models.PositiveIntegerField()
    repeated = models.PositiveIntegerField()

    class Meta:
        verbose_name = "报表汇总（重复抽查）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="repeatfigure_unique")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}：{self.repeated} / {self.drawn}"


class DirtyTask(models.Model):
    """A task whose summary rows are behind its data: marked in the transaction that changed it,
    recomputed after its commit and by any reader first (``summary.flush``)."""

    task = models.OneToOneField("tasks.Task", primary_key=True, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)
    draws = models.BooleanField(default=False, help_text="its draws or assignments changed: the kept tables too")

    class Meta:
        verbose_name = "报表汇总（待重算）"
        verbose_name_plural = verbose_name

    def __str__(self) -> str:
        return f"任务 {self.task_id}（待重算）"
