"""Deterministic statistical checks (fixed seeds: cannot flake)."""

import math

from drawhelpers import params, population, seed_of

from shuangsuiji.draw import draw_targets, ticket

RUNS = 300


def chi2_critical(df: int, z: float = 3.09) -> float:
    """Upper 0.999 quantile of chi-square (Wilson-Hilferty approximation)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def _inclusion_statistic(counts, runs, n, N):
    """Each candidate is included with probability n/N in each run, independently across
    runs; sum of standardized squared deviations ~ chi-square(N - 1)."""
    p = n / N
    e = runs * p
    return sum((o - e) ** 2 for o in counts) / (e * (1 - p))


def test_inclusion_frequencies_match_ratios():
    sizes = {"A": 60, "B": 80, "C": 100, "D": 120}
    rules = {"A": {"ratio": "0.05"}, "B": {"ratio": "0.1"}, "C": {"ratio": "0.3"}, "D": {"ratio": "0.61"}}
    pop = population(sizes)
    p = params(rules)
    counts = {c.id: 0 for c in pop}
    for r in range(RUNS):
        res = draw_targets(pop, p, seed_of(r))
        for s in res.strata.values():
            for x in s.selected:
                counts[x.id] += 1
    for s, N in sizes.items():
        n = draw_targets(pop, p, seed_of(0)).strata[s].n
        ids = [c.id for c in pop if c.stratum == s]
        total = sum(counts[i] for i in ids)
        assert total == RUNS * n  # exact stratum sizes in every run
        stat = _inclusion_statistic([counts[i] for i in ids], RUNS, n, N)
        assert stat < chi2_critical(N - 1), (s, stat)

    # negative control: a biased rule (lowest ids win) is caught by the same statistic
    biased = [RUNS if k < 3 else 0 for k in range(60)]
    assert _inclusion_statistic(biased, RUNS, 3, 60) > chi2_critical(59)


def test_weighted_first_pick_is_proportional_to_weight():
    """Spec: the weighted order is successive sampling proportional to weight, so the
    smallest ticket belongs to candidate i with probability w_i / sum(w)."""
    weights = [1, 1, 2, 2, 3, 4, 5, 6]
    ids = [f"W{i}" for i in range(len(weights))]
    W = sum(weights)
    runs = 4000
    wins = [0] * len(ids)
    for r in range(runs):
        seed = seed_of(10_000 + r)
        best = min(range(len(ids)), key=lambda i: (ticket(seed, ids[i], weights[i]), ids[i]))
        wins[best] += 1
    stat = sum((wins[i] - runs * w / W) ** 2 / (runs * w / W) for i, w in enumerate(weights))
    assert stat < chi2_critical(len(ids) - 1), (wins, stat)
    # negative control: ignoring weights would be rejected
    flat = [runs / len(ids)] * len(ids)
    assert sum((flat[i] - runs * w / W) ** 2 / (runs * w / W) for i, w in enumerate(weights)) > chi2_critical(7)


def test_weighted_inclusion_increases_with_weight():
    pop = population({"A": 40}, weights=lambda k: 1 + k % 4)
    p = params({"A": {"ratio": "0.25"}}, weighted=True)
    inc = dict.fromkeys(range(1, 5), 0)
    for r in range(RUNS):
        for x in draw_targets(pop, p, seed_of(50_000 + r)).strata["A"].selected:
            inc[1 + int(x.id) % 4] += 1
    assert inc[1] < inc[2] < inc[3] < inc[4]
