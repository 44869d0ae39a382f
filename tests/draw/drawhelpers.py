"""Builders shared by the draw tests (plain data, no Django)."""

import hashlib

from shuangsuiji.draw import (
    AssignmentParams,
    Candidate,
    DepartmentRequirement,
    DrawParams,
    Entropy,
    Inspector,
    PublicEntropy,
    StratumRule,
)

SECRET = bytes(range(32))


def seed_of(i: int) -> bytes:
    return hashlib.sha256(b"test-seed-" + str(i).encode()).digest()


def uscc(i: int) -> str:
    return f"91{i:016d}"


def population(sizes: dict, weights=None) -> list:
    out, k = [], 0
    for s, n in sizes.items():
        for _ in range(n):
            w = 1 if weights is None else weights(k)
            out.append(Candidate(uscc(k), s, w))
            k += 1
    return out


def params(rules: dict, draw_id="T-1", weighted=False, assignment=None) -> DrawParams:
    return DrawParams(
        draw_id=draw_id,
        strata={k: v if isinstance(v, StratumRule) else StratumRule(**v) for k, v in rules.items()},
        weighted=weighted,
        assignment=assignment,
    )


def assignment_params(depts=("MSA",), g=2, experts=0, specialties=(), cap=None, rotation=True):
    return AssignmentParams(
        departments={d: DepartmentRequirement(g, experts, frozenset(specialties)) for d in depts},
        window_from="2026-12-01",
        window_to="2026-12-15",
        cap=cap,
        rotation=rotation,
    )


def inspector(i, dept="MSA", **kw) -> Inspector:
    base = {
        "id": f"{dept}-{i:04d}",
        "department": dept,
        "cert_valid_from": "2020-01-01",
        "cert_valid_to": "2030-12-31",
    }
    base.update(kw)
    return Inspector(**base)


def entropy(dice="3 1 4 1 5 9") -> Entropy:
    return Entropy(SECRET, [PublicEntropy("dice", dice, "witness 张三")])
