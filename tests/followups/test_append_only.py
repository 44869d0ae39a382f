"""Nothing of a follow-up is edited in place or deleted: its facts are written once; steps
are appended; a correction is a new step naming the one it corrects, with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.followups import services
from shuangsuiji.followups.models import FollowUpStep
from tests.followups.helpers import determined_part, drawn_target, world_with_task


@pytest.mark.django_db
def test_no_edit_in_place_corrections_are_new_steps(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    # opened on a day whose deadlines the calendar knows: official, frozen (a provisional one,
    # in a year the calendar lacks, moves once when the year is entered)
    [fu] = services.open_followups(part, sw, type_code="01", today=dt.date(2026, 9, 1))
    assert fu.deadline_status == "official"
    step = services.add_step(fu, sw, text="电话提醒项目单位")
    fu.due_on = fu.due_on + dt.timedelta(days=30)
    with pytest.raises(ValidationError, match="不可修改"):
        fu.save()
    fu.refresh_from_db()
    step.text = "改写"
    with pytest.raises(ValidationError):
        step.save()
    with pytest.raises(ValidationError, match="不可删除"):
        FollowUpStep.objects.get(pk=step.pk).delete()
    with pytest.raises(services.FollowUpRuleError, match="晚于今天"):
        services.add_step(fu, sw, text="x", on=dt.date.today() + dt.timedelta(days=3))
    fix = services.add_step(fu, sw, text="更正：实为上门提醒", corrects=step)
    assert fix.kind == "correction" and fix.corrects_id == step.pk
    assert list(fu.steps.values_list("kind", flat=True)) == ["open", "note", "correction"]
    assert AuditEntry.objects.filter(action="followups.step", object_id=str(fix.pk)).exists()
    assert AuditEntry.objects.filter(action="followups.open").exists()


@pytest.mark.django_db
def test_opening_refuses_what_is_not_a_problem_of_the_part(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [ir] = services.problem_items(part)
    with pytest.raises(services.FollowUpRuleError, match="不是本检查结果中发现问题的事项"):
        services.open_followups(part, sw, type_code="01", groups=[[ir.pk + 999]])
    with pytest.raises(services.FollowUpRuleError, match="案号和处罚决定"):
        services.open_followups(part, sw, type_code="04")
    with pytest.raises(services.FollowUpRuleError, match="4 位小数"):
        services.open_followups(part, sw, type_code="04", case_number="1", decision="罚款", fine_wan="1.23456")
    with pytest.raises(services.FollowUpRuleError, match="须填写说明"):
        services.open_followups(part, sw, type_code="11")
    [fu] = services.open_followups(part, sw, type_code="01")
    with pytest.raises(services.FollowUpRuleError, match="已有后续处置"):
        services.open_followups(part, sw, type_code="01")
    assert fu.problems.get() == ir


@pytest.mark.django_db
def test_no_follow_up_needed_closes_at_once(demo):
    world = world_with_task(demo)
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(part, world.users["sw_admin"], type_code="00")
    assert fu.status == "closed" and fu.outcome == "无需后续处置" and fu.closed_on == fu.opened_on


@pytest.mark.django_db
def test_the_guard_is_the_shared_mechanism_model_queryset_and_database(demo):
    """On ``shuangsuiji.immutability``: the ORM save, a queryset update, a delete and a raw SQL
    UPDATE of a frozen column are all refused with the Chinese message; state fields move."""
    from django.db import connection
    from django.db.models import F

    from shuangsuiji.followups.models import FollowUp, Transfer
    from shuangsuiji.immutability import spec_of
    from tests.immutability.helpers import accepted_by_database, refused_by_database

    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(part, sw, type_code="05")
    step = services.add_step(fu, sw, text="电话提醒项目单位")
    tr = services.transfer(fu, demo.department("natural_resources"), "属自然资源部门职责", sw)
    assert not hasattr(__import__("shuangsuiji.followups.models", fromlist=["x"]), "AppendOnly")
    assert spec_of(FollowUp) is not None and spec_of(FollowUpStep) is not None

    fu = FollowUp.objects.get(pk=fu.pk)
    fu.summary = "改写"
    with pytest.raises(ValidationError, match="后续处置的“问题概述”不可修改"):
        fu.save()
    with pytest.raises(ValidationError, match="不可修改"):
        FollowUp.objects.filter(pk=fu.pk).update(summary="改写")
    with pytest.raises(ValidationError, match="不可修改"):
        FollowUpStep.objects.filter(pk=step.pk).update(on=F("on"))
    with pytest.raises(ValidationError, match="处置步骤不可删除"):
        FollowUpStep.objects.get(pk=step.pk).delete()
    with pytest.raises(ValidationError, match="处置步骤不可删除"):
        FollowUpStep.objects.filter(pk=step.pk).delete()
    with pytest.raises(ValidationError, match="移送/抄告不可删除"):
        Transfer.objects.filter(pk=tr.pk).delete()

    # the database refuses a raw UPDATE of a frozen column, with the same message
    msg = refused_by_database("UPDATE followups_followup SET summary = 'x' WHERE id = %s", [fu.pk])
    assert "后续处置的“问题概述”不可修改" in msg
    msg = refused_by_database("UPDATE followups_followupstep SET text = 'x' WHERE id = %s", [step.pk])
    assert "处置步骤的“内容”不可修改" in msg
    msg = refused_by_database("UPDATE followups_transfer SET reason = 'x' WHERE id = %s", [tr.pk])
    assert "不可修改" in msg
    # the declared state fields still move (the workflow's own changes)
    assert accepted_by_database("UPDATE followups_followup SET outcome = 'x' WHERE id = %s", [fu.pk]) == 1
    assert FollowUp.objects.filter(pk=fu.pk).update(outcome="") == 1
    assert FollowUpStep.objects.filter(pk=step.pk, text="电话提醒项目单位").exists()

    if connection.vendor == "postgresql":  # SQLite guards deletes in the ORM only (immutability/sql.py)
        msg = refused_by_database("DELETE FROM followups_followupstep WHERE id = %s", [step.pk])
        assert "处置步骤不可删除" in msg
