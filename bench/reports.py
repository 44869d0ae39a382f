"""Benchmark: the annual statistics table (seed 001 annex) and the KPI dashboard for a province,
timed side by side with one hand-written SQL ``GROUP BY`` that computes the same annual table.

    .venv/bin/python bench/reports.py                                  # 1,000,000 results, 300,000 follow-ups
    .venv/bin/python bench/reports.py --results 50000 --followups 15000 \\
        --base h_reports_bench_base_50000                              # 1/20 size

The province (PostgreSQL only): the register and organisations of ``bench/drawday.py``'s base
database (``h_drawday_base_1000000``: 1,000,000 enterprises imported through the import path,
the demo jurisdiction, its users, items and inspectors), cloned with ``CREATE DATABASE …
TEMPLATE`` and migrated. On top of it, written straight into the real tables (INSERT … SELECT,
the rows the services would write): the departments (水利, 市场监管, 自然资源) of three cities
and three counties each under a provincial office; per department ``--tasks-per-dept`` tasks of
2026, 40 % of them joint (a cooperating department of the same region), 90 % stratified by
credit risk; for each task a drawn target draw (5 % of tasks also a voided one), its drawn
targets (0.5 % replaced by a reserve), one inspector draw per participant with an assignment
per target, an inspection record per target, a department result (part) per record and
participant — ``--results`` parts in all, 98 % determined, each with a result code and an item
result —, ``--followups`` follow-ups on the results that found a problem (a third of them
cases, with fines in 万元) and one result publication per determined part with its channels,
deadline and late flag (what ``publicity`` writes; the portal's search index
``PublishedTarget`` is not written: no figure reads it).

These rows bypass the services, so the report summary (``reports/summary.py``) is then rebuilt
from scratch (``summary.rebuild``, as ``manage.py rebuild_report_summary``; timed; with
``--reuse`` when the database has none, or with ``--rebuild-summary``).

Timed (best of ``--repeat``): ``annex.compute("annual", office, 2026)`` (what the form, its
xlsx and PDF show) and ``dashboard.build(office, 2026, today)`` (the screen and its export),
both from the summary, and the hand-written query; once, the live computation of both
(``figures.py``, the reference) and what a change pays after its commit
(``summary.refresh_task`` of the largest task, for a result and for a draw). The bench checks
summary == live == the hand-written queries (annual table and dashboard ratios).
Goal (issue 16): each ≤ 1 s and ≤ 1.5 × the hand-written query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.drawday import _db_exists, _drop, _server_conn, _url, migrate, setup_django  # noqa: E402

YEAR = 2026
CITIES = ("130500", "130100", "130600")  # 邢台 (the demo city), 石家庄, 保定
KINDS = (("water", "水利局"), ("market", "市场监督管理局"), ("natural_resources", "自然资源和规划局"))
OFFICE = "河北省双随机一公开工作领导小组办公室"


def prepare(args) -> None:
    if not _db_exists(args.server, args.base):
        raise SystemExit(f"base database {args.base} missing: build it with bench/drawday.py --build-only")
    t = time.perf_counter()
    with _server_conn(args.server) as conn:
        _drop(conn, args.db)
        conn.execute(f'CREATE DATABASE "{args.db}" TEMPLATE "{args.base}"')
    print(f"cloned {args.base} into {args.db} in {time.perf_counter() - t:.1f} s")
    setup_django(_url(args.server, args.db))
    t = time.perf_counter()
    migrate()
    print(f"migrated in {time.perf_counter() - t:.1f} s")


# --- The province ------------------------------------------------------------------------------


def organisations():
    """The provincial office and the three departments in each city and county of the bench."""
    from shuangsuiji.demo.jurisdiction import DEPARTMENTS, PROVINCE
    from shuangsuiji.orgs.models import DepartmentKind, Organisation, Region
    from shuangsuiji.orgs.services import ensure_organisation

    Kind = Organisation.Kind
    province = Region.objects.get(code=PROVINCE)
    office, _ = ensure_organisation(name=OFFICE, kind=Kind.OFFICE, region=province, is_coordinating_office=True)
    regions = []
    for code in CITIES:
        city = Region.objects.get(code=code)
        counties = list(Region.objects.filter(parent=city).order_by("code")[:3])
        if code == "130500" and not any(c.code == "130534" for c in counties):
            counties = [*counties[:2], Region.objects.get(code="130534")]
        regions.append((city, counties))
    depts: list[Organisation] = []
    for kind_code, suffix in KINDS:
        kind = DepartmentKind.objects.get(code=kind_code)
        top = Organisation.objects.get(region=province, name=DEPARTMENTS[kind_code][PROVINCE])
        for city, counties in regions:
            name = DEPARTMENTS[kind_code].get(city.code, f"{city.name}{suffix}")
            c_dept, _ = ensure_organisation(
                name=name, kind=Kind.DEPARTMENT, region=city, department_kind=kind, parent=top
            )
            depts.append(c_dept)
            for county in counties:
                name = DEPARTMENTS[kind_code].get(county.code, f"{county.name}{suffix}")
                d, _ = ensure_organisation(
                    name=name, kind=Kind.DEPARTMENT, region=county, department_kind=kind, parent=c_dept
                )
                depts.append(d)
    return office, depts


def build(args) -> None:
    from django.db import connection, transaction

    from shuangsuiji.accounts.models import User
    from shuangsuiji.audit.context import acting
    from shuangsuiji.items.models import ItemVersion
    from shuangsuiji.tasks.models import Task, TaskItem, TaskParticipant

    t0 = time.perf_counter()
    with acting(actor_name="基准测试"):
        _office, depts = organisations()
    by_region: dict[str, list] = {}
    for d in depts:
        by_region.setdefault(d.region_id, []).append(d)
    user = User.objects.get(username="sw_admin")
    versions = list(ItemVersion.objects.filter(status="published").select_related("item").order_by("pk"))
    prefix = {"water": "SW", "market": "SC", "natural_resources": "ZR"}

    def version_for(dept):
        code = prefix.get(dept.department_kind.code, "")
        fit = [v for v in versions if code and code in v.item.code] or versions
        return fit[dept.pk % len(fit)]

    tasks, participants = [], []
    k = 0
    for d in depts:
        for i in range(args.tasks_per_dept):
            k += 1
            joint = k % 5 in (0, 1)
            month = 1 + k % 10
            tasks.append(
                Task(
                    code=f"BENCH-{k:05d}",
                    title=f"{d.name}{YEAR}年双随机抽查（基准 {i + 1}）",
                    year=YEAR,
                    region_id=d.region_id,
                    lead=d,
                    is_joint=joint,
                    source="temporary",
                    justification="基准测试",
                    status="drawn",
                    population={"target_types": ["enterprise"]},
                    stratify=k % 10 != 3,
                    strata={"A": {"ratio": "0.05", "reserves": 10}},
                    window_from=dt.date(YEAR, month, 1),
                    window_to=dt.date(YEAR, month, 1) + dt.timedelta(days=45),
                )
            )
            peers = [p for p in by_region[d.region_id] if p.pk != d.pk]
            participants.append((d, peers[k % len(peers)] if joint else None))
    with transaction.atomic():
        Task.objects.bulk_create(tasks)
        parts = []
        for task, (lead, coop) in zip(tasks, participants, strict=True):
            parts.append(TaskParticipant(task=task, department=lead, role="lead"))
            if coop is not None:
                parts.append(TaskParticipant(task=task, department=coop, role="cooperating"))
        TaskParticipant.objects.bulk_create(parts)
        TaskItem.objects.bulk_create(
            [TaskItem(participant=p, item_version=version_for(p.department), methods=["on_site"]) for p in parts]
        )
    per_task = max(1, args.results // len(parts))
    reserves = max(1, per_task // 200)
    print(
        f"  {len(depts)} departments in {len(by_region)} regions, {len(tasks)} tasks "
        f"({sum(1 for _l, c in participants if c)} joint), {per_task:,} targets per task"
    )
    steps = sql_steps(per_task, reserves, args.followups, user.pk)
    with transaction.atomic(), connection.cursor() as cur:
        for label, sql in steps:
            t = time.perf_counter()
            cur.execute(sql)
            print(f"  {label}: {cur.rowcount:,} rows in {time.perf_counter() - t:.1f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"built the province in {time.perf_counter() - t0:.1f} s")
    rebuild_summary()


def rebuild_summary() -> None:
    """The rows above bypass the services: the summary is rebuilt from scratch, as
    ``manage.py rebuild_report_summary`` does."""
    from django.db import connection

    from shuangsuiji.reports import summary

    t = time.perf_counter()
    n = summary.rebuild()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"rebuilt the report summary in {time.perf_counter() - t:.1f} s: {n}", flush=True)


def sql_steps(per_task: int, reserves: int, followups: int, user_id: int) -> list[tuple[str, str]]:
    bench_tasks = "SELECT id, lead_id, is_joint FROM tasks_task WHERE code LIKE 'BENCH-%'"
    drawn_at = "make_timestamptz(2026, (1 + t.id % 10)::int, (1 + t.id % 27)::int, 9, 30, 0.0, 'Asia/Shanghai')"
    draw_cols = (
        "kind, attempt, draw_id, status, population_csv, exclusions_csv, params_json, commitment_json, "
        "commitment_sha256, server_secret, population_count, excluded_count, frozen_at, seed, drawn_at, "
        "witnesses, task_id, department_id, target_draw_id, stratum_counts, frozen_by_id, drawn_by_id"
    )
    return [
        (
            "register map",
            "CREATE TEMP TABLE bench_tmap AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
            "FROM targets_target; CREATE UNIQUE INDEX ON bench_tmap (k); ANALYZE bench_tmap",
        ),
        (
            "inspector map",
            "CREATE TEMP TABLE bench_imap AS SELECT row_number() OVER (ORDER BY id) - 1 AS k, id "
            "FROM inspectors_inspector; CREATE UNIQUE INDEX ON bench_imap (k); ANALYZE bench_imap",
        ),
        (
            "target draws",
            f"INSERT INTO tasks_draw ({draw_cols}) SELECT 'targets', 1, 'BENCH-T-' || t.id, 'drawn', '', '', '', '', "
            f"md5('t' || t.id) || md5('T' || t.id), md5('s' || t.id), {per_task * 20}, 0, "
            f"{drawn_at} - interval '1 hour', "
            f"md5('seed' || t.id), {drawn_at}, '张三、李四', t.id, NULL, NULL, '{{}}', {user_id}, {user_id} "
            f"FROM ({bench_tasks}) t",
        ),
        (
            "voided draws (5 % of tasks)",
            f"INSERT INTO tasks_draw ({draw_cols}) SELECT 'targets', 2, 'BENCH-V-' || t.id, 'void', '', '', '', '', "
            f"md5('v' || t.id) || md5('V' || t.id), md5('w' || t.id), {per_task * 20}, 0, {drawn_at}, '', NULL, '', "
            f"t.id, NULL, NULL, '{{}}', {user_id}, NULL FROM ({bench_tasks}) t WHERE t.id % 20 = 0",
        ),
        (
            "inspector draws",
            f"INSERT INTO tasks_draw ({draw_cols}) "
            "SELECT 'inspectors', 1, 'BENCH-I-' || p.id, 'drawn', '', '', '', '', "
            f"md5('i' || p.id) || md5('I' || p.id), md5('j' || p.id), 100, 0, {drawn_at}, md5('iseed' || p.id), "
            f"{drawn_at} + interval '1 day', '', t.id, p.department_id, d.id, '{{}}', {user_id}, {user_id} "
            "FROM tasks_taskparticipant p JOIN tasks_task t ON t.id = p.task_id "
            "JOIN tasks_draw d ON d.task_id = t.id AND d.kind = 'targets' AND d.status = 'drawn' "
            "WHERE t.code LIKE 'BENCH-%'",
        ),
        (
            "drawn targets (with reserves)",
            "INSERT INTO tasks_drawntarget "
            "(draw_id, target_id, stratum, ticket, position, from_reserve, replaced_reason) "
            f"SELECT d.id, m.id, 'A', md5(d.id || '-' || g), g, g > {per_task}, '' "
            f"FROM tasks_draw d CROSS JOIN generate_series(1, {per_task + reserves}) g "
            "JOIN bench_tmap m ON m.k = (d.task_id * 7919 + g::bigint * 15485863) % (SELECT count(*) FROM bench_tmap) "
            "WHERE d.draw_id LIKE 'BENCH-T-%'",
        ),
        (
            "reserves take the places of the first drawn",
            "UPDATE tasks_drawntarget o SET replaced_by_id = r.id, replaced_reason = '已注销' "
            "FROM tasks_drawntarget r JOIN tasks_draw d ON d.id = r.draw_id AND d.draw_id LIKE 'BENCH-T-%' "
            f"WHERE r.position > {per_task} AND o.draw_id = r.draw_id AND o.position = r.position - {per_task}",
        ),
        (
            "assignments",
            "INSERT INTO tasks_assignment "
            "(draw_id, target_id, inspector_id, is_expert, from_substitution, ended_reason) "
            "SELECT i.id, dt.target_id, im.id, false, false, '' FROM tasks_draw i "
            "JOIN tasks_drawntarget dt ON dt.draw_id = i.target_draw_id AND dt.replaced_by_id IS NULL "
            "JOIN bench_imap im ON im.k = (dt.id * 31 + i.id) % (SELECT count(*) FROM bench_imap) "
            "WHERE i.draw_id LIKE 'BENCH-I-%'",
        ),
        (
            "inspection records",
            "INSERT INTO inspections_inspectionrecord (task_id, target_id, visit_date, place, signature, signer, "
            "witnesses, refusal_note, created_at, updated_at, created_by_id) "
            "SELECT d.task_id, dt.target_id, (d.drawn_at + interval '10 days')::date, '经营场所', 'signed', '负责人', "
            f"'', '', d.drawn_at + interval '10 days', d.drawn_at + interval '10 days', {user_id} "
            "FROM tasks_drawntarget dt JOIN tasks_draw d ON d.id = dt.draw_id "
            "WHERE d.draw_id LIKE 'BENCH-T-%' AND dt.replaced_by_id IS NULL",
        ),
        (
            "department results (parts)",
            "INSERT INTO inspections_departmentpart (record_id, participant_id, department_id, version, "
            "correction_reason, status, note, entered_at, submitted_at, return_reason, determined_at, determined_on, "
            "publication_due_on, created_at, entered_by_id, submitted_by_id, determined_by_id) "
            "SELECT r.id, p.id, p.department_id, 1, '', "
            "CASE WHEN r.id % 50 = 0 THEN 'submitted' ELSE 'determined' END, "
            "'', r.created_at, r.created_at + interval '1 day', '', "
            "CASE WHEN r.id % 50 = 0 THEN NULL ELSE r.created_at + (2 + r.id % 40) * interval '1 day' END, "
            "CASE WHEN r.id % 50 = 0 THEN NULL ELSE (r.created_at + (2 + r.id % 40) * interval '1 day')::date END, "
            "CASE WHEN r.id % 50 = 0 THEN NULL ELSE (r.created_at + (30 + r.id % 40) * interval '1 day')::date END, "
            f"r.created_at, {user_id}, {user_id}, CASE WHEN r.id % 50 = 0 THEN NULL ELSE {user_id} END "
            "FROM inspections_inspectionrecord r JOIN tasks_task t ON t.id = r.task_id AND t.code LIKE 'BENCH-%' "
            "JOIN tasks_taskparticipant p ON p.task_id = t.id",
        ),
        (
            "(the immutability triggers of a part's children are off while they are bulk-written: the parts\n"
            "   are inserted determined rather than written draft and updated; the rows are the same)",
            "ALTER TABLE inspections_partresultcode DISABLE TRIGGER imm_inspections_partresultcode; "
            "ALTER TABLE inspections_itemresult DISABLE TRIGGER imm_inspections_itemresult",
        ),
        (
            "result codes",
            "INSERT INTO inspections_partresultcode (part_id, code_id) SELECT p.id, c.id "
            "FROM inspections_departmentpart p JOIN inspections_resultcode c ON c.code = CASE "
            "WHEN p.id % 100 < 80 THEN '01' WHEN p.id % 100 < 92 THEN '02' WHEN p.id % 100 < 95 THEN '07' "
            "WHEN p.id % 100 < 97 THEN '03' ELSE '05' END "
            "JOIN inspections_inspectionrecord r ON r.id = p.record_id "
            "JOIN tasks_task t ON t.id = r.task_id AND t.code LIKE 'BENCH-%' WHERE p.status = 'determined'",
        ),
        (
            "item results",
            "INSERT INTO inspections_itemresult "
            "(part_id, task_item_id, method, answers, outcome, problem, legal_basis) "
            "SELECT p.id, ti.id, 'on_site', '{}', CASE WHEN c.found_problem THEN 'problem' ELSE 'passed' END, "
            "CASE WHEN c.found_problem THEN '未按规定开展' ELSE '' END, '' "
            "FROM inspections_departmentpart p JOIN inspections_partresultcode pc ON pc.part_id = p.id "
            "JOIN inspections_resultcode c ON c.id = pc.code_id "
            "JOIN tasks_taskitem ti ON ti.participant_id = p.participant_id "
            "JOIN tasks_taskparticipant tp ON tp.id = p.participant_id JOIN tasks_task t ON t.id = tp.task_id "
            "WHERE t.code LIKE 'BENCH-%'",
        ),
        (
            "(immutability triggers back on)",
            "SET CONSTRAINTS ALL IMMEDIATE; "
            "ALTER TABLE inspections_partresultcode ENABLE TRIGGER imm_inspections_partresultcode; "
            "ALTER TABLE inspections_itemresult ENABLE TRIGGER imm_inspections_itemresult",
        ),
        (
            "follow-ups (on results that found a problem)",
            "INSERT INTO followups_followup (number, part_id, target_id, department_id, type_id, summary, opened_on, "
            "due_on, case_number, decision, fine_wan, other_text, status, closed_on, closed_at, outcome, created_at, "
            "updated_at, created_by_id, closed_by_id) "
            "SELECT 'BENCH-F-' || p.id || '-' || g, p.id, r.target_id, p.department_id, ft.id, '发现问题', "
            "p.determined_on, p.determined_on + 30, "
            "CASE WHEN ft.kind = 'case' THEN '冀水罚〔2026〕' || p.id ELSE '' END, "
            "'', CASE WHEN ft.kind = 'case' THEN ((p.id % 500) / 100.0 + 0.5)::numeric(12, 4) END, '', "
            "CASE WHEN p.id % 5 < 3 THEN 'closed' ELSE 'open' END, "
            "CASE WHEN p.id % 5 < 3 THEN p.determined_on + 20 END, "
            "CASE WHEN p.id % 5 < 3 THEN p.determined_at + interval '20 days' END, "
            "CASE WHEN p.id % 5 < 3 THEN '已整改' ELSE '' END, "
            f"p.determined_at, p.determined_at, {user_id}, CASE WHEN p.id % 5 < 3 THEN {user_id} END "
            "FROM inspections_departmentpart p JOIN inspections_partresultcode pc ON pc.part_id = p.id "
            "JOIN inspections_resultcode c ON c.id = pc.code_id AND c.found_problem "
            "JOIN inspections_inspectionrecord r ON r.id = p.record_id "
            "JOIN tasks_task t ON t.id = r.task_id AND t.code LIKE 'BENCH-%' "
            "CROSS JOIN generate_series(1, 2) g "
            "JOIN followups_followuptype ft ON ft.code = CASE WHEN g = 1 THEN (CASE WHEN p.id % 3 = 0 THEN "
            "(CASE WHEN p.id % 2 = 0 THEN '03' ELSE '04' END) ELSE '01' END) "
            "ELSE (CASE WHEN p.id % 4 = 0 THEN '07' ELSE '02' END) END "
            f"ORDER BY p.id, g LIMIT {followups}",
        ),
        ("result publications (90 % of determined results)", PUBLICATIONS_SQL.format(user_id=user_id)),
    ]


# What publicity.services.publish_result writes for a determined part: its record, channels,
# deadline (the part's publication_due_on) and late flag; 90 % of results published, 1 in 6 late.
PUBLICATIONS_SQL = """
INSERT INTO publicity_publication (kind, subject_id, version, correction_reason, year, title, record,
    record_sha256, channels, determined_on, due_on, late, published_at, department_id, published_by_id,
    region_id, task_id, part_id)
SELECT 'result', r.id || '-' || p.department_id, 1, '', t.year, '检查结果 ' || r.id, jsonb_build_object(
        'part_version', 1, 'target', r.target_id, 'determined_on', p.determined_on),
    md5(p.id::text) || md5('r' || p.id), CASE p.id % 4 WHEN 0 THEN '["gsxt", "department"]'::jsonb
        WHEN 1 THEN '["gsxt"]' WHEN 2 THEN '["professional", "department"]'
        ELSE '["gsxt", "professional", "creditchina"]' END,
    p.determined_on, p.publication_due_on, p.determined_on + (p.id % 35)::int > p.publication_due_on,
    p.determined_at + (p.id % 35) * interval '1 day', p.department_id, {user_id}, d.region_id, t.id, p.id
FROM inspections_departmentpart p
JOIN inspections_inspectionrecord r ON r.id = p.record_id
JOIN tasks_task t ON t.id = r.task_id AND t.code LIKE 'BENCH-%'
JOIN orgs_organisation d ON d.id = p.department_id
WHERE p.status = 'determined' AND p.id % 10 <> 9
"""


# --- The hand-written query --------------------------------------------------------------------

HAND_SQL = """
SELECT x.is_joint, x.level,
       count(DISTINCT x.task_id) FILTER (WHERE x.src = 't') AS batches,
       count(*) FILTER (WHERE x.src = 't') AS targets,
       count(*) FILTER (WHERE x.src = 'p' AND x.channel = 'gsxt') AS gsxt,
       count(*) FILTER (WHERE x.src = 'p' AND x.channel = 'professional') AS professional,
       count(*) FILTER (WHERE x.src = 'p' AND x.channel = 'department') AS department,
       count(*) FILTER (WHERE x.src = 'f') AS cases,
       coalesce(sum(x.fine) FILTER (WHERE x.src = 'f'), 0) AS fines
FROM (
    SELECT 't' AS src, t.is_joint, lr.level, t.id AS task_id, NULL::numeric AS fine, NULL::bigint AS target_id,
           NULL::text AS channel
    FROM tasks_drawntarget dt
    JOIN tasks_draw d ON d.id = dt.draw_id AND d.kind = 'targets' AND d.status = 'drawn'
    JOIN tasks_task t ON t.id = d.task_id AND t.year = %(year)s
    JOIN orgs_organisation lead ON lead.id = t.lead_id
    JOIN orgs_region lr ON lr.code = lead.region_id AND lr.path LIKE %(path)s
    WHERE dt.replaced_by_id IS NULL
  UNION ALL
    SELECT 'p', t.is_joint, lr.level, NULL, NULL, r.target_id, ch
    FROM publicity_publication pub
    CROSS JOIN jsonb_array_elements_text(pub.channels) ch
    JOIN inspections_departmentpart p ON p.id = pub.part_id AND p.status = 'determined'
    JOIN tasks_taskparticipant tp ON tp.id = p.participant_id AND tp.role = 'lead'
    JOIN inspections_inspectionrecord r ON r.id = p.record_id
    JOIN tasks_task t ON t.id = r.task_id AND t.year = %(year)s
    JOIN orgs_organisation lead ON lead.id = t.lead_id
    JOIN orgs_region lr ON lr.code = lead.region_id AND lr.path LIKE %(path)s
    WHERE pub.kind = 'result'
      AND EXISTS (SELECT 1 FROM tasks_draw d WHERE d.task_id = t.id AND d.kind = 'targets' AND d.status = 'drawn')
      AND NOT EXISTS (SELECT 1 FROM publicity_withdrawal w WHERE w.publication_id = pub.id AND w.status = 'approved')
  UNION ALL
    SELECT 'f', t.is_joint, lr.level, NULL, f.fine_wan, NULL, NULL
    FROM followups_followup f
    JOIN followuptype_case ft ON ft.id = f.type_id
    JOIN inspections_departmentpart p ON p.id = f.part_id
    JOIN orgs_organisation pd ON pd.id = p.department_id
    JOIN orgs_region pr ON pr.code = pd.region_id AND pr.path LIKE %(path)s
    JOIN inspections_inspectionrecord r ON r.id = p.record_id
    JOIN tasks_task t ON t.id = r.task_id AND t.year = %(year)s
    JOIN orgs_organisation lead ON lead.id = t.lead_id
    JOIN orgs_region lr ON lr.code = lead.region_id
) x
WHERE x.level IN ('city', 'county')
GROUP BY x.is_joint, x.level
"""


def hand_query(office) -> dict:
    from django.db import connection

    from shuangsuiji.reports.figures import CASE_TYPES

    sql = HAND_SQL.replace(
        "followuptype_case ft ON ft.id = f.type_id",
        "followups_followuptype ft ON ft.id = f.type_id AND ft.code IN ("
        + ", ".join(f"'{c}'" for c in CASE_TYPES)
        + ")",
    )
    with connection.cursor() as cur:
        cur.execute(sql, {"year": YEAR, "path": office.region.path + "%"})
        rows = cur.fetchall()
    out = {}
    for joint, level, batches, targets, gsxt, professional, department, cases, fines in rows:
        out[(joint, level)] = {
            "batches": batches,
            "targets": targets,
            "gsxt": gsxt,
            "professional": professional,
            "department": department,
            "cases": cases,
            "fines": fines,
        }
    return out


# The dashboard's ratios, hand-written (a check, not timed): numerator and denominator of each
# KPI in the dashboard's order, from the same rules as figures.py's docstrings.
DASH_SQL = """
WITH b AS (
    SELECT d.id, t.id AS task_id, t.is_joint, t.stratify, t.lead_id
    FROM tasks_draw d JOIN tasks_task t ON t.id = d.task_id AND t.year = %(year)s
    JOIN orgs_organisation lead ON lead.id = t.lead_id
    JOIN orgs_region lr ON lr.code = lead.region_id AND lr.path LIKE %(path)s
    WHERE d.kind = 'targets' AND d.status = 'drawn'
), p AS (
    SELECT p.id, p.determined_on, p.publication_due_on, t.window_to
    FROM inspections_departmentpart p
    JOIN orgs_organisation pd ON pd.id = p.department_id
    JOIN orgs_region pr ON pr.code = pd.region_id AND pr.path LIKE %(path)s
    JOIN inspections_inspectionrecord r ON r.id = p.record_id
    JOIN tasks_task t ON t.id = r.task_id AND t.year = %(year)s
    WHERE p.status = 'determined'
), pub AS (
    SELECT pub.part_id, bool_or(NOT pub.late) AS on_time
    FROM publicity_publication pub LEFT JOIN publicity_withdrawal w ON w.publication_id = pub.id
    WHERE pub.kind = 'result' AND (w.id IS NULL OR w.status <> 'approved') GROUP BY pub.part_id
), f AS (
    SELECT f.closed_at, f.due_on FROM followups_followup f
    JOIN inspections_departmentpart p ON p.id = f.part_id
    JOIN orgs_organisation pd ON pd.id = p.department_id
    JOIN orgs_region pr ON pr.code = pd.region_id AND pr.path LIKE %(path)s
    JOIN inspections_inspectionrecord r ON r.id = p.record_id
    JOIN tasks_task t ON t.id = r.task_id AND t.year = %(year)s
), leads AS (
    SELECT dt.target_id, count(DISTINCT b.lead_id) AS n FROM tasks_drawntarget dt JOIN b ON b.id = dt.draw_id
    WHERE dt.replaced_by_id IS NULL GROUP BY dt.target_id
)
SELECT (SELECT count(*) FILTER (WHERE is_joint) FROM b), (SELECT count(*) FROM b),
       (SELECT count(*) FILTER (WHERE stratify) FROM b), (SELECT count(*) FROM b),
       (SELECT count(*) FROM p WHERE p.id IN (
            SELECT pc.part_id FROM inspections_partresultcode pc
            JOIN inspections_resultcode c ON c.id = pc.code_id AND c.found_problem
            UNION SELECT part_id FROM inspections_itemresult WHERE outcome = 'problem')),
       (SELECT count(*) FROM p),
       (SELECT count(*) FILTER (WHERE p.determined_on <= p.window_to) FROM p), (SELECT count(*) FROM p),
       (SELECT count(*) FILTER (WHERE pub.on_time) FROM p LEFT JOIN pub ON pub.part_id = p.id),
       (SELECT count(*) FILTER (WHERE pub.part_id IS NOT NULL OR p.publication_due_on < %(today)s)
            FROM p LEFT JOIN pub ON pub.part_id = p.id),
       (SELECT count(*) FILTER (WHERE closed_at IS NOT NULL) FROM f), (SELECT count(*) FROM f),
       (SELECT count(*) FILTER (WHERE closed_at IS NULL AND due_on < %(today)s) FROM f), (SELECT count(*) FROM f),
       (SELECT count(*) FILTER (WHERE n > 1) FROM leads), (SELECT count(*) FROM leads)
"""


def dashboard_check(office, today, data) -> list[str]:
    """The dashboard's ratios against DASH_SQL: a list of differences (empty: the same figures)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(DASH_SQL, {"year": YEAR, "path": office.region.path + "%", "today": today})
        ref = cur.fetchone()
    diffs = []
    for i, k in enumerate(data["kpis"]):
        want = (ref[2 * i], ref[2 * i + 1])
        if (k.numerator, k.denominator) != want:
            diffs.append(f"{k.key}: dashboard {k.numerator}/{k.denominator} ≠ query {want[0]}/{want[1]}")
    return diffs


# --- Measuring ---------------------------------------------------------------------------------


def best_of(n: int, fn):
    times, out = [], None
    for _ in range(n):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    in_order = ", ".join(f"{x:.3f}" for x in times)
    times.sort()
    print(f"  runs in order: {in_order} s (median {times[len(times) // 2]:.3f} s)", flush=True)
    return min(times), out


def compare(table: dict, hand: dict) -> list[str]:
    from decimal import Decimal

    from shuangsuiji.reports.annex import ANNUAL_ROWS

    diffs = []
    for key, _a, _b, joint, level in ANNUAL_ROWS:
        mine = table["rows"][key]
        zero = {"batches": 0, "targets": 0, "gsxt": 0, "professional": 0, "department": 0, "cases": 0}
        ref = hand.get((joint, level), {**zero, "fines": Decimal(0)})
        for col in zero:
            if mine[col] != ref[col]:
                diffs.append(f"{key}.{col}: table {mine[col]} ≠ query {ref[col]}")
        if Decimal(mine["fines"]) != Decimal(ref["fines"]).quantize(Decimal("0.0001")):
            diffs.append(f"{key}.fines: table {mine['fines']} ≠ query {ref['fines']}")
    return diffs


def time_queries(name: str, fn, *, explain: bool = False) -> None:
    """Each query of one call of ``fn``, timed (``connection.execute_wrapper``), slowest first;
    with ``explain`` also the EXPLAIN (ANALYZE, BUFFERS) of the three slowest."""
    from django.db import connection

    from shuangsuiji.reports.figures import heavy_reads

    seen: list[tuple[float, str, object]] = []

    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append((time.perf_counter() - t, sql, params))

    t = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        fn()
    total = time.perf_counter() - t
    print(f"\n{name}: {len(seen)} queries, {sum(s for s, _q, _p in seen):.3f} s of {total:.3f} s")
    for secs, sql, _p in sorted(seen, key=lambda x: -x[0])[:12]:
        print(f"  {secs:7.3f} s  {' '.join(sql.split())[:220]}")
    if explain:
        for _secs, sql, params in sorted(seen, key=lambda x: -x[0])[:3]:
            with heavy_reads(), connection.cursor() as cur:  # the session settings the query ran with
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join(r[0] for r in cur.fetchall()))
            print()


def refresh_cost(office) -> None:
    """What a state change pays after its commit: ``summary.refresh_task`` of the largest task,
    a result's change (its rows only) and a draw's (also the kept tables of its year and
    departments: workload, businesses per lead, repeat figures of the scopes), each timed inside
    a transaction rolled back, the rows checked unchanged by it."""
    from django.db import transaction
    from django.db.models import Count

    from shuangsuiji.inspections.models import DepartmentPart
    from shuangsuiji.reports import summary
    from shuangsuiji.reports.models import TaskFigures

    task_id, n = DepartmentPart.objects.values_list("record__task_id").annotate(n=Count("pk")).order_by("-n").first()
    cols = ("department_id", "results", "problems", "published", "follow_ups", "targets")
    before = sorted(TaskFigures.objects.filter(task_id=task_id).values_list(*cols))
    for label, kept in (("a result, publication or follow-up", False), ("a draw", True)):
        times, same = [], True
        for _ in range(3):
            with transaction.atomic():
                t = time.perf_counter()
                summary.refresh_task(task_id, kept=kept)
                times.append(time.perf_counter() - t)
                same &= before == sorted(TaskFigures.objects.filter(task_id=task_id).values_list(*cols))
                transaction.set_rollback(True)
        print(
            f"refresh_task after {label}, task {task_id} ({n:,} results): "
            + ", ".join(f"{x:.3f}" for x in sorted(times))
            + f" s ({'same rows' if same else 'DIFFERENT ROWS'})",
            flush=True,
        )


def _tuned(fn):
    from shuangsuiji.reports.figures import heavy_reads

    with heavy_reads():
        return fn()


def run(args) -> bool:
    from django.utils import timezone

    from shuangsuiji.orgs.models import Organisation
    from shuangsuiji.reports import annex, dashboard, figures
    from shuangsuiji.reports.models import ReportKind

    office = Organisation.objects.select_related("region").get(name=OFFICE)
    today = timezone.localdate()
    annual = lambda: annex.compute(ReportKind.ANNUAL, office, YEAR)  # noqa: E731
    board = lambda: dashboard.build(office, YEAR, today)  # noqa: E731
    if args.profile:
        import cProfile
        import pstats

        for name, fn in (("annual", annual), ("dashboard", board)):
            if name in args.profile.split(","):
                prof = cProfile.Profile()
                prof.runcall(fn)
                pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        for name, fn in (("annual", annual), ("dashboard", board)):
            if f"{name}-queries" in args.profile.split(","):
                time_queries(name, fn, explain="explain" in args.profile.split(","))
    refresh_cost(office)
    print("live (figures.py, the reference; once):")
    t_live_annual, live_table = best_of(1, lambda: _tuned(lambda: figures.annual_table(office, YEAR)))
    t_live_board, live_data = best_of(1, lambda: dashboard.build(office, YEAR, today, live=True))
    print("hand-written GROUP BY, then with heavy_reads' settings:")
    t_hand, hand = best_of(args.repeat, lambda: hand_query(office))
    t_hand_tuned, _ = best_of(args.repeat, lambda: _tuned(lambda: hand_query(office)))
    print("annual table, dashboard (from the summary):")
    t_annual, table = best_of(args.repeat, annual)
    t_board, data = best_of(args.repeat, board)
    diffs = compare(table, hand)
    live_rows = {key: {**live_table[(j, lv)], "fines": str(live_table[(j, lv)]["fines"])}
                 for key, _a, _b, j, lv in annex.ANNUAL_ROWS}  # fmt: skip
    if live_rows != table["rows"]:
        diffs.append(f"summary {table['rows']} ≠ live {live_rows}")
    board_diffs = dashboard_check(office, today, data)
    for name in ("batches", "kpis", "coverage", "workload"):
        mine, ref = data[name], live_data[name]
        if name == "kpis":
            mine, ref = (
                [(k.key, k.numerator, k.denominator) for k in mine],
                [(k.key, k.numerator, k.denominator) for k in ref],
            )
        if mine != ref:
            board_diffs.append(f"{name}: summary {str(mine)[:300]} ≠ live {str(ref)[:300]}")
    print()
    print(f"annual table, {office.name} {YEAR}:")
    for key, _a, label, _j, _l in annex.ANNUAL_ROWS:
        row = table["rows"][key]
        print(f"  {label}: " + ", ".join(f"{c} {row[c]}" for c in annex.ANNUAL_COLUMNS))
    print(f"dashboard: {data['batches']} batches; " + "; ".join(f"{k.label} {k.percent}" for k in data["kpis"]))
    print("same figures as the hand-written query" if not diffs else "DIFFERENT FIGURES:\n  " + "\n  ".join(diffs))
    print(
        "same dashboard ratios as the hand-written check"
        if not board_diffs
        else "DIFFERENT DASHBOARD RATIOS:\n  " + "\n  ".join(board_diffs)
    )
    print()
    ok = not diffs and not board_diffs
    print(
        f"hand-written GROUP BY: {t_hand:.3f} s (with the reports' session settings, figures.heavy_reads: "
        f"{t_hand_tuned:.3f} s)"
    )
    print(f"live (reference, not the goal): annual table {t_live_annual:.3f} s, dashboard {t_live_board:.3f} s")
    for name, secs in (("annual table", t_annual), ("dashboard", t_board)):
        ratio = secs / t_hand if t_hand else float("inf")
        good = secs <= 1.0 and ratio <= 1.5
        ok &= good
        print(f"{'PASS' if good else 'FAIL'}  {name}: {secs:.3f} s = {ratio:.2f} × hand-written (goal ≤ 1 s, ≤ 1.5 ×)")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("ALL PASS" if ok else "SOME FAIL")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--results", type=int, default=1_000_000, help="department results (parts)")
    ap.add_argument("--followups", type=int, default=300_000)
    ap.add_argument("--tasks-per-dept", type=int, default=10)
    ap.add_argument("--base", default="h_drawday_base_1000000", help="bench/drawday.py's base database")
    ap.add_argument("--server", default="postgres://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--db", default="h_reports_bench")
    ap.add_argument("--reuse", action="store_true", help="time an already built --db again")
    ap.add_argument("--rebuild-summary", action="store_true", help="--reuse: rebuild the report summary first")
    ap.add_argument("--add-publications", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument(
        "--profile",
        default="",
        help="annual,dashboard: a cProfile of each first; annual-queries,dashboard-queries[,explain]: each query timed",
    )
    args = ap.parse_args()
    print(f"reports bench: {args.results:,} results, {args.followups:,} follow-ups, {os.cpu_count()} cpus")
    if args.reuse:
        setup_django(_url(args.server, args.db))
        migrate()
        from shuangsuiji.reports.models import TaskFigures

        if args.rebuild_summary or not TaskFigures.objects.exists():
            rebuild_summary()
        if args.add_publications:  # a --db built before publications had their part
            from django.db import connection

            from shuangsuiji.accounts.models import User

            user = User.objects.get(username="sw_admin")
            with connection.cursor() as cur:
                cur.execute(PUBLICATIONS_SQL.format(user_id=user.pk))
                print(f"  result publications: {cur.rowcount:,} rows")
                cur.execute("ANALYZE")
    else:
        prepare(args)
        build(args)
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
