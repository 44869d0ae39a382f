#!/usr/bin/env python3
"""Build the conformance suite of the draw spec (docs/draw-spec.md §18): conformance/.

    .venv/bin/python tools/make_conformance.py            # rewrite conformance/
    .venv/bin/python tools/make_conformance.py --out DIR  # write elsewhere (the test compares)

Every case is a bundle with its expected verdict and, for FAIL, the identifier of the first
failing check (spec §14.1). Good bundles are made with the engine; forged ones are edited
copies that are **re-sealed**: every hash that can be recomputed (the input hashes in
commitment.json, commitment_sha256, the seed, result.files, result.sha256, void.result_sha256)
is made consistent again after the edit, so only the check named in the case can catch it.
The expectations below are written by hand from the spec; the script refuses to write a case
the engine's own `verify` judges differently. The output is byte-stable (no times, no random
values, zip entries stored uncompressed with a fixed date).
"""

import argparse
import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from shuangsuiji.draw import (  # noqa: E402
    AssignmentParams,
    AssignmentShortfall,
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
    verify,
    void_bundle,
    write_bundle,
)

SECRET = hashlib.sha256(b"conformance server secret").digest()


def cj(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def hx(data):
    return hashlib.sha256(data).hexdigest()


def uscc(i):
    return f"91130200MA{i:07d}Y"


def _files(c, e, t, a=None, void=None):
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "b")
        write_bundle(path, c, e, t, a)
        if void is not None:
            void_bundle(path, *void)
        return {f: open(os.path.join(path, f), "rb").read() for f in sorted(os.listdir(path))}
    finally:
        shutil.rmtree(tmp)


# ------------------------------------------------------------------ good bundles
def base_strata():
    pop = [Candidate(uscc(i), "ABCD"[i % 4], 1 + i % 3) for i in range(48)]  # weights ignored: unweighted
    excl = [Exclusion(uscc(5), "deregistered"), Exclusion(uscc(9), "inspected-2026-10-01；水利局")]
    params = DrawParams(
        draw_id="CONF-strata",
        strata={
            "A": StratumRule("0.05", min=1, reserves=2),
            "B": StratumRule("1/3", reserves=2),
            "C": StratumRule("0.25", min=1, max=2, reserves=1),
            "D": StratumRule("0.50", reserves=0),
            "E": StratumRule("0", reserves=1),  # a stratum nobody is in: N = 0
        },
        meta={"task": "2026年第2批", "items": "食品经营"},
    )
    c = freeze(pop, excl, params, server_secret_hash(SECRET), nonce="c0" * 32)
    e = Entropy(
        SECRET,
        [
            PublicEntropy("dice", "2 6 3 1 4 5", "witness 王五"),
            PublicEntropy("lottery", "福彩3D 2026320期 1 9 4", "www.cwl.gov.cn"),
        ],
    )
    t = draw_targets(c.frame, params, derive_seed(c, e))
    t = use_reserve(t, "B", t.strata["B"].selected[0].id, "not-found-at-address")
    t = use_reserve(t, "B", t.strata["B"].reserves[0].id, "deregistered-after-draw")
    return c, e, t, None


def base_weighted():
    pop = [Candidate(f"个体户-{i:03d}", ["低风险", "高风险"][i % 2], 1 + (i % 5)) for i in range(40)]
    params = DrawParams(
        draw_id="CONF-weighted",
        strata={"低风险": StratumRule("0.1", reserves=2), "高风险": StratumRule("1/4", min=2, reserves=1)},
        weighted=True,
    )
    c = freeze(pop, [], params, server_secret_hash(SECRET), nonce="c1" * 32)
    sig = hashlib.sha256(b"shape of a drand signature, not a real one").digest() * 3
    e = Entropy(
        SECRET,
        [PublicEntropy("dice", "5 5 1 2 6", "witness 李四")],
        DrandRound(2345678, sig.hex(), hx(sig)),
    )
    return c, e, draw_targets(c.frame, params, derive_seed(c, e)), None


def _inspectors():
    out = []
    for i in range(8):
        out.append(
            Inspector(
                f"13020{i:04d}",
                "市场监管局",
                cert_valid_from="2024-01-01",
                cert_valid_to="2027-12-31" if i != 5 else "2026-12-10",
                specialties=frozenset({"食品", "药品"} if i % 2 else {"食品"}),
                conflicts=frozenset({uscc(200 + i), uscc(202 + i)}),
                last_inspected=frozenset({uscc(201 + i)}),
                workload=i % 3,
                leave=(("2026-11-20", "2026-11-25"), ("2026-12-14", "2026-12-20")) if i == 6 else (),
            )
        )
    out.append(Inspector("E-001", "市场监管局", is_expert=True, specialties=frozenset({"食品"})))
    out.append(Inspector("E-002", "市场监管局", is_expert=True, specialties=frozenset({"食品"}), workload=1))
    out.append(Inspector("E-003", "市场监管局", is_expert=True, specialties=frozenset({"食品"}), active=False))
    out.append(Inspector("130400000", "应急管理局", cert_valid_from="2024-01-01", cert_valid_to="2028-01-01"))
    out.append(Inspector("E-004", "市场监管局", is_expert=True, specialties=frozenset({"食品", "药品"})))
    for i in range(5):
        out.append(
            Inspector(
                f"13030{i:04d}", "水利局", cert_valid_from="2024-01-01", cert_valid_to="2028-01-01", trained=i != 4
            )
        )
    return out


def _first_substitute(a, seed, role, reason):
    """The first group (in group order) where a substitute of that role can be drawn."""
    for g in a.groups:
        members = g.inspectors if role == "inspectors" else g.experts
        if g.department == "市场监管局" and members:
            try:
                return substitute(a, g.target, g.department, members[0], reason, seed)
            except AssignmentShortfall:
                continue
    raise SystemExit(f"no {role} substitute possible")


def _assignment(draw_id, nonce, rotation, cap, experts, events, extra=False):
    pop = [Candidate(uscc(200 + i), "AB"[i % 2]) for i in range(28)]
    ap = AssignmentParams(
        departments={
            "市场监管局": DepartmentRequirement(g=2, experts=experts, specialties=frozenset({"食品"})),
            "水利局": DepartmentRequirement(g=2),
            **({"应急管理局": DepartmentRequirement(g=2)} if extra else {}),
        },
        window_from="2026-12-01",
        window_to="2026-12-15",
        cap=cap,
        rotation=rotation,
    )
    params = DrawParams(
        draw_id=draw_id,
        strata={"A": StratumRule("0.5", reserves=2), "B": StratumRule("0.25", reserves=1)},
        assignment=ap,
    )
    insp = _inspectors()
    c = freeze(pop, [Exclusion(uscc(999), "deregistered")], params, server_secret_hash(SECRET), insp, nonce)
    e = Entropy(SECRET, [PublicEntropy("dice", "6 1 6 2 6 3", "witness 赵六")])
    seed = derive_seed(c, e)
    t = draw_targets(c.frame, params, seed)
    a = assign_inspectors(t.targets(), insp, ap, seed)
    if events:
        old = t.strata["A"].selected[1].id
        t = use_reserve(t, "A", old, "deregistered-after-draw")
        a = replace_target(a, old, t.reserve_uses[-1].replacement, "deregistered-after-draw", seed)
        a = _first_substitute(a, seed, "inspectors", "sick-leave")
        a = _first_substitute(a, seed, "experts", "declared-conflict-later")
    return c, e, t, a


def base_assignment():
    """Conflicts, rotation, a workload cap that runs out (shortfalls), experts, events."""
    return _assignment("CONF-assign", "c2" * 32, True, 5, 1, True)


def base_assignment_plain():
    """Rotation off, no cap, two experts per group (their order is the pick order), and a
    department with one inspector only (a shortfall at every target)."""
    return _assignment("CONF-assign-plain", "c3" * 32, False, None, 2, False, extra=True)


BASES = {
    "strata": lambda: _files(*base_strata()),
    "weighted": lambda: _files(*base_weighted()),
    "assignment": lambda: _files(*base_assignment()),
    "assignment-plain": lambda: _files(*base_assignment_plain()),
    "void": lambda: _files(*base_strata(), void=("抽取范围有误，经审批作废", "2026-12-02T09:30:00Z")),
    "void-v1": lambda: _files(*base_weighted(), void=("operator error, approved by 李局长",)),
}


# ------------------------------------------------------------------ re-sealing
SEED_DOMAIN = b"shuangsuiji/draw/v1/seed\n"


def reseal(files, after):
    """Make every recomputable hash consistent again. `after` is the phase just edited:
    "inputs" (re-hash inputs into commitment.json), "commitment", "entropy" (re-seal the
    result: commitment_sha256, seed), "result" (result.files, result.sha256, void), "void",
    or "raw" (nothing)."""
    order = ["inputs", "commitment", "entropy", "result", "void", "raw"]
    k = order.index(after)
    if k <= 0:
        com = json.loads(files["commitment.json"])
        for name, key in (
            ("population.csv", "population_sha256"),
            ("exclusions.csv", "exclusions_sha256"),
            ("params.json", "params_sha256"),
        ):
            if name in files:
                com[key] = hx(files[name])
        com["inspectors_sha256"] = hx(files["inspectors.json"]) if "inspectors.json" in files else None
        files["commitment.json"] = cj(com)
    if k <= 2 and "result.json" in files:
        res = json.loads(files["result.json"])
        res["commitment_sha256"] = hx(files["commitment.json"])
        seed = hashlib.sha256(
            SEED_DOMAIN + hx(files["commitment.json"]).encode() + b"\n" + files["entropy.json"]
        ).hexdigest()
        res["seed"] = seed
        files["result.json"] = cj(res)
    if k <= 3 and "result.json" in files:
        res = json.loads(files["result.json"])
        inputs = ("population.csv", "exclusions.csv", "params.json", "inspectors.json", "commitment.json")
        res["files"] = {n: hx(files[n]) for n in (*inputs, "entropy.json") if n in files}
        files["result.json"] = cj(res)
        files["result.sha256"] = (hx(files["result.json"]) + "\n").encode()
    if k <= 4 and "void.json" in files:
        try:
            v = json.loads(files["void.json"])
            v["result_sha256"] = hx(files["result.json"])
            files["void.json"] = cj(v)
        except (ValueError, TypeError):
            pass
    return files


def j(files, name, fn, dump=cj):
    obj = json.loads(files[name])
    out = fn(obj)
    files[name] = dump(obj if out is None else out)


def csv_edit(files, name, fn):
    lines = files[name].decode().split("\n")[:-1]
    lines = fn(lines)
    files[name] = ("\n".join(lines) + "\n").encode()


def set_path(obj, path, value):
    for p in path[:-1]:
        obj = obj[p]
    obj[path[-1]] = value


def del_path(obj, path):
    for p in path[:-1]:
        obj = obj[p]
    del obj[path[-1]]


# ------------------------------------------------------------------ the cases
# (name, base, phase, edit or None, verdict, check, description[, published commitment of base])
def _swap_selected(r):
    s = r["targets"]["strata"]["A"]
    s["selected"][-1], s["reserves"][0] = s["reserves"][0], s["selected"][-1]


def _upper_secret(e):
    e["server_secret"] = e["server_secret"].upper()


def _redraw_new_nonce(files):
    """A complete re-draw under a new commitment (new nonce): consistent in every check."""
    c, e, _, _ = base_strata()
    params = DrawParams.from_json(json.loads(files["params.json"]))
    c2 = freeze(
        c.frame,
        [Exclusion(uscc(5), "deregistered"), Exclusion(uscc(9), "inspected-2026-10-01；水利局")],
        params,
        server_secret_hash(SECRET),
        nonce="f0" * 32,
    )
    t2 = draw_targets(c2.frame, params, derive_seed(c2, e))
    files.clear()
    files.update(_files(c2, e, t2))


def _shortfall_drop_rotation(r):
    sf = r["assignment"]["shortfalls"][0]
    sf["stages"] = [s for s in sf["stages"] if s[0] != "rotation"]


def _reverse_shortfalls(r):
    r["assignment"]["shortfalls"].reverse()


def _swap_experts(r):
    g = next(g for g in r["assignment"]["groups"] if len(g["experts"]) == 2)
    g["experts"].reverse()


def _swap_group_members(r):
    g = r["assignment"]["groups"]
    g[0]["inspectors"][0], g[1]["inspectors"][0] = g[1]["inspectors"][0], g[0]["inspectors"][0]


def _bad_substitute(r):
    ev = next(e for e in r["assignment"]["events"] if e["kind"] == "substitute")
    ev["replacement"] = "130200007" if ev["replacement"] != "130200007" else "130200003"


def _replace_reason(r):
    ev = next(e for e in r["assignment"]["events"] if e["kind"] == "replace_target")
    ev["reason"] = "another-reason"


def _drop_replace_event(r):
    r["assignment"]["events"] = [e for e in r["assignment"]["events"] if e["kind"] != "replace_target"]


def _last_id(files):
    return files["population.csv"].decode().split("\n")[-2].split(",")[0]


def _unmatched_reserve_use(r):
    a = r["targets"]["strata"]["A"]
    r["targets"]["reserve_uses"].append(
        {
            "reason": "closed-later",
            "replaced": a["selected"][0]["id"],
            "replacement": a["reserves"][1]["id"],
            "stratum": "A",
        }
    )


def _drop_inspectors(files):
    del files["inspectors.json"]


def _leave_unsorted(xs):
    i = next(i for i in xs if len(i["leave"]) == 2)
    i["leave"].reverse()


def _leave_backwards(xs):
    i = next(i for i in xs if len(i["leave"]) == 2)
    i["leave"][0] = {"from": "2026-11-25", "to": "2026-11-20"}


def _uppercase_nonce(c):
    c["nonce"] = "C2" * 32


def _lower_params_hash_upper(c):
    c["params_sha256"] = c["params_sha256"].upper()


CASES = [
    # ---- good bundles of every feature
    (
        "ok-strata",
        "strata",
        None,
        None,
        "OK",
        None,
        "strata with min/max, a rational ratio, an empty stratum (N = 0, cutoff null), exclusions, "
        "reserves used twice in one stratum (a reserve replaced again), weights ignored in an unweighted draw",
    ),
    ("ok-weighted-drand", "weighted", None, None, "OK", None, "weighted draw (weights 1-5) with a drand round"),
    (
        "ok-assignment",
        "assignment",
        None,
        None,
        "OK",
        None,
        "inspector assignment: two departments, conflicts, rotation, a workload cap with shortfalls, "
        "experts, a replaced target (reserve use + replace_target), substitutes of an inspector and an expert",
    ),
    (
        "ok-assignment-plain",
        "assignment-plain",
        None,
        None,
        "OK",
        None,
        "rotation off, no cap, two experts per group; shortfalls still list the rotation and cap stages",
    ),
    ("ok-void", "void", None, None, "OK", None, "a voided draw, with the time of the void (v1.1)"),
    ("ok-void-v1", "void-v1", None, None, "OK", None, "a voided draw in the v1 layout (no time; reason with a comma)"),
    ("ok-zip", "assignment", "zip", None, "OK", None, "the assignment bundle as a zip file"),
    (
        "ok-published",
        "strata",
        "published",
        None,
        "OK",
        None,
        "verified with --commitment equal to the published commitment",
    ),
    (
        "ok-redrawn-new-commitment",
        "strata",
        "raw",
        _redraw_new_nonce,
        "OK",
        None,
        "a complete re-draw with a new nonce: consistent, so only the published commitment can catch it",
    ),
    (
        "fail-redrawn-vs-published",
        "strata",
        "raw+published",
        _redraw_new_nonce,
        "FAIL",
        "commitment.published",
        "the same re-draw checked against the commitment published at freeze time",
    ),
    # ---- bundle layout
    (
        "fail-missing-entropy",
        "strata",
        "raw",
        lambda f: f.pop("entropy.json"),
        "FAIL",
        "bundle.files",
        "entropy.json missing",
    ),
    (
        "fail-extra-file",
        "strata",
        "raw",
        lambda f: f.__setitem__("result2.json", b"{}"),
        "FAIL",
        "bundle.files",
        "a file that is not part of a bundle",
    ),
    (
        "fail-result-sha256",
        "strata",
        "raw",
        lambda f: f.__setitem__("result.sha256", b"0" * 64 + b"\n"),
        "FAIL",
        "result.sha256",
        "result.sha256 does not match result.json",
    ),
    (
        "fail-result-not-canonical",
        "strata",
        "raw",
        lambda f: (
            f.__setitem__("result.json", json.dumps(json.loads(f["result.json"]), indent=1).encode()),
            f.__setitem__("result.sha256", (hx(f["result.json"]) + "\n").encode()),
        ),
        "FAIL",
        "result.canonical",
        "result.json indented (result.sha256 re-sealed)",
    ),
    (
        "fail-result-files-missing",
        "strata",
        "raw",
        lambda f: (
            j(f, "result.json", lambda r: r["files"].pop("exclusions.csv")),
            f.__setitem__("result.sha256", (hx(f["result.json"]) + "\n").encode()),
        ),
        "FAIL",
        "result.files",
        "result.files does not list exclusions.csv",
    ),
    # ---- params.json
    (
        "fail-params-float",
        "strata",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["strata", "A", "min"], 1.0)),
        "FAIL",
        "params.canonical",
        "min written as the float 1.0",
    ),
    (
        "fail-params-control-char",
        "strata",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["meta", "task"], "2026\u0007")),
        "FAIL",
        "params.canonical",
        "a control character in a metadata field",
    ),
    (
        "fail-params-no-g",
        "assignment",
        "inputs",
        lambda f: j(f, "params.json", lambda p: del_path(p, ["assignment", "departments", "水利局", "g"])),
        "FAIL",
        "params.schema",
        "a department without g (g is required in the frozen file)",
    ),
    (
        "fail-params-extra-key",
        "strata",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["seed_hint"], "x")),
        "FAIL",
        "params.schema",
        "an unknown key in params.json",
    ),
    (
        "fail-params-min-bool",
        "strata",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["strata", "A", "min"], True)),
        "FAIL",
        "params.schema",
        "min written as true",
    ),
    (
        "fail-params-ratio-above-one",
        "strata",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["strata", "A", "ratio"], "1.05")),
        "FAIL",
        "params.ratio",
        "a ratio above 1",
    ),
    (
        "fail-params-ratio-syntax",
        "strata",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["strata", "A", "ratio"], ".05")),
        "FAIL",
        "params.ratio",
        "a ratio not in the grammar of §4",
    ),
    (
        "fail-params-max-below-min",
        "strata",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["strata", "C", "max"], 0)),
        "FAIL",
        "params.bounds",
        "a stratum with max < min",
    ),
    (
        "fail-params-impossible-date",
        "assignment",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["assignment", "window", "to"], "2026-07-32")),
        "FAIL",
        "params.window",
        "an impossible date (2026-07-32)",
    ),
    (
        "fail-params-window-backwards",
        "assignment",
        "inputs",
        lambda f: j(f, "params.json", lambda p: set_path(p, ["assignment", "window", "from"], "2026-12-31")),
        "FAIL",
        "params.window",
        "window.from after window.to",
    ),
    # ---- population.csv / exclusions.csv
    (
        "fail-population-unsorted",
        "strata",
        "inputs",
        lambda f: csv_edit(f, "population.csv", lambda ls: [ls[0], ls[2], ls[1], *ls[3:]]),
        "FAIL",
        "population.canonical",
        "two lines swapped",
    ),
    (
        "fail-population-crlf",
        "strata",
        "inputs",
        lambda f: f.__setitem__("population.csv", f["population.csv"].replace(b"\n", b"\r\n")),
        "FAIL",
        "population.canonical",
        "CR LF line ends",
    ),
    (
        "fail-population-weight-zero",
        "strata",
        "inputs",
        lambda f: csv_edit(f, "population.csv", lambda ls: [*ls[:3], ls[3].rsplit(",", 1)[0] + ",0", *ls[4:]]),
        "FAIL",
        "population.canonical",
        "a weight 0",
    ),
    (
        "fail-population-quote",
        "strata",
        "inputs",
        lambda f: csv_edit(f, "population.csv", lambda ls: [*ls[:2], '"' + ls[2], *ls[3:]]),
        "FAIL",
        "population.canonical",
        "a quote in an id",
    ),
    (
        "fail-population-unknown-stratum",
        "strata",
        "inputs",
        lambda f: csv_edit(f, "population.csv", lambda ls: [*ls, "91999999MA9999999Z,Z,1"]),
        "FAIL",
        "population.strata",
        "a stratum without a rule",
    ),
    (
        "fail-exclusions-unsorted",
        "strata",
        "inputs",
        lambda f: csv_edit(f, "exclusions.csv", lambda ls: [ls[0], ls[2], ls[1]]),
        "FAIL",
        "exclusions.canonical",
        "exclusions not sorted",
    ),
    (
        "fail-excluded-in-population",
        "strata",
        "inputs",
        lambda f: csv_edit(f, "exclusions.csv", lambda ls: [*ls, _last_id(f) + ",x"]),
        "FAIL",
        "exclusions.disjoint",
        "an excluded id still in the population",
    ),
    # ---- inspectors.json
    (
        "fail-inspectors-missing",
        "assignment",
        "inputs",
        _drop_inspectors,
        "FAIL",
        "inspectors.present",
        "assignment without inspectors.json (commitment re-sealed with null)",
    ),
    (
        "fail-inspectors-extra-key",
        "assignment",
        "inputs",
        lambda f: j(f, "inspectors.json", lambda xs: xs[0].__setitem__("rank", 1)),
        "FAIL",
        "inspectors.schema",
        "an unknown key in an inspector",
    ),
    (
        "fail-inspectors-conflicts-unsorted",
        "assignment",
        "inputs",
        lambda f: j(f, "inspectors.json", lambda xs: xs[0]["conflicts"].reverse()),
        "FAIL",
        "inspectors.schema",
        "conflicts not sorted",
    ),
    (
        "fail-inspectors-leave-unsorted",
        "assignment",
        "inputs",
        lambda f: j(f, "inspectors.json", _leave_unsorted),
        "FAIL",
        "inspectors.dates",
        "leave periods not sorted by (from, to)",
    ),
    (
        "fail-inspectors-leave-backwards",
        "assignment",
        "inputs",
        lambda f: j(f, "inspectors.json", _leave_backwards),
        "FAIL",
        "inspectors.dates",
        "a leave period with from > to",
    ),
    (
        "fail-inspectors-impossible-date",
        "assignment",
        "inputs",
        lambda f: j(f, "inspectors.json", lambda xs: xs[0].__setitem__("cert_valid_to", "2027-02-30")),
        "FAIL",
        "inspectors.dates",
        "a certificate valid to 2027-02-30",
    ),
    (
        "fail-inspectors-not-canonical",
        "assignment",
        "inputs",
        lambda f: f.__setitem__("inspectors.json", f["inspectors.json"] + b"\n"),
        "FAIL",
        "inspectors.canonical",
        "inspectors.json with a trailing newline (re-hashed into the commitment)",
    ),
    # ---- commitment.json
    (
        "fail-commitment-nonce",
        "strata",
        "commitment",
        lambda f: j(f, "commitment.json", lambda c: c.__setitem__("nonce", "a,b")),
        "FAIL",
        "commitment.schema",
        "a nonce with a comma",
    ),
    (
        "fail-commitment-uppercase-hash",
        "strata",
        "commitment",
        lambda f: j(f, "commitment.json", _lower_params_hash_upper),
        "FAIL",
        "commitment.schema",
        "an upper-case hash",
    ),
    (
        "fail-commitment-draw-id",
        "strata",
        "commitment",
        lambda f: j(f, "commitment.json", lambda c: c.__setitem__("draw_id", "CONF-other")),
        "FAIL",
        "commitment.draw_id",
        "draw_id differs from params.json",
    ),
    (
        "fail-commitment-params-hash",
        "strata",
        "commitment",
        lambda f: j(f, "commitment.json", lambda c: c.__setitem__("params_sha256", "ab" * 32)),
        "FAIL",
        "commitment.hashes",
        "params_sha256 is not the hash of params.json",
    ),
    (
        "fail-commitment-not-canonical",
        "strata",
        "commitment",
        lambda f: j(f, "commitment.json", lambda c: None, dump=lambda o: json.dumps(o, sort_keys=True).encode()),
        "FAIL",
        "commitment.canonical",
        "commitment.json with spaces after the separators",
    ),
    # ---- entropy.json
    (
        "fail-entropy-uppercase-secret",
        "strata",
        "entropy",
        lambda f: j(f, "entropy.json", _upper_secret),
        "FAIL",
        "entropy.schema",
        "the server secret in upper-case hex",
    ),
    (
        "fail-entropy-no-public",
        "strata",
        "entropy",
        lambda f: j(f, "entropy.json", lambda e: e.__setitem__("public", [])),
        "FAIL",
        "entropy.schema",
        "no public entropy",
    ),
    (
        "fail-entropy-wrong-secret",
        "strata",
        "entropy",
        lambda f: j(f, "entropy.json", lambda e: e.__setitem__("server_secret", "00" * 32)),
        "FAIL",
        "entropy.secret",
        "a server secret that does not match its committed hash",
    ),
    (
        "fail-entropy-drand",
        "weighted",
        "entropy",
        lambda f: j(f, "entropy.json", lambda e: e["drand"].__setitem__("randomness", "00" * 32)),
        "FAIL",
        "entropy.drand",
        "drand randomness is not SHA-256 of the signature",
    ),
    (
        "fail-entropy-not-canonical",
        "strata",
        "entropy",
        lambda f: j(f, "entropy.json", lambda e: None, dump=lambda o: json.dumps(o, sort_keys=True).encode()),
        "FAIL",
        "entropy.canonical",
        "entropy.json with \\u escapes and spaces (the seed re-sealed over these bytes)",
    ),
    # ---- result.json
    (
        "fail-result-extra-key",
        "strata",
        "result",
        lambda f: j(f, "result.json", lambda r: r.__setitem__("note", "x")),
        "FAIL",
        "result.schema",
        "an extra key in result.json",
    ),
    (
        "fail-result-draw-id",
        "strata",
        "result",
        lambda f: j(f, "result.json", lambda r: r.__setitem__("draw_id", "CONF-other")),
        "FAIL",
        "result.draw_id",
        "result.draw_id differs",
    ),
    (
        "fail-result-commitment",
        "strata",
        "result",
        lambda f: j(f, "result.json", lambda r: r.__setitem__("commitment_sha256", "ab" * 32)),
        "FAIL",
        "result.commitment",
        "commitment_sha256 is not the hash of commitment.json",
    ),
    (
        "fail-result-seed",
        "strata",
        "result",
        lambda f: j(f, "result.json", lambda r: r.__setitem__("seed", "ab" * 32)),
        "FAIL",
        "result.seed",
        "a seed that is not the one of §7.2",
    ),
    (
        "fail-dice-changed",
        "strata",
        "entropy",
        lambda f: j(f, "entropy.json", lambda e: e["public"][0].__setitem__("value", "6 6 6 6 6 6")),
        "FAIL",
        "result.targets",
        "dice changed after the draw (seed re-sealed, targets not re-drawn)",
    ),
    (
        "fail-selected-swapped",
        "strata",
        "result",
        lambda f: j(f, "result.json", _swap_selected),
        "FAIL",
        "result.targets",
        "a reserve swapped with a selected target",
    ),
    (
        "fail-n-as-true",
        "strata",
        "result",
        lambda f: j(f, "result.json", lambda r: r["targets"]["strata"]["A"].__setitem__("n", True)),
        "FAIL",
        "result.targets",
        "n = 1 written as true",
    ),
    (
        "fail-reserve-wrong-replacement",
        "strata",
        "result",
        lambda f: j(
            f,
            "result.json",
            lambda r: r["targets"]["reserve_uses"][0].__setitem__(
                "replacement", r["targets"]["strata"]["B"]["reserves"][1]["id"]
            ),
        ),
        "FAIL",
        "result.reserve_uses",
        "a reserve use that skips the next reserve",
    ),
    (
        "fail-reserve-reason-comma",
        "strata",
        "result",
        lambda f: j(f, "result.json", lambda r: r["targets"]["reserve_uses"][0].__setitem__("reason", "a,b")),
        "FAIL",
        "result.reserve_uses",
        "a reserve use reason with a comma",
    ),
    (
        "fail-groups-swapped",
        "assignment",
        "result",
        lambda f: j(f, "result.json", _swap_group_members),
        "FAIL",
        "result.assignment",
        "two inspectors swapped between groups",
    ),
    (
        "fail-shortfall-stages",
        "assignment",
        "result",
        lambda f: j(f, "result.json", _shortfall_drop_rotation),
        "FAIL",
        "result.assignment",
        "a shortfall without its rotation stage",
    ),
    (
        "fail-shortfall-order",
        "assignment-plain",
        "result",
        lambda f: j(f, "result.json", _reverse_shortfalls),
        "FAIL",
        "result.assignment",
        "shortfalls not in processing order",
    ),
    (
        "fail-experts-order",
        "assignment-plain",
        "result",
        lambda f: j(f, "result.json", _swap_experts),
        "FAIL",
        "result.assignment",
        "experts of a group not in pick order",
    ),
    (
        "fail-substitute-replacement",
        "assignment",
        "result",
        lambda f: j(f, "result.json", _bad_substitute),
        "FAIL",
        "result.events",
        "a substitute that is not the one the rule picks",
    ),
    (
        "fail-replace-reason",
        "assignment",
        "result",
        lambda f: j(f, "result.json", _replace_reason),
        "FAIL",
        "result.reserve_match",
        "replace_target reason differs from its reserve use",
    ),
    (
        "fail-replace-missing",
        "assignment",
        "result",
        lambda f: j(f, "result.json", _unmatched_reserve_use),
        "FAIL",
        "result.reserve_match",
        "a reserve use without its replace_target event",
    ),
    (
        "fail-replace-event-dropped",
        "assignment",
        "result",
        lambda f: j(f, "result.json", _drop_replace_event),
        "FAIL",
        "result.events",
        "the replace_target event removed: the later substitutes no longer replay",
    ),
    # ---- void.json
    (
        "fail-void-not-canonical",
        "void",
        "raw",
        lambda f: f.__setitem__("void.json", b" " + f["void.json"]),
        "FAIL",
        "void.canonical",
        "void.json with a space",
    ),
    (
        "fail-void-empty-reason",
        "void",
        "raw",
        lambda f: j(f, "void.json", lambda v: v.__setitem__("reason", "")),
        "FAIL",
        "void.schema",
        "a void without reason",
    ),
    (
        "fail-void-bad-time",
        "void",
        "raw",
        lambda f: j(f, "void.json", lambda v: v.__setitem__("at", "2026-12-02 09:30")),
        "FAIL",
        "void.schema",
        "a void time not in the format YYYY-MM-DDTHH:MM:SSZ",
    ),
    (
        "fail-void-result-sha256",
        "void",
        "raw",
        lambda f: j(f, "void.json", lambda v: v.__setitem__("result_sha256", "ab" * 32)),
        "FAIL",
        "void.result_sha256",
        "a void naming another result",
    ),
]


def _zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name in sorted(files):
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), files[name])
    return buf.getvalue()


def build():
    """{relative path: bytes} of the whole suite."""
    bases = {k: fn() for k, fn in BASES.items()}
    out = {}
    index = []
    for name, base, phase, edit, verdict, check, description in CASES:
        files = dict(bases[base])
        published = None
        if phase and "published" in phase:
            published = hx(bases[base]["commitment.json"])
            phase = phase.replace("+published", "").replace("published", "") or None
        if edit is not None:
            edit(files)
            reseal(files, phase)
        entry = {"name": name, "verdict": verdict, "check": check, "description": description}
        if published:
            entry["commitment"] = published
        if phase == "zip":
            out[f"cases/{name}.zip"] = _zip(files)
            entry["bundle"] = f"cases/{name}.zip"
        else:
            for f, data in files.items():
                out[f"cases/{name}/{f}"] = data
            entry["bundle"] = f"cases/{name}"
        index.append(entry)
    out["cases.json"] = (json.dumps(index, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()
    return out


def write(out_dir, suite):
    cases = os.path.join(out_dir, "cases")
    shutil.rmtree(cases, ignore_errors=True)
    for rel, data in suite.items():
        p = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)


def check_with_engine(out_dir):
    with open(os.path.join(out_dir, "cases.json"), "rb") as f:
        index = json.loads(f.read())
    bad = []
    for c in index:
        r = verify(os.path.join(out_dir, c["bundle"]), c.get("commitment"))
        if (r.verdict, r.check) != (c["verdict"], c["check"]):
            got = f"{r.verdict} {r.check} {r.message}"
            bad.append(f"{c['name']}: expected {c['verdict']} {c['check']}, engine says {got}")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "conformance"))
    a = ap.parse_args()
    write(a.out, build())
    bad = check_with_engine(a.out)
    for line in bad:
        print(line, file=sys.stderr)
    print(f"wrote {len(CASES)} cases to {a.out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
