"""The index rows of a draw's first result: ``DrawnTarget`` (a target draw) and ``Assignment``
(an inspector draw), written from the engine's result in one statement per table.

A provincial draw has 50,000 drawn targets and, per department, 100,000 group places. On
PostgreSQL the rows go in as one ``INSERT … SELECT`` over ``unnest`` of arrays (bound by the
server, sent in binary), joined to the
registers by target code and 执法证号 (no ORM object per row, no id lookups round-tripping
through Python); the number of rows written is checked against the result, so a code that
is not in the register refuses the draw instead of dropping a row. A department's group places
go in by id (the caller knows the drawn targets' ids, the inspectors' are read once). Elsewhere
(SQLite) the same rows are made with ``bulk_create`` in batches. The references are checked
once per statement (tasks migration 0005, shuangsuiji/references.py).
"""

from __future__ import annotations

from collections.abc import Mapping

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
        cols = ["draw", "target", "stratum", "ticket", "position", "from_reserve", "replaced_reason"]
        sql = (
            f"INSERT INTO {_table(DrawnTarget)} ({_columns(DrawnTarget, cols)}) "
            f"SELECT %s, t.{_columns(Target, ['id'])}, split_part(x.line, ',', 2), split_part(x.line, ',', 3), "
            f"x.n, false, '' FROM {_ROWS} "
            f"CROSS JOIN LATERAL {_by_key(Target, 'code', 1)} t"
        )
        written = _execute(sql, [draw_id, _lines(rows)])
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


def _by_key(model, field: str, part: int) -> str:
    """The row whose unique ``field`` is the line's ``part``-th field, looked up by its index
    for each line (a join let the planner hash the whole register instead)."""
    pk, key = _columns(model, ["id"]), _columns(model, [field])
    # LIMIT keeps the planner from flattening the lookup into a join (the key is unique)
    return f"(SELECT {pk} FROM {_table(model)} WHERE {key} = split_part(x.line, ',', {part}) LIMIT 1)"


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


def _ids(model, field: str, values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(values), BATCH):
        chunk = values[start : start + BATCH]
        out.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return out
