"""Canonical encodings (spec v1, section 2): canonical JSON, canonical CSV, hashes.

Everything that is hashed is produced here, so the byte layout lives in one place.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

SPEC_VERSION = "v1"

# Forbidden in every string of the draw: C0 controls and DEL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Additionally forbidden in CSV fields (ids, strata, reasons).
_CSV_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f,"]')
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DrawError(ValueError):
    """Invalid input, refused operation or failed check (always with a reason)."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_text(value: Any, what: str) -> str:
    """A string allowed anywhere in the draw: str, valid UTF-8, no control characters."""
    if not isinstance(value, str):
        raise DrawError(f"{what} must be a string, got {type(value).__name__}")
    if _CONTROL.search(value):
        raise DrawError(f"{what} contains a control character: {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DrawError(f"{what} is not valid Unicode (lone surrogate): {value!r}") from exc
    return value


def check_field(value: Any, what: str) -> str:
    """A CSV field: non-empty, no control characters, no ',' and no '"'."""
    check_text(value, what)
    if not value:
        raise DrawError(f"{what} must not be empty")
    if _CSV_FORBIDDEN.search(value):
        raise DrawError(f"{what} must not contain ',', '\"' or control characters: {value!r}")
    return value


def check_hex64(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _HEX64.match(value):
        raise DrawError(f"{what} must be 64 lowercase hex digits")
    return value


def check_date(value: Any, what: str) -> str:
    import datetime

    if not isinstance(value, str) or not _DATE.match(value):
        raise DrawError(f"{what} must be an ISO date YYYY-MM-DD, got {value!r}")
    try:
        datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise DrawError(f"{what} is not a valid date: {value!r}") from exc
    return value


def _check_json_value(obj: Any, path: str) -> None:
    if obj is None or isinstance(obj, bool):
        return
    if isinstance(obj, int):
        return
    if isinstance(obj, float):
        raise DrawError(f"{path}: floating point numbers are not allowed in canonical JSON")
    if isinstance(obj, str):
        check_text(obj, path)
        return
    if isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            _check_json_value(item, f"{path}[{i}]")
        return
    if isinstance(obj, dict):
        for key, item in obj.items():
            if not isinstance(key, str):
                raise DrawError(f"{path}: object keys must be strings")
            check_text(key, f"{path} key")
            _check_json_value(item, f"{path}.{key}")
        return
    raise DrawError(f"{path}: type {type(obj).__name__} is not allowed in canonical JSON")


def _json_value_ok(obj: Any, fragments: list | None = None) -> bool:
    """True if `_check_json_value` would accept ``obj``, found in one walk without paths and
    one scan of all its strings joined. False means: let `_check_json_value` find and name
    the problem (it also accepts subclasses of the plain types, which this walk leaves to it)."""
    strings: list[str] = []
    stack = [obj]
    while stack:
        o = stack.pop()
        t = type(o)
        if t is str:
            strings.append(o)
        elif t is dict:
            for k, v in o.items():
                if type(k) is not str:
                    return False
                strings.append(k)
                stack.append(v)
        elif t is list or t is tuple:
            stack.extend(o)
        elif t is Fragment and fragments is not None:
            fragments.append(o)  # checked by its own text (`records`)
        elif not (o is None or t is bool or t is int):
            return False
    joined = "".join(strings)
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return _CONTROL.search(joined) is None


def canonical_json(obj: Any) -> bytes:
    """Canonical JSON bytes: UTF-8, keys sorted by code point (= bytewise UTF-8),
    no insignificant whitespace, no floats, no control characters in strings,
    only '"' and '\\' escaped, no trailing newline.

    ``obj`` may hold `Fragment` values (the large lists of a result, encoded by `records`):
    they are put in place as they are; a fragment that could not be checked by its text alone
    is replaced by its plain value, which goes through the ordinary checks."""
    fragments: list[Fragment] = []
    if not _json_value_ok(obj, fragments):
        obj, fragments = _plain(obj), []
        _check_json_value(obj, "$")
    if not fragments:
        return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    if any(f.text is None for f in fragments):
        return canonical_json(_plain(obj))
    try:
        return _encode(obj).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a fragment: the plain value names it
        return canonical_json(_plain(obj))


class Fragment:
    """A large list of a canonical JSON document, already encoded (`records`).

    ``text`` is the canonical encoding, or None when the values could not be encoded by the
    fast path (a value of another type, a string needing an escape other than '"'); ``plain``
    gives the same list as ordinary values, for the checks and their messages."""

    __slots__ = ("plain", "text")

    def __init__(self, text: str | None, plain) -> None:
        self.text = text
        self.plain = plain


_encode_str = json.encoder.encode_basestring  # the C encoder of json.dumps(ensure_ascii=False)


def records(keys: tuple[str, ...], rows: list[tuple], plain) -> Fragment:
    """A JSON array of objects that all have ``keys`` (in sorted order); each row holds the
    values in key order, each a str or a tuple/list of str. Same bytes as `canonical_json`
    of the plain list of dicts (tests/draw/test_canonical_fragments.py), without building a
    dict per row. Any string holding a backslash, a control character or DEL, or a value of
    another type, sends the whole list down the ordinary path (``plain()``), whose checks
    refuse what canonical JSON refuses."""
    if list(keys) != sorted(keys):
        raise ValueError("keys must be sorted")
    fmt = "{" + ",".join(f"{_encode_str(k)}:%s" for k in keys) + "}"
    try:
        columns = [_encode_column([row[k] for row in rows]) for k in range(len(keys))] if rows else []
    except TypeError:
        return Fragment(None, plain)
    text = "[" + ",".join([fmt % values for values in zip(*columns, strict=True)]) + "]"
    if "\\" in text or _CONTROL.search(text):
        return Fragment(None, plain)
    return Fragment(text, plain)


def _encode_column(values: list) -> list[str]:
    """One key's values of every row, encoded: all str, or all tuples/lists of str (TypeError
    otherwise). A column at a time, so that the loops run in C."""
    kind = type(values[0])
    if kind is str:
        return list(map(_encode_str, values))  # TypeError on anything but str
    if (kind is tuple or kind is list) and all(type(v) is tuple or type(v) is list for v in values):
        return ["[" + ",".join(map(_encode_str, v)) + "]" for v in values]
    raise TypeError(kind.__name__)


_CONTAINERS = (dict, list, tuple, Fragment)


def _encode(obj: Any) -> str:
    """Canonical JSON text of a checked value holding fragments."""
    if isinstance(obj, Fragment):
        return obj.text
    if type(obj) is dict:
        return "{" + ",".join(f"{_encode_str(k)}:{_encode(obj[k])}" for k in sorted(obj)) + "}"
    if (type(obj) is list or type(obj) is tuple) and any(type(x) in _CONTAINERS for x in obj):
        return "[" + ",".join(_encode(x) for x in obj) + "]"
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(obj: Any) -> Any:
    """``obj`` with every fragment replaced by its plain value."""
    if isinstance(obj, Fragment):
        return obj.plain()
    if type(obj) is dict:
        return {k: _plain(v) for k, v in obj.items()}
    if type(obj) is list or type(obj) is tuple:
        return [_plain(x) for x in obj]
    return obj


def parse_json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DrawError(f"{what}: not valid UTF-8 JSON: {exc}") from exc


def utf8_key(s: str) -> bytes:
    """Sort key: the UTF-8 bytes (bytewise order)."""
    return s.encode("utf-8")


def csv_bytes(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> bytes:
    """Canonical CSV: header line, then rows; fields joined by ',', every line ends with LF.
    Rows must already be validated and sorted."""
    out = [",".join(header)]
    out.extend(",".join(r) for r in rows)
    return ("\n".join(out) + "\n").encode("utf-8")


def csv_lines(header: tuple[str, ...], lines: list[str]) -> bytes:
    """`csv_bytes` of rows already joined into lines."""
    return (",".join(header) + "\n" + "\n".join(lines) + ("\n" if lines else "")).encode("utf-8")


def parse_csv(data: bytes, header: tuple[str, ...], what: str) -> list[list[str]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DrawError(f"{what}: not valid UTF-8") from exc
    if not text.endswith("\n") or "\r" in text:
        raise DrawError(f"{what}: lines must end with LF (no CR, final LF required)")
    lines = text[:-1].split("\n")
    if lines[0] != ",".join(header):
        raise DrawError(f"{what}: header must be {','.join(header)!r}")
    rows = []
    for lineno, line in enumerate(lines[1:], start=2):
        fields = line.split(",")
        if len(fields) != len(header):
            raise DrawError(f"{what}: line {lineno} must have {len(header)} fields")
        rows.append(fields)
    return rows
