"""A published plan version, its lines and waivers never change (model-level guard)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from shuangsuiji.plans import services
from shuangsuiji.plans.models import PlanLine, PlanStatus
from shuangsuiji.plans.services import PlanContent, PlanRuleError
from tests.plans.helpers import published_plan, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo):
    seed_items(demo)
    return published_plan(demo)


def test_published_plan_fields_are_frozen(published):
    published.title = "改名"
    with pytest.raises(ValidationError, match="计划名称"):
        published.save()
    published.refresh_from_db()
    published.status = PlanStatus.DRAFT
    with pytest.raises(ValidationError):
        published.save()


def test_published_lines_are_frozen(published):
    line = published.lines.first()
    line.ratio = Decimal("0.9")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    with pytest.raises(ValidationError):
        PlanLine.objects.create(
            plan=published, position=99, item_version=line.item_version, ratio=1, start_month=1, end_month=2
        )
    with pytest.raises(ValidationError):
        published.delete()


def test_service_refuses_editing_a_published_plan(demo, published):
    with pytest.raises(PlanRuleError):
        services.save_draft(published, PlanContent(title="x"), demo.users["sw_admin"])


def test_published_joint_plan_participants_are_frozen(demo):
    from shuangsuiji.audit.models import AuditEntry
    from tests.plans.helpers import full_lines

    seed_items(demo)
    office_user = demo.users["qh_office"]
    water, market = demo.department("water"), demo.department("market")
    plan = services.create_plan(
        office_user.organisation,
        year=2026,
        participants=[water, market],
        content=PlanContent(title="联合计划", lines=full_lines(water) + full_lines(market)),
        user=office_user,
    )
    created = AuditEntry.objects.filter(action="plans.create", object_id=str(plan.pk), after__has_key="participants")
    assert sorted(created.get().after["participants"]) == sorted([water.name, market.name])
    services.submit(plan, office_user)
    services.approve(plan, demo.users["xt_office"])
    plan = services.publish(plan, office_user)
    with pytest.raises(ValidationError), transaction.atomic():
        plan.participants.remove(market)
    with pytest.raises(ValidationError), transaction.atomic():
        plan.participants.add(demo.department("natural_resources"))
    assert set(plan.participants.all()) == {water, market}
