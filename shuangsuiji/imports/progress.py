"""Progress of a running import, readable by the web process while the import's transaction is open.

Stored in Django's cache (a file cache under ``var/cache`` by default, shared by the web server
and the job-queue worker), not in the ImportJob row, whose updates would stay invisible until
the import commits.
"""

from __future__ import annotations

from pathlib import Path

from django.core.cache import cache

TTL = 6 * 60 * 60


def _key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def report_progress(job_id: int, processed: int, total: int) -> None:
    cache.set(_key(job_id), {"processed": processed, "total": max(total, processed)}, TTL)


def read_progress(job_id: int) -> dict | None:
    return cache.get(_key(job_id))


def clear_progress(job_id: int) -> None:
    cache.delete(_key(job_id))


def estimate_rows(path: str | Path) -> int:
    """Data rows of a csv by counting line ends (an estimate: quoted cells may hold newlines).

    For xlsx the total is not known before reading; 0 means "unknown" to the progress bar.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        return 0
    lines = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            lines += block.count(b"\n")
    return max(lines - 1, 0)
