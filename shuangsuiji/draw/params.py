"""Draw parameters (spec v1, section 4) and the sample-size rule (section 6)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .canonical import (
    SPEC_VERSION,
    DrawError,
    canonical_json,
    check_date,
    check_field,
    check_text,
    sha256_hex,
)

_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")
_RATIONAL = re.compile(r"^(0|[1-9][0-9]*)/([1-9][0-9]*)$")


def parse_ratio(ratio: str) -> Fraction:
    """Exact ratio from a decimal string ("0.05") or a rational ("1/3"); 0 <= ratio <= 1."""
    if not isinstance(ratio, str):
        raise DrawError(f"ratio must be a string (exact decimal or p/q), got {ratio!r}")
    m = _DECIMAL.match(ratio)
    if m:
        value = Fraction(ratio)  # Fraction parses decimal strings exactly
    else:
        m = _RATIONAL.match(ratio)
        if not m:
            raise DrawError(f"ratio {ratio!r} is not an exact decimal like '0.05' or 'p/q'")
        value = Fraction(int(m.group(1)), int(m.group(2)))
    if value > 1:
        raise DrawError(f"ratio {ratio!r} is greater than 1")
    return value


def _int(value: Any, what: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DrawError(f"{what} must be an integer >= {minimum}, got {value!r}")
    return value


@dataclass(frozen=True)
class StratumRule:
    ratio: str
    min: int = 0
    max: int | None = None
    reserves: int = 0

    def __post_init__(self) -> None:
        parse_ratio(self.ratio)
        _int(self.min, "min")
        if self.max is not None:
            _int(self.max, "max")
            if self.max < self.min:
                raise DrawError(f"max {self.max} is smaller than min {self.min}")
        _int(self.reserves, "reserves")

    def to_json(self) -> dict:
        return {"max": self.max, "min": self.min, "ratio": self.ratio, "reserves": self.reserves}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> StratumRule:
        if not isinstance(d, Mapping):
            raise DrawError("stratum rule must be an object")
        unknown = set(d) - {"ratio", "min", "max", "reserves"}
        if unknown:
            raise DrawError(f"unknown stratum rule keys: {sorted(unknown)}")
        if "ratio" not in d:
            raise DrawError("stratum rule needs a ratio")
        return cls(ratio=d["ratio"], min=d.get("min", 0), max=d.get("max"), reserves=d.get("reserves", 0))


def sample_size(population_count: int, rule: StratumRule) -> int:
    """n = ceil(N * ratio), then at least min, at most max, at most N. Integer arithmetic only."""
    r = parse_ratio(rule.ratio)
    n = -((-population_count * r.numerator) // r.denominator)  # exact ceiling
    n = max(n, rule.min)
    if rule.max is not None:
        n = min(n, rule.max)
    return min(n, population_count)


@dataclass(frozen=True)
class DepartmentRequirement:
    """What a group of one department needs for every target of the draw."""

    g: int = 2
    experts: int = 0
    specialties: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _int(self.g, "g", 1)
        _int(self.experts, "experts")
        object.__setattr__(self, "specialties", frozenset(self.specialties))
        for s in self.specialties:
            check_text(s, "specialty")

    def to_json(self) -> dict:
        return {
            "experts": self.experts,
            "g": self.g,
            "specialties": sorted(self.specialties, key=lambda s: s.encode()),
        }


@dataclass(frozen=True)
class AssignmentParams:
    """Inspector assignment rules: departments taking part, inspection window, cap, rotation."""

    departments: Mapping[str, DepartmentRequirement]
    window_from: str
    window_to: str
    cap: int | None = None
    rotation: bool = True

    def __post_init__(self) -> None:
        if not self.departments:
            raise DrawError("assignment needs at least one department")
        deps = {}
        for name, req in self.departments.items():
            check_field(name, "department")
            if isinstance(req, Mapping):
                req = DepartmentRequirement(
                    g=req.get("g", 2),
                    experts=req.get("experts", 0),
                    specialties=frozenset(req.get("specialties", ())),
                )
            if not isinstance(req, DepartmentRequirement):
                raise DrawError(f"requirement for {name!r} must be a DepartmentRequirement")
            deps[name] = req
        object.__setattr__(self, "departments", deps)
        check_date(self.window_from, "window.from")
        check_date(self.window_to, "window.to")
        if self.window_to < self.window_from:
            raise DrawError("window.to is before window.from")
        if self.cap is not None:
            _int(self.cap, "cap", 1)
        if not isinstance(self.rotation, bool):
            raise DrawError("rotation must be true or false")

    def to_json(self) -> dict:
        return {
            "cap": self.cap,
            "departments": {k: v.to_json() for k, v in self.departments.items()},
            "rotation": self.rotation,
            "window": {"from": self.window_from, "to": self.window_to},
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AssignmentParams:
        if not isinstance(d, Mapping):
            raise DrawError("assignment must be an object")
        unknown = set(d) - {"cap", "departments", "rotation", "window"}
        if unknown:
            raise DrawError(f"unknown assignment keys: {sorted(unknown)}")
        win = d.get("window") or {}
        return cls(
            departments=dict(d.get("departments") or {}),
            window_from=win.get("from"),
            window_to=win.get("to"),
            cap=d.get("cap"),
            rotation=d.get("rotation", True),
        )


@dataclass(frozen=True)
class DrawParams:
    """Everything that decides the draw except the population and the entropy."""

    draw_id: str
    strata: Mapping[str, StratumRule]
    weighted: bool = False
    spec: str = SPEC_VERSION
    assignment: AssignmentParams | None = None
    meta: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_field(self.draw_id, "draw_id")
        if self.spec != SPEC_VERSION:
            raise DrawError(f"unsupported spec version {self.spec!r} (this engine: v1)")
        if not self.strata:
            raise DrawError("params need at least one stratum")
        strata = {}
        for key, rule in self.strata.items():
            check_field(key, "stratum")
            if isinstance(rule, Mapping):
                rule = StratumRule.from_json(rule)
            if not isinstance(rule, StratumRule):
                raise DrawError(f"rule for stratum {key!r} must be a StratumRule")
            strata[key] = rule
        object.__setattr__(self, "strata", strata)
        if not isinstance(self.weighted, bool):
            raise DrawError("weighted must be true or false")
        if isinstance(self.assignment, Mapping):
            object.__setattr__(self, "assignment", AssignmentParams.from_json(self.assignment))
        meta = dict(self.meta)
        for k, v in meta.items():
            check_text(k, "meta key")
            check_text(v, f"meta[{k}]")
        object.__setattr__(self, "meta", meta)

    def to_json(self) -> dict:
        return {
            "assignment": None if self.assignment is None else self.assignment.to_json(),
            "draw_id": self.draw_id,
            "meta": dict(self.meta),
            "spec": self.spec,
            "strata": {k: v.to_json() for k, v in self.strata.items()},
            "weighted": self.weighted,
        }

    def canonical_json(self) -> bytes:
        return canonical_json(self.to_json())

    @property
    def sha256(self) -> str:
        return sha256_hex(self.canonical_json())

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> DrawParams:
        if not isinstance(d, Mapping):
            raise DrawError("params must be a JSON object")
        unknown = set(d) - {"assignment", "draw_id", "meta", "spec", "strata", "weighted"}
        if unknown:
            raise DrawError(f"unknown params keys: {sorted(unknown)}")
        strata = d.get("strata")
        if not isinstance(strata, Mapping):
            raise DrawError("params.strata must be an object")
        return cls(
            draw_id=d.get("draw_id"),
            strata={k: StratumRule.from_json(v) for k, v in strata.items()},
            weighted=d.get("weighted", False),
            spec=d.get("spec", SPEC_VERSION),
            assignment=None if d.get("assignment") is None else AssignmentParams.from_json(d["assignment"]),
            meta=d.get("meta") or {},
        )
