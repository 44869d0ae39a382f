"""Entering targets by form; duplicate USCC named; scope by region; API; exports."""

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from shuangsuiji.targets.models import Target, TargetChange
from tests.targets.helpers import GOOD_USCC

pytestmark = pytest.mark.django_db

FORM = {
    "name": "清河县测试有限公司",
    "uscc": GOOD_USCC[0],
    "target_type": "enterprise",
    "region": "130534",
    "registration_status": "active",
    "risk_class": "B",
    "complaint_count": "0",
}


def test_create_then_duplicate_uscc_names_the_existing_record(client, demo, login):
    login("sc_operator")
    response = client.post("/targets/new/", FORM)
    assert response.status_code == 302
    first = Target.objects.get(uscc=GOOD_USCC[0])
    assert TargetChange.objects.filter(target=first, action="create").exists()
    response = client.post("/targets/new/", FORM | {"name": "另一家公司"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "已存在" in body and "清河县测试有限公司" in body
    assert Target.objects.count() == 1


def test_region_that_does_not_exist_is_rejected(client, demo, login):
    login("sc_operator")
    response = client.post("/targets/new/", FORM | {"region": "999999"})
    assert "行政区划代码不存在" in response.content.decode()


def test_region_outside_the_users_jurisdiction_is_rejected(client, demo, login):
    login("sc_operator")
    response = client.post("/targets/new/", FORM | {"region": "110101"})
    assert "行政区划 110101 不在您的数据范围内" in response.content.decode()
    assert not Target.objects.exists()


def test_edit_keeps_history(client, demo, login):
    login("sc_operator")
    client.post("/targets/new/", FORM)
    target = Target.objects.get()
    client.post(f"/targets/{target.pk}/edit/", FORM | {"name": "清河县测试羊绒有限公司", "risk_class": "B"})
    change = TargetChange.objects.get(target=target, action="update")
    assert change.before == {"name": "清河县测试有限公司"} and change.after == {"name": "清河县测试羊绒有限公司"}


def test_supervisor_is_read_only(client, demo, login):
    login("qh_supervisor")
    assert client.get("/targets/").status_code == 200
    assert client.post("/targets/new/", FORM).status_code == 403


def _make(name, uscc, region):
    return Target.objects.create(name=name, code=uscc, uscc=uscc, target_type="enterprise", region_id=region)


def test_targets_of_another_county_are_404(client, demo, login):
    mine = _make("清河县甲", GOOD_USCC[0], "130534")
    other = _make("南宫市乙", GOOD_USCC[1], "130581")
    login("sw_admin")
    assert client.get(f"/targets/{mine.pk}/").status_code == 200
    assert client.get(f"/targets/{other.pk}/").status_code == 404
    assert client.get(f"/api/targets/targets/{other.pk}").status_code == 404
    names = {t["name"] for t in client.get("/api/targets/targets").json()["items"]}
    assert names == {"清河县甲"}
    login("xt_office")  # the city office sees both of its counties
    assert client.get(f"/targets/{other.pk}/").status_code == 200


def test_search_and_filters(client, demo, login):
    _make("清河县羊绒甲", GOOD_USCC[0], "130534")
    t = _make("清河县刀具乙", GOOD_USCC[1], "130534")
    t.risk_class = "D"
    t.save()
    login("sw_admin")
    assert "刀具乙" in client.get("/targets/?q=刀具").content.decode()
    assert "羊绒甲" not in client.get("/targets/?q=刀具").content.decode()
    by_code = client.get(f"/targets/?q={GOOD_USCC[0].lower()}").content.decode()
    assert "羊绒甲" in by_code and "刀具乙" not in by_code
    assert [x["name"] for x in client.get("/api/targets/targets?risk_class=D").json()["items"]] == ["清河县刀具乙"]


def test_exports_are_scoped_and_open(client, demo, login):
    _make("清河县甲", GOOD_USCC[0], "130534")
    _make("南宫市乙", GOOD_USCC[1], "130581")
    login("sw_admin")
    response = client.get("/targets/?export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["名称", "统一社会信用代码", "对象编码"]  # the import template's columns
    assert [r[0] for r in rows[1:]] == ["清河县甲"]
    response = client.get("/targets/?export=xlsx")
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert [r[0] for r in sheet[1:]] == ["清河县甲"]
    assert sheet[1][1] == GOOD_USCC[0]  # codes stay text


def test_import_templates_download(client, demo, login):
    login("sc_operator")
    response = client.get("/imports/targets/template.xlsx")
    data = b"".join(response.streaming_content)
    header = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()[0]
    assert header[0] == "名称*" and "统一社会信用代码" in header
    response = client.get("/imports/targets/template.csv")
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("名称*,")
