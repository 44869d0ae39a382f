"""The report forms in the layout of their annex: one grid per form, rendered on screen,
as xlsx and as PDF from the same cells (same rows, columns, merged cells, notes and
signature lines as seeds 000, 001 and 002).

Two steps: ``compute(kind, org, year, period)`` asks ``figures.py`` for every figure of the
form (a JSON-able dict: what a submitted report freezes), and ``layout(...)`` places those
figures and the office's entries into the annex's grid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from shuangsuiji.orgs.models import Organisation
from shuangsuiji.reports import figures as f
from shuangsuiji.reports.models import ReportKind


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    head: bool = False
    align: str = "center"  # center / left
    key: str = ""  # the figure this cell shows (tests, drill-down)


@dataclass
class AnnexForm:
    title: str
    subtitle: str
    meta_left: str
    meta_right: str
    widths: list[int]  # relative column widths
    rows: list[list[Cell]]
    notes: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    landscape: bool = False

    def placed(self) -> list[tuple[int, int, Cell]]:
        """(row, column, cell) of every cell, placed like an HTML table (merged cells skip the
        positions they cover)."""
        taken: set[tuple[int, int]] = set()
        out = []
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while (r, c) in taken:
                    c += 1
                out.append((r, c, cell))
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        taken.add((r + dr, c + dc))
                c += cell.colspan
        return out

    def value(self, key: str) -> str:
        for _r, _c, cell in self.placed():
            if cell.key == key:
                return cell.text
        raise KeyError(key)


def _date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "　　年　月　日"


def _show(v) -> str:
    if isinstance(v, str):
        return v
    return f.show(v)


# --- compute -------------------------------------------------------------------------------------

ANNUAL_ROWS = (
    # key, 区分, 类别, joint, level
    ("city_system", "系统内双随机抽查", "省辖市局抽查信息", False, "city"),
    ("county_system", "系统内双随机抽查", "县（市、区）局抽查信息", False, "county"),
    ("city_joint", "部门联合抽查", "省辖市级有关部门联合抽查信息", True, "city"),
    ("county_joint", "部门联合抽查", "县（市、区）有关部门联合抽查信息", True, "county"),
)
ANNUAL_COLUMNS = ("batches", "targets", "gsxt", "professional", "department", "cases", "fines")
JOINT_COLUMNS = (
    "targets",
    "inspectors",
    "problem_items",
    "problem_targets",
    "guidance",
    "abnormal",
    "cases",
    "answered",
)


def compute(kind: str, org: Organisation, year: int, period: int = 0) -> dict:
    """Every computed figure of the form (JSON-able)."""
    if kind == ReportKind.ANNUAL:
        from shuangsuiji.reports import summary

        table = summary.annual_table(org, year)
        rows = {}
        for key, _a, _b, joint, level in ANNUAL_ROWS:
            row = table[(joint, level)]
            rows[key] = {**row, "fines": str(row["fines"])}
        return {"rows": rows}
    if kind == ReportKind.JOINT:
        return {
            "targets": f.joint_targets(org, year),
            "inspectors": f.joint_inspectors(org, year),
            "problem_items": f.joint_problem_items(org, year),
            "problem_targets": f.joint_problem_targets(org, year),
            "guidance": f.joint_guidance(org, year),
            "abnormal": f.joint_abnormal(org, year),
            "cases": f.joint_cases(org, year),
        }
    if kind == ReportKind.MONTHLY:
        draws = []
        for d in f.monthly_draws(org, year, period):
            pub = "；".join(f"{lbl} {d.published[c]} 户" for c, lbl in f.CHANNELS)
            draws.append(
                {
                    "task": f"{d.task.code} {d.task.title}",
                    "draw_id": d.draw.draw_id,
                    "population": d.population,
                    "count": d.count,
                    "population_count": d.population_count,
                    "ratio": d.ratio,
                    "items": d.items,
                    "published": pub,
                }
            )
        below = f.monthly_below(org, year, period)
        return {"draws": draws, "below": below.__dict__}
    if kind == ReportKind.QUARTERLY:
        return {"counts": f.quarter_counts(org, year, period).__dict__}
    raise ValueError(kind)


def add_up(many: list[dict]) -> dict:
    """The sum of several figures dicts of one form (the aggregate over the regions below):
    numbers add up; a figure missing (``None``, in a version stored before it existed) in any of
    them stays missing."""

    def add(values):
        if any(v is None for v in values):
            return None
        if any(isinstance(v, str) for v in values):
            return str(sum((Decimal(v) for v in values), Decimal(0)))
        return sum(values)

    def merge(dicts):
        out = {}
        for k in dicts[0]:
            vals = [d.get(k) for d in dicts]
            if isinstance(vals[0], dict):
                out[k] = merge(vals)
            elif isinstance(vals[0], list):
                out[k] = [x for v in vals for x in (v or [])]
            else:
                out[k] = add(vals)
        return out

    return merge(many) if many else {}


# --- layout --------------------------------------------------------------------------------------


def layout(kind: str, org: Organisation, year: int, period: int, figures: dict, entered: dict, filled_on=None):
    builder = {
        ReportKind.MONTHLY: _monthly,
        ReportKind.QUARTERLY: _quarterly,
        ReportKind.ANNUAL: _annual,
        ReportKind.JOINT: _joint,
    }[kind]
    return builder(org, year, period, figures, entered or {}, filled_on)


def _monthly(org, year, month, fig, entered, filled_on) -> AnnexForm:
    L = "left"
    rows = [
        [Cell("一、“双随机、一公开”监管工作安排部署情况", colspan=3, head=True, align=L)],
        [
            Cell("1"),
            Cell("本月召开会议部署随机抽查工作情况\n（会议时间及名称）", align=L),
            Cell(entered.get("meetings", ""), align=L, key="meetings"),
        ],
        [
            Cell("2"),
            Cell("本月印发双随机工作文件情况\n（文件名称及文号）", align=L),
            Cell(entered.get("documents", ""), align=L, key="documents"),
        ],
        [
            Cell("3"),
            Cell("本月组织双随机抽查业务培训情况\n（培训名称、培训人员数量及内容）", align=L),
            Cell(entered.get("training", ""), align=L, key="training"),
        ],
        [Cell("二、“双随机、一公开”监管工作开展情况", colspan=3, head=True, align=L)],
    ]
    draws = fig.get("draws", [])

    def each(fn) -> str:
        if not draws:
            return "本月无"
        return "\n".join(f"{n}. {fn(d)}" for n, d in enumerate(draws, start=1))

    rows += [
        [Cell("4", rowspan=5), Cell("本月按年度随机抽查工作计划本级开展随机抽查情况", colspan=2, align=L)],
        [Cell("本月组织随机抽查的文件", align=L), Cell(each(lambda d: d["task"]), align=L, key="line4_documents")],
        [
            Cell("随机抽查抽查对象范围、数量、抽查比例", align=L),
            Cell(
                each(
                    lambda d: (
                        f"{d['population']}；抽取 {d['count']} 户，总体 {d['population_count']} 户，比例 {d['ratio']}"
                    )
                ),
                align=L,
                key="line4_scope",
            ),
        ],
        [
            Cell("随机抽查的检查事项\n（主项及子项）", align=L),
            Cell(each(lambda d: "、".join(d["items"])), align=L, key="line4_items"),
        ],
        [
            Cell("随机抽查结果公示情况\n（公示网站及公示数量）", align=L),
            Cell(each(lambda d: d["published"]), align=L, key="line4_published"),
        ],
    ]
    below = fig.get("below", {})
    rows += [
        [Cell("5", rowspan=2), Cell("本地区本系统开展随机抽查情况", colspan=2, align=L)],
        [
            Cell(
                f"各县（市、区）开展各类监管事项随机抽查 {_show(below.get('inspections'))} 次，"
                f"抽查对象 {_show(below.get('targets'))} 个，公示 {_show(below.get('published'))} 个。",
                colspan=2,
                align=L,
                key="line5",
            )
        ],
    ]
    return AnnexForm(
        title=f"{org.name}“双随机、一公开”监管工作月报表",
        subtitle=f"（{year}年{month}月）",
        meta_left=f"单位名称（盖章）：{org.name}",
        meta_right=f"填表时间：{_date(filled_on)}",
        widths=[8, 32, 60],
        rows=rows,
        notes=["每月20日前报上级双随机办；第4项由系统按本月抽取自动生成，第5项按下级地区汇总。"],
        signatures=[f"填表人：{entered.get('handler', '')}", f"联系电话：{entered.get('phone', '')}"],
    )


def _quarterly(org, year, quarter, fig, entered, filled_on) -> AnnexForm:
    L = "left"
    c = fig.get("counts", {})
    rows = [
        [Cell("项目", head=True), Cell("情况", head=True)],
        [
            Cell("本季度开展随机抽查情况", align=L),
            Cell(
                f"开展随机抽查 {_show(c.get('inspections'))} 次，抽查对象 {_show(c.get('targets'))} 个，"
                f"公示 {_show(c.get('published'))} 个。",
                align=L,
                key="counts",
            ),
        ],
        [Cell("工作开展情况", align=L), Cell(entered.get("summary", ""), align=L, key="summary")],
        [Cell("存在的问题", align=L), Cell(entered.get("problems", ""), align=L, key="problems")],
        [Cell("下一步工作打算", align=L), Cell(entered.get("next_steps", ""), align=L, key="next_steps")],
    ]
    return AnnexForm(
        title=f"{org.name}“双随机、一公开”监管工作季度情况报告",
        subtitle=f"（{year}年第{quarter}季度）",
        meta_left=f"单位名称（盖章）：{org.name}",
        meta_right=f"填表时间：{_date(filled_on)}",
        widths=[30, 70],
        rows=rows,
        notes=["每个季度工作开展情况在下个季度首月第3个工作日前报上级双随机办。"],
        signatures=[f"填表人：{entered.get('handler', '')}", f"联系电话：{entered.get('phone', '')}"],
    )


def _annual(org, year, _period, fig, entered, filled_on) -> AnnexForm:
    H = True
    rows = [
        [
            Cell("区分", rowspan=2, head=H),
            Cell("类别", rowspan=2, head=H),
            Cell("抽查批次", rowspan=2, head=H),
            Cell("抽查数量\n（户）", rowspan=2, head=H),
            Cell("抽查结果公示数量（户）", colspan=3, head=H),
            Cell("双随机抽查案件数（件）", rowspan=2, head=H),
            Cell("案件处\n罚金额\n（万元）", rowspan=2, head=H),
        ],
        [Cell("公示\n系统", head=H), Cell("专业\n系统", head=H), Cell("部门\n网站", head=H)],
    ]
    data = fig.get("rows", {})
    for n, (key, group, label, _joint, _level) in enumerate(ANNUAL_ROWS):
        row = []
        if n % 2 == 0:
            row.append(Cell(group, rowspan=2, head=H))
        row.append(Cell(label, align="left"))
        values = data.get(key, {})
        row += [Cell(_show(_fine(col, values.get(col))), key=f"{key}.{col}") for col in ANNUAL_COLUMNS]
        rows.append(row)
    rows.append(
        [
            Cell("备 注", head=H),
            Cell(
                "1.为防止重复统计，抽查批次、抽查数量和公示数量由联合抽查发起部门统计，案件数、罚没金额由参与部门分别统计。\n"
                "2.涉及市场主体的抽查检查结果必须归集至公示系统，其他抽查检查结果可通过专业抽查系统或部门网站等渠道进行公示。",
                colspan=8,
                align="left",
            ),
        ]
    )
    return AnnexForm(
        title=f"{org.name}“双随机、一公开”监管信息统计表",
        subtitle=f"（{year}年度）",
        meta_left=f"填报单位（盖章）：{org.name}",
        meta_right=f"填报时间：{_date(filled_on)}",
        widths=[12, 24, 8, 8, 7, 7, 7, 10, 9],
        rows=rows,
        signatures=[f"经办人（签字）：{entered.get('handler', '')}", f"联系电话：{entered.get('phone', '')}"],
        landscape=True,
    )


def _fine(col: str, value):
    """万元 exact, without trailing zeros ("1.5", "0"), as the annex writes amounts."""
    return Decimal(value) if col == "fines" and isinstance(value, str) else value


def _joint(org, year, _period, fig, entered, filled_on) -> AnnexForm:
    H = True
    rows = [
        [
            Cell("随机抽查企业\n(户)", rowspan=2, head=H),
            Cell("随机抽取执法人员\n(人)", rowspan=2, head=H),
            Cell("发现问题", colspan=2, head=H),
            Cell("抽查结果处理", colspan=3, head=H),
            Cell("现场解答疑难问题\n(户)", rowspan=2, head=H),
        ],
        [
            Cell("发现问题事项\n(项)", head=H),
            Cell("发现问题企业\n(个)", head=H),
            Cell("行政指导\n(户)", head=H),
            Cell("应列异常名录\n(户)", head=H),
            Cell("涉嫌违法应立案调查\n(户)", head=H),
        ],
    ]
    values = {**fig, "answered": entered.get("answered", "")}
    rows.append(
        [Cell(_show(values.get(col)) if col != "answered" else str(values[col]), key=col) for col in JOINT_COLUMNS]
    )
    return AnnexForm(
        title=f"{org.region.name}“双随机、一公开”部门联合抽查统计表",
        subtitle=f"（{year}年度）",
        meta_left=f"报表单位：{org.name}",
        meta_right=f"填报时间：{_date(filled_on)}",
        widths=[12, 12, 12, 12, 12, 12, 14, 14],
        rows=rows,
        footer=[org.name, f"{_date(filled_on)}印"],
        signatures=[f"经办人（签字）：{entered.get('handler', '')}", f"联系电话：{entered.get('phone', '')}"],
        landscape=True,
    )
