"""Enumerations of the inspector register."""

from django.db import models


class RelationshipKind(models.TextChoices):
    KINSHIP = "kinship", "亲属关系"
    FORMER_EMPLOYMENT = "former_employment", "曾任职"
    SHAREHOLDING = "shareholding", "持股"
    OTHER = "other", "其他利害关系"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRING = "expiring", "30 天内到期"
    EXPIRED = "expired", "已过期"
    NOT_YET = "not_yet", "未生效"


EXPIRING_DAYS = 30
