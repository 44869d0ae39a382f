"""Target draw with keyed-hash tickets (spec v1, sections 8-11).

ticket(id)      = SHA-256(seed || UTF-8(id))                      (32 raw bytes)
ticket_j(id)    = SHA-256(seed || UTF-8(id) || 0x00 || ASCII(j))  for j = 1 .. w-1
weighted ticket = min(ticket, ticket_1, ..., ticket_{w-1})
Order: by ticket bytes, then by UTF-8 id bytes. Each stratum takes its n smallest,
then the next `reserves` in order.
"""

from __future__ import annotations

import gc
import hashlib
import heapq
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from operator import itemgetter
from typing import Any, NamedTuple

from .canonical import DrawError, Fragment, check_field, check_hex64, records
from .commit import Candidate, Frame
from .params import DrawParams, sample_size

try:  # numpy only speeds up the selection of large strata; results are identical
    import numpy as _np
except ImportError:  # pragma: no cover
    _np = None

NUMPY_MIN = 4096
_new_tuple = tuple.__new__  # strata smaller than this use the pure-Python path
_use_numpy = _np is not None


def set_numpy(enabled: bool) -> None:
    """Tests switch the numpy path off to prove both paths agree."""
    global _use_numpy
    _use_numpy = bool(enabled) and _np is not None


def ticket(seed: bytes, candidate_id: str, weight: int = 1) -> bytes:
    b = candidate_id.encode("utf-8")
    t = hashlib.sha256(seed + b).digest()
    for j in range(1, weight):
        u = hashlib.sha256(seed + b + b"\x00" + str(j).encode("ascii")).digest()
        if u < t:
            t = u
    return t


class Ticketed(NamedTuple):
    id: str
    ticket: str  # 64 lowercase hex digits

    def to_json(self) -> dict:
        return {"id": self.id, "ticket": self.ticket}


class TicketedSeq(Sequence):
    """Immutable sequence of Ticketed (id, ticket hex), stored compactly as the id list
    and the raw 32-byte tickets; hex strings are made on access."""

    __slots__ = ("_ids", "_raw")

    def __init__(self, ids: Sequence[str] = (), raw: bytes = b"") -> None:
        if len(raw) != 32 * len(ids):
            raise DrawError("TicketedSeq: ids and tickets differ in length")
        self._ids = list(ids)
        self._raw = bytes(raw)

    @classmethod
    def from_items(cls, items: Iterable[Ticketed | tuple[str, str]]) -> TicketedSeq:
        items = list(items)
        return cls([x[0] for x in items], bytes.fromhex("".join(x[1] for x in items)))

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, i):
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self._ids))
            if step != 1:
                return TicketedSeq.from_items(tuple(self)[i])
            return TicketedSeq(self._ids[start:stop], self._raw[32 * start : 32 * max(stop, start)])
        if i < 0:
            i += len(self._ids)
        if not 0 <= i < len(self._ids):
            raise IndexError(i)
        return Ticketed(self._ids[i], self._raw[32 * i : 32 * i + 32].hex())

    def __iter__(self):
        raw = self._raw
        for k, i in enumerate(self._ids):
            yield Ticketed(i, raw[32 * k : 32 * k + 32].hex())

    def __eq__(self, other) -> bool:
        if isinstance(other, TicketedSeq):
            return self._ids == other._ids and self._raw == other._raw
        if isinstance(other, (tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other) -> tuple:
        return tuple(self) + tuple(other)

    def __repr__(self) -> str:
        return f"TicketedSeq({len(self)} items)"

    def to_json(self) -> list[dict]:
        h = self._raw.hex()
        return [{"id": i, "ticket": h[64 * k : 64 * k + 64]} for k, i in enumerate(self._ids)]

    def for_canonical_json(self) -> Fragment:
        """`to_json` encoded at once (canonical.records): a stratum may hold 50,000 tickets."""
        h = self._raw.hex()
        rows = list(zip(self._ids, (h[k : k + 64] for k in range(0, len(h), 64)), strict=True))
        return records(("id", "ticket"), rows, self.to_json)


@dataclass(frozen=True)
class StratumResult:
    N: int
    n: int
    selected: TicketedSeq  # in ticket order (a sequence of Ticketed)
    reserves: TicketedSeq  # in ticket order, after the cut
    cutoff: str | None  # ticket of the n-th selected; None when n == 0

    def to_json(self) -> dict:
        return {
            "N": self.N,
            "cutoff": self.cutoff,
            "n": self.n,
            "reserves": self.reserves.to_json(),
            "selected": self.selected.to_json(),
        }

    def for_canonical_json(self) -> dict:
        return {
            **self.to_json_head(),
            "reserves": self.reserves.for_canonical_json(),
            "selected": self.selected.for_canonical_json(),
        }

    def to_json_head(self) -> dict:
        return {"N": self.N, "cutoff": self.cutoff, "n": self.n}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> StratumResult:
        return cls(
            N=d["N"],
            n=d["n"],
            selected=TicketedSeq.from_items((x["id"], x["ticket"]) for x in d["selected"]),
            reserves=TicketedSeq.from_items((x["id"], x["ticket"]) for x in d["reserves"]),
            cutoff=d["cutoff"],
        )


@dataclass(frozen=True)
class ReserveUse:
    stratum: str
    replaced: str
    replacement: str
    reason: str

    def to_json(self) -> dict:
        return {
            "reason": self.reason,
            "replaced": self.replaced,
            "replacement": self.replacement,
            "stratum": self.stratum,
        }


@dataclass(frozen=True)
class TargetDrawResult:
    seed: str  # hex
    weighted: bool
    strata: Mapping[str, StratumResult]
    reserve_uses: tuple[ReserveUse, ...] = ()

    def to_json(self) -> dict:
        return {
            "reserve_uses": [u.to_json() for u in self.reserve_uses],
            "seed": self.seed,
            "strata": {k: v.to_json() for k, v in self.strata.items()},
            "weighted": self.weighted,
        }

    def for_canonical_json(self) -> dict:
        """`to_json` with the tickets as fragments (canonical_json gives the same bytes)."""
        return {**self.to_json_head(), "strata": {k: v.for_canonical_json() for k, v in self.strata.items()}}

    def to_json_head(self) -> dict:
        return {"reserve_uses": [u.to_json() for u in self.reserve_uses], "seed": self.seed, "weighted": self.weighted}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> TargetDrawResult:
        return cls(
            seed=d["seed"],
            weighted=d["weighted"],
            strata={k: StratumResult.from_json(v) for k, v in d["strata"].items()},
            reserve_uses=tuple(ReserveUse(**u) for u in d["reserve_uses"]),
        )

    def active(self, stratum: str) -> list[str]:
        """Current targets of a stratum: selected, with used reserves replacing targets."""
        cur = [t.id for t in self.strata[stratum].selected]
        for u in self.reserve_uses:
            if u.stratum == stratum:
                cur[cur.index(u.replaced)] = u.replacement
        return cur

    def targets(self) -> list[str]:
        """All current targets, strata in bytewise order, each in ticket order."""
        out = []
        for s in sorted(self.strata, key=lambda x: x.encode("utf-8")):
            out.extend(self.active(s))
        return out

    def selected_ids(self) -> list[str]:
        out = []
        for s in sorted(self.strata, key=lambda x: x.encode("utf-8")):
            out.extend(t.id for t in self.strata[s].selected)
        return out


@dataclass
class ShardPartial:
    """What one shard contributes: per stratum its count and its smallest tickets
    (raw 32-byte tickets concatenated, ids), in (ticket, id) order."""

    counts: dict[str, int]
    heads: dict[str, tuple[bytes, list[str]]] = field(default_factory=dict)


def _heads_python(seed: bytes, ids: Sequence[str], weights: Sequence[int] | None, k: int):
    if weights is None:
        hc = hashlib.sha256(seed).copy
        pairs = []
        ap = pairs.append
        for i in ids:
            c = hc()
            c.update(i.encode("utf-8"))
            ap((c.digest(), i))
    else:
        pairs = [(ticket(seed, i, w), i) for i, w in zip(ids, weights, strict=False)]
    # (ticket bytes, id str): str order is code point order, which is UTF-8 byte order
    head = sorted(pairs) if k >= len(pairs) else heapq.nsmallest(k, pairs)
    return b"".join(t for t, _ in head), [i for _, i in head]


def _heads_numpy(seed: bytes, ids: Sequence[str], k: int, weights: Sequence[int] | None = None):
    np = _np
    hc = hashlib.sha256(seed).copy
    buf = bytearray()
    for i in ids:
        c = hc()
        c.update(i.encode("utf-8"))
        buf += c.digest()
    if weights is not None:
        # a weight > 1 (the few raised by the credit loop) takes its weighted ticket; the
        # weight-1 ticket is the plain digest above
        for j in [j for j, w in enumerate(weights) if w != 1]:
            buf[j * 32 : j * 32 + 32] = ticket(seed, ids[j], weights[j])
    words = np.frombuffer(buf, dtype=">u8").reshape(-1, 4)
    n_all = len(ids)
    prefix = words[:, 0].astype(np.uint64)  # first 8 bytes of each ticket, big-endian
    if k < n_all:
        threshold = np.partition(prefix, k - 1)[k - 1]
        idx = np.flatnonzero(prefix <= threshold)  # exact: every ticket outside is larger
    else:
        idx = np.arange(n_all)
    sub = prefix[idx]
    order = np.argsort(sub, kind="stable")
    sub = sub[order]
    if len(sub) > 1 and bool(np.any(sub[1:] == sub[:-1])):
        # equal 64-bit prefixes (rare): order those exactly by the full ticket, then the id
        pairs = sorted((bytes(buf[j * 32 : j * 32 + 32]), ids[j]) for j in idx.tolist())[:k]
        return b"".join(t for t, _ in pairs), [i for _, i in pairs]
    sel = idx[order][:k]
    del words, prefix, sub
    raw = np.frombuffer(buf, dtype="V32")[sel].tobytes()
    picked = sel.tolist()
    sel_ids = [ids[picked[0]]] if len(picked) == 1 else list(itemgetter(*picked)(ids))
    return raw, sel_ids


def stratum_heads(seed: bytes, ids: Sequence[str], weights: Sequence[int] | None, k: int) -> tuple[bytes, list[str]]:
    """The k smallest tickets of one stratum, in (ticket, id) order: (raw tickets, ids)."""
    if k <= 0 or not ids:
        return b"", []
    if _use_numpy and len(ids) >= NUMPY_MIN:
        return _heads_numpy(seed, ids, k, weights)
    return _heads_python(seed, ids, weights, k)


def _check_seed(seed: bytes | str) -> bytes:
    if isinstance(seed, str):
        check_hex64(seed, "seed")
        seed = bytes.fromhex(seed)
    if not isinstance(seed, (bytes, bytearray)) or len(seed) != 32:
        raise DrawError("seed must be 32 bytes (or 64 hex digits)")
    return bytes(seed)


def _as_frame(population: Frame | Iterable[Candidate | tuple]) -> Frame:
    return population if isinstance(population, Frame) else Frame.from_candidates(population)


def required_limits(counts: Mapping[str, int], params: DrawParams) -> dict[str, int]:
    """k = n + reserves per stratum, from the total counts (phase 1 of a sharded draw)."""
    out = {}
    for s, rule in params.strata.items():
        N = counts.get(s, 0)
        out[s] = min(sample_size(N, rule) + rule.reserves, N)
    return out


def count_strata(population: Frame | Iterable[Candidate | tuple]) -> dict[str, int]:
    return _as_frame(population).counts()


def draw_shard(
    shard: Frame | Iterable[Candidate | tuple],
    params: DrawParams,
    seed: bytes | str,
    limits: Mapping[str, int] | None = None,
) -> ShardPartial:
    """Tickets of one shard: per stratum the count and the `limits[stratum]` smallest.
    Without limits, the shard is taken to be the whole population."""
    seed = _check_seed(seed)
    frame = _as_frame(shard)
    counts = frame.counts()
    unknown = {s for s, c in counts.items() if c and s not in params.strata}
    if unknown:
        raise DrawError(f"population has strata without a rule in params: {sorted(unknown)}")
    if limits is None:
        limits = required_limits(counts, params)
    part = ShardPartial(counts={s: counts.get(s, 0) for s in params.strata})
    for s in params.strata:
        ids = frame.ids.get(s, [])
        weights = frame.weight_list(s) if params.weighted else None
        part.heads[s] = stratum_heads(seed, ids, weights, limits.get(s, 0))
    return part


def merge_shards(parts: Sequence[ShardPartial], params: DrawParams, seed: bytes | str) -> TargetDrawResult:
    """Merge shard partials into the result; equal to drawing the whole population."""
    seed = _check_seed(seed)
    counts = {s: sum(p.counts.get(s, 0) for p in parts) for s in params.strata}
    limits = required_limits(counts, params)
    strata = {}
    for s, rule in params.strata.items():
        k = limits[s]
        for p in parts:
            have = len(p.heads.get(s, (b"", []))[1])
            if have < min(p.counts.get(s, 0), k):
                raise DrawError(f"stratum {s!r}: a shard gave {have} tickets, needs {min(p.counts[s], k)}")
        if len(parts) == 1:
            raw, sel_ids = parts[0].heads.get(s, (b"", []))
            raw, sel_ids = raw[: 32 * k], sel_ids[:k]
        else:
            # (ticket bytes, id): str order is code point order = UTF-8 byte order
            tickets, sel_ids = [], []
            last = None
            lists = []
            for p in parts:
                praw, pids = p.heads.get(s, (b"", []))
                lists.append([(praw[32 * j : 32 * j + 32], i) for j, i in enumerate(pids)])
            for item in heapq.merge(*lists):
                if len(tickets) == k:
                    break
                if item == last:
                    raise DrawError(f"candidate {item[1]!r} appears in two shards")
                last = item
                tickets.append(item[0])
                sel_ids.append(item[1])
            raw = b"".join(tickets)
        n = sample_size(counts[s], rule)
        items = TicketedSeq(sel_ids, raw)
        strata[s] = StratumResult(
            N=counts[s],
            n=n,
            selected=items[:n],
            reserves=items[n:],
            cutoff=items[n - 1].ticket if n else None,
        )
    return TargetDrawResult(seed=seed.hex(), weighted=params.weighted, strata=strata)


@contextmanager
def _gc_paused():
    """The draw allocates ~n small tuples and no cycles; pausing the cyclic garbage
    collector avoids repeated full scans of a population of millions of objects."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def draw_targets(
    population: Frame | Iterable[Candidate | tuple], params: DrawParams, seed: bytes | str
) -> TargetDrawResult:
    """Draw the targets: per stratum the n smallest tickets, then the reserves."""
    with _gc_paused():
        return merge_shards([draw_shard(population, params, seed)], params, seed)


def use_reserve(result: TargetDrawResult, stratum: str, replaced_id: str, reason: str) -> TargetDrawResult:
    """Replace a current target of `stratum` (out of scope, not found, ...) by the next
    unused reserve of that stratum. Returns a new result; the old draw is kept."""
    check_field(reason, "reason")
    if stratum not in result.strata:
        raise DrawError(f"unknown stratum {stratum!r}")
    if replaced_id not in result.active(stratum):
        raise DrawError(f"{replaced_id!r} is not a current target of stratum {stratum!r}")
    used = sum(1 for u in result.reserve_uses if u.stratum == stratum)
    reserves = result.strata[stratum].reserves
    if used >= len(reserves):
        raise DrawError(f"stratum {stratum!r} has no reserve left ({len(reserves)} used)")
    use = ReserveUse(stratum, replaced_id, reserves[used].id, reason)
    return replace(result, reserve_uses=(*result.reserve_uses, use))


def check_candidate(seed: bytes | str, candidate_id: str, cutoff: str | None, weight: int = 1) -> tuple[str, bool]:
    """A business checks its own case: its ticket and whether ticket <= stratum cutoff."""
    seed = _check_seed(seed)
    t = ticket(seed, candidate_id, weight).hex()
    if cutoff is None:
        return t, False
    check_hex64(cutoff, "cutoff")
    return t, t <= cutoff
