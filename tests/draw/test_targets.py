import hashlib
import random

import pytest
from drawhelpers import params, population, seed_of, uscc
from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.draw import (
    Candidate,
    DrawError,
    Exclusion,
    StratumRule,
    check_candidate,
    count_strata,
    draw_shard,
    draw_targets,
    freeze,
    merge_shards,
    required_limits,
    sample_size,
    ticket,
    use_reserve,
)
from shuangsuiji.draw import targets as targets_mod

RULES = {
    "A": {"ratio": "0.05", "min": 1, "reserves": 2},
    "B": {"ratio": "0.2", "reserves": 1},
    "C": {"ratio": "1/3", "max": 7, "reserves": 3},
    "D": {"ratio": "0.61", "min": 2, "max": 30},
}

sizes_st = st.fixed_dictionaries({s: st.integers(0, 60) for s in "ABCD"})


def _pop(sizes, weighted=False):
    return population(sizes, (lambda k: 1 + (k * 7919) % 5) if weighted else None)


def test_ticket_definition():
    seed = seed_of(0)
    assert ticket(seed, "91A") == hashlib.sha256(seed + b"91A").digest()
    t2 = min(
        hashlib.sha256(seed + b"91A").digest(),
        hashlib.sha256(seed + b"91A\x001").digest(),
        hashlib.sha256(seed + b"91A\x002").digest(),
    )
    assert ticket(seed, "91A", 3) == t2


@settings(max_examples=40, deadline=None)
@given(sizes=sizes_st, s=st.integers(0, 10**6), weighted=st.booleans())
def test_same_inputs_same_result(sizes, s, weighted):
    p = params(RULES, weighted=weighted)
    pop = _pop(sizes, weighted)
    assert draw_targets(pop, p, seed_of(s)) == draw_targets(list(pop), p, seed_of(s))


@settings(max_examples=40, deadline=None)
@given(sizes=sizes_st, s=st.integers(0, 10**6), weighted=st.booleans(), rnd=st.randoms())
def test_shuffled_input_same_result(sizes, s, weighted, rnd):
    p = params(RULES, weighted=weighted)
    pop = _pop(sizes, weighted)
    shuffled = list(pop)
    rnd.shuffle(shuffled)
    assert draw_targets(pop, p, seed_of(s)) == draw_targets(shuffled, p, seed_of(s))


@settings(max_examples=40, deadline=None)
@given(sizes=sizes_st, s=st.integers(0, 10**6), weighted=st.booleans())
def test_stratum_sizes_exact_and_order(sizes, s, weighted):
    p = params(RULES, weighted=weighted)
    pop = _pop(sizes, weighted)
    seed = seed_of(s)
    r = draw_targets(pop, p, seed)
    by = {}
    for c in pop:
        by.setdefault(c.stratum, []).append(c)
    for name, rule in p.strata.items():
        res = r.strata[name]
        members = by.get(name, [])
        assert len(members) == res.N
        assert res.n == sample_size(len(members), rule) == len(res.selected)
        assert len(res.reserves) == min(rule.reserves, res.N - res.n)
        # brute force: sort everyone by (ticket, id bytes)
        ranked = sorted((ticket(seed, c.id, c.weight if weighted else 1), c.id.encode(), c.id) for c in members)
        assert [x.id for x in res.selected] == [x[2] for x in ranked[: res.n]]
        assert [x.id for x in res.reserves] == [x[2] for x in ranked[res.n : res.n + len(res.reserves)]]
        assert res.cutoff == (ranked[res.n - 1][0].hex() if res.n else None)
        # a business can check itself against the cutoff alone
        selected = {x.id for x in res.selected}
        for c in members:
            _, drawn = check_candidate(seed, c.id, res.cutoff, c.weight if weighted else 1)
            assert drawn == (c.id in selected)


@settings(max_examples=30, deadline=None)
@given(sizes=sizes_st, s=st.integers(0, 10**6), data=st.data())
def test_excluded_never_drawn(sizes, s, data):
    pop = _pop(sizes)
    ids = [c.id for c in pop]
    excluded = data.draw(st.sets(st.sampled_from(ids), max_size=len(ids)) if ids else st.just(set()))
    p = params(RULES)
    c = freeze(pop, [Exclusion(i, "deregistered") for i in excluded], p, "0" * 64, nonce="n")
    r = draw_targets(c.frame, p, seed_of(s))
    drawn = {x.id for st_ in r.strata.values() for x in st_.selected + st_.reserves}
    assert not drawn & excluded
    assert sum(x.N for x in r.strata.values()) == len(pop) - len(excluded)


@settings(max_examples=40, deadline=None)
@given(
    sizes=sizes_st,
    s=st.integers(0, 10**6),
    weighted=st.booleans(),
    nshards=st.integers(1, 5),
    rnd=st.randoms(),
)
def test_sharded_then_merged_equals_whole(sizes, s, weighted, nshards, rnd):
    p = params(RULES, weighted=weighted)
    pop = _pop(sizes, weighted)
    shards = [[] for _ in range(nshards)]
    for c in pop:
        shards[rnd.randrange(nshards)].append(c)
    seed = seed_of(s)
    counts = {}
    for sh in shards:  # phase 1: counts (e.g. SQL COUNT per shard)
        for k, v in count_strata(sh).items():
            counts[k] = counts.get(k, 0) + v
    limits = required_limits(counts, p)
    parts = [draw_shard(sh, p, seed, limits) for sh in shards]
    assert merge_shards(parts, p, seed) == draw_targets(pop, p, seed)


def test_merge_refuses_too_small_shard_limits():
    p = params({"A": {"ratio": "0.5"}})
    pop = population({"A": 20})
    seed = seed_of(1)
    parts = [draw_shard(pop[:10], p, seed, {"A": 1}), draw_shard(pop[10:], p, seed, {"A": 10})]
    with pytest.raises(DrawError):
        merge_shards(parts, p, seed)


def test_merge_refuses_duplicate_across_shards():
    p = params({"A": {"ratio": "1"}})
    pop = population({"A": 5})
    seed = seed_of(1)
    parts = [draw_shard(pop, p, seed, {"A": 5}), draw_shard(pop[:1], p, seed, {"A": 5})]
    with pytest.raises(DrawError):
        merge_shards(parts, p, seed)


def test_numpy_path_equals_python_path():
    pop = population({"A": 9000, "B": 5000, "C": 4100, "D": 10})
    p = params(
        {"A": {"ratio": "0.01", "reserves": 5}, "B": {"ratio": "0.3"}, "C": {"ratio": "1"}, "D": {"ratio": "0.5"}}
    )
    seed = seed_of(7)
    with_np = draw_targets(pop, p, seed)
    targets_mod.set_numpy(False)
    try:
        without = draw_targets(pop, p, seed)
    finally:
        targets_mod.set_numpy(True)
    assert with_np == without
    assert with_np.strata["C"].n == 4100


def test_numpy_path_equals_python_path_with_sparse_weights():
    from shuangsuiji.draw import Frame

    ids = {"A": [f"T{k:06d}" for k in range(9000)], "B": [f"U{k:06d}" for k in range(5000)]}
    weights = {s: [1] * len(v) for s, v in ids.items()}
    for k in (3, 17, 4000, 8999):
        weights["A"][k] = 1 + k % 5 or 2
    weights["B"][10] = 50
    frame = Frame.from_columns(ids, weights)
    p = params({"A": {"ratio": "0.01", "reserves": 5}, "B": {"ratio": "0.3"}}, weighted=True)
    seed = seed_of(11)
    with_np = draw_targets(frame, p, seed)
    targets_mod.set_numpy(False)
    try:
        without = draw_targets(frame, p, seed)
    finally:
        targets_mod.set_numpy(True)
    assert with_np == without
    assert with_np != draw_targets(Frame.from_columns(ids), p, seed)  # the weights count


def test_weight_one_equals_unweighted():
    pop = population({"A": 50, "B": 50})
    seed = seed_of(3)
    r1 = draw_targets(pop, params({"A": {"ratio": "0.2"}, "B": {"ratio": "0.5"}}), seed)
    r2 = draw_targets(pop, params({"A": {"ratio": "0.2"}, "B": {"ratio": "0.5"}}, weighted=True), seed)
    assert r1.strata == r2.strata


def test_duplicate_ids_and_bad_ids_refused():
    p = params({"A": {"ratio": "0.5"}})
    with pytest.raises(DrawError):
        draw_targets([Candidate("x", "A"), Candidate("x", "A")], p, seed_of(1))
    for bad in ["a,b", 'a"b', "a\nb", ""]:
        with pytest.raises(DrawError):
            draw_targets([Candidate(bad, "A")], p, seed_of(1))
    with pytest.raises(DrawError):
        draw_targets([Candidate("x", "Z")], p, seed_of(1))  # stratum without a rule


def test_reserves_used_in_order_and_recorded():
    p = params({"A": {"ratio": "0.1", "reserves": 2}})
    pop = population({"A": 50})
    r = draw_targets(pop, p, seed_of(5))
    sel = [x.id for x in r.strata["A"].selected]
    res = [x.id for x in r.strata["A"].reserves]
    r1 = use_reserve(r, "A", sel[2], "deregistered")
    assert r1.active("A")[2] == res[0]
    r2 = use_reserve(r1, "A", res[0], "not found at address")  # a reserve can be replaced too
    assert r2.active("A")[2] == res[1]
    assert [u.reason for u in r2.reserve_uses] == ["deregistered", "not found at address"]
    assert r.reserve_uses == ()  # the old result is untouched
    with pytest.raises(DrawError):
        use_reserve(r2, "A", sel[0], "no reserve left")
    with pytest.raises(DrawError):
        use_reserve(r, "A", uscc(999), "not a target")
    with pytest.raises(DrawError):
        use_reserve(r, "A", sel[0], "")


def test_rule_edge_cases():
    pop = population({"A": 10})
    r = draw_targets(pop, params({"A": {"ratio": "0"}, "B": {"ratio": "0.5", "min": 3}}), seed_of(1))
    assert r.strata["A"].n == 0 and r.strata["A"].cutoff is None
    assert r.strata["B"].N == 0 and r.strata["B"].selected == ()
    r = draw_targets(pop, params({"A": {"ratio": "1", "reserves": 3}}), seed_of(1))
    assert r.strata["A"].n == 10 and r.strata["A"].reserves == ()


def test_unicode_ids_sorted_bytewise():
    ids = ["a", "é", "中", "Z", "\U0001f600", "ｚ"]
    pop = [Candidate(i, "A") for i in ids]
    p = params({"A": {"ratio": "1"}})
    r = draw_targets(pop, p, seed_of(2))
    ranked = sorted((ticket(seed_of(2), i), i.encode()) for i in ids)
    assert [x.id for x in r.strata["A"].selected] == [b.decode() for _, b in ranked]


def test_tie_broken_by_id(monkeypatch):
    # force identical tickets to exercise the tie rule (cannot happen with SHA-256 in practice)
    monkeypatch.setattr(targets_mod, "ticket", lambda seed, i, w=1: b"\x00" * 32)
    pop = [Candidate(i, "A", 2) for i in ["b", "a", "c", "ab"]]
    r = targets_mod.draw_targets(pop, params({"A": {"ratio": "0.5", "reserves": 1}}, weighted=True), seed_of(1))
    assert [x.id for x in r.strata["A"].selected] == ["a", "ab"]
    assert [x.id for x in r.strata["A"].reserves] == ["b"]


def test_large_random_population_matches_bruteforce():
    rnd = random.Random(11)
    pop = [Candidate(f"9{rnd.getrandbits(60):018d}", rnd.choice("ABCD")) for _ in range(12000)]
    pop = list({c.id: c for c in pop}.values())
    p = params({s: StratumRule("0.1", reserves=4) for s in "ABCD"})
    seed = seed_of(9)
    r = draw_targets(pop, p, seed)
    for s in "ABCD":
        members = sorted((ticket(seed, c.id), c.id) for c in pop if c.stratum == s)
        n = r.strata[s].n
        assert [x.id for x in r.strata[s].selected] == [m[1] for m in members[:n]]


class _PrefixCollidingSha:
    """A hasher whose digests share their first 8 bytes: forces the exact fallback of the
    numpy path (equal 64-bit prefixes)."""

    def __init__(self, data=b""):
        self._h = hashlib.sha256(data)

    def copy(self):
        c = _PrefixCollidingSha()
        c._h = self._h.copy()
        return c

    def update(self, data):
        self._h.update(data)

    def digest(self):
        d = self._h.digest()
        return b"\x00" * 7 + bytes([d[0] & 1]) + d[8:]


class _FakeHashlib:
    sha256 = _PrefixCollidingSha


def test_numpy_prefix_tie_fallback_is_exact(monkeypatch):
    monkeypatch.setattr(targets_mod, "hashlib", _FakeHashlib)
    pop = population({"A": 5000})
    p = params({"A": {"ratio": "0.01", "reserves": 3}})
    seed = seed_of(1)
    with_np = targets_mod.draw_targets(pop, p, seed)
    targets_mod.set_numpy(False)
    try:
        without = targets_mod.draw_targets(pop, p, seed)
    finally:
        targets_mod.set_numpy(True)
    assert with_np == without
    ranked = sorted((_PrefixCollidingSha(seed + c.id.encode()).digest(), c.id) for c in pop)
    assert with_np.strata["A"].selected.ids == [i for _, i in ranked[:50]]
