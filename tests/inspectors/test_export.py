"""Exports of the filtered, scope-limited list open as xlsx and csv."""

import io
from datetime import date

import pytest
from python_calamine import CalamineWorkbook

from tests.inspectors.helpers import make_inspector, specialty

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo):
    a = make_inspector(demo.unit("water", "水政监察大队"), no="13053410001", name="张伟", position="科员")
    a.specialties.add(specialty())
    make_inspector(demo.department("water"), no="13053410002", name="王芳", is_expert=True)
    make_inspector(demo.department("market"), no="13053420001", name="刘洋")


def test_xlsx_export_reads_back(client, login, people):
    login("sw_admin")
    response = client.get("/inspectors/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[0][:3] == ["姓名", "执法证号", "所属机构"]
    rows = {r[1]: r for r in sheet[1:]}
    assert set(rows) == {"13053410001", "13053410002"}  # the market inspector is out of scope
    assert rows["13053410001"][2] == "清河县水务局水政监察大队"
    assert rows["13053410001"][8] == "水土保持"
    assert rows["13053410002"][9] == "是"


def test_csv_export_follows_the_filter(client, login, people):
    login("qh_office")
    response = client.get("/inspectors/?expert=0&export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("姓名,执法证号")
    assert sorted(line.split(",")[1] for line in lines[1:]) == ["13053410001", "13053420001"]


def test_unknown_format_is_400(client, login, people):
    login("sw_admin")
    assert client.get("/inspectors/?export=pdf").status_code == 400


def test_expired_certificate_in_export(client, login, demo):
    make_inspector(demo.department("water"), no="13053410003", name="李娜", valid_to=date(2020, 1, 1))
    login("sw_admin")
    data = b"".join(client.get("/inspectors/?export=xlsx").streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert sheet[1][6] == "已过期"
