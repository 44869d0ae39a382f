"""The current credit-risk classification lives on the target; RiskClassChange keeps the earlier ones."""

import importlib
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.targets import services
from shuangsuiji.targets.models import RiskClassChange, Target
from tests.targets.helpers import GOOD_USCC

pytestmark = pytest.mark.django_db

migration = importlib.import_module("shuangsuiji.targets.migrations.0007_current_risk_class")


def _data(**extra):
    return {
        "name": "清河县测试有限公司",
        "uscc": GOOD_USCC[0],
        "target_type": "enterprise",
        "region_id": "130534",
        "risk_class": "B",
    } | extra


def _user(username="sc_operator"):
    from shuangsuiji.accounts.models import User

    return User.objects.get(username=username)


def test_create_sets_the_current_classification_and_writes_no_history_row(demo):
    user = _user()
    target = services.create_target(_data(risk_class="C"), user=user, risk_source="市场监管部门分类结果")
    target.refresh_from_db()
    assert target.risk_class == "C" and target.risk_source == "市场监管部门分类结果"
    assert target.risk_effective_on == timezone.localdate()
    assert target.risk_recorded_by_id == user.pk and target.risk_recorded_at is not None
    assert not RiskClassChange.objects.exists()
    plain = services.create_target(_data(uscc=GOOD_USCC[1], name="乙"), user=user)
    assert plain.risk_source == "录入" and plain.risk_class == "B"


def test_each_reclassification_keeps_the_replaced_one(demo):
    user, other = _user(), _user("sw_admin")
    target = services.create_target(_data(), user=user)
    created_at = Target.objects.get(pk=target.pk).risk_recorded_at
    before = AuditEntry.objects.filter(action="targets.risk_class").count()

    jan, apr = date(2026, 1, 1), date(2026, 4, 1)
    returned = services.set_risk_class(target, "D", effective_on=jan, source="2026年第一季度", user=other)
    assert returned.pk == target.pk and target.risk_class == "D"
    services.set_risk_class(target, "D", effective_on=apr, source="2026年第二季度（复核）", user=user)

    target = Target.objects.get(pk=target.pk)
    assert (target.risk_class, target.risk_source, target.risk_effective_on) == ("D", "2026年第二季度（复核）", apr)
    assert target.risk_recorded_by_id == user.pk
    earlier = list(target.risk_history.order_by("id"))
    assert [(r.risk_class, r.source, r.effective_on, r.recorded_by_id) for r in earlier] == [
        ("B", "录入", timezone.localdate(), user.pk),
        ("D", "2026年第一季度", jan, other.pk),
    ]
    assert earlier[0].recorded_at == created_at  # the replaced classification's own time, not now
    assert earlier[1].recorded_at < target.risk_recorded_at
    entries = AuditEntry.objects.filter(action="targets.risk_class")
    assert entries.count() - before == 4  # per reclassification: the history row and the target
    assert {e.object_type for e in entries} == {"targets.riskclasschange", "targets.target"}


def test_reclassification_is_validated(demo):
    from django.core.exceptions import ValidationError

    target = services.create_target(_data(), user=_user())
    with pytest.raises(ValidationError):
        services.set_risk_class(target, "E", effective_on=date(2026, 1, 1), source="x", user=None)
    with pytest.raises(ValidationError):
        services.set_risk_class(target, "A", effective_on=date(2026, 1, 1), source="  ", user=None)
    assert not RiskClassChange.objects.exists()


def test_risk_records_current_first_then_earlier_newest_first(demo):
    user = _user()
    target = services.create_target(_data(), user=user)
    today = timezone.localdate()
    services.set_risk_class(target, "C", effective_on=today + timedelta(days=30), source="第一季度", user=user)
    services.set_risk_class(target, "A", effective_on=today + timedelta(days=60), source="第二季度", user=user)
    records = Target.objects.get(pk=target.pk).risk_records()
    assert [(r.risk_class, r.source) for r in records] == [("A", "第二季度"), ("C", "第一季度"), ("B", "录入")]
    assert records[0].pk is None and all(r.pk for r in records[1:])
    assert records[0].recorded_by == user


def test_superseded_risk_of_a_target_never_classified_falls_back_to_created_at(demo):
    target = Target.objects.create(
        name="甲", code=GOOD_USCC[0], uscc=GOOD_USCC[0], target_type="enterprise", region_id="130534"
    )
    row = target.superseded_risk()
    assert row.pk is None and row.target == target and row.risk_class == "U" and row.source == ""  # 未分类
    assert row.effective_on == timezone.localdate(target.created_at) and row.recorded_at == target.created_at
    assert row.recorded_by_id is None


def test_detail_page_marks_the_current_classification(client, demo, login):
    user = login("sc_operator")
    target = services.create_target(_data(), user=user)
    client.post(f"/targets/{target.pk}/risk/", {"risk_class": "C", "effective_on": "2026-03-01", "source": "第一季度"})
    target.refresh_from_db()
    assert target.risk_class == "C" and target.risk_history.count() == 1
    body = client.get(f"/targets/{target.pk}/").content.decode()
    current = body.split('data-testid="risk-current"')[1].split("</tr>")[0]
    assert "现行" in current and "第一季度" in current and "2026年3月1日" in current
    assert body.count("现行") == 1
    earlier = body.split('data-testid="risk-current"')[1].split("</tr>")[1]
    assert "录入" in earlier and str(user) in earlier


def test_detail_page_says_system_when_nobody_recorded_it(client, demo, login):
    target = Target.objects.create(
        name="甲", code=GOOD_USCC[0], uscc=GOOD_USCC[0], target_type="enterprise", region_id="130534"
    )
    login("sw_admin")
    body = client.get(f"/targets/{target.pk}/").content.decode()
    current = body.split('data-testid="risk-current"')[1].split("</tr>")[0]
    assert "现行" in current and "系统" in current


def test_api_lists_the_current_source_and_effective_date(client, demo, login):
    user = login("sw_admin")
    services.create_target(_data(), user=user, risk_source="分类结果")
    item = client.get("/api/targets/targets").json()["items"][0]
    assert item["risk_source"] == "分类结果" and item["risk_effective_on"] == timezone.localdate().isoformat()


def _legacy_target(code: str, created_days_ago: int = 10) -> Target:
    """A target as the old design left it: blank current fields."""
    target = Target.objects.create(
        name=code, code=code, uscc=code, target_type="enterprise", region_id="130534", risk_class="B"
    )  # the old default
    created = timezone.now() - timedelta(days=created_days_ago)
    Target.objects.filter(pk=target.pk).update(created_at=created)
    target.refresh_from_db()
    return target


def _row(target, risk_class, effective_on, source, user=None):
    return RiskClassChange.objects.create(
        target=target, risk_class=risk_class, effective_on=effective_on, source=source, recorded_by=user
    )


@pytest.mark.parametrize("use_sql", [False, True])
def test_data_migration_moves_the_latest_row_onto_the_target(demo, use_sql):
    if use_sql and connection.vendor != "postgresql":
        pytest.skip("the set-based statements are PostgreSQL's")
    user = _user()
    reclassified, created_only, never, backdated = (_legacy_target(c) for c in GOOD_USCC)
    reclassified.risk_class = "D"
    reclassified.save()
    first = _row(reclassified, "B", date(2025, 1, 1), "录入", user)
    _row(reclassified, "C", date(2026, 1, 1), "一季度", user)
    latest = _row(reclassified, "D", date(2026, 1, 1), "一季度（更正）", user)  # same date: the higher id wins
    only = _row(created_only, "B", date(2025, 6, 1), "导入：a.csv")
    # Old design: a back-dated entry made C current though a B row has a later date.
    backdated.risk_class = "C"
    backdated.save()
    later_b = _row(backdated, "B", date(2026, 3, 1), "三月")
    backdated_c = _row(backdated, "C", date(2026, 2, 1), "二月（补录）")

    migration.move_latest_risk_to_target(Target, RiskClassChange, connection, use_sql=use_sql)

    t = Target.objects.get(pk=reclassified.pk)
    assert (t.risk_class, t.risk_source, t.risk_effective_on) == ("D", "一季度（更正）", date(2026, 1, 1))
    assert t.risk_recorded_at == latest.recorded_at and t.risk_recorded_by_id == user.pk
    assert sorted(t.risk_history.values_list("source", flat=True)) == ["一季度", "录入"]
    assert t.risk_records()[0].source == "一季度（更正）" and first.pk in [r.pk for r in t.risk_records()]

    t = Target.objects.get(pk=created_only.pk)
    assert (t.risk_source, t.risk_effective_on, t.risk_recorded_at) == (
        "导入：a.csv",
        date(2025, 6, 1),
        only.recorded_at,
    )
    assert t.risk_recorded_by_id is None and not t.risk_history.exists()

    t = Target.objects.get(pk=never.pk)
    assert (t.risk_class, t.risk_source, t.risk_recorded_at) == ("B", "", None)
    assert t.risk_effective_on == timezone.localdate(never.created_at)

    t = Target.objects.get(pk=backdated.pk)
    assert (t.risk_class, t.risk_source) == ("C", "二月（补录）")  # the class the draw uses is unchanged
    assert list(t.risk_history.values_list("pk", flat=True)) == [later_b.pk]
    assert not RiskClassChange.objects.filter(pk=backdated_c.pk).exists()
    assert RiskClassChange.objects.count() == 3


def test_data_migration_reverse_restores_the_rows(demo):
    user = _user()
    target = _legacy_target(GOOD_USCC[0])
    _row(target, "B", date(2025, 1, 1), "录入", user)
    plain = _legacy_target(GOOD_USCC[1])
    before = sorted(
        RiskClassChange.objects.values_list(
            "target_id", "risk_class", "effective_on", "source", "recorded_at", "recorded_by_id"
        )
    )
    migration.move_latest_risk_to_target(Target, RiskClassChange, connection)
    assert not RiskClassChange.objects.exists()
    migration.restore_current_risk_rows(Target, RiskClassChange, connection)
    after = sorted(
        RiskClassChange.objects.values_list(
            "target_id", "risk_class", "effective_on", "source", "recorded_at", "recorded_by_id"
        )
    )
    assert after == before and not RiskClassChange.objects.filter(target=plain).exists()
