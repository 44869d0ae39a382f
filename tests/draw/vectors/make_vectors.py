"""Regenerate the frozen test vectors: python tests/draw/vectors/make_vectors.py

Each vector is a complete bundle directory. test_vectors.py checks that the package and
tools/verify_draw.py accept them, that tampered copies are rejected, and that this script
still produces exactly the same bytes (so any change to the engine's output is visible).
"""

import hashlib
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from shuangsuiji.draw import (  # noqa: E402
    AssignmentParams,
    Candidate,
    DepartmentRequirement,
    DrandRound,
    DrawParams,
    Entropy,
    Exclusion,
    Inspector,
    PublicEntropy,
    StratumRule,
    assign_inspectors,
    derive_seed,
    draw_targets,
    freeze,
    replace_target,
    server_secret_hash,
    substitute,
    use_reserve,
    write_bundle,
)

SECRET = hashlib.sha256(b"vector server secret").digest()


def uscc(i):
    return f"91130100MA{i:07d}X"


def _basic():
    pop = [Candidate(uscc(i), "ABCD"[i % 4]) for i in range(40)]
    excl = [Exclusion(uscc(3), "deregistered"), Exclusion(uscc(8), "inspected-2026-10-01-水利局")]
    params = DrawParams(
        draw_id="VEC-basic",
        strata={
            "A": StratumRule("0.05", min=1, reserves=1),
            "B": StratumRule("0.2", reserves=2),
            "C": StratumRule("0.25", min=1, max=2, reserves=1),
            "D": StratumRule("0.61", reserves=0),
        },
        meta={"task": "2026年第1批", "items": "食品经营"},
    )
    c = freeze(pop, excl, params, server_secret_hash(SECRET), nonce="00" * 32)
    e = Entropy(
        SECRET,
        [
            PublicEntropy("dice", "3 6 1 4 2 2 5 6 1 3", "witness 王五"),
            PublicEntropy("lottery", "福彩3D 2026318期 5 0 7", "www.cwl.gov.cn"),
        ],
    )
    seed = derive_seed(c, e)
    t = draw_targets(c.frame, params, seed)
    t = use_reserve(t, "B", t.strata["B"].selected[0].id, "not-found-at-address")
    return c, e, t, None


def _weighted():
    pop = [Candidate(f"个体户-{i:03d}", ["低风险", "高风险"][i % 2], 1 + (i % 4)) for i in range(30)]
    params = DrawParams(
        draw_id="VEC-weighted",
        strata={"低风险": StratumRule("0.1", reserves=2), "高风险": StratumRule("1/3", reserves=1)},
        weighted=True,
    )
    c = freeze(pop, [], params, server_secret_hash(SECRET), nonce="01" * 32)
    sig = hashlib.sha256(b"not a real drand signature, shape only").digest() * 3
    e = Entropy(
        SECRET,
        [PublicEntropy("dice", "1 1 2 3 5 8", "witness 李四")],
        DrandRound(1234567, sig.hex(), hashlib.sha256(sig).hexdigest()),
    )
    seed = derive_seed(c, e)
    return c, e, draw_targets(c.frame, params, seed), None


def _assignment():
    pop = [Candidate(uscc(100 + i), "AB"[i % 2]) for i in range(24)]
    ap = AssignmentParams(
        departments={
            "市场监管局": DepartmentRequirement(g=2, experts=1, specialties=frozenset({"食品"})),
            "水利局": DepartmentRequirement(g=2),
        },
        window_from="2026-12-01",
        window_to="2026-12-15",
        cap=6,
        rotation=True,
    )
    params = DrawParams(
        draw_id="VEC-assign",
        strata={"A": StratumRule("0.5", reserves=2), "B": StratumRule("0.25", reserves=1)},
        assignment=ap,
    )
    insp = []
    for i in range(7):
        insp.append(
            Inspector(
                f"13010{i:04d}",
                "市场监管局",
                cert_valid_from="2024-01-01",
                cert_valid_to="2027-12-31" if i != 5 else "2026-12-10",
                specialties=frozenset({"食品", "药品"} if i % 2 else {"食品"}),
                conflicts=frozenset({uscc(100 + i)}),
                last_inspected=frozenset({uscc(101 + i)}),
                workload=i % 3,
                leave=(("2026-12-14", "2026-12-20"),) if i == 6 else (),
            )
        )
    insp.append(Inspector("E-001", "市场监管局", is_expert=True, specialties=frozenset({"食品"})))
    insp.append(Inspector("E-002", "市场监管局", is_expert=True, specialties=frozenset({"食品"}), active=False))
    for i in range(6):
        insp.append(Inspector(f"13020{i:04d}", "水利局", cert_valid_from="2024-01-01", cert_valid_to="2028-01-01"))
    c = freeze(pop, [Exclusion(uscc(999), "deregistered")], params, server_secret_hash(SECRET), insp, "02" * 32)
    e = Entropy(SECRET, [PublicEntropy("dice", "6 6 6 1 2 3", "witness 赵六")])
    seed = derive_seed(c, e)
    t = draw_targets(c.frame, params, seed)
    a = assign_inspectors(t.targets(), insp, ap, seed)
    old = t.strata["A"].selected[1].id
    t = use_reserve(t, "A", old, "deregistered-after-draw")
    a = replace_target(a, old, t.reserve_uses[-1].replacement, "deregistered-after-draw", seed)
    g = next(g for g in a.groups if g.department == "水利局")
    a = substitute(a, g.target, "水利局", g.inspectors[0], "sick-leave", seed)
    return c, e, t, a


VECTORS = {"basic": _basic, "weighted": _weighted, "assignment": _assignment}


def build(name):
    """The bundle files of one vector, as bytes."""
    c, e, t, a = VECTORS[name]()
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, name)
        write_bundle(path, c, e, t, a)
        out = {}
        for f in sorted(os.listdir(path)):
            with open(os.path.join(path, f), "rb") as fh:
                out[f] = fh.read()
        return out
    finally:
        shutil.rmtree(tmp)


def main():
    for name in VECTORS:
        path = os.path.join(HERE, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        for f, data in build(name).items():
            with open(os.path.join(path, f), "wb") as fh:
                fh.write(data)
        print("wrote", path)


if __name__ == "__main__":
    main()
