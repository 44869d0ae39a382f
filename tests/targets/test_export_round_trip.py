"""Export → edit → re-import round-trips: the target export is the import template (a real
xlsx); the file is named for what it holds; the import page shows the template's columns."""

import re
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from shuangsuiji.targets.importer import COLUMNS
from shuangsuiji.targets.models import Target, TargetChange
from tests.targets.helpers import GOOD_USCC, run, write_csv

pytestmark = pytest.mark.django_db


def test_export_edit_reimport(client, login, demo, tmp_path):
    user = login("sc_operator")
    header = ["名称", "统一社会信用代码", "对象类型", "行政区划代码", "信用风险分类", "成立日期", "经营异常名录"]
    rows = [
        ["甲公司", GOOD_USCC[0], "企业", "130534", "A", "2019-05-20", "否"],
        ["乙公司", GOOD_USCC[1], "企业", "130534", "C", "", "是"],
        ["丙项目", "", "项目", "130534", "", "", "否"],
    ]
    assert run(write_csv(tmp_path / "first.csv", rows, header), user=user).created_count == 3

    response = client.get("/targets/", {"export": "xlsx"})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    name = unquote(re.search(r"filename\*=UTF-8''(.+)$", disposition).group(1))
    assert re.fullmatch(r"检查对象名录_.+_\d{4}-\d{2}-\d{2}\.xlsx", name), name
    assert 'filename="export.xlsx"' in disposition
    exported = tmp_path / "exported.xlsx"
    exported.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)

    book = load_workbook(exported)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[: len(COLUMNS)] == [c.header for c in COLUMNS]
    name_col = headers.index("名称") + 1
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(r, name_col).value == "乙公司":
            sheet.cell(r, name_col).value = "乙公司（更名）"
    book.save(exported)

    job = run(exported, user=user)
    assert job.status == "done", job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 2)
    renamed = Target.objects.get(uscc=GOOD_USCC[1])
    assert renamed.name == "乙公司（更名）" and renamed.risk_class == "C" and renamed.abnormal_operation
    change = TargetChange.objects.get(target=renamed, action="update")
    assert change.after == {"name": "乙公司（更名）"}


def test_the_import_page_names_what_is_imported_and_lists_the_template_columns(client, login, demo):
    login("sc_operator")
    body = client.get("/imports/targets/upload/").content.decode()
    assert re.search(r'data-testid="import-title">导入检查对象<', body)
    table = re.search(r'data-testid="template-columns">(.*?)</table>', body, re.S).group(1)
    assert all(c.header in table for c in COLUMNS) and "清河县示例羊绒制品有限公司" in table
