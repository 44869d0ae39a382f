"""The joint-task statistics table (seed 002) and the monthly report (seed 000) on the known
fixture, computed by hand; each also as xlsx and as a PDF with embedded Chinese fonts."""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest
from django.utils import timezone

from shuangsuiji.reports import annex, render
from shuangsuiji.tasks.models import Assignment, DrawStatus
from tests.reports.helpers import build


@pytest.mark.django_db
def test_joint_table_and_monthly_report(demo, tmp_path):
    fx = build(demo)
    office = demo.orgs["county_office"]
    fig = annex.compute("joint", office, 2026)
    # inspectors: every person in a group of the two departments' inspector draws
    people = {
        a.inspector_id
        for d in fx.idraws.values()
        for a in Assignment.objects.filter(draw=d, ended_at__isnull=True, draw__status=DrawStatus.DRAWN)
    }
    assert fig == {
        "targets": 15,  # the joint task's draw; the market-only task is no joint task
        "inspectors": len(people),
        "problem_items": 2,  # 市场监管 on target 1, 水务 on target 2
        "problem_targets": 3,  # targets 1 and 2 (problem items), 3 (code 07 is 发现问题)
        "guidance": 0,  # no follow-up in this fixture
        "abnormal": 1,  # target 3: 无法联系 → 应列异常名录
        "cases": 0,
    }
    assert len(people) >= 4
    form = annex.layout("joint", office, 2026, 0, fig, {"answered": "5"})
    ws = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(form))).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    for rng in ("A4:A5", "B4:B5", "C4:D4", "E4:G4", "H4:H5"):
        assert rng in merged, rng
    assert ws["C4"].value == "发现问题" and ws["E4"].value == "抽查结果处理"
    assert ws["A3"].value == "报表单位：清河县双随机一公开工作领导小组办公室"
    assert [ws.cell(6, c).value for c in range(1, 9)] == [15, len(people), 2, 3, 0, 1, 0, 5]

    today = timezone.localdate()
    water = demo.department("water")
    month = annex.compute("monthly", water, today.year, today.month)
    assert len(month["draws"]) == 1  # 市场监管局's draw is not 水务局's
    d = month["draws"][0]
    assert (d["count"], d["population_count"], d["ratio"]) == (15, 40, "37.5%")
    assert d["items"][0].startswith("SW-001") and "子项" in d["items"][0]  # lead first, with sub-items
    assert month["below"] == {"inspections": 0, "targets": 0, "published": 0}
    form = annex.layout("monthly", water, today.year, today.month, month, {"meetings": "12月1日 部署会"})
    assert form.value("meetings") == "12月1日 部署会"
    assert "1. 130534-" in form.value("line4_documents")
    assert "抽取 15 户，总体 40 户，比例 37.5%" in form.value("line4_scope")
    assert form.value("line5") == "各县（市、区）开展各类监管事项随机抽查 0 次，抽查对象 0 个，公示 0 个。"
    ws = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(form))).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A4:C4" in merged and "A9:A13" in merged and "B9:C9" in merged and "A14:A15" in merged
    assert ws["A4"].value == "一、“双随机、一公开”监管工作安排部署情况"

    pdf = render.pdf_bytes(form, author="测试", mark="测试导出")
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdffonts"):
        path = tmp_path / "m.pdf"
        path.write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        assert "NotoSerifCJK" in fonts or "NotoSansCJK" in fonts
        assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    if shutil.which("pdftotext"):
        path = tmp_path / "m.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "监管工作月报表" in text and "本月召开会议部署随机抽查工作情况" in text
