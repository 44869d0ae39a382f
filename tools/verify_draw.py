#!/usr/bin/env python3
"""Independent verifier for Shuangsuiji draw bundles (docs/draw-spec.md, v1).

Uses only the Python standard library and does not import the project.
Usage: python tools/verify_draw.py BUNDLE   (a directory or a .zip)
Prints OK, or the first mismatch and exits with status 1.
"""

import hashlib
import json
import os
import re
import sys
import zipfile
from fractions import Fraction

INPUTS = ("population.csv", "exclusions.csv", "params.json", "inspectors.json", "commitment.json", "entropy.json")


class Mismatch(Exception):
    pass


def H(data):
    return hashlib.sha256(data).digest()


def hx(data):
    return hashlib.sha256(data).hexdigest()


def cj(obj):
    """Canonical JSON (spec section 2.2)."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def b(s):
    return s.encode("utf-8")


def load(path):
    files = {}
    if os.path.isdir(path):
        for name in os.listdir(path):
            p = os.path.join(path, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    files[name] = f.read()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                files[name] = z.read(name)
    else:
        raise Mismatch(f"{path}: not a directory or zip file")
    return files


def need(cond, msg):
    if not cond:
        raise Mismatch(msg)


def jload(files, name):
    try:
        obj = json.loads(files[name].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Mismatch(f"{name}: not valid JSON: {exc}") from None
    need(cj(obj) == files[name], f"{name}: not canonical JSON")
    return obj


FIELD = re.compile(r'^[^\x00-\x1f\x7f,"]+$')


def csv_rows(files, name, header):
    text = files[name].decode("utf-8")
    need(text.endswith("\n") and "\r" not in text, f"{name}: lines must end with LF")
    lines = text[:-1].split("\n")
    need(lines[0] == header, f"{name}: header must be {header}")
    rows = [line.split(",") for line in lines[1:]]
    ncol = header.count(",") + 1
    prev = None
    for i, r in enumerate(rows, start=2):
        need(len(r) == ncol and all(FIELD.match(x) for x in r), f"{name}: line {i} malformed")
        need(prev is None or b(r[0]) > prev, f"{name}: line {i} not in strictly ascending id order")
        prev = b(r[0])
    return rows


def ratio(s):
    if re.match(r"^(0|[1-9][0-9]*)(\.[0-9]+)?$", s):
        r = Fraction(s)
    else:
        m = re.match(r"^(0|[1-9][0-9]*)/([1-9][0-9]*)$", s)
        need(m, f"params.json: bad ratio {s!r}")
        r = Fraction(int(m.group(1)), int(m.group(2)))
    need(r <= 1, f"params.json: ratio {s} > 1")
    return r


def sample_size(N, rule):
    r = ratio(rule["ratio"])
    n = -((-N * r.numerator) // r.denominator)
    n = max(n, rule["min"])
    if rule["max"] is not None:
        n = min(n, rule["max"])
    return min(n, N)


def ticket(seed, cid, w):
    t = H(seed + b(cid))
    for j in range(1, w):
        t = min(t, H(seed + b(cid) + b"\x00" + str(j).encode()))
    return t


def first_diff(name, exp, got):
    if exp == got:
        return None
    if isinstance(exp, dict) and isinstance(got, dict):
        for k in sorted(set(exp) | set(got)):
            if k not in exp or k not in got:
                return f"{name}.{k}: present in only one of recomputed/recorded"
            d = first_diff(f"{name}.{k}", exp[k], got[k])
            if d:
                return d
    if isinstance(exp, list) and isinstance(got, list):
        for i, (x, y) in enumerate(zip(exp, got, strict=False)):
            d = first_diff(f"{name}[{i}]", x, y)
            if d:
                return d
        return f"{name}: recomputed {len(exp)} entries, recorded {len(got)}"
    return f"{name}: recomputed {exp!r}, recorded {got!r}"


# ---------------------------------------------------------------- targets (spec 8-11)
def draw(seed, pop, params):
    by = {s: [] for s in params["strata"]}
    for cid, s, w in pop:
        need(s in by, f"population.csv: stratum {s!r} has no rule in params.json")
        by[s].append((ticket(seed, cid, int(w) if params["weighted"] else 1), b(cid), cid))
    out = {}
    for s, rule in params["strata"].items():
        cands = sorted(by[s])
        N = len(cands)
        n = sample_size(N, rule)
        k = min(n + rule["reserves"], N)
        items = [{"id": c[2], "ticket": c[0].hex()} for c in cands[:k]]
        out[s] = {
            "N": N,
            "cutoff": items[n - 1]["ticket"] if n else None,
            "n": n,
            "reserves": items[n:],
            "selected": items[:n],
        }
    return out


def replay_reserves(strata, uses):
    active = {s: [x["id"] for x in r["selected"]] for s, r in strata.items()}
    used = dict.fromkeys(strata, 0)
    for u in uses:
        s = u["stratum"]
        need(s in strata, f"result.json: reserve use in unknown stratum {s!r}")
        need(u["replaced"] in active[s], f"result.json: reserve use replaces a non-target {u['replaced']!r}")
        need(used[s] < len(strata[s]["reserves"]), f"result.json: stratum {s} has no reserve left")
        nxt = strata[s]["reserves"][used[s]]["id"]
        need(u["replacement"] == nxt, f"result.json: reserve use {u['replaced']}: replacement must be {nxt}")
        need(isinstance(u["reason"], str) and FIELD.match(u["reason"]), "result.json: reserve use needs a reason")
        used[s] += 1
        active[s][active[s].index(u["replaced"])] = nxt
    return active


# ---------------------------------------------------------------- assignment (spec 12-13)
class Assign:
    def __init__(self, ap, inspectors, seed):
        self.ap = ap
        self.K = H(b"shuangsuiji/draw/v1/assign\n" + seed)
        self.insp = {i["id"]: i for i in inspectors}
        self.load = {i["id"]: i["workload"] for i in inspectors}
        wf, wt = ap["window"]["from"], ap["window"]["to"]
        self.pools = {}
        self.stages = {}
        for dept, req in ap["departments"].items():
            for role in ("inspectors", "experts"):
                tests = [
                    (
                        "department",
                        lambda i, d=dept, r=role: i["department"] == d and i["is_expert"] == (r == "experts"),
                    ),
                    ("active", lambda i: i["active"]),
                ]
                if role == "inspectors":
                    tests += [
                        (
                            "certificate",
                            lambda i: (
                                i["cert_valid_from"] is not None
                                and i["cert_valid_to"] is not None
                                and i["cert_valid_from"] <= wf
                                and wt <= i["cert_valid_to"]
                            ),
                        ),
                        ("training", lambda i: i["trained"]),
                    ]
                tests += [
                    ("leave", lambda i: not any(p["from"] <= wt and p["to"] >= wf for p in i["leave"])),
                    ("specialties", lambda i, sp=set(req["specialties"]): sp <= set(i["specialties"])),
                ]
                pool, st = inspectors, []
                for name, f in tests:
                    pool = [i for i in pool if f(i)]
                    st.append([name, len(pool)])
                self.pools[(dept, role)] = [i["id"] for i in pool]
                self.stages[(dept, role)] = st

    def need_of(self, dept, role):
        r = self.ap["departments"][dept]
        return r["g"] if role == "inspectors" else r["experts"]

    def rank(self, iid):
        L = self.load[iid]
        return (L, H(self.K + b"\x02" + b(iid) + b"\x00" + str(L).encode()), b(iid))

    def eligible(self, target, dept, role, barred=()):
        cap = self.ap["cap"]
        st = [list(x) for x in self.stages[(dept, role)]]
        pool = [x for x in self.pools[(dept, role)] if x not in barred]
        if barred:
            st.append(["not already in group", len(pool)])
        pool = [x for x in pool if target not in self.insp[x]["conflicts"]]
        st.append(["conflict", len(pool)])
        if self.ap["rotation"]:
            pool = [x for x in pool if target not in self.insp[x]["last_inspected"]]
        st.append(["rotation", len(pool)])
        pool = [x for x in pool if cap is None or self.load[x] < cap]
        st.append(["cap", len(pool)])
        return pool, st

    def pick(self, target, dept, role, m, barred=()):
        pool, st = self.eligible(target, dept, role, barred)
        if len(pool) < m:
            failed = next(name for name, c in st if c < m)
            return None, {
                "department": dept,
                "eligible": len(pool),
                "failed": failed,
                "needed": m,
                "role": role,
                "stages": st,
                "target": target,
            }
        chosen = sorted(pool, key=self.rank)[:m]
        for x in chosen:
            self.load[x] += 1
        return chosen, None

    def target(self, t):
        groups, shorts = [], []
        for dept in sorted(self.ap["departments"], key=b):
            members, sf = self.pick(t, dept, "inspectors", self.need_of(dept, "inspectors"))
            if members is None:
                shorts.append(sf)
                continue
            experts = []
            m = self.need_of(dept, "experts")
            if m:
                e, sf = self.pick(t, dept, "experts", m)
                if e is None:
                    shorts.append(sf)
                else:
                    experts = e
            groups.append({"department": dept, "experts": experts, "inspectors": members, "target": t})
        return groups, shorts


def assignment(ap, inspectors, seed, targets, events):
    a = Assign(ap, inspectors, seed)
    k1 = a.K + b"\x01"
    order = sorted(targets, key=lambda t: (H(k1 + b(t)), b(t)))
    groups, shorts = [], []
    for t in order:
        g, s = a.target(t)
        groups += g
        shorts += s
    cur = {(g["target"], g["department"]): dict(g) for g in groups}
    barred = {}
    current_targets = set(order)
    out_events = []
    for e in events:
        kind = e.get("kind")
        if kind == "substitute":
            key = (e["target"], e["department"])
            need(key in cur, f"result.json: substitute for a group that does not exist {key}")
            g = cur[key]
            role = "inspectors" if e["replaced"] in g["inspectors"] else "experts"
            need(e["replaced"] in g[role], f"result.json: substitute: {e['replaced']} not in group {key}")
            need(isinstance(e["reason"], str) and FIELD.match(e["reason"]), "result.json: substitute needs a reason")
            a.load[e["replaced"]] -= 1
            barred.setdefault(key, set()).add(e["replaced"])
            bar = set(g["inspectors"]) | set(g["experts"]) | barred[key]
            chosen, _sf = a.pick(e["target"], e["department"], role, 1, bar)
            need(chosen is not None, f"result.json: substitute in {key} has no eligible replacement")
            g[role] = [chosen[0] if x == e["replaced"] else x for x in g[role]]
            out_events.append(
                {
                    "department": e["department"],
                    "kind": "substitute",
                    "reason": e["reason"],
                    "replaced": e["replaced"],
                    "replacement": chosen[0],
                    "role": role,
                    "target": e["target"],
                }
            )
        elif kind == "replace_target":
            need(e["old"] in current_targets, f"result.json: replace_target: {e['old']} is not a target")
            need(e["new"] not in current_targets, f"result.json: replace_target: {e['new']} already a target")
            need(
                isinstance(e["reason"], str) and FIELD.match(e["reason"]), "result.json: replace_target needs a reason"
            )
            for key in [k for k in cur if k[0] == e["old"]]:
                for x in cur[key]["inspectors"] + cur[key]["experts"]:
                    a.load[x] -= 1
                del cur[key]
            current_targets.discard(e["old"])
            current_targets.add(e["new"])
            g, s = a.target(e["new"])
            for x in g:
                cur[(x["target"], x["department"])] = dict(x)
            out_events.append(
                {
                    "groups": g,
                    "kind": "replace_target",
                    "new": e["new"],
                    "old": e["old"],
                    "reason": e["reason"],
                    "shortfalls": s,
                }
            )
        else:
            raise Mismatch(f"result.json: unknown event kind {kind!r}")
    groups.sort(key=lambda g: (b(g["target"]), b(g["department"])))
    return {"events": out_events, "groups": groups, "order": order, "shortfalls": shorts}


# ---------------------------------------------------------------- whole bundle (spec 14)
def verify(path):
    files = load(path)
    for name in (
        "population.csv",
        "exclusions.csv",
        "params.json",
        "commitment.json",
        "entropy.json",
        "result.json",
        "result.sha256",
    ):
        need(name in files, f"{name}: missing")
    need(
        files["result.sha256"] == (hx(files["result.json"]) + "\n").encode(),
        "result.sha256: does not match sha256 of result.json",
    )
    res = jload(files, "result.json")
    listed = res["files"]
    for name in sorted(set(listed) | {n for n in files if n in INPUTS}):
        need(name in files, f"{name}: listed in result.json but missing")
        need(name in listed, f"{name}: present but not listed in result.json")
        need(hx(files[name]) == listed[name], f"{name}: sha256 {hx(files[name])} != {listed[name]} in result.json")
    params = jload(files, "params.json")
    com = jload(files, "commitment.json")
    ent = jload(files, "entropy.json")
    need(params["spec"] == "v1" and com["spec"] == "v1" and res["spec"] == "v1", "spec version is not v1")
    for name, key in (
        ("population.csv", "population_sha256"),
        ("exclusions.csv", "exclusions_sha256"),
        ("params.json", "params_sha256"),
    ):
        need(com[key] == hx(files[name]), f"{name}: does not match commitment.json")
    insp_hash = hx(files["inspectors.json"]) if "inspectors.json" in files else None
    need(com["inspectors_sha256"] == insp_hash, "inspectors.json: does not match commitment.json")
    need(
        (params["assignment"] is None) == (insp_hash is None),
        "inspectors.json: must be present exactly when params.assignment is set",
    )
    need(com["draw_id"] == params["draw_id"] == res["draw_id"], "commitment.json: draw_id differs")
    need(
        res["commitment_sha256"] == hx(files["commitment.json"]),
        "result.json: commitment_sha256 != sha256(commitment.json)",
    )
    pop = csv_rows(files, "population.csv", "id,stratum,weight")
    for r in pop:
        need(re.match(r"^[1-9][0-9]*$", r[2]), f"population.csv: bad weight for {r[0]}")
    excl = csv_rows(files, "exclusions.csv", "id,reason")
    excluded = {r[0] for r in excl}
    for r in pop:
        need(r[0] not in excluded, f"population.csv: excluded id {r[0]!r} is in the population")
    # entropy and seed (spec 7)
    secret = bytes.fromhex(ent["server_secret"])
    need(len(secret) >= 16, "entropy.json: server secret shorter than 16 bytes")
    need(hx(secret) == com["server_secret_sha256"], "entropy.json: server secret does not match commitment.json")
    need(len(ent["public"]) >= 1, "entropy.json: no public entropy")
    if ent["drand"] is not None:
        d = ent["drand"]
        need(
            hx(bytes.fromhex(d["signature"])) == d["randomness"], "entropy.json: drand randomness != sha256(signature)"
        )
    seed = H(b"shuangsuiji/draw/v1/seed\n" + hx(files["commitment.json"]).encode() + b"\n" + files["entropy.json"])
    need(res["seed"] == seed.hex(), f"result.json: seed recomputed {seed.hex()}, recorded {res['seed']}")
    strata = draw(seed, pop, params)
    active = replay_reserves(strata, res["targets"]["reserve_uses"])
    exp_t = {
        "reserve_uses": res["targets"]["reserve_uses"],
        "seed": seed.hex(),
        "strata": strata,
        "weighted": params["weighted"],
    }
    d = first_diff("result.json: targets", exp_t, res["targets"])
    need(d is None, d)
    if params["assignment"] is None:
        need(res["assignment"] is None, "result.json: assignment present but params have none")
        return
    need(res["assignment"] is not None, "result.json: assignment missing")
    inspectors = jload(files, "inspectors.json")
    iids = [b(i["id"]) for i in inspectors]
    need(iids == sorted(set(iids)), "inspectors.json: not sorted by id or ids not unique")
    targets = [t for s in sorted(params["strata"], key=b) for t in (x["id"] for x in strata[s]["selected"])]
    exp_a = assignment(params["assignment"], inspectors, seed, targets, res["assignment"]["events"])
    d = first_diff("result.json: assignment", exp_a, res["assignment"])
    need(d is None, d)
    uses = {(u["replaced"], u["replacement"]) for u in res["targets"]["reserve_uses"]}
    for e in exp_a["events"]:
        if e["kind"] == "replace_target":
            need((e["old"], e["new"]) in uses, f"result.json: replace_target {e['old']}->{e['new']} has no reserve use")
    del active


def main(argv):
    if len(argv) != 2:
        print("usage: verify_draw.py BUNDLE", file=sys.stderr)
        return 2
    try:
        verify(argv[1])
    except Mismatch as exc:
        print(f"MISMATCH {exc}")
        return 1
    except (KeyError, TypeError, ValueError, IndexError, OSError) as exc:
        print(f"MISMATCH malformed bundle: {type(exc).__name__}: {exc}")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
