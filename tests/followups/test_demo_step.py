"""The demo step gives determined results follow-ups in every state, once (idempotent)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shuangsuiji.audit.context import acting
from shuangsuiji.followups import demo as followups_demo
from shuangsuiji.followups.models import FollowUp, FollowUpStatus, TransferStatus
from shuangsuiji.followups.services import overdue_q
from tests.followups.helpers import determined_part, world_with_task


@pytest.mark.django_db
def test_follow_ups_in_every_state(demo):
    world = world_with_task(demo)
    log = []
    holder = SimpleNamespace(jurisdiction=demo)
    with acting(actor_name="测试"):
        followups_demo.seed(holder, log.append)
    assert "没有已认定" in log[-1]
    drawn = [d.target for d in world.draw.drawn_targets.filter(replaced_by__isnull=True).order_by("position")[:5]]
    for t in drawn:
        determined_part(world, world.water, t)
    with acting(actor_name="测试"):
        followups_demo.seed(holder, log.append)
    assert log[-1].startswith("演示后续处置：5 件"), log
    from django.utils import timezone

    assert FollowUp.objects.filter(overdue_q(timezone.localdate())).exists()
    assert FollowUp.objects.filter(
        status=FollowUpStatus.TRANSFERRING, transfers__status=TransferStatus.PENDING
    ).exists()
    assert FollowUp.objects.filter(status=FollowUpStatus.CLOSED).exists()
    escalated = FollowUp.objects.get(status=FollowUpStatus.ESCALATED)
    assert escalated.escalated_to.fine_wan == 1.5 and escalated.escalated_to.target.risk_class == "D"
    assert FollowUp.objects.filter(status=FollowUpStatus.OPEN, type__code="01").count() >= 2
    n = FollowUp.objects.count()
    with acting(actor_name="测试"):
        followups_demo.seed(holder, log.append)
    assert FollowUp.objects.count() == n and "已存在" in log[-1]
