"""Adjusting a published plan: approval first, then a new version due in 10 working days."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.plans import services
from shuangsuiji.plans.models import PlanStatus
from shuangsuiji.plans.services import PlanRuleError
from tests.plans.helpers import department_plan, published_plan, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo):
    seed_items(demo)
    return published_plan(demo)


def test_adjustment_needs_reason_and_approval_then_opens_version_2(demo, published):
    admin = demo.users["sw_admin"]
    with pytest.raises(PlanRuleError):
        services.request_adjustment(published, admin, "")
    adjustment = services.request_adjustment(published, demo.users["sw_operator"], "新增河道专项整治")
    with pytest.raises(PermissionDenied):
        services.approve_adjustment(adjustment, demo.users["sw_operator"], today=dt.date(2026, 9, 25))
    new = services.approve_adjustment(adjustment, admin, today=dt.date(2026, 9, 25))
    assert (new.version, new.previous, new.status) == (2, published, PlanStatus.DRAFT)
    old_lines = [(x.item_version_id, x.ratio) for x in published.lines.all()]
    assert [(x.item_version_id, x.ratio) for x in new.lines.all()] == old_lines
    assert AuditEntry.objects.get(action="plans.adjust").reason == "新增河道专项整治"
    assert AuditEntry.objects.filter(action="plans.adjust_approve").exists()
    # The 10th working day after 2026-09-25, across the National Day holiday (real calendar).
    assert new.due_date() == dt.date(2026, 10, 15)
    assert not new.is_overdue(dt.date(2026, 10, 15))
    assert new.is_overdue(dt.date(2026, 10, 16))


def test_publishing_the_new_version_supersedes_the_old_which_stays_unchanged(demo, published, client, login):
    admin = demo.users["sw_admin"]
    before = (published.title, [(x.item_version_id, x.ratio, x.start_month) for x in published.lines.all()])
    new = services.approve_adjustment(services.request_adjustment(published, admin, "调整时间"), admin)
    lines = [services.LineSpec(x.item_version, x.ratio, x.methods, 10, 12, x.target_note) for x in new.lines.all()]
    services.save_draft(new, services.PlanContent(title="调整后的计划", lines=lines), admin)
    services.submit(new, demo.users["sw_operator"])
    services.approve(new, admin)
    services.publish(new, admin)
    published.refresh_from_db()
    assert published.status == PlanStatus.SUPERSEDED
    assert (published.title, [(x.item_version_id, x.ratio, x.start_month) for x in published.lines.all()]) == before
    login("sw_admin")
    page = client.get(f"/plans/{published.pk}/").content.decode()
    assert "已被调整版本替代" in page and "第 2 版" in page


def test_only_published_plans_may_be_adjusted(demo):
    seed_items(demo)
    plan = department_plan(demo)
    with pytest.raises(PlanRuleError, match="只有已发布"):
        services.request_adjustment(plan, demo.users["sw_admin"], "原因")


def test_missing_calendar_year_gives_a_provisional_deadline(demo, published, client, login):
    admin = demo.users["sw_admin"]
    new = services.approve_adjustment(
        services.request_adjustment(published, admin, "调整"), admin, today=dt.date(2099, 12, 20)
    )
    # 10 working days after Sunday 2099-12-20, Monday–Friday, 2100-01-01 a holiday (issue 18)
    assert new.due_date() == dt.date(2100, 1, 4) and new.due_provisional()
    assert "暂定" in new.due_problem()
    assert new.is_overdue(dt.date(2100, 6, 1))
    login("sw_admin")
    assert "暂定" in client.get(f"/plans/{new.pk}/").content.decode()


def test_adjustment_can_be_returned_with_a_reason(demo, published, client, login):
    adjustment = services.request_adjustment(published, demo.users["sw_operator"], "调整")
    login("sw_admin")
    client.post(f"/plans/{published.pk}/adjustments/{adjustment.pk}/return/", {"reason": ""})
    adjustment.refresh_from_db()
    assert adjustment.status == "requested"
    client.post(f"/plans/{published.pk}/adjustments/{adjustment.pk}/return/", {"reason": "理由不充分"})
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.decision_note) == ("returned", "理由不充分")
    assert AuditEntry.objects.get(action="plans.adjust_return").reason == "理由不充分"
    assert not type(published).objects.filter(previous=published).exists()


def test_overdue_republication_is_flagged_on_list_and_detail(demo, published, client, login):
    admin = demo.users["sw_admin"]
    adjustment = services.request_adjustment(published, admin, "调整")
    login("sw_admin")
    response = client.post(f"/plans/{published.pk}/adjustments/{adjustment.pk}/approve/")
    new = type(published).objects.get(previous=published)
    assert response.url == f"/plans/{new.pk}/"
    # Pretend the approval was long ago (a real 2021 date): the 10-working-day window has passed.
    type(published).objects.filter(pk=new.pk).update(adjustment_approved_on=dt.date(2021, 3, 1))
    new.refresh_from_db()
    assert new.due_date() == dt.date(2021, 3, 15)
    listing = client.get("/plans/?overdue=1").content.decode()
    assert f'href="/plans/{new.pk}/"' in listing and f'href="/plans/{published.pk}/"' not in listing
    detail = client.get(f"/plans/{new.pk}/").content.decode()
    assert "逾期未发布" in detail and "2021年3月15日" in detail
