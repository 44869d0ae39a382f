"""The KPI dashboard: what the screen and the xlsx export show, from ``figures.py`` only
(one function builds both, so they cannot differ)."""

from __future__ import annotations

import datetime as dt
import io

import xlsxwriter

from shuangsuiji.reports import figures as f


def build(org, year: int, today: dt.date, *, live: bool = False) -> dict:
    """The dashboard's data from the summary kept current (``summary.py``); ``live``: computed
    from the records by ``figures.py`` (the reference: the same figures, a million rows read)."""
    if live:
        with f.heavy_reads():
            return _build_live(org, year, today)
    from shuangsuiji.reports import summary

    facts = summary.Facts(org, year, today)
    return _data(org, year, facts.batches(), facts.kpis(), facts.coverage(), facts.workload())


def _build_live(org, year: int, today: dt.date) -> dict:
    batches = f.batch_facts(org, year)
    return _data(
        org,
        year,
        len({b.task_id for b in batches if b.level in f.LEVELS}),
        f.kpis(org, year, today, batches),
        f.item_coverage(org, year, batches),
        f.inspector_workload(org, year),
    )


def _data(org, year: int, batches: int, kpis, coverage, workload) -> dict:
    for r in coverage:
        r["achieved_pct"] = f"{float(r['achieved']) * 100:.1f}%"
        r["min_pct"] = f"{float(r['min']) * 100:.1f}%"
    confirmed, recorded = _revisits(org, year)
    return {
        "org": org,
        "year": year,
        "batches": batches,
        "kpis": kpis,
        "coverage": coverage,
        "workload": workload,
        "revisit": f.Kpi(
            "revisit_confirmed", "回访确认属实比例", confirmed, recorded, "回访确认属实 / 已记录回访", drillable=False
        ),
    }


def _revisits(org, year):
    from shuangsuiji.reports.models import RevisitFinding

    qs = RevisitFinding.objects.filter(revisit__year=year, revisit__office__region__path__startswith=org.region.path)
    return qs.filter(confirmed=True).count(), qs.count()


def chart_data(data: dict) -> dict:
    return {
        "coverage": {
            "items": [r["item"] for r in data["coverage"]],
            "achieved": [round(float(r["achieved"]) * 100, 1) for r in data["coverage"]],
            "min": [round(float(r["min"]) * 100, 1) for r in data["coverage"]],
        },
        "workload": {"loads": [str(n) for n, _c in data["workload"]], "inspectors": [c for _n, c in data["workload"]]},
    }


def rows(data: dict) -> list[list]:
    """The export's rows: 指标, 分子, 分母, 比例, 计算规则 (numbers as the screen shows them)."""
    out = [["抽查批次", data["batches"], "", "", "全部抽查批次（牵头部门统计）"]]
    for k in [*data["kpis"], data["revisit"]]:
        out.append([k.label, f.show(k.numerator), f.show(k.denominator), k.percent, k.rule])
    for r in data["coverage"]:
        out.append(
            [f"事项覆盖：{r['item']}", r["achieved_pct"], r["min_pct"],
             "达到" if r["met"] else "未达到", "最高实际抽查比例 / 最低抽查比例"]
        )  # fmt: skip
    for n, c in data["workload"]:
        out.append([f"检查人员工作量：{n} 户", c, "", "", "检查该户数的检查人员人数"])
    return out


HEADERS = ["指标", "分子（数值）", "分母", "比例", "计算规则"]


def xlsx(data: dict) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = book.add_worksheet("监管指标")
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    ws.write(0, 0, f"{data['org'].name} {data['year']}年度监管指标")
    for c, h in enumerate(HEADERS):
        ws.write(1, c, h, head)
    for r, row in enumerate(rows(data), start=2):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 3, 12)
    ws.set_column(4, 4, 40)
    book.close()
    return buf.getvalue()
