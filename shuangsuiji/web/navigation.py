"""Every section of the platform, in the order of the navigation.

A section whose issue is not done yet has ``url_name=None`` and a plain note saying so;
its page shows that note and nothing else (no placeholder data).
"""

from __future__ import annotations

from dataclasses import dataclass

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.permissions import AUDIT_READERS


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    url_name: str | None
    pending_note: str = ""
    roles: tuple[str, ...] = ()  # empty: every signed-in user

    @property
    def ready(self) -> bool:
        return self.url_name is not None


SECTIONS: tuple[Section, ...] = (
    Section("home", "首页", "home"),
    Section("items", "抽查事项清单", "items:list"),
    Section("targets", "检查对象名录库", "targets:list"),
    Section("inspectors", "执法检查人员名录库", "inspectors:list"),
    Section("plans", "年度抽查计划", "plans:list"),
    Section("tasks", "抽查任务与抽取", "tasks:list"),
    Section("results", "检查结果录入", "inspections:home"),
    Section("followups", "后续处置", "followups:list"),
    Section("publicity", "信息公开", "publicity:desk"),
    Section("reports", "统计报表与督查", "reports:list"),
    Section("tags", "标签字库", "tags:list"),
    Section("audit", "全程留痕", "audit:list", roles=AUDIT_READERS),
    Section("orgs", "机构与用户", "orgs:list"),
    Section("calendar", "工作日历", "workdays:calendar"),
)

SECTIONS_BY_SLUG = {s.slug: s for s in SECTIONS}


def visible_sections(user) -> list[Section]:
    out = []
    for section in SECTIONS:
        if section.roles and not (user.is_superuser or user.has_role(*section.roles)):
            continue
        out.append(section)
    return out


HOME_TITLES = {
    Role.PLATFORM_ADMIN: "平台管理员工作台",
    Role.COORDINATING_OFFICE: "双随机办工作台",
    Role.DEPARTMENT_ADMIN: "部门系统管理员工作台",
    Role.UNIT_OPERATOR: "业务股室工作台",
    Role.INSPECTOR: "执法检查人员工作台",
    Role.SUPERVISOR: "督查工作台",
}
