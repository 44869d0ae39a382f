"""Benchmark: importing targets through the project's import path vs. the floor.

    .venv/bin/python bench/import_targets.py                 # 1,000,000-row CSV vs. PostgreSQL COPY
    .venv/bin/python bench/import_targets.py --format xlsx   # 200,000-row xlsx vs. a bare calamine read

CSV: generates a CSV of valid targets (real USCC check digits), imports it into PostgreSQL
with ``create_job`` + ``run_import`` (exactly what the UI and ``import_targets`` run: reading,
per-row validation, upsert, risk-class history, audit entry) into a freshly migrated
database, then loads the same file with a plain ``COPY`` into an equivalent table (the same
columns as the file, with the register's unique code (the USCC), its (region, risk class)
index, its trigram name-search index and its foreign keys to the region and industry
tables). Last line:
``ratio_vs_copy=<import time / COPY time>``.

xlsx: the same import of an xlsx file into an empty register vs. reading the file with
python-calamine alone. Last line: ``ratio_vs_calamine=<import time / read time>``.

The database is ``shuangsuiji_bench`` on the server of ``--server`` (dropped and created anew).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

HEADER = [
    "名称",
    "统一社会信用代码",
    "对象类型",
    "法定代表人（负责人）",
    "住所（经营场所）",
    "行政区划代码",
    "行业代码",
    "登记状态",
    "成立日期",
    "信用风险分类",
    "经营异常名录",
    "严重违法失信名单",
    "投诉举报次数",
]
COPY_TABLE = """
CREATE TABLE bench_copy_target (
    name varchar(200) NOT NULL,
    uscc varchar(18) UNIQUE,
    target_type varchar(16) NOT NULL,
    legal_representative varchar(64) NOT NULL,
    address varchar(255) NOT NULL,
    region varchar(6) NOT NULL,
    industry varchar(4),
    registration_status varchar(16) NOT NULL,
    established_on date,
    risk_class varchar(1) NOT NULL,
    abnormal_operation varchar(2) NOT NULL,
    serious_violation varchar(2) NOT NULL,
    complaint_count integer NOT NULL
);
CREATE INDEX ON bench_copy_target (region, risk_class);
CREATE INDEX ON bench_copy_target USING gin (name gin_trgm_ops);
ALTER TABLE bench_copy_target ADD FOREIGN KEY (region) REFERENCES orgs_region (code);
ALTER TABLE bench_copy_target ADD FOREIGN KEY (industry) REFERENCES targets_industry (code);
"""


def generate_rows(n: int, seed: int = 2026):
    from shuangsuiji.demo.realistic import BRANDS, STREETS, TOWNS, make_uscc

    rng = random.Random(seed)
    counties = ["130534", "130531", "130532", "130533", "130535", "130581", "130582", "130502", "130503"]
    industries = ["17", "18", "36", "33", "51", "52", "61", "62", "48", "54"]
    risks = ["A"] * 3 + ["B"] * 5 + ["C", "D"]
    seen: set[str] = set()
    i = 0
    while i < n:
        code = make_uscc(rng, "1")
        if code in seen:
            continue
        seen.add(code)
        i += 1
        yield [
            f"河北{rng.choice(BRANDS)}{rng.choice(BRANDS)}制品有限公司{i}",
            code,
            "企业",
            "张三",
            f"河北省邢台市{rng.choice(TOWNS)}{rng.choice(STREETS)}{rng.randint(1, 999)}号",
            rng.choice(counties),
            rng.choice(industries),
            "存续（在业）",
            f"20{rng.randint(0, 25):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            rng.choice(risks),
            "否",
            "否",
            str(rng.choice([0, 0, 0, 1])),
        ]


def prepare_database(server: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS shuangsuiji_bench")
        conn.execute("CREATE DATABASE shuangsuiji_bench")
    return server.rsplit("/", 1)[0] + "/shuangsuiji_bench"


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SHUANGSUIJI_VAR_DIR", str(OUT / "var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "shuangsuiji.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def timed_import(path: Path) -> tuple[float, object]:
    from shuangsuiji.imports.runner import create_job, run_import

    start = time.perf_counter()
    job = create_job(kind="targets", source=path, file_name=path.name, mode="all")
    job = run_import(job.pk)
    elapsed = time.perf_counter() - start
    if job.status != "done":
        raise SystemExit(f"import did not finish: {job.status} {job.message} {job.errors[:3]}")
    return elapsed, job


def copy_file(path: Path) -> float:
    """Seconds to COPY a csv (with header) into a fresh equivalent table."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_copy_target")
        cur.execute(COPY_TABLE)
    start = time.perf_counter()
    sql = "COPY bench_copy_target FROM STDIN WITH (FORMAT csv, HEADER true)"
    with connection.cursor() as cur, path.open("rb") as fh, cur.cursor.copy(sql) as copy:
        while chunk := fh.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - start


def rows_for_copy(path: Path):
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return rows


def csv_copy_of(rows, out: Path) -> Path:
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return out


def bench_csv(args) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"targets_{args.rows}.csv"
    if not path.exists():
        t = time.perf_counter()
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            writer.writerows(generate_rows(args.rows))
        print(f"generated {path.name}: {args.rows} rows in {time.perf_counter() - t:.1f} s")
    db_url = prepare_database(args.server)
    setup_django(db_url)

    elapsed, job = timed_import(path)
    print(
        f"import (project path): {args.rows} rows in {elapsed:.2f} s = {args.rows / elapsed:,.0f} rows/s "
        f"(created {job.created_count})"
    )

    copy_elapsed = copy_file(path)
    print(f"plain COPY: {args.rows} rows in {copy_elapsed:.2f} s = {args.rows / copy_elapsed:,.0f} rows/s")
    print(f"ratio_vs_copy={elapsed / copy_elapsed:.2f}")


def bench_xlsx(args) -> None:
    from python_calamine import CalamineWorkbook

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"targets_{args.xlsx_rows}.xlsx"
    if not path.exists():
        t = time.perf_counter()
        sys.path.insert(0, str(ROOT))
        from shuangsuiji.imports.tabular import write_xlsx

        write_xlsx(path, HEADER, generate_rows(args.xlsx_rows, seed=7))
        print(f"generated {path.name}: {args.xlsx_rows} rows in {time.perf_counter() - t:.1f} s")
    db_url = prepare_database(args.server)
    setup_django(db_url)

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    read_elapsed = time.perf_counter() - start
    print(f"bare calamine read: {len(rows) - 1} rows in {read_elapsed:.2f} s")
    del rows

    elapsed, job = timed_import(path)
    print(
        f"import (project path): {args.xlsx_rows} rows in {elapsed:.2f} s = {args.xlsx_rows / elapsed:,.0f} rows/s "
        f"(created {job.created_count})"
    )
    # Information, not part of the ratio: what PostgreSQL alone needs to store the same rows
    # with the register's constraints (a plain COPY of them into the equivalent table).
    copy_elapsed = copy_file(csv_copy_of(rows_for_copy(path), OUT / f"targets_{args.xlsx_rows}_from_xlsx.csv"))
    print(
        f"(information) plain COPY of the same rows: {copy_elapsed:.2f} s = "
        f"{copy_elapsed / read_elapsed:.2f} x the calamine read"
    )
    print(f"ratio_vs_calamine={elapsed / read_elapsed:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--xlsx-rows", type=int, default=200_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    bench_csv(args) if args.format == "csv" else bench_xlsx(args)


if __name__ == "__main__":
    main()
