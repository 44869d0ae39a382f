"""Issue 13 "done means", in Chromium at 390×844: the assigned 水务局 inspector records the visit,
fills the 水务局 part with one failed item and a photo and submits (one submission stored); the
市场监管局 inspector fills theirs; the 水务局 administrator returns it once with a reason, the
inspector corrects and resubmits, the administrator determines it; the record shows the
deadline (20 working days later on the official calendar) and the task its progress.

The 水务局 inspector loses the connection before submitting: the offline-drafts module of the
base template keeps the edited draft and the queued submission, and sends it once the
connection returns; the server stores exactly one submission (``client_request_id``).
"""

import pytest
from django.utils import timezone

from shuangsuiji.inspections import services
from shuangsuiji.inspections.demo import tiny_png
from shuangsuiji.inspections.models import DepartmentPart, PartEvent
from shuangsuiji.items.models import FieldType
from shuangsuiji.workdays.services import deadline
from tests.browser import sign_in
from tests.inspections.helpers import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROBLEM = "2 号弃渣场未设置拦挡措施"


def _wait(page, text):
    try:
        page.wait_for_selector(f"text={text}", timeout=15000)
    except Exception:
        raise AssertionError(page.inner_text("main")[:1500]) from None


def _no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _fill_item(page, task_item, failed: bool):
    p = f"i{task_item.pk}_"
    page.select_option(f"[name={p}method]", "on_site")
    page.check(f"[name={p}outcome][value={'problem' if failed else 'passed'}]")
    fv = services.form_version_of(task_item)
    first_bool = True
    for f in fv.fields.all() if fv else []:
        name = f"{p}f_{f.key}"
        if f.field_type == FieldType.BOOLEAN:
            page.select_option(f"[name={name}]", "no" if failed and first_bool else "yes")
            first_bool = False
        elif f.field_type == FieldType.SINGLE_CHOICE:
            page.select_option(f"[name={name}]", f.options[0])
        elif f.field_type in (FieldType.MULTIPLE_CHOICE, FieldType.ATTACHMENT):
            page.locator(f"[name={name}]").first.check()
        elif f.field_type == FieldType.DATE:
            page.fill(f"[name={name}]", "2026-03-10")
        elif f.field_type == FieldType.NUMBER:
            page.fill(f"[name={name}]", "1")
        else:
            page.fill(f"[name={name}]", "符合要求")
    if failed:
        page.fill(f"[name={p}problem]", PROBLEM)
        page.fill(f"[name={p}legal_basis]", "《中华人民共和国水土保持法》第三十八条")


def _submissions() -> int:
    return PartEvent.objects.filter(action="submit").count()


def _enter(page, base, w, department, task_item, code_label, failed, photo_name, tmp_path, offline=False):
    entry = f"{base}/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/parts/{department.pk}/"
    page.goto(entry)
    photo = tmp_path / photo_name
    photo.write_bytes(tiny_png((160, 120, 80)))
    assert page.get_attribute("[data-testid=evidence-form] input[type=file]", "capture") == "environment"
    page.set_input_files("[data-testid=evidence-form] input[type=file]", str(photo))
    page.click("[data-testid=upload]")
    _wait(page, "已上传")
    assert page.get_attribute("[data-testid=part-form]", "data-offline-draft")
    page.check(f"[data-testid=part-form] label:has-text('{code_label}') input")
    _fill_item(page, task_item, failed)
    _no_horizontal_scroll(page)
    if not offline:
        page.click("[data-testid=submit]")
        _wait(page, "检查结果已提交审核")
        return
    before = _submissions()
    page.context.set_offline(True)
    page.fill(f"[name=i{task_item.pk}_problem]", PROBLEM + "（离线补充）")  # edited while offline
    page.click("[data-testid=submit]")
    _wait(page, "离线：已保存，联网后自动提交")
    assert _submissions() == before  # nothing reached the server
    page.context.set_offline(False)  # the connection returns: the queued submission is sent
    for _ in range(100):
        if _submissions() > before:
            break
        page.wait_for_timeout(150)
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    assert _submissions() == before + 1  # exactly one submission stored
    assert PROBLEM + "（离线补充）" in DepartmentPart.objects.get(department=department).item_results.get().problem


def test_done_means_flow_on_a_phone(live_server, demo, browser, tmp_path):
    w = build(demo)
    base = live_server.url
    contexts = []

    def as_user(username):
        for c in contexts:
            c.close()
        contexts[:] = [browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})]
        page = contexts[0].new_page()
        sign_in(page, base, username)
        page.wait_for_selector("[data-testid=home-title]")
        return page

    # 1. the 水务局 inspector: work list → record → visit
    page = as_user("sw_inspector")
    page.goto(f"{base}/inspections/")
    page.click(f"[data-testid=work-list] a:has-text('{w.target.name}')")
    page.wait_for_selector("[data-testid=record-title]")
    _no_horizontal_scroll(page)
    for inspector in w.water_inspectors + w.market_inspectors:
        page.check(f"[data-testid=visit-form] input[name=inspectors][value='{inspector.pk}']")
    page.select_option("[data-testid=visit-form] [name=signature]", "signed")
    page.fill("[data-testid=visit-form] [name=signer]", "项目负责人")
    page.click("[data-testid=visit-form] button[type=submit]")
    _wait(page, "检查情况已保存")
    page.screenshot(path=str(tmp_path / "record-390.png"), full_page=True)
    # 2. the 水务局 part: a photo, one failed item, submitted once
    _enter(page, base, w, w.water, w.water_item, "发现问题待后续处理", True, "现场.png", tmp_path, offline=True)
    assert PartEvent.objects.filter(action="submit").count() == 1
    # 3. the 市场监管局 inspector fills theirs
    page = as_user("sc_inspector")
    _enter(page, base, w, w.market, w.market_item, "未发现问题", False, "登记.png", tmp_path)
    # 4. the 水务局 administrator returns it once with a reason
    page = as_user("sw_admin")
    page.goto(f"{base}/inspections/")
    page.click(f"[data-testid=review-queue] a:has-text('{w.target.name}')")
    page.fill("#id_reason_return", "请写明问题所在的弃渣场编号")
    page.click("[data-testid=return]")
    _wait(page, "已退回修改")
    # 5. the inspector corrects and resubmits
    page = as_user("sw_inspector")
    page.goto(f"{base}/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/parts/{w.water.pk}/")
    assert "请写明问题所在的弃渣场编号" in page.inner_text("[data-testid=return-reason]")
    page.fill(f"[name=i{w.water_item.pk}_problem]", PROBLEM + "（2 号弃渣场）")
    page.click("[data-testid=submit]")
    _wait(page, "检查结果已提交审核")
    # 6. the administrator determines it
    page = as_user("sw_admin")
    part = DepartmentPart.objects.get(department=w.water)
    page.goto(f"{base}/inspections/parts/{part.pk}/")
    page.click("[data-testid=determine]")
    page.wait_for_selector("[data-testid=deadline]")
    due = deadline(timezone.localdate(), 20).day
    assert f"{due.year}年{due.month}月{due.day}日" in page.inner_text("[data-testid=deadline]")
    page.goto(f"{base}/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/")
    assert f"{due.year}年{due.month}月{due.day}日" in page.inner_text(f"[data-testid=deadline-{w.water.pk}]")
    _no_horizontal_scroll(page)
    # 7. the task shows its progress
    page.goto(f"{base}/tasks/{w.task.pk}/")
    n = len(services.drawn_target_ids(w.task))
    water = page.inner_text(f"[data-testid=progress-{w.water.pk}]")
    assert f"1 / {n}" in water
    page.screenshot(path=str(tmp_path / "task-390.png"), full_page=True)
    part.refresh_from_db()
    assert part.status == "determined" and PROBLEM in part.item_results.get().problem
    assert PartEvent.objects.filter(part=part).values_list("action", flat=True).count() >= 5
    contexts[0].close()
