"""Benchmark: verify a 1,000,000-candidate bundle with the engine and with the standard-library
tool (not a test). Run from the repository root:

    .venv/bin/python bench/verify.py              # 1,000,000 candidates, 4 strata
    .venv/bin/python bench/verify.py --n 200000   # quicker

Builds the bundle once (freeze, draw, write; not timed), then times, in this process and
one after the other: `shuangsuiji.draw.verify(path)` (the engine) and `report(path)` of
tools/verify_draw.py (loaded from its file; it imports nothing of the project). Also runs
the tool once as a subprocess (`python -I tools/verify_draw.py`, start-up included) for
information. Prints both times and the ratio tool / engine (goal <= 1).
"""

import argparse
import gc
import hashlib
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from shuangsuiji.draw import (  # noqa: E402
    DrawParams,
    Entropy,
    Frame,
    PublicEntropy,
    StratumRule,
    derive_seed,
    draw_targets,
    freeze,
    server_secret_hash,
    verify,
    write_bundle,
)

RATIOS = {"A": "0.01", "B": "0.03", "C": "0.10", "D": "0.30"}


def load_tool():
    spec = importlib.util.spec_from_file_location("verify_draw_tool", os.path.join(ROOT, "tools", "verify_draw.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=4)
    a = ap.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus")
    strata = list(RATIOS)
    ids = {s: [] for s in strata}
    for i in range(a.n):
        ids[strata[i % 4]].append(f"9111{i:014d}")
    params = DrawParams("BENCH-VERIFY", {s: StratumRule(r, reserves=10) for s, r in RATIOS.items()})
    secret = hashlib.sha256(b"bench secret").digest()
    c = freeze(Frame.from_columns(ids), [], params, server_secret_hash(secret), nonce="ab" * 32)
    e = Entropy(secret, [PublicEntropy("dice", "1 2 3 4 5 6", "witness")])
    t = draw_targets(c.frame, params, derive_seed(c, e))
    tmp = tempfile.mkdtemp(prefix="bench-verify-")
    path = os.path.join(tmp, "bundle")
    write_bundle(path, c, e, t)
    del ids, c, t
    size = sum(os.path.getsize(os.path.join(path, f)) for f in os.listdir(path))
    print(f"bundle: {a.n:,} candidates, {size / 2**20:.1f} MiB on disk")
    tool = load_tool()
    engine_times, tool_times = [], []  # (wall, cpu)

    def timed(fn):
        gc.collect()
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        return out, (time.perf_counter() - w, time.process_time() - c)

    for k in range(a.runs):
        order = ("engine", "tool") if k % 2 == 0 else ("tool", "engine")  # alternate who goes first
        for who in order:
            if who == "engine":
                r, t_e = timed(lambda: verify(path))
                assert r.ok, r.lines()
                engine_times.append(t_e)
            else:
                (ok, _, lines), t_t = timed(lambda: tool.report(path))
                assert ok, lines
                tool_times.append(t_t)
    for k, (te, tt) in enumerate(zip(engine_times, tool_times, strict=True), start=1):
        print(
            f"run {k}: engine verify {te[0]:.2f}s (cpu {te[1]:.2f}s), tools/verify_draw.py {tt[0]:.2f}s "
            f"(cpu {tt[1]:.2f}s), ratio tool/engine {tt[0] / te[0]:.2f} (cpu {tt[1] / te[1]:.2f})"
        )
    t0 = time.perf_counter()
    tool_cmd = [sys.executable, "-I", os.path.join(ROOT, "tools", "verify_draw.py"), path]
    out = subprocess.run(tool_cmd, capture_output=True)
    t_sub = time.perf_counter() - t0
    print(f"tools/verify_draw.py as a subprocess (start-up included): {t_sub:.2f}s, exit {out.returncode}")
    best_e, best_t = min(t[0] for t in engine_times), min(t[0] for t in tool_times)
    cpu_e, cpu_t = min(t[1] for t in engine_times), min(t[1] for t in tool_times)
    print(
        f"best of {a.runs}: engine={best_e:.2f}s tool={best_t:.2f}s ratio_tool_vs_engine={best_t / best_e:.2f} "
        f"(cpu {cpu_e:.2f}s / {cpu_t:.2f}s = {cpu_t / cpu_e:.2f}; goal <= 1)"
    )
    for f in os.listdir(path):
        os.remove(os.path.join(path, f))
    os.rmdir(path)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
