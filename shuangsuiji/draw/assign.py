"""Inspector assignment and substitute draws (spec v1, sections 12-13).

K      = SHA-256("shuangsuiji/draw/v1/assign\\n" || seed)
order  = targets by SHA-256(K || 0x01 || UTF-8(target id)), then id bytes
rank   = (load, SHA-256(K || 0x02 || UTF-8(inspector id) || 0x00 || ASCII(load)), id bytes)
For each target (in order) and each department (bytewise order) the group takes the g
eligible enforcement inspectors with the smallest rank, then the `experts` eligible experts
with the smallest rank; the load of every chosen person goes up by one.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .canonical import (
    DrawError,
    Fragment,
    canonical_json,
    check_date,
    check_field,
    check_text,
    parse_json,
    records,
)
from .params import AssignmentParams

ASSIGN_DOMAIN = b"shuangsuiji/draw/v1/assign\n"
ENFORCEMENT = "inspectors"
EXPERTS = "experts"

STATIC_STAGES = {
    ENFORCEMENT: ("department", "active", "certificate", "training", "leave", "specialties"),
    EXPERTS: ("department", "active", "leave", "specialties"),
}
DYNAMIC_STAGES = ("conflict", "rotation", "cap")


def _b(s: str) -> bytes:
    return s.encode("utf-8")


@dataclass(frozen=True)
class Inspector:
    id: str  # 执法证号 (or expert id)
    department: str
    is_expert: bool = False
    active: bool = True
    cert_valid_from: str | None = None
    cert_valid_to: str | None = None
    trained: bool = True
    leave: tuple[tuple[str, str], ...] = ()
    specialties: frozenset[str] = frozenset()
    conflicts: frozenset[str] = frozenset()
    last_inspected: frozenset[str] = frozenset()
    workload: int = 0

    def __post_init__(self) -> None:
        check_field(self.id, "inspector id")
        check_field(self.department, "department")
        for name in ("is_expert", "active", "trained"):
            if not isinstance(getattr(self, name), bool):
                raise DrawError(f"inspector {self.id}: {name} must be a bool")
        for name in ("cert_valid_from", "cert_valid_to"):
            if getattr(self, name) is not None:
                check_date(getattr(self, name), f"inspector {self.id}: {name}")
        leave = []
        for p in self.leave:
            if isinstance(p, Mapping):
                p = (p.get("from"), p.get("to"))
            a, b = p
            check_date(a, f"inspector {self.id}: leave from")
            check_date(b, f"inspector {self.id}: leave to")
            if b < a:
                raise DrawError(f"inspector {self.id}: leave ends before it starts")
            leave.append((a, b))
        object.__setattr__(self, "leave", tuple(sorted(leave)))
        for name in ("specialties", "conflicts", "last_inspected"):
            vals = frozenset(getattr(self, name))
            for v in vals:
                check_text(v, f"inspector {self.id}: {name}")
            object.__setattr__(self, name, vals)
        w = self.workload
        if isinstance(w, bool) or not isinstance(w, int) or w < 0:
            raise DrawError(f"inspector {self.id}: workload must be an integer >= 0")

    def to_json(self) -> dict:
        def srt(xs):
            return sorted(xs, key=_b)

        return {
            "active": self.active,
            "cert_valid_from": self.cert_valid_from,
            "cert_valid_to": self.cert_valid_to,
            "conflicts": srt(self.conflicts),
            "department": self.department,
            "id": self.id,
            "is_expert": self.is_expert,
            "last_inspected": srt(self.last_inspected),
            "leave": [{"from": a, "to": b} for a, b in self.leave],
            "specialties": srt(self.specialties),
            "trained": self.trained,
            "workload": self.workload,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Inspector:
        keys = set(cls.__dataclass_fields__)
        extra = set(d) - keys
        if extra:
            raise DrawError(f"unknown inspector keys: {sorted(extra)}")
        kw = dict(d)
        for name in ("specialties", "conflicts", "last_inspected"):
            if name in kw:
                kw[name] = frozenset(kw[name])
        if "leave" in kw:
            kw["leave"] = tuple((p["from"], p["to"]) if isinstance(p, Mapping) else tuple(p) for p in kw["leave"])
        return cls(**kw)


def _as_inspectors(inspectors: Iterable[Inspector | Mapping]) -> list[Inspector]:
    out = [i if isinstance(i, Inspector) else Inspector.from_json(i) for i in inspectors]
    ids = [i.id for i in out]
    if len(set(ids)) != len(ids):
        raise DrawError("duplicate inspector id")
    out.sort(key=lambda i: _b(i.id))
    return out


def as_inspectors(inspectors: Iterable[Inspector | Mapping]) -> list[Inspector]:
    """Engine inspectors (validated, sorted by id bytes) from objects or their JSON form: what
    `inspectors_json` and `assign_inspectors` make of their argument; give them the result to
    build the objects once."""
    return _as_inspectors(inspectors)


def inspectors_json(inspectors: Iterable[Inspector | Mapping]) -> bytes:
    """inspectors.json: canonical JSON array of inspector objects sorted by id bytes."""
    return canonical_json([i.to_json() for i in _as_inspectors(inspectors)])


def parse_inspectors(data: bytes) -> list[Inspector]:
    raw = parse_json(data, "inspectors.json")
    if not isinstance(raw, list):
        raise DrawError("inspectors.json must be a JSON array")
    out = _as_inspectors(raw)
    if inspectors_json(out) != data:
        raise DrawError("inspectors.json is not in canonical form")
    return out


@dataclass(frozen=True)
class Group:
    target: str
    department: str
    inspectors: tuple[str, ...]
    experts: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "department": self.department,
            "experts": list(self.experts),
            "inspectors": list(self.inspectors),
            "target": self.target,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Group:
        return cls(d["target"], d["department"], tuple(d["inspectors"]), tuple(d["experts"]))


def groups_fragment(groups: Sequence[Group]) -> Fragment:
    return records(
        ("department", "experts", "inspectors", "target"),
        [(g.department, g.experts, g.inspectors, g.target) for g in groups],
        lambda: [g.to_json() for g in groups],
    )


@dataclass(frozen=True)
class Shortfall:
    """A group that could not be filled: never a silently smaller group."""

    target: str
    department: str
    role: str  # "inspectors" or "experts"
    needed: int
    eligible: int
    failed: str  # first requirement after which fewer than `needed` remained
    stages: tuple[tuple[str, int], ...]  # count remaining after each requirement

    def to_json(self) -> dict:
        return {
            "department": self.department,
            "eligible": self.eligible,
            "failed": self.failed,
            "needed": self.needed,
            "role": self.role,
            "stages": [[k, v] for k, v in self.stages],
            "target": self.target,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Shortfall:
        return cls(
            d["target"],
            d["department"],
            d["role"],
            d["needed"],
            d["eligible"],
            d["failed"],
            tuple((k, v) for k, v in d["stages"]),
        )


class AssignmentShortfall(DrawError):
    def __init__(self, shortfall: Shortfall) -> None:
        super().__init__(
            f"cannot fill {shortfall.role} for target {shortfall.target} in "
            f"{shortfall.department}: requirement {shortfall.failed!r} failed, "
            f"{shortfall.eligible} eligible, {shortfall.needed} needed"
        )
        self.shortfall = shortfall


@dataclass(frozen=True)
class Substitution:
    target: str
    department: str
    role: str
    replaced: str
    replacement: str
    reason: str

    def to_json(self) -> dict:
        return {
            "department": self.department,
            "kind": "substitute",
            "reason": self.reason,
            "replaced": self.replaced,
            "replacement": self.replacement,
            "role": self.role,
            "target": self.target,
        }


@dataclass(frozen=True)
class PersonSubstitution:
    """递补 of one person in all their current groups of one department (spec §13.3): one
    event, one reason; ``parts`` are the §13.1 substitutes it amounts to, in target order."""

    department: str
    replaced: str
    reason: str
    parts: tuple[Substitution, ...]

    def to_json(self) -> dict:
        return {
            "department": self.department,
            "kind": "substitute_person",
            "reason": self.reason,
            "replaced": self.replaced,
            "substitutions": [{"replacement": p.replacement, "role": p.role, "target": p.target} for p in self.parts],
        }


def _substitutions(events) -> Iterator[Substitution]:
    """Every §13.1 substitute among the events, those of a person substitution included."""
    for e in events:
        if isinstance(e, Substitution):
            yield e
        elif isinstance(e, PersonSubstitution):
            yield from e.parts


@dataclass(frozen=True)
class TargetReplacement:
    old: str
    new: str
    reason: str
    groups: tuple[Group, ...]
    shortfalls: tuple[Shortfall, ...]

    def to_json(self) -> dict:
        return {
            "groups": [g.to_json() for g in self.groups],
            "kind": "replace_target",
            "new": self.new,
            "old": self.old,
            "reason": self.reason,
            "shortfalls": [s.to_json() for s in self.shortfalls],
        }


def event_from_json(d: Mapping[str, Any]) -> Substitution | PersonSubstitution | TargetReplacement:
    if d.get("kind") == "substitute":
        return Substitution(d["target"], d["department"], d["role"], d["replaced"], d["replacement"], d["reason"])
    if d.get("kind") == "substitute_person":
        parts = tuple(
            Substitution(p["target"], d["department"], p["role"], d["replaced"], p["replacement"], d["reason"])
            for p in d["substitutions"]
        )
        return PersonSubstitution(d["department"], d["replaced"], d["reason"], parts)
    if d.get("kind") == "replace_target":
        return TargetReplacement(
            d["old"],
            d["new"],
            d["reason"],
            tuple(Group.from_json(g) for g in d["groups"]),
            tuple(Shortfall.from_json(s) for s in d["shortfalls"]),
        )
    raise DrawError(f"unknown assignment event kind {d.get('kind')!r}")


@dataclass(frozen=True)
class AssignmentResult:
    seed: str
    targets: tuple[str, ...]  # input targets in processing order
    groups: tuple[Group, ...]  # initial groups, sorted by (target, department) bytes
    shortfalls: tuple[Shortfall, ...]
    events: tuple[Substitution | PersonSubstitution | TargetReplacement, ...] = ()
    # inputs kept for substitute/replace_target; not part of the JSON
    params: AssignmentParams | None = field(default=None, compare=False, repr=False)
    inspectors: tuple[Inspector, ...] = field(default=(), compare=False, repr=False)

    def to_json(self) -> dict:
        return {
            "events": [e.to_json() for e in self.events],
            "groups": [g.to_json() for g in self.groups],
            "order": list(self.targets),
            "shortfalls": [s.to_json() for s in self.shortfalls],
        }

    def for_canonical_json(self) -> dict:
        """`to_json` with the groups as a fragment (a provincial draw has 50,000 groups);
        canonical_json gives the same bytes."""
        return {
            "events": [e.to_json() for e in self.events],
            "groups": groups_fragment(self.groups),
            "order": list(self.targets),
            "shortfalls": [s.to_json() for s in self.shortfalls],
        }

    def current_groups(self) -> dict[tuple[str, str], Group]:
        cur = {(g.target, g.department): g for g in self.groups}
        for e in self.events:
            if isinstance(e, (Substitution, PersonSubstitution)):
                for part in _substitutions([e]):
                    g = cur[(part.target, part.department)]
                    if part.role == ENFORCEMENT:
                        mem = tuple(part.replacement if x == part.replaced else x for x in g.inspectors)
                        cur[(part.target, part.department)] = replace(g, inspectors=mem)
                    else:
                        mem = tuple(part.replacement if x == part.replaced else x for x in g.experts)
                        cur[(part.target, part.department)] = replace(g, experts=mem)
            else:
                for key in [k for k in cur if k[0] == e.old]:
                    del cur[key]
                for g in e.groups:
                    cur[(g.target, g.department)] = g
        return cur

    def loads(self) -> dict[str, int]:
        """Workload per inspector: declared workload plus current groups (both roles)."""
        load = {i.id: i.workload for i in self.inspectors}
        for g in self.current_groups().values():
            for x in g.inspectors + g.experts:
                load[x] += 1
        return load


class _Engine:
    """Shared eligibility and ranking; used by the fast path and by replays."""

    def __init__(self, params: AssignmentParams, inspectors: list[Inspector], seed: bytes) -> None:
        self.p = params
        self.key = hashlib.sha256(ASSIGN_DOMAIN + seed).digest()
        self.by_id = {i.id: i for i in inspectors}
        self.pools: dict[tuple[str, str], list[Inspector]] = {}
        self.static_stages: dict[tuple[str, str], list[tuple[str, int]]] = {}
        self.conflicted: dict[str, set[str]] = {}
        self.rotated: dict[str, set[str]] = {}
        for i in inspectors:
            for t in i.conflicts:
                self.conflicted.setdefault(t, set()).add(i.id)
            if params.rotation:
                for t in i.last_inspected:
                    self.rotated.setdefault(t, set()).add(i.id)
        for dept, req in params.departments.items():
            for role in (ENFORCEMENT, EXPERTS):
                pool, stages = self._static(dept, req.specialties, role, inspectors)
                self.pools[(dept, role)] = pool
                self.static_stages[(dept, role)] = stages

    def _static(self, dept, specialties, role, inspectors):
        wf, wt = self.p.window_from, self.p.window_to
        expert = role == EXPERTS
        checks = {
            "department": lambda i: i.department == dept and i.is_expert == expert,
            "active": lambda i: i.active,
            "certificate": lambda i: (
                i.cert_valid_from is not None
                and i.cert_valid_to is not None
                and i.cert_valid_from <= wf
                and wt <= i.cert_valid_to
            ),
            "training": lambda i: i.trained,
            "leave": lambda i: not any(a <= wt and b >= wf for a, b in i.leave),
            "specialties": lambda i: specialties <= i.specialties,
        }
        pool = list(inspectors)
        stages = []
        for name in STATIC_STAGES[role]:
            pool = [i for i in pool if checks[name](i)]
            stages.append((name, len(pool)))
        return pool, stages

    def rank_key(self, inspector_id: str, load: int) -> bytes:
        return hashlib.sha256(self.key + b"\x02" + _b(inspector_id) + b"\x00" + str(load).encode("ascii")).digest()

    def order(self, targets: Sequence[str]) -> list[str]:
        k = self.key + b"\x01"
        return [t for _, _, t in sorted((hashlib.sha256(k + _b(t)).digest(), _b(t), t) for t in targets)]

    def need(self, dept: str, role: str) -> int:
        req = self.p.departments[dept]
        return req.g if role == ENFORCEMENT else req.experts

    def dynamic_ok(self, iid: str, target: str, load: int) -> bool:
        if iid in self.conflicted.get(target, ()):
            return False
        if iid in self.rotated.get(target, ()):
            return False
        return self.p.cap is None or load < self.p.cap

    def shortfall(self, target, dept, role, loads, barred=frozenset(), m=None) -> Shortfall:
        if m is None:
            m = self.need(dept, role)
        stages = list(self.static_stages[(dept, role)])
        pool = [i.id for i in self.pools[(dept, role)] if i.id not in barred]
        if barred:
            stages.append(("not already in group", len(pool)))
        c = self.conflicted.get(target, set())
        pool = [x for x in pool if x not in c]
        stages.append(("conflict", len(pool)))
        r = self.rotated.get(target, set())
        pool = [x for x in pool if x not in r]
        stages.append(("rotation", len(pool)))
        cap = self.p.cap
        pool = [x for x in pool if cap is None or loads[x] < cap]
        stages.append(("cap", len(pool)))
        failed = next(name for name, cnt in stages if cnt < m)
        return Shortfall(target, dept, role, m, len(pool), failed, tuple(stages))

    def pick_linear(self, target, dept, role, loads, m, barred=frozenset()) -> list[str] | None:
        """The m eligible people of the pool with the smallest rank, or None."""
        cand = []
        for i in self.pools[(dept, role)]:
            if i.id in barred or not self.dynamic_ok(i.id, target, loads[i.id]):
                continue
            cand.append((loads[i.id], self.rank_key(i.id, loads[i.id]), _b(i.id), i.id))
        if len(cand) < m:
            return None
        return [c[3] for c in heapq.nsmallest(m, cand)]

    def assign_target(self, target, loads) -> tuple[list[Group], list[Shortfall]]:
        groups, shorts = [], []
        for dept in sorted(self.p.departments, key=_b):
            members = self.pick_linear(target, dept, ENFORCEMENT, loads, self.need(dept, ENFORCEMENT))
            if members is None:
                shorts.append(self.shortfall(target, dept, ENFORCEMENT, loads))
                continue
            for x in members:
                loads[x] += 1
            experts: list[str] = []
            m = self.need(dept, EXPERTS)
            if m:
                picked = self.pick_linear(target, dept, EXPERTS, loads, m)
                if picked is None:
                    shorts.append(self.shortfall(target, dept, EXPERTS, loads))
                else:
                    experts = picked
                    for x in experts:
                        loads[x] += 1
            groups.append(Group(target, dept, tuple(members), tuple(experts)))
        return groups, shorts


def _seed_bytes(seed: bytes | str) -> bytes:
    if isinstance(seed, str):
        seed = bytes.fromhex(seed)
    if len(seed) != 32:
        raise DrawError("seed must be 32 bytes")
    return bytes(seed)


def _sort_groups(groups: Iterable[Group]) -> tuple[Group, ...]:
    return tuple(sorted(groups, key=lambda g: (_b(g.target), _b(g.department))))


def assign_inspectors(
    targets: Sequence[str],
    inspectors: Iterable[Inspector | Mapping],
    requirements: AssignmentParams | Mapping,
    seed: bytes | str,
) -> AssignmentResult:
    """Assign a group per target and department (see module docstring).

    `requirements` is an AssignmentParams (departments with g / experts / specialties,
    inspection window, workload cap, rotation). Result: groups, and shortfalls naming the
    target, the requirement that failed and how many were eligible."""
    params = requirements if isinstance(requirements, AssignmentParams) else AssignmentParams.from_json(requirements)
    seed = _seed_bytes(seed)
    insp = _as_inspectors(inspectors)
    for t in targets:
        check_field(t, "target id")
    if len(set(targets)) != len(targets):
        raise DrawError("duplicate target id")
    eng = _Engine(params, insp, seed)
    loads = {i.id: i.workload for i in insp}
    cap = params.cap
    # fast path: one heap per (department, role) of (load, rank key, id bytes, id)
    heaps = {}
    for key, pool in eng.pools.items():
        h = [
            (loads[i.id], eng.rank_key(i.id, loads[i.id]), _b(i.id), i.id)
            for i in pool
            if cap is None or loads[i.id] < cap
        ]
        heapq.heapify(h)
        heaps[key] = h
    depts = sorted(params.departments, key=_b)
    order = eng.order(targets)
    groups: list[Group] = []
    shorts: list[Shortfall] = []
    conflicted, rotated = eng.conflicted, eng.rotated
    pop, push = heapq.heappop, heapq.heappush
    rank_key = eng.rank_key
    empty: frozenset = frozenset()

    def take(target, h, m):
        c = conflicted.get(target, empty)
        r = rotated.get(target, empty)
        picked, skipped = [], []
        while h and len(picked) < m:
            item = pop(h)
            if item[3] in c or item[3] in r:
                skipped.append(item)
            else:
                picked.append(item)
        if len(picked) < m:
            for item in picked + skipped:
                push(h, item)
            return None
        for item in skipped:
            push(h, item)
        out = []
        for load, _, b, iid in picked:
            load += 1
            loads[iid] = load
            if cap is None or load < cap:
                push(h, (load, rank_key(iid, load), b, iid))
            out.append(iid)
        return out

    for target in order:
        for dept in depts:
            req = params.departments[dept]
            members = take(target, heaps[(dept, ENFORCEMENT)], req.g)
            if members is None:
                shorts.append(eng.shortfall(target, dept, ENFORCEMENT, loads))
                continue
            experts = []
            if req.experts:
                picked = take(target, heaps[(dept, EXPERTS)], req.experts)
                if picked is None:
                    shorts.append(eng.shortfall(target, dept, EXPERTS, loads))
                else:
                    experts = picked
            groups.append(Group(target, dept, tuple(members), tuple(experts)))
    return AssignmentResult(
        seed=seed.hex(),
        targets=tuple(order),
        groups=_sort_groups(groups),
        shortfalls=tuple(shorts),
        params=params,
        inspectors=tuple(insp),
    )


def _engine_for(assignment: AssignmentResult, seed: bytes | str) -> _Engine:
    seed = _seed_bytes(seed)
    if seed.hex() != assignment.seed:
        raise DrawError("seed differs from the seed of this assignment")
    if assignment.params is None:
        raise DrawError("assignment has no inputs attached (use read_bundle to load one)")
    return _Engine(assignment.params, list(assignment.inspectors), seed)


def substitute(
    assignment: AssignmentResult,
    target_id: str,
    department: str,
    inspector_id: str,
    reason: str,
    seed: bytes | str,
) -> AssignmentResult:
    """递补: replace one member of a group by the eligible person with the smallest rank
    (current loads, the replaced person's load already reduced by one). People who were
    ever removed from this group are barred from it. Raises AssignmentShortfall."""
    check_field(reason, "reason")
    eng = _engine_for(assignment, seed)
    cur = assignment.current_groups()
    g = cur.get((target_id, department))
    if g is None:
        raise DrawError(f"no group for target {target_id!r} in department {department!r}")
    if inspector_id in g.inspectors:
        role = ENFORCEMENT
    elif inspector_id in g.experts:
        role = EXPERTS
    else:
        raise DrawError(f"{inspector_id!r} is not in the group of {target_id!r}/{department!r}")
    loads = assignment.loads()
    loads[inspector_id] -= 1
    barred = set(g.inspectors) | set(g.experts)
    for e in _substitutions(assignment.events):
        if (e.target, e.department) == (target_id, department):
            barred.add(e.replaced)
    picked = eng.pick_linear(target_id, department, role, loads, 1, frozenset(barred))
    if picked is None:
        raise AssignmentShortfall(eng.shortfall(target_id, department, role, loads, frozenset(barred), m=1))
    ev = Substitution(target_id, department, role, inspector_id, picked[0], reason)
    return replace(assignment, events=(*assignment.events, ev))


def substitute_person(
    assignment: AssignmentResult, department: str, inspector_id: str, reason: str, seed: bytes | str
) -> AssignmentResult:
    """递补 of one person in every current group of ``department`` they belong to (spec §13.3):
    the groups in bytewise order of their target ids, each exactly as :func:`substitute` with
    the state after the earlier ones; one event with one reason. Raises AssignmentShortfall
    (nothing recorded) if any group cannot be filled."""
    check_field(reason, "reason")
    cur = assignment.current_groups()
    keys = sorted(
        (k for k, g in cur.items() if k[1] == department and inspector_id in g.inspectors + g.experts),
        key=lambda k: k[0].encode(),
    )
    if not keys:
        raise DrawError(f"{inspector_id!r} is in no group of department {department!r}")
    work = assignment
    for target_id, dept in keys:
        work = substitute(work, target_id, dept, inspector_id, reason, seed)
    parts = tuple(work.events[len(assignment.events) :])
    ev = PersonSubstitution(department, inspector_id, reason, parts)  # type: ignore[arg-type]
    return replace(assignment, events=(*assignment.events, ev))


def replace_target(
    assignment: AssignmentResult, old_target: str, new_target: str, reason: str, seed: bytes | str
) -> AssignmentResult:
    """A target was replaced by a reserve: release the old target's groups and assign the
    new target with the current loads, by the same rule as the initial assignment."""
    check_field(reason, "reason")
    check_field(new_target, "target id")
    eng = _engine_for(assignment, seed)
    cur = assignment.current_groups()
    current_targets = {t for t, _ in cur} | set(assignment.targets)
    for e in assignment.events:
        if isinstance(e, TargetReplacement):
            current_targets.discard(e.old)
            current_targets.add(e.new)
    if old_target not in current_targets:
        raise DrawError(f"{old_target!r} is not a current target of this assignment")
    if new_target in current_targets:
        raise DrawError(f"{new_target!r} is already a target of this assignment")
    loads = assignment.loads()
    for (t, _), g in cur.items():
        if t == old_target:
            for x in g.inspectors + g.experts:
                loads[x] -= 1
    groups, shorts = eng.assign_target(new_target, loads)
    ev = TargetReplacement(old_target, new_target, reason, tuple(groups), tuple(shorts))
    return replace(assignment, events=(*assignment.events, ev))


def replay_events(initial: AssignmentResult, events: Sequence[Mapping[str, Any]]) -> AssignmentResult:
    """Re-apply recorded events (their inputs only) to a freshly computed assignment."""
    cur = initial
    for d in events:
        kind = d.get("kind")
        if kind == "substitute":
            cur = substitute(cur, d["target"], d["department"], d["replaced"], d["reason"], cur.seed)
        elif kind == "substitute_person":
            cur = substitute_person(cur, d["department"], d["replaced"], d["reason"], cur.seed)
        elif kind == "replace_target":
            cur = replace_target(cur, d["old"], d["new"], d["reason"], cur.seed)
        else:
            raise DrawError(f"unknown assignment event kind {kind!r}")
    return cur


def eligibility(
    inspectors: Iterable[Inspector | Mapping], requirements: AssignmentParams | Mapping
) -> dict[str, dict[str, list[tuple[str, int]]]]:
    """Before any seed exists: for each department and role ("inspectors", "experts"), how
    many people remain after each static eligibility stage of §12.3, in order. A preview
    compares the last count with the group size; no ranking is computed."""
    params = requirements if isinstance(requirements, AssignmentParams) else AssignmentParams.from_json(requirements)
    eng = _Engine(params, _as_inspectors(inspectors), bytes(32))
    out: dict[str, dict[str, list[tuple[str, int]]]] = {}
    for (dept, role), stages in eng.static_stages.items():
        out.setdefault(dept, {})[role] = list(stages)
    return out
