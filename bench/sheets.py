"""Benchmark of the 一企一表 print job (not a test). Run from the repository root:

    .venv/bin/python bench/sheets.py                  # 1,000 sheets
    .venv/bin/python bench/sheets.py --sheets 50000   # once: the provincial task (≤ 45 min)

A synthetic joint task (two departments, one item each with its sub-items, legal bases and an
eight-field check form, two inspectors per department and target, every sheet with its own
target name, code and people) goes through the job's own path: ``services.render_files``
(chunks of sheets → Typst PDFs, one volume of ``--per-file`` sheets each, stored under each
department's folder) and ``services.write_zip`` (deflated to disk as it goes). The sheets are
built directly from the synthetic task, not read from a database (``sheets.build_sheets`` runs a
constant number of queries per chunk and is tested in tests/tasks/test_sheets.py).

The job runs in a child process, as in the huey worker: peak memory is that process's maximum
resident set size (``ru_maxrss``), Django and the fonts included. Per-sheet time is each
volume's render time divided by its sheets; the median is over the volumes.
Goals (issue 11): median ≤ 50 ms per sheet, 50,000 sheets ≤ 45 min, peak ≤ 500 MiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangsuiji.settings")
os.environ.setdefault("SHUANGSUIJI_TESTING", "1")  # settings without a production secret; no database is used

GOAL_MEDIAN_MS = 50.0
GOAL_50K_S = 45 * 60
GOAL_RSS_MIB = 500.0


def synthetic_task():
    from shuangsuiji.tasks import sheets as s

    task = SimpleNamespace(
        code="320000-2026-001",
        title="2026年度全省水务与市场监管部门联合双随机抽查",
        is_joint=True,
        window_from=dt.date(2026, 3, 1),
        window_to=dt.date(2026, 6, 30),
    )
    labels = [
        "是否依法取得取水许可证",
        "取水计量设施是否安装并正常运行",
        "取水量是否超过许可水量",
        "是否按规定缴纳水资源费",
        "现场检查照片",
        "检查发现的其他情况",
        "许可证编号",
        "实际取水量（立方米）",
    ]

    def fields():
        out = []
        for n, label in enumerate(labels):
            yes_no = n < 4
            out.append(
                s.Field(
                    n + 1,
                    label,
                    "是/否" if yes_no else ("附件" if n == 4 else "文本"),
                    n % 2 == 0,
                    "对照许可证核查" if n == 1 else "",
                    ("是", "否") if yes_no else (),
                    n == 4,
                )
            )
        return tuple(out)

    def item(prefix, k, name):
        form = s.Form(f"{prefix}-F{k}", f"{name}检查记录表", 1, "检查表", "按项逐一检查并勾选", fields())
        return s.Item(
            f"{prefix}-00{k}",
            name,
            "一般检查事项",
            1,
            ("实地检查", "书面检查"),
            (
                s.SubItem(f"{prefix}-00{k}-01", "许可情况", "检查是否依法取得许可并在有效期内"),
                s.SubItem(f"{prefix}-00{k}-02", "设施运行情况", "检查相关设施安装运行情况"),
            ),
            ("《中华人民共和国水法》第四十八条", "《取水许可和水资源费征收管理条例》第四十三条"),
            (form,),
        )

    depts = (
        ("江苏省水利厅", "SW", item("SW", 1, "对取用水行为的监督检查"), "水政监察总队"),
        ("江苏省市场监督管理局", "SC", item("SC", 2, "登记事项检查"), ""),
    )
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"

    def sheet(i: int) -> s.Sheet:
        departments = []
        for n, (name, _prefix, it, unit) in enumerate(depts):
            people = tuple(
                s.Person(
                    f"{surnames[(i * 3 + n * 7 + k) % 20]}{given[(i * 7 + k * 11 + n) % 20]}{given[(i + k + n) % 20]}",
                    f"32{n}{i:09d}{k}",
                    f"{name}执法{'一二三四五'[i % 5]}处",
                    False,
                    i % 13 == 0 and k == 1,
                )
                for k in range(2)
            )
            departments.append(
                s.Department(
                    n + 1,
                    "一二"[n],
                    name,
                    "lead" if n == 0 else "cooperating",
                    "牵头部门" if n == 0 else "配合部门",
                    unit,
                    (it,),
                    f"{task.code}-T1-P{n + 1}-1",
                    people,
                    "",
                )
            )
        target = s.TargetDetails(
            i,
            f"913200{i:011d}X",
            f"913200{i:011d}X",
            f"江苏第{i}号{'水务科技建设环保机械食品'[i % 6 * 2 : i % 6 * 2 + 2]}有限公司",
            f"{surnames[i % 20]}{given[i % 20]}",
            f"江苏省南京市玄武区中山路{i % 900 + 1}号{i % 30 + 1}幢",
            "水处理设备销售；环保技术咨询；市政工程施工；自来水生产与供应",
            "企业法人",
            "江苏省 南京市 玄武区",
            "D46 水的生产和供应业",
            "B类（一般风险）",
        )
        return s.Sheet(
            s.sheet_number(task, i),
            i,
            "第二层（B类）",
            i % 17 == 0,
            task,
            f"{task.code}-T1",
            target,
            tuple(departments),
        )

    return task, [name for name, *_ in depts], sheet


def child(n: int, per_file: int | None, out_dir: str, result_path: str) -> None:
    import django

    django.setup()
    from shuangsuiji.printing import render, services

    task, dept_names, make_sheet = synthetic_task()
    per_file = per_file or services.sheets_per_file()
    files = []
    for start in range(1, n + 1, per_file):
        ids = list(range(start, min(start + per_file, n + 1)))
        names = [f"{k:02d}-{d}/{d}-第{start // per_file + 1:03d}册.pdf" for k, d in enumerate(dept_names, 1)]
        files.append(services.PlannedFile(names, f"一企一表 {task.code}", ids))
    job = SimpleNamespace(
        requested_by=SimpleNamespace(display_name="基准测试"),
        created_at=dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC),
        mark="保密 · 下载人：基准测试（bench） · 2026-12-01 16:00:00 · 未经批准不得复制、传播",
    )
    per_sheet_ms: list[float] = []
    per_sheet_cpu_ms: list[float] = []
    real_render = render.render_pdf

    def timed(sheet_list, **kw):  # times each volume's rendering (the PDF engine's share)
        t, c = time.perf_counter(), time.process_time()
        pdf = real_render(sheet_list, **kw)
        per_sheet_ms.append((time.perf_counter() - t) * 1000 / max(len(sheet_list), 1))
        per_sheet_cpu_ms.append((time.process_time() - c) * 1000 / max(len(sheet_list), 1))
        return pdf

    services.render_pdf = timed
    source = lambda ids: {i: make_sheet(i) for i in ids}  # noqa: E731
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    path = Path(out_dir) / "bench.zip"
    done, count = services.write_zip(path, services.render_files(job, files, source), readme="bench")
    total = time.perf_counter() - t0
    result = {
        "sheets": done,
        "per_file": per_file,
        "pdfs": count,
        "total_s": total,
        "cpu_s": time.process_time() - cpu0,
        "median_ms": statistics.median(per_sheet_ms),
        "median_cpu_ms": statistics.median(per_sheet_cpu_ms),
        "p90_ms": statistics.quantiles(per_sheet_ms, n=10)[-1] if len(per_sheet_ms) > 1 else per_sheet_ms[0],
        "zip_mib": path.stat().st_size / 2**20,
    }
    Path(result_path).write_text(json.dumps(result))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sheets", type=int, default=1000)
    ap.add_argument("--per-file", type=int, help="sheets per PDF volume (default: SHUANGSUIJI_PRINT_SHEETS_PER_FILE)")
    ap.add_argument("--keep", help="keep the ZIP in this directory")
    a = ap.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cpus, load {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = a.keep or tmp
        result_path = os.path.join(tmp, "result.json")
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                child(a.sheets, a.per_file, out_dir, result_path)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 1
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            sys.exit("the worker failed")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        r = json.loads(Path(result_path).read_text())
    n = r["sheets"]
    print(f"sheets {n} in volumes of {r['per_file']}, PDFs in the ZIP {r['pdfs']}, ZIP {r['zip_mib']:.1f} MiB")
    print(f"load average after {os.getloadavg()} (the machine's 2 cores are shared)")
    med = r["median_ms"]
    print(
        f"median per sheet {med:.1f} ms (p90 {r['p90_ms']:.1f} ms)"
        f"  goal ≤ {GOAL_MEDIAN_MS:.0f} ms  ratio {med / GOAL_MEDIAN_MS:.2f}; CPU {r['median_cpu_ms']:.1f} ms"
    )
    per_50k = GOAL_50K_S * n / 50_000
    print(
        f"total {r['total_s']:.1f} s wall ({r['total_s'] / n * 1000:.1f} ms/sheet), {r['cpu_s']:.1f} s CPU"
        f"  goal ≤ {per_50k:.0f} s for {n} sheets (45 min per 50,000)  ratio {r['total_s'] / per_50k:.2f}"
    )
    print(f"peak RSS of the worker {peak:.0f} MiB  goal ≤ {GOAL_RSS_MIB:.0f} MiB  ratio {peak / GOAL_RSS_MIB:.2f}")


if __name__ == "__main__":
    main()
