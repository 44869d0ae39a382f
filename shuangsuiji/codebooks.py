"""Versioned codebooks (代码表): the result codebook (``inspections.ResultCode``) and the
follow-up codebook (``followups.FollowUpType``) are one kind of thing. A codebook version is
loaded by a data migration and never edited; a new version adds new rows. Stored records point
at the row of the version they were made with (normalised: one row per code, never a comma
string)."""

from django.db import models


class CodebookEntry(models.Model):
    """One code of one version of a codebook. Subclasses add ``code`` and ``label`` (their own
    Chinese names) and what the code means; ``(codebook_version, code)`` and
    ``(codebook_version, label)`` are unique in each."""

    codebook_version = models.CharField("代码表版本", max_length=16)
    position = models.PositiveSmallIntegerField("序号")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.code} {self.label}"
