"""Enumerations of the target register shared with other apps (items, planning)."""

from django.db import models


class TargetType(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"
    FOREIGN_REP = "foreign_rep", "外国企业常驻代表机构"
    PROJECT = "project", "项目"
    PRODUCT = "product", "产品"
    OTHER = "other", "其他"


class RiskClass(models.TextChoices):
    A = "A", "A 低风险"
    B = "B", "B 一般风险"
    C = "C", "C 较高风险"
    D = "D", "D 高风险"
    # Not (yet) classified: a new target without a class in its row or form. Never a stratum
    # of the draw itself: a stratified task names the class whose stratum takes these targets
    # (``Task.population["unclassified_as"]``, default B; tasks/population.py).
    UNCLASSIFIED = "U", "未分类"


# The classes a classification can give (the strata of a stratified draw).
CLASSIFIED = ("A", "B", "C", "D")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", "存续（在业）"
    DEREGISTERED = "deregistered", "注销"
    REVOKED = "revoked", "吊销"
    CANCELLED = "cancelled", "撤销"
    MOVED_OUT = "moved_out", "迁出"
    CLOSED = "closed", "停业"


class InspectionMethod(models.TextChoices):
    ON_SITE = "on_site", "实地检查"
    WRITTEN = "written", "书面检查"
    OTHER_AUTHORITY = "other_authority", "行政部门检查结果或专业意见"
    TESTING = "testing", "检验检测"
    ONLINE = "online", "网络监测"
    DELEGATED = "delegated", "委托专业机构辅助"
