"""A target without a credit-risk class is 未分类, visibly; a stratified draw puts the 未分类
targets in the stratum the task names (default B), and says so."""

import datetime as dt

import pytest

from shuangsuiji.targets.choices import RiskClass
from shuangsuiji.targets.models import Target
from tests.targets.helpers import GOOD_USCC, run, write_csv

pytestmark = pytest.mark.django_db


def test_a_new_target_without_a_class_is_unclassified_and_shown_so(client, login, demo, tmp_path):
    user = login("sc_operator")
    header = ["名称", "统一社会信用代码", "对象类型", "行政区划代码", "信用风险分类"]
    rows = [["甲公司", GOOD_USCC[0], "企业", "130534", ""], ["乙公司", GOOD_USCC[1], "企业", "130534", "C"]]
    assert run(write_csv(tmp_path / "t.csv", rows, header), user=user).status == "done"
    assert Target.objects.get(uscc=GOOD_USCC[0]).risk_class == RiskClass.UNCLASSIFIED
    assert Target.objects.get(uscc=GOOD_USCC[1]).risk_class == "C"
    body = client.get("/targets/").content.decode()
    assert body.count('data-testid="unclassified">未分类<') == 1
    page = client.get(f"/targets/{Target.objects.get(uscc=GOOD_USCC[0]).pk}/").content.decode()
    assert '<dd class="col-sm-4" data-testid="target-risk"><span class="badge bg-secondary">未分类</span>' in page
    # a re-import without a class keeps the class a target has
    rows[1][4] = ""
    assert run(write_csv(tmp_path / "t2.csv", rows, header), user=user).status == "done"
    assert Target.objects.get(uscc=GOOD_USCC[1]).risk_class == "C"


def test_a_stratified_task_draws_unclassified_targets_in_the_stratum_it_names(demo):
    from shuangsuiji.tasks import population as pop
    from tests.tasks.helpers import joint_task, seed_world

    world = seed_world(demo)
    unclassified = Target.objects.filter(code__startswith="Z130534P", risk_class="A")
    n = unclassified.update(risk_class=RiskClass.UNCLASSIFIED)
    assert n > 0
    today = dt.date.today()
    default = joint_task(world)
    counts = pop.count_population(default, today).counts
    assert "U" not in counts and counts.get("B", 0) >= n
    assert any("未分类" in line and "B 一般风险" in line for line in pop.describe(default))

    to_d = joint_task(world, population={"target_types": ["project"], "unclassified_as": "D"})
    counts_d = pop.count_population(to_d, today).counts
    assert counts_d["D"] == counts.get("D", 0) + n and "A" not in counts_d
    frame = pop.build_population(to_d, today)
    assert "U" not in frame.ids and len(frame.ids["D"]) == counts_d["D"]

    with pytest.raises(Exception, match="A、B、C、D"):
        joint_task(world, population={"target_types": ["project"], "unclassified_as": "U"})
