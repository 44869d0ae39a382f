"""A delete racing an uncommitted insert, on two connections of their own (PostgreSQL):
used by the tests of the statement-level reference checks (shuangsuiji/references.py)."""

from __future__ import annotations

import threading

import psycopg
from django.db import connection


def delete_racing_insert(insert: tuple[str, list], delete: tuple[str, list]) -> list:
    """Run ``insert`` in an open transaction, then ``delete`` on another connection; the delete
    must wait for the inserter (asserted), which then commits. Returns what the delete gave:
    ``["deleted"]`` or ``[the psycopg error]``."""
    dsn = {k: v for k, v in connection.get_connection_params().items() if k in ("dbname", "host", "port", "user")}
    inserter = psycopg.connect(**dsn)
    deleter = psycopg.connect(**dsn, autocommit=True)
    outcome: list = []
    try:
        inserter.execute(*insert)

        def run_delete():
            try:
                deleter.execute("SET lock_timeout = '20s'")
                deleter.execute(*delete)
                outcome.append("deleted")
            except psycopg.Error as exc:
                outcome.append(exc)

        thread = threading.Thread(target=run_delete)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the delete must wait for the inserting transaction"
        inserter.commit()
        thread.join(timeout=30)
    finally:
        inserter.close()
        deleter.close()
    return outcome
