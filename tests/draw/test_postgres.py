"""The draw computed inside PostgreSQL equals the Python engine, field by field.

Runs on its own psycopg connection (DATABASE_URL when it is a PostgreSQL URL, else
postgres://postgres@127.0.0.1:5432/test) with TEMP tables only, never Django's test
database; skipped when no PostgreSQL is reachable.
"""

import hashlib
import os
import random

import psycopg
import pytest
from drawhelpers import params, seed_of, uscc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from shuangsuiji.draw import Candidate, DrawError, Exclusion, Frame, StratumRule, draw_targets, freeze, sample_size
from shuangsuiji.draw.postgres import (
    METHODS,
    count_strata_in_postgres,
    draw_targets_in_postgres,
    population_csv_in_postgres,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"


def _urls() -> list[str]:
    url = os.environ.get("DATABASE_URL", "")
    urls = [url] if url.startswith(("postgres://", "postgresql://")) else []
    return [*urls, DEFAULT_URL] if DEFAULT_URL not in urls else urls


@pytest.fixture(scope="module")
def pg():
    errors = []
    for url in _urls():
        try:
            conn = psycopg.connect(url, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            errors.append(f"{url.split('@')[-1]}: {str(exc).strip().splitlines()[0]}")
            continue
        try:
            yield conn
        finally:
            conn.close()
        return
    pytest.skip("no PostgreSQL reachable for the in-database draw (" + "; ".join(errors) + ")")


@pytest.fixture
def cur(pg):
    with pg.cursor() as c:
        yield c


def load(cur, candidates, table="draw_pop") -> str:
    """A fresh TEMP table (id text, stratum text, weight int) holding the candidates."""
    ident = sql.Identifier(table)
    cur.execute(sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(ident))
    cur.execute(sql.SQL("CREATE TEMP TABLE {} (id text, stratum text, weight int)").format(ident))
    with cur.copy(sql.SQL("COPY {} (id, stratum, weight) FROM STDIN").format(ident)) as copy:
        for c in candidates:
            copy.write_row((c.id, c.stratum, c.weight))
    return table


def assert_same(got, want):
    """Every field: seed, weighted, strata (same keys, same order), N, n, cutoff, and the
    selected and reserve ids and tickets in order; then the whole JSON."""
    assert got.seed == want.seed
    assert got.weighted == want.weighted
    assert list(got.strata) == list(want.strata)
    for s, w in want.strata.items():
        g = got.strata[s]
        assert (g.N, g.n) == (w.N, w.n), s
        assert g.cutoff == w.cutoff, s
        assert g.selected.ids == w.selected.ids, s
        assert [t.ticket for t in g.selected] == [t.ticket for t in w.selected], s
        assert g.reserves.ids == w.reserves.ids, s
        assert [t.ticket for t in g.reserves] == [t.ticket for t in w.reserves], s
        assert g.selected == w.selected and g.reserves == w.reserves
    assert got.to_json() == want.to_json()


# --- a fixed population of a few thousand ids ----------------------------------------------

RULES = {
    "A": StratumRule("0.05", min=1, reserves=3),  # the big one (engine's numpy path)
    "a": StratumRule("1/3", max=40, reserves=5),  # max binds; differs from "A" only by case
    "甲类": StratumRule("0.07", reserves=2),  # N = 100: n = 7 (floats would give 8)
    "B": StratumRule("1", reserves=4),  # n = N, no reserve left
    "C": StratumRule("0", reserves=3),  # n = 0: no cutoff, reserves only
    "D": StratumRule("0.1", min=50),  # min > N: n = N
    "F": StratumRule("1/2", reserves=10),  # fewer candidates than n + reserves
    "E": StratumRule("0.5", min=2, reserves=1),  # empty stratum
}
SIZES = {"A": 5000, "a": 600, "甲类": 100, "B": 30, "C": 50, "D": 20, "F": 5}


def mixed_ids(rng: random.Random, count: int) -> list[str]:
    """USCC-like, Chinese, prefix-sharing and 4-byte UTF-8 ids (unique)."""
    names = "清河县张王李赵食品药品餐饮五金建材羊绒有限公司店厂"
    ids = {uscc(k) for k in range(count // 3)}
    ids |= {uscc(k) + "0" for k in range(50)}  # a prefix of another id and vice versa
    ids |= {"a", "ab", "abc", "abcd", "张", "张三", "张三丰", "\ue000", "\U0001f600", "\U0001f600x", "é", "e\u0301"}
    while len(ids) < count:
        ids.add("".join(rng.choice(names) for _ in range(rng.randint(1, 8))) + str(rng.randint(0, 99)))
    out = sorted(ids)
    rng.shuffle(out)
    return out[:count]


def fixed_population(weighted=False):
    rng = random.Random(20260501)
    ids = mixed_ids(rng, sum(SIZES.values()))
    out, k = [], 0
    for s, size in SIZES.items():
        for i in ids[k : k + size]:
            out.append(Candidate(i, s, rng.randint(1, 5) if weighted else 1))
        k += size
    return out


def test_fixed_population_equals_engine(cur):
    pop = fixed_population()
    p = params(RULES)
    table = load(cur, pop)
    assert count_strata_in_postgres(cur, table) == SIZES
    for k in range(3):
        seed = seed_of(k)
        want = draw_targets(pop, p, seed)
        # the cases the population is meant to cover really occur
        assert want.strata["B"].n == 30 and len(want.strata["B"].reserves) == 0
        assert want.strata["C"].n == 0 and want.strata["C"].cutoff is None and len(want.strata["C"].reserves) == 3
        assert want.strata["D"].n == 20 and want.strata["甲类"].n == 7 and want.strata["a"].n == 40
        assert want.strata["E"].N == 0 and want.strata["E"].cutoff is None
        assert want.strata["F"].n == 3 and len(want.strata["F"].reserves) == 2
        for method in METHODS:
            assert_same(draw_targets_in_postgres(cur, table, p, seed, method=method), want)
        assert_same(draw_targets_in_postgres(cur, table, p, seed.hex()), want)  # hex seed as well
    with psycopg.ClientCursor(cur.connection) as client_cur:  # what Django's psycopg backend uses
        assert_same(draw_targets_in_postgres(client_cur, table, p, seed), want)


def test_weighted_equals_engine(cur):
    pop = [c for c in fixed_population(weighted=True) if c.stratum != "A"]
    p = params(RULES, weighted=True)
    table = load(cur, pop)
    seed = seed_of(7)
    want = draw_targets(pop, p, seed)
    for method in METHODS:
        assert_same(draw_targets_in_postgres(cur, table, p, seed, method=method), want)


def test_ticket_is_postgres_sha256(cur):
    """The spec's worked example (section 15), hashed by PostgreSQL itself."""
    seed = bytes.fromhex("e2cb80b5c9480bd776c523cfcf3207c634b31b01e8591478f693665c9dc46585")
    cur.execute("SELECT encode(sha256(%s::bytea || convert_to(%s, 'UTF8')), 'hex')", (seed, "91130100MA0000000X"))
    assert cur.fetchone()[0] == "29b68bfd056be3e3029cbc2ec64785a702da8a095a2f77ab9b6f1fc67a393696"
    cur.execute("SELECT sha256(%s::bytea || convert_to(%s, 'UTF8'))", (seed, "张三丰\U0001f600"))
    assert bytes(cur.fetchone()[0]) == hashlib.sha256(seed + "张三丰\U0001f600".encode()).digest()


def test_table_name_is_quoted(cur):
    pop = [Candidate(uscc(k), "A") for k in range(40)]
    p = params({"A": {"ratio": "0.1", "reserves": 2}})
    name = 'pop "x"; DROP TABLE draw_pop; --'
    load(cur, pop, table=name)
    want = draw_targets(pop, p, seed_of(1))
    assert_same(draw_targets_in_postgres(cur, name, p, seed_of(1)), want)
    assert_same(draw_targets_in_postgres(cur, ("pg_temp", name), p, seed_of(1)), want)


def test_refusals(cur):
    p = params({"A": {"ratio": "0.5"}})
    good = [Candidate(uscc(k), "A") for k in range(5)]
    table = load(cur, good)
    with pytest.raises(DrawError, match="32 bytes"):
        draw_targets_in_postgres(cur, table, p, b"short")
    with pytest.raises(DrawError, match="method"):
        draw_targets_in_postgres(cur, table, p, seed_of(1), method="sort")
    cases = [
        ([*good, Candidate("X1", "Z")], "without a rule"),
        ([*good, Candidate(uscc(0), "A")], "duplicate"),
        ([*good, Candidate("a,b", "A")], "control character"),
        ([*good, Candidate("a\x01", "A")], "control character"),
        ([*good, Candidate("", "A")], "empty"),
    ]
    for pop, message in cases:
        table = load(cur, pop)
        with pytest.raises(DrawError, match=message):
            draw_targets_in_postgres(cur, table, p, seed_of(1))
        with pytest.raises(DrawError):
            draw_targets(pop, p, seed_of(1))  # the engine refuses the same input
    cur.execute("INSERT INTO draw_pop (id, stratum, weight) VALUES ('N1', NULL, 1)")
    with pytest.raises(DrawError, match="without a stratum"):
        draw_targets_in_postgres(cur, "draw_pop", p, seed_of(1), validate=False)
    table = load(cur, [*good, Candidate("W", "A", 1)])
    cur.execute("UPDATE draw_pop SET weight = 0 WHERE id = 'W'")
    with pytest.raises(DrawError, match="weight"):
        draw_targets_in_postgres(cur, table, params({"A": {"ratio": "0.5"}}, weighted=True), seed_of(1))


# --- property: random populations ----------------------------------------------------------

id_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters=',"'),
    min_size=1,
    max_size=6,
)
rule_st = st.builds(
    lambda ratio, lo, extra, reserves: StratumRule(
        ratio, min=lo, max=None if extra is None else lo + extra, reserves=reserves
    ),
    st.sampled_from(["0", "0.05", "0.07", "1/3", "0.5", "1"]),
    st.integers(0, 4),
    st.none() | st.integers(0, 6),
    st.integers(0, 4),
)


# `cur` is function-scoped but holds no per-example state: each example loads a fresh table.
@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    ids=st.lists(id_text, unique=True, max_size=150),
    data=st.data(),
    rules=st.fixed_dictionaries({"A": rule_st, "B": rule_st, "甲": rule_st}),
    weighted=st.booleans(),
    seed=st.binary(min_size=32, max_size=32),
)
def test_random_populations_equal_engine(cur, ids, data, rules, weighted, seed):
    strata = data.draw(st.lists(st.sampled_from(sorted(rules)), min_size=len(ids), max_size=len(ids)))
    weights = data.draw(st.lists(st.integers(1, 4), min_size=len(ids), max_size=len(ids)))
    pop = [Candidate(i, s, w) for i, s, w in zip(ids, strata, weights, strict=True)]
    p = params(rules, weighted=weighted)
    want = draw_targets(pop, p, seed)
    for s, rule in rules.items():
        assert want.strata[s].n == sample_size(strata.count(s), rule)
    table = load(cur, pop)
    for method in METHODS:
        assert_same(draw_targets_in_postgres(cur, table, p, seed, method=method), want)


# --- population.csv written by the database (the freeze on PostgreSQL) ----------------------


def frozen_by_engine(pop, excluded=()) -> tuple[bytes, dict]:
    frame = Frame.from_candidates(pop).without(set(excluded))
    return frame.to_csv(), {s: n for s, n in frame.counts().items() if n}


def csv_in_postgres(cur, table, pop, excluded=()):
    """The file by the fast statement, checked to equal the one made by the statement whose
    order PostgreSQL promises (what the function falls back to if the order was not kept)."""
    weights = {c.id: c.weight for c in pop if c.weight != 1}
    rows = sql.SQL("SELECT id, stratum FROM pg_temp.{}").format(sql.Identifier(table)).as_string(cur)
    got = population_csv_in_postgres(cur, rows, exclusions=excluded, weights=weights)
    again = population_csv_in_postgres(cur, rows, exclusions=excluded, weights=weights, _order_in_aggregate=True)
    assert (again.data, again.counts) == (got.data, got.counts)
    return got


def test_population_csv_equals_the_engines(cur):
    # ids with a character below ',' (space, '!', '#', '+') sort differently as lines than as ids
    extra = [Candidate(i, "A") for i in ("a b", "a!", "a#x", "a+", "a-", "Z 9")]
    for weighted in (False, True):
        pop = fixed_population(weighted) + extra
        table = load(cur, pop)
        excluded = [c.id for c in pop[::97]] + ["not-in-the-register"]
        for ex in ((), excluded):
            got = csv_in_postgres(cur, table, pop, ex)
            data, counts = frozen_by_engine(pop, ex)
            assert got.data == data
            assert got.counts == counts
    empty = load(cur, [])
    got = csv_in_postgres(cur, empty, [])
    assert (got.data, got.counts) == frozen_by_engine([])


def test_population_csv_is_frozen_as_the_engine_freezes_a_frame(cur):
    pop = fixed_population(weighted=True)
    table = load(cur, pop)
    excluded = [Exclusion(c.id, "近6个月内已被检查") for c in pop[:20]]
    p = params(RULES, weighted=True)
    by_engine = freeze(pop, excluded, p, "0" * 64, nonce="n1")
    by_db = freeze(csv_in_postgres(cur, table, pop, [e.id for e in excluded]), excluded, p, "0" * 64, nonce="n1")
    assert by_db.files == by_engine.files
    assert by_db.sha256 == by_engine.sha256
    assert by_db.counts() == {s: n for s, n in by_engine.counts().items() if n}
    assert by_db.frame is None


def test_population_csv_refusals(cur):
    good = [Candidate(uscc(k), "A") for k in range(5)]
    cases = [
        ([*good, Candidate(uscc(0), "B")], "duplicate"),  # the same id in two strata
        ([*good, Candidate(uscc(1), "A")], "duplicate"),
        ([*good, Candidate("a,b", "A")], "'a,b,A,1'.*control character"),
        ([*good, Candidate('a"b', "A")], "control character"),
        ([*good, Candidate("a\nb", "A")], "control character"),
        ([*good, Candidate("X9,A,1\nZ9", "A")], "control character"),  # an LF would forge a line
        ([*good, Candidate("a\x01", "A")], "control character"),
        ([*good, Candidate("a\x7f", "A")], "control character"),
        ([*good, Candidate("", "A")], "empty"),
        ([*good, Candidate("X1", "B,C")], "'X1,B,C,1'.*stratum"),
    ]
    for pop, message in cases:
        table = load(cur, pop)
        with pytest.raises(DrawError, match=message):
            csv_in_postgres(cur, table, pop)
        with pytest.raises(DrawError):
            freeze(pop, [], params({"A": {"ratio": "1"}, "B": {"ratio": "1"}}), "0" * 64)  # as the engine
    table = load(cur, good)
    cur.execute("INSERT INTO draw_pop (id, stratum, weight) VALUES (NULL, 'A', 1)")
    with pytest.raises(DrawError, match="empty"):
        csv_in_postgres(cur, table, good)
    table = load(cur, good)
    cur.execute("INSERT INTO draw_pop (id, stratum, weight) VALUES ('N1', NULL, 1)")
    with pytest.raises(DrawError, match="stratum"):
        csv_in_postgres(cur, table, good)
    with pytest.raises(DrawError, match="weight"):
        population_csv_in_postgres(cur, "SELECT id, stratum FROM pg_temp.draw_pop", weights={uscc(0): 0})
    # a stratum without a rule is refused by the freeze, as for a frame
    table = load(cur, [*good, Candidate("X1", "Z")])
    with pytest.raises(DrawError, match="without a rule"):
        freeze(csv_in_postgres(cur, table, good), [], params({"A": {"ratio": "1"}}), "0" * 64)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ids=st.lists(id_text, unique=True, max_size=120), data=st.data())
def test_random_population_csv_equals_the_engines(cur, ids, data):
    strata = data.draw(st.lists(st.sampled_from(["A", "B", "甲"]), min_size=len(ids), max_size=len(ids)))
    weights = data.draw(st.lists(st.sampled_from([1, 1, 1, 2, 7]), min_size=len(ids), max_size=len(ids)))
    pop = [Candidate(i, s, w) for i, s, w in zip(ids, strata, weights, strict=True)]
    excluded = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    table = load(cur, pop)
    got = csv_in_postgres(cur, table, pop, excluded)
    assert (got.data, got.counts) == frozen_by_engine(pop, excluded)
