"""Loading the shipped GB/T 4754-2017 table (data/industries_gbt4754_2017.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

INDUSTRIES_CSV = Path(__file__).resolve().parent / "data" / "industries_gbt4754_2017.csv"


def load_industries(industry_model, path: Path = INDUSTRIES_CSV) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    existing = set(industry_model.objects.values_list("code", flat=True))
    new = [
        industry_model(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None)
        for r in rows
        if r["code"] not in existing
    ]
    # Sections first: the file lists them before the divisions that point at them.
    industry_model.objects.bulk_create(new)
    return len(new)
