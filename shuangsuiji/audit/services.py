"""Writing and checking the audit trail.

- :func:`record` appends one entry (inside the caller's transaction, so an entry exists
  exactly when its change was committed).
- :func:`track` registers a model: every create, update and delete of it is recorded with a
  before/after summary of the changed fields, whoever makes the change (services, admin,
  shell). Domain actions name themselves with ``audit.context.acting(action="…")``.
- :func:`verify_chain` re-computes the chain and returns the first broken entry.

Sealed content (issue 17): an entry about a sealed list keeps what it says about the list
(seed, codes, names, reasons) in its ``sealed`` part with ``sealed_task_id`` naming the task;
its public ``before``/``after``/``reason`` say only that something happened. Both parts are
hashed. Who reads the sealed part is decided in :mod:`shuangsuiji.audit.sealed`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models import Exists
from django.db.models.signals import post_delete, post_save, pre_save

from shuangsuiji.audit import context
from shuangsuiji.audit.chain import GENESIS, entry_hash
from shuangsuiji.audit.models import AuditEntry, AuditGenesis, AuditHead, ChainStateError

REDACTED = "（已变更，内容不记录）"
SEALED = "（已封存）"


def _plain(value: Any) -> Any:
    """JSON-native copy (dates, decimals, UUIDs become strings) so hashes survive a round trip."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _actor_fields(ctx: context.AuditContext) -> tuple[int | None, str]:
    user = ctx.user
    if user is not None:
        name = getattr(user, "display_name", None) or user.get_username()
        return user.pk, f"{name}（{user.get_username()}）"
    return None, ctx.actor_name or "系统"


def _content(ctx, actor_id, actor_name, organisation_id, seq, prev_hash, **fields) -> dict[str, Any]:
    return {
        "seq": seq,
        "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name[:150],
        "organisation_id": organisation_id,
        "object_type": fields["object_type"][:64],
        "object_id": str(fields["object_id"])[:64],
        "object_repr": fields["object_repr"][:200],
        "action": fields["action"][:64],
        "before": _plain(fields["before"]) if fields["before"] is not None else None,
        "after": _plain(fields["after"]) if fields["after"] is not None else None,
        "reason": fields["reason"] or ctx.reason,
        "request_id": ctx.request_id,
        "client_request_id": ctx.client_request_id[:64],
        "ip": ctx.ip,
        "prev_hash": prev_hash,
        "sealed_task_id": fields.get("sealed_task_id"),
        "sealed": _sealed_part(fields.get("sealed")),
    }


def _sealed_part(sealed: dict | None) -> dict | None:
    """The sealed detail as stored: only the parts that say something."""
    if not sealed:
        return None
    part = {k: sealed[k] for k in ("before", "after", "reason") if sealed.get(k)}
    return _plain(part) if part else None


def _entry(content: dict[str, Any]) -> AuditEntry:
    fields = {k: v for k, v in content.items() if k != "created_at"}
    return AuditEntry(created_at=datetime.fromisoformat(content["created_at"]), hash=entry_hash(content), **fields)


def _locked_head() -> AuditHead:
    """The head row, locked. Never re-created here: the migration writes it with the genesis
    record, and a missing one means the trail was tampered with — appending would start a
    second chain over the deleted one, so the application refuses (and audit_verify says why)."""
    # one round trip: the locked head and whether the genesis record is still there
    head = (
        AuditHead.objects.select_for_update()
        .filter(id=1)
        .annotate(has_genesis=Exists(AuditGenesis.objects.filter(id=1)))
        .first()
    )
    if head is None or not head.has_genesis:
        raise ChainStateError(
            "审计链的创世记录或链头缺失，审计日志可能被篡改，已拒绝写入。请运行 audit_verify 并联系管理员。"
        )
    return head


def start_chain() -> AuditGenesis:
    """Write the genesis record and an empty head for a database that has no trail at all (what
    migration ``audit.0002`` does; also after a test database's flush). Refuses if entries exist."""
    import secrets

    genesis = AuditGenesis.objects.filter(id=1).first()
    if genesis is not None:
        return genesis
    if AuditEntry.objects.exists() or AuditHead.objects.exists():
        raise ChainStateError("审计日志已有记录，不能重新创建创世记录。")
    with transaction.atomic():
        genesis = AuditGenesis.objects.create(id=1, created_at=datetime.now(UTC), nonce=secrets.token_hex(16))
        AuditHead.objects.create(id=1, seq=0, hash=GENESIS)
    return genesis


def record_many(items: list[dict[str, Any]]) -> int:
    """Append many entries at once (imports): one lock, one bulk insert, the same chain rule.

    Each item has ``action``, ``obj`` (or object_type/object_id/object_repr), ``before``,
    ``after`` and optionally ``reason`` and ``organisation_id``.
    """
    if not items:
        return 0
    ctx = context.current()
    actor_id, actor_name = _actor_fields(ctx)
    default_org = getattr(ctx.user, "organisation_id", None) if ctx.user is not None else None
    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.seq, head.hash
        entries = []
        for item in items:
            obj = item.get("obj")
            org = item.get("organisation_id")
            if org is None and obj is not None:
                org = audit_organisation_id(obj)
            seq += 1
            content = _content(
                ctx,
                actor_id,
                actor_name,
                org if org is not None else default_org,
                seq,
                prev,
                action=item["action"],
                object_type=item.get("object_type") or obj._meta.label_lower,
                object_id=item.get("object_id") or obj.pk,
                object_repr=item.get("object_repr") or str(obj),
                before=item.get("before"),
                after=item.get("after"),
                reason=item.get("reason", ""),
                sealed_task_id=item.get("sealed_task_id"),
                sealed=item.get("sealed"),
            )
            entry = _entry(content)
            prev = entry.hash
            entries.append(entry)
        AuditEntry.objects.bulk_create(entries, batch_size=2000)
        AuditHead.objects.filter(id=1).update(seq=seq, hash=prev)
        _remember(connections[router.db_for_write(AuditEntry)], entries[-1])
    return len(entries)


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    organisation_id: int | None = None,
    sealed_task_id: int | None = None,
    sealed: dict | None = None,
) -> AuditEntry:
    """Append one entry. ``sealed`` ({"before", "after", "reason"}) is what the entry says
    about the sealed list of task ``sealed_task_id``; the public fields must not repeat it."""
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if organisation_id is None:
            organisation_id = audit_organisation_id(obj)
    actor_id, actor_name = _actor_fields(ctx)
    if organisation_id is None and ctx.user is not None:
        organisation_id = getattr(ctx.user, "organisation_id", None)
    fields = {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "before": before,
        "after": after,
        "reason": reason,
        "sealed_task_id": sealed_task_id,
        "sealed": sealed,
    }
    conn = connections[router.db_for_write(AuditEntry)]
    # No savepoint of its own (two round trips less per entry): an entry that cannot be written
    # fails the caller's transaction with it, as the change it records must not outlive it.
    with transaction.atomic(using=conn.alias, savepoint=False):
        if conn.vendor == "postgresql":
            return _append_pg(conn, ctx, actor_id, actor_name, organisation_id, fields)
        # The head row is the chain's lock: SQLite serialises on its IMMEDIATE write transaction.
        head = _locked_head()
        entry = _entry(_content(ctx, actor_id, actor_name, organisation_id, head.seq + 1, head.hash, **fields))
        entry.save()
        AuditHead.objects.filter(id=1).update(seq=entry.seq, hash=entry.hash)
    return entry


# --- PostgreSQL: the append as one compare-and-set statement ----------------------------------
#
# The connection remembers the head it last wrote or read locked (``_HEAD_MEMORY``: seq and
# hash). An entry is then written by ONE statement: the head is moved from exactly that
# (seq, hash) to the new entry's, only while the genesis record exists, and the entry is
# inserted only if the head moved. The condition is the chain rule itself (the new entry's seq
# and prev_hash follow the head as it is), so a stale memory — another connection appended, a
# savepoint or the transaction rolled back, the head was deleted or rewritten — updates no row
# and inserts nothing; the head is then read FOR UPDATE as before (refusing without the
# genesis record or the head) and the statement repeated with what it says. The row lock the
# UPDATE takes serialises writers as the SELECT … FOR UPDATE did: a waiting UPDATE re-checks
# its condition on the committed row (READ COMMITTED) and finds the head moved.
#
# A memory written in a transaction that rolled back (or in a rolled-back savepoint) is known
# to be stale and not tried. After a committed memory was found stale (another connection
# appended), the next transactions read the head first (no failed statement per transaction
# under concurrent writers) until such a read shows the memory had been right.

_HEAD_MEMORY = "_shuangsuiji_audit_head"  # attribute of the connection wrapper: a _Head


def _append_sql(conn) -> tuple[str, list]:
    """The compare-and-set statement and the entry's fields (cached per connection)."""
    cached = getattr(conn, "_shuangsuiji_audit_sql", None)
    if cached is not None:
        return cached
    qn = conn.ops.quote_name
    entry_fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]

    def cast(f) -> str:
        # literals in INSERT … SELECT are typed as text: cast to the column's type (text for
        # the character columns, whose length the assignment still checks)
        kind = f.get_internal_type()
        return "text" if kind in ("CharField", "TextField") else f.db_type(conn)

    sql = (
        f"WITH moved AS (UPDATE {qn(AuditHead._meta.db_table)} SET seq = %s, hash = %s "
        f"WHERE id = 1 AND seq = %s AND hash = %s "
        f"AND EXISTS (SELECT 1 FROM {qn(AuditGenesis._meta.db_table)} WHERE id = 1) RETURNING id) "
        f"INSERT INTO {qn(AuditEntry._meta.db_table)} ({', '.join(qn(f.column) for f in entry_fields)}) "
        f"SELECT {', '.join(f'CAST(%s AS {cast(f)})' for f in entry_fields)} FROM moved "
        f"RETURNING {qn(AuditEntry._meta.pk.column)}"
    )
    conn._shuangsuiji_audit_sql = (sql, entry_fields)
    return conn._shuangsuiji_audit_sql


def _try_append(conn, entry: AuditEntry, head_seq: int, head_hash: str) -> bool:
    sql, entry_fields = _append_sql(conn)
    params = [entry.seq, entry.hash, head_seq, head_hash]
    params += [f.get_db_prep_save(getattr(entry, f.attname), conn) for f in entry_fields]
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    if row is None:
        return False
    entry.pk = row[0]
    entry._state.adding = False
    entry._state.db = conn.alias
    return True


def _append_pg(conn, ctx, actor_id, actor_name, organisation_id, fields) -> AuditEntry:
    memory = getattr(conn, _HEAD_MEMORY, None)
    state = _memory_state(conn, memory)
    if state == "own" or (state == "committed" and not getattr(conn, _CONTENDED, False)):
        entry = _entry(_content(ctx, actor_id, actor_name, organisation_id, memory.seq + 1, memory.hash, **fields))
        if _try_append(conn, entry, memory.seq, memory.hash):
            _remember(conn, entry)
            return entry
        if state == "committed":  # another connection appended since: read the head first next time
            setattr(conn, _CONTENDED, True)
    head = _locked_head()  # no or a stale memory: the head as it is, locked (refuses without it)
    if state == "committed" and (memory.seq, memory.hash) == (head.seq, head.hash):
        setattr(conn, _CONTENDED, False)  # nobody else had appended: try the memory again
    entry = _entry(_content(ctx, actor_id, actor_name, organisation_id, head.seq + 1, head.hash, **fields))
    if not _try_append(conn, entry, head.seq, head.hash):  # cannot happen while the lock is held
        raise ChainStateError("审计链头在加锁后发生变化，已拒绝写入。请运行 audit_verify 并联系管理员。")
    _remember(conn, entry)
    return entry


_CONTENDED = "_shuangsuiji_audit_contended"


class _Head:
    """What the connection remembers: the head it wrote last, and whether that write was
    committed (its ``on_commit`` ran) or is still in the open transaction."""

    __slots__ = ("committed", "hash", "seq")

    def __init__(self, seq: int, hash_: str) -> None:
        self.seq, self.hash, self.committed = seq, hash_, False

    def __call__(self) -> None:  # on commit
        self.committed = True


def _memory_state(conn, memory: _Head | None) -> str:
    """ "own": written in the open transaction and not rolled back (its savepoint neither:
    Django drops the on-commit callbacks of a rolled-back savepoint), so the head is still it
    and locked by this transaction; "committed": written by a committed transaction (others may
    have appended since); "" : none, or rolled back."""
    if memory is None:
        return ""
    if memory.committed:
        return "committed"
    if conn.in_atomic_block and any(func is memory for _sids, func, _robust in conn.run_on_commit):
        return "own"
    return ""


def _remember(conn, entry: AuditEntry) -> None:
    memory = _Head(entry.seq, entry.hash)
    setattr(conn, _HEAD_MEMORY, memory)
    transaction.on_commit(memory, using=conn.alias)


def entry_content(entry: AuditEntry) -> dict[str, Any]:
    """The hashed content of a stored entry, as the database returns it."""
    return {
        "seq": entry.seq,
        "created_at": entry.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "organisation_id": entry.organisation_id,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "action": entry.action,
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
        "request_id": entry.request_id,
        "client_request_id": entry.client_request_id,
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
        "sealed_task_id": entry.sealed_task_id,
        "sealed": entry.sealed,
    }


@dataclass(frozen=True)
class ChainReport:
    count: int
    broken_seq: int | None = None
    problem: str = ""
    anchors: int = 0  # anchors checked
    anchor_line: int | None = None  # the first anchor that no longer matches

    @property
    def ok(self) -> bool:
        return self.broken_seq is None and self.anchor_line is None and not self.problem


def verify_chain(anchors: list | None = None) -> ChainReport:
    """Re-compute the chain; then the genesis record and the head; then every anchor.

    ``anchors``: :class:`shuangsuiji.audit.anchors.Anchor` list (``audit_verify`` reads the
    anchor file); the first one the chain no longer matches is named.
    """
    from shuangsuiji.audit.anchors import check_anchors

    anchors = anchors or []
    wanted = {a.seq for a in anchors}
    hashes: dict[int, str] = {}
    expected_prev = GENESIS
    expected_seq = 1
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return ChainReport(count, expected_seq, f"第 {expected_seq} 条缺失（下一条为第 {entry.seq} 条）")
        if entry.prev_hash != expected_prev:
            return ChainReport(count, entry.seq, f"第 {entry.seq} 条的上一条哈希与链不符")
        if entry_hash(entry_content(entry)) != entry.hash:
            return ChainReport(count, entry.seq, f"第 {entry.seq} 条的内容与其哈希不符（记录被修改）")
        if entry.seq in wanted:
            hashes[entry.seq] = entry.hash
        expected_prev = entry.hash
        expected_seq += 1
        count += 1
    genesis = AuditGenesis.objects.filter(id=1).first()
    if genesis is None:
        return ChainReport(count, count + 1, "审计链的创世记录缺失（审计日志被清空或替换）")
    head = AuditHead.objects.filter(id=1).first()
    if head is None:
        return ChainReport(count, count + 1, f"审计链头缺失（现有 {count} 条记录；链头与记录被删除）")
    if head.seq != count or head.hash != expected_prev:
        return ChainReport(count, count + 1, f"链头记录为第 {head.seq} 条，实际只有 {count} 条（末尾记录被删除）")
    first, problem = check_anchors(anchors, genesis.nonce, hashes, count)
    if first is not None:
        return ChainReport(count, problem=problem, anchors=len(anchors), anchor_line=first.line)
    return ChainReport(count, anchors=len(anchors))


# --- Model tracking ---------------------------------------------------------------------

_TRACKED: dict[type[models.Model], dict[str, Any]] = {}


def audit_organisation_id(obj: models.Model) -> int | None:
    """The organisation an object belongs to, for the scope of the trail."""
    getter = getattr(obj, "audit_organisation_id", None)
    if getter is not None:
        return getter() if callable(getter) else getter
    return getattr(obj, "organisation_id", None)


def snapshot(obj: models.Model) -> dict[str, Any]:
    options = _TRACKED.get(type(obj), {})
    exclude = options.get("exclude", ())
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        key = f.attname
        value = f.value_from_object(obj)
        if isinstance(f, models.FileField):
            value = value.name if value else ""
        data[key] = value
    return _plain(data)


def _redact(obj: models.Model, data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    options = _TRACKED.get(type(obj), {})
    secret, sealed = options.get("secret", ()), options.get("sealed", ())
    return {k: (REDACTED if k in secret else SEALED if k in sealed and v else v) for k, v in data.items()}


def _sealed_fields(obj: models.Model, before: dict | None, after: dict | None) -> dict[str, Any]:
    """``sealed_task_id`` and ``sealed`` for a tracked model with sealed fields."""
    fields = _TRACKED.get(type(obj), {}).get("sealed", ())
    if not fields:
        return {}
    part = {
        name: {k: v for k, v in data.items() if k in fields and v}
        for name, data in (("before", before), ("after", after))
        if data
    }
    part = {k: v for k, v in part.items() if v}
    if not part:
        return {}
    return {"sealed_task_id": obj.audit_sealed_task_id(), "sealed": part}


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        instance._audit_before = None
        return
    stored = _stored_by_guard(sender, instance)
    if stored is not None:
        instance._audit_before = stored
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


_UNFILTERED: dict[type, bool] = {}


def _stored_by_guard(model, instance) -> dict[str, Any] | None:
    """The snapshot of the stored row from the immutability guard's read of it in this same
    save (``immutability.check_save``), when that read holds every field the snapshot needs and
    the model's default manager (the one read otherwise) filters no rows; else None."""
    row = instance.__dict__.get("_immutability_stored")
    if row is None:
        return None
    unfiltered = _UNFILTERED.get(model)
    if unfiltered is None:
        unfiltered = _UNFILTERED[model] = not model._default_manager.all().query.where
    if not unfiltered:
        return None
    exclude = _TRACKED.get(model, {}).get("exclude", ())
    data: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.name in exclude:
            continue
        if f.attname not in row:
            return None
        value = row[f.attname]
        if isinstance(f, models.FileField):
            value = value or ""  # the stored name (snapshot: the file's name, or "")
        data[f.attname] = value
    return _plain(data)


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    after = snapshot(instance)
    ctx = context.current()
    if created:
        record(
            action=ctx.action or "create",
            obj=instance,
            after=_redact(instance, after),
            **_sealed_fields(instance, None, after),
        )
        return
    before = getattr(instance, "_audit_before", None) or {}
    changed = sorted(k for k in after if before.get(k) != after.get(k))
    if not changed:
        return
    before = {k: before.get(k) for k in changed}
    after = {k: after[k] for k in changed}
    record(
        action=ctx.action or "update",
        obj=instance,
        before=_redact(instance, before),
        after=_redact(instance, after),
        **_sealed_fields(instance, before, after),
    )


def _post_delete(sender, instance, **kwargs):
    ctx = context.current()
    before = snapshot(instance)
    record(
        action=ctx.action or "delete",
        obj=instance,
        before=_redact(instance, before),
        **_sealed_fields(instance, before, None),
    )


def track(
    model: type[models.Model],
    *,
    exclude: tuple[str, ...] = (),
    secret: tuple[str, ...] = (),
    sealed: tuple[str, ...] = (),
) -> None:
    """Record every create/update/delete of ``model``.

    ``exclude``: fields not recorded at all (noise such as ``last_login``);
    ``secret``: fields whose change is recorded but not their value (password hashes);
    ``sealed``: fields that may speak of a sealed list (a confirmation's note): their values
    go to the entry's sealed part, for the task ``instance.audit_sealed_task_id()`` names.
    """
    _TRACKED[model] = {"exclude": exclude, "secret": secret, "sealed": sealed}
    uid = f"audit:{model._meta.label_lower}"
    pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + ":pre")
    post_save.connect(_post_save, sender=model, dispatch_uid=uid + ":post")
    post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + ":del")
