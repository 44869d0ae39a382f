"""In Chromium: upload a file with one bad row, read the error report, fix it, import, find the business."""

import pytest

from tests.browser import sign_in
from tests.targets.helpers import GOOD_USCC, write_csv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fix_and_reimport(live_server, demo, page, tmp_path):
    bad = write_csv(
        tmp_path / "targets.csv",
        [
            ["清河县浏览器测试羊绒有限公司", GOOD_USCC[0], "企业", "130534", "17", "B", "否", ""],
            ["清河县浏览器测试刀具有限公司", "91440300708461136X", "企业", "130534", "33", "C", "否", ""],
        ],
    )
    sign_in(page, live_server.url, "sc_operator")
    page.click("text=检查对象名录库")
    page.click("text=导入")
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('上传并导入')")
    page.wait_for_selector("[data-testid=job-status][data-status=rejected]", timeout=90_000)  # a busy CI worker
    errors = page.inner_text("[data-testid=job-errors]")
    assert "3" in errors and "统一社会信用代码" in errors and "校验位错误" in errors
    with page.expect_download() as download:
        page.click("[data-testid=error-report]")
    assert download.value.suggested_filename.endswith(".xlsx")

    fixed = write_csv(
        tmp_path / "targets-fixed.csv",
        [
            ["清河县浏览器测试羊绒有限公司", GOOD_USCC[0], "企业", "130534", "17", "B", "否", ""],
            ["清河县浏览器测试刀具有限公司", GOOD_USCC[1], "企业", "130534", "33", "C", "否", ""],
        ],
    )
    page.click("text=返回导入页面")
    page.set_input_files("#id_file", str(fixed))
    page.click("button:has-text('上传并导入')")
    page.wait_for_selector("[data-testid=job-status][data-status=done]", timeout=90_000)
    assert "新增 2" in page.inner_text("[data-testid=job-message]")

    page.click("text=检查对象名录库")
    page.fill("input[name=q]", GOOD_USCC[1])
    page.click("button:has-text('查询')")
    page.click("text=清河县浏览器测试刀具有限公司")
    assert page.inner_text("[data-testid=target-uscc]") == GOOD_USCC[1]
