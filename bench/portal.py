"""Benchmark: the public portal (/gongshi/) at province size, under load, against the framework's floor.

    .venv/bin/python bench/portal.py                                   # 1,000,000 businesses, 3,000,000 results
    .venv/bin/python bench/portal.py --businesses 50000 --results 150000 --duration 8   # quick run
    .venv/bin/python bench/portal.py ... --explain                     # + queries per page, EXPLAIN ANALYZE

The province (built once into ``h_portal_bench_<businesses>_<results>``, ``--rebuild`` to build
it anew): the demo jurisdiction (organisations, users, published item lists) and three
departments (市场监督管理局, 水务局, 应急管理局) in each of the nine counties of the register's
generator; ``--businesses`` enterprises of ``bench/import_targets.generate_rows`` (real USCC
check digits, realistic names) written with COPY; twelve tasks made through the task service
(``bench/drawday.make_task``); then ``--results`` determined results published the way
``publicity.services.publish_result`` writes them — a frozen national-table record (检查实施机关,
类型, 日期, 结果, 备注, items and their results, the business, the task), channels, deadline and
lateness, one ``PublishedTarget`` row each — by INSERT … SELECT: the department of the
business's county, years 2023–2026, the public result categories in realistic shares (70 %
未发现问题 …), 1 % corrected (a version 2 beside the original), 0.1 % withdrawn.

Then the production server, as tests/test_production.py starts it: DEBUG off, ``check --deploy``,
``collectstatic`` into the manifest storage, gunicorn (``-w 4`` as the README), with the
settings ``bench.portal_settings`` (the product's, plus the floor view of ``bench/portal_urls``
and a public rate limit of 10⁹ requests a minute: the rate-limit middleware still counts every
request). ``wrk`` (Debian package, installed with apt-get when missing) with 16 connections
runs each page after a warm-up on other URLs and a new publication generation: a **cold** pass
(one wrk thread walks the page's URLs in order, so every request is the first visit of its
URL: a page-cache miss; it stops when every URL has been answered, and requests/s is counted
over the walk's own time) and a **warm** pass over the URLs the cold pass
visited for ``--duration`` seconds, the server left to settle between passes. Before the
server starts, the pages' tables and indexes are read into PostgreSQL's buffers as far as they
fit (``pg_prewarm``: a server that has been serving, not one just started; ``--no-prewarm``
leaves them as they are); the report prints ``shared_buffers``, ``random_page_cost`` (README:
1.1 with the data in memory) and what was read. Up to ``--urls``
(5,000) distinct URLs per page: USCCs and businesses (disjoint samples of the businesses the
portal shows), 2,760 3-character fragments, a department's list by year and page (2,700). A Lua
``done()`` prints p50/p95/p99, requests/s and how many answers came from the portal's page
cache (``X-Portal-Cache: hit`` / ``miss``, publicity/pagecache.py). "Cold" is the page cache's
state; PostgreSQL's buffers and the OS cache are whatever the machine holds. The server uses
Redis (``--redis``, default the local one) for the rate-limit counters and the page cache, as
the README's production section says; ``--workers``: gunicorn's worker options.

Pages: the floor (a view returning a constant), search by USCC, search by a 3-character name
fragment, a business page, a department's result list (by year, pages 1–20), plus, not part of the goal,
the department list filtered by a result category, a county's list, a county's list and the list of
all publications filtered by a result category. Goal per page: p95 ≤ 50 ms
and requests/s ≥ 0.5 × the floor's, measured in the same run. The machine's load average is
printed before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
COUNTIES = ["130534", "130531", "130532", "130533", "130535", "130581", "130582", "130502", "130503"]
DEPARTMENTS = ["市场监督管理局", "水务局", "应急管理局"]  # shares of the results: 2 : 1 : 1
TASKS = 12
P95_GOAL_MS = 50.0
FLOOR_RATIO_GOAL = 0.5

# (share in %, public result, inspected: items answered)
RESULTS = [
    (70, "未发现问题", True),
    (8, "发现问题", True),
    (10, "发现问题经责令已改正", True),
    (5, "未发现开展本次抽查涉及的经营活动", False),
    (4, "通过登记的住所（经营场所）无法联系", False),
    (2, "已关闭停业或正在组织清算", False),
    (1, "注销", False),
]
ITEMS = {
    "市场监督管理局": [("SC-001", "企业公示信息情况的检查"), ("SC-002", "产品质量监督抽查")],
    "水务局": [("SW-001", "取水许可情况的检查"), ("SW-002", "水土保持方案落实情况的检查")],
    "应急管理局": [("YJ-001", "安全生产许可情况的检查"), ("YJ-002", "危险化学品经营许可情况的检查")],
}


# --- Database ----------------------------------------------------------------------------------


def _setup_django(db_url: str) -> None:
    from bench.drawday import setup_django

    setup_django(db_url)


def _targets(n: int) -> None:
    """n enterprises of the register's generator, written with COPY (the columns the import writes)."""
    from django.db import connection

    from bench.import_targets import generate_rows

    t = time.perf_counter()
    cols = (
        "code, uscc, name, target_type, legal_representative, business_scope, address, region_id, industry_id,"
        " registration_status, established_on, risk_class, risk_source, abnormal_operation, serious_violation,"
        " complaint_count, created_at, updated_at"
    )
    with connection.cursor() as cur, cur.cursor.copy(f"COPY targets_target ({cols}) FROM STDIN") as copy:
        for row in generate_rows(n, seed=15):
            name, code, _, rep, address, region, industry, _, est, risk, _, _, complaints = row
            source = "市场监管部门信用风险分类结果"
            row = [code, code, name, "enterprise", rep, "", address, region, industry, "active", est, risk, source]
            copy.write_row([*row, False, False, int(complaints), "now", "now"])
    print(f"  {n:,} businesses by COPY in {time.perf_counter() - t:.1f} s", flush=True)


def _departments() -> list[tuple[int, str, str, int]]:
    """(department id, region code, name, k) for the three departments of each county."""
    from shuangsuiji.orgs.models import Organisation, Region

    out = []
    for code in COUNTIES:
        region = Region.objects.get(code=code)
        for k, suffix in enumerate(DEPARTMENTS):
            name = f"{region.name}{suffix}"
            dept = Organisation.objects.filter(region=region, name=name).first()
            if dept is None:
                dept = Organisation.objects.create(name=name, kind=Organisation.Kind.DEPARTMENT, region=region)
            out.append((dept.pk, code, name, k))
    return out


def _tasks() -> list[tuple[int, str, str]]:
    from bench.drawday import make_task, world

    w = world()
    titles = ["双随机抽查", "产品质量专项抽查", "安全生产联合抽查", "水资源管理抽查"]
    out = []
    for i in range(TASKS):
        task = make_task(w, f"2026年度{titles[i % len(titles)]}（第{i + 1}批）")
        out.append((task.pk, task.code, task.title))
    return out


_RESULT_CASE = "CASE " + " ".join(
    f"WHEN r100 < {sum(s for s, _, _ in RESULTS[: i + 1])} THEN '{label}'" for i, (_, label, _) in enumerate(RESULTS)
)
_INSPECTED = "r100 < " + str(sum(s for s, _, inspected in RESULTS if inspected))
_ITEM_CASE = "CASE WHEN r100 < 70 THEN '未发现问题' ELSE '发现问题' END"

PUBLISH = f"""
INSERT INTO publicity_publication (kind, subject_id, version, correction_reason, department_id, region_id, year,
    task_id, title, record, record_sha256, channels, determined_on, due_on, late, published_at, published_by_id)
SELECT 'result', g::text || '-' || d.dept_id, 1, '', d.dept_id, d.region_id, p.year, tk.task_id,
    left(t.name || ' · ' || tk.title, 300), r.rec, encode(sha256(convert_to(r.rec::text, 'UTF8')), 'hex'),
    CASE WHEN g %% 3 = 0 THEN '["gsxt", "creditchina", "department"]'::jsonb ELSE '["gsxt", "creditchina"]'::jsonb END,
    p.det, p.det + 28, p.det + p.lag > p.det + 28,
    ((p.det + p.lag)::timestamp + make_interval(secs => 28800 + (g * 37) %% 36000)) AT TIME ZONE 'Asia/Shanghai', NULL
FROM generate_series(%(lo)s, %(hi)s) AS g
CROSS JOIN LATERAL (
    SELECT %(tmin)s + (g::bigint * 7919) %% %(n)s AS tid, (g * 7) %% 100 AS r100, 2023 + g %% 4 AS year,
        CASE WHEN g %% 4 < 2 THEN 0 ELSE g %% 4 - 1 END AS k, (g * 13) %% 31 AS lag
) AS q
JOIN targets_target t ON t.id = q.tid
JOIN bench_dept d ON d.region_id = t.region_id AND d.k = q.k
JOIN bench_task tk ON tk.k = g %% {TASKS}
CROSS JOIN LATERAL (
    SELECT q.year, q.r100, q.lag, make_date(q.year, 1 + g %% 11, 1 + g %% 28) AS det
) AS p
CROSS JOIN LATERAL (
    SELECT jsonb_build_object(
        'authority', d.name,
        'type', '双随机抽查',
        'date', (p.det - 1)::text,
        'result', {_RESULT_CASE.replace("r100", "p.r100")} END,
        'remark', CASE WHEN p.r100 BETWEEN 88 AND 99 THEN '经现场核查，情况属实。' ELSE '' END,
        'items', CASE WHEN {_INSPECTED.replace("r100", "p.r100")} THEN jsonb_build_array(
            jsonb_build_object('code', i.c1, 'name', i.n1, 'result', {_ITEM_CASE.replace("r100", "p.r100")}),
            jsonb_build_object('code', i.c2, 'name', i.n2, 'result', '未发现问题')) ELSE '[]'::jsonb END,
        'target_name', t.name,
        'target_code', t.code,
        'task_id', tk.task_id,
        'task_code', tk.code,
        'task_title', tk.title,
        'plan_id', NULL,
        'plan_title', '',
        'determined_on', p.det::text,
        'part_version', 1,
        'redacted', '[]'::jsonb
    ) AS rec
    FROM bench_item i WHERE i.k = d.k
) AS r
"""

CORRECT = """
INSERT INTO publicity_publication (kind, subject_id, version, corrects_id, correction_reason, department_id,
    region_id, year, task_id, title, record, record_sha256, channels, determined_on, due_on, late, published_at,
    published_by_id)
SELECT kind, subject_id, 2, id, '整改已完成，结果更正', department_id, region_id, year, task_id, title,
    r.rec, encode(sha256(convert_to(r.rec::text, 'UTF8')), 'hex'), channels, determined_on, due_on, late,
    published_at + interval '10 days', NULL
FROM publicity_publication p
CROSS JOIN LATERAL (SELECT p.record || '{"result": "发现问题经责令已改正", "part_version": 2}'::jsonb AS rec) AS r
WHERE p.kind = 'result' AND p.version = 1 AND p.id % 100 = 50
"""

WITHDRAW = """
INSERT INTO publicity_withdrawal (publication_id, reason, status, requested_at, decided_at, decision_note)
SELECT id, '认定主体错误，经上一级批准撤回', 'approved', published_at + interval '3 days',
    published_at + interval '5 days', ''
FROM publicity_publication p
WHERE p.kind = 'result' AND p.version = 1 AND p.id % 1000 = 7
"""

NAME = """
INSERT INTO publicity_publishedtarget (publication_id, target_id, code, name)
SELECT p.id, t.id, t.code, t.name
FROM publicity_publication p
JOIN targets_target t ON t.id = %(tmin)s + (split_part(p.subject_id, '-', 1)::bigint * 7919) %% %(n)s
WHERE p.kind = 'result'
"""


def _secondary_indexes(cur, tables) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of ``tables`` that back no constraint."""
    cur.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = ANY(%s) AND NOT EXISTS (
               SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [list(tables)],
    )
    return cur.fetchall()


def _publish(n: int, results: int) -> None:
    from django.db import connection, transaction

    t0 = time.perf_counter()
    depts, tasks = _departments(), _tasks()
    with connection.cursor() as cur:
        cur.execute("SELECT min(id) FROM targets_target")
        tmin = cur.fetchone()[0]
        cur.execute("CREATE TEMP TABLE bench_dept (dept_id bigint, region_id varchar(6), name text, k int)")
        cur.executemany("INSERT INTO bench_dept VALUES (%s, %s, %s, %s)", depts)
        cur.execute("CREATE TEMP TABLE bench_task (k int, task_id bigint, code text, title text)")
        cur.executemany("INSERT INTO bench_task VALUES (%s, %s, %s, %s)", [(k, *t) for k, t in enumerate(tasks)])
        cur.execute("CREATE TEMP TABLE bench_item (k int, c1 text, n1 text, c2 text, n2 text)")
        rows = [(k, *ITEMS[s][0], *ITEMS[s][1]) for k, s in enumerate(DEPARTMENTS)]
        cur.executemany("INSERT INTO bench_item VALUES (%s, %s, %s, %s, %s)", rows)
        cur.execute("ANALYZE targets_target")
        tables = ("publicity_publication", "publicity_publishedtarget", "publicity_currentname")
        indexes = _secondary_indexes(cur, tables)
        for name, _ in indexes:  # build them once at the end, not row by row
            cur.execute(f'DROP INDEX "{name}"')
        chunk = 500_000
        for lo in range(1, results + 1, chunk):
            hi = min(results, lo + chunk - 1)
            with transaction.atomic():
                cur.execute(PUBLISH, {"lo": lo, "hi": hi, "tmin": tmin, "n": n})
            print(f"  published results {lo:,}–{hi:,} ({time.perf_counter() - t0:.0f} s)", flush=True)
        cur.execute(CORRECT)
        print(f"  {cur.rowcount:,} corrections beside their originals", flush=True)
        cur.execute(WITHDRAW)
        print(f"  {cur.rowcount:,} withdrawn (approved, notice only)", flush=True)
        cur.execute(NAME, {"tmin": tmin, "n": n})
        print(f"  {cur.rowcount:,} published names ({time.perf_counter() - t0:.0f} s)", flush=True)
        # the portal's search table, from the live definition (services keeps it so afterwards)
        from shuangsuiji.publicity import published

        sql, params = published.current_names().query.sql_with_params()
        cur.execute("DELETE FROM publicity_currentname")
        cur.execute("INSERT INTO publicity_currentname (target_id, code, name) " + sql, params)
        print(f"  {cur.rowcount:,} current names ({time.perf_counter() - t0:.0f} s)", flush=True)
        for name, definition in indexes:
            t = time.perf_counter()
            cur.execute(definition)
            print(f"  index {name} in {time.perf_counter() - t:.1f} s", flush=True)
        cur.execute("VACUUM ANALYZE publicity_publication")
        cur.execute("VACUUM ANALYZE publicity_publishedtarget")
        cur.execute("VACUUM ANALYZE targets_target")
        cur.execute("VACUUM ANALYZE publicity_currentname")
        cur.execute("ANALYZE publicity_withdrawal")  # (3,000 rows the planner otherwise takes for 2)
    print(f"  publications built in {time.perf_counter() - t0:.1f} s", flush=True)


def build(args) -> None:
    from types import SimpleNamespace

    from django.core.management import call_command

    from shuangsuiji.audit.context import acting
    from shuangsuiji.demo import jurisdiction
    from shuangsuiji.items import demo as items_demo

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    holder = SimpleNamespace()
    with acting(actor_name="基准测试"):
        jurisdiction.build(holder, lambda *_: None)
        items_demo.seed(holder, lambda *_: None)
    print(f"  migrated, demo jurisdiction in {time.perf_counter() - t:.1f} s", flush=True)
    _targets(args.businesses)
    with acting(actor_name="基准测试"):
        _publish(args.businesses, args.results)


def prepare(args) -> str:
    import psycopg

    name = f"h_portal_bench_{args.businesses}_{args.results}"
    url = args.server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(args.server, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if args.rebuild or not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"building {name} ...", flush=True)
            cmd = [sys.executable, __file__, "--businesses", str(args.businesses), "--results", str(args.results)]
            subprocess.run([*cmd, "--server", args.server, "--build-into", url], check=True)
    return url


# --- The pages ---------------------------------------------------------------------------------


def pages(url: str, n: int, seed: int = 7) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each page's request paths (``n`` of each where the province has them: businesses, codes,
    fragments; a department's list by year and page), and a second, disjoint set for the
    warm-up (the workers import, connect and fill their caches on other URLs than those measured)."""
    import psycopg

    from shuangsuiji.demo.realistic import BRANDS

    rng = random.Random(seed)
    with psycopg.connect(url) as conn:
        # businesses the portal shows: named by a publication that is not withdrawn (one named
        # only by withdrawn results answers 404, a fast page that is not what is measured);
        # distinct businesses, disjoint between the USCC search, the business page and the warm-up
        rows = conn.execute(
            "SELECT DISTINCT ON (target_id) target_id, code FROM publicity_publishedtarget t TABLESAMPLE SYSTEM (2)"
            " REPEATABLE (7) WHERE NOT EXISTS (SELECT 1 FROM publicity_withdrawal w"
            " WHERE w.publication_id = t.publication_id AND w.status = 'approved') ORDER BY target_id"
        ).fetchall()
        depts = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM orgs_organisation o WHERE EXISTS "
                "(SELECT 1 FROM publicity_publication p WHERE p.department_id = o.id) ORDER BY id"
            )
        ]
    rng.shuffle(rows)
    warm_n = 200
    if len(rows) < 2 * n + 2 * warm_n:
        raise SystemExit(f"only {len(rows)} businesses sampled for 2 × {n} URLs")
    by_code, by_page = rows[:n], rows[n : 2 * n]
    warm_rows = rows[2 * n : 2 * n + 2 * warm_n]
    # 3-character fragments of the names (河北<brand><brand>制品有限公司<n>): one brand and the
    # first character of the next, or a brand's last character and the next brand (each names
    # about 1/1,500 of the businesses: 600 at province size)
    fragments = sorted({a + b[0] for a in BRANDS for b in BRANDS} | {a[-1] + b for a in BRANDS for b in BRANDS})
    rng.shuffle(fragments)
    warm_fragments, fragments = fragments[:warm_n], fragments[warm_n : warm_n + n]
    years = ["", *(f"&year={y}" for y in range(2023, 2027))]
    dept_pages = [
        f"/gongshi/departments/{d}/?kind=result{y}&page={p}" for d in depts for y in years for p in range(1, 21)
    ]
    rng.shuffle(dept_pages)
    categories = [label for _, label, _ in RESULTS]
    measured = {
        "floor (constant view)": ["/bench/floor/"],
        "search by USCC": [f"/gongshi/search/?q={code}" for _, code in by_code],
        "search by 3-char name fragment": [f"/gongshi/search/?q={quote(f)}" for f in fragments],
        "business page": [f"/gongshi/businesses/{pk}/" for pk, _ in by_page],
        "department result list": dept_pages[:n],
        "(extra) department list, result filter": _shuffled(
            rng,
            [
                f"/gongshi/departments/{d}/?kind=result&result={quote(c)}{y}"
                for d in depts
                for y in years
                for c in categories
            ],
        ),
        "(extra) county list": _shuffled(
            rng, [f"/gongshi/regions/{c}/?page={p}{y}" for c in COUNTIES for y in years for p in range(1, 21)]
        ),
        "(extra) county list, result filter": _shuffled(
            rng, [f"/gongshi/regions/{c}/?result={quote(r)}{y}" for c in COUNTIES for y in years for r in categories]
        ),
        "(extra) all publications, result filter": _shuffled(
            rng,
            [
                f"/gongshi/publications/?result={quote(r)}{y}&page={p}"
                for y in years
                for r in categories
                for p in (1, 2)
            ],
        ),
    }
    warm = {
        "floor (constant view)": ["/bench/floor/"],
        "search by USCC": [f"/gongshi/search/?q={code}" for _, code in warm_rows[:warm_n]],
        "search by 3-char name fragment": [f"/gongshi/search/?q={quote(f)}" for f in warm_fragments],
        "business page": [f"/gongshi/businesses/{pk}/" for pk, _ in warm_rows[warm_n:]],
        "department result list": [f"/gongshi/departments/{d}/?kind=result&page={p}" for d in depts for p in (21, 22)],
        "(extra) department list, result filter": [
            f"/gongshi/departments/{d}/?kind=result&result=%E6%B3%A8%E9%94%80" for d in depts
        ],
        "(extra) county list": [f"/gongshi/regions/{c}/?page=21" for c in COUNTIES],
        "(extra) county list, result filter": [
            f"/gongshi/regions/{c}/?result=%E6%B3%A8%E9%94%80&page=2" for c in COUNTIES
        ],
        "(extra) all publications, result filter": [
            f"/gongshi/publications/?result={quote(r)}&page=3" for r in categories
        ],
    }
    return measured, warm


def _shuffled(rng, paths: list[str]) -> list[str]:
    rng.shuffle(paths)
    return paths


GOAL_PAGES = ("search by USCC", "search by 3-char name fragment", "business page", "department result list")

LUA = """
local paths = {%(paths)s}
local walk = %(walk)s
wrk.headers["Host"] = "%(host)s"
wrk.headers["X-Forwarded-Proto"] = "https"
local threads = {}
local nthreads = %(threads)d
setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
local i = 0
local share = 0
hits, misses, answered, started, stopped = 0, 0, 0, 0, 0
-- wall-clock seconds (wrk's Lua has no clock of its own; read twice per thread)
local function now()
  local f = io.popen("date +%%s.%%N")
  local t = tonumber(f:read("*l"))
  f:close()
  return t
end
init = function(args)
  if walk then
    i = tid - nthreads  -- thread k walks paths k, k + T, k + 2T, ...: each URL once, in order
    share = math.floor((#paths - tid) / nthreads) + 1  -- ... and stops when it has its share's answers
    started = now()
  else
    math.randomseed(os.time() + tonumber(tostring({}):match("0x(%%x+)") or "0", 16) %% 100000)
    i = math.random(#paths)
  end
end
request = function()
  if walk then
    i = i + nthreads
    if i > #paths then i = tid end  -- (the set exhausted: hits from here on, the hit rate says so)
  else
    i = i %% #paths + 1
  end
  return wrk.format("GET", paths[i])
end
-- the page cache's answer (X-Portal-Cache: hit / miss; none: not cached), counted per thread
response = function(status, headers, body)
  local state = headers["X-Portal-Cache"]
  if state == "hit" then hits = hits + 1 elseif state == "miss" then misses = misses + 1 end
  answered = answered + 1
  if walk and stopped == 0 and answered >= share then
    stopped = now()
    wrk.thread:stop()
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  local h, m = 0, 0
  local walked = {}
  -- a walk that every thread finished: its requests over the time from the first start to the
  -- last stop (wrk's own duration runs on to -d); else wrk's duration
  local seconds = summary.duration / 1e6
  local first, last = math.huge, 0
  for _, t in ipairs(threads) do
    h = h + t:get("hits"); m = m + t:get("misses"); table.insert(walked, t:get("answered"))
    local s, f = t:get("started"), t:get("stopped")
    if s > 0 and s < first then first = s end
    if f == 0 then last = math.huge elseif f > last then last = f end
  end
  if walk and last < math.huge and last > first then seconds = last - first end
  io.write(string.format("RESULT %%d %%d %%d %%.2f %%.2f %%.2f %%.2f %%d %%d\\n", summary.requests, seconds * 1e6,
    e.status + e.connect + e.read + e.write + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests / seconds, h, m))
  io.write("WALKED " .. table.concat(walked, " ") .. "\\n")
end
"""
THREADS = 2


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get) ...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk") or "wrk"


def run_wrk(
    wrk: str, base: str, host: str, paths: list[str], seconds: int, tmp: Path, warm_up=False, walk=False, extra=False
) -> dict:
    """16 connections for ``seconds``, each request another path of ``paths``; ``walk``: one
    thread walks ``paths`` in order and stops when each has been answered, so every URL is
    visited once (``visited``: the paths answered, what the page cache now holds)."""
    # a walk runs in one wrk thread: it stops once, all its connections at the same moment (a
    # thread that stopped before another left connections open without a request, and each
    # held a sync worker until wrk exited: stalls of 1–3 s in the other thread's requests)
    threads = 1 if walk else THREADS
    script = tmp / f"page_{abs(hash((paths[0], walk)))}.lua"
    lua = {"paths": ", ".join(f'"{p}"' for p in paths), "host": host, "walk": str(walk).lower(), "threads": threads}
    script.write_text(LUA % lua)
    cmd = [wrk, "-t", str(threads), "-c", "16", "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script), base]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    m = re.search(r"^RESULT (.*)$", done.stdout, re.M)
    if not m:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    n, _, errors, p50, p95, p99, rps, hits, misses = (float(x) for x in m.group(1).split())
    if not n and not (warm_up or extra):  # (an extra page may answer nothing within the window)
        raise SystemExit(f"wrk sent no request:\n{done.stdout}\n{done.stderr}")
    walked = [int(x) for x in re.search(r"^WALKED (.*)$", done.stdout, re.M).group(1).split()]
    visited = [p for k, p in enumerate(paths) if k // threads < walked[k % threads]]
    figures = {"requests": int(n), "errors": int(errors), "p50": p50, "p95": p95, "p99": p99, "rps": rps}
    return figures | {"hits": int(hits), "misses": int(misses), "visited": visited if walk else paths}


def server(url: str, port: int, tmp: Path, redis: str = "", workers: str = "-w 4"):
    """The production server of tests/test_production.py, with the bench's settings; with
    ``redis`` (as production should run: README) the rate-limit counters and the portal's page
    cache live there, else in files and per-worker memory."""
    from tests.test_production import GUNICORN, HOST, _manage

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHUANGSUIJI_", "DJANGO_", "DEBUG"))}
    env.update(
        DATABASE_URL=url,
        SECRET_KEY="portal-bench-" + "k" * 50,
        ALLOWED_HOSTS=HOST,
        SHUANGSUIJI_SECURE_COOKIES="1",
        SHUANGSUIJI_VAR_DIR=str(tmp / "var"),
        STATIC_ROOT=str(tmp / "static"),
        DJANGO_SETTINGS_MODULE="bench.portal_settings",
    )
    env.pop("REDIS_URL", None)
    if redis:
        env["SHUANGSUIJI_REDIS_URL"] = redis
    _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "collectstatic", "--noinput", "-v", "0")
    # a new publication generation: no page an earlier run cached is served in this one
    _manage(env, "shell", "-c", "from shuangsuiji.publicity import pagecache; pagecache.bump()")
    log = open(tmp / "gunicorn.log", "w+")  # noqa: SIM115 (closed by the caller)
    proc = subprocess.Popen(
        [GUNICORN, "shuangsuiji.wsgi", "-b", f"127.0.0.1:{port}", *workers.split()],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    import requests

    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
            answer = requests.get(base + "/bench/floor/", headers=headers, timeout=30)
            if answer.status_code == 200:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("gunicorn did not answer:\n" + (tmp / "gunicorn.log").read_text())
        time.sleep(0.5)
    return proc, log, base, HOST, env


def new_generation(env) -> None:
    """A new publication generation: every cached page is out of date (what a publication does)."""
    from tests.test_production import _manage

    _manage(env, "shell", "-c", "from shuangsuiji.publicity import pagecache; pagecache.bump()")


def settle(base: str, host: str, limit: float = 30.0) -> float:
    """Wait until the server is idle again (the misses still in the workers when wrk stopped
    would otherwise be measured in the next pass): three floor requests in a row under 25 ms.
    Returns the seconds waited."""
    import requests

    t0 = time.monotonic()
    fast = 0
    while fast < 3 and time.monotonic() - t0 < limit:
        t = time.monotonic()
        requests.get(base + "/bench/floor/", headers={"Host": host, "X-Forwarded-Proto": "https"}, timeout=60)
        fast = fast + 1 if time.monotonic() - t < 0.025 else 0
        time.sleep(0.05)
    return time.monotonic() - t0


def check_pages(base: str, host: str, all_pages: dict[str, list[str]]) -> None:
    """Every page answers 200 with content (a 404 or a redirect would be measured fast)."""
    import requests

    for name, paths in all_pages.items():
        for path in paths[:3]:
            answer = requests.get(
                base + path, headers={"Host": host, "X-Forwarded-Proto": "https"}, timeout=60, allow_redirects=False
            )
            if answer.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {answer.status_code}")
        if name == "search by 3-char name fragment" and "/gongshi/businesses/" not in answer.text:
            raise SystemExit(f"{name}: {path} found nothing")


def explain(url: str, all_pages: dict[str, list[str]]) -> None:
    """Queries per page (in-process, Django's test client) and EXPLAIN ANALYZE of the slowest."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="testserver")
    for name, paths in all_pages.items():
        if name.startswith("floor"):
            continue
        with CaptureQueriesContext(connection) as ctx:
            client.get(paths[1])
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        print(f"\n== {name}: {paths[1]} — {len(ctx.captured_queries)} queries, slowest {slowest['time']} s")
        with connection.cursor() as cur:
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
            print("\n".join(r[0] for r in cur.fetchall()))


# what the measured pages read (their tables and, through pg_index, the tables' indexes)
PAGE_TABLES = [
    "publicity_publication",
    "publicity_currentname",
    "publicity_publishedtarget",
    "publicity_withdrawal",
    "targets_target",
    "orgs_organisation",
    "orgs_region",
    "inspections_resultcode",
]


def prewarm(url: str) -> str:
    """Read what the pages read into PostgreSQL's buffers (``pg_prewarm``): the state of a
    server that has been serving the portal, not of one just started. Indexes first, then
    tables, smallest first, as long as they fit in nine tenths of ``shared_buffers``. Returns
    the server's ``shared_buffers`` and what was read, for the report."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
        page_cost = conn.execute("SHOW random_page_cost").fetchone()[0]
        budget = (
            0.9
            * conn.execute("SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'").fetchone()[0]
        )
        rels = conn.execute(
            "SELECT c.oid::regclass::text, pg_relation_size(c.oid), c.relkind = 'i' FROM pg_class c"
            " LEFT JOIN pg_index i ON i.indexrelid = c.oid LEFT JOIN pg_class t ON t.oid = i.indrelid"
            " WHERE c.relkind IN ('r', 'i') AND coalesce(t.relname, c.relname) = ANY(%s)"
            " ORDER BY c.relkind <> 'i', pg_relation_size(c.oid)",
            [PAGE_TABLES],
        ).fetchall()
        read, skipped = 0, []
        for name, size, _ in rels:
            if read + size > budget:
                skipped.append(f"{name} ({size / 2**20:,.0f} MiB)")
                continue
            conn.execute("SELECT pg_prewarm(%s::regclass)", [name])
            read += size
    note = (
        f"shared_buffers {buffers}, random_page_cost {page_cost}; prewarmed {read / 2**20:,.0f} MiB"
        " of the pages' tables and indexes"
    )
    return note + (f", not: {', '.join(skipped)}" if skipped else "")


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _row(name: str, f: dict, floor: float, urls: int) -> str:
    ratio = f["rps"] / floor if floor else 0.0
    answered = f["hits"] + f["misses"]
    rate = f"{100 * f['hits'] / answered:5.1f} %" if answered else "—"
    cells = f"{f['p50']:8.1f} {f['p95']:8.1f} {f['p99']:8.1f} {f['rps']:8.1f} {ratio:7.2f} {f['errors']:6d}"
    return f"{name:42} {cells} {rate:>11} {f['requests']:9d} {urls:6d}"


def measure(args, url: str) -> None:
    all_pages, warm_pages = pages(url, args.urls)
    if args.explain:
        _setup_django(url)
        explain(url, warm_pages)
    warmed = prewarm(url) if args.prewarm else "shared_buffers as the server had them (no prewarm)"
    print(f"  {warmed}", flush=True)
    wrk = ensure_wrk()
    cold, warm = {}, {}
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as d:
        tmp = Path(d)
        proc, log, base, host, env = server(url, args.port, tmp, args.redis, args.workers)
        try:
            check_pages(base, host, warm_pages)  # (the warm-up URLs: the measured ones stay unvisited)
            for paths in warm_pages.values():  # warm-up: every worker imports, connects, fills caches
                run_wrk(wrk, base, host, paths, 3, tmp, warm_up=True)
            new_generation(env)  # then every measured page's first visit is a miss
            settle(base, host)
            before = load()
            floor_f = run_wrk(wrk, base, host, all_pages["floor (constant view)"], args.duration, tmp)
            for name, paths in all_pages.items():
                if name.startswith("floor"):
                    continue
                # cold: the first visit of each URL after the new generation (the threads walk the
                # set, each URL once); warm: the URLs the cold pass visited, again, in random order
                extra = name not in GOAL_PAGES
                settle(base, host)
                cold[name] = run_wrk(wrk, base, host, paths, args.duration, tmp, walk=True, extra=extra)
                visited = cold[name]["visited"] or paths[:1]
                settle(base, host)
                warm[name] = run_wrk(wrk, base, host, visited, args.duration, tmp, extra=extra)
                print(
                    f"  {name}: cold {cold[name]['requests']} requests ({len(visited)} of {len(paths)} URLs),"
                    f" p95 {cold[name]['p95']:.1f} ms; warm p95 {warm[name]['p95']:.1f} ms",
                    flush=True,
                )
            after = load()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            log.close()
    print(
        f"\nportal bench: {args.businesses:,} businesses, {args.results:,} results, wrk 16 connections, "
        f"gunicorn {args.workers}; cold: each URL once after a new publication generation; warm: the same "
        f"URLs again for {args.duration} s; load average before {before}, after {after}"
    )
    print(f"server: {'Redis ' + args.redis if args.redis else 'no Redis (file counters, per-worker page cache)'}")
    print(f"database: {warmed}")
    head = f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'req/s':>8} {'×floor':>7} {'errors':>6} {'cache hits':>11}"
    print(f"{'page':42} {head} {'requests':>9} {'URLs':>6}")
    floor = floor_f["rps"]
    print(_row("floor (constant view)", floor_f, floor, 1))
    verdicts = []
    for label, figures in (("cold", cold), ("warm", warm)):
        for name, f in figures.items():
            print(_row(f"{name} [{label}]", f, floor, len(set(cold[name]["visited"]))))
            if name in GOAL_PAGES:
                ratio = f["rps"] / floor if floor else 0.0
                ok = f["p95"] <= P95_GOAL_MS and ratio >= FLOOR_RATIO_GOAL and not f["errors"]
                verdicts.append((f"{name} [{label}]", ok, f, ratio))
    print(f"\ngoal: p95 ≤ {P95_GOAL_MS:.0f} ms and req/s ≥ {FLOOR_RATIO_GOAL} × floor ({floor:.1f} req/s)")
    for name, ok, f, ratio in verdicts:
        print(
            f"{'PASS' if ok else 'FAIL'} {name}: p95 {f['p95']:.1f} ms (goal ratio {f['p95'] / P95_GOAL_MS:.2f}), "
            f"{ratio:.2f} × floor"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--businesses", type=int, default=1_000_000)
    ap.add_argument("--results", type=int, default=3_000_000)
    ap.add_argument("--duration", type=int, default=15, help="seconds of load per page (floor, warm passes)")
    ap.add_argument("--urls", type=int, default=5000, help="distinct URLs per page (where the province has them)")
    ap.add_argument("--workers", default="-w 4", help="gunicorn's worker options (README: -w 4)")
    ap.add_argument("--port", type=int, default=8140)
    ap.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/0",
        help="Redis of the server (rate limit, page cache) as in production; '' for files and memory",
    )
    ap.add_argument(
        "--no-prewarm",
        dest="prewarm",
        action="store_false",
        help="leave PostgreSQL's buffers as they are (default: read the pages' tables and indexes first)",
    )
    ap.add_argument("--rebuild", action="store_true", help="build the database anew")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--explain", action="store_true", help="queries per page and EXPLAIN ANALYZE of the slowest")
    ap.add_argument("--build-into", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build_into:
        _setup_django(args.build_into)
        build(args)
        return
    url = prepare(args)
    if not args.build_only:
        measure(args, url)


if __name__ == "__main__":
    main()
