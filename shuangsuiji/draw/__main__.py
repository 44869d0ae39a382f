"""Command line: python -m shuangsuiji.draw {freeze,run,verify,check,reserve,substitute,void}."""

from __future__ import annotations

import argparse
import csv
import io
import sys

from .assign import AssignmentShortfall
from .bundle import apply_reserve, apply_substitute, compute, void_bundle, write_bundle
from .canonical import DrawError, parse_json
from .commit import (
    Candidate,
    Commitment,
    Entropy,
    Exclusion,
    Frame,
    freeze,
    parse_exclusions,
    server_secret_hash,
)
from .params import DrawParams
from .targets import check_candidate


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _rows(path: str, required: tuple[str, ...]) -> list[dict]:
    text = _read(path).decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = set(required) - set(reader.fieldnames or [])
    if missing:
        raise DrawError(f"{path}: missing columns {sorted(missing)}")
    return list(reader)


def _population(path: str) -> list[Candidate]:
    out = []
    for r in _rows(path, ("id", "stratum")):
        w = r.get("weight") or "1"
        if not w.isdigit():
            raise DrawError(f"{path}: bad weight {w!r}")
        out.append(Candidate(r["id"], r["stratum"], int(w)))
    return out


def _params(path: str) -> DrawParams:
    return DrawParams.from_json(parse_json(_read(path), path))


def _inspectors(path: str | None):
    if not path:
        return None
    data = parse_json(_read(path), path)
    if not isinstance(data, list):
        raise DrawError(f"{path}: must be a JSON array of inspectors")
    return data


def cmd_freeze(a) -> int:
    params = _params(a.params)
    excl = [Exclusion(r["id"], r["reason"]) for r in _rows(a.exclusions, ("id", "reason"))] if a.exclusions else []
    c = freeze(_population(a.population), excl, params, a.secret_sha256, _inspectors(a.inspectors), a.nonce)
    import os

    os.makedirs(a.out, exist_ok=True)
    for name, data in c.files.items():
        with open(os.path.join(a.out, name), "wb") as f:
            f.write(data)
    print(c.sha256)
    return 0


def cmd_run(a) -> int:
    entropy = Entropy.from_json(parse_json(_read(a.entropy), a.entropy))
    if a.frozen:
        import os

        files = {}
        for name in ("population.csv", "exclusions.csv", "params.json", "inspectors.json", "commitment.json"):
            p = os.path.join(a.frozen, name)
            if os.path.exists(p):
                files[name] = _read(p)
        commitment = Commitment.from_json(parse_json(files["commitment.json"], "commitment.json"))
        params = DrawParams.from_json(parse_json(files["params.json"], "params.json"))
        frame = Frame.from_csv(files["population.csv"])
        parse_exclusions(files["exclusions.csv"])
        inspectors = None
        if "inspectors.json" in files:
            inspectors = parse_json(files["inspectors.json"], "inspectors.json")
        object.__setattr__(commitment, "files", files)
        object.__setattr__(commitment, "frame", frame)
    else:
        if not (a.population and a.params):
            raise DrawError("run needs --frozen DIR or --population and --params")
        params = _params(a.params)
        excl = []
        if a.exclusions:
            excl = [Exclusion(r["id"], r["reason"]) for r in _rows(a.exclusions, ("id", "reason"))]
        inspectors = _inspectors(a.inspectors)
        commitment = freeze(
            _population(a.population),
            excl,
            params,
            server_secret_hash(entropy.server_secret),
            inspectors,
            a.nonce,
        )
        frame = commitment.frame
    seed, targets, assignment = compute(commitment, entropy, params, frame, inspectors)
    write_bundle(a.out, commitment, entropy, targets, assignment)
    print(f"seed {seed.hex()}")
    for s in sorted(targets.strata, key=lambda x: x.encode()):
        r = targets.strata[s]
        print(f"stratum {s}: N={r.N} n={r.n} cutoff={r.cutoff} reserves={len(r.reserves)}")
    if assignment is not None:
        print(f"groups {len(assignment.groups)} shortfalls {len(assignment.shortfalls)}")
    return 0


def cmd_verify(a) -> int:
    from .verification import verify

    report = verify(a.bundle, a.commitment)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def cmd_check(a) -> int:
    t, drawn = check_candidate(a.seed, a.id, a.cutoff, a.weight)
    print(f"ticket {t}")
    print(f"cutoff {a.cutoff}")
    print("drawn (ticket <= cutoff)" if drawn else "not drawn (ticket > cutoff)")
    return 0


def cmd_reserve(a) -> int:
    use = apply_reserve(a.bundle, a.stratum, a.replaced, a.reason)
    print(f"{use.replaced} -> {use.replacement} ({use.reason})")
    return 0


def cmd_substitute(a) -> int:
    ev = apply_substitute(a.bundle, a.target, a.department, a.inspector, a.reason)
    print(f"{ev.replaced} -> {ev.replacement} ({ev.reason})")
    return 0


def cmd_void(a) -> int:
    void_bundle(a.bundle, a.reason, a.at)
    print("void recorded")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m shuangsuiji.draw", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("freeze", help="freeze population/params and print the commitment hash")
    p.add_argument("--population", required=True)
    p.add_argument("--params", required=True)
    p.add_argument("--exclusions")
    p.add_argument("--inspectors")
    p.add_argument("--secret-sha256", required=True)
    p.add_argument("--nonce")
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_freeze)
    p = sub.add_parser("run", help="make a draw from files and write a bundle")
    p.add_argument("--frozen", help="directory written by freeze")
    p.add_argument("--population")
    p.add_argument("--params")
    p.add_argument("--exclusions")
    p.add_argument("--inspectors")
    p.add_argument("--nonce")
    p.add_argument("--entropy", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_run)
    p = sub.add_parser("verify", help="re-compute a bundle (spec 14.1); prints OK or FAIL <check>: ...")
    p.add_argument("bundle")
    p.add_argument("--commitment", help="the commitment hash published at freeze time (64 hex digits)")
    p.set_defaults(fn=cmd_verify)
    p = sub.add_parser("check", help="a business checks its own ticket against the cutoff")
    p.add_argument("--seed", required=True)
    p.add_argument("--id", required=True)
    p.add_argument("--cutoff", required=True)
    p.add_argument("--weight", type=int, default=1)
    p.set_defaults(fn=cmd_check)
    p = sub.add_parser("reserve", help="replace a target by the next reserve")
    p.add_argument("bundle")
    p.add_argument("--stratum", required=True)
    p.add_argument("--replaced", required=True)
    p.add_argument("--reason", required=True)
    p.set_defaults(fn=cmd_reserve)
    p = sub.add_parser("substitute", help="递补: replace one inspector of a group")
    p.add_argument("bundle")
    p.add_argument("--target", required=True)
    p.add_argument("--department", required=True)
    p.add_argument("--inspector", required=True)
    p.add_argument("--reason", required=True)
    p.set_defaults(fn=cmd_substitute)
    p = sub.add_parser("void", help="mark a draw void (it stays; a new draw needs a new commitment)")
    p.add_argument("bundle")
    p.add_argument("--reason", required=True)
    p.add_argument("--at", help="when, UTC YYYY-MM-DDTHH:MM:SSZ (recorded in void.json)")
    p.set_defaults(fn=cmd_void)
    a = ap.parse_args(argv)
    try:
        return a.fn(a)
    except AssignmentShortfall as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (DrawError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
