"""The target draw (spec v1, sections 5, 8, 9) computed inside PostgreSQL.

No Django: the caller passes a DB-API cursor of psycopg 3 and plain data::

    result = draw_targets_in_postgres(cursor, "draw_population", params, seed)

gives exactly what ``draw_targets(frame, params, seed)`` gives for the same population
(a ``TargetDrawResult``), but the tickets are hashed and the smallest ones picked by the
database with its built-in ``sha256()``; only n + reserves rows per stratum travel back.

The population table has the columns ``id text`` and ``stratum text`` (names can be
changed with ``id_column`` / ``stratum_column``) and, for a weighted draw, ``weight``
(an integer >= 1). Per stratum:

- N comes from ``count(*)``; n and the reserves are computed here in Python by the
  engine's own ``sample_size`` rule (integers only);
- ticket = ``sha256(seed || convert_to(id, 'UTF8'))``; weighted: the smallest of
  ``sha256(seed || id || '\\x00' || j)`` for j = 1 .. w-1 and the ticket above;
- the first n + reserves in ``ORDER BY ticket, convert_to(id, 'UTF8')`` (bytea compares
  bytewise, independent of the collation), found per stratum by a top-N sort
  (``method="topn"``, ``LATERAL ... ORDER BY ... LIMIT k``, the default) or by
  ``row_number() OVER (PARTITION BY stratum ORDER BY ticket, convert_to(id, 'UTF8'))``
  (``method="window"``; sorts every row, about twice as slow).

Every returned ticket is recomputed in Python and the returned order checked, so a
wrong hash or order from the database raises instead of giving a different draw.
With ``validate=True`` (default) the table is checked like ``Frame`` checks its input:
no NULL, empty or duplicate id, no ``,`` ``"`` or control character in an id, every
stratum with a rule, weights >= 1; this costs one more scan and a grouping by id.

The table must not change during the call (the counts and the selection are two
statements): use a frozen or TEMP table, or a REPEATABLE READ transaction.
Identifiers are quoted with ``psycopg.sql.Identifier``; all data go as parameters.
"""

from __future__ import annotations

import hashlib
import operator
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import islice

from psycopg import sql

from .canonical import _CSV_FORBIDDEN, DrawError, check_field
from .commit import POPULATION_HEADER, PopulationFile
from .params import DrawParams, sample_size
from .targets import StratumResult, TargetDrawResult, TicketedSeq, _check_seed, ticket

# A candidate id must not contain ',', '"' or a control character (spec 2.1); PostgreSQL
# text cannot hold U+0000, so 0x01-0x1F and 0x7F remain. Passed as a parameter.
_BAD_ID_REGEX = '[,"\\x01-\\x1f\\x7f]'

METHODS = ("topn", "window")


def _table(name: str | Sequence[str] | sql.Composable) -> sql.Composable:
    """A table name: "t" (one identifier, dots included), ("schema", "t"), or composed SQL."""
    if isinstance(name, sql.Composable):
        return name
    if isinstance(name, str):
        return sql.Identifier(name)
    return sql.Identifier(*name)


def _ticket_expr(weighted: bool, id_col: sql.Composable, weight_col: sql.Composable) -> sql.Composable:
    """SQL for the ticket of one row of the population table aliased ``p``; %(seed)s is the seed."""
    idb = sql.SQL("convert_to(p.{}, 'UTF8')").format(id_col)
    if not weighted:
        return sql.SQL("sha256(%(seed)s::bytea || {})").format(idb)
    # PostgreSQL has no min(bytea): take the smallest by ORDER BY ... LIMIT 1 (bytewise).
    return sql.SQL(
        "(SELECT u FROM (SELECT sha256(%(seed)s::bytea || {idb}"
        " || CASE WHEN j = 0 THEN ''::bytea ELSE '\\x00'::bytea || convert_to(j::text, 'UTF8') END) AS u"
        " FROM generate_series(0, p.{w} - 1) AS j) AS w ORDER BY u LIMIT 1)"
    ).format(idb=idb, w=weight_col)


def _validate(cursor, table, id_col, weight_col, weighted: bool) -> None:
    q = sql.SQL("SELECT {id} FROM {t} WHERE {id} IS NULL OR {id} = '' OR {id} ~ %s LIMIT 1").format(id=id_col, t=table)
    cursor.execute(q, (_BAD_ID_REGEX,))
    row = cursor.fetchone()
    if row is not None:
        raise DrawError(
            f"population table: candidate id {row[0]!r} is null, empty or has ',', '\"' or a control character"
        )
    q = sql.SQL('SELECT {id} COLLATE "C" FROM {t} GROUP BY 1 HAVING count(*) > 1 LIMIT 1').format(id=id_col, t=table)
    cursor.execute(q)
    row = cursor.fetchone()
    if row is not None:
        raise DrawError(f"duplicate candidate id in population: {row[0]!r}")
    if weighted:
        q = sql.SQL("SELECT {id}, {w} FROM {t} WHERE {w} IS NULL OR {w} < 1 LIMIT 1").format(
            id=id_col, w=weight_col, t=table
        )
        cursor.execute(q)
        row = cursor.fetchone()
        if row is not None:
            raise DrawError(f"candidate {row[0]!r}: weight {row[1]!r} is not an integer >= 1")


def _require_utf8(cursor) -> None:
    cursor.execute("SELECT current_setting('server_encoding')")
    encoding = cursor.fetchone()[0]
    if encoding != "UTF8":
        raise DrawError(f"the database encoding is {encoding}, the draw needs UTF8 (ids are hashed as UTF-8)")


def population_csv_in_postgres(
    cursor,
    rows_sql: str,
    rows_params: Sequence = (),
    *,
    exclusions: Iterable[str] = (),
    weights: Mapping[str, int] | None = None,
    _order_in_aggregate: bool = False,
) -> PopulationFile:
    """population.csv (spec §3.1) of the frame that a query's rows ``(id, stratum)`` make, written
    by the database: the same bytes as ``Frame.from_columns(...).without(exclusions).to_csv()``.

    ``rows_sql`` is a SELECT with ``%s`` placeholders for ``rows_params``; its rows are the
    candidates before the exclusions, each id once (the caller's guarantee, e.g. a unique
    constraint over a query without joins; checked below all the same). ``weights`` are the
    ids whose weight is not 1. The counts are those after the exclusions.

    The database drops the excluded ids, sorts the rest bytewise (``ORDER BY id COLLATE "C"``,
    the order of §2.1, in parallel workers) and joins the lines into one value, which travels
    as one binary column: no row objects in Python. The file is then checked as `Frame` checks
    its input, a pass in C each: no id empty, none with ``,`` ``"`` or a control character
    (every line has exactly three fields and no such byte), ids strictly ascending (so unique
    and in the order of the spec, whatever order the aggregate met them in), every stratum a
    valid field.
    """
    _require_utf8(cursor)
    weights = dict(weights or {})
    for i, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, int) or w < 1:
            raise DrawError(f"candidate {i!r}: weight {w!r} is not an integer >= 1")
    excluded = list(dict.fromkeys(exclusions))
    # NULLs would vanish from string_agg: as '' they are refused below like any empty field
    weight = "COALESCE(w.weight, 1)::text" if weights else "'1'"
    q = f"SELECT COALESCE(q.id, '') || ',' || COALESCE(q.stratum, '') || ',' || {weight} AS line, q.id"
    q += f" FROM ({rows_sql}) AS q(id, stratum)"
    args = list(rows_params)
    if weights:
        q += " LEFT JOIN unnest(%s::text[], %s::int[]) AS w(id, weight) ON w.id = q.id"
        args += [list(weights), list(weights.values())]
    if excluded:
        q += " WHERE NOT EXISTS (SELECT FROM unnest(%s::text[]) AS x(id) WHERE x.id = q.id)"
        args.append(excluded)
    # A sorted subquery lets the sort run in parallel workers; PostgreSQL does not promise that
    # an aggregate meets its rows in that order (it does in the plans seen), so the order is
    # checked below, and if it was not kept the file is made again with the ORDER BY inside
    # string_agg (promised, sorted in one process) before a disorder is called a duplicate.
    joined = "SELECT convert_to(string_agg(p.line, E'\\n'{}), 'UTF8'), count(*) FROM ({}) AS p"
    fast = joined.format("", f'{q} ORDER BY q.id COLLATE "C"')
    ordered = joined.format(' ORDER BY p.id COLLATE "C"', q)
    for statement in [ordered] if _order_in_aggregate else [fast, ordered]:
        cursor.execute(statement, args, binary=True)
        file = _checked_file(*cursor.fetchone())
        if file is not None:
            return file
    raise DrawError("duplicate candidate id in population")


def _checked_file(body: bytes | None, rows: int) -> PopulationFile | None:
    """The file of the joined lines, checked; None when its ids are not strictly ascending."""
    head = (",".join(POPULATION_HEADER) + "\n").encode()
    if body is None:
        return PopulationFile(head, {})
    body = bytes(body) + b"\n"
    lines = body.count(b"\n")
    # one line per row (an LF inside an id would make two), no '"' and no other control byte
    if lines != rows or len(body) - len(body.translate(None, _FORBIDDEN_BYTES)) != lines:
        raise DrawError(f"population line {_first_bad(body)!r}: an id or stratum has ',', '\"' or a control character")
    fields = body.replace(b"\n", b",").split(b",")
    fields.pop()  # after the final LF
    if len(fields) != 3 * lines:
        raise DrawError(f"population line {_first_bad(body)!r}: an id or stratum has ',', '\"' or a control character")
    ids = fields[0::3]
    if b"" in ids:
        raise DrawError("candidate id is null or empty")
    if not all(map(operator.lt, ids, islice(ids, 1, None))):
        return None
    counts = {s.decode(): n for s, n in Counter(fields[1::3]).items()}
    for s in counts:
        check_field(s, "stratum")
    return PopulationFile(head + body, counts)


# '"' and the control bytes; LF ends each line (counted apart)
_FORBIDDEN_BYTES = bytes([*range(0x20), 0x7F, 0x22])


def _first_bad(body: bytes) -> str:
    """The first line of a refused file that breaks the field rules (for the message)."""
    for line in body.decode("utf-8").split("\n"):
        if line.count(",") != 2 or _CSV_FORBIDDEN.search(line.replace(",", "")):
            return line
    return ""


def count_strata_in_postgres(
    cursor, population_table: str | Sequence[str] | sql.Composable, *, stratum_column: str = "stratum"
) -> dict[str, int]:
    """N per stratum of the table (strata compared bytewise, whatever the column's collation)."""
    st = sql.Identifier(stratum_column)
    cursor.execute(
        sql.SQL('SELECT {s} COLLATE "C", count(*) FROM {t} GROUP BY 1').format(s=st, t=_table(population_table))
    )
    counts = {}
    for s, c in cursor.fetchall():
        if s is None:
            raise DrawError(f"population table: {c} candidate(s) without a stratum")
        counts[s] = int(c)
    return counts


def draw_targets_in_postgres(
    cursor,
    population_table: str | Sequence[str] | sql.Composable,
    params: DrawParams,
    seed: bytes | str,
    *,
    method: str = "topn",
    validate: bool = True,
    id_column: str = "id",
    stratum_column: str = "stratum",
    weight_column: str = "weight",
) -> TargetDrawResult:
    """The target draw of `params` over the population table, computed by PostgreSQL.

    Equal, field by field, to ``draw_targets(population, params, seed)`` for the same rows.
    `cursor` is a psycopg 3 cursor; `population_table` a table name (or ("schema", "name")).
    """
    seed = _check_seed(seed)
    if method not in METHODS:
        raise DrawError(f"method must be one of {METHODS}, got {method!r}")
    _require_utf8(cursor)
    table = _table(population_table)
    id_col, st_col, w_col = (sql.Identifier(c) for c in (id_column, stratum_column, weight_column))
    if validate:
        _validate(cursor, table, id_col, w_col, params.weighted)

    counts = count_strata_in_postgres(cursor, table, stratum_column=stratum_column)
    unknown = sorted(s for s, c in counts.items() if c and s not in params.strata)
    if unknown:
        raise DrawError(f"population has strata without a rule in params: {unknown}")
    N = {s: counts.get(s, 0) for s in params.strata}
    n = {s: sample_size(N[s], rule) for s, rule in params.strata.items()}
    k = {s: min(n[s] + rule.reserves, N[s]) for s, rule in params.strata.items()}

    heads: dict[str, tuple[list[str], list[bytes]]] = {s: ([], []) for s in params.strata}
    weights: dict[str, int | None] = {}
    wanted = [s for s in params.strata if k[s] > 0]
    if wanted:
        ticket_sql = _ticket_expr(params.weighted, id_col, w_col)
        if method == "topn":
            q = sql.SQL(
                "SELECT l.s, x.id, x.ticket, x.w"
                " FROM unnest(%(strata)s::text[], %(limits)s::bigint[]) AS l(s, k)"
                " CROSS JOIN LATERAL ("
                "   SELECT p.{id} AS id, {ticket} AS ticket, convert_to(p.{id}, 'UTF8') AS idb, {w} AS w"
                '   FROM {t} AS p WHERE p.{st} COLLATE "C" = l.s'
                "   ORDER BY 2, 3 LIMIT l.k) AS x"
                ' ORDER BY l.s COLLATE "C", x.ticket, x.idb'
            )
        else:
            q = sql.SQL(
                "SELECT r.s, r.id, r.ticket, r.w FROM ("
                '   SELECT t.s, t.id, t.ticket, t.idb, t.w, row_number() OVER (PARTITION BY t.s COLLATE "C"'
                "     ORDER BY t.ticket, t.idb) AS rn"
                '   FROM (SELECT p.{st} COLLATE "C" AS s, p.{id} AS id, {ticket} AS ticket,'
                "           convert_to(p.{id}, 'UTF8') AS idb, {w} AS w"
                '         FROM {t} AS p WHERE p.{st} COLLATE "C" = ANY(%(strata)s::text[])) AS t) AS r'
                " JOIN unnest(%(strata)s::text[], %(limits)s::bigint[]) AS l(s, k) ON l.s = r.s"
                ' WHERE r.rn <= l.k ORDER BY r.s COLLATE "C", r.ticket, r.idb'
            )
        w_sql = sql.SQL("p.{}").format(w_col) if params.weighted else sql.SQL("NULL::integer")
        q = q.format(id=id_col, st=st_col, t=table, ticket=ticket_sql, w=w_sql)
        cursor.execute(q, {"seed": seed, "strata": wanted, "limits": [k[s] for s in wanted]})
        for s, i, t, w in cursor.fetchall():
            ids, tickets = heads[s]
            ids.append(i)
            tickets.append(bytes(t))
            weights[i] = w

    hc = hashlib.sha256(seed).copy
    strata = {}
    for s in params.strata:
        ids, tickets = heads[s]
        if len(ids) != k[s]:
            raise DrawError(f"stratum {s!r}: the database gave {len(ids)} rows, needs {k[s]} (table changed?)")
        prev = None
        for i, t in zip(ids, tickets, strict=True):
            if params.weighted:
                ok = ticket(seed, i, weights[i]) == t
            else:
                c = hc()
                c.update(i.encode("utf-8"))
                ok = c.digest() == t
            if not ok:
                raise DrawError(f"candidate {i!r}: the database ticket {t.hex()} is not the spec's ticket")
            key = (t, i.encode("utf-8"))
            if prev is not None and key <= prev:
                raise DrawError(f"stratum {s!r}: the database returned tickets out of (ticket, id) order")
            prev = key
        items = TicketedSeq(ids, b"".join(tickets))
        strata[s] = StratumResult(
            N=N[s],
            n=n[s],
            selected=items[: n[s]],
            reserves=items[n[s] :],
            cutoff=items[n[s] - 1].ticket if n[s] else None,
        )
    return TargetDrawResult(seed=seed.hex(), weighted=params.weighted, strata=strata)
