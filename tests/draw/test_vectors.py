"""Frozen vectors: checked by the package and by tools/verify_draw.py (stdlib only)."""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from shuangsuiji.draw import read_bundle, verify_bundle

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "vectors")
ROOT = os.path.dirname(os.path.dirname(HERE))
VERIFIER = os.path.join(ROOT, "tools", "verify_draw.py")
NAMES = sorted(n for n in os.listdir(VECTORS) if os.path.isdir(os.path.join(VECTORS, n)) and not n.startswith("_"))

sys.path.insert(0, VECTORS)
import make_vectors  # noqa: E402


def run_verifier(path):
    # -I: isolated mode, so the verifier cannot import the project even by accident
    return subprocess.run([sys.executable, "-I", VERIFIER, path], capture_output=True, text=True, cwd="/")


def test_vectors_present():
    assert {"basic", "weighted", "assignment"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_vector_verifies_with_package(name):
    assert verify_bundle(os.path.join(VECTORS, name)) == []


@pytest.mark.parametrize("name", NAMES)
def test_vector_verifies_with_stdlib_tool(name):
    r = run_verifier(os.path.join(VECTORS, name))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("OK consistent; compare the commitment with the one published at freeze time: ")


@pytest.mark.parametrize("name", NAMES)
def test_vector_is_frozen(name):
    """The engine still produces exactly the committed bytes."""
    built = make_vectors.build(name)
    path = os.path.join(VECTORS, name)
    on_disk = {}
    for f in os.listdir(path):
        with open(os.path.join(path, f), "rb") as fh:
            on_disk[f] = fh.read()
    assert built == on_disk


def _rehash(path):
    """Make every hash inside the bundle consistent again after a tamper, so that only
    re-computation can catch it (the strongest tamper)."""
    res_path = os.path.join(path, "result.json")
    res = json.loads(Path(res_path).read_bytes())
    for f in res["files"]:
        res["files"][f] = hashlib.sha256(Path(path, f).read_bytes()).hexdigest()
    data = json.dumps(res, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    Path(res_path).write_bytes(data)
    Path(path, "result.sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")


def _edit_json(path, name, fn):
    p = os.path.join(path, name)
    obj = json.loads(Path(p).read_bytes())
    fn(obj)
    Path(p).write_bytes(json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())


def _swap_selected(r):
    s = next(s for s in r["targets"]["strata"].values() if s["selected"] and s["reserves"])
    s["selected"][-1], s["reserves"][0] = s["reserves"][0], s["selected"][-1]


def _drop_population_line(path):
    p = os.path.join(path, "population.csv")
    lines = Path(p).read_bytes().split(b"\n")
    del lines[1]
    Path(p).write_bytes(b"\n".join(lines))


TAMPERS = {
    "result-byte": lambda p: Path(p, "result.json").write_bytes(Path(p, "result.json").read_bytes() + b" "),
    "population-line-dropped": _drop_population_line,
    "population-dropped-rehashed": lambda p: (_drop_population_line(p), _rehash(p)),
    "dice-changed-rehashed": lambda p: (
        _edit_json(p, "entropy.json", lambda e: e["public"][0].update(value="6 6 6")),
        _rehash(p),
    ),
    "selected-swapped-rehashed": lambda p: (_edit_json(p, "result.json", _swap_selected), _rehash(p)),
    "params-ratio-rehashed": lambda p: (
        _edit_json(p, "params.json", lambda d: next(iter(d["strata"].values())).update(ratio="1")),
        _rehash(p),
    ),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_tampered_copy_rejected(tmp_path, name, tamper):
    path = str(tmp_path / name)
    shutil.copytree(os.path.join(VECTORS, name), path)
    TAMPERS[tamper](path)
    r = run_verifier(path)
    assert r.returncode == 1, r.stdout
    assert r.stdout.startswith("FAIL ")
    problems = verify_bundle(path)
    assert problems != []
    assert r.stdout.split(":")[0] == "FAIL " + problems[0].split(":")[0]  # same check id


def test_assignment_tamper_rejected(tmp_path):
    path = str(tmp_path / "a")
    shutil.copytree(os.path.join(VECTORS, "assignment"), path)

    def swap(r):
        g = r["assignment"]["groups"]
        g[0]["inspectors"][0], g[1]["inspectors"][0] = g[1]["inspectors"][0], g[0]["inspectors"][0]

    _edit_json(path, "result.json", swap)
    _rehash(path)
    assert run_verifier(path).stdout.startswith("FAIL result.assignment: ")
    assert verify_bundle(path)[0].startswith("result.assignment: ")


def test_substitute_replacement_tamper_rejected(tmp_path):
    path = str(tmp_path / "a")
    shutil.copytree(os.path.join(VECTORS, "assignment"), path)

    def bad(r):
        ev = next(e for e in r["assignment"]["events"] if e["kind"] == "substitute")
        ev["replacement"] = "130200005"

    _edit_json(path, "result.json", bad)
    _rehash(path)
    assert run_verifier(path).stdout.startswith("FAIL result.events: ")
    assert verify_bundle(path)[0].startswith("result.events: ")


def test_mismatch_names_the_file(tmp_path):
    path = str(tmp_path / "b")
    shutil.copytree(os.path.join(VECTORS, "basic"), path)
    _drop_population_line(path)
    assert verify_bundle(path)[0].startswith("result.files: population.csv")
    assert run_verifier(path).stdout.startswith("FAIL result.files: population.csv")


def test_read_bundle_roundtrip():
    b = read_bundle(os.path.join(VECTORS, "assignment"))
    assert b.assignment is not None and b.assignment.events
    assert (
        b.commitment.sha256 == json.loads(Path(VECTORS, "assignment", "result.json").read_bytes())["commitment_sha256"]
    )
