#!/usr/bin/env python3
"""Independent verifier for Shuangsuiji draw bundles (docs/draw-spec.md, v1.2).

Uses only the Python standard library and does not import the project.

    python tools/verify_draw.py BUNDLE [--commitment HEX]     (BUNDLE: a directory or a .zip)

Runs the checks of spec §14.1 in order and stops at the first that fails:
    FAIL <check id>: <what is wrong>                                    exit status 1
Otherwise:
    OK consistent; compare the commitment with the one published at freeze time: <hex>
(or, with --commitment and a match, "OK consistent, and the commitment equals the published
one: <hex>"), followed by a VOID line if the draw was voided.                exit status 0
Usage errors: exit status 2.
"""

import datetime
import hashlib
import json
import os
import re
import sys
import zipfile
from fractions import Fraction

REQUIRED = (
    "population.csv",
    "exclusions.csv",
    "params.json",
    "commitment.json",
    "entropy.json",
    "result.json",
    "result.sha256",
)
ALLOWED = set(REQUIRED) | {"inspectors.json", "void.json"}
INPUTS = ("population.csv", "exclusions.csv", "params.json", "inspectors.json", "commitment.json", "entropy.json")
SHA = hashlib.sha256


class Fail(Exception):
    def __init__(self, check, message):
        super().__init__(message)
        self.check = check
        self.message = message


class Step:
    """Everything that goes wrong inside a check is a failure of that check."""

    def __init__(self, check):
        self.check = check

    def __enter__(self):
        return self

    def __exit__(self, typ, exc, tb):
        if exc is None or isinstance(exc, Fail):
            return False
        if not isinstance(exc, Exception):
            return False
        raise Fail(self.check, f"{typ.__name__}: {exc}") from None


def need(cond, check, message):
    if not cond:
        raise Fail(check, message)


def hx(data):
    return SHA(data).hexdigest()


def b(s):
    return s.encode("utf-8")


def cj(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- value rules (spec 2.1)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
FIELD = re.compile(r'[^\x00-\x1f\x7f,"]+')
HEX64 = re.compile(r"[0-9a-f]{64}")
HEXBYTES = re.compile(r"(?:[0-9a-f]{2})+")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_int(x, lo):
    return type(x) is int and x >= lo


def is_text(x):
    if type(x) is not str or CONTROL.search(x):
        return False
    try:
        x.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_field(x):
    return is_text(x) and FIELD.fullmatch(x) is not None


def is_hex64(x):
    return type(x) is str and HEX64.fullmatch(x) is not None


def is_date(x):
    if type(x) is not str or not DATE.fullmatch(x):
        return False
    try:
        datetime.date(int(x[:4]), int(x[5:7]), int(x[8:]))
    except ValueError:
        return False
    return True


def sorted_texts(xs):
    if type(xs) is not list or not all(is_text(x) for x in xs):
        return False
    k = [b(x) for x in xs]
    return all(k[i] < k[i + 1] for i in range(len(k) - 1))


def keys_are(obj, *names):
    return type(obj) is dict and set(obj) == set(names)


# ---------------------------------------------------------------- files (spec 2.2, 2.3, 14)
def load(path):
    files = {}
    if os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            p = os.path.join(path, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    files[name] = f.read()
            else:
                files[name] = b""
        return files
    need(os.path.isfile(path) and zipfile.is_zipfile(path), "bundle.read", f"{path}: not a directory or zip file")
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            need(info.filename not in files, "bundle.read", f"zip entry {info.filename!r} appears twice")
            files[info.filename] = b"" if info.filename.endswith("/") else z.read(info)
    return files


def no_float(text):
    raise ValueError(f"floating point number {text}")


# In canonical bytes a control character can only appear escaped (\b \f \n \r \t \u00XX) or as a
# raw DEL byte; an escape starts after an even run of backslashes.
ESCAPED_CONTROL = re.compile(rb"(\\+)(?:[bfnrt]|u00)")


def has_control(data):
    if b"\x7f" in data:
        return True
    return any(len(m.group(1)) % 2 for m in ESCAPED_CONTROL.finditer(data))


def canonical(files, name, check):
    """Spec 2.2: UTF-8 JSON without floats or control characters, in canonical form."""
    data = files[name]
    obj = json.loads(data.decode("utf-8"), parse_float=no_float, parse_constant=no_float)
    need(cj(obj) == data, check, f"{name}: not canonical JSON")
    need(not has_control(data), check, f"{name}: control character in a string")
    return obj


def csv_lines(data, header, ncol, name, check):
    text = data.decode("utf-8")
    need(text.endswith("\n") and "\r" not in text, check, f"{name}: lines must end with LF, no CR")
    need(text.startswith(header + "\n"), check, f"{name}: header must be {header}")
    f = r'[^\x00-\x1f\x7f,"]+'
    shape = re.compile("(?:" + ",".join([f] * ncol) + r"\n)*")
    if not shape.fullmatch(text, len(header) + 1):
        for i, line in enumerate(text[:-1].split("\n")[1:], start=2):
            r = line.split(",")
            need(len(r) == ncol and all(is_field(x) for x in r), check, f"{name}: line {i} malformed")
    return data[len(header) + 1 : -1]  # the records, as bytes (valid UTF-8: decoded above)


def columns(body, ncol):
    flat = body.replace(b"\n", b",").split(b",") if body else []
    return [flat[k::ncol] for k in range(ncol)]


def ascending(ids, name, check):
    # ids as UTF-8 bytes: compared bytewise, as the spec orders them
    if not all(map(bytes.__lt__, ids, ids[1:])):
        i = next(k for k in range(1, len(ids)) if not ids[k - 1] < ids[k])
        raise Fail(check, f"{name}: line {i + 2} not in strictly ascending id order")


def ratio_ok(s):
    if re.fullmatch(r"(0|[1-9][0-9]*)(\.[0-9]+)?", s):
        return Fraction(s) <= 1
    m = re.fullmatch(r"(0|[1-9][0-9]*)/([1-9][0-9]*)", s)
    return m is not None and int(m.group(1)) <= int(m.group(2))


def sample_size(N, rule):
    r = Fraction(rule["ratio"]) if "/" not in rule["ratio"] else Fraction(*map(int, rule["ratio"].split("/")))
    n = -((-N * r.numerator) // r.denominator)
    n = max(n, rule["min"])
    if rule["max"] is not None:
        n = min(n, rule["max"])
    return min(n, N)


def json_diff(name, exp, got):
    """None if both have the same canonical JSON (1 and true differ), else the first difference."""
    if cj(exp) == cj(got):
        return None
    return first_diff(name, exp, got) or f"{name}: recomputed and recorded differ"


def first_diff(name, exp, got):
    """First difference, JSON types included (1 and true differ)."""
    if type(exp) is dict and type(got) is dict:
        for k in sorted(set(exp) | set(got)):
            if k not in exp or k not in got:
                return f"{name}.{k}: present in only one of recomputed/recorded"
            d = first_diff(f"{name}.{k}", exp[k], got[k])
            if d:
                return d
        return None
    if type(exp) is list and type(got) is list:
        for i in range(min(len(exp), len(got))):
            d = first_diff(f"{name}[{i}]", exp[i], got[i])
            if d:
                return d
        return None if len(exp) == len(got) else f"{name}: recomputed {len(exp)} entries, recorded {len(got)}"
    if type(exp) is type(got) and exp == got:
        return None
    return f"{name}: recomputed {exp!r}, recorded {got!r}"


# ---------------------------------------------------------------- schemas (spec 4, 6, 7.1, 12.2)
def params_problem(p):
    if not keys_are(p, "assignment", "draw_id", "meta", "spec", "strata", "weighted"):
        return "params.json: wrong set of keys"
    if p["spec"] != "v1" or not is_field(p["draw_id"]):
        return "params.json: spec must be v1 and draw_id a CSV field"
    if type(p["strata"]) is not dict or not p["strata"]:
        return "params.json: strata must be a non-empty object"
    for s, r in p["strata"].items():
        if not is_field(s) or not keys_are(r, "max", "min", "ratio", "reserves"):
            return f"params.json: stratum {s!r}: bad key or rule keys"
        if type(r["ratio"]) is not str or not is_int(r["min"], 0) or not is_int(r["reserves"], 0):
            return f"params.json: stratum {s!r}: ratio must be a string, min and reserves integers >= 0"
        if not (r["max"] is None or is_int(r["max"], 0)):
            return f"params.json: stratum {s!r}: max must be null or an integer >= 0"
    if type(p["weighted"]) is not bool:
        return "params.json: weighted must be a boolean"
    if type(p["meta"]) is not dict or any(type(v) is not str for v in p["meta"].values()):
        return "params.json: meta must be an object of strings"
    a = p["assignment"]
    if a is None:
        return None
    if not keys_are(a, "cap", "departments", "rotation", "window"):
        return "params.json: assignment: wrong set of keys"
    if not (a["cap"] is None or is_int(a["cap"], 1)) or type(a["rotation"]) is not bool:
        return "params.json: assignment: cap must be null or an integer >= 1, rotation a boolean"
    w = a["window"]
    if not keys_are(w, "from", "to") or type(w["from"]) is not str or type(w["to"]) is not str:
        return "params.json: assignment.window must be {from, to} strings"
    if type(a["departments"]) is not dict or not a["departments"]:
        return "params.json: assignment.departments must be a non-empty object"
    for d, q in a["departments"].items():
        if not is_field(d) or not keys_are(q, "experts", "g", "specialties"):
            return f"params.json: department {d!r}: bad name or keys (g is required)"
        if not is_int(q["g"], 1) or not is_int(q["experts"], 0) or not sorted_texts(q["specialties"]):
            return f"params.json: department {d!r}: g >= 1, experts >= 0, specialties strictly ascending"
    return None


def inspectors_problem(xs):
    if type(xs) is not list:
        return "inspectors.json must be an array"
    names = (
        "active",
        "cert_valid_from",
        "cert_valid_to",
        "conflicts",
        "department",
        "id",
        "is_expert",
        "last_inspected",
        "leave",
        "specialties",
        "trained",
        "workload",
    )
    prev = None
    for k, i in enumerate(xs):
        if not keys_are(i, *names):
            return f"inspectors.json: [{k}]: wrong set of keys"
        if not is_field(i["id"]) or not is_field(i["department"]):
            return f"inspectors.json: [{k}]: id and department must be CSV fields"
        if any(type(i[n]) is not bool for n in ("active", "is_expert", "trained")):
            return f"inspectors.json: {i['id']}: active, is_expert, trained must be booleans"
        if any(not (i[n] is None or type(i[n]) is str) for n in ("cert_valid_from", "cert_valid_to")):
            return f"inspectors.json: {i['id']}: certificate dates must be null or strings"
        if not all(sorted_texts(i[n]) for n in ("conflicts", "last_inspected", "specialties")):
            return f"inspectors.json: {i['id']}: lists must be strictly ascending strings"
        lv = i["leave"]
        if type(lv) is not list or not all(
            keys_are(x, "from", "to") and type(x["from"]) is str and type(x["to"]) is str for x in lv
        ):
            return f"inspectors.json: {i['id']}: leave must be [{{from, to}}] strings"
        if not is_int(i["workload"], 0):
            return f"inspectors.json: {i['id']}: workload must be an integer >= 0"
        if prev is not None and b(i["id"]) <= prev:
            return f"inspectors.json: [{k}]: ids not strictly ascending"
        prev = b(i["id"])
    return None


def inspector_dates_problem(xs):
    for i in xs:
        for n in ("cert_valid_from", "cert_valid_to"):
            if i[n] is not None and not is_date(i[n]):
                return f"inspectors.json: {i['id']}: {n} is not a valid date"
        pairs = [(x["from"], x["to"]) for x in i["leave"]]
        for f, t in pairs:
            if not (is_date(f) and is_date(t)):
                return f"inspectors.json: {i['id']}: leave {f!r}..{t!r}: not valid dates"
            if t < f:
                return f"inspectors.json: {i['id']}: leave {f}..{t} ends before it starts"
        if pairs != sorted(pairs):
            return f"inspectors.json: {i['id']}: leave periods not sorted by (from, to)"
    return None


def commitment_problem(c):
    names = (
        "draw_id",
        "exclusions_sha256",
        "inspectors_sha256",
        "nonce",
        "params_sha256",
        "population_sha256",
        "server_secret_sha256",
        "spec",
    )
    if not keys_are(c, *names):
        return "commitment.json: wrong set of keys"
    if c["spec"] != "v1" or not is_field(c["draw_id"]) or not is_field(c["nonce"]):
        return "commitment.json: spec must be v1, draw_id and nonce CSV fields"
    hashes = ("exclusions_sha256", "params_sha256", "population_sha256", "server_secret_sha256")
    if not all(is_hex64(c[k]) for k in hashes):
        return "commitment.json: hashes must be 64 lowercase hex digits"
    if not (c["inspectors_sha256"] is None or is_hex64(c["inspectors_sha256"])):
        return "commitment.json: inspectors_sha256 must be null or 64 lowercase hex digits"
    return None


def entropy_problem(e):
    if not keys_are(e, "drand", "public", "server_secret"):
        return "entropy.json: wrong set of keys"
    s = e["server_secret"]
    if type(s) is not str or not HEXBYTES.fullmatch(s) or len(s) < 32:
        return "entropy.json: server_secret must be lowercase hex, at least 16 bytes"
    if type(e["public"]) is not list or not e["public"]:
        return "entropy.json: at least one public entry"
    for k, x in enumerate(e["public"]):
        if not keys_are(x, "kind", "source", "value") or not is_field(x["kind"]):
            return f"entropy.json: public[{k}]: keys kind, source, value; kind a CSV field"
        if not (is_text(x["source"]) and is_text(x["value"]) and x["source"] and x["value"]):
            return f"entropy.json: public[{k}]: source and value must be non-empty strings"
    d = e["drand"]
    if d is None:
        return None
    if not keys_are(d, "randomness", "round", "signature") or not is_int(d["round"], 1):
        return "entropy.json: drand: keys randomness, round (>= 1), signature"
    if not is_hex64(d["randomness"]) or type(d["signature"]) is not str or not HEXBYTES.fullmatch(d["signature"]):
        return "entropy.json: drand randomness (64 hex) and signature (hex) must be lowercase hex"
    return None


def result_problem(r):
    if not keys_are(r, "assignment", "commitment_sha256", "draw_id", "files", "seed", "spec", "targets"):
        return "result.json: wrong set of keys"
    if r["spec"] != "v1" or any(type(r[k]) is not str for k in ("commitment_sha256", "draw_id", "seed")):
        return "result.json: spec must be v1; commitment_sha256, draw_id, seed strings"
    t = r["targets"]
    if not keys_are(t, "reserve_uses", "seed", "strata", "weighted") or type(t["reserve_uses"]) is not list:
        return "result.json: targets: wrong set of keys"
    a = r["assignment"]
    if a is not None and not (
        keys_are(a, "events", "groups", "order", "shortfalls") and all(type(v) is list for v in a.values())
    ):
        return "result.json: assignment: null or the arrays events, groups, order, shortfalls"
    return None


def void_problem(v):
    if type(v) is not dict or not {"reason", "result_sha256"} <= set(v) <= {"at", "reason", "result_sha256"}:
        return "void.json: keys reason, result_sha256 and optionally at"
    if not is_text(v["reason"]) or not v["reason"]:
        return "void.json: reason must be a non-empty string"
    if not is_hex64(v["result_sha256"]):
        return "void.json: result_sha256 must be 64 lowercase hex digits"
    if "at" in v:
        at = v["at"]
        if type(at) is not str or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z", at):
            return "void.json: at must be YYYY-MM-DDTHH:MM:SSZ"
        try:
            datetime.datetime(int(at[:4]), int(at[5:7]), int(at[8:10]), int(at[11:13]), int(at[14:16]), int(at[17:19]))
        except ValueError:
            return "void.json: at is not a valid time"
    return None


# ---------------------------------------------------------------- targets (spec 5, 8, 9)
def smallest(tickets, ids, k):
    """The k smallest (ticket, id) in order. Tickets are uniform, so a sorted sample of every
    16th ticket gives a bound a little above the k-th smallest; only the pairs under the bound
    are sorted (exact: when fewer than k fall under it, everything is sorted)."""
    if k <= 0:
        return []
    sample = sorted(tickets[::16])
    pos = (k + 15) // 16 + 8 + int(2 * (k / 16) ** 0.5)
    if pos < len(sample):
        bound = sample[pos]
        under = [(t, c) for t, c in zip(tickets, ids) if t <= bound]  # noqa: B905
        if len(under) >= k:
            by_ticket = dict(under)
            if len(by_ticket) == len(under):  # no two equal tickets: sorting the tickets is enough
                return [(t, by_ticket[t]) for t in sorted(by_ticket)[:k]]
            under.sort()  # equal tickets are ordered by the id (code point = UTF-8 byte order)
            return under[:k]
    return sorted(zip(tickets, ids))[:k]  # noqa: B905


def draw(seed, ids, stra, wts, params):
    """Spec 5, 8, 9 over the columns of population.csv (ids, strata, weights as UTF-8 bytes)."""
    by = {b(s): [] for s in params["strata"]}
    if params["weighted"]:
        for c, s, w in zip(ids, stra, wts):  # noqa: B905 (equal lengths; Python < 3.10 has no strict)
            by[s].append((c, int(w)))
    else:
        for c, s in zip(ids, stra):  # noqa: B905
            by[s].append(c)
    out = {}
    for s, rule in params["strata"].items():
        members = by[b(s)]
        N = len(members)
        n = sample_size(N, rule)
        k = min(n + rule["reserves"], N)
        if params["weighted"]:
            sid = [c for c, _ in members]
            tickets = []
            for e, w in members:
                t = SHA(seed + e).digest()
                for m in range(1, w):
                    u = SHA(seed + e + b"\x00" + str(m).encode()).digest()
                    if u < t:
                        t = u
                tickets.append(t)
        else:
            sid = members
            tickets = [SHA(seed + e).digest() for e in sid]
        head = smallest(tickets, sid, k)  # (ticket, id bytes): equal tickets ordered bytewise by id
        items = [{"id": c.decode("utf-8"), "ticket": t.hex()} for t, c in head]
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
        c = "result.reserve_uses"
        need(keys_are(u, "reason", "replaced", "replacement", "stratum"), c, "reserve use: wrong set of keys")
        s = u["stratum"]
        need(is_field(u["reason"]), c, "reserve use: reason must be a CSV field")
        need(type(s) is str and s in strata, c, f"reserve use in unknown stratum {s!r}")
        need(type(u["replaced"]) is str and u["replaced"] in active[s], c, f"{u['replaced']!r} is not a target")
        need(used[s] < len(strata[s]["reserves"]), c, f"stratum {s} has no reserve left")
        nxt = strata[s]["reserves"][used[s]]["id"]
        need(type(u["replacement"]) is str and u["replacement"] == nxt, c, f"replacement must be {nxt}")
        used[s] += 1
        active[s][active[s].index(u["replaced"])] = nxt


# ---------------------------------------------------------------- assignment (spec 12, 13)
class Assign:
    def __init__(self, ap, inspectors, seed):
        self.ap = ap
        self.K = SHA(b"shuangsuiji/draw/v1/assign\n" + seed).digest()
        self.insp = {i["id"]: i for i in inspectors}
        self.load = {i["id"]: i["workload"] for i in inspectors}
        wf, wt = ap["window"]["from"], ap["window"]["to"]
        self.pools, self.stages = {}, {}
        for dept, req in ap["departments"].items():
            sp = set(req["specialties"])
            for role in ("inspectors", "experts"):
                tests = [
                    (
                        "department",
                        lambda i, d=dept, x=(role == "experts"): i["department"] == d and i["is_expert"] == x,
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
                    ("specialties", lambda i, sp=sp: sp <= set(i["specialties"])),
                ]
                pool, st = inspectors, []
                for name, f in tests:
                    pool = [i for i in pool if f(i)]
                    st.append([name, len(pool)])
                self.pools[(dept, role)] = [i["id"] for i in pool]
                self.stages[(dept, role)] = st

    def rank(self, iid):
        L = self.load[iid]
        return (L, SHA(self.K + b"\x02" + b(iid) + b"\x00" + str(L).encode()).digest(), b(iid))

    def pick(self, target, dept, role, m, barred=None):
        cap = self.ap["cap"]
        st = [list(x) for x in self.stages[(dept, role)]]
        pool = self.pools[(dept, role)]
        if barred is not None:
            pool = [x for x in pool if x not in barred]
            st.append(["not already in group", len(pool)])
        pool = [x for x in pool if target not in self.insp[x]["conflicts"]]
        st.append(["conflict", len(pool)])
        if self.ap["rotation"]:
            pool = [x for x in pool if target not in self.insp[x]["last_inspected"]]
        st.append(["rotation", len(pool)])
        pool = [x for x in pool if cap is None or self.load[x] < cap]
        st.append(["cap", len(pool)])
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
            req = self.ap["departments"][dept]
            members, sf = self.pick(t, dept, "inspectors", req["g"])
            if members is None:
                shorts.append(sf)
                continue
            experts = []
            if req["experts"]:
                e, sf = self.pick(t, dept, "experts", req["experts"])
                if e is None:
                    shorts.append(sf)
                else:
                    experts = e
            groups.append({"department": dept, "experts": experts, "inspectors": members, "target": t})
        return groups, shorts


def initial_assignment(ap, inspectors, seed, targets):
    a = Assign(ap, inspectors, seed)
    k1 = a.K + b"\x01"
    order = sorted(targets, key=lambda t: (SHA(k1 + b(t)).digest(), b(t)))
    groups, shorts = [], []
    for t in order:
        g, s = a.target(t)
        groups += g
        shorts += s
    cur = {
        (g["target"], g["department"]): {"inspectors": list(g["inspectors"]), "experts": list(g["experts"])}
        for g in groups
    }
    groups.sort(key=lambda g: (b(g["target"]), b(g["department"])))
    return a, cur, {"groups": groups, "order": order, "shortfalls": shorts}


def replay_events(a, cur, order, events):
    c = "result.events"
    removed = {}
    current = set(order)
    out = []
    for e in events:
        need(type(e) is dict, c, "an event must be an object")
        kind = e.get("kind")
        if kind == "substitute_person":  # spec 13.3: one person, all their groups of a department
            need(set(e) == {"department", "kind", "reason", "replaced", "substitutions"}, c, "substitute_person: keys")
            dept, x = e["department"], e["replaced"]
            need(type(dept) is str and type(x) is str, c, "substitute_person: bad department or replaced")
            need(is_field(e["reason"]), c, "substitute_person: reason must be a CSV field")
            keys = sorted(
                (k for k, g in cur.items() if k[1] == dept and x in g["inspectors"] + g["experts"]),
                key=lambda k: b(k[0]),
            )
            need(keys, c, f"substitute_person: {x} is in no group of {dept}")
            subs = []
            for key in keys:
                g = cur[key]
                role = "inspectors" if x in g["inspectors"] else "experts"
                a.load[x] -= 1
                removed.setdefault(key, set()).add(x)
                bar = set(g["inspectors"]) | set(g["experts"]) | removed[key]
                chosen, _ = a.pick(key[0], dept, role, 1, bar)
                need(chosen is not None, c, f"substitute_person in {key}: nobody eligible")
                g[role] = [chosen[0] if y == x else y for y in g[role]]
                subs.append({"replacement": chosen[0], "role": role, "target": key[0]})
            out.append(
                {
                    "department": dept,
                    "kind": "substitute_person",
                    "reason": e["reason"],
                    "replaced": x,
                    "substitutions": subs,
                }
            )
        elif kind == "substitute":
            key = (e["target"], e["department"])
            need(type(e["target"]) is str and type(e["department"]) is str, c, "substitute: bad target or department")
            need(key in cur, c, f"substitute: no group {key}")
            g = cur[key]
            x = e["replaced"]
            need(type(x) is str, c, "substitute: replaced must be a string")
            role = "inspectors" if x in g["inspectors"] else "experts"
            need(x in g[role], c, f"substitute: {x} is not in the group {key}")
            need(is_field(e["reason"]), c, "substitute: reason must be a CSV field")
            a.load[x] -= 1
            removed.setdefault(key, set()).add(x)
            bar = set(g["inspectors"]) | set(g["experts"]) | removed[key]
            chosen, _ = a.pick(e["target"], e["department"], role, 1, bar)
            need(chosen is not None, c, f"substitute in {key}: nobody eligible")
            g[role] = [chosen[0] if y == x else y for y in g[role]]
            out.append(
                {
                    "department": e["department"],
                    "kind": "substitute",
                    "reason": e["reason"],
                    "replaced": x,
                    "replacement": chosen[0],
                    "role": role,
                    "target": e["target"],
                }
            )
        elif kind == "replace_target":
            old, new = e["old"], e["new"]
            need(is_field(e["reason"]) and is_field(new) and type(old) is str, c, "replace_target: bad old/new/reason")
            need(old in current, c, f"replace_target: {old} is not a current target")
            need(new not in current, c, f"replace_target: {new} is already a target")
            for key in [k for k in cur if k[0] == old]:
                for y in cur[key]["inspectors"] + cur[key]["experts"]:
                    a.load[y] -= 1
                del cur[key]
            current.discard(old)
            current.add(new)
            g, s = a.target(new)
            for x in g:
                cur[(x["target"], x["department"])] = {
                    "inspectors": list(x["inspectors"]),
                    "experts": list(x["experts"]),
                }
            out.append(
                {"groups": g, "kind": "replace_target", "new": new, "old": old, "reason": e["reason"], "shortfalls": s}
            )
        else:
            raise Fail(c, f"unknown event kind {kind!r}")
    return out


# ---------------------------------------------------------------- the procedure (spec 14.1)
def verify(path, published=None):
    """Returns (commitment hex, void info or None); raises Fail(check, message)."""
    with Step("bundle.read"):
        files = load(path)
    with Step("bundle.files"):
        missing = [n for n in REQUIRED if n not in files]
        need(not missing, "bundle.files", "missing " + ", ".join(missing))
        extra = sorted(n for n in files if n not in ALLOWED)
        need(not extra, "bundle.files", "not a bundle file: " + ", ".join(extra))
    commit_hex = hx(files["commitment.json"])
    if published is not None:
        with Step("commitment.published"):
            need(
                published.strip().lower() == commit_hex,
                "commitment.published",
                f"sha256(commitment.json) is {commit_hex}, the published commitment is {published}",
            )
    with Step("result.sha256"):
        need(files["result.sha256"] == (hx(files["result.json"]) + "\n").encode(), "result.sha256", "does not match")
    with Step("result.canonical"):
        res = canonical(files, "result.json", "result.canonical")
    with Step("result.files"):
        listed = res["files"]
        need(type(listed) is dict, "result.files", "result.files must be an object")
        present = {n for n in files if n in INPUTS}
        need(set(listed) == present, "result.files", f"result.files must list exactly {sorted(present)}")
        for n in sorted(present):
            need(listed[n] == hx(files[n]), "result.files", f"{n}: sha256 {hx(files[n])} != {listed[n]!r}")
    with Step("params.canonical"):
        params = canonical(files, "params.json", "params.canonical")
    with Step("params.schema"):
        msg = params_problem(params)
        need(msg is None, "params.schema", msg)
    strata = params["strata"]
    with Step("params.ratio"):
        for s, r in strata.items():
            need(ratio_ok(r["ratio"]), "params.ratio", f"stratum {s}: ratio {r['ratio']!r}")
    with Step("params.bounds"):
        for s, r in strata.items():
            need(r["max"] is None or r["max"] >= r["min"], "params.bounds", f"stratum {s}: max < min")
    with Step("params.window"):
        ap = params["assignment"]
        if ap is not None:
            w = ap["window"]
            need(is_date(w["from"]) and is_date(w["to"]), "params.window", "window: not valid dates")
            need(w["from"] <= w["to"], "params.window", "window: to before from")
    with Step("population.canonical"):
        body = csv_lines(files["population.csv"], "id,stratum,weight", 3, "population.csv", "population.canonical")
        ids, stra, wts = columns(body, 3)
        ascending(ids, "population.csv", "population.canonical")
        bad = [w for w in set(wts) if not re.fullmatch(rb"[1-9][0-9]*", w)]
        need(not bad, "population.canonical", f"population.csv: bad weight {bad[:1]}")
    with Step("population.strata"):
        unknown = set(stra) - {b(s) for s in strata}
        need(not unknown, "population.strata", f"strata without a rule: {sorted(x.decode() for x in unknown)}")
    with Step("exclusions.canonical"):
        ebody = csv_lines(files["exclusions.csv"], "id,reason", 2, "exclusions.csv", "exclusions.canonical")
        excluded = columns(ebody, 2)[0]
        ascending(excluded, "exclusions.csv", "exclusions.canonical")
    with Step("exclusions.disjoint"):
        both = set(excluded).intersection(ids) if excluded else set()
        need(not both, "exclusions.disjoint", f"excluded ids in the population: {sorted(both)[:3]}")
    with Step("inspectors.present"):
        need(
            ("inspectors.json" in files) == (ap is not None),
            "inspectors.present",
            "inspectors.json must be present exactly when params.assignment is not null",
        )
    inspectors = None
    if "inspectors.json" in files:
        with Step("inspectors.canonical"):
            inspectors = canonical(files, "inspectors.json", "inspectors.canonical")
        with Step("inspectors.schema"):
            msg = inspectors_problem(inspectors)
            need(msg is None, "inspectors.schema", msg)
        with Step("inspectors.dates"):
            msg = inspector_dates_problem(inspectors)
            need(msg is None, "inspectors.dates", msg)
    with Step("commitment.canonical"):
        com = canonical(files, "commitment.json", "commitment.canonical")
    with Step("commitment.schema"):
        msg = commitment_problem(com)
        need(msg is None, "commitment.schema", msg)
    with Step("commitment.draw_id"):
        need(com["draw_id"] == params["draw_id"], "commitment.draw_id", "draw_id differs from params.json")
    with Step("commitment.hashes"):
        for n, k in (
            ("population.csv", "population_sha256"),
            ("exclusions.csv", "exclusions_sha256"),
            ("params.json", "params_sha256"),
            ("inspectors.json", "inspectors_sha256"),
        ):
            actual = hx(files[n]) if n in files else None
            need(com[k] == actual, "commitment.hashes", f"{k} != sha256({n})")
    with Step("entropy.canonical"):
        ent = canonical(files, "entropy.json", "entropy.canonical")
    with Step("entropy.schema"):
        msg = entropy_problem(ent)
        need(msg is None, "entropy.schema", msg)
    with Step("entropy.secret"):
        need(
            hx(bytes.fromhex(ent["server_secret"])) == com["server_secret_sha256"],
            "entropy.secret",
            "server secret does not match commitment.server_secret_sha256",
        )
    with Step("entropy.drand"):
        d = ent["drand"]
        if d is not None:
            need(
                hx(bytes.fromhex(d["signature"])) == d["randomness"], "entropy.drand", "randomness != sha256(signature)"
            )
    with Step("result.schema"):
        msg = result_problem(res)
        need(msg is None, "result.schema", msg)
    with Step("result.draw_id"):
        need(res["draw_id"] == params["draw_id"], "result.draw_id", "draw_id differs from params.json")
    with Step("result.commitment"):
        need(
            res["commitment_sha256"] == commit_hex, "result.commitment", "commitment_sha256 != sha256(commitment.json)"
        )
    seed = SHA(b"shuangsuiji/draw/v1/seed\n" + commit_hex.encode() + b"\n" + files["entropy.json"]).digest()
    with Step("result.seed"):
        need(res["seed"] == seed.hex(), "result.seed", f"seed recomputed {seed.hex()}, recorded {res['seed']}")
    rt = res["targets"]
    with Step("result.targets"):
        drawn = draw(seed, ids, stra, wts, params)
        exp = {"seed": seed.hex(), "strata": drawn, "weighted": params["weighted"]}
        got = {k: v for k, v in rt.items() if k != "reserve_uses"}
        # == is exact for strings and lists of {id, ticket} strings; it takes 1 for true, so the
        # types of the other scalars are checked too
        same = exp == got and type(got["weighted"]) is bool
        same = same and all(type(r["N"]) is int and type(r["n"]) is int for r in got["strata"].values())
        if not same:
            d = first_diff("targets", exp, got) or "targets: recomputed and recorded differ"
            raise Fail("result.targets", d)
    with Step("result.reserve_uses"):
        replay_reserves(drawn, rt["reserve_uses"])
    ra = res["assignment"]
    with Step("result.assignment"):
        need((ra is None) == (ap is None), "result.assignment", "must be null exactly when params.assignment is null")
        if ra is not None:
            targets = [x["id"] for s in sorted(strata, key=b) for x in drawn[s]["selected"]]
            a, cur, exp = initial_assignment(ap, inspectors, seed, targets)
            d = json_diff("assignment", exp, {k: v for k, v in ra.items() if k != "events"})
            need(d is None, "result.assignment", d)
    if ra is not None:
        with Step("result.events"):
            events = replay_events(a, cur, exp["order"], ra["events"])
            d = json_diff("assignment.events", events, ra["events"])
            need(d is None, "result.events", d)
        with Step("result.reserve_match"):
            reps = [(e["old"], e["new"], e["reason"]) for e in events if e["kind"] == "replace_target"]
            uses = [(u["replaced"], u["replacement"], u["reason"]) for u in rt["reserve_uses"]]
            need(reps == uses, "result.reserve_match", "replace_target events must match the reserve uses in order")
    void = None
    if "void.json" in files:
        with Step("void.canonical"):
            v = canonical(files, "void.json", "void.canonical")
        with Step("void.schema"):
            msg = void_problem(v)
            need(msg is None, "void.schema", msg)
        with Step("void.result_sha256"):
            need(v["result_sha256"] == hx(files["result.json"]), "void.result_sha256", "!= sha256(result.json)")
        void = {
            "at": v.get("at"),
            "reason": v["reason"],
            "result_sha256": v["result_sha256"],
            "reserve_uses": len(rt["reserve_uses"]),
            "events": 0 if ra is None else len(ra["events"]),
        }
    return commit_hex, void


def report(path, published=None):
    """(ok, check or None, lines to print)."""
    import gc

    was = gc.isenabled()
    gc.disable()  # millions of small objects, no cycles: spare the collector's full scans
    try:
        commit_hex, void = verify(path, published)
    except Fail as exc:
        return False, exc.check, [f"FAIL {exc.check}: {exc.message}"]
    except Exception as exc:  # never crash: a failure outside any check is a read failure
        return False, "bundle.read", [f"FAIL bundle.read: {type(exc).__name__}: {exc}"]
    finally:
        if was:
            gc.enable()
    if published is not None:
        lines = [f"OK consistent, and the commitment equals the published one: {commit_hex}"]
    else:
        lines = [f"OK consistent; compare the commitment with the one published at freeze time: {commit_hex}"]
    if void is not None:
        when = void["at"] or "not recorded in the bundle (see the platform's audit trail)"
        lines.append(
            f"VOID this draw was voided; when: {when}; why: {void['reason']}; "
            f"which result: result.json sha256 {void['result_sha256']} "
            f"({void['reserve_uses']} reserve uses, {void['events']} assignment events)"
        )
    return True, None, lines


def main(argv):
    import argparse

    ap = argparse.ArgumentParser(prog="verify_draw.py", description="Verify a Shuangsuiji draw bundle (spec v1.2).")
    ap.add_argument("bundle", help="bundle directory or .zip")
    ap.add_argument("--commitment", help="the commitment hash published at freeze time (64 hex digits)")
    a = ap.parse_args(argv[1:])
    ok, _, lines = report(a.bundle, a.commitment)
    for line in lines:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
