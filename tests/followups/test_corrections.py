"""A correction of the result a follow-up was opened from (a new version determined again):
the follow-up keeps the version it was opened from and shows the current one beside it; a
correction that removes its finding flags an open follow-up for review in the owner's to-do,
closing or editing nothing (docs/architecture.md "Follow-ups", corrections)."""

from __future__ import annotations

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.followups import services
from shuangsuiji.followups.models import FollowUp, FollowUpStatus, StepKind
from shuangsuiji.followups.todo import todo_for
from tests.followups.helpers import corrected_part, determined_part, drawn_target, world_with_task

REVIEW = "检查结果已更正，请复核"


def _frozen_facts(fu: FollowUp) -> dict:
    return {f.attname: getattr(fu, f.attname) for f in FollowUp._meta.concrete_fields if f.attname != "updated_at"}


@pytest.mark.django_db
def test_a_correction_without_the_problem_flags_the_open_follow_up_for_review(demo, client):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    v1 = determined_part(world, world.water, drawn_target(world, world.water), problem="弃渣场未设置拦挡措施")
    [fu] = services.open_followups(v1, sw, type_code="01")
    before = _frozen_facts(fu)
    assert not services.needs_review(fu)
    assert not any(REVIEW in t["title"] for t in todo_for(sw))

    v2 = corrected_part(world, v1, still_problem=False, reason="复核发现：拦挡措施已设置，系录入错误")
    fu.refresh_from_db()
    # nothing closed or edited: the follow-up still points at the version it was opened from
    assert _frozen_facts(fu) == before and fu.status == FollowUpStatus.OPEN and fu.part_id == v1.pk
    assert services.current_part(fu) == v2
    assert services.needs_review(fu)
    step = fu.steps.get(kind=StepKind.REVIEW)
    assert "第 1 版更正为第 2 版" in step.text and "弃渣场未设置拦挡措施" in step.text
    assert AuditEntry.objects.filter(action="followups.result_corrected", object_id=str(fu.pk)).exists()
    [item] = [t for t in todo_for(sw) if REVIEW in t["title"]]
    assert item["url"] == f"/followups/{fu.pk}/"

    # both versions side by side, on the page and in the API
    client.force_login(sw)
    page = client.get(f"/followups/{fu.pk}/").content.decode()
    assert "开启依据" in page and "第 1 版" in page and "当前版本" in page and "第 2 版" in page
    assert "已不再认定为问题" in page and 'data-testid="needs-review"' in page
    data = client.get(f"/api/followups/{fu.pk}").json()
    assert (data["part_id"], data["part_version"]) == (v1.pk, 1)
    assert (data["current_part_id"], data["current_part_version"], data["needs_review"]) == (v2.pk, 2, True)

    # the owner reviews (an appended step); the flag goes, the follow-up goes on as decided
    with pytest.raises(services.FollowUpRuleError, match="请填写步骤内容"):
        services.add_step(fu, sw, kind=StepKind.REVIEWED, text="")
    r = client.post(f"/followups/{fu.pk}/step/", {"kind": "reviewed", "text": "经复核，问题不成立，拟办结"})
    assert r.status_code == 302
    assert not services.needs_review(fu)
    assert not any(REVIEW in t["title"] for t in todo_for(sw))
    with pytest.raises(services.FollowUpRuleError, match="没有待复核"):
        services.add_step(fu, sw, kind=StepKind.REVIEWED, text="再次复核")
    services.close(fu, "结果更正后问题不成立，办结", sw)


@pytest.mark.django_db
def test_a_correction_that_keeps_the_problem_is_noted_without_a_flag(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    v1 = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(v1, sw, type_code="01")
    v2 = corrected_part(world, v1, still_problem=True)
    fu.refresh_from_db()
    assert services.current_part(fu) == v2 and fu.part_id == v1.pk
    assert not services.needs_review(fu)
    assert fu.steps.filter(kind=StepKind.CORRECTED, text__contains="仍然存在").exists()
    # the corrected version's problem is the same finding: no second follow-up, no to-do to open one
    with pytest.raises(services.FollowUpRuleError, match="已有后续处置"):
        services.open_followups(v2, sw, type_code="01")
    assert not any(t["url"] == f"/followups/parts/{v2.pk}/open/" for t in todo_for(sw))


@pytest.mark.django_db
def test_a_closed_follow_up_is_noted_not_flagged(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    v1 = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(v1, sw, type_code="01")
    services.close(fu, "已行政指导", sw)
    corrected_part(world, v1, still_problem=False)
    fu.refresh_from_db()
    assert fu.status == FollowUpStatus.CLOSED and not services.needs_review(fu)
    assert fu.steps.filter(kind=StepKind.CORRECTED, text__contains="新版本中已无以下问题").exists()
