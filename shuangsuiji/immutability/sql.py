"""The database-level check: row triggers generated from the models' ``immutable`` declarations.

PostgreSQL: one ``BEFORE UPDATE OR DELETE`` (children and many-to-many tables: ``OR INSERT``)
row trigger per guarded table, calling a PL/pgSQL function ``imm_<table>()`` that raises
SQLSTATE 23000 (``integrity_constraint_violation``, Django's ``IntegrityError``) with the
declaration's Chinese message. ``TRUNCATE`` (Django's test flush) fires no row trigger.

The write-once columns (a draw's stored files, 23 MB at provincial scale) are checked by a
second row trigger ``imm_<table>_once``, ``BEFORE UPDATE OF`` those columns: an UPDATE that
does not name them cannot change them, and comparing an unchanged 23 MB value with itself
(``IS DISTINCT FROM`` decompresses both) cost 0.3 s on every status change of a draw.

SQLite: one ``BEFORE UPDATE OF <column>`` trigger per frozen column (so the message names it),
plus ``BEFORE INSERT`` / ``BEFORE UPDATE`` triggers for children, ``RAISE(ABORT, …)`` (an
``IntegrityError``). Deletes are guarded by the ORM only on SQLite: Django flushes an SQLite
test database with ``DELETE FROM``, which a delete trigger would refuse.

All triggers are named ``imm_<table>…``. :func:`sync` drops every ``imm_`` trigger and creates
the declared ones; it runs after every ``migrate`` (``post_migrate``), because SQLite drops a
table's triggers whenever a migration rebuilds the table (most ``AlterField``), so triggers
installed once by a migration would silently disappear. tests/immutability checks that the
installed triggers are exactly the declared ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from shuangsuiji.immutability import (
    FrozenWith,
    Immutable,
    ThroughSpec,
    When,
    frozen_fields,
    guarded_models,
    rules_of,
    through_specs,
)
from shuangsuiji.immutability import spec_of as _spec_of

PREFIX = "imm_"


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cond(w: When, row: str, column: str) -> str:
    if not w.values:
        return "TRUE" if w.negate else "FALSE"
    values = ", ".join(_lit(v) for v in w.values)
    return f"{row}.{_q(column)} {'NOT IN' if w.negate else 'IN'} ({values})"


@dataclass(frozen=True)
class Guard:
    """What one table's triggers check (vendor-neutral)."""

    table: str
    # (condition on OLD or None, column, allow-condition on NEW or None, message, written once)
    frozen_columns: tuple = ()
    delete: tuple | None = None  # (condition on OLD or None, message)
    # frozen with a parent: (parent table, parent pk column, fk column, condition on parent, message)
    parent: tuple | None = None


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


def guards() -> list[Guard]:
    out = []
    for model in guarded_models():
        spec = _spec_of(model)
        table = model._meta.db_table
        if isinstance(spec, FrozenWith):
            f = model._meta.get_field(spec.parent)
            parent = f.related_model
            out.append(
                Guard(
                    table=table,
                    parent=(
                        parent._meta.db_table,
                        parent._meta.pk.column,
                        f.column,
                        (spec.when, _column(parent, spec.when.field)),
                        spec.message,
                    ),
                )
            )
            continue
        assert isinstance(spec, Immutable)
        cols = []
        once = {model._meta.get_field(n).column for n in spec.write_once}
        for rule in rules_of(model, spec):
            when = (rule.when, _column(model, rule.when.field)) if rule.when else None
            allow = (rule.allow, _column(model, rule.allow.field)) if rule.allow else None
            for f in frozen_fields(model, rule):
                message = rule.message.format(field=f.verbose_name, name=f.attname)
                cols.append((when, f.column, allow, message, f.column in once))
        delete = None
        if spec.no_delete:
            w = spec.no_delete_when
            delete = ((w, _column(model, w.field)) if w else None, spec.no_delete)
        out.append(Guard(table=table, frozen_columns=tuple(cols), delete=delete))
    for t in through_specs():
        t: ThroughSpec
        meta = t.model._meta
        when = (t.when, _column(t.model, t.when.field)) if t.when else (When("pk", (), negate=True), meta.pk.column)
        out.append(Guard(table=t.table, parent=(meta.db_table, meta.pk.column, t.column, when, t.message)))
    names = [g.table for g in out]
    assert len(names) == len(set(names)), f"one immutability declaration per table: {names}"
    return out


# --- PostgreSQL -------------------------------------------------------------------------------


def _pg_raise(message: str) -> str:
    return f"RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = {_lit(message)};"


def _pg_parent_check(g: Guard, row: str) -> str:
    ptable, pkey, fk, (w, wcol), message = g.parent
    test = f"EXISTS (SELECT 1 FROM {_q(ptable)} p WHERE p.{_q(pkey)} = {row}.{_q(fk)} AND {_cond(w, 'p', wcol)})"
    return f"    IF {test} THEN\n      {_pg_raise(message)}\n    END IF;\n"


ONCE_SUFFIX = "_once"


def _pg_function(fn: str, body: list[str]) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {_q(fn)}() RETURNS trigger LANGUAGE plpgsql AS $imm$\nBEGIN\n"
        + "".join(body)
        + "  IF TG_OP = 'DELETE' THEN\n    RETURN OLD;\n  END IF;\n  RETURN NEW;\nEND $imm$"
    )


def _pg_column_check(when, column: str, allow, message: str, once: bool) -> str:
    test = f"OLD.{_q(column)} IS DISTINCT FROM NEW.{_q(column)}"
    if once:
        test = f"{test} AND OLD.{_q(column)} IS NOT NULL AND octet_length(OLD.{_q(column)}) > 0"
    if when:
        test = f"{_cond(when[0], 'OLD', when[1])} AND {test}"
    if allow:
        test = f"{test} AND NOT ({_cond(allow[0], 'NEW', allow[1])})"
    return f"  IF {test} THEN\n    {_pg_raise(message)}\n  END IF;\n"


def _once_columns(g: Guard) -> list[str]:
    return list(dict.fromkeys(c[1] for c in g.frozen_columns if c[4])) if g.parent is None else []


def pg_sql(g: Guard) -> list[str]:
    fn = f"{PREFIX}{g.table}"
    body = []
    if g.parent is not None:
        body.append("  IF TG_OP IN ('UPDATE', 'DELETE') THEN\n" + _pg_parent_check(g, "OLD") + "  END IF;\n")
        body.append("  IF TG_OP IN ('INSERT', 'UPDATE') THEN\n" + _pg_parent_check(g, "NEW") + "  END IF;\n")
        events = "INSERT OR UPDATE OR DELETE"
    else:
        delete = ""
        if g.delete is not None:
            cond, message = g.delete
            test = _cond(cond[0], "OLD", cond[1]) if cond else "TRUE"
            delete = f"    IF {test} THEN\n      {_pg_raise(message)}\n    END IF;\n"
        body.append(f"  IF TG_OP = 'DELETE' THEN\n{delete}    RETURN OLD;\n  END IF;\n")
        for when, column, allow, message, once in g.frozen_columns:
            if not once:
                body.append(_pg_column_check(when, column, allow, message, once))
        events = "UPDATE OR DELETE"
    out = [
        _pg_function(fn, body),
        f"CREATE TRIGGER {_q(fn)} BEFORE {events} ON {_q(g.table)} FOR EACH ROW EXECUTE FUNCTION {_q(fn)}()",
    ]
    once_columns = _once_columns(g)
    if once_columns:
        # the write-once columns, only when an UPDATE names one of them (module docstring)
        fn_once = fn + ONCE_SUFFIX
        checks = [_pg_column_check(*c) for c in g.frozen_columns if c[4]]
        of = ", ".join(_q(c) for c in once_columns)
        out += [
            _pg_function(fn_once, checks),
            f"CREATE TRIGGER {_q(fn_once)} BEFORE UPDATE OF {of} ON {_q(g.table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {_q(fn_once)}()",
        ]
    return out


def _pg_installed(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE NOT t.tgisinternal AND t.tgname LIKE %s",
        [PREFIX.replace("_", "\\_") + "%"],
    )
    return list(cursor.fetchall())


# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_raise(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, {_lit(message)}); END"


def sqlite_sql(g: Guard) -> list[str]:
    out = []

    def trigger(event: str, when: str, message: str) -> None:
        name = f"{PREFIX}{g.table}_{len(out) + 1}"
        where = f" WHEN {when}" if when else ""
        out.append(
            f"CREATE TRIGGER {_q(name)} BEFORE {event} ON {_q(g.table)} FOR EACH ROW{where} {_sqlite_raise(message)}"
        )

    if g.parent is not None:
        ptable, pkey, fk, (w, wcol), message = g.parent
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("UPDATE", "OLD")):
            cond = (
                f"EXISTS (SELECT 1 FROM {_q(ptable)} p WHERE p.{_q(pkey)} = {row}.{_q(fk)} AND {_cond(w, 'p', wcol)})"
            )
            trigger(event, cond, message)
        return out
    for when, column, allow, message, once in g.frozen_columns:
        test = f"OLD.{_q(column)} IS NOT NEW.{_q(column)}"
        if once:
            test = f"{test} AND OLD.{_q(column)} IS NOT NULL AND length(OLD.{_q(column)}) > 0"
        if when:
            test = f"{_cond(when[0], 'OLD', when[1])} AND {test}"
        if allow:
            test = f"{test} AND NOT ({_cond(allow[0], 'NEW', allow[1])})"
        trigger(f"UPDATE OF {_q(column)}", test, message)
    return out


def _sqlite_installed(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'imm\\_%' ESCAPE '\\'"
    )
    return list(cursor.fetchall())


# --- Install ----------------------------------------------------------------------------------


def statements(vendor: str) -> list[str]:
    make = {"postgresql": pg_sql, "sqlite": sqlite_sql}.get(vendor)
    if make is None:
        return []
    return [s for g in guards() for s in make(g)]


def installed(connection) -> list[tuple[str, str]]:
    """(trigger name, table) of the ``imm_`` triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _pg_installed(cursor)
        if connection.vendor == "sqlite":
            return _sqlite_installed(cursor)
    return []


def expected(vendor: str) -> list[tuple[str, str]]:
    out = []
    for g in guards():
        if vendor == "postgresql":
            out.append((f"{PREFIX}{g.table}", g.table))
            if _once_columns(g):
                out.append((f"{PREFIX}{g.table}{ONCE_SUFFIX}", g.table))
        elif vendor == "sqlite":
            out += [(f"{PREFIX}{g.table}_{i + 1}", g.table) for i in range(len(sqlite_sql(g)))]
    return out


def sync(connection) -> None:
    """Drop every ``imm_`` trigger and create the declared ones (tables that exist only)."""
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    existing_tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for name, table in installed(connection):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)} ON {_q(table)}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {_q(name)}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)}")
        make = pg_sql if connection.vendor == "postgresql" else sqlite_sql
        for g in guards():
            tables = {g.table} | ({g.parent[0]} if g.parent else set())
            if not tables <= existing_tables:
                continue
            for statement in make(g):
                cursor.execute(statement)
