"""The item list (随机抽查事项清单) and the check-form library (检查表格库).

Glossary (code → UI):
- ItemList → 事项清单 (one per department: default general ratio, publication state)
- Item → 抽查事项 (stable identity: department + code)
- ItemVersion → 事项版本 (immutable once published; draft 草稿 / published 已发布 / superseded 已被替代)
- ItemVersion.kind → 事项类别 (重点检查事项 key / 一般检查事项 general)
- SubItem → 子项 (主项/子项); LegalBasis → 法律依据
- ItemVersion.claimed_from → 认领来源 (the upper-level version this one was claimed from)
- CheckForm → 检查表格 (basic 基础表格 / custom 专用表格); FormVersion → 表格版本; FormField → 表格字段

Rules (enforced in ``services.py``; the models refuse to change a published snapshot):
- A published version never changes; editing a published item creates the next draft version.
- An item has at most one draft and at most one published version; older published versions
  are ``superseded`` and stay readable.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from shuangsuiji import immutability as im

GENERAL_MIN_RATIO = Decimal("0.05")  # 一般检查事项抽查比例不低于 5%（seed 001）


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已被新版本替代"


class ItemKind(models.TextChoices):
    KEY = "key", "重点检查事项"
    GENERAL = "general", "一般检查事项"


class ItemList(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "有未发布的修改"
        PUBLISHED = "published", "已发布"

    department = models.OneToOneField(
        "orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="item_list"
    )
    default_min_ratio = models.DecimalField(
        "一般事项默认抽查比例",
        max_digits=5,
        decimal_places=4,
        default=GENERAL_MIN_RATIO,
        validators=[MinValueValidator(GENERAL_MIN_RATIO), MaxValueValidator(Decimal("1"))],
        help_text="小数，如 0.05 表示 5%；不得低于 5%。",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    revision = models.PositiveIntegerField("发布次数", default=0)
    published_at = models.DateTimeField("最近发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="最近发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "事项清单"
        verbose_name_plural = "事项清单"

    def __str__(self) -> str:
        return f"{self.department.name}随机抽查事项清单"

    def audit_organisation_id(self) -> int:
        return self.department_id


class Item(models.Model):
    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField("事项编码", max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    latest_version = models.ForeignKey(
        "ItemVersion", verbose_name="最新版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_version = models.ForeignKey(
        "ItemVersion", verbose_name="现行发布版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField("停用时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="停用人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdraw_reason = models.CharField("停用原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "抽查事项"
        verbose_name_plural = "抽查事项"
        ordering = ["department_id", "code"]
        constraints = [models.UniqueConstraint(fields=["department", "code"], name="item_unique_code_in_department")]

    def __str__(self) -> str:
        name = self.latest_version.name if self.latest_version_id else ""
        return f"{self.code} {name}".strip()

    def audit_organisation_id(self) -> int:
        return self.department_id

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class ImmutableWhenPublished(im.ImmutableModel):
    """A versioned snapshot: once published only its status may move on (to superseded)."""

    immutable = im.Immutable(
        freeze=(
            im.Freeze(
                "已发布的版本不可修改（字段 {field}）；请创建新版本。",
                when=im.stored("status").not_in(VersionStatus.DRAFT),
                except_=("status",),
            ),
            im.Freeze(
                "已被替代的版本不可再改变状态。",
                when=im.stored("status").in_(VersionStatus.SUPERSEDED),
                fields=("status",),
            ),
        ),
        no_delete="已发布的版本不可删除。",
        no_delete_when=im.stored("status").not_in(VersionStatus.DRAFT),
    )

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


class ItemVersion(ImmutableWhenPublished):
    # Its inspector requirements and check forms are frozen with it.
    immutable = dataclasses.replace(
        ImmutableWhenPublished.immutable,
        m2m=("inspector_requirements", "forms"),
        m2m_when=im.stored("status").not_in(VersionStatus.DRAFT),
        m2m_message="已发布的事项版本不可修改；请创建新版本。",
    )

    item = models.ForeignKey(Item, verbose_name="事项", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    name = models.CharField("事项名称", max_length=200)
    kind = models.CharField("事项类别", max_length=8, choices=ItemKind.choices, default=ItemKind.GENERAL)
    min_ratio = models.DecimalField(
        "最低抽查比例",
        max_digits=5,
        decimal_places=4,
        default=GENERAL_MIN_RATIO,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text="小数，如 0.05 表示 5%。",
    )
    frequency = models.CharField("抽查频次", max_length=100, blank=True)
    target_types = models.JSONField("检查对象类型", default=list, blank=True)  # TargetType values
    methods = models.JSONField("检查方式", default=list, blank=True)  # InspectionMethod values
    inspector_requirements = models.ManyToManyField(
        "tags.Tag", verbose_name="执法检查人员要求（专业特长、资格）", blank=True, related_name="+"
    )
    national_code = models.CharField("“互联网+监管”事项编码", max_length=64, blank=True)
    forms = models.ManyToManyField("CheckForm", verbose_name="检查表格", blank=True, related_name="item_versions")
    remarks = models.TextField("备注", blank=True)
    change_note = models.CharField("修订说明", max_length=200, blank=True)
    claimed_from = models.ForeignKey(
        "self", verbose_name="认领来源", null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["item", "version"], name="itemversion_unique_number"),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="draft"), name="itemversion_one_draft_per_item"
            ),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="published"), name="itemversion_one_published_per_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} {self.name}（第 {self.version} 版）"

    def audit_organisation_id(self) -> int:
        return self.item.department_id

    @property
    def ratio_percent(self) -> str:
        return f"{(self.min_ratio * 100).normalize():f}%"

    @property
    def target_type_labels(self) -> list[str]:
        from shuangsuiji.targets.choices import TargetType

        labels = dict(TargetType.choices)
        return [labels.get(v, v) for v in self.target_types]

    @property
    def method_labels(self) -> list[str]:
        from shuangsuiji.targets.choices import InspectionMethod

        labels = dict(InspectionMethod.choices)
        return [labels.get(v, v) for v in self.methods]


CHILD_FROZEN = im.stored("status").not_in(VersionStatus.DRAFT)
CHILD_MESSAGE = "已发布的版本不可修改；请创建新版本。"


class VersionChild(im.ImmutableModel):
    """A row of a versioned snapshot: frozen with its parent version (``immutable`` names it)."""

    class Meta:
        abstract = True


class SubItem(VersionChild):
    immutable = im.FrozenWith("version", CHILD_FROZEN, CHILD_MESSAGE)

    version = models.ForeignKey(
        ItemVersion, verbose_name="事项版本", on_delete=models.CASCADE, related_name="sub_items"
    )
    position = models.PositiveIntegerField("序号")
    code = models.CharField("子项编码", max_length=64)
    name = models.CharField("子项名称", max_length=200)
    check_content = models.TextField("检查内容", blank=True)

    class Meta:
        verbose_name = "子项"
        verbose_name_plural = "子项"
        ordering = ["version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="subitem_unique_position"),
            models.UniqueConstraint(fields=["version", "code"], name="subitem_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def audit_organisation_id(self) -> int:
        return self.version.item.department_id


class LegalBasis(VersionChild):
    immutable = im.FrozenWith("version", CHILD_FROZEN, CHILD_MESSAGE)

    version = models.ForeignKey(
        ItemVersion, verbose_name="事项版本", on_delete=models.CASCADE, related_name="legal_bases"
    )
    position = models.PositiveIntegerField("序号")
    law = models.CharField("法律法规名称", max_length=200)
    articles = models.CharField("条款", max_length=300, blank=True)

    class Meta:
        verbose_name = "法律依据"
        verbose_name_plural = "法律依据"
        ordering = ["version_id", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="legalbasis_unique_position")]

    def __str__(self) -> str:
        return f"{self.law}{self.articles}"

    def audit_organisation_id(self) -> int:
        return self.version.item.department_id


# --- Check-form library -------------------------------------------------------------------


class CheckForm(models.Model):
    class Kind(models.TextChoices):
        BASIC = "basic", "基础表格"
        CUSTOM = "custom", "专用表格"

    department = models.ForeignKey(
        "orgs.Organisation", verbose_name="部门", on_delete=models.PROTECT, related_name="check_forms"
    )
    code = models.CharField("表格编码", max_length=64)
    kind = models.CharField("表格类别", max_length=8, choices=Kind.choices, default=Kind.CUSTOM)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    latest_version = models.ForeignKey(
        "FormVersion", verbose_name="最新版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_version = models.ForeignKey(
        "FormVersion", verbose_name="现行发布版本", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "检查表格"
        verbose_name_plural = "检查表格库"
        ordering = ["department_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "code"], name="checkform_unique_code_in_department")
        ]

    def __str__(self) -> str:
        name = self.latest_version.name if self.latest_version_id else ""
        return f"{name}（{self.code}）" if name else self.code

    def audit_organisation_id(self) -> int:
        return self.department_id


class FormVersion(ImmutableWhenPublished):
    form = models.ForeignKey(CheckForm, verbose_name="表格", on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    name = models.CharField("表格名称", max_length=200)
    description = models.TextField("填表说明", blank=True)

    class Meta:
        verbose_name = "表格版本"
        verbose_name_plural = "表格版本"
        ordering = ["form_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="formversion_unique_number"),
            models.UniqueConstraint(
                fields=["form"], condition=models.Q(status="draft"), name="formversion_one_draft_per_form"
            ),
            models.UniqueConstraint(
                fields=["form"], condition=models.Q(status="published"), name="formversion_one_published_per_form"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第 {self.version} 版）"

    def audit_organisation_id(self) -> int:
        return self.form.department_id


class FieldType(models.TextChoices):
    BOOLEAN = "boolean", "是否"
    SINGLE_CHOICE = "single_choice", "单选"
    MULTIPLE_CHOICE = "multiple_choice", "多选"
    TEXT = "text", "文本"
    NUMBER = "number", "数字"
    DATE = "date", "日期"
    ATTACHMENT = "attachment", "照片/附件"


CHOICE_TYPES = (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE)


class FormField(VersionChild):
    immutable = im.FrozenWith("form_version", CHILD_FROZEN, CHILD_MESSAGE)

    form_version = models.ForeignKey(
        FormVersion, verbose_name="表格版本", on_delete=models.CASCADE, related_name="fields"
    )
    position = models.PositiveIntegerField("序号")
    key = models.SlugField("字段键", max_length=32, help_text="答案中的键，如 f1")
    label = models.CharField("字段名称", max_length=200)
    field_type = models.CharField("字段类型", max_length=16, choices=FieldType.choices)
    required = models.BooleanField("必填", default=True)
    options = models.JSONField("选项", default=list, blank=True)  # list[str] for choice fields
    help_text = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "表格字段"
        verbose_name_plural = "表格字段"
        ordering = ["form_version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form_version", "position"], name="formfield_unique_position"),
            models.UniqueConstraint(fields=["form_version", "key"], name="formfield_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label

    def audit_organisation_id(self) -> int:
        return self.form_version.form.department_id
