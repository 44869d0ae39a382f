"""一公开: what was published, when, by whom, through which channels, and in which words.

A :class:`Publication` is the exact public record of one published thing (an item list, a
plan version, a task, a task's drawn list, a determined result), frozen as JSON at the moment
of publication (``record``, with its SHA-256). It is never edited or deleted: a correction is
a new publication of the same subject with ``version`` + 1 and ``corrects`` pointing at the
one it corrects (the portal shows both); a withdrawal is a :class:`Withdrawal` that, once
approved, leaves a public notice in place of the record. Field-level redaction of a result
(business secrets, privacy) is a :class:`Redaction` requested with a reason and approved by
the level above before the record is published.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F
from django.db.models.fields.json import KT
from django.utils import timezone

from shuangsuiji import immutability as im
from shuangsuiji.accounts.fields import user_fk as _user_fk


class Channel(models.TextChoices):
    GSXT = "gsxt", "国家企业信用信息公示系统"
    CREDIT_CHINA = "creditchina", "信用中国"
    DEPARTMENT = "department", "部门网站"
    PROFESSIONAL = "professional", "专业系统"


class Kind(models.TextChoices):
    ITEMS = "items", "抽查事项清单"
    PLAN = "plan", "年度抽查计划"
    TASK = "task", "抽查任务"
    DRAWN_LIST = "drawn_list", "抽查名单"
    RESULT = "result", "抽查结果"


def local_day(moment) -> str:
    """The day of ``moment`` in the current time zone, as the portal's lists show it
    (2026-12-04): what ``{{ moment|date:"Y-m-d" }}`` gives, at a tenth of its cost."""
    return timezone.localtime(moment).date().isoformat()


class Publication(im.ImmutableModel):
    kind = models.CharField("公开类别", max_length=12, choices=Kind.choices)
    # The published object's id in its own app (ItemList, Plan, Task, result part).
    subject_id = models.CharField("公开对象编号", max_length=40)
    version = models.PositiveIntegerField("公开版本", default=1)
    corrects = models.OneToOneField(
        "self", verbose_name="更正的版本", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    correction_reason = models.CharField("更正原因", max_length=500, blank=True)
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="公开机关", on_delete=models.PROTECT, related_name="publications"
    )
    region = models.ForeignKey("orgs.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField("年度")
    task = models.ForeignKey(
        "tasks.Task", verbose_name="抽查任务", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A result publication: the determined ``inspections.DepartmentPart`` version it published
    # (``part.publications``); null for every other kind (check constraint below).
    part = models.ForeignKey(
        "inspections.DepartmentPart",
        verbose_name="公开的检查结果版本",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    title = models.CharField("标题", max_length=300)
    record = models.JSONField("公开内容")
    record_sha256 = models.CharField("公开内容 SHA-256", max_length=64)
    channels = models.JSONField("公开渠道", default=list)
    determined_on = models.DateField("结果认定日期", null=True, blank=True)
    due_on = models.DateField("公开期限", null=True, blank=True)
    late = models.BooleanField("逾期公开", default=False)
    published_at = models.DateTimeField("公开时间")
    published_by = _user_fk("公开人")

    # Append-only (shuangsuiji.immutability: ORM, bulk update and database triggers alike).
    immutable = im.Immutable(
        append_only="已公开的记录不可修改；请发布更正版本。", no_delete="已公开的记录不可删除；请申请撤回。"
    )

    class Meta:
        verbose_name = "公开记录"
        verbose_name_plural = "公开记录"
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_id", "version"], name="publication_version_unique"),
            models.CheckConstraint(
                condition=models.Q(kind="result") | models.Q(part__isnull=True),
                name="publication_part_only_for_results",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "kind", "-published_at"], name="publication_dept_kind"),
            models.Index(fields=["region", "year", "kind"], name="publication_region_year"),
            models.Index(fields=["task", "kind"], name="publication_task_kind"),
            # the portal's lists, newest first (all, a department's, a county's): migration 0003
            models.Index(fields=["-published_at", "-id"], name="publication_newest"),
            # (including the kind, for a list of one kind: migration 0008. Its count and its page's
            # ids are then read from the index alone, ``published.Lines``)
            models.Index(
                fields=["department", "-published_at", "-id"], include=["kind"], name="publication_dept_newest"
            ),
            # a department's list of one year, newest first: migration 0007
            models.Index(
                fields=["department", "year", "-published_at", "-id"],
                include=["kind"],
                name="publication_dept_year_newest",
            ),
            # a county's lists, as a department's (``published.Lines``): migration 0009
            models.Index(fields=["region", "-published_at", "-id"], include=["kind"], name="publication_region_newest"),
            models.Index(
                fields=["region", "year", "-published_at", "-id"],
                include=["kind"],
                name="publication_region_year_newest",
            ),
            models.Index(
                fields=["region"],
                include=["corrects"],
                condition=models.Q(corrects__isnull=False),
                name="publication_region_corrections",
            ),
            # a department's corrected versions (what its lists leave out): migration 0008
            models.Index(
                fields=["department"],
                include=["corrects"],
                condition=models.Q(corrects__isnull=False),
                name="publication_dept_corrections",
            ),
            # a department's list filtered by the public result (``published.listing(result=…)``),
            # newest first: the record's ``result`` as text (``record->>'result'``); migration 0005
            # adds, on PostgreSQL, a trigram index for results that name several categories
            models.Index(
                F("department"),
                KT("record__result"),
                F("published_at").desc(),
                F("id").desc(),
                name="publication_dept_result",
            ),
            # the same of one year (``published.Lines`` with a result and a year): migration 0010
            models.Index(
                F("department"),
                F("year"),
                KT("record__result"),
                F("published_at").desc(),
                F("id").desc(),
                name="publication_dept_year_result",
            ),
            # a county's and all publications' lists by result, with and without the year (and, on
            # PostgreSQL, partial indexes of the results naming several categories): migration 0011
            models.Index(
                F("region"),
                KT("record__result"),
                F("published_at").desc(),
                F("id").desc(),
                name="publication_region_result",
            ),
            models.Index(
                F("region"),
                F("year"),
                KT("record__result"),
                F("published_at").desc(),
                F("id").desc(),
                name="publication_region_year_result",
            ),
            models.Index(KT("record__result"), F("published_at").desc(), F("id").desc(), name="publication_result"),
            models.Index(
                F("year"),
                KT("record__result"),
                F("published_at").desc(),
                F("id").desc(),
                name="publication_year_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.title}（第 {self.version} 版）"

    def audit_organisation_id(self) -> int:
        return self.department_id

    @property
    def published_day(self) -> str:
        return local_day(self.published_at)

    @property
    def corrected(self) -> bool:
        """A later version corrects this one (the portal marks it "已有更正"): the reverse
        relation, so a ``select_related("correction")`` answers it without a query."""
        try:
            self.correction  # noqa: B018
        except Publication.DoesNotExist:
            return False
        return True

    @property
    def channel_labels(self) -> list[str]:
        return [Channel(c).label for c in self.channels if c in Channel.values]


class PublishedTarget(im.ImmutableModel):
    """A business named by a publication (a result's business, each target of a drawn list):
    the search index of the portal ("归集到检查对象名下"). Written with the publication."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="named_targets")
    target = models.ForeignKey("targets.Target", verbose_name="检查对象", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    name = models.CharField("名称", max_length=200)

    immutable = im.Immutable(append_only="公开记录中的检查对象不可修改。", no_delete="公开记录中的检查对象不可删除。")

    class Meta:
        verbose_name = "公开记录中的检查对象"
        verbose_name_plural = "公开记录中的检查对象"
        constraints = [models.UniqueConstraint(fields=["publication", "target"], name="publishedtarget_unique")]
        indexes = [models.Index(fields=["target", "publication"], name="publishedtarget_target")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class CurrentName(models.Model):
    """The portal's search table: each (business, USCC, name) that a current publication names
    — neither corrected by a later version nor withdrawn —, once. Derived data, not a record
    the law keeps: ``services`` keeps it equal to ``published.named()`` (the live definition)
    in the transaction of every publication, correction and approved withdrawal
    (tests/publicity/test_current_names.py). A third of ``PublishedTarget``'s rows at
    province size and no anti joins, so a name-fragment search reads only what it shows."""

    # (no index of its own: the unique constraint (target, code, name) leads with it)
    target = models.ForeignKey(
        "targets.Target", verbose_name="检查对象", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    code = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("名称", max_length=200)

    class Meta:
        verbose_name = "公开检查对象检索表"
        verbose_name_plural = "公开检查对象检索表"
        constraints = [
            models.UniqueConstraint(fields=["target", "code", "name"], name="currentname_unique"),
        ]
        indexes = [
            models.Index(fields=["code"], name="currentname_code"),
            models.Index(fields=["name", "target"], name="currentname_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Decision(models.TextChoices):
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Withdrawal(im.ImmutableModel):
    publication = models.OneToOneField(
        Publication, verbose_name="公开记录", on_delete=models.PROTECT, related_name="withdrawal"
    )
    reason = models.CharField("撤回原因", max_length=500)
    status = models.CharField("状态", max_length=12, choices=Decision.choices, default=Decision.REQUESTED)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    requested_by = _user_fk("申请人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = _user_fk("审批人")
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    immutable = im.Immutable(no_delete="撤回申请不可删除。")

    class Meta:
        verbose_name = "撤回申请"
        verbose_name_plural = "撤回申请"

    def __str__(self) -> str:
        return f"撤回申请：{self.publication}"

    def audit_organisation_id(self) -> int:
        return self.publication.department_id


class Redaction(im.ImmutableModel):
    """One field of one subject's public record left out (Art. 3: business secrets, privacy)."""

    class Field(models.TextChoices):
        REMARK = "remark", "备注"
        ITEM_RESULTS = "item_results", "各事项检查结果"
        ADDRESS = "address", "住所（经营场所）"

    kind = models.CharField("公开类别", max_length=12, choices=Kind.choices, default=Kind.RESULT)
    subject_id = models.CharField("公开对象编号", max_length=40)
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="申请部门", on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField("不予公开的字段", max_length=20, choices=Field.choices)
    reason = models.CharField("理由", max_length=500)
    status = models.CharField("状态", max_length=12, choices=Decision.choices, default=Decision.REQUESTED)
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    requested_by = _user_fk("申请人")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = _user_fk("审批人")
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    immutable = im.Immutable(no_delete="不予公开申请不可删除。")

    class Meta:
        verbose_name = "不予公开申请"
        verbose_name_plural = "不予公开申请"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"不予公开申请：{self.get_field_display()}（{self.subject_id}）"

    def audit_organisation_id(self) -> int:
        return self.department_id


class ExportBatch(im.ImmutableModel):
    """One batch of records sent to the national systems (国家企业信用信息公示系统 双随机抽查结果,
    “互联网+监管” 行政检查行为): what the department published since its last batch. The files
    are stored as produced; ``refused`` is the validation report (records left out, by name)."""

    department = models.ForeignKey("orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("批次号", max_length=20, unique=True)  # YYYYMMDD + 5-digit sequence
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = _user_fk("生成人")
    record_count = models.PositiveIntegerField("记录数", default=0)
    refused = models.JSONField("未通过校验的记录", default=list)
    gsxt_json = models.BinaryField("公示系统 JSON")
    gsxt_csv = models.BinaryField("公示系统 CSV")
    hlw_json = models.BinaryField("互联网+监管 JSON")
    hlw_csv = models.BinaryField("互联网+监管 CSV")

    immutable = im.Immutable(append_only="报送批次不可修改。", no_delete="报送批次不可删除。")

    class Meta:
        verbose_name = "报送批次"
        verbose_name_plural = "报送批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"报送批次 {self.number}"

    def audit_organisation_id(self) -> int:
        return self.department_id


class ExportedRecord(im.ImmutableModel):
    """Which batch carried which publication, with the operation (i 新增 / u 更正 / d 撤回)."""

    batch = models.ForeignKey(ExportBatch, on_delete=models.PROTECT, related_name="records")
    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="exports")
    operation = models.CharField("操作", max_length=1)

    immutable = im.Immutable(append_only="报送记录不可修改。", no_delete="报送记录不可删除。")

    class Meta:
        verbose_name = "报送记录"
        verbose_name_plural = "报送记录"
        constraints = [
            models.UniqueConstraint(fields=["publication", "operation"], name="exportedrecord_once_per_operation")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.publication_id} {self.operation}"
