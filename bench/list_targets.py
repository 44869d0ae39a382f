"""Benchmark: the target list, its search and its filters over a register of 1,000,000 rows.

    .venv/bin/python bench/import_targets.py     # first: fills shuangsuiji_bench with 1,000,000 targets
    .venv/bin/python bench/list_targets.py       # then: times the pages

Signs in as the city office (邢台市双随机办, whose scope covers every generated row; the demo
organisations and users are added to the bench database if missing) and requests each page
through Django's test client, the whole request (query, count, template) as a user meets it.
Each page is requested three times; the first warms PostgreSQL's cache, the median of the
other two is printed. The goal of issue #3 is "fast with 1,000,000 targets": no page loads
the table; the last line says whether every page stayed under one second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_SECONDS = 1.0


def setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SHUANGSUIJI_VAR_DIR", str(ROOT / "bench" / "out" / "var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "shuangsuiji.settings"
    import django

    django.setup()


def pages(sample_code: str, sample_name: str) -> list[tuple[str, str]]:
    return [
        ("first page with the total count", "/targets/"),
        ("search by USCC", f"/targets/?q={sample_code}"),
        ("search by a name fragment of 6 characters", f"/targets/?q={sample_name[2:8]}"),
        ("search by 2 characters", f"/targets/?q={sample_name[2:4]}"),
        ("risk class D in industry section C", "/targets/?risk_class=D&industry=C"),
        ("one county", "/targets/?region=130534"),
        ("flag: complaints", "/targets/?flag=complaints"),
        ("page 2,000 (offset 50,000)", "/targets/?page=2000"),
        ("API, risk class C", "/api/targets/targets?risk_class=C"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="postgres://postgres@127.0.0.1:5432/shuangsuiji_bench")
    args = parser.parse_args()
    setup(args.db)

    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    # Templates name static files; the bench runs without collectstatic's manifest.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    override_settings(STORAGES=storages).enable()

    from shuangsuiji.audit.context import acting
    from shuangsuiji.demo import jurisdiction
    from shuangsuiji.targets.models import Target

    total = Target.objects.count()
    if total < 1_000_000:
        raise SystemExit(f"the bench database holds {total} targets; run bench/import_targets.py first")
    holder = SimpleNamespace()
    with acting(actor_name="bench"):
        jurisdiction.build(holder, lambda *_: None)  # idempotent: adds the demo users once
    sample = Target.objects.order_by("id").values_list("code", "name")[total // 2]
    client = Client(HTTP_HOST="localhost")
    client.force_login(holder.jurisdiction.users["xt_office"])
    print(f"{total:,} targets; signed in as xt_office (邢台市双随机办)")
    slowest = 0.0
    for label, url in pages(*sample):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (url, response.status_code)
        median = statistics.median(times[1:])
        slowest = max(slowest, median)
        print(f"{median * 1000:8.0f} ms  {label}  {url}")
    print(f"slowest_page_ms={slowest * 1000:.0f} (goal: every page under {LIMIT_SECONDS * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
