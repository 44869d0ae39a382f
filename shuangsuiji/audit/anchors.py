"""Anchors of the audit chain outside the database (锚点).

A hash chain proves that entries were not changed *unless* whoever changes them also
recomputes every later hash and the head: a database insider can. So the head — genesis
nonce, sequence number, hash, time — is written at least daily (huey periodic task
``audit.anchor_daily``, ``manage.py audit_anchor``, and every successful ``audit_verify``)
as one JSON line appended to a file the database cannot rewrite
(``settings.SHUANGSUIJI_AUDIT_ANCHOR_FILE``; production puts it on another volume or host,
ideally append-only: ``chattr +a``, a WORM share, a log host). ``audit_verify`` checks the
chain against every anchor: a rewritten-and-rehashed entry at or below an anchored sequence
number changes the anchored hash; a wiped and restarted trail has another genesis nonce or
fewer entries than an anchor says.

Each line also carries ``prev``, the SHA-256 of the previous line, so lines removed from or
changed inside the file are caught too (only the file's tail could be cut unnoticed — which
is why a copy of the anchors should also go somewhere else).

Hook for the public portal (not built yet): once it exists, :func:`write_anchor`'s result is
what it publishes (see docs/architecture.md, "Anchors").
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from shuangsuiji.audit.chain import GENESIS, canonical_json

VERSION = 1


@dataclass(frozen=True)
class Anchor:
    line: int  # 1-based line number in the file
    genesis: str
    seq: int
    hash: str
    at: str
    prev: str
    raw: str

    def label(self) -> str:
        return f"锚点第 {self.line} 行（{self.at}，第 {self.seq} 条）"


class AnchorFileError(ValueError):
    """A line of the anchor file cannot be read, or the file's own line chain is broken."""


def anchor_path() -> Path:
    return Path(settings.SHUANGSUIJI_AUDIT_ANCHOR_FILE)


def _line_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor of the file, in order; raises :class:`AnchorFileError` naming the bad line."""
    path = path or anchor_path()
    if not path.exists():
        return []
    anchors: list[Anchor] = []
    prev = GENESIS
    with path.open("r", encoding="utf-8") as fh:
        for number, raw in enumerate(fh, start=1):
            raw = raw.rstrip("\n")
            if not raw.strip():
                continue
            try:
                data = json.loads(raw)
                anchor = Anchor(
                    number,
                    str(data["genesis"]),
                    int(data["seq"]),
                    str(data["hash"]),
                    str(data["at"]),
                    data["prev"],
                    raw,
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise AnchorFileError(f"锚点文件第 {number} 行无法解析（{exc}）") from exc
            if anchor.prev != prev:
                raise AnchorFileError(f"锚点文件第 {number} 行的前一行哈希不符（锚点文件被改动或删去了行）")
            prev = _line_hash(raw)
            anchors.append(anchor)
    return anchors


def current_head() -> dict[str, Any]:
    """(genesis nonce, seq, hash) of the chain as the database has it now, read consistently."""
    from shuangsuiji.audit.models import AuditGenesis, AuditHead

    with transaction.atomic():
        genesis = AuditGenesis.objects.filter(id=1).first()
        head = AuditHead.objects.filter(id=1).first()
    if genesis is None or head is None:
        from shuangsuiji.audit.models import ChainStateError

        raise ChainStateError("审计链的创世记录或链头缺失，不能写锚点（请运行 audit_verify）。")
    return {"genesis": genesis.nonce, "seq": head.seq, "hash": head.hash}


def write_anchor(path: Path | None = None) -> Anchor:
    """Append the current head to the anchor file (unless the last anchor already says the
    same); return the anchor. The caller verifies the chain first: never anchor a broken one.

    The file is locked (``flock``) from reading its last line to appending the new one, so two
    writers at once (the daily task and an administrator's audit_verify) keep the line chain."""
    path = path or anchor_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        existing = read_anchors(path)
        head = current_head()
        last = existing[-1] if existing else None
        if last is not None and (last.genesis, last.seq, last.hash) == (head["genesis"], head["seq"], head["hash"]):
            return last
        body = {
            "v": VERSION,
            **head,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "prev": _line_hash(last.raw) if last else GENESIS,
        }
        raw = canonical_json(body)
        os.write(fd, (raw + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the lock
    return Anchor(len(existing) + 1, head["genesis"], head["seq"], head["hash"], body["at"], body["prev"], raw)


def check_anchors(
    anchors: list[Anchor], genesis: str | None, hashes: dict[int, str], count: int
) -> tuple[Anchor | None, str]:
    """The first anchor the chain no longer matches and why, in Chinese ((None, '') when all match).

    ``hashes`` maps every anchored sequence number present in the chain to its stored hash.
    """
    highest = 0
    for anchor in anchors:
        if anchor.seq < highest:
            return anchor, f"{anchor.label()}的序号小于前一个锚点（锚点文件被改动）"
        highest = anchor.seq
        if genesis is not None and anchor.genesis != genesis:
            return anchor, f"{anchor.label()}属于另一条审计链（创世记录已被替换，审计日志曾被清空重建）"
        if anchor.seq == 0:
            continue
        if anchor.seq > count:
            return anchor, f"{anchor.label()}：库中只有 {count} 条记录（记录被删除）"
        if hashes.get(anchor.seq) != anchor.hash:
            return anchor, f"{anchor.label()}的哈希与库中第 {anchor.seq} 条不符（记录被改写并重算了哈希）"
    return None, ""


@dataclass(frozen=True)
class Outcome:
    report: Any  # services.ChainReport, or None when the anchor file itself is unreadable
    anchor: Anchor | None = None  # the anchor written (or the identical last one)
    file_problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_problem and self.report is not None and self.report.ok


def verify_and_anchor(*, write: bool = True, path: Path | None = None) -> Outcome:
    """What ``audit_verify``, ``audit_anchor`` and the daily task do: check the chain against
    every anchor and, only if everything holds, append the current head as a new anchor."""
    from shuangsuiji.audit.services import verify_chain

    path = path or anchor_path()
    try:
        anchors = read_anchors(path)
    except AnchorFileError as exc:
        return Outcome(None, file_problem=str(exc))
    report = verify_chain(anchors)
    if not report.ok or not write:
        return Outcome(report)
    return Outcome(report, write_anchor(path))
