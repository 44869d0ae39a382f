"""Model fields that point at a user: one definition for every app."""

from django.conf import settings
from django.db import models


def user_fk(label: str, **kw) -> models.ForeignKey:
    """Who did a step (创建人、审批人 …): optional, protected (a user who acted is never deleted),
    no reverse accessor on the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        **kw,
    )
