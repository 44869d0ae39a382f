"""Benchmark: the draw day at provincial scale, through the services and the pages.

    .venv/bin/python bench/drawday.py                     # 1,000,000 targets (builds the base once)
    .venv/bin/python bench/drawday.py --targets 50000     # quick run

The province: ``--targets`` enterprises imported through the project's import path
(``create_job`` + ``run_import`` of a generated CSV, as ``bench/import_targets.py``), the demo
county's organisations, users and published item lists, ``--inspectors`` enforcement
inspectors per department (水务局, 市场监管局). The base is built once into a template
database ``h_drawday_base_<N>`` (``--rebuild`` to build it anew); each run clones it into
``h_drawday_bench`` and applies this branch's migrations.

Then a joint task (水务局 lead, 市场监管局 cooperating) at 5 % in the four credit-risk strata
runs every step of the draw day through the pages, with the Django test client and logged-in
users: preview, freeze (with its peak memory), the ceremony page, the draw, the two
confirmations, each department's inspector draw, the sealed list (first, middle and last
page), and the inspector's home page once the inspector is assigned in ``--home-tasks`` tasks
(the other tasks are made the same way through the services, not timed). The baseline is the
bare engine on the same sizes, measured in the same run: the target draw on the same frame
and strata, the assignment of the drawn targets to the same inspectors.

Each line prints the figure, its ratio to the engine where the goal is one, and the goal; the
last lines are PASS/FAIL per goal.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gc
import hashlib
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
COUNTY = "130534"
RATIO = "0.05"
RESERVES = 10
DICE = [{"kind": "dice", "value": "3 1 6 6 2 5 4 1 3 2 6 5 5 2 1 4 6 3 3 1 2 5 6 4 2", "source": "见证人 张三、李四"}]


# --- Database --------------------------------------------------------------------------------


def _server_conn(server: str):
    import psycopg

    return psycopg.connect(server, autocommit=True)


def _db_exists(server: str, name: str) -> bool:
    with _server_conn(server) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _drop(conn, name: str) -> None:
    conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        [name],
    )
    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _url(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + "/" + name


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    # DEBUG stays off (no query log); the testing switch only picks the plain static storage
    # (no collectstatic needed), a memory cache.
    os.environ["SHUANGSUIJI_TESTING"] = "1"
    # ... but the job queue queues, as in production (a worker runs the jobs): the report
    # summary's recomputation after a draw's commit is not part of the draw's request
    os.environ["HUEY_IMMEDIATE"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("SHUANGSUIJI_VAR_DIR", str(OUT / "var"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "shuangsuiji.settings"
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- The province ------------------------------------------------------------------------------


def targets_csv(n: int) -> Path:
    """n valid enterprises of the county (the import benchmark's generator, one county)."""
    from bench.import_targets import HEADER, generate_rows

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"drawday_targets_{n}.csv"
    if not path.exists():
        t = time.perf_counter()
        region = HEADER.index("行政区划代码")
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADER)
            for row in generate_rows(n, seed=11):
                row[region] = COUNTY
                writer.writerow(row)
        print(f"  generated {path.name} in {time.perf_counter() - t:.1f} s")
    return path


def build_base(n: int, inspectors: int) -> None:
    from types import SimpleNamespace

    from shuangsuiji.audit.context import acting
    from shuangsuiji.demo import jurisdiction
    from shuangsuiji.imports.runner import create_job, run_import
    from shuangsuiji.items import demo as items_demo

    migrate()
    holder = SimpleNamespace()
    with acting(actor_name="基准测试"):
        j = jurisdiction.build(holder, lambda *_: None)
        items_demo.seed(holder, lambda *_: None)
    path = targets_csv(n)
    t = time.perf_counter()
    job = run_import(create_job(kind="targets", source=path, file_name=path.name, mode="all").pk)
    if job.status != "done":
        raise SystemExit(f"import failed: {job.status} {job.message} {job.errors[:3]}")
    print(f"  imported {job.created_count:,} targets through run_import in {time.perf_counter() - t:.1f} s")
    with acting(actor_name="基准测试"):
        make_inspectors(j, inspectors)


def make_inspectors(j, per_department: int) -> None:
    """``per_department`` inspectors in each of 水务局 and 市场监管局, spread over the units,
    all trained and with the specialties their items require; 1 % inactive, 2 % on leave."""
    from shuangsuiji.inspectors.models import Inspector, LeavePeriod, TrainingRecord
    from shuangsuiji.items.services import published_items
    from shuangsuiji.orgs.models import Organisation

    for digit, key, item in (("1", "water", "SW-002"), ("2", "market", "SC-002")):
        dept = j.department(key)
        units = list(Organisation.objects.filter(parent=dept).order_by("pk")) or [dept]
        tags = list(published_items(dept).get(item__code=item).inspector_requirements.all())
        rows = [
            Inspector(
                certificate_no=f"{COUNTY}{digit}9{k:04d}",
                name=f"检查员{digit}{k:04d}",
                organisation=units[k % len(units)],
                position="执法队员",
                cert_valid_from=dt.date(2024, 1, 1),
                cert_valid_to=dt.date(2030, 12, 31),
                is_active=k % 100 != 99,
            )
            for k in range(per_department)
        ]
        Inspector.objects.bulk_create(rows, batch_size=1000)
        ids = list(
            Inspector.objects.filter(certificate_no__startswith=f"{COUNTY}{digit}9")
            .order_by("certificate_no")
            .values_list("pk", flat=True)
        )
        through = Inspector.specialties.through
        through.objects.bulk_create([through(inspector_id=i, tag_id=t.pk) for i in ids for t in tags], batch_size=2000)
        TrainingRecord.objects.bulk_create(
            [
                TrainingRecord(
                    inspector_id=i, course="行政执法人员资格培训", completed_on=dt.date(2025, 3, 1), hours=16
                )
                for i in ids
            ],
            batch_size=2000,
        )
        today = dt.date.today()
        LeavePeriod.objects.bulk_create(
            [
                LeavePeriod(inspector_id=i, start=today, end=today + dt.timedelta(days=60), reason="年休假")
                for k, i in enumerate(ids)
                if k % 50 == 7
            ]
        )
    # the inspector who signs in for the home page: the first water inspector
    first = Inspector.objects.get(certificate_no=f"{COUNTY}19{0:04d}")
    first.user = j.users["sw_inspector"]
    first.save(update_fields=["user"])
    print(f"  {per_department:,} inspectors in each of 2 departments")


def prepare(args) -> None:
    """Clone the base (built once, in its own process) into the bench database and migrate."""
    import subprocess

    base = f"h_drawday_base_{args.targets}"
    if args.rebuild or not _db_exists(args.server, base):
        with _server_conn(args.server) as conn:
            _drop(conn, base)
            conn.execute(f'CREATE DATABASE "{base}"')
        t = time.perf_counter()
        print(f"building {base} (once) ...", flush=True)
        cmd = [sys.executable, __file__, "--targets", str(args.targets), "--inspectors", str(args.inspectors)]
        subprocess.run([*cmd, "--server", args.server, "--build-base", base], check=True)
        print(f"  built in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    with _server_conn(args.server) as conn:
        _drop(conn, args.db)
        conn.execute(f'CREATE DATABASE "{args.db}" TEMPLATE "{base}"')
    print(f"cloned {base} into {args.db} in {time.perf_counter() - t:.1f} s")
    setup_django(_url(args.server, args.db))
    t = time.perf_counter()
    migrate()
    from django.db import connection

    with connection.cursor() as cur:
        # what autovacuum does in a default configuration after an import (statistics, and the
        # visibility map the freeze's index-only scan of the register reads; this machine's
        # server runs with autovacuum off)
        cur.execute("VACUUM ANALYZE")
    print(f"migrated, vacuumed and analysed in {time.perf_counter() - t:.1f} s")


# --- Measuring ---------------------------------------------------------------------------------


class RssPeak:
    """Peak resident set size above the level at start, sampled every 5 ms (MiB)."""

    def __init__(self):
        self.start = self._rss()
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _run(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def delta_mib(self) -> float:
        return (self.peak - self.start) / 2**20


def timed(fn, *a, **kw):
    gc.collect()
    t = time.perf_counter()
    out = fn(*a, **kw)
    return time.perf_counter() - t, out


def check(response, expected=(200,)):
    if response.status_code not in expected:
        raise SystemExit(f"unexpected {response.status_code} for {response.request.get('PATH_INFO')}")
    return response


# --- The day -----------------------------------------------------------------------------------


def world():
    from shuangsuiji.accounts.models import User
    from shuangsuiji.demo import jurisdiction
    from shuangsuiji.items.services import published_items

    j = jurisdiction.load()
    users = {u.username: u for u in User.objects.all()}
    water, market = j.department("water"), j.department("market")
    return {
        "j": j,
        "users": users,
        "water": water,
        "market": market,
        "sw": published_items(water).get(item__code="SW-002"),
        "sc": published_items(market).get(item__code="SC-002"),
    }


def make_task(w, title: str):
    from django.utils import timezone

    from shuangsuiji.tasks import services
    from shuangsuiji.tasks.services import ItemChoice, ParticipantSpec, TaskSpec

    today = timezone.localdate()
    spec = TaskSpec(
        title=title,
        lead=ParticipantSpec(
            w["water"], [ItemChoice(w["sw"], ["on_site"])], unit=w["users"]["sw_operator"].organisation
        ),
        cooperating=[ParticipantSpec(w["market"], [ItemChoice(w["sc"], ["on_site"])])],
        window_from=today + dt.timedelta(days=7),
        window_to=today + dt.timedelta(days=60),
        strata={k: {"ratio": RATIO, "reserves": RESERVES} for k in "ABCD"},
        population={"target_types": ["enterprise"]},
        source="temporary",
        justification="基准测试：省级联合抽查",
    )
    return services.create_task(spec, w["users"]["sw_operator"])


def run_day_services(w, task, draw=None) -> None:
    """The whole day through the services (for the extra tasks of the home page), the index
    jobs run in this process as the worker would run them."""
    from shuangsuiji.tasks import drawday, indexes, services

    if draw is None:
        draw = drawday.freeze_targets(task, w["users"]["sw_operator"])
    drawday.draw_targets(draw, drawday.parse_entropy(DICE), w["users"]["sw_operator"], witnesses="张三")
    indexes.complete(draw.pk)
    draw.refresh_from_db()
    drawday.confirm(draw, w["water"].pk, w["users"]["sw_admin"])
    drawday.confirm(draw, w["market"].pk, w["users"]["sc_admin"])
    for p in services.participants_lead_first(task):
        admin = w["users"]["sw_admin" if p.department_id == w["water"].pk else "sc_admin"]
        indexes.complete(drawday.draw_inspectors(draw, p, admin).pk)


def engine_baseline(task, w) -> tuple[float, float, int]:
    """The bare engine on the same sizes: the target draw on the task's frame and strata, and
    the assignment of the drawn targets to the lead department's inspectors."""
    from django.utils import timezone

    from shuangsuiji.draw import Frame, Inspector, assign_inspectors, draw_targets
    from shuangsuiji.draw.params import DrawParams, StratumRule
    from shuangsuiji.inspectors.services import draw_candidates
    from shuangsuiji.tasks import population as pop
    from shuangsuiji.tasks.services import assignment_params

    rows = pop.build_population(task, timezone.localdate()).candidates
    ids: dict[str, list[str]] = {}
    for c in rows:
        ids.setdefault(c.stratum, []).append(c.id)
    frame = Frame.from_columns(ids)
    params = DrawParams("BENCH", {k: StratumRule.from_json(v) for k, v in task.strata.items()})
    seed = hashlib.sha256(b"bench seed").digest()
    t_draw, result = timed(draw_targets, frame, params, seed)
    drawn = result.selected_ids()
    participant = task.participants.get(department=w["water"])
    candidates = [Inspector(**c) for c in draw_candidates(w["water"], (task.window_from, task.window_to))]
    t_assign, _ = timed(assign_inspectors, drawn, candidates, assignment_params(task, participant), seed)
    return t_draw, t_assign, len(drawn)


def last_page(draw) -> int:
    from shuangsuiji.web.pagination import PER_PAGE

    n = draw.drawn_targets.filter(replaced_by__isnull=True).count()
    return max(1, -(-n // PER_PAGE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", type=int, default=1_000_000)
    ap.add_argument("--inspectors", type=int, default=1_000, help="per department")
    ap.add_argument("--home-tasks", type=int, default=20, help="tasks the inspector is assigned in")
    ap.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--db", default="h_drawday_bench")
    ap.add_argument("--rebuild", action="store_true", help="build the base database anew")
    ap.add_argument("--build-only", action="store_true", help="build (or clone) the database, run nothing")
    ap.add_argument("--build-base", default="", help=argparse.SUPPRESS)
    ap.add_argument(
        "--profile",
        default="",
        help="steps to run under cProfile, comma-separated (preview, freeze, ceremony, draw, inspectors, index, "
        "sealed, home); BENCH_PYINSTRUMENT=1 for pyinstrument",
    )
    args = ap.parse_args()
    if args.build_base:
        setup_django(_url(args.server, args.build_base))
        build_base(args.targets, args.inspectors)
        return
    print(
        f"drawday bench: {args.targets:,} targets, {args.inspectors:,} inspectors per department, {os.cpu_count()} cpus"
    )
    prepare(args)
    if args.build_only:
        return
    day(args)


def _profiled(name: str, args, fn):
    if name not in args.profile.split(","):
        return fn()
    import cProfile
    import pstats

    from django.db import connection

    queries: list[tuple[float, str]] = []

    def timing(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - start, sql))

    if os.environ.get("BENCH_PYINSTRUMENT"):  # a sampling profiler (not a dependency): less distortion
        from pyinstrument import Profiler

        sampler = Profiler(interval=0.002)
        with connection.execute_wrapper(timing):
            sampler.start()
            out = fn()
            sampler.stop()
        print(sampler.output_text(show_all=False, color=False))
    else:
        prof = cProfile.Profile()
        with connection.execute_wrapper(timing):
            out = prof.runcall(fn)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
    total = sum(t for t, _ in queries)
    print(f"{name}: {len(queries)} queries through Django, {total:.3f} s; the slowest:")
    for t, sql in sorted(queries, reverse=True)[:12]:
        print(f"  {t * 1000:9.1f} ms  {' '.join(sql.split())[:160]}")
    return out


def day(args) -> None:
    from django.test import Client
    from django.urls import reverse

    from shuangsuiji.tasks.models import Draw, DrawKind

    w = world()
    users = w["users"]
    figures: list[tuple[str, float, float | None, str, bool]] = []

    def report(name, seconds, limit, goal, ratio_to=None):
        ratio = seconds / ratio_to if ratio_to else None
        ok = seconds <= limit
        figures.append((name, seconds, ratio, goal, ok))
        extra = f" = {ratio:.2f} × engine" if ratio is not None else ""
        print(f"{name}: {seconds:.3f} s{extra} (goal {goal}) {'ok' if ok else 'OVER'}")

    def index_job(d, what):
        """The draw's index rows, written by the job queue after the request (the worker's
        time, not the request's: information beside the request's figure)."""
        from shuangsuiji.tasks import indexes

        d.refresh_from_db(fields=["index_done", "index_total"])
        pending = not d.index_complete
        secs, written = timed(lambda: _profiled("index", args, lambda: indexes.complete(d.pk)))
        assert pending and written == d.index_total, (pending, written, d.index_total)
        print(f"  index job after the request (worker, not the request): {written:,} {what} in {secs:.3f} s")

    def client_for(username):
        c = Client()
        c.force_login(users[username])
        return c

    task = make_task(w, "省级部门联合抽查（基准）")
    t = time.perf_counter()
    t_engine_draw, t_engine_assign, n_drawn = engine_baseline(task, w)
    print(
        f"engine (same run, same sizes): draw {t_engine_draw:.3f} s, assignment of {n_drawn:,} targets to "
        f"{args.inspectors:,} inspectors {t_engine_assign:.3f} s (baseline built in {time.perf_counter() - t:.1f} s)"
    )

    operator = client_for("sw_operator")
    check(operator.get(reverse("tasks:detail", args=[task.pk])))  # warm up: URL conf, templates
    # preview
    secs, r = timed(lambda: _profiled("preview", args, lambda: operator.get(reverse("tasks:preview", args=[task.pk]))))
    check(r)
    report("preview", secs, 2.0, "≤ 2 s")

    # freeze, with the peak memory (RSS above the level before the request)
    gc.collect()
    with RssPeak() as rss:
        secs, r = timed(
            lambda: _profiled("freeze", args, lambda: operator.post(reverse("tasks:freeze", args=[task.pk])))
        )
    check(r, (302,))
    draw = Draw.objects.get(task=task, kind=DrawKind.TARGETS)
    report("freeze", secs, 3 * t_engine_draw, "≤ 3 × engine draw", t_engine_draw)
    print(f"freeze peak memory (RSS above the level before): {rss.delta_mib:.0f} MiB")

    # ceremony page, twice
    for n in (1, 2):
        secs, r = timed(
            lambda: _profiled("ceremony", args, lambda: operator.get(reverse("tasks:ceremony", args=[draw.pk])))
        )
        check(r)
        report(f"ceremony page (load {n})", secs, 0.2, "≤ 200 ms")

    # the draw
    form = {"witnesses": "张三、李四"}
    for i, e in enumerate(DICE, start=1):
        form.update({f"kind_{i}": e["kind"], f"value_{i}": e["value"], f"source_{i}": e["source"]})
    secs, r = timed(
        lambda: _profiled("draw", args, lambda: operator.post(reverse("tasks:draw_run", args=[draw.pk]), form))
    )
    check(r, (302,))
    draw.refresh_from_db(fields=["status"])
    assert draw.status == "drawn", draw.status
    report("draw", secs, 3 * t_engine_draw, "≤ 3 × engine draw", t_engine_draw)
    index_job(draw, "drawn targets")

    # confirmations (information)
    for admin in ("sw_admin", "sc_admin"):
        secs, r = timed(lambda a=admin: client_for(a).post(reverse("tasks:confirm", args=[draw.pk]), {"note": ""}))
        check(r, (302,))
        print(f"confirm ({admin}): {secs:.3f} s (information)")

    # each department's inspector draw
    for p in task.participants.select_related("department").order_by("role"):
        admin = "sw_admin" if p.department_id == w["water"].pk else "sc_admin"
        c = client_for(admin)
        secs, r = timed(
            lambda c=c, p=p: _profiled(
                "inspectors",
                args,
                lambda: c.post(reverse("tasks:inspectors_draw", args=[draw.pk]), {"participant": p.pk}),
            )
        )
        check(r, (302,))
        idraw = Draw.objects.get(target_draw=draw, department=p.department, status="drawn")
        report(
            f"inspector draw ({p.department.name})",
            secs,
            3 * t_engine_assign,
            "≤ 3 × engine assignment",
            t_engine_assign,
        )
        index_job(idraw, f"group places of {p.department.name}")

    # sealed list: first, middle and last page
    admin = client_for("sw_admin")
    url = reverse("tasks:sealed_list", args=[draw.pk])
    admin.get(url)  # warm the template cache
    secs, r = timed(lambda: _profiled("sealed", args, lambda: admin.get(url)))
    check(r)
    pages = last_page(draw)
    report("sealed list page 1", secs, 0.2, "≤ 200 ms")
    for page in (max(1, pages // 2), pages):
        secs, r = timed(lambda page=page: admin.get(url, {"page": page}))
        check(r)
        report(f"sealed list page {page} of {pages}", secs, 0.2, "≤ 200 ms")

    # the inspector's home page: 1 task now, then --home-tasks
    inspector = client_for("sw_inspector")
    inspector.get("/")
    secs, r = timed(lambda: inspector.get("/"))
    check(r)
    print(f"inspector home page, 1 task: {secs:.3f} s (information)")
    t = time.perf_counter()
    for k in range(2, args.home_tasks + 1):
        extra = make_task(w, f"省级部门联合抽查（基准 {k}）")
        if k == 2:  # the freeze's allocations, traced (slow; not timed)
            from shuangsuiji.tasks import drawday

            gc.collect()
            tracemalloc.start()
            d = drawday.freeze_targets(extra, users["sw_operator"])
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            traced_mib = peak / 2**20
            print(f"freeze peak memory (tracemalloc, allocations during a freeze): {traced_mib:.0f} MiB")
            figures.append(
                ("freeze memory", traced_mib, None, "≤ 300 MiB more", traced_mib <= 300 and rss.delta_mib <= 300)
            )
            run_day_services(w, extra, d)
        else:
            run_day_services(w, extra)
    if args.home_tasks > 1:
        print(f"  {args.home_tasks - 1} more tasks drawn through the services in {time.perf_counter() - t:.1f} s")
    from shuangsuiji.tasks.models import Assignment

    n_tasks = Assignment.objects.filter(inspector__user=users["sw_inspector"]).values("draw__task").distinct().count()
    inspector.get("/")
    for n in (1, 2):
        secs, r = timed(lambda: _profiled("home", args, lambda: inspector.get("/")))
        check(r)
        report(f"inspector home page, {n_tasks} tasks (load {n})", secs, 0.2, "≤ 200 ms")

    print()
    for name, value, ratio, goal, ok in figures:
        unit = "MiB" if name.endswith("memory") else "s"
        r = f" ({ratio:.2f} × engine)" if ratio is not None else ""
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value:.3f} {unit}{r}, goal {goal}")
    print("ALL PASS" if all(f[4] for f in figures) else "SOME FAIL")


if __name__ == "__main__":
    main()
