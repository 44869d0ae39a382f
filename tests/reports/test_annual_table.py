"""The annual statistics table (seed 001 annex) on the known fixture, computed by hand, with
the lead-department rule; the xlsx read back (merged ranges, header texts, figures)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from shuangsuiji.reports import annex, render
from tests.reports.helpers import build

# By hand: 40 projects, 10 per risk class, ratios A 0.2, B 0.25, C 0.4, D 0.6, rounded up:
# 2 + 3 + 4 + 6 = 15 targets per draw.
PER_DRAW = 15


@pytest.mark.django_db
def test_lead_department_rule_and_xlsx(demo):
    build(demo)
    water, market, office = demo.department("water"), demo.department("market"), demo.orgs["county_office"]

    w = annex.compute("annual", water, 2026)["rows"]
    m = annex.compute("annual", market, 2026)["rows"]
    o = annex.compute("annual", office, 2026)["rows"]
    # The joint task counts for its lead (水务局) only; the cooperating 市场监管局 counts it nowhere.
    assert (w["county_joint"]["batches"], w["county_joint"]["targets"]) == (1, PER_DRAW)
    assert (m["county_joint"]["batches"], m["county_joint"]["targets"]) == (0, 0)
    # 市场监管局's own task is an in-system draw at county level.
    assert (m["county_system"]["batches"], m["county_system"]["targets"]) == (1, PER_DRAW)
    assert (w["county_system"]["batches"], w["county_system"]["targets"]) == (0, 0)
    # The county office adds both up, the joint task once.
    assert (o["county_joint"]["batches"], o["county_joint"]["targets"]) == (1, PER_DRAW)
    assert (o["county_system"]["batches"], o["county_system"]["targets"]) == (1, PER_DRAW)
    assert o["city_system"]["batches"] == o["city_joint"]["batches"] == 0
    # Cases and fines come from follow-ups, publications from publicity (none in this fixture;
    # test_publication_figures publishes some).
    assert w["county_joint"]["cases"] == 0 and w["county_joint"]["gsxt"] == 0

    form = annex.layout("annual", water, 2026, 0, {"rows": w}, {"handler": "王志强", "phone": "0319-1234567"})
    book = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(form)))
    ws = book.active
    merged = {str(r) for r in ws.merged_cells.ranges}
    # title, subtitle, and the annex's merged headers: 区分/类别/批次/数量 over two rows,
    # 公示数量 over three columns, the two 区分 groups over two rows, 备注 over eight columns
    for rng in ("A4:A5", "B4:B5", "C4:C5", "D4:D5", "E4:G4", "H4:H5", "I4:I5", "A6:A7", "A8:A9", "B10:I10"):
        assert rng in merged, rng
    assert ws["A1"].value == "清河县水务局“双随机、一公开”监管信息统计表"
    assert ws["A2"].value == "（2026年度）"
    assert ws["E4"].value == "抽查结果公示数量（户）"
    assert [ws.cell(5, c).value for c in (5, 6, 7)] == ["公示\n系统", "专业\n系统", "部门\n网站"]
    assert ws["H4"].value == "双随机抽查案件数（件）"
    assert [ws.cell(r, 2).value for r in range(6, 10)] == [
        "省辖市局抽查信息",
        "县（市、区）局抽查信息",
        "省辖市级有关部门联合抽查信息",
        "县（市、区）有关部门联合抽查信息",
    ]
    assert ws["A6"].value == "系统内双随机抽查" and ws["A8"].value == "部门联合抽查"
    # the county joint row: 1 batch, 15 targets (numbers), nothing published yet, no case and
    # no fine (no follow-up in this fixture)
    row = [ws.cell(9, c).value for c in range(3, 10)]
    assert row[:6] == [1, PER_DRAW, 0, 0, 0, 0] and float(row[6]) == 0
    assert ws["A10"].value == "备 注"
    assert ws["B10"].value.startswith("1.为防止重复统计")
    texts = [ws.cell(r, 1).value for r in range(11, ws.max_row + 1)]
    assert any(t and "经办人（签字）：王志强" in t and "联系电话:".replace(":", "：") in t for t in texts)
