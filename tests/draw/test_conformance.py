"""The conformance suite (conformance/, spec §18): byte-stable, and the three verifiers (the
engine's verify, `python -m shuangsuiji.draw verify`, tools/verify_draw.py) give every case
its expected verdict and first failing check."""

import contextlib
import io
import json
import os
import subprocess
import sys

import pytest
from verifiers import ROOT, TOOL, tool_module, verdicts

from shuangsuiji.draw import CHECKS, verify
from shuangsuiji.draw.__main__ import main as cli_main

SUITE = os.path.join(ROOT, "conformance")
with open(os.path.join(SUITE, "cases.json"), "rb") as _f:
    CASES = json.loads(_f.read())

sys.path.insert(0, os.path.join(ROOT, "tools"))
import make_conformance  # noqa: E402


def test_suite_is_rebuilt_byte_for_byte():
    built = make_conformance.build()
    on_disk = {}
    for dirpath, _, names in os.walk(SUITE):
        for n in names:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, SUITE)
            if rel != "README.md":
                with open(full, "rb") as f:
                    on_disk[rel] = f.read()
    assert sorted(built) == sorted(on_disk)
    for rel, data in built.items():
        assert data == on_disk[rel], rel


def test_suite_covers_every_check_and_feature():
    failing = {c["check"] for c in CASES if c["verdict"] == "FAIL"}
    # bundle.read needs a file that is no bundle at all; it is tested in test_verify_properties
    assert set(CHECKS) - failing == {"bundle.read"}
    assert sum(c["verdict"] == "OK" for c in CASES) >= 8
    assert all(c["check"] in CHECKS for c in CASES if c["verdict"] == "FAIL")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_three_verifiers_give_the_expected_verdict(case):
    path = os.path.join(SUITE, case["bundle"])
    expected = (case["verdict"], case["check"])
    assert verdicts(path, case.get("commitment")) == [expected] * 3


def test_tool_as_a_subprocess():
    """The stdlib tool run as a third party runs it: isolated, from another directory
    (every OK case and every fourth FAIL case; all of them run in-process above)."""
    fails = [c for c in CASES if c["verdict"] == "FAIL"]
    for case in [c for c in CASES if c["verdict"] == "OK"] + fails[::4]:
        args = [sys.executable, "-I", TOOL, os.path.join(SUITE, case["bundle"])]
        if case.get("commitment"):
            args += ["--commitment", case["commitment"]]
        r = subprocess.run(args, capture_output=True, text=True, cwd="/")
        first = r.stdout.splitlines()[0]
        if case["verdict"] == "OK":
            assert r.returncode == 0 and first.startswith("OK consistent"), (case["name"], r.stdout, r.stderr)
        else:
            assert r.returncode == 1 and first.startswith(f"FAIL {case['check']}: "), (case["name"], r.stdout)


def test_outputs_name_the_commitment_and_report_a_void():
    path = os.path.join(SUITE, "cases", "ok-void")
    r = verify(path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(["verify", path]) == 0
    ok, _, lines = tool_module().report(path)
    assert ok and lines == out.getvalue().splitlines() == r.lines()
    assert lines[0] == (
        "OK consistent; compare the commitment with the one published at freeze time: " + r.commitment_sha256
    )
    assert lines[1].startswith("VOID this draw was voided; when: 2026-12-02T09:30:00Z; why: 抽取范围有误，经审批作废;")
    with open(os.path.join(path, "result.json"), "rb") as f:
        import hashlib

        assert hashlib.sha256(f.read()).hexdigest() in lines[1]
    published = verify(path, r.commitment_sha256).lines()[0]
    assert published == f"OK consistent, and the commitment equals the published one: {r.commitment_sha256}"


def test_spec_table_and_both_implementations_list_the_checks_in_the_same_order():
    import re

    with open(os.path.join(ROOT, "docs", "draw-spec.md"), encoding="utf-8") as f:
        spec = f.read()
    table = spec[spec.index("### 14.1") : spec.index("### 14.2")]
    assert re.findall(r"^\| \d+ \| `([a-z_.0-9]+)` \|", table, re.M) == list(CHECKS)
    with open(TOOL, encoding="utf-8") as f:
        assert re.findall(r'Step\("([a-z_.0-9]+)"\)', f.read()) == list(CHECKS)
    with open(os.path.join(ROOT, "shuangsuiji", "draw", "verification.py"), encoding="utf-8") as f:
        assert re.findall(r'run\.step\("([a-z_.0-9]+)"\)', f.read()) == list(CHECKS)
