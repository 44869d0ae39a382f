"""Property tests of verification (spec v1.1 §14.1): random draws, random single-field forgeries
re-sealed, random byte damage; the three verifiers (engine, CLI module, stdlib tool) always give
the same verdict and first failing check, and the stdlib tool never crashes."""

import contextlib
import json
import os
import shutil
import sys
import tempfile
import warnings
import zipfile

from drawhelpers import SECRET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from verifiers import ROOT, tool_module, verdicts

from shuangsuiji.draw import (
    CHECKS,
    AssignmentParams,
    AssignmentShortfall,
    Candidate,
    DepartmentRequirement,
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
    void_bundle,
    write_bundle,
)

sys.path.insert(0, os.path.join(ROOT, "tools"))
from make_conformance import reseal

VECTORS = os.path.join(ROOT, "tests", "draw", "vectors")
# DRAW_PROPERTY_EXAMPLES=1000 for a deeper run than the suite's
EXAMPLES = int(os.environ.get("DRAW_PROPERTY_EXAMPLES", "50"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

RATIOS = ["0", "0.1", "0.25", "1/3", "0.5", "1"]
TEXTS = [
    "",
    "A",
    "a,b",
    'q"',
    "x\x01y",
    "x\x7fy",
    "2026-07-32",
    "2026-12-01",
    "ABCDEF",
    "00" * 32,
    "0.5",
    "1/0",
    "水利局",
]
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 40),
    st.just(1.0),
    st.sampled_from(TEXTS),
    st.text(max_size=6),
    st.just([]),
    st.just({}),
)


@st.composite
def draws(draw):
    """A bundle made by the engine: strata, weights, exclusions, reserves, maybe an assignment
    with events, maybe a void."""
    keys = draw(st.lists(st.sampled_from(["A", "B", "高风险"]), min_size=1, max_size=3, unique=True))
    weighted = draw(st.booleans())
    pop, k = [], 0
    rules = {}
    for s in keys:
        for _ in range(draw(st.integers(0, 10))):
            pop.append(Candidate(f"91{k:016d}", s, draw(st.integers(1, 3)) if weighted else 1))
            k += 1
        lo = draw(st.integers(0, 2))
        hi = draw(st.one_of(st.none(), st.integers(lo, lo + 3)))
        rules[s] = StratumRule(draw(st.sampled_from(RATIOS)), min=lo, max=hi, reserves=draw(st.integers(0, 2)))
    excl = [Exclusion(f"90{i:016d}", "deregistered") for i in range(draw(st.integers(0, 2)))]
    assignment, inspectors = None, None
    if draw(st.booleans()):
        depts = draw(st.lists(st.sampled_from(["MSA", "水利局"]), min_size=1, max_size=2, unique=True))
        assignment = AssignmentParams(
            departments={
                d: DepartmentRequirement(draw(st.integers(1, 2)), draw(st.integers(0, 1)), frozenset()) for d in depts
            },
            window_from="2026-12-01",
            window_to="2026-12-15",
            cap=draw(st.one_of(st.none(), st.integers(1, 4))),
            rotation=draw(st.booleans()),
        )
        ids = [c.id for c in pop]
        inspectors = []
        for d in depts:
            for i in range(draw(st.integers(1, 5))):
                inspectors.append(
                    Inspector(
                        f"{d}-{i}",
                        d,
                        is_expert=draw(st.booleans()) if i else False,
                        active=draw(st.booleans()) or i == 0,
                        cert_valid_from="2024-01-01",
                        cert_valid_to=draw(st.sampled_from(["2026-12-10", "2028-01-01", "2028-01-01"])),
                        conflicts=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2)) if ids else ()),
                        last_inspected=frozenset(draw(st.lists(st.sampled_from(ids), max_size=2)) if ids else ()),
                        workload=draw(st.integers(0, 2)),
                        leave=draw(
                            st.sampled_from([(), (("2026-12-10", "2026-12-11"),), (("2026-11-01", "2026-11-02"),)])
                        ),
                    )
                )
    params = DrawParams("P-1", rules, weighted=weighted, assignment=assignment, meta={"t": "x"})
    c = freeze(pop, excl, params, server_secret_hash(SECRET), inspectors, nonce="ab" * 32)
    e = Entropy(SECRET, [PublicEntropy("dice", draw(st.sampled_from(["1 2 3", "6 6 1"])), "witness")])
    seed = derive_seed(c, e)
    t = draw_targets(c.frame, params, seed)
    a = assign_inspectors(t.targets(), inspectors, assignment, seed) if assignment else None
    for _ in range(draw(st.integers(0, 2))):
        s = draw(st.sampled_from(keys))
        used = sum(1 for u in t.reserve_uses if u.stratum == s)
        if t.active(s) and used < len(t.strata[s].reserves):
            old = draw(st.sampled_from(t.active(s)))
            t = use_reserve(t, s, old, "out-of-scope")
            if a is not None:
                a = replace_target(a, old, t.reserve_uses[-1].replacement, "out-of-scope", seed)
    current = list(a.current_groups().values()) if a is not None else []
    if current and draw(st.booleans()):  # every group can have been replaced by reserve uses
        g = draw(st.sampled_from(current))
        with contextlib.suppress(AssignmentShortfall):
            a = substitute(a, g.target, g.department, g.inspectors[0], "sick-leave", seed)
    void = draw(st.sampled_from([None, ("作废，原因", None), ("void", "2026-12-02T10:00:00Z")]))
    return c, e, t, a, void


def _bundle_files(c, e, t, a, void):
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "b")
        write_bundle(path, c, e, t, a)
        if void:
            void_bundle(path, *void)
        out = {}
        for f in sorted(os.listdir(path)):
            with open(os.path.join(path, f), "rb") as fh:
                out[f] = fh.read()
        return out
    finally:
        shutil.rmtree(tmp)


def _write(files, tmp):
    path = os.path.join(tmp, "bundle")
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    for name, data in files.items():
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)
    return path


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


PHASE = {
    "population.csv": "inputs",
    "exclusions.csv": "inputs",
    "params.json": "inputs",
    "inspectors.json": "inputs",
    "commitment.json": "commitment",
    "entropy.json": "entropy",
    "result.json": "result",
    "void.json": "raw",
}


@st.composite
def forgeries(draw, result_only):
    """A drawn bundle and a copy with one field changed, then re-sealed: a field of result.json
    (what recomputation must catch), or of any other file."""
    files = _bundle_files(*draw(draws()))
    forged = dict(files)
    names = ["result.json"] if result_only else sorted(n for n in forged if n in PHASE and n != "result.json")
    name = draw(st.sampled_from(names))
    if name.endswith(".json"):
        obj = json.loads(forged[name])
        path = draw(st.sampled_from(list(_paths(obj))))
        op = draw(st.sampled_from(["set", "set", "delete", "add"]))
        if not path:
            obj = draw(JSON_VALUES)
        else:
            parent = obj
            for p in path[:-1]:
                parent = parent[p]
            if op == "delete":
                del parent[path[-1]]
            elif op == "add" and isinstance(parent, dict):
                parent["zz"] = draw(JSON_VALUES)
            else:
                parent[path[-1]] = draw(JSON_VALUES)
        forged[name] = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
            "utf-8", "surrogatepass"
        )
    else:
        lines = forged[name].decode().split("\n")[:-1]
        i = draw(st.integers(0, len(lines) - 1))
        fields = lines[i].split(",")
        fields[draw(st.integers(0, len(fields) - 1))] = draw(st.one_of(st.sampled_from(TEXTS), st.text(max_size=4)))
        lines[i] = ",".join(fields)
        forged[name] = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    # when the edit broke what re-sealing reads, the bundle stays as edited
    with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError, IndexError):
        reseal(forged, PHASE[name])
    return files, forged


def _agree(case):
    files, forged = case
    tmp = tempfile.mkdtemp()
    try:
        assert verdicts(_write(files, tmp)) == [("OK", None)] * 3
        got = verdicts(_write(forged, tmp))
        assert got[0] == got[1] == got[2], got
        if os.environ.get("VERIFY_STATS"):
            with open(os.environ["VERIFY_STATS"], "a") as f:
                f.write(f"{got[0][1]}\n")
        assert got[0][1] is None or got[0][1] in CHECKS
    finally:
        shutil.rmtree(tmp)


@SETTINGS
@given(forgeries(result_only=True))
def test_random_result_forgeries_three_verifiers_agree(case):
    _agree(case)


@SETTINGS
@given(forgeries(result_only=False))
def test_random_input_forgeries_three_verifiers_agree(case):
    _agree(case)


BASES = {}


def _base(name):
    if name not in BASES:
        d = os.path.join(VECTORS, name)
        BASES[name] = {}
        for f in sorted(os.listdir(d)):
            with open(os.path.join(d, f), "rb") as fh:
                BASES[name][f] = fh.read()
    return dict(BASES[name])


@st.composite
def mangled(draw):
    files = _base(draw(st.sampled_from(["basic", "weighted", "assignment"])))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "drop", "junk", "empty"]))
        name = draw(st.sampled_from(sorted(files))) if files else "x"
        data = files.get(name, b"")
        if op == "flip" and data:
            i = draw(st.integers(0, len(data) - 1))
            files[name] = data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1 :]
        elif op == "cut":
            files[name] = data[: draw(st.integers(0, len(data)))]
        elif op == "insert":
            i = draw(st.integers(0, len(data)))
            files[name] = data[:i] + draw(st.binary(min_size=1, max_size=4)) + data[i:]
        elif op == "drop":
            files.pop(name, None)
        elif op == "junk":
            files[draw(st.sampled_from(["void.json", "inspectors.json", "notes.txt"]))] = draw(st.binary(max_size=8))
        else:
            files[name] = b""
    if draw(st.booleans()) and "commitment.json" in files and "result.json" in files:
        with contextlib.suppress(Exception):  # re-sealing damaged files may fail: keep them as they are
            reseal(files, draw(st.sampled_from(["inputs", "entropy", "result"])))
    return files, draw(st.booleans())


@settings(max_examples=EXAMPLES * 8 // 5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_mangled_bundles_never_crash_the_tool_and_verifiers_agree(case):
    files, as_zip = case
    tmp = tempfile.mkdtemp()
    try:
        path = _write(files, tmp)
        if as_zip:
            zpath = os.path.join(tmp, "b.zip")
            with zipfile.ZipFile(zpath, "w") as z:
                for n, data in files.items():
                    z.writestr(n, data)
            path = zpath
        ok, check, lines = tool_module().report(path)  # never raises
        assert len(lines) >= 1 and (ok or check in CHECKS)
        got = verdicts(path)
        assert got[0] == got[1] == got[2], got
    finally:
        shutil.rmtree(tmp)


def test_not_a_bundle_is_bundle_read(tmp_path):
    p = tmp_path / "x.txt"
    p.write_bytes(b"not a zip")
    assert verdicts(str(p)) == [("FAIL", "bundle.read")] * 3
    assert verdicts(str(tmp_path / "missing")) == [("FAIL", "bundle.read")] * 3
    z = tmp_path / "dup.zip"
    with zipfile.ZipFile(z, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": that is the point
        zf.writestr("result.json", b"{}")
        zf.writestr("result.json", b"{}")
    assert verdicts(str(z)) == [("FAIL", "bundle.read")] * 3
