"""Draw bundles: write, read, verify (spec v1, section 14)."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .assign import (
    AssignmentResult,
    Group,
    Shortfall,
    assign_inspectors,
    event_from_json,
    parse_inspectors,
)
from .canonical import SPEC_VERSION, DrawError, canonical_json, parse_json, sha256_hex
from .commit import Commitment, Entropy, Frame, derive_seed, parse_exclusions
from .params import DrawParams
from .targets import ReserveUse, TargetDrawResult, draw_targets, use_reserve

INPUT_FILES = (
    "population.csv",
    "exclusions.csv",
    "params.json",
    "inspectors.json",
    "commitment.json",
    "entropy.json",
)
RESULT = "result.json"
RESULT_HASH = "result.sha256"
VOID = "void.json"


@dataclass
class Bundle:
    files: dict[str, bytes]
    commitment: Commitment
    entropy: Entropy
    params: DrawParams
    frame: Frame
    targets: TargetDrawResult
    assignment: AssignmentResult | None
    void_reason: str | None = None


def _read_files(path: str) -> dict[str, bytes]:
    files = {}
    if os.path.isdir(path):
        for name in os.listdir(path):
            full = os.path.join(path, name)
            if os.path.isfile(full):
                with open(full, "rb") as f:
                    files[name] = f.read()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if "/" not in name.rstrip("/"):
                    files[name] = z.read(name)
    else:
        raise DrawError(f"{path}: not a bundle directory or zip file")
    return files


def _write_files(path: str, files: Mapping[str, bytes]) -> None:
    if path.endswith(".zip"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, files[name])
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(buf.getvalue())
        os.replace(tmp, path)
        return
    os.makedirs(path, exist_ok=True)
    for name in sorted(files):
        tmp = os.path.join(path, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(files[name])
        os.replace(tmp, os.path.join(path, name))


def result_json(
    commitment: Commitment,
    seed: bytes,
    targets: TargetDrawResult,
    assignment: AssignmentResult | None,
    file_hashes: Mapping[str, str],
) -> bytes:
    return canonical_json(
        {
            "assignment": None if assignment is None else assignment.for_canonical_json(),
            "commitment_sha256": commitment.sha256,
            "draw_id": commitment.draw_id,
            "files": dict(file_hashes),
            "seed": seed.hex(),
            "spec": SPEC_VERSION,
            "targets": targets.for_canonical_json(),
        }
    )


def _is_extension(old: dict, new: dict) -> bool:
    """The new result keeps every part of the old one and only appends events."""
    if {k: v for k, v in old.items() if k not in ("targets", "assignment")} != {
        k: v for k, v in new.items() if k not in ("targets", "assignment")
    }:
        return False
    ot, nt = old["targets"], new["targets"]
    if {k: v for k, v in ot.items() if k != "reserve_uses"} != {k: v for k, v in nt.items() if k != "reserve_uses"}:
        return False
    if nt["reserve_uses"][: len(ot["reserve_uses"])] != ot["reserve_uses"]:
        return False
    oa, na = old["assignment"], new["assignment"]
    if oa is None or na is None:
        return oa == na
    if {k: v for k, v in oa.items() if k != "events"} != {k: v for k, v in na.items() if k != "events"}:
        return False
    return na["events"][: len(oa["events"])] == oa["events"]


def _result_files(
    commitment: Commitment,
    entropy: Entropy,
    targets: TargetDrawResult,
    assignment: AssignmentResult | None,
) -> tuple[dict[str, bytes], bytes]:
    """The bundle's input files and result.json of a first draw (§14), checked against the seed."""
    if not commitment.files:
        raise DrawError("commitment has no frozen files attached (use freeze or read_bundle)")
    seed = derive_seed(commitment, entropy)
    if seed.hex() != targets.seed:
        raise DrawError("targets were not drawn with the seed of this commitment and entropy")
    if assignment is not None and assignment.seed != targets.seed:
        raise DrawError("assignment was not made with the seed of this draw")
    files = {n: b for n, b in commitment.files.items() if n in INPUT_FILES}
    files["commitment.json"] = commitment.canonical_json()
    files["entropy.json"] = entropy.canonical_json()
    hashes = {n: sha256_hex(b) for n, b in sorted(files.items())}
    return files, result_json(commitment, seed, targets, assignment, hashes)


def draw_result(
    commitment: Commitment,
    entropy: Entropy,
    targets: TargetDrawResult,
    assignment: AssignmentResult | None = None,
) -> bytes:
    """result.json of a first draw: the bytes `write_bundle` writes for a new bundle, without
    writing the bundle (a caller that stores the files itself need not copy a 23 MB
    population.csv to a directory to learn its result)."""
    return _result_files(commitment, entropy, targets, assignment)[1]


def write_bundle(
    path: str,
    commitment: Commitment,
    entropy: Entropy,
    targets: TargetDrawResult,
    assignment: AssignmentResult | None = None,
) -> bytes:
    """Write the bundle (directory, or zip if path ends with .zip); returns result.json.

    Refuses to overwrite an existing bundle unless the new result only appends reserve
    uses / assignment events to the old one (a drawn result is never overwritten)."""
    files, res = _result_files(commitment, entropy, targets, assignment)
    exists = os.path.exists(path)
    old_files = _read_files(path) if exists else {}
    if RESULT in old_files:
        old = parse_json(old_files[RESULT], RESULT)
        if not _is_extension(old, parse_json(res, RESULT)):
            raise DrawError(f"{path}: holds a different draw; a drawn result is never overwritten")
    elif exists and (not os.path.isdir(path) or os.listdir(path)):
        raise DrawError(f"{path}: exists and is not a bundle of this draw")
    if VOID in old_files:
        if old_files.get(RESULT) != res:
            raise DrawError(f"{path}: the draw is void; nothing can be appended to it")
        files[VOID] = old_files[VOID]
    files[RESULT] = res
    files[RESULT_HASH] = (sha256_hex(res) + "\n").encode("ascii")
    _write_files(path, files)
    return res


def void_bundle(path: str, reason: str, at: str | None = None) -> None:
    """Mark a draw void. The draw stays in place; a new draw needs a new commitment.
    `at`: when it was voided, UTC "YYYY-MM-DDTHH:MM:SSZ" (spec v1.1 §14; optional)."""
    import datetime

    from .canonical import check_text

    check_text(reason, "reason")
    if not reason:
        raise DrawError("a void needs a reason")
    void = {"reason": reason}
    if at is not None:
        try:
            ok = datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y-%m-%dT%H:%M:%SZ") == at
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise DrawError(f"void time must be UTC YYYY-MM-DDTHH:MM:SSZ, got {at!r}")
        void["at"] = at
    files = _read_files(path)
    if RESULT not in files:
        raise DrawError(f"{path}: no result to void")
    if VOID in files:
        raise DrawError(f"{path}: already void")
    void["result_sha256"] = sha256_hex(files[RESULT])
    files[VOID] = canonical_json(void)
    _write_files(path, files)


def _load_inputs(files: Mapping[str, bytes]):
    params = DrawParams.from_json(parse_json(files["params.json"], "params.json"))
    if params.canonical_json() != files["params.json"]:
        raise DrawError("params.json: not in canonical form")
    commitment = Commitment.from_json(parse_json(files["commitment.json"], "commitment.json"))
    if commitment.canonical_json() != files["commitment.json"]:
        raise DrawError("commitment.json: not in canonical form")
    entropy = Entropy.from_json(parse_json(files["entropy.json"], "entropy.json"))
    if entropy.canonical_json() != files["entropy.json"]:
        raise DrawError("entropy.json: not in canonical form")
    frame = Frame.from_csv(files["population.csv"])
    if frame.to_csv() != files["population.csv"]:
        raise DrawError("population.csv: not in canonical form")
    exclusions = parse_exclusions(files["exclusions.csv"])
    inspectors = None
    if "inspectors.json" in files:
        inspectors = parse_inspectors(files["inspectors.json"])
    attached = {n: b for n, b in files.items() if n in INPUT_FILES}
    object.__setattr__(commitment, "files", attached)
    object.__setattr__(commitment, "frame", frame)
    return params, commitment, entropy, frame, exclusions, inspectors


def read_bundle(path: str) -> Bundle:
    """Load a bundle (without re-computing it; use verify_bundle for that)."""
    files = _read_files(path)
    params, commitment, entropy, frame, _, inspectors = _load_inputs(files)
    res = parse_json(files[RESULT], RESULT)
    targets = TargetDrawResult.from_json(res["targets"])
    assignment = None
    if res["assignment"] is not None:
        a = res["assignment"]
        assignment = AssignmentResult(
            seed=targets.seed,
            targets=tuple(a["order"]),
            groups=tuple(Group.from_json(g) for g in a["groups"]),
            shortfalls=tuple(Shortfall.from_json(s) for s in a["shortfalls"]),
            events=tuple(event_from_json(e) for e in a["events"]),
            params=params.assignment,
            inspectors=tuple(inspectors or ()),
        )
    void = None
    if VOID in files:
        void = parse_json(files[VOID], VOID).get("reason")
    return Bundle(files, commitment, entropy, params, frame, targets, assignment, void)


def compute(
    commitment: Commitment,
    entropy: Entropy,
    params: DrawParams,
    frame: Frame,
    inspectors: Any = None,
) -> tuple[bytes, TargetDrawResult, AssignmentResult | None]:
    """Seed, target draw and (if the params ask for it) the initial assignment."""
    seed = derive_seed(commitment, entropy)
    targets = draw_targets(frame, params, seed)
    assignment = None
    if params.assignment is not None:
        assignment = assign_inspectors(targets.selected_ids(), inspectors or [], params.assignment, seed)
    return seed, targets, assignment


def verify_bundle(path: str, commitment: str | None = None) -> list[str]:
    """Verify the bundle (spec §14.1). Returns the failure as ["<check id>: <message>"],
    or [] when the bundle is consistent (and matches `commitment`, if given).
    `verification.verify` gives the whole report (commitment, void)."""
    from .verification import verify

    r = verify(path, commitment)
    return [] if r.ok else [f"{r.check}: {r.message}"]


def apply_reserve(bundle_path: str, stratum: str, replaced_id: str, reason: str) -> ReserveUse:
    """Use the next reserve in a bundle; with an assignment, the new target gets groups."""
    from .assign import replace_target

    b = read_bundle(bundle_path)
    targets = use_reserve(b.targets, stratum, replaced_id, reason)
    use = targets.reserve_uses[-1]
    assignment = b.assignment
    if assignment is not None:
        assignment = replace_target(assignment, replaced_id, use.replacement, reason, targets.seed)
    write_bundle(bundle_path, b.commitment, b.entropy, targets, assignment)
    return use


def apply_substitute(bundle_path: str, target_id: str, department: str, inspector_id: str, reason: str):
    from .assign import substitute

    b = read_bundle(bundle_path)
    if b.assignment is None:
        raise DrawError("this bundle has no inspector assignment")
    a = substitute(b.assignment, target_id, department, inspector_id, reason, b.targets.seed)
    write_bundle(bundle_path, b.commitment, b.entropy, b.targets, a)
    return a.events[-1]


def apply_substitute_person(bundle_path: str, department: str, inspector_id: str, reason: str):
    """递补 of one person in all their groups of ``department`` (spec §13.3): one event."""
    from .assign import substitute_person

    b = read_bundle(bundle_path)
    if b.assignment is None:
        raise DrawError("this bundle has no inspector assignment")
    a = substitute_person(b.assignment, department, inspector_id, reason, b.targets.seed)
    write_bundle(bundle_path, b.commitment, b.entropy, b.targets, a)
    return a.events[-1]


def file_sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
