"""Population frame, exclusions, commitment and seed (spec v1, sections 3, 5, 7)."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import compress
from typing import Any

from .canonical import (
    _CSV_FORBIDDEN,
    SPEC_VERSION,
    DrawError,
    canonical_json,
    check_field,
    check_hex64,
    check_text,
    csv_bytes,
    csv_lines,
    parse_csv,
    sha256_hex,
)
from .params import DrawParams

SEED_DOMAIN = b"shuangsuiji/draw/v1/seed\n"
POPULATION_HEADER = ("id", "stratum", "weight")
EXCLUSIONS_HEADER = ("id", "reason")
_WEIGHT = re.compile(r"^[1-9][0-9]*$")
# Characters that sort below ',' and may occur in an id (controls and '"' never do).
_BELOW_COMMA = re.compile(r"[ !#-+]")


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    stratum: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Exclusion:
    id: str
    reason: str


@dataclass(frozen=True, slots=True)
class PopulationFile:
    """A population.csv written outside the engine, with its N per stratum (after the exclusions).

    Made by `shuangsuiji.draw.postgres.population_csv_in_postgres`, which writes the canonical
    file of spec §3.1 inside the database and checks what `Frame` checks (every id a valid
    field, ids strictly ascending and so unique, the exclusions removed) before handing it over.
    `freeze` takes it as it is: these bytes are what the commitment's ``population_sha256``
    hashes. ``counts`` names every stratum that had candidates before the exclusions (0 when
    all were excluded), as `Frame.counts` does after `Frame.without`.
    """

    data: bytes
    counts: Mapping[str, int]


class Frame:
    """The sampling frame: per stratum the candidate ids (and weights).

    Build it with `Frame.from_candidates` or `Frame.from_columns`; both validate every id
    (non-empty, no ',', '"' or control characters) and refuse duplicates. Drawing never
    depends on the order of ids inside a stratum.
    """

    __slots__ = ("ids", "weights")

    def __init__(self, ids: dict[str, list[str]], weights: dict[str, list[int]] | None) -> None:
        self.ids = ids
        self.weights = weights  # None means every weight is 1

    @classmethod
    def from_columns(
        cls,
        ids: Mapping[str, Sequence[str]],
        weights: Mapping[str, Sequence[int]] | None = None,
        validate: bool = True,
    ) -> Frame:
        out_ids = {check_field(s, "stratum"): list(v) for s, v in ids.items()}
        out_w = None
        if weights is not None:
            out_w = {s: list(weights.get(s, [1] * len(v))) for s, v in out_ids.items()}
            for s, w in out_w.items():
                if len(w) != len(out_ids[s]):
                    raise DrawError(f"stratum {s!r}: weights and ids differ in length")
                for x in w:
                    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
                        raise DrawError(f"stratum {s!r}: weight {x!r} is not an integer >= 1")
            if all(x == 1 for w in out_w.values() for x in w):
                out_w = None
        if validate:
            _check_ids(out_ids)
        return cls(out_ids, out_w)

    @classmethod
    def from_candidates(cls, candidates: Iterable[Candidate | tuple]) -> Frame:
        ids: dict[str, list[str]] = {}
        weights: dict[str, list[int]] = {}
        for c in candidates:
            if not isinstance(c, Candidate):
                c = Candidate(*c)
            ids.setdefault(c.stratum, []).append(c.id)
            weights.setdefault(c.stratum, []).append(c.weight)
        return cls.from_columns(ids, weights)

    def counts(self) -> dict[str, int]:
        return {s: len(v) for s, v in self.ids.items()}

    def weight_list(self, stratum: str) -> list[int] | None:
        if self.weights is None:
            return None
        return self.weights.get(stratum)

    def candidates(self) -> list[Candidate]:
        out = []
        for s, v in self.ids.items():
            w = self.weight_list(s) or [1] * len(v)
            out.extend(Candidate(i, s, x) for i, x in zip(v, w, strict=False))
        return out

    def without(self, excluded: set[str]) -> Frame:
        if not excluded:
            return Frame(dict(self.ids), None if self.weights is None else dict(self.weights))
        ids = {}
        weights = None if self.weights is None else {}
        for s, v in self.ids.items():
            w = self.weight_list(s)
            keep = [k for k, i in enumerate(v) if i not in excluded]
            ids[s] = [v[k] for k in keep]
            if weights is not None:
                weights[s] = [w[k] for k in keep]
        return Frame(ids, weights)

    def to_csv(self) -> bytes:
        # Ids are unique, so rows sort by id alone; Python orders str by code point, which is
        # the bytewise order of their UTF-8 (spec §3.1) without encoding a key per row.
        if not _BELOW_COMMA.search("".join("".join(v) for v in self.ids.values())):
            # no id holds a character below ',': whole lines sort as their ids do (a weighted
            # frame too: the id and its ',' decide before the stratum and weight are reached)
            if self.weights is None:
                lines = [f"{i},{s},1" for s, v in self.ids.items() for i in v]
            else:
                lines = [
                    f"{i},{s},{x}"
                    for s, v in self.ids.items()
                    for i, x in zip(v, self.weight_list(s) or [1] * len(v), strict=True)
                ]
            lines.sort()
            return csv_lines(POPULATION_HEADER, lines)
        if self.weights is None:
            rows = [(i, s) for s, v in self.ids.items() for i in v]
            rows.sort()
            lines = [f"{i},{s},1" for i, s in rows]
        else:
            rows = [
                (i, s, x)
                for s, v in self.ids.items()
                for i, x in zip(v, self.weight_list(s) or [1] * len(v), strict=True)
            ]
            rows.sort()
            lines = [f"{i},{s},{x}" for i, s, x in rows]
        del rows
        return csv_lines(POPULATION_HEADER, lines)

    @classmethod
    def from_frozen_csv(cls, data: bytes, population_sha256: str) -> Frame:
        """The frame of a population.csv that ``freeze`` wrote (canonical and validated then),
        read back without validating it again field by field: its SHA-256 must be the
        commitment's ``population_sha256``, so these are the validated bytes. A file from
        anywhere else goes through `from_csv` (as `verify_bundle` does)."""
        check_hex64(population_sha256, "population_sha256")
        if sha256_hex(data) != population_sha256:
            raise DrawError("population.csv does not match the commitment's population_sha256")
        text = data.decode("utf-8")
        head, _, body = text.partition("\n")
        if head != ",".join(POPULATION_HEADER):
            raise DrawError(f"population.csv: header must be {','.join(POPULATION_HEADER)!r}")
        fields = body.replace("\n", ",").split(",")
        fields.pop()  # after the final LF
        ids, strata, weights = fields[0::3], fields[1::3], fields[2::3]
        del fields
        order = list(dict.fromkeys(strata))  # strata in order of first appearance, as from_csv
        weighted = weights.count("1") != len(weights)
        if len(order) == 1:
            by_stratum = {order[0]: ids}
            w_by = {order[0]: weights}
        else:  # one pass per stratum, in C (a frame has a handful of strata)
            by_stratum = {s: list(compress(ids, map(s.__eq__, strata))) for s in order}
            w_by = {s: list(compress(weights, map(s.__eq__, strata))) for s in order} if weighted else {}
        if not weighted:
            return cls(by_stratum, None)
        return cls(by_stratum, {s: [int(x) for x in w] for s, w in w_by.items()})

    @classmethod
    def from_csv(cls, data: bytes) -> Frame:
        rows = parse_csv(data, POPULATION_HEADER, "population.csv")
        prev = None
        cands = []
        for lineno, (i, s, w) in enumerate(rows, start=2):
            key = i.encode("utf-8")
            if prev is not None and key <= prev:
                raise DrawError(f"population.csv: line {lineno} is not in strictly ascending id order")
            prev = key
            if not _WEIGHT.match(w):
                raise DrawError(f"population.csv: line {lineno}: bad weight {w!r}")
            cands.append(Candidate(i, s, int(w)))
        return cls.from_candidates(cands)


def _check_ids(ids: Mapping[str, list[str]]) -> None:
    """Every candidate id a valid CSV field, none twice. One scan of all ids joined (a
    forbidden character or a lone surrogate in any id is one in the joined text); only when
    it finds something are the ids checked one by one, for the message naming the id."""
    total = sum(len(v) for v in ids.values())
    try:
        joined = "".join("".join(v) for v in ids.values())
        joined.encode("utf-8")
        clean = _CSV_FORBIDDEN.search(joined) is None
        del joined
    except (TypeError, UnicodeEncodeError):
        clean = False
    if not clean or any("" in v for v in ids.values()):
        for v in ids.values():
            for i in v:
                check_field(i, "candidate id")
    seen: set[str] = set()
    for v in ids.values():
        seen.update(v)
    if len(seen) != total:
        raise DrawError("duplicate candidate id in population")


def exclusions_csv(exclusions: Iterable[Exclusion]) -> bytes:
    rows = []
    seen = set()
    for e in exclusions:
        if not isinstance(e, Exclusion):
            e = Exclusion(*e)
        check_field(e.id, "excluded id")
        check_field(e.reason, f"exclusion reason for {e.id}")
        if e.id in seen:
            raise DrawError(f"exclusion listed twice: {e.id!r} (join the reasons into one)")
        seen.add(e.id)
        rows.append((e.id, e.reason))
    rows.sort(key=lambda r: r[0].encode("utf-8"))
    return csv_bytes(EXCLUSIONS_HEADER, rows)


def parse_exclusions(data: bytes) -> list[Exclusion]:
    rows = parse_csv(data, EXCLUSIONS_HEADER, "exclusions.csv")
    out = [Exclusion(i, r) for i, r in rows]
    if exclusions_csv(out) != data:
        raise DrawError("exclusions.csv is not in canonical form (sorted, unique, valid fields)")
    return out


@dataclass(frozen=True)
class Commitment:
    """What is fixed before any entropy exists. `sha256` is the commitment hash."""

    draw_id: str
    population_sha256: str
    exclusions_sha256: str
    params_sha256: str
    server_secret_sha256: str
    nonce: str
    inspectors_sha256: str | None = None
    spec: str = SPEC_VERSION
    # not part of the commitment JSON: the frozen material itself
    files: Mapping[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    frame: Frame | None = field(default=None, compare=False, repr=False)
    # N per stratum when the population came as a PopulationFile (no frame in memory)
    population_counts: Mapping[str, int] | None = field(default=None, compare=False, repr=False)

    def counts(self) -> dict[str, int]:
        """N per stratum of the frozen population (after the exclusions)."""
        if self.frame is not None:
            return self.frame.counts()
        if self.population_counts is None:
            raise DrawError("this commitment carries neither a frame nor the population's counts")
        return dict(self.population_counts)

    def to_json(self) -> dict:
        return {
            "draw_id": self.draw_id,
            "exclusions_sha256": self.exclusions_sha256,
            "inspectors_sha256": self.inspectors_sha256,
            "nonce": self.nonce,
            "params_sha256": self.params_sha256,
            "population_sha256": self.population_sha256,
            "server_secret_sha256": self.server_secret_sha256,
            "spec": self.spec,
        }

    def canonical_json(self) -> bytes:
        return canonical_json(self.to_json())

    @property
    def sha256(self) -> str:
        return sha256_hex(self.canonical_json())

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Commitment:
        keys = {
            "draw_id",
            "exclusions_sha256",
            "inspectors_sha256",
            "nonce",
            "params_sha256",
            "population_sha256",
            "server_secret_sha256",
            "spec",
        }
        if not isinstance(d, Mapping) or set(d) != keys:
            raise DrawError(f"commitment must have exactly the keys {sorted(keys)}")
        for k in ("exclusions_sha256", "params_sha256", "population_sha256", "server_secret_sha256"):
            check_hex64(d[k], k)
        if d["inspectors_sha256"] is not None:
            check_hex64(d["inspectors_sha256"], "inspectors_sha256")
        check_field(d["nonce"], "nonce")
        return cls(
            draw_id=d["draw_id"],
            population_sha256=d["population_sha256"],
            exclusions_sha256=d["exclusions_sha256"],
            params_sha256=d["params_sha256"],
            server_secret_sha256=d["server_secret_sha256"],
            nonce=d["nonce"],
            inspectors_sha256=d["inspectors_sha256"],
            spec=d["spec"],
        )


def new_server_secret() -> bytes:
    """A fresh 32-byte server secret; commit sha256(secret) with the population."""
    return secrets.token_bytes(32)


def server_secret_hash(secret: bytes | str) -> str:
    return sha256_hex(_secret_bytes(secret))


def _secret_bytes(secret: bytes | str) -> bytes:
    if isinstance(secret, str):
        try:
            secret = bytes.fromhex(secret)
        except ValueError as exc:
            raise DrawError("server secret must be bytes or a hex string") from exc
    if not isinstance(secret, (bytes, bytearray)) or len(secret) < 16:
        raise DrawError("server secret must be at least 16 bytes (32 recommended)")
    return bytes(secret)


def freeze(
    population: Frame | PopulationFile | Iterable[Candidate | tuple],
    exclusions: Iterable[Exclusion | tuple],
    params: DrawParams,
    server_secret_hash: str,
    inspectors: Sequence[Any] | None = None,
    nonce: str | None = None,
) -> Commitment:
    """Freeze population (minus exclusions), exclusions, params (and inspectors if the
    params contain an assignment) and return the commitment. Needs no entropy.

    A `PopulationFile` is frozen as it is: its maker has already removed the exclusions and
    checked the file (see there); the commitment then has no ``frame``, only ``counts()``."""
    from .assign import inspectors_json  # local import: assign imports commit

    if not isinstance(params, DrawParams):
        raise DrawError("params must be a DrawParams")
    check_hex64(server_secret_hash, "server_secret_sha256")
    excl = [e if isinstance(e, Exclusion) else Exclusion(*e) for e in exclusions]
    excl_bytes = exclusions_csv(excl)
    file_counts = None
    if isinstance(population, PopulationFile):
        frame = None
        file_counts = {check_field(s, "stratum"): n for s, n in population.counts.items()}
        unknown = {s for s, n in file_counts.items() if n and s not in params.strata}
        pop_bytes = population.data
    else:
        frame = population if isinstance(population, Frame) else Frame.from_candidates(population)
        frame = frame.without({e.id for e in excl})
        unknown = {s for s in set(frame.ids) - set(params.strata) if frame.ids[s]}
    if unknown:
        raise DrawError(f"population has strata without a rule in params: {sorted(unknown)}")
    if frame is not None:
        pop_bytes = frame.to_csv()
    files = {
        "population.csv": pop_bytes,
        "exclusions.csv": excl_bytes,
        "params.json": params.canonical_json(),
    }
    insp_hash = None
    if params.assignment is not None:
        if inspectors is None:
            raise DrawError("params contain an assignment: the inspectors must be frozen too")
        files["inspectors.json"] = inspectors_json(inspectors)
        insp_hash = sha256_hex(files["inspectors.json"])
    elif inspectors is not None:
        raise DrawError("inspectors given but params contain no assignment")
    if nonce is None:
        nonce = secrets.token_hex(32)
    check_field(nonce, "nonce")
    c = Commitment(
        draw_id=params.draw_id,
        population_sha256=sha256_hex(pop_bytes),
        exclusions_sha256=sha256_hex(excl_bytes),
        params_sha256=params.sha256,
        server_secret_sha256=server_secret_hash,
        nonce=nonce,
        inspectors_sha256=insp_hash,
        files=files,
        frame=frame,
        population_counts=file_counts,
    )
    files_with_commit = dict(files)
    files_with_commit["commitment.json"] = c.canonical_json()
    object.__setattr__(c, "files", files_with_commit)
    return c


@dataclass(frozen=True)
class PublicEntropy:
    kind: str  # "dice", "lottery", ...
    value: str
    source: str  # witness name or publication

    def __post_init__(self) -> None:
        check_field(self.kind, "entropy kind")
        check_text(self.value, "entropy value")
        if not self.value:
            raise DrawError("entropy value must not be empty")
        check_text(self.source, "entropy source/witness")
        if not self.source:
            raise DrawError("entropy source/witness must not be empty")

    def to_json(self) -> dict:
        return {"kind": self.kind, "source": self.source, "value": self.value}


@dataclass(frozen=True)
class DrandRound:
    round: int
    signature: str  # hex
    randomness: str  # hex, must equal sha256(bytes.fromhex(signature))

    def __post_init__(self) -> None:
        if isinstance(self.round, bool) or not isinstance(self.round, int) or self.round < 1:
            raise DrawError("drand round must be a positive integer")
        try:
            sig = bytes.fromhex(self.signature)
        except (ValueError, TypeError) as exc:
            raise DrawError("drand signature must be hex") from exc
        if self.signature != sig.hex() or not sig:
            raise DrawError("drand signature must be non-empty lowercase hex")
        check_hex64(self.randomness, "drand randomness")
        if hashlib.sha256(sig).hexdigest() != self.randomness:
            raise DrawError("drand randomness != sha256(signature): refusing this round")

    def to_json(self) -> dict:
        return {"randomness": self.randomness, "round": self.round, "signature": self.signature}


@dataclass(frozen=True)
class Entropy:
    server_secret: bytes | str
    public: Sequence[PublicEntropy | Mapping[str, str]]
    drand: DrandRound | Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "server_secret", _secret_bytes(self.server_secret))
        pub = []
        for p in self.public:
            if isinstance(p, Mapping):
                extra = set(p) - {"kind", "value", "source", "witness"}
                if extra:
                    raise DrawError(f"unknown public entropy keys: {sorted(extra)}")
                p = PublicEntropy(p.get("kind"), p.get("value"), p.get("source", p.get("witness")))
            pub.append(p)
        if not pub:
            raise DrawError("at least one public entropy entry (dice, lottery, ...) is required")
        object.__setattr__(self, "public", tuple(pub))
        if isinstance(self.drand, Mapping):
            object.__setattr__(
                self,
                "drand",
                DrandRound(self.drand.get("round"), self.drand.get("signature"), self.drand.get("randomness")),
            )

    def to_json(self) -> dict:
        return {
            "drand": None if self.drand is None else self.drand.to_json(),
            "public": [p.to_json() for p in self.public],
            "server_secret": self.server_secret.hex(),
        }

    def canonical_json(self) -> bytes:
        return canonical_json(self.to_json())

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Entropy:
        if not isinstance(d, Mapping):
            raise DrawError("entropy must be a JSON object")
        extra = set(d) - {"drand", "public", "server_secret"}
        if extra:
            raise DrawError(f"unknown entropy keys: {sorted(extra)}")
        return cls(d.get("server_secret"), d.get("public") or [], d.get("drand"))


def derive_seed(commitment: Commitment, entropy: Entropy) -> bytes:
    """seed = SHA-256("shuangsuiji/draw/v1/seed\\n" || commitment hash hex || "\\n" ||
    canonical entropy JSON). Refuses a secret that does not match the committed hash."""
    if hashlib.sha256(entropy.server_secret).hexdigest() != commitment.server_secret_sha256:
        raise DrawError("server secret does not match the committed hash: refusing to draw")
    return hashlib.sha256(SEED_DOMAIN + commitment.sha256.encode("ascii") + b"\n" + entropy.canonical_json()).digest()
