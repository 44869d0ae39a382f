"""Bundle verification (spec v1.1, section 14.1): the checks, in order, with their identifiers.

`verify(path, commitment=None)` runs the checks of `CHECKS` in that order and stops at the
first one that fails. Every check is a block: whatever goes wrong inside it (a missing key,
a wrong type, a refused replay) is a failure *of that check*, so the verdict never depends
on how a verifier happens to crash. `tools/verify_draw.py` implements the same list
independently (standard library only); the conformance suite (`conformance/`) and the
property tests hold the two to identical verdicts.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import os
import re
import zipfile
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .canonical import SPEC_VERSION, sha256_hex

# The checks of spec §14.1, in the order they run. The identifiers are part of the spec.
CHECKS = (
    "bundle.read",
    "bundle.files",
    "commitment.published",
    "result.sha256",
    "result.canonical",
    "result.files",
    "params.canonical",
    "params.schema",
    "params.ratio",
    "params.bounds",
    "params.window",
    "population.canonical",
    "population.strata",
    "exclusions.canonical",
    "exclusions.disjoint",
    "inspectors.present",
    "inspectors.canonical",
    "inspectors.schema",
    "inspectors.dates",
    "commitment.canonical",
    "commitment.schema",
    "commitment.draw_id",
    "commitment.hashes",
    "entropy.canonical",
    "entropy.schema",
    "entropy.secret",
    "entropy.drand",
    "result.schema",
    "result.draw_id",
    "result.commitment",
    "result.seed",
    "result.targets",
    "result.reserve_uses",
    "result.assignment",
    "result.events",
    "result.reserve_match",
    "void.canonical",
    "void.schema",
    "void.result_sha256",
)

REQUIRED = (
    "population.csv",
    "exclusions.csv",
    "params.json",
    "commitment.json",
    "entropy.json",
    "result.json",
    "result.sha256",
)
ALLOWED = frozenset(REQUIRED) | {"inspectors.json", "void.json"}
INPUTS = ("population.csv", "exclusions.csv", "params.json", "inspectors.json", "commitment.json", "entropy.json")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_FIELD = re.compile(r'[\x00-\x1f\x7f,"]')
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEXBYTES = re.compile(r"(?:[0-9a-f]{2})+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEIGHT = re.compile(r"[1-9][0-9]*")
_DECIMAL = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")
_RATIONAL = re.compile(r"(0|[1-9][0-9]*)/([1-9][0-9]*)")
_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


class CheckFailed(Exception):
    def __init__(self, check: str, message: str) -> None:
        super().__init__(f"{check}: {message}")
        self.check = check
        self.message = message


@dataclass
class Report:
    """Outcome of `verify`. `ok` is the verdict; on failure `check` is the first failing check."""

    ok: bool
    check: str | None = None
    message: str = ""
    commitment_sha256: str | None = None
    published: bool = False  # True when --commitment was given and matched
    void: dict | None = None  # {"reason", "result_sha256", "at" (or None), "events", "reserve_uses"}

    @property
    def verdict(self) -> str:
        return "OK" if self.ok else "FAIL"

    def lines(self) -> list[str]:
        """What the command line prints (spec §14.2)."""
        if not self.ok:
            return [f"FAIL {self.check}: {self.message}"]
        if self.published:
            out = [f"OK consistent, and the commitment equals the published one: {self.commitment_sha256}"]
        else:
            out = [
                f"OK consistent; compare the commitment with the one published at freeze time: {self.commitment_sha256}"
            ]
        if self.void is not None:
            out.append(void_line(self.void))
        return out


def void_line(v: Mapping[str, Any]) -> str:
    when = v.get("at") or "not recorded in the bundle (see the platform's audit trail)"
    return (
        f"VOID this draw was voided; when: {when}; why: {v['reason']}; "
        f"which result: result.json sha256 {v['result_sha256']} "
        f"({v['reserve_uses']} reserve uses, {v['events']} assignment events)"
    )


class _Run:
    def __init__(self) -> None:
        self.check = "bundle.read"

    @contextmanager
    def step(self, check: str):
        self.check = check
        try:
            yield
        except CheckFailed:
            raise
        except Exception as exc:  # every failure inside a check is a failure of that check
            raise CheckFailed(check, f"{type(exc).__name__}: {exc}") from None


def _need(cond: Any, check: str, message: str) -> None:
    if not cond:
        raise CheckFailed(check, message)


# ------------------------------------------------------------------ value rules (§2.1)
def _is_int(x: Any, minimum: int) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= minimum


def _is_text(x: Any) -> bool:
    if not isinstance(x, str) or _CONTROL.search(x):
        return False
    try:
        x.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_field(x: Any) -> bool:
    return _is_text(x) and x != "" and not _NOT_FIELD.search(x)


def _is_date(x: Any) -> bool:
    if not isinstance(x, str) or not _DATE.fullmatch(x):
        return False
    try:
        datetime.date.fromisoformat(x)
    except ValueError:
        return False
    return True


def _strictly_sorted_text(xs: Any) -> bool:
    if not isinstance(xs, list) or not all(_is_text(x) for x in xs):
        return False
    keys = [x.encode("utf-8") for x in xs]
    return all(a < b for a, b in itertools.pairwise(keys))


def _keys(obj: Any, keys: set[str]) -> bool:
    return isinstance(obj, dict) and set(obj) == keys


# ------------------------------------------------------------------ files (§2.2, §2.3)
def read_files(path: str) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    if os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            full = os.path.join(path, name)
            if os.path.isfile(full):
                with open(full, "rb") as f:
                    files[name] = f.read()
            else:
                files[name] = b""  # a sub-directory: not an allowed name (bundle.files)
        return files
    if not os.path.isfile(path) or not zipfile.is_zipfile(path):
        raise CheckFailed("bundle.read", f"{path}: not a bundle directory or zip file")
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            _need(info.filename not in files, "bundle.read", f"zip entry {info.filename!r} appears twice")
            files[info.filename] = b"" if info.is_dir() else z.read(info)
    return files


def _no_float(text: str) -> Any:
    raise ValueError(f"floating point number {text} (§2.2)")


# In canonical bytes a control character can only appear escaped (\b \f \n \r \t \u00XX)
# or as a raw DEL byte; an escape begins after an even run of backslashes.
_ESCAPED_CONTROL = re.compile(rb"(\\+)(?:[bfnrt]|u00)")


def _has_control(data: bytes) -> bool:
    if b"\x7f" in data:
        return True
    return any(len(m.group(1)) % 2 for m in _ESCAPED_CONTROL.finditer(data))


def canonical_check(files: Mapping[str, bytes], name: str, check: str) -> Any:
    """§2.2: UTF-8, valid JSON, no floats, canonical bytes, no control characters."""
    data = files[name]
    obj = json.loads(data.decode("utf-8"), parse_float=_no_float, parse_constant=_no_float)
    again = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    _need(again == data, check, f"{name}: not canonical JSON")
    _need(not _has_control(data), check, f"{name}: a string contains a control character")
    return obj


_FIELD_RE = r'[^\x00-\x1f\x7f,"]+'


def csv_check(data: bytes, header: str, ncol: int, name: str, check: str) -> list[list[str]]:
    """§2.3: UTF-8, LF line ends (final LF, no CR), the header, fields, ids strictly ascending.
    Returns the columns."""
    text = data.decode("utf-8")
    _need(text.endswith("\n") and "\r" not in text, check, f"{name}: every line must end with LF, no CR")
    lines = text[:-1].split("\n")
    _need(lines[0] == header, check, f"{name}: header must be {header!r}")
    shape = re.compile("(?:" + ",".join([_FIELD_RE] * ncol) + "\n)*")
    if not shape.fullmatch(text, len(header) + 1):
        for lineno, line in enumerate(lines[1:], start=2):
            fields = line.split(",")
            _need(len(fields) == ncol, check, f"{name}: line {lineno} must have {ncol} fields")
            _need(
                all(_is_field(f) for f in fields), check, f"{name}: line {lineno}: a field breaks the CSV-field rules"
            )
    body = text[len(header) + 1 : -1]
    flat = body.replace("\n", ",").split(",") if body else []
    cols = [flat[k::ncol] for k in range(ncol)]
    ids = cols[0]  # str order is code point order = UTF-8 byte order
    if not all(map(str.__lt__, ids, ids[1:])):
        k = next(k for k in range(1, len(ids)) if not ids[k - 1] < ids[k])
        raise CheckFailed(check, f"{name}: line {k + 2} is not in strictly ascending id order")
    return cols


# ------------------------------------------------------------------ schemas (§4, §6, §7.1, §12)
def params_schema(p: Any) -> str | None:
    if not _keys(p, {"assignment", "draw_id", "meta", "spec", "strata", "weighted"}):
        return "params.json must have exactly the keys assignment, draw_id, meta, spec, strata, weighted"
    if p["spec"] != SPEC_VERSION:
        return 'spec must be "v1"'
    if not _is_field(p["draw_id"]):
        return "draw_id breaks the CSV-field rules"
    if not isinstance(p["strata"], dict) or not p["strata"]:
        return "strata must be a non-empty object"
    for key, rule in p["strata"].items():
        if not _is_field(key):
            return f"stratum key {key!r} breaks the CSV-field rules"
        if not _keys(rule, {"max", "min", "ratio", "reserves"}):
            return f"stratum {key}: rule must have exactly the keys max, min, ratio, reserves"
        if not isinstance(rule["ratio"], str):
            return f"stratum {key}: ratio must be a string"
        if not _is_int(rule["min"], 0) or not _is_int(rule["reserves"], 0):
            return f"stratum {key}: min and reserves must be integers >= 0"
        if rule["max"] is not None and not _is_int(rule["max"], 0):
            return f"stratum {key}: max must be null or an integer >= 0"
    if not isinstance(p["weighted"], bool):
        return "weighted must be true or false"
    if not isinstance(p["meta"], dict) or not all(isinstance(v, str) for v in p["meta"].values()):
        return "meta must be an object of strings"
    a = p["assignment"]
    if a is None:
        return None
    if not _keys(a, {"cap", "departments", "rotation", "window"}):
        return "assignment must have exactly the keys cap, departments, rotation, window"
    if a["cap"] is not None and not _is_int(a["cap"], 1):
        return "assignment.cap must be null or an integer >= 1"
    if not isinstance(a["rotation"], bool):
        return "assignment.rotation must be true or false"
    w = a["window"]
    if not _keys(w, {"from", "to"}) or not isinstance(w["from"], str) or not isinstance(w["to"], str):
        return "assignment.window must be {from, to} with two strings"
    if not isinstance(a["departments"], dict) or not a["departments"]:
        return "assignment.departments must be a non-empty object"
    for name, req in a["departments"].items():
        if not _is_field(name):
            return f"department {name!r} breaks the CSV-field rules"
        if not _keys(req, {"experts", "g", "specialties"}):
            return f"department {name}: must have exactly the keys experts, g, specialties"
        if not _is_int(req["g"], 1) or not _is_int(req["experts"], 0):
            return f"department {name}: g must be an integer >= 1 and experts an integer >= 0"
        if not _strictly_sorted_text(req["specialties"]):
            return f"department {name}: specialties must be strings in strictly ascending order"
    return None


def ratio_ok(s: str) -> bool:
    from fractions import Fraction

    if _DECIMAL.fullmatch(s):
        return Fraction(s) <= 1
    m = _RATIONAL.fullmatch(s)
    return bool(m) and int(m.group(1)) <= int(m.group(2))


INSPECTOR_KEYS = {
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
}


def inspectors_schema(xs: Any) -> str | None:
    if not isinstance(xs, list):
        return "inspectors.json must be an array"
    prev = None
    for k, i in enumerate(xs):
        if not _keys(i, INSPECTOR_KEYS):
            return f"inspector [{k}] must have exactly the keys of §12.2"
        if not _is_field(i["id"]) or not _is_field(i["department"]):
            return f"inspector [{k}]: id and department must follow the CSV-field rules"
        if not all(isinstance(i[n], bool) for n in ("active", "is_expert", "trained")):
            return f"inspector {i['id']}: active, is_expert and trained must be true or false"
        if not all(i[n] is None or isinstance(i[n], str) for n in ("cert_valid_from", "cert_valid_to")):
            return f"inspector {i['id']}: certificate dates must be null or strings"
        if not all(_strictly_sorted_text(i[n]) for n in ("conflicts", "last_inspected", "specialties")):
            return f"inspector {i['id']}: conflicts, last_inspected, specialties must be strictly ascending strings"
        leave = i["leave"]
        if not isinstance(leave, list) or not all(
            _keys(p, {"from", "to"}) and isinstance(p["from"], str) and isinstance(p["to"], str) for p in leave
        ):
            return f"inspector {i['id']}: leave must be an array of {{from, to}} strings"
        if not _is_int(i["workload"], 0):
            return f"inspector {i['id']}: workload must be an integer >= 0"
        key = i["id"].encode("utf-8")
        if prev is not None and key <= prev:
            return f"inspector [{k}]: not in strictly ascending id order"
        prev = key
    return None


def inspectors_dates(xs: list) -> str | None:
    for i in xs:
        for n in ("cert_valid_from", "cert_valid_to"):
            if i[n] is not None and not _is_date(i[n]):
                return f"inspector {i['id']}: {n} {i[n]!r} is not a valid date"
        periods = []
        for p in i["leave"]:
            if not _is_date(p["from"]) or not _is_date(p["to"]):
                return f"inspector {i['id']}: leave {p['from']!r}..{p['to']!r} is not a pair of valid dates"
            if p["to"] < p["from"]:
                return f"inspector {i['id']}: leave {p['from']}..{p['to']} ends before it starts"
            periods.append((p["from"], p["to"]))
        if periods != sorted(periods):
            return f"inspector {i['id']}: leave periods are not sorted by (from, to)"
    return None


def commitment_schema(c: Any) -> str | None:
    keys = {
        "draw_id",
        "exclusions_sha256",
        "inspectors_sha256",
        "nonce",
        "params_sha256",
        "population_sha256",
        "server_secret_sha256",
        "spec",
    }
    if not _keys(c, keys):
        return "commitment.json must have exactly the keys of §6"
    if c["spec"] != SPEC_VERSION:
        return 'spec must be "v1"'
    if not _is_field(c["draw_id"]):
        return "draw_id breaks the CSV-field rules"
    for k in ("exclusions_sha256", "params_sha256", "population_sha256", "server_secret_sha256"):
        if not isinstance(c[k], str) or not _HEX64.fullmatch(c[k]):
            return f"{k} must be 64 lowercase hex digits"
    if c["inspectors_sha256"] is not None and (
        not isinstance(c["inspectors_sha256"], str) or not _HEX64.fullmatch(c["inspectors_sha256"])
    ):
        return "inspectors_sha256 must be null or 64 lowercase hex digits"
    if not _is_field(c["nonce"]):
        return "nonce breaks the CSV-field rules"
    return None


def entropy_schema(e: Any) -> str | None:
    if not _keys(e, {"drand", "public", "server_secret"}):
        return "entropy.json must have exactly the keys drand, public, server_secret"
    s = e["server_secret"]
    if not isinstance(s, str) or not _HEXBYTES.fullmatch(s) or len(s) < 32:
        return "server_secret must be lowercase hex of at least 16 bytes"
    pub = e["public"]
    if not isinstance(pub, list) or not pub:
        return "public must be a non-empty array"
    for k, p in enumerate(pub):
        if not _keys(p, {"kind", "source", "value"}):
            return f"public[{k}] must have exactly the keys kind, source, value"
        if not _is_field(p["kind"]) or not _is_text(p["source"]) or not _is_text(p["value"]):
            return f"public[{k}]: kind must be a CSV field, source and value strings"
        if p["source"] == "" or p["value"] == "":
            return f"public[{k}]: source and value must not be empty"
    d = e["drand"]
    if d is None:
        return None
    if not _keys(d, {"randomness", "round", "signature"}):
        return "drand must be null or have exactly the keys randomness, round, signature"
    if not _is_int(d["round"], 1):
        return "drand.round must be an integer >= 1"
    if not isinstance(d["randomness"], str) or not _HEX64.fullmatch(d["randomness"]):
        return "drand.randomness must be 64 lowercase hex digits"
    if not isinstance(d["signature"], str) or not _HEXBYTES.fullmatch(d["signature"]):
        return "drand.signature must be non-empty lowercase hex"
    return None


def result_schema(r: Any) -> str | None:
    if not _keys(r, {"assignment", "commitment_sha256", "draw_id", "files", "seed", "spec", "targets"}):
        return (
            "result.json must have exactly the keys assignment, commitment_sha256, draw_id, files, seed, spec, targets"
        )
    if r["spec"] != SPEC_VERSION:
        return 'spec must be "v1"'
    if not all(isinstance(r[k], str) for k in ("commitment_sha256", "draw_id", "seed")):
        return "commitment_sha256, draw_id and seed must be strings"
    t = r["targets"]
    if not _keys(t, {"reserve_uses", "seed", "strata", "weighted"}) or not isinstance(t["reserve_uses"], list):
        return "targets must have exactly the keys reserve_uses (an array), seed, strata, weighted"
    a = r["assignment"]
    if a is not None and not (
        _keys(a, {"events", "groups", "order", "shortfalls"}) and all(isinstance(v, list) for v in a.values())
    ):
        return "assignment must be null or have exactly the arrays events, groups, order, shortfalls"
    return None


def void_schema(v: Any) -> str | None:
    if not isinstance(v, dict) or not {"reason", "result_sha256"} <= set(v) <= {"at", "reason", "result_sha256"}:
        return "void.json must have the keys reason and result_sha256 (and optionally at), no others"
    if not _is_text(v["reason"]) or v["reason"] == "":
        return "reason must be a non-empty string"
    if not isinstance(v["result_sha256"], str) or not _HEX64.fullmatch(v["result_sha256"]):
        return "result_sha256 must be 64 lowercase hex digits"
    if "at" in v:
        at = v["at"]
        if not isinstance(at, str) or not _AT.fullmatch(at):
            return "at must be a UTC time YYYY-MM-DDTHH:MM:SSZ"
        try:
            datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return f"at {at!r} is not a valid time"
    return None


# ------------------------------------------------------------------ the procedure
def _cj(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def json_diff(name: str, expected: Any, got: Any) -> str | None:
    """None when both values have the same canonical JSON (so 1 and true differ), else the
    first difference."""
    if _cj(expected) == _cj(got):
        return None
    return first_diff(name, expected, got) or f"{name}: recomputed and recorded differ"


def first_diff(name: str, expected: Any, got: Any) -> str | None:
    """The first difference between recomputed and recorded JSON values (types included:
    1 and true differ), or None."""
    if isinstance(expected, dict) and isinstance(got, dict):
        for k in sorted(set(expected) | set(got)):
            if k not in expected or k not in got:
                return f"{name}.{k}: present in only one of recomputed/recorded"
            d = first_diff(f"{name}.{k}", expected[k], got[k])
            if d:
                return d
        return None
    if isinstance(expected, list) and isinstance(got, list):
        for i, (a, b) in enumerate(zip(expected, got, strict=False)):
            d = first_diff(f"{name}[{i}]", a, b)
            if d:
                return d
        if len(expected) != len(got):
            return f"{name}: recomputed {len(expected)} entries, recorded {len(got)}"
        return None
    if type(expected) is type(got) and expected == got:
        return None
    return f"{name}: recomputed {expected!r}, recorded {got!r}"


def verify(path: str, commitment: str | None = None) -> Report:
    """Verify a bundle (directory or zip). `commitment`: the hash published at freeze time."""
    import gc

    run = _Run()
    was = gc.isenabled()
    gc.disable()  # millions of small objects, no cycles: spare the collector's full scans
    try:
        return _verify(run, path, commitment)
    except CheckFailed as exc:
        return Report(False, exc.check, exc.message)
    finally:
        if was:
            gc.enable()


def _verify(run: _Run, path: str, published: str | None) -> Report:
    from .assign import TargetReplacement, assign_inspectors, parse_inspectors, replay_events
    from .commit import SEED_DOMAIN, Frame
    from .params import DrawParams
    from .targets import draw_targets, use_reserve

    with run.step("bundle.read"):
        files = read_files(path)
    with run.step("bundle.files"):
        missing = [n for n in REQUIRED if n not in files]
        _need(not missing, "bundle.files", f"missing {', '.join(missing)}")
        extra = sorted(n for n in files if n not in ALLOWED)
        _need(not extra, "bundle.files", f"not a bundle file: {', '.join(extra)}")
    commitment_sha = sha256_hex(files["commitment.json"])
    if published is not None:
        with run.step("commitment.published"):
            _need(
                published.strip().lower() == commitment_sha,
                "commitment.published",
                f"sha256(commitment.json) is {commitment_sha}, the published commitment is {published}",
            )
    with run.step("result.sha256"):
        _need(
            files["result.sha256"] == (sha256_hex(files["result.json"]) + "\n").encode("ascii"),
            "result.sha256",
            f"result.sha256 is not sha256(result.json) + LF ({sha256_hex(files['result.json'])})",
        )
    with run.step("result.canonical"):
        res = canonical_check(files, "result.json", "result.canonical")
    with run.step("result.files"):
        listed = res["files"]
        _need(isinstance(listed, dict), "result.files", "result.files must be an object")
        present = {n for n in files if n in INPUTS}
        _need(set(listed) == present, "result.files", f"result.files must list exactly {sorted(present)}")
        for n in sorted(present):
            _need(
                listed[n] == sha256_hex(files[n]),
                "result.files",
                f"{n}: sha256 {sha256_hex(files[n])} != {listed[n]!r} in result.json",
            )
    with run.step("params.canonical"):
        p = canonical_check(files, "params.json", "params.canonical")
    with run.step("params.schema"):
        msg = params_schema(p)
        _need(msg is None, "params.schema", msg)
    with run.step("params.ratio"):
        for key, rule in p["strata"].items():
            _need(ratio_ok(rule["ratio"]), "params.ratio", f"stratum {key}: ratio {rule['ratio']!r} (§4)")
    with run.step("params.bounds"):
        for key, rule in p["strata"].items():
            _need(
                rule["max"] is None or rule["max"] >= rule["min"],
                "params.bounds",
                f"stratum {key}: max {rule['max']} < min {rule['min']}",
            )
    with run.step("params.window"):
        a = p["assignment"]
        if a is not None:
            w = a["window"]
            _need(_is_date(w["from"]) and _is_date(w["to"]), "params.window", "window dates are not valid dates")
            _need(w["from"] <= w["to"], "params.window", "window.to is before window.from")
    with run.step("population.canonical"):
        pop_ids, pop_strata, pop_weights = csv_check(
            files["population.csv"], "id,stratum,weight", 3, "population.csv", "population.canonical"
        )
        for w in set(pop_weights):
            _need(_WEIGHT.fullmatch(w), "population.canonical", f"population.csv: bad weight {w!r}")
    with run.step("population.strata"):
        unknown = sorted(set(pop_strata) - set(p["strata"]))
        _need(not unknown, "population.strata", f"strata without a rule in params.json: {unknown}")
    with run.step("exclusions.canonical"):
        excluded = csv_check(files["exclusions.csv"], "id,reason", 2, "exclusions.csv", "exclusions.canonical")[0]
    with run.step("exclusions.disjoint"):
        both = set(excluded).intersection(pop_ids) if excluded else set()
        _need(not both, "exclusions.disjoint", f"excluded ids in the population: {sorted(both)[:3]}")
    with run.step("inspectors.present"):
        _need(
            ("inspectors.json" in files) == (p["assignment"] is not None),
            "inspectors.present",
            "inspectors.json must be present exactly when params.assignment is not null",
        )
    if "inspectors.json" in files:
        with run.step("inspectors.canonical"):
            insp = canonical_check(files, "inspectors.json", "inspectors.canonical")
        with run.step("inspectors.schema"):
            msg = inspectors_schema(insp)
            _need(msg is None, "inspectors.schema", msg)
        with run.step("inspectors.dates"):
            msg = inspectors_dates(insp)
            _need(msg is None, "inspectors.dates", msg)
    with run.step("commitment.canonical"):
        com = canonical_check(files, "commitment.json", "commitment.canonical")
    with run.step("commitment.schema"):
        msg = commitment_schema(com)
        _need(msg is None, "commitment.schema", msg)
    with run.step("commitment.draw_id"):
        _need(com["draw_id"] == p["draw_id"], "commitment.draw_id", "draw_id differs from params.json")
    with run.step("commitment.hashes"):
        for n, k in (
            ("population.csv", "population_sha256"),
            ("exclusions.csv", "exclusions_sha256"),
            ("params.json", "params_sha256"),
            ("inspectors.json", "inspectors_sha256"),
        ):
            actual = sha256_hex(files[n]) if n in files else None
            _need(com[k] == actual, "commitment.hashes", f"{k} {com[k]} != sha256({n}) {actual}")
    with run.step("entropy.canonical"):
        ent = canonical_check(files, "entropy.json", "entropy.canonical")
    with run.step("entropy.schema"):
        msg = entropy_schema(ent)
        _need(msg is None, "entropy.schema", msg)
    with run.step("entropy.secret"):
        _need(
            sha256_hex(bytes.fromhex(ent["server_secret"])) == com["server_secret_sha256"],
            "entropy.secret",
            "sha256(server_secret) differs from commitment.server_secret_sha256",
        )
    with run.step("entropy.drand"):
        d = ent["drand"]
        if d is not None:
            _need(
                sha256_hex(bytes.fromhex(d["signature"])) == d["randomness"],
                "entropy.drand",
                "drand randomness != sha256(signature)",
            )
    with run.step("result.schema"):
        msg = result_schema(res)
        _need(msg is None, "result.schema", msg)
    with run.step("result.draw_id"):
        _need(res["draw_id"] == p["draw_id"], "result.draw_id", "draw_id differs from params.json")
    with run.step("result.commitment"):
        _need(
            res["commitment_sha256"] == commitment_sha,
            "result.commitment",
            f"commitment_sha256 {res['commitment_sha256']} != sha256(commitment.json) {commitment_sha}",
        )
    seed = hashlib.sha256(SEED_DOMAIN + commitment_sha.encode("ascii") + b"\n" + files["entropy.json"]).digest()
    with run.step("result.seed"):
        _need(res["seed"] == seed.hex(), "result.seed", f"seed recomputed {seed.hex()}, recorded {res['seed']}")
    with run.step("result.targets"):
        params = DrawParams.from_json(p)
        ids: dict[str, list[str]] = {s: [] for s in p["strata"]}
        weights: dict[str, list[int]] = {s: [] for s in p["strata"]}
        if p["weighted"]:
            for i, s, w in zip(pop_ids, pop_strata, pop_weights, strict=True):
                ids[s].append(i)
                weights[s].append(int(w))
        else:
            for i, s in zip(pop_ids, pop_strata, strict=True):
                ids[s].append(i)
        frame = Frame.from_columns(ids, weights if p["weighted"] else None, validate=False)
        targets = draw_targets(frame, params, seed)
        rt = res["targets"]
        expected = {k: v for k, v in targets.to_json().items() if k != "reserve_uses"}
        diff = json_diff("targets", expected, {k: v for k, v in rt.items() if k != "reserve_uses"})
        _need(diff is None, "result.targets", diff)
    with run.step("result.reserve_uses"):
        for u in rt["reserve_uses"]:
            _need(
                _keys(u, {"reason", "replaced", "replacement", "stratum"}),
                "result.reserve_uses",
                "a reserve use must have exactly the keys reason, replaced, replacement, stratum",
            )
            targets = use_reserve(targets, u["stratum"], u["replaced"], u["reason"])
        diff = json_diff("targets.reserve_uses", targets.to_json()["reserve_uses"], rt["reserve_uses"])
        _need(diff is None, "result.reserve_uses", diff)
    ra = res["assignment"]
    with run.step("result.assignment"):
        _need(
            (ra is None) == (p["assignment"] is None),
            "result.assignment",
            "result.assignment must be null exactly when params.assignment is null",
        )
        if ra is not None:
            inspectors = parse_inspectors(files["inspectors.json"])
            initial = assign_inspectors(targets.selected_ids(), inspectors, params.assignment, seed)
            expected = {k: v for k, v in initial.to_json().items() if k != "events"}
            diff = json_diff("assignment", expected, {k: v for k, v in ra.items() if k != "events"})
            _need(diff is None, "result.assignment", diff)
    if ra is not None:
        with run.step("result.events"):
            for e in ra["events"]:
                _need(isinstance(e, dict), "result.events", "an event must be an object")
            replayed = replay_events(initial, ra["events"])
            diff = json_diff("assignment.events", replayed.to_json()["events"], ra["events"])
            _need(diff is None, "result.events", diff)
        with run.step("result.reserve_match"):
            reps = [(e.old, e.new, e.reason) for e in replayed.events if isinstance(e, TargetReplacement)]
            uses = [(u.replaced, u.replacement, u.reason) for u in targets.reserve_uses]
            _need(
                reps == uses,
                "result.reserve_match",
                f"replace_target events {reps} must equal the reserve uses {uses} (old, new, reason), in order",
            )
    void = None
    if "void.json" in files:
        with run.step("void.canonical"):
            v = canonical_check(files, "void.json", "void.canonical")
        with run.step("void.schema"):
            msg = void_schema(v)
            _need(msg is None, "void.schema", msg)
        with run.step("void.result_sha256"):
            _need(
                v["result_sha256"] == sha256_hex(files["result.json"]),
                "void.result_sha256",
                f"void.result_sha256 {v['result_sha256']} != sha256(result.json) {sha256_hex(files['result.json'])}",
            )
        void = {
            "at": v.get("at"),
            "reason": v["reason"],
            "result_sha256": v["result_sha256"],
            "reserve_uses": len(rt["reserve_uses"]),
            "events": 0 if ra is None else len(ra["events"]),
        }
    return Report(True, commitment_sha256=commitment_sha, published=published is not None, void=void)
