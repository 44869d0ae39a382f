import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from drawhelpers import SECRET, entropy, params, population

from shuangsuiji.draw import (
    DrandRound,
    DrawError,
    Entropy,
    PublicEntropy,
    derive_seed,
    draw_targets,
    freeze,
    read_bundle,
    server_secret_hash,
    use_reserve,
    verify,
    verify_bundle,
    void_bundle,
    write_bundle,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
P = params({"A": {"ratio": "0.1", "reserves": 2}, "B": {"ratio": "0.5"}})


def _commit(nonce=None):
    return freeze(population({"A": 30, "B": 10}), [], P, server_secret_hash(SECRET), nonce=nonce)


def test_freeze_needs_no_entropy_and_nonce_makes_commitments_unique():
    c1, c2 = _commit(), _commit()
    assert c1.population_sha256 == c2.population_sha256 and c1.params_sha256 == c2.params_sha256
    assert c1.sha256 != c2.sha256  # fresh nonce each time: two commitments never collide
    assert derive_seed(c1, entropy()) != derive_seed(c2, entropy())
    assert c1.population_sha256 == hashlib.sha256(c1.files["population.csv"]).hexdigest()
    assert c1.files["population.csv"].startswith(b"id,stratum,weight\n9100")


def test_wrong_secret_refused():
    c = _commit()
    with pytest.raises(DrawError):
        derive_seed(c, Entropy(bytes(32), [PublicEntropy("dice", "1", "w")]))


def test_seed_depends_on_every_entropy_part():
    c = _commit("n")
    base = derive_seed(c, entropy("1 2 3"))
    assert derive_seed(c, entropy("1 2 3")) == base
    assert derive_seed(c, entropy("1 2 4")) != base
    two = Entropy(SECRET, [PublicEntropy("dice", "1 2 3", "witness 张三"), PublicEntropy("lottery", "7", "cwl")])
    assert derive_seed(c, two) != base
    sig = b"\x01" * 96
    d = DrandRound(5, sig.hex(), hashlib.sha256(sig).hexdigest())
    assert derive_seed(c, Entropy(SECRET, [PublicEntropy("dice", "1 2 3", "witness 张三")], d)) != base


def test_drand_randomness_must_be_sha256_of_signature():
    sig = b"\x02" * 96
    with pytest.raises(DrawError):
        DrandRound(5, sig.hex(), hashlib.sha256(b"other").hexdigest())
    with pytest.raises(DrawError):
        Entropy(SECRET, [])  # public entropy is mandatory


def test_write_verify_and_never_overwrite(tmp_path):
    c = _commit()
    e = entropy()
    seed = derive_seed(c, e)
    t = draw_targets(c.frame, P, seed)
    path = str(tmp_path / "bundle")
    write_bundle(path, c, e, t)
    assert verify_bundle(path) == []
    # appending a reserve use is allowed
    t2 = use_reserve(t, "A", t.strata["A"].selected[0].id, "deregistered")
    write_bundle(path, c, e, t2)
    assert verify_bundle(path) == []
    assert read_bundle(path).targets.reserve_uses == t2.reserve_uses
    # dropping the event, or writing another draw over it, is refused
    with pytest.raises(DrawError):
        write_bundle(path, c, e, t)
    c_new = _commit()
    e_new = entropy()
    with pytest.raises(DrawError):
        write_bundle(path, c_new, e_new, draw_targets(c_new.frame, P, derive_seed(c_new, e_new)))
    # a void keeps the draw and its reason
    void_bundle(path, "operator error in the population scope")
    assert verify_bundle(path) == []
    assert read_bundle(path).void_reason == "operator error in the population scope"
    with pytest.raises(DrawError):
        void_bundle(path, "again")


def test_zip_bundle(tmp_path):
    c = _commit()
    e = entropy()
    t = draw_targets(c.frame, P, derive_seed(c, e))
    path = str(tmp_path / "b.zip")
    write_bundle(path, c, e, t)
    assert verify_bundle(path) == []
    r = subprocess.run(
        [sys.executable, "-I", os.path.join(ROOT, "tools", "verify_draw.py"), path], capture_output=True, text=True
    )
    assert r.returncode == 0 and r.stdout.startswith("OK consistent; compare the commitment"), r.stdout
    assert read_bundle(path).commitment.sha256 in r.stdout


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "shuangsuiji.draw", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_run_verify_check_reserve(tmp_path):
    pop = tmp_path / "P.csv"
    rows = ["stratum,id"] + [f"{'AB'[i % 2]},91{i:016d}" for i in range(50)]  # any column order
    pop.write_text("\r\n".join(reversed(rows[1:])).join([rows[0] + "\r\n", "\r\n"]))
    (tmp_path / "params.json").write_text(json.dumps(P.to_json()))
    (tmp_path / "X.csv").write_text("id,reason\n910000000000000001,inspected within 180 days\n")
    (tmp_path / "E.json").write_text(
        json.dumps({"server_secret": SECRET.hex(), "public": [{"kind": "dice", "value": "4 4 1", "witness": "A"}]})
    )
    out = str(tmp_path / "BUNDLE")
    r = _cli(
        "run",
        "--population",
        str(pop),
        "--params",
        str(tmp_path / "params.json"),
        "--exclusions",
        str(tmp_path / "X.csv"),
        "--entropy",
        str(tmp_path / "E.json"),
        "--out",
        out,
    )
    assert r.returncode == 0, r.stderr
    r = _cli("verify", out)
    assert r.returncode == 0 and r.stdout.startswith("OK consistent; compare the commitment"), r.stdout
    res = json.loads(Path(out, "result.json").read_bytes())
    a = res["targets"]["strata"]["A"]
    assert a["N"] == 25 and res["targets"]["strata"]["B"]["N"] == 24  # one B excluded
    drawn = a["selected"][0]["id"]
    r = _cli("check", "--seed", res["seed"], "--id", drawn, "--cutoff", a["cutoff"])
    assert "drawn (ticket <= cutoff)" in r.stdout and a["selected"][0]["ticket"] in r.stdout
    r = _cli("check", "--seed", res["seed"], "--id", a["reserves"][0]["id"], "--cutoff", a["cutoff"])
    assert "not drawn" in r.stdout
    r = _cli("reserve", out, "--stratum", "A", "--replaced", drawn, "--reason", "deregistered")
    assert r.returncode == 0 and a["reserves"][0]["id"] in r.stdout
    assert _cli("verify", out).returncode == 0
    # a second run into the same bundle is refused (new draw -> new commitment)
    r = _cli(
        "run",
        "--population",
        str(pop),
        "--params",
        str(tmp_path / "params.json"),
        "--entropy",
        str(tmp_path / "E.json"),
        "--out",
        out,
    )
    assert r.returncode != 0
    with open(os.path.join(out, "population.csv"), "ab") as f:
        f.write(b"99,A,1\n")
    r = _cli("verify", out)
    assert r.returncode == 1 and r.stdout.startswith("FAIL result.files: population.csv"), r.stdout


def test_cli_freeze_then_run(tmp_path):
    pop = tmp_path / "P.csv"
    pop.write_text("id,stratum\n" + "".join(f"91{i:016d},{'AB'[i % 2]}\n" for i in range(20)))
    (tmp_path / "params.json").write_text(json.dumps(P.to_json()))
    frozen = str(tmp_path / "frozen")
    r = _cli(
        "freeze",
        "--population",
        str(pop),
        "--params",
        str(tmp_path / "params.json"),
        "--secret-sha256",
        server_secret_hash(SECRET),
        "--out",
        frozen,
    )
    assert r.returncode == 0, r.stderr
    commit_hash = r.stdout.strip()
    (tmp_path / "E.json").write_text(json.dumps(entropy().to_json()))
    out = str(tmp_path / "B")
    r = _cli("run", "--frozen", frozen, "--entropy", str(tmp_path / "E.json"), "--out", out)
    assert r.returncode == 0, r.stderr
    assert json.loads(Path(out, "result.json").read_bytes())["commitment_sha256"] == commit_hash
    assert _cli("verify", out).returncode == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"server_secret": "00" * 32, "public": [{"kind": "dice", "value": "1", "source": "w"}]}))
    r = _cli("run", "--frozen", frozen, "--entropy", str(bad), "--out", str(tmp_path / "C"))
    assert r.returncode != 0 and "does not match" in r.stderr


def test_void_names_time_reason_and_result_and_freezes_the_bundle(tmp_path):
    c = _commit()
    e = entropy()
    t = draw_targets(c.frame, P, derive_seed(c, e))
    path = str(tmp_path / "bundle")
    write_bundle(path, c, e, t)
    with pytest.raises(DrawError):
        void_bundle(path, "scope error", at="2026-12-02 09:00")  # not the v1.1 time format
    void_bundle(path, "抽取范围有误, 作废", at="2026-12-02T09:00:00Z")  # a comma is fine in JSON
    r = verify(path)
    assert r.ok and r.void["at"] == "2026-12-02T09:00:00Z" and r.void["reason"] == "抽取范围有误, 作废"
    assert r.void["result_sha256"] == hashlib.sha256(Path(path, "result.json").read_bytes()).hexdigest()
    assert r.lines()[1].startswith("VOID this draw was voided; when: 2026-12-02T09:00:00Z; why: 抽取范围有误, 作废;")
    # nothing can be appended to a voided draw (the void names the exact result it voids)
    with pytest.raises(DrawError, match="void"):
        write_bundle(path, c, e, use_reserve(t, "A", t.strata["A"].selected[0].id, "deregistered"))
    assert verify(path).ok


def test_cli_verify_with_published_commitment(tmp_path):
    c = _commit()
    e = entropy()
    path = str(tmp_path / "bundle")
    write_bundle(path, c, e, draw_targets(c.frame, P, derive_seed(c, e)))
    r = _cli("verify", path, "--commitment", c.sha256.upper())
    assert r.returncode == 0
    assert r.stdout == f"OK consistent, and the commitment equals the published one: {c.sha256}\n"
    r = _cli("verify", path, "--commitment", "ab" * 32)
    assert r.returncode == 1 and r.stdout.startswith("FAIL commitment.published: ")
    r = subprocess.run(
        [sys.executable, "-I", os.path.join(ROOT, "tools", "verify_draw.py"), path, "--commitment", "ab" * 32],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1 and r.stdout.startswith("FAIL commitment.published: ")
