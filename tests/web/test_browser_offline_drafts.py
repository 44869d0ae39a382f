"""Offline drafts (web/offline-drafts.js) on a real form: editing a target. The edit is naturally
idempotent (sending the same values again changes nothing), so it is the form of today's app
that fits; the inspection entry form (issue 13) uses the same contract.

A phone loses the signal while the form is open: what was typed survives a reload, a submission
made offline is kept and sent when the connection returns (or on the next page load), with the
same client_request_id, and is stored exactly once."""

from __future__ import annotations

import re

import pytest

from shuangsuiji.audit.context import acting
from shuangsuiji.targets.models import Target, TargetChange, TargetType
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@pytest.fixture
def target(demo):
    with acting(actor_name="测试"):
        return Target.objects.create(
            code="Z130534P99990",
            name="清河县离线草稿测试项目",
            target_type=TargetType.PROJECT,
            legal_representative="项目负责人",
            address="清河县葛仙庄镇1号",
            region_id="130534",
            risk_class="B",
        )


def _phone(browser, base, username="sw_admin"):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, username)
    page.wait_for_selector("[data-testid=home-title]")
    return context, page


def _storage(page):
    return page.evaluate("Object.fromEntries(Object.keys(localStorage).map(k => [k, localStorage.getItem(k)]))")


def _address_changes(target, address):
    return [c for c in TargetChange.objects.filter(target=target, action="update") if c.after.get("address") == address]


def test_a_draft_survives_a_reload_and_an_offline_submission_is_sent_when_online(live_server, browser, target):
    context, page = _phone(browser, live_server.url)
    edit = f"{live_server.url}/targets/{target.pk}/edit/"
    page.goto(edit)
    request_id = page.input_value("input[name=client_request_id]")
    assert UUID.fullmatch(request_id)

    # Typed, then the page is reloaded: the draft is back, with a notice, and the same request id.
    page.fill("#id_address", "清河县葛仙庄镇草稿路2号")
    page.reload()
    assert "已恢复未提交的草稿" in page.inner_text("[data-testid=offline-draft-notice]")
    assert page.input_value("#id_address") == "清河县葛仙庄镇草稿路2号"
    assert page.input_value("input[name=client_request_id]") == request_id

    # Offline: the submission is kept on the phone, nothing reaches the server.
    context.set_offline(True)
    page.fill("#id_address", "清河县葛仙庄镇离线路3号")
    page.click("form[data-offline-draft] button[type=submit]")
    assert "离线：已保存，联网后自动提交" in page.inner_text("[data-testid=offline-draft-notice]")
    assert page.url == edit
    target.refresh_from_db()
    assert target.address == "清河县葛仙庄镇1号"
    queued = page.evaluate("JSON.parse(localStorage.getItem('ssj-queue'))")
    assert len(queued) == 1 and queued[0]["client_request_id"] == request_id
    assert ["address", "清河县葛仙庄镇离线路3号"] in queued[0]["body"]

    # The connection returns: sent once, the page follows the redirect, the draft is gone.
    context.set_offline(False)
    page.wait_for_url(f"{live_server.url}/targets/{target.pk}/")
    target.refresh_from_db()
    assert target.address == "清河县葛仙庄镇离线路3号"
    assert len(_address_changes(target, "清河县葛仙庄镇离线路3号")) == 1
    assert not any(k.startswith("ssj-") for k in _storage(page))
    context.close()


def test_a_queued_submission_is_sent_on_the_next_page_load(live_server, browser, target):
    context, page = _phone(browser, live_server.url)
    page.goto(f"{live_server.url}/targets/{target.pk}/edit/")
    context.set_offline(True)
    page.fill("#id_legal_representative", "王离线")
    page.click("form[data-offline-draft] button[type=submit]")
    page.wait_for_selector("text=离线：已保存，联网后自动提交")
    page.close()  # the phone's browser is closed before the signal returns

    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    for _ in range(200):  # the page's CSP refuses wait_for_function's eval: poll
        if page.evaluate("localStorage.getItem('ssj-queue')") is None:
            break
        page.wait_for_timeout(50)
    target.refresh_from_db()
    assert target.legal_representative == "王离线"
    changes = [c for c in TargetChange.objects.filter(target=target) if c.after.get("legal_representative") == "王离线"]
    assert len(changes) == 1
    assert not any(k.startswith("ssj-draft:") for k in _storage(page))
    context.close()


def test_a_refused_submission_keeps_the_draft(live_server, browser, target):
    """The server's answer to a bad value is shown like a normal submission; the draft stays."""
    context, page = _phone(browser, live_server.url)
    page.goto(f"{live_server.url}/targets/{target.pk}/edit/")
    request_id = page.input_value("input[name=client_request_id]")
    page.fill("#id_name", "")
    page.click("form[data-offline-draft] button[type=submit]")
    page.wait_for_selector("[data-testid=error-name]")
    target.refresh_from_db()
    assert target.name == "清河县离线草稿测试项目"
    drafts = [k for k in _storage(page) if k.startswith("ssj-draft:")]
    assert len(drafts) == 1
    assert page.input_value("input[name=client_request_id]") == request_id
    context.close()
