"""Users and their roles.

Glossary (code → UI):
- Role.PLATFORM_ADMIN → 平台管理员
- Role.COORDINATING_OFFICE → 双随机办（领导小组办公室）
- Role.DEPARTMENT_ADMIN → 部门系统管理员
- Role.UNIT_OPERATOR → 业务股室操作员
- Role.INSPECTOR → 执法检查人员
- Role.SUPERVISOR → 督查（只读）
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", "平台管理员"
    COORDINATING_OFFICE = "coordinating_office", "双随机办"
    DEPARTMENT_ADMIN = "department_admin", "部门系统管理员"
    UNIT_OPERATOR = "unit_operator", "业务股室操作员"
    INSPECTOR = "inspector", "执法检查人员"
    SUPERVISOR = "supervisor", "督查（只读）"


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=64, blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name="所属机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField("电话", max_length=32, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def role_set(self) -> frozenset[str]:
        cached = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(g.role for g in self.role_grants.all()) if self.pk else frozenset()
            self._role_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [label for value, label in Role.choices if value in self.role_set]

    @property
    def primary_role(self) -> str | None:
        """The role that decides the home page: the first held, in Role order."""
        for value, _label in Role.choices:
            if value in self.role_set:
                return value
        return None


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授予"
        verbose_name_plural = "角色授予"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"
