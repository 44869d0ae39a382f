"""Administrative regions (GB/T 2260) and the organisations that work in them.

Glossary (code → UI):
- Region → 行政区划 (province 省级 / city 地市级 / county 县级)
- DepartmentKind → 部门类别 (水务局/水利局, 市场监管局, 自然资源和规划局 …; editable)
- Organisation → 机构; kind department 部门 / unit 内设股室（处室） / office 领导小组办公室
- is_coordinating_office → 双随机办 (the coordinating office of a region or a department)
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "地市级"
        COUNTY = "county", "县级"

    code = models.CharField("行政区划代码", max_length=6, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("层级", max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes, e.g. "130000/130500/130534/": subtree = path prefix.
    path = models.CharField(max_length=32, db_index=True, editable=False)

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        names = []
        node: Region | None = self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


def validate_region_code(value: str) -> None:
    """Reject a region code that is not in the shipped GB/T 2260 table."""
    if not Region.objects.filter(code=value).exists():
        raise ValidationError("行政区划代码 %(code)s 不存在（GB/T 2260）。", params={"code": value})


class RegionField(models.ForeignKey):
    """A foreign key to Region: a code that does not exist is rejected by the database."""

    def __init__(self, verbose_name: str = "行政区划", **kwargs):
        kwargs.setdefault("on_delete", models.PROTECT)
        kwargs.setdefault("to", "orgs.Region")
        super().__init__(verbose_name=verbose_name, **kwargs)


class DepartmentKind(models.Model):
    """The line of work of a department (水务, 市场监管 …). Editable by administrators."""

    code = models.SlugField("代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64, unique=True)
    aliases = models.CharField("其他名称", max_length=200, blank=True, help_text="以顿号分隔，如：水务局、水利局")
    sort_order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "部门类别"
        verbose_name_plural = "部门类别"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", "领导小组办公室"
        DEPARTMENT = "department", "部门"
        UNIT = "unit", "内设股室（处室）"

    name = models.CharField("名称", max_length=128)
    short_name = models.CharField("简称", max_length=32, blank=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    region = RegionField()
    department_kind = models.ForeignKey(
        DepartmentKind, verbose_name="部门类别", null=True, blank=True, on_delete=models.PROTECT
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级机构", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_coordinating_office = models.BooleanField("双随机办", default=False)
    is_active = models.BooleanField("启用", default=True)
    # Materialised path of ids, e.g. "12/45/": the subtree is every path with this prefix.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["region_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="organisation_unique_name_in_region"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = self.compute_path()
        if new_path != old_path:
            Organisation.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                # Re-root the descendants after a move.
                for child in Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    Organisation.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])

    def clean(self) -> None:
        if self.kind == self.Kind.UNIT and (self.parent is None or self.parent.kind != self.Kind.DEPARTMENT):
            raise ValidationError({"parent": "内设股室必须隶属于一个部门。"})
        if self.kind == self.Kind.DEPARTMENT and self.department_kind_id is None:
            raise ValidationError({"department_kind": "部门必须选择部门类别。"})
        if self.parent_id and self.pk and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": "上级机构不能是本机构或其下级。"})

    @property
    def department(self) -> Organisation | None:
        """The department this organisation belongs to (itself for a department)."""
        if self.kind == self.Kind.DEPARTMENT:
            return self
        if self.kind == self.Kind.UNIT:
            return self.parent
        return None

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else ""
        return f"{prefix}{self.pk}/"

    def subtree(self) -> models.QuerySet[Organisation]:
        return Organisation.objects.filter(path__startswith=self.path)
