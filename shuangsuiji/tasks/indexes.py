"""The index rows of a draw's first result: ``DrawnTarget`` (a target draw) and ``Assignment``
(an inspector draw), written from the engine's result in one statement per table.

A provincial draw has 50,000 drawn targets and, per department, 100,000 group places. On
PostgreSQL the rows go in as one ``INSERT … SELECT`` over one text parameter split on the
server (no ORM object per row), by id and in target-id order, so that the target indexes grow
along their keys: the drawn targets' ids are read first in one index scan by code, a
department's group places come with theirs (the caller knows the drawn targets' ids, the
inspectors' are read once). A code or 执法证号 that is not in the register refuses the draw
instead of dropping a row. Elsewhere
(SQLite) the same rows are made with ``bulk_create`` in batches. The references are checked
once per statement (tasks migration 0005, shuangsuiji/references.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter

from django.db import connection

from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks.models import Assignment, DrawnTarget

BATCH = 2000
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


def drawn_targets(draw_id: int, rows: list[tuple[str, str, str]]) -> None:
    """``rows``: (target code, stratum, ticket) in position order (positions 1, 2, …)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        # The ids first, in one index scan in code order (`= ANY` sorts the codes), then the
        # rows in id order: a lookup per row in draw order read 65,000-85,000 register pages
        # from disk for 50,003 targets (EXPLAIN (ANALYZE, BUFFERS): 3.1-4.0 s -> 1.4-1.9 s
        # with the id query, at load 7.5; docs/benchmarks.md).
        ids = dict(
            _fetch(
                f"SELECT {_columns(Target, ['code', 'id'])} FROM {_table(Target)} "
                f"WHERE {_columns(Target, ['code'])} = ANY(string_to_array(%s, E'\\n'))",
                ["\n".join(r[0] for r in rows)],
            )
        )
        known = sorted((ids[c], s, t, n) for n, (c, s, t) in enumerate(rows, start=1) if c in ids)
        if len(known) != len(rows):
            raise UnknownInRegister(f"抽取结果中有 {len(rows) - len(known)} 个检查对象不在检查对象名录库中。")
        cols = ["draw", "target", "stratum", "ticket", "position", "from_reserve", "replaced_reason"]
        sql = (
            f"INSERT INTO {_table(DrawnTarget)} ({_columns(DrawnTarget, cols)}) "
            "SELECT %s, split_part(x.line, ',', 1)::bigint, split_part(x.line, ',', 2), "
            "split_part(x.line, ',', 3), split_part(x.line, ',', 4)::integer, false, '' "
            "FROM unnest(string_to_array(%s, E'\\n')) AS x(line)"
        )
        written = _execute(sql, [draw_id, _lines(known)])
        _analyze(DrawnTarget, written)
    else:
        ids = _ids(Target, "code", [r[0] for r in rows])
        objs = [
            DrawnTarget(draw_id=draw_id, target_id=ids[code], stratum=s, ticket=t, position=n)
            for n, (code, s, t) in enumerate(rows, start=1)
            if code in ids
        ]
        DrawnTarget.objects.bulk_create(objs, batch_size=BATCH)
        written = len(objs)
    if written != len(rows):
        raise UnknownInRegister(f"抽取结果中有 {len(rows) - written} 个检查对象不在检查对象名录库中。")


def assignments(draw_id: int, rows: list[tuple[str, str, bool]], target_ids: Mapping[str, int]) -> None:
    """``rows``: (target code, 执法证号, is expert) in group order; ``target_ids``: the register
    id of each drawn target's code (the caller read them with the codes it gave the engine).

    The inspectors' ids are read once (a department has a few thousand), so the rows go in as
    plain ids: no lookup per group place."""
    if not rows:
        return
    by_cert = _ids(Inspector, "certificate_no", list({r[1] for r in rows}))
    known = [
        (target_ids[code], by_cert[cert], expert)
        for code, cert, expert in rows
        if code in target_ids and cert in by_cert
    ]
    if len(known) != len(rows):
        raise UnknownInRegister(f"抽取结果中有 {len(rows) - len(known)} 个分配的检查对象或检查人员不在名录库中。")
    # In target order (stable: a group keeps its order): the target index then grows along its
    # keys instead of at 100,000 random places. EXPLAIN (ANALYZE, BUFFERS, WAL) of 100,006
    # group places: WAL 62 -> 37.5 MB, pages dirtied 5,296 -> 1,378 (docs/benchmarks.md).
    known.sort(key=itemgetter(0))
    if connection.vendor == "postgresql":
        cols = ["draw", "target", "inspector", "is_expert", "from_substitution", "ended_reason"]
        sql = (
            f"INSERT INTO {_table(Assignment)} ({_columns(Assignment, cols)}) "
            "SELECT %s, split_part(x.line, ',', 1)::bigint, split_part(x.line, ',', 2)::bigint, "
            f"split_part(x.line, ',', 3) = '1', false, '' FROM {_ROWS} ORDER BY x.n"
        )
        written = _execute(sql, [draw_id, _lines((t, i, int(expert)) for t, i, expert in known)])
        _analyze(Assignment, written)
    else:
        objs = [Assignment(draw_id=draw_id, target_id=t, inspector_id=i, is_expert=e) for t, i, e in known]
        Assignment.objects.bulk_create(objs, batch_size=BATCH)


def target_codes(target_ids: list[int]) -> dict[int, str]:
    """The register codes of these targets, read in id order (one index scan: a join from a
    draw's rows in draw order visits the register's pages at random)."""
    if connection.vendor != "postgresql":
        out: dict[int, str] = {}
        for start in range(0, len(target_ids), BATCH):
            chunk = target_ids[start : start + BATCH]
            out.update(Target.objects.filter(pk__in=chunk).values_list("pk", "code"))
        return out
    rows = _fetch(
        f"SELECT {_columns(Target, ['id', 'code'])} FROM {_table(Target)} "
        f"WHERE {_columns(Target, ['id'])} = ANY(string_to_array(%s, ',')::bigint[])",
        [",".join(map(str, target_ids))],
    )
    return dict(rows)


def _analyze(model, written: int) -> None:
    """After a large write, fresh planner statistics (autovacuum may be off or late): with the
    table still counted as small, the sealed list's page query sorted every drawn row."""
    if written >= ANALYZE_AFTER:
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {_table(model)}")


def _execute(sql: str, params: list) -> int:
    """Run on the connection itself with the parameters bound by the server (the arrays
    travel in binary, not as one huge SQL literal); same transaction. Returns the row count."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _fetch(sql: str, params: list) -> list[tuple]:
    """As `_execute`, for a query: its rows."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _ids(model, field: str, values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(values), BATCH):
        chunk = values[start : start + BATCH]
        out.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return out
