"""Loading the shipped GB/T 2260 table (data/regions_gbt2260.csv, see data/PROVENANCE.md)."""

from __future__ import annotations

import csv
from pathlib import Path

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions_gbt2260.csv"


def read_region_rows(path: Path = REGIONS_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    paths: dict[str, str] = {}
    for row in rows:  # sorted by code: a parent always precedes its children
        parent = row["parent_code"] or None
        row["parent_code"] = parent
        row["path"] = (paths[parent] if parent else "") + row["code"] + "/"
        paths[row["code"]] = row["path"]
    return rows


def load_regions(region_model, path: Path = REGIONS_CSV) -> tuple[int, int]:
    """Insert missing regions and update changed names; returns (created, updated).

    ``region_model`` is passed in so that migrations can use their historical model.
    Regions are never deleted here: abolished codes may still be referenced by old records.
    """
    rows = read_region_rows(path)
    existing = {r.code: r for r in region_model.objects.all()}
    created = [
        region_model(
            code=row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"], path=row["path"]
        )
        for row in rows
        if row["code"] not in existing
    ]
    changed = []
    for row in rows:
        old = existing.get(row["code"])
        if old is not None and (old.name, old.level, old.parent_id, old.path) != (
            row["name"],
            row["level"],
            row["parent_code"],
            row["path"],
        ):
            old.name, old.level, old.parent_id, old.path = row["name"], row["level"], row["parent_code"], row["path"]
            changed.append(old)
    region_model.objects.bulk_create(created, batch_size=1000)
    region_model.objects.bulk_update(changed, ["name", "level", "parent_id", "path"], batch_size=1000)
    return len(created), len(changed)
