"""Exports of the filtered list and the import templates open with Chinese headers."""

import csv
import io

import pytest
from python_calamine import CalamineWorkbook

from shuangsuiji.items.exports import EXPORT_HEADERS
from tests.items.helpers import published_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(demo):
    user = demo.users["sw_admin"]
    dept = demo.department("water")
    published_item(dept, user, code="E-1", name="取水许可情况的检查")
    published_item(dept, user, code="E-2", name="河道管理范围内建设项目检查", kind="key", target_types=["project"])


def _xlsx_rows(content: bytes):
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def test_xlsx_export_of_the_filtered_list(client, demo, login, items):
    login("sw_admin")
    response = client.get("/items/export.xlsx?kind=key")
    assert response.status_code == 200
    rows = _xlsx_rows(response.content)
    assert rows[0] == EXPORT_HEADERS
    assert [r[1] for r in rows[1:]] == ["E-2"]
    assert rows[1][2] == "河道管理范围内建设项目检查" and rows[1][3] == "重点检查事项"
    assert "《取水许可和水资源费征收管理条例》" in rows[1][11]


def test_csv_export_has_bom_and_reads_back(client, demo, login, items):
    login("sw_admin")
    response = client.get("/items/export.csv?q=E-")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == EXPORT_HEADERS
    assert sorted(r[1] for r in rows[1:]) == ["E-1", "E-2"]
    assert {r[6] for r in rows[1:]} == {"5%"}


def test_target_type_filter(client, demo, login, items):
    login("sw_admin")
    rows = list(
        csv.reader(io.StringIO(client.get("/items/export.csv?target_type=project").content.decode("utf-8-sig")))
    )
    assert [r[1] for r in rows[1:]] == ["E-2"]
