"""The index rows of a draw's first result: ``DrawnTarget`` (a target draw) and ``Assignment``
(an inspector draw), written by the job queue after the draw committed, from the draw's own
stored result (version 1 of result.json).

The draw (its bundle, result.json, the compare-and-set on the Draw row, the audit entry) is
the truth and stays in the request; the index rows are derived. The draw records how many rows
its index has (``Draw.index_total``); :func:`complete` writes them in chunks, each chunk with
the count of rows written (``Draw.index_done``) in one transaction, so that a job that runs
twice or after a crash writes each row once. Until the index is complete every reader that
needs it is gated (:class:`IndexPending`, ``drawday.require_index``, ``sealed.require_sealed``).

A provincial draw has 50,000 drawn targets and, per department, 100,000 group places. On
PostgreSQL the rows go in as one ``INSERT … SELECT`` per chunk over one text parameter split on
the server (no ORM object per row), by id and in target-id order, so that the target indexes
grow along their keys; the register ids are read first in one index scan by code. A code or
执法证号 that is not in the register stops the job (the index stays incomplete, the readers
gated) instead of dropping a row. Elsewhere (SQLite) the same rows are made with
``bulk_create`` in batches. The references are checked once per statement (tasks migration
0005, shuangsuiji/references.py).
"""

from __future__ import annotations

import json
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import F

from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.pgsql import server_bound_cursor
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import storage
from shuangsuiji.tasks.models import Assignment, Draw, DrawKind, DrawnTarget, DrawResult, DrawStatus

BATCH = 2000
CHUNK = 25_000  # rows per transaction of the index job (its progress steps)
ANALYZE_AFTER = 10_000


class UnknownInRegister(RuleError):
    """The result names a target or inspector the register does not hold."""


def _columns(model, names: list[str]) -> str:
    return ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in names)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lines(rows) -> str:
    """Rows as one text parameter, a line each, fields joined by ',' (codes, 执法证号, strata
    and tickets never hold ',' or a line break: the engine refuses them in every id)."""
    return "\n".join(",".join(str(f) for f in r) for r in rows)


# The rows travel as one text parameter split on the server: a 50,000-element array
# parameter costs more to encode on the client than the whole insert on the server.
_ROWS = "unnest(string_to_array(%s, E'\\n')) WITH ORDINALITY AS x(line, n)"


class IndexPending(RuleError):
    """A reader needs the index rows of a draw whose index the job queue has not finished."""

    def __init__(self, draw: Draw):
        self.draw = draw
        label = "抽中对象名单" if draw.kind == DrawKind.TARGETS else "检查人员分配名单"
        super().__init__(
            f"名单索引生成中：{draw.draw_id} 的{label}已生成 {draw.index_done:,} / {draw.index_total:,} 行，"
            "完成后方可查看或办理，请稍后再试。"
        )


def index_pending(draw: Draw) -> Draw | None:
    """The draw whose index rows the job queue has not finished, of this draw's target draw and
    its drawn inspector draws; None when every index a page of this draw reads is complete."""
    target_draw = draw if draw.kind == DrawKind.TARGETS else draw.target_draw
    for d in [target_draw, *target_draw.inspector_draws.filter(status=DrawStatus.DRAWN).order_by("pk")]:
        if not d.index_complete:
            return d
    return None


# --- The job: the index rows of a draw's first result, after the draw committed ----------------


def schedule(draw_id: int) -> None:
    """Queue the index job of a draw just drawn (called inside the draw's transaction).

    The job runs after the commit (it reads the committed result); where huey runs immediate
    (the tests, ``HUEY_IMMEDIATE``) it runs at once, inside this transaction."""
    from huey.contrib.djhuey import HUEY

    from shuangsuiji.tasks.tasks import write_index_task

    if HUEY.immediate:
        write_index_task(draw_id)
    else:
        transaction.on_commit(lambda: write_index_task(draw_id), robust=True)


def complete(draw_id: int) -> int:
    """Write the index rows of the draw's first result (version 1, the engine's own result.json)
    that are not written yet; returns how many this call wrote.

    Idempotent and resumable: the rows are in a fixed order (target id), written CHUNK at a
    time, each chunk in one transaction with the count on the Draw row (``index_done``, read and
    advanced under the row's lock). A second job, or one after a crash, continues where the
    committed count stands and writes each row once; a job for a complete index writes nothing."""
    draw = Draw.objects.get(pk=draw_id)
    if draw.index_complete:
        return 0
    rows = _result_rows(draw)
    if len(rows) != draw.index_total:
        raise UnknownInRegister(
            f"抽取 {draw.draw_id} 的结果有 {len(rows)} 行，与抽取时记录的 {draw.index_total} 行不一致。"
        )
    written = 0
    while True:
        with transaction.atomic():
            locked = Draw.objects.select_for_update().only("index_done", "index_total", "task_id").get(pk=draw_id)
            done = locked.index_done
            if done >= locked.index_total:
                return written
            chunk = rows[done : done + CHUNK]
            if draw.kind == DrawKind.TARGETS:
                _insert_drawn_targets(draw_id, chunk)
            else:
                _insert_assignments(draw_id, chunk)
            Draw.objects.filter(pk=draw_id).update(index_done=done + len(chunk))
            written += len(chunk)
            if done + len(chunk) >= locked.index_total:
                _analyze(DrawnTarget if draw.kind == DrawKind.TARGETS else Assignment, len(rows))
                from shuangsuiji.reports import summary

                summary.touch(locked.task_id, draws=True)  # the rows go in bulk: no save signal


def pending() -> list[int]:
    """The draws whose index is not complete (the periodic job resumes them)."""
    return list(Draw.objects.filter(index_done__lt=F("index_total")).order_by("pk").values_list("pk", flat=True))


def _result_rows(draw: Draw) -> list[tuple]:
    """The index rows of the draw's first result, by register id, in target-id order (stable:
    a group keeps its order), so that the target indexes grow along their keys.

    Target draw: (target id, stratum, ticket, position, code), positions 1, 2, … in the order of
    result.json (strata in key order, each in ticket order, spec §9). Inspector draw: (target
    id, inspector id, is expert), each group its inspectors, then its experts."""
    first = DrawResult.objects.filter(draw_id=draw.pk, version=1).values_list("pk", flat=True).get()
    result = json.loads(bytes(storage.read(DrawResult, first, ["result_json"])["result_json"]))
    if draw.kind == DrawKind.TARGETS:
        strata = result["targets"]["strata"]
        listed = [
            (sel["id"], s, sel["ticket"]) for s in sorted(strata, key=str.encode) for sel in strata[s]["selected"]
        ]
        ids = _target_ids([c for c, _s, _t in listed])
        rows = [(ids[c], s, t, n, c) for n, (c, s, t) in enumerate(listed, start=1) if c in ids]
        if len(rows) != len(listed):
            raise UnknownInRegister(f"抽取结果中有 {len(listed) - len(rows)} 个检查对象不在检查对象名录库中。")
    else:
        listed = []
        for g in result["assignment"]["groups"]:
            listed += [(g["target"], cert, False) for cert in g["inspectors"]]
            listed += [(g["target"], cert, True) for cert in g["experts"]]
        ids = _target_ids(list({c for c, _i, _e in listed}))
        by_cert = _ids(Inspector, "certificate_no", list({r[1] for r in listed}))
        rows = [(ids[c], by_cert[i], e) for c, i, e in listed if c in ids and i in by_cert]
        if len(rows) != len(listed):
            raise UnknownInRegister(f"抽取结果中有 {len(listed) - len(rows)} 个分配的检查对象或检查人员不在名录库中。")
    rows.sort(key=itemgetter(0))
    return rows


def _target_ids(codes: list[str]) -> dict[str, int]:
    """Register ids by code; on PostgreSQL in one index scan in code order (`= ANY` sorts the
    codes): a lookup per row in draw order read 65,000-85,000 register pages from disk for
    50,003 targets (docs/benchmarks.md)."""
    if connection.vendor != "postgresql":
        return _ids(Target, "code", codes)
    return dict(
        _fetch(
            f"SELECT {_columns(Target, ['code', 'id'])} FROM {_table(Target)} "
            f"WHERE {_columns(Target, ['code'])} = ANY(string_to_array(%s, E'\\n'))",
            ["\n".join(codes)],
        )
    )


def _insert_drawn_targets(draw_id: int, rows: list[tuple]) -> None:
    """``rows``: (target id, stratum, ticket, position, code)."""
    if connection.vendor == "postgresql":
        cols = ["draw", "target", "stratum", "ticket", "position", "code", "from_reserve", "replaced_reason"]
        sql = (
            f"INSERT INTO {_table(DrawnTarget)} ({_columns(DrawnTarget, cols)}) "
            "SELECT %s, split_part(x.line, ',', 1)::bigint, split_part(x.line, ',', 2), "
            "split_part(x.line, ',', 3), split_part(x.line, ',', 4)::integer, "
            "split_part(x.line, ',', 5), false, '' "
            "FROM unnest(string_to_array(%s, E'\\n')) AS x(line)"
        )
        _execute(sql, [draw_id, _lines(rows)])
    else:
        objs = [
            DrawnTarget(draw_id=draw_id, target_id=t, stratum=s, ticket=k, position=n, code=c) for t, s, k, n, c in rows
        ]
        DrawnTarget.objects.bulk_create(objs, batch_size=BATCH)


def _insert_assignments(draw_id: int, rows: list[tuple]) -> None:
    """``rows``: (target id, inspector id, is expert)."""
    if connection.vendor == "postgresql":
        cols = ["draw", "target", "inspector", "is_expert", "from_substitution", "ended_reason"]
        sql = (
            f"INSERT INTO {_table(Assignment)} ({_columns(Assignment, cols)}) "
            "SELECT %s, split_part(x.line, ',', 1)::bigint, split_part(x.line, ',', 2)::bigint, "
            f"split_part(x.line, ',', 3) = '1', false, '' FROM {_ROWS} ORDER BY x.n"
        )
        _execute(sql, [draw_id, _lines((t, i, int(e)) for t, i, e in rows)])
    else:
        objs = [Assignment(draw_id=draw_id, target_id=t, inspector_id=i, is_expert=e) for t, i, e in rows]
        Assignment.objects.bulk_create(objs, batch_size=BATCH)


def _analyze(model, written: int) -> None:
    """After a large write, fresh planner statistics (autovacuum may be off or late): with the
    table still counted as small, the sealed list's page query sorted every drawn row."""
    if written >= ANALYZE_AFTER:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {_table(model)}")


def _execute(sql: str, params: list) -> int:
    """Run on the connection itself with the parameters bound by the server (the arrays
    travel in binary, not as one huge SQL literal); same transaction. Returns the row count."""
    with server_bound_cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _fetch(sql: str, params: list) -> list[tuple]:
    """As `_execute`, for a query: its rows."""
    with server_bound_cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _ids(model, field: str, values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(values), BATCH):
        chunk = values[start : start + BATCH]
        out.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return out
