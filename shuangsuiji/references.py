"""Foreign keys checked once per statement instead of once per row (PostgreSQL).

PostgreSQL checks an ordinary foreign key with one lookup and one row lock **per inserted
row** (a trigger each). For the target register, which imports hundreds of thousands of rows
at a time, that was the largest single cost of an import: about 1.1 s per 200,000 rows for
each foreign key, though the rows of a file reference a handful of regions, industries, one
import job and one user (measured, docs/benchmarks.md).

For such tables a migration replaces the ordinary constraint with two statement-level
triggers that keep the same guarantee, checked per statement over all its rows at once:

- on the referencing table, after every INSERT or UPDATE statement (``COPY`` included): lock
  the referenced rows ``FOR KEY SHARE`` — the lock an ordinary foreign key takes, so that no
  concurrent transaction can delete them before this one commits — then refuse the statement
  (SQLSTATE 23503 ``foreign_key_violation``, Django's ``IntegrityError``) if any non-null value
  has no referenced row;
- on the referenced table, after every DELETE or UPDATE statement: refuse it if a key that is
  gone is still referenced.

Both run in READ COMMITTED (Django's default), where each query of the trigger function sees
what was committed before it started; that is what makes the concurrent cases come out as with
an ordinary foreign key (a delete waits for the inserter's key-share lock, then finds the new
rows; an insert waits for the deleter, then finds the row gone).

A reference with ``lock_rows=False`` is for rows written in bulk into a large register that
almost never loses a row (a provincial draw writes 50,000 drawn targets and then 100,000 group
places per department, each pointing into the 1,000,000-row target register): locking every
referenced row ``FOR KEY SHARE`` writes each of them (a lock in the tuple, a dirtied page and a
WAL record per row), which cost more than the whole insert. Such a reference checks the
referenced rows without locking them, and the other side takes the lock instead: a statement
that deletes a referenced key, or an ``UPDATE`` that changes one, first locks the referencing
table ``IN SHARE MODE`` — it waits for every transaction still writing that table and keeps new
writers out until it commits — and then refuses if a key that is gone is still referenced. A
delete racing an insert therefore comes out as with an ordinary foreign key: the delete waits
for the inserter and sees its rows; an insert after the delete's lock waits for the deleter and
then finds the row gone. The key-change guard is a row trigger ``BEFORE UPDATE OF`` the key, so
the register's ordinary updates (which never name the key) pay nothing for it.

Differences from an ordinary constraint, all deliberate: the check is immediate (at the end of
each statement, not deferred to commit: insert referenced rows first); ``TRUNCATE`` of a
referenced table is not guarded (an administrator's operation; Django's test flush truncates
all tables at once). The Django model keeps its ``ForeignKey`` (``db_constraint=True``): SQLite,
the embedded default, keeps its ordinary constraints. A later migration that renames or removes
one of these columns must run :func:`install` again with the new list (tests/test_references.py
checks that every reference refuses a missing key on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """``column`` of the referencing table points at ``key`` of ``table``; ``lock_rows=False``:
    no row locks on insert, the referencing table locked by a delete of a referenced key
    (see above)."""

    column: str
    table: str
    key: str
    lock_rows: bool = True


def _child_function(table: str) -> str:
    return f"{table}_check_references"


def _parent_function(table: str, ref: Reference) -> str:
    return f"{table}_{ref.column}_guard"


def install_sql(table: str, references: Sequence[Reference]) -> list[str]:
    """SQL that creates the triggers of ``table``'s references (run after dropping its FKs)."""
    checks = []
    for ref in references:
        what = f"{table}.{ref.column}"
        lock = (
            f"""
  PERFORM 1 FROM {ref.table} r WHERE r.{ref.key} IN (SELECT DISTINCT n.{ref.column} FROM new_rows n)
    FOR KEY SHARE OF r;"""
            if ref.lock_rows
            else ""
        )
        checks.append(
            f"""
  missing := NULL;{lock}
  SELECT n.{ref.column}::text INTO missing FROM new_rows n
    WHERE n.{ref.column} IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM {ref.table} r WHERE r.{ref.key} = n.{ref.column})
    LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = format('{what} = %s: no such row in {ref.table} ({ref.key})', missing);
  END IF;"""
        )
    child = _child_function(table)
    sql = [
        f"""CREATE FUNCTION {child}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE missing text;
BEGIN{"".join(checks)}
  RETURN NULL;
END $$""",
        f"CREATE TRIGGER {table}_refs_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {child}()",
        f"CREATE TRIGGER {table}_refs_update AFTER UPDATE ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {child}()",
    ]
    for ref in references:
        guard = _parent_function(table, ref)
        if not ref.lock_rows:
            sql += _table_lock_guard_sql(table, ref)
            continue
        sql += [
            f"""CREATE FUNCTION {guard}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE still_used text;
BEGIN
  SELECT o.{ref.key}::text INTO still_used FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM {ref.table} r WHERE r.{ref.key} = o.{ref.key})
      AND EXISTS (SELECT 1 FROM {table} c WHERE c.{ref.column} = o.{ref.key})
    LIMIT 1;
  IF still_used IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = format('{ref.table} {ref.key} = %s is still referenced from {table}.{ref.column}', still_used);
  END IF;
  RETURN NULL;
END $$""",
            f"CREATE TRIGGER {guard}_delete AFTER DELETE ON {ref.table} "
            f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {guard}()",
            f"CREATE TRIGGER {guard}_update AFTER UPDATE ON {ref.table} "
            f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {guard}()",
        ]
    return sql


def _table_lock_guard_sql(table: str, ref: Reference) -> list[str]:
    """The referenced side of a ``lock_rows=False`` reference: a delete of referenced keys, or a
    change of one, locks the referencing table first (see the module's docstring)."""
    guard = _parent_function(table, ref)
    message = f"format('{ref.table} {ref.key} = %s is still referenced from {table}.{ref.column}', still_used)"
    return [
        f"""CREATE FUNCTION {guard}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE still_used text;
BEGIN
  PERFORM 1 FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM {ref.table} r WHERE r.{ref.key} = o.{ref.key}) LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  LOCK TABLE {table} IN SHARE MODE;
  SELECT o.{ref.key}::text INTO still_used FROM old_rows o
    WHERE NOT EXISTS (SELECT 1 FROM {ref.table} r WHERE r.{ref.key} = o.{ref.key})
      AND EXISTS (SELECT 1 FROM {table} c WHERE c.{ref.column} = o.{ref.key})
    LIMIT 1;
  IF still_used IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = {message};
  END IF;
  RETURN NULL;
END $$""",
        f"CREATE TRIGGER {guard}_delete AFTER DELETE ON {ref.table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {guard}()",
        f"""CREATE FUNCTION {guard}_key() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE still_used text;
BEGIN
  IF NEW.{ref.key} IS DISTINCT FROM OLD.{ref.key} THEN
    LOCK TABLE {table} IN SHARE MODE;
    IF EXISTS (SELECT 1 FROM {table} c WHERE c.{ref.column} = OLD.{ref.key}) THEN
      still_used := OLD.{ref.key}::text;
      RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = {message};
    END IF;
  END IF;
  RETURN NEW;
END $$""",
        f"CREATE TRIGGER {guard}_update BEFORE UPDATE OF {ref.key} ON {ref.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {guard}_key()",
    ]


def uninstall_sql(table: str, references: Sequence[Reference]) -> list[str]:
    sql = [
        f"DROP TRIGGER IF EXISTS {table}_refs_insert ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_refs_update ON {table}",
        f"DROP FUNCTION IF EXISTS {_child_function(table)}()",
    ]
    for ref in references:
        guard = _parent_function(table, ref)
        sql += [
            f"DROP TRIGGER IF EXISTS {guard}_delete ON {ref.table}",
            f"DROP TRIGGER IF EXISTS {guard}_update ON {ref.table}",
            f"DROP FUNCTION IF EXISTS {guard}()",
            f"DROP FUNCTION IF EXISTS {guard}_key()",
        ]
    return sql


def _foreign_keys(cursor, table: str, column: str) -> list[str]:
    cursor.execute(
        """SELECT c.conname FROM pg_constraint c
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
           WHERE c.contype = 'f' AND c.conrelid = %s::regclass AND a.attname = %s""",
        [table, column],
    )
    return [row[0] for row in cursor.fetchall()]


def install(schema_editor, table: str, references: Sequence[Reference]) -> None:
    """Replace ``table``'s ordinary foreign keys on these columns by statement-level checks
    (PostgreSQL; elsewhere nothing changes). Idempotent: earlier triggers are replaced."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for ref in references:
            for name in _foreign_keys(cursor, table, ref.column):
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for statement in uninstall_sql(table, references) + install_sql(table, references):
            cursor.execute(statement)


def uninstall(schema_editor, table: str, references: Sequence[Reference]) -> None:
    """Back to ordinary (deferred) foreign keys."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in uninstall_sql(table, references):
            cursor.execute(statement)
        for ref in references:
            if not _foreign_keys(cursor, table, ref.column):
                cursor.execute(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{table}_{ref.column}_fk" FOREIGN KEY ({ref.column}) '
                    f"REFERENCES {ref.table} ({ref.key}) DEFERRABLE INITIALLY DEFERRED"
                )
