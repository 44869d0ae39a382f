"""The append-only, hash-chained audit trail (全程留痕).

Each entry stores the SHA-256 of its own canonical content, which includes the hash of the
previous entry; ``AuditHead`` holds the sequence number and hash of the last entry so that a
deleted tail is caught too. See :mod:`shuangsuiji.audit.chain` for the hash rule and
``python manage.py audit_verify`` for the check.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(RuntimeError):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改。")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除。")


class AuditEntry(models.Model):
    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT
    )
    actor_name = models.CharField("操作人姓名", max_length=150)
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name="所属机构", null=True, blank=True, on_delete=models.PROTECT
    )
    object_type = models.CharField("对象类型", max_length=64, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, db_index=True)
    object_repr = models.CharField("对象", max_length=200)
    action = models.CharField("操作", max_length=64, db_index=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    # A malformed X-Request-ID the client sent (sanitised, truncated); the entry's request_id
    # is then one the server generated.
    client_request_id = models.CharField("客户端请求编号", max_length=64, blank=True, default="")
    ip = models.CharField("IP 地址", max_length=45, blank=True)
    prev_hash = models.CharField("上一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64, unique=True)
    # The sealed part (issue 17): the task whose sealed list this entry touches, and what the
    # entry says about that list ({"before", "after", "reason"}), shown only by ``audit.sealed``.
    sealed_task_id = models.BigIntegerField("所属保密名单的任务", null=True, blank=True, db_index=True)
    sealed = models.JSONField("封存内容", null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action_label} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计日志只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除。")

    @property
    def action_label(self) -> str:
        from shuangsuiji.audit.labels import action_label

        return action_label(self.action)

    @property
    def object_label(self) -> str:
        from shuangsuiji.audit.labels import object_label

        return object_label(self.object_type)

    def field_label(self, name: str) -> str:
        from shuangsuiji.audit.labels import field_label

        return field_label(self.object_type, name)


class AuditHead(models.Model):
    """A single row: the last entry's sequence number and hash (catches a deleted tail)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash}"


class ChainStateError(RuntimeError):
    """The chain's own records (genesis, head) are missing: the trail was tampered with."""


class AuditGenesis(models.Model):
    """The birth of the chain: one row written by migration ``audit.0002``, never changed.

    Its presence says "this trail exists": a database whose entries *and* head were deleted
    still has it, so ``audit_verify`` knows a chain existed and reports the missing head
    instead of "OK 0 entries". Its random ``nonce`` is written into every external anchor
    (:mod:`shuangsuiji.audit.anchors`), so a trail wiped and started again — genesis included —
    no longer matches the anchors of the old one. The ORM refuses to change or delete it, and
    :func:`shuangsuiji.audit.services.record` refuses to append without it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    created_at = models.DateTimeField("创建时间")
    nonce = models.CharField("随机标识", max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计链创世记录"
        verbose_name_plural = "审计链创世记录"

    def __str__(self) -> str:
        return f"创世 {self.created_at:%Y-%m-%d %H:%M:%S} {self.nonce}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("审计链创世记录不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计链创世记录不能删除。")
