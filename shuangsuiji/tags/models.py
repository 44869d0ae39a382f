"""The tag library (标签字库): hierarchical tags used by the target and inspector registers.

A tag's ``scope`` says which register may use it (targets, inspectors or both). Inspector
specialties (专业特长) and qualifications are tags of scope inspectors/both; item requirements
name them, which is how the draw matches inspectors to items.
"""

from __future__ import annotations

from django.db import models


class Tag(models.Model):
    class Scope(models.TextChoices):
        TARGETS = "targets", "检查对象"
        INSPECTORS = "inspectors", "执法检查人员"
        BOTH = "both", "通用"

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=64)
    parent = models.ForeignKey(
        "self", verbose_name="上级标签", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    scope = models.CharField("适用范围", max_length=12, choices=Scope.choices, default=Scope.BOTH)
    description = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签字库"
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="tag_unique_name_under_parent")]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.parent.full_name}/{self.name}" if self.parent_id else self.name

    @property
    def usable_for_targets(self) -> bool:
        return self.scope in (self.Scope.TARGETS, self.Scope.BOTH)

    @property
    def usable_for_inspectors(self) -> bool:
        return self.scope in (self.Scope.INSPECTORS, self.Scope.BOTH)
