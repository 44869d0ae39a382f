"""Benchmark of the draw engine (not a test). Run from the repository root:

    .venv/bin/python bench/draw.py            # 10,000,000 candidates (about 2 minutes)
    .venv/bin/python bench/draw.py --n 1000000 --assign-targets 50000   # quick run

Target draw: N candidates in 4 equal strata at 1%, 3%, 10%, 30% (reserves 10 each).
Floor: a bare loop `hashlib.sha256(seed + id).digest()` over the same identifiers,
pre-encoded to bytes outside the timing (the strictest floor: the draw itself has to
encode the str ids). Rivest's consistent_sampler runs on the first 1,000,000 identifiers
(same strata and ratios) and is scaled x10 (i.e. x N/1,000,000).
Assignment: 500,000 targets, 5,000 inspectors of one department, 2% of targets with a
declared conflict (1-3 inspectors each), g = 2.
"""

import argparse
import gc
import hashlib
import os
import platform
import random
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from shuangsuiji.draw import (  # noqa: E402
    AssignmentParams,
    DepartmentRequirement,
    DrawParams,
    Frame,
    Inspector,
    StratumRule,
    assign_inspectors,
    canonical_json,
    draw_targets,
)

RATIOS = {"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--cs-n", type=int, default=1_000_000, help="ids given to consistent_sampler")
    ap.add_argument("--assign-targets", type=int, default=500_000)
    ap.add_argument("--inspectors", type=int, default=5_000)
    ap.add_argument("--no-memory", action="store_true", help="skip the traced (slow) memory run")
    a = ap.parse_args()
    N = a.n
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus")
    seed = hashlib.sha256(b"bench seed").digest()

    t = time.perf_counter()
    strata = list(RATIOS)
    ids = {s: [] for s in strata}
    for i in range(N):
        ids[strata[i % 4]].append(f"9111{i:014d}")
    t_build = time.perf_counter() - t
    t = time.perf_counter()
    frame = Frame.from_columns(ids)  # validates every id and refuses duplicates
    t_validate = time.perf_counter() - t
    print(f"population: {N:,} candidates built in {t_build:.2f}s, validated in {t_validate:.2f}s (not in the draw)")
    params = DrawParams("BENCH", {s: StratumRule(r, reserves=10) for s, r in RATIOS.items()})

    # the draw
    gc.collect()
    t = time.perf_counter()
    result = draw_targets(frame, params, seed)
    t_draw = time.perf_counter() - t
    for s in strata:
        r = result.strata[s]
        print(f"  stratum {s}: N={r.N:,} n={r.n:,} cutoff={r.cutoff[:16]}...")
    print(f"draw: {t_draw:.2f}s")
    t = time.perf_counter()
    canonical_json(result.to_json())
    print(f"result to canonical JSON: {time.perf_counter() - t:.2f}s (not in the draw, for information)")
    del result
    if not a.no_memory:
        gc.collect()
        tracemalloc.start()
        draw_targets(frame, params, seed)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"draw peak memory: {peak / 2**20:.0f} MiB (tracemalloc, allocations during the draw)")

    # the floor: bare SHA-256 over the same identifiers, ids pre-encoded outside the timing
    idb = [i.encode() for s in strata for i in ids[s]]
    sha = hashlib.sha256
    gc.collect()
    t = time.perf_counter()
    for b in idb:
        sha(seed + b).digest()
    t_floor = time.perf_counter() - t
    del idb
    print(f"floor (sha256(seed + id).digest() loop, bytes ids): {t_floor:.2f}s")
    flat = [i for s in strata for i in ids[s]]
    t = time.perf_counter()
    for i in flat:
        sha(seed + i.encode()).digest()
    t_floor_str = time.perf_counter() - t
    print(f"floor incl. str->UTF-8 encoding: {t_floor_str:.2f}s (for information)")

    # Rivest's consistent_sampler on the first cs_n identifiers, scaled
    from consistent_sampler import sampler

    first = flat[: a.cs_n]
    del flat
    sub = {s: [] for s in strata}
    for k, i in enumerate(first):
        sub[strata[k % 4]].append(i)
    t = time.perf_counter()
    for s in strata:
        n = -((-len(sub[s]) * int(RATIOS[s].replace("0.", ""))) // 100)
        list(sampler(sub[s], seed.hex(), with_replacement=False, output="id", take=n + 10))
    t_cs = (time.perf_counter() - t) * (N / len(first))
    scale = N / len(first)
    print(f"consistent_sampler: {t_cs / scale:.2f}s on {len(first):,} ids, scaled x{scale:g}: {t_cs:.2f}s")
    del frame, ids, sub, first
    gc.collect()

    # assignment
    rnd = random.Random(7)
    T = a.assign_targets
    targets = [f"9122{i:014d}" for i in range(T)]
    conflicts = {}
    for t_id in rnd.sample(targets, T // 50):  # 2% of targets
        for k in rnd.sample(range(a.inspectors), rnd.randint(1, 3)):
            conflicts.setdefault(k, set()).add(t_id)
    inspectors = [
        Inspector(
            f"130{k:06d}",
            "市场监管局",
            active=k % 50 != 0,
            cert_valid_from="2024-01-01",
            cert_valid_to="2029-12-31",
            specialties=frozenset({"食品"}),
            leave=(("2026-12-05", "2026-12-08"),) if k % 40 == 1 else (),
            conflicts=frozenset(conflicts.get(k, ())),
            workload=k % 3,
        )
        for k in range(a.inspectors)
    ]
    req = AssignmentParams(
        {"市场监管局": DepartmentRequirement(g=2, specialties=frozenset({"食品"}))}, "2026-12-01", "2026-12-15"
    )
    gc.collect()
    t = time.perf_counter()
    res = assign_inspectors(targets, inspectors, req, seed)
    t_assign = time.perf_counter() - t
    loads = res.loads()
    busy = [loads[i.id] for i in inspectors if i.active and not i.leave]
    print(
        f"assignment: {T:,} targets, {a.inspectors:,} inspectors, {sum(len(v) for v in conflicts.values()):,} "
        f"declared conflicts, g=2: {t_assign:.2f}s, {len(res.groups):,} groups, {len(res.shortfalls)} shortfalls, "
        f"loads {min(busy)}..{max(busy)}"
    )
    print(f"ratio_vs_floor={t_draw / t_floor:.2f} speedup_vs_consistent_sampler={t_cs / t_draw:.1f}")


if __name__ == "__main__":
    main()
