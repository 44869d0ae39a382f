"""Publication figures from publicity (a result publication names its part): the annual
table's channel columns (公示系统 / 专业系统 / 部门网站) by the lead-department rule, the monthly
form's line 4, and the dashboard's on-time publication rate from publicity's ``late`` flag; on
the known fixture, computed by hand."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from shuangsuiji.inspections.models import DepartmentPart, PartStatus
from shuangsuiji.publicity import services as publicity
from shuangsuiji.reports import annex, dashboard, figures, render
from tests.reports.helpers import build


def _part(fx, record, dept):
    return DepartmentPart.objects.get(record=record, department=dept, status=PartStatus.DETERMINED)


def publish(demo):
    """The fixture, with the joint task's drawn list published and four results:

    - 水务 (lead) target 1 on 公示系统 + 部门网站, on time;
    - 水务 (lead) target 2 on 专业系统, late (published the day after its deadline);
    - 市场监管 (cooperating) target 2 on 公示系统 + 部门网站, on time: not counted in the
      channel columns (the lead department counts), counted in 市场监管's on-time rate;
    - 水务 target 3 not published (its deadline is still ahead)."""
    fx = build(demo)
    water, market = demo.department("water"), demo.department("market")
    sw, sc = demo.users["sw_admin"], demo.users["sc_admin"]
    publicity.publish_drawn_list(fx.task, ["gsxt"], sw)
    r1, r2, _r3 = fx.records
    publicity.publish_result(_part(fx, r1, water), ["gsxt", "department"], sw)
    late = _part(fx, r2, water)
    publicity.publish_result(late, ["professional"], sw, today=late.publication_due_on + dt.timedelta(days=1))
    publicity.publish_result(_part(fx, r2, market), ["gsxt", "department"], sc)
    return fx


@pytest.mark.django_db
def test_channels_by_the_lead_department_and_on_time_rate(demo):
    publish(demo)
    water, market, office = demo.department("water"), demo.department("market"), demo.orgs["county_office"]
    today = timezone.localdate()

    pubs = {"gsxt": 1, "professional": 1, "department": 1}
    w = annex.compute("annual", water, 2026)["rows"]["county_joint"]
    rows = annex.compute("annual", office, 2026)["rows"]
    o = rows["county_joint"]
    m = annex.compute("annual", market, 2026)["rows"]["county_joint"]
    assert {c: w[c] for c in pubs} == pubs
    assert {c: o[c] for c in pubs} == pubs  # 市场监管's publication of target 2 is not the lead's
    assert {c: m[c] for c in pubs} == {"gsxt": 0, "professional": 0, "department": 0}
    for key in ("county_system", "city_system", "city_joint"):
        assert [rows[key][c] for c in pubs] == [0, 0, 0]

    form = annex.layout("annual", water, 2026, 0, annex.compute("annual", water, 2026), {})
    ws = openpyxl.load_workbook(io.BytesIO(render.xlsx_bytes(form))).active
    assert [ws.cell(9, c).value for c in range(3, 8)] == [1, 15, 1, 1, 1]

    month = annex.compute("monthly", water, today.year, today.month)
    assert month["draws"][0]["published"] == "公示系统 1 户；专业系统 1 户；部门网站 1 户"

    def rate(org):
        return next(k for k in dashboard.build(org, 2026, today)["kpis"] if k.key == "on_time_publication")

    # 水务: determined 3; due = published (targets 1, 2) or past the deadline (none) = 2; on time 1
    assert (rate(water).numerator, rate(water).denominator, rate(water).percent) == (1, 2, "50.0%")
    # 市场监管: determined 2 (target 3's part is a draft); due 1 (target 2); on time 1
    assert (rate(market).numerator, rate(market).denominator) == (1, 1)
    # the office: on time 2 of 3 due
    assert (rate(office).numerator, rate(office).denominator, rate(office).percent) == (2, 3, "66.7%")
    # after the deadline of target 3 has passed unpublished, it is due and not on time
    later = today + dt.timedelta(days=60)
    k = next(k for k in figures.kpis(water, 2026, later) if k.key == "on_time_publication")
    assert (k.numerator, k.denominator) == (1, 3)
