"""Dates a user would not mean: 成立日期 in the future, an interest declaration or a training
dated in the future, a task whose whole window lies in the past (refused); a draft task past
its start shows overdue in the to-do."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangsuiji.rules import RuleError
from tests.targets.helpers import GOOD_USCC

pytestmark = pytest.mark.django_db

FUTURE = "2099-01-01"


def test_a_target_established_in_the_future_is_refused_on_the_form(client, login, demo):
    login("sc_operator")
    form = {"name": "清河县测试有限公司", "uscc": GOOD_USCC[0], "target_type": "enterprise", "region": "130534"}
    response = client.post("/targets/new/", form | {"registration_status": "active", "established_on": FUTURE})
    assert response.status_code == 200
    assert "成立日期 2099-01-01 晚于今天" in response.content.decode()


def test_a_target_established_in_the_future_is_a_row_error_of_the_import(demo, tmp_path):
    from tests.targets.helpers import run, write_csv

    header = ["名称", "统一社会信用代码", "对象类型", "行政区划代码", "成立日期"]
    job = run(write_csv(tmp_path / "t.csv", [["甲公司", GOOD_USCC[0], "企业", "130534", FUTURE]], header))
    assert job.status == "rejected" and job.errors[0]["column"] == "成立日期"
    assert "晚于今天" in job.errors[0]["reason"]


def test_an_interest_declaration_or_training_dated_in_the_future_is_refused(demo):
    from shuangsuiji.inspectors import services
    from tests.inspectors.helpers import make_inspector, make_target

    inspector = make_inspector(demo.unit("water", "水土保持股"))
    target = make_target()
    user = demo.users["sw_operator"]
    later = timezone.localdate() + dt.timedelta(days=400)
    with pytest.raises(ValidationError) as refused:
        services.add_relationship(inspector, target_code=target.code, kind="kinship", declared_on=later, user=user)
    assert "申报日期" in str(refused.value) and "晚于今天" in str(refused.value)
    with pytest.raises(ValidationError, match="完成日期"):
        services.add_training(inspector, course="行政执法资格培训", completed_on=later, user=user)


def test_a_task_whose_whole_window_lies_in_the_past_is_refused(demo):
    from tests.tasks.helpers import joint_task, seed_world

    world = seed_world(demo)
    with pytest.raises(RuleError) as refused:
        joint_task(world, window_from=dt.date(2026, 1, 1), window_to=dt.date(2026, 1, 20))
    assert any("已全部早于今天" in m for m in refused.value.messages)


def test_a_draft_task_past_its_start_is_overdue_in_the_to_do(demo):
    from shuangsuiji.tasks.models import Task
    from shuangsuiji.tasks.todo import todo_for
    from tests.tasks.helpers import joint_task, seed_world

    world = seed_world(demo)
    task = joint_task(world)
    Task.objects.filter(pk=task.pk).update(window_from=dt.date(2026, 1, 1), window_to=dt.date(2026, 1, 20))
    today = dt.date(2026, 12, 2)
    items = [t for t in todo_for(world.users["sw_operator"], today=today) if t["url"].endswith(f"/{task.pk}/")]
    assert items and items[0]["overdue"] and "检查期间已结束" in items[0]["title"]
