"""Corrections of the register: void a training record, end or cancel a leave period, withdraw a declaration.

Nothing is deleted or edited in place: the record stays with who, when and why, the history and
the audit trail carry the reason, and only live records count for the draw.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspectors import services
from shuangsuiji.inspectors.models import InspectorChange, LeavePeriod, Relationship, TrainingRecord
from tests.inspectors.helpers import make_inspector, make_target

pytestmark = pytest.mark.django_db

WINDOW = (date(2026, 12, 1), date(2026, 12, 15))


@pytest.fixture
def admin(demo):
    return demo.users["sw_admin"]


@pytest.fixture
def water(demo):
    return make_inspector(demo.unit("water", "水政监察大队"), no="13053410001", name="张伟")


@pytest.fixture
def records(water, admin):
    target = make_target()
    training = services.add_training(water, course="执法资格培训", completed_on=date(2025, 5, 1), user=admin)
    leave = services.add_leave(water, start=date(2026, 11, 25), end=date(2026, 12, 5), reason="年休假", user=admin)
    rel = services.add_relationship(
        water, target_code=target.code, kind="shareholding", declared_on=date(2026, 1, 5), user=admin
    )
    return {"training": training, "leave": leave, "relationship": rel, "target": target}


def _candidate(demo, water):
    (out,) = [d for d in services.draw_candidates(demo.department("water"), WINDOW) if d["id"] == water.certificate_no]
    return out


# --- services -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_required(records, admin, reason):
    with pytest.raises(ValidationError, match="请填写作废原因"):
        services.void_training(records["training"], reason, user=admin)
    with pytest.raises(ValidationError, match="请填写取消原因"):
        services.cancel_leave(records["leave"], reason, user=admin)
    with pytest.raises(ValidationError, match="请填写提前结束原因"):
        services.end_leave(records["leave"], date(2026, 11, 30), reason, user=admin)
    with pytest.raises(ValidationError, match="请填写撤销原因"):
        services.withdraw_relationship(records["relationship"], reason, user=admin)
    assert TrainingRecord.objects.live().count() == LeavePeriod.objects.live().count() == 1
    assert Relationship.objects.live().count() == 1
    assert not LeavePeriod.objects.filter(planned_end__isnull=False).exists()


def test_a_record_is_corrected_only_once(records, admin):
    rel = services.withdraw_relationship(records["relationship"], "股份已转让", user=admin)
    assert rel.state == "withdrawn" and rel.withdrawn_by == admin and rel.withdraw_reason == "股份已转让"
    with pytest.raises(ValidationError, match=r"已于 .* 撤销"):
        services.withdraw_relationship(records["relationship"], "再次撤销", user=admin)

    services.void_training(records["training"], "录入错误", user=admin)
    with pytest.raises(ValidationError, match=r"已于 .* 作废"):
        services.void_training(records["training"], "录入错误", user=admin)

    services.cancel_leave(records["leave"], "未休", user=admin)
    with pytest.raises(ValidationError, match=r"已于 .* 取消"):
        services.cancel_leave(records["leave"], "未休", user=admin)
    with pytest.raises(ValidationError, match=r"已于 .* 取消"):
        services.end_leave(records["leave"], date(2026, 11, 30), "提前返岗", user=admin)
    assert InspectorChange.objects.filter(action__in=["relationship_withdrawn", "training_voided"]).count() == 2
    assert InspectorChange.objects.filter(action="leave_cancelled").count() == 1


@pytest.mark.parametrize(
    ("new_end", "message"),
    [
        (date(2026, 11, 24), "不能早于开始日期"),  # before the start
        (date(2026, 12, 5), "应早于现结束日期"),  # the same end: nothing is shortened
        (date(2026, 12, 9), "应早于现结束日期"),  # ending "early" cannot extend a period
    ],
)
def test_new_end_must_lie_within_the_period(records, admin, new_end, message):
    with pytest.raises(ValidationError, match=message):
        services.end_leave(records["leave"], new_end, "提前返岗", user=admin)
    period = LeavePeriod.objects.get()
    assert (period.end, period.planned_end) == (date(2026, 12, 5), None)


def test_ending_early_keeps_the_original_end(records, admin):
    services.end_leave(records["leave"], date(2026, 12, 2), "提前返岗", user=admin)
    period = services.end_leave(records["leave"], date(2026, 11, 25), "当日即返岗", user=admin)  # the start is allowed
    period.refresh_from_db()
    assert (period.start, period.end, period.planned_end) == (date(2026, 11, 25), date(2026, 11, 25), date(2026, 12, 5))
    assert period.state == "ended_early" and period.end_reason == "当日即返岗"
    steps = list(InspectorChange.objects.filter(action="leave_ended").order_by("id").values_list("before", "after"))
    assert steps == [
        ({"end": "2026-12-05"}, {"end": "2026-12-02", "start": "2026-11-25", "end_reason": "提前返岗"}),
        ({"end": "2026-12-02"}, {"end": "2026-11-25", "start": "2026-11-25", "end_reason": "当日即返岗"}),
    ]
    period = services.cancel_leave(period, "实际未休", user=admin)  # an ended period can still be cancelled
    assert period.state == "cancelled"


def test_the_database_refuses_a_closed_record_without_reason(records):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingRecord.objects.filter(pk=records["training"].pk).update(voided_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        LeavePeriod.objects.filter(pk=records["leave"].pk).update(cancelled_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():  # the planned end lies after the end in force
        LeavePeriod.objects.filter(pk=records["leave"].pk).update(planned_end=date(2026, 12, 1), end_reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.filter(pk=records["relationship"].pk).update(withdrawn_at=timezone.now())


def test_one_live_declaration_per_kind_but_withdrawn_ones_may_repeat(records, water, admin):
    target = records["target"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Relationship.objects.create(inspector=water, target=target, kind="shareholding", declared_on=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="已申报过"):
        services.add_relationship(
            water, target_code=target.code, kind="shareholding", declared_on=date(2026, 2, 1), user=admin
        )
    services.withdraw_relationship(records["relationship"], "股份已转让", user=admin)
    again = services.add_relationship(
        water, target_code=target.code, kind="shareholding", declared_on=date(2026, 6, 1), user=admin
    )
    assert again.state == "in_force"
    states = [r.state for r in Relationship.objects.filter(inspector=water)]
    assert states == ["in_force", "withdrawn"]  # the new one first (declared later), the withdrawn one kept


# --- the draw's view --------------------------------------------------------------------------


def test_draw_candidates_only_count_live_records(demo, water, records, admin):
    before = _candidate(demo, water)
    assert before["trained"] is True
    assert before["leave"] == (("2026-11-25", "2026-12-05"),)
    assert before["conflicts"] == {records["target"].code}

    services.end_leave(records["leave"], date(2026, 12, 2), "提前返岗", user=admin)
    assert _candidate(demo, water)["leave"] == (("2026-11-25", "2026-12-02"),)  # the new end counts
    services.end_leave(records["leave"], date(2026, 11, 28), "提前返岗", user=admin)
    assert _candidate(demo, water)["leave"] == ()  # no longer overlaps the window

    services.void_training(records["training"], "录入错误", user=admin)
    services.cancel_leave(records["leave"], "实际未休", user=admin)
    services.withdraw_relationship(records["relationship"], "股份已转让", user=admin)
    after = _candidate(demo, water)
    assert after["trained"] is False and after["leave"] == () and after["conflicts"] == set()
    assert {k: v for k, v in after.items() if k not in ("trained", "leave", "conflicts")} == {
        k: v for k, v in before.items() if k not in ("trained", "leave", "conflicts")
    }


def test_a_cancelled_leave_is_not_a_leave_today(client, login, water, admin):
    today = timezone.localdate()
    period = services.add_leave(water, start=today, end=today + timedelta(days=3), reason="年休假", user=admin)
    login("sw_admin")
    on_leave = {i["certificate_no"] for i in client.get("/api/inspectors/?on_leave=1").json()["items"]}
    assert on_leave == {water.certificate_no}
    assert "今日请假" in client.get(f"/inspectors/{water.pk}/").content.decode()
    services.cancel_leave(period, "未休", user=admin)
    assert client.get("/api/inspectors/?on_leave=1").json()["items"] == []
    assert {i["certificate_no"] for i in client.get("/api/inspectors/?on_leave=0").json()["items"]} == {
        water.certificate_no
    }
    assert "今日请假" not in client.get(f"/inspectors/{water.pk}/").content.decode()


# --- pages ------------------------------------------------------------------------------------


def test_admin_corrects_through_the_detail_page(client, login, water, records):
    login("sw_admin")
    page = client.get(f"/inspectors/{water.pk}/").content.decode()
    assert "撤销申报" in page and "作废" in page and "提前结束" in page
    base = f"/inspectors/{water.pk}"
    r = records
    assert client.post(f"{base}/training/{r['training'].pk}/void/", {"reason": "录入错误"}).status_code == 302
    response = client.post(
        f"{base}/leave/{r['leave'].pk}/end/", {"new_end": "2026-11-28", "reason": "提前返岗"}, follow=True
    )
    assert "请假/停用期间已提前结束" in response.content.decode()
    response = client.post(f"{base}/relationships/{r['relationship'].pk}/withdraw/", {"reason": "股份已转让"})
    assert response.status_code == 302

    page = client.get(f"{base}/").content.decode()
    training_row = page.split(f'data-testid="training-{r["training"].pk}"')[1].split("</tr>")[0]
    assert "<del>执法资格培训</del>" in training_row and "已作废" in training_row and "录入错误" in training_row
    assert "王志强" in training_row  # who voided it
    leave_row = page.split(f'data-testid="leave-{r["leave"].pk}"')[1].split("</tr>")[0]
    assert "已提前结束" in leave_row and "2026-11-28" in leave_row and "<del>2026-12-05</del>" in leave_row
    assert "提前返岗" in leave_row
    rel_row = page.split(f'data-testid="relationship-{r["relationship"].pk}"')[1].split("</tr>")[0]
    assert "已撤销" in rel_row and "股份已转让" in rel_row and "<del>" in rel_row
    assert "撤销申报</summary>" not in rel_row  # no second withdrawal offered
    history = page.split("变更记录")[1]
    assert "培训记录作废" in history and "利害关系申报撤销" in history and "请假/停用提前结束" in history
    assert "end：2026-12-05 → 2026-11-28" in history and "end_reason：提前返岗" in history

    response = client.post(f"{base}/leave/{r['leave'].pk}/cancel/", {"reason": "实际未休"}, follow=True)
    leave_row = response.content.decode().split(f'data-testid="leave-{r["leave"].pk}"')[1].split("</tr>")[0]
    assert "已取消" in leave_row and "实际未休" in leave_row


def test_refusals_are_shown_and_change_nothing(client, login, water, records):
    login("sw_admin")
    base = f"/inspectors/{water.pk}"
    response = client.post(f"{base}/training/{records['training'].pk}/void/", {"reason": "  "}, follow=True)
    assert "原因：这个字段是必填项" in response.content.decode()
    response = client.post(
        f"{base}/leave/{records['leave'].pk}/end/", {"new_end": "2026-12-20", "reason": "提前返岗"}, follow=True
    )
    assert "应早于现结束日期 2026-12-05" in response.content.decode()
    client.post(f"{base}/relationships/{records['relationship'].pk}/withdraw/", {"reason": "股份已转让"})
    response = client.post(
        f"{base}/relationships/{records['relationship'].pk}/withdraw/", {"reason": "再次"}, follow=True
    )
    assert "该利害关系申报已于" in response.content.decode()
    assert TrainingRecord.objects.get().voided_at is None
    assert LeavePeriod.objects.get().end == date(2026, 12, 5)
    assert Relationship.objects.get().withdraw_reason == "股份已转让"
    assert client.get(f"{base}/training/{records['training'].pk}/void/").status_code == 405


def _posts(water, records):
    base = f"/inspectors/{water.pk}"
    return [
        (f"{base}/training/{records['training'].pk}/void/", {"reason": "x"}),
        (f"{base}/leave/{records['leave'].pk}/end/", {"new_end": "2026-11-28", "reason": "x"}),
        (f"{base}/leave/{records['leave'].pk}/cancel/", {"reason": "x"}),
        (f"{base}/relationships/{records['relationship'].pk}/withdraw/", {"reason": "x"}),
    ]


def _untouched(records):
    assert TrainingRecord.objects.live().filter(pk=records["training"].pk).exists()
    assert LeavePeriod.objects.live().filter(pk=records["leave"].pk, end=date(2026, 12, 5)).exists()
    assert Relationship.objects.live().filter(pk=records["relationship"].pk).exists()


@pytest.mark.parametrize("username", ["sw_inspector", "qh_supervisor"])
def test_inspectors_and_supervisors_get_403(client, login, water, records, username):
    """sw_inspector works in the same unit (the record is in their scope) but does not keep the register."""
    login(username)
    page = client.get(f"/inspectors/{water.pk}/").content.decode()
    assert "撤销申报</summary>" not in page and "作废</summary>" not in page
    before = AuditEntry.objects.count()
    for url, data in _posts(water, records):
        assert client.post(url, data).status_code == 403, url
    assert AuditEntry.objects.count() == before
    _untouched(records)


@pytest.mark.parametrize("username", ["sc_admin", "sw_operator"])
def test_outside_the_scope_is_404(client, login, water, records, username):
    """Another department's administrator, or an operator of another unit, cannot reach the record."""
    login(username)
    for url, data in _posts(water, records):
        assert client.post(url, data).status_code == 404, url
    _untouched(records)


def test_a_record_of_another_inspector_is_404(client, login, demo, water, records, admin):
    colleague = make_inspector(demo.unit("water", "水政监察大队"), no="13053410002", name="李娜")
    login("sw_admin")
    for url, data in _posts(water, records):
        assert client.post(url.replace(f"/{water.pk}/", f"/{colleague.pk}/"), data).status_code == 404, url
    _untouched(records)


# --- history, audit trail, API ----------------------------------------------------------------


def test_history_and_audit_carry_the_reason(client, login, water, records):
    login("sw_admin")
    base = f"/inspectors/{water.pk}"
    client.post(f"{base}/training/{records['training'].pk}/void/", {"reason": "课程名称录错"})
    client.post(f"{base}/leave/{records['leave'].pk}/end/", {"new_end": "2026-11-30", "reason": "提前返岗"})
    client.post(f"{base}/leave/{records['leave'].pk}/cancel/", {"reason": "实际未休"})
    client.post(f"{base}/relationships/{records['relationship'].pk}/withdraw/", {"reason": "股份已转让"})

    changes = {c.action: c for c in water.changes.all()}
    assert changes["training_voided"].after["void_reason"] == "课程名称录错"
    assert changes["leave_ended"].after["end_reason"] == "提前返岗"
    assert changes["leave_cancelled"].after["cancel_reason"] == "实际未休"
    withdrawn = changes["relationship_withdrawn"]
    assert withdrawn.after == {
        "target": records["target"].code,
        "target_name": records["target"].name,
        "kind": "持股",
        "withdraw_reason": "股份已转让",
    }
    assert withdrawn.changed_by.username == "sw_admin"

    expected = {
        "inspectors.training_void": ("课程名称录错", "inspectors.trainingrecord", {"voided_at", "voided_by_id"}),
        "inspectors.leave_end": ("提前返岗", "inspectors.leaveperiod", {"end", "planned_end", "end_reason"}),
        "inspectors.leave_cancel": ("实际未休", "inspectors.leaveperiod", {"cancelled_at", "cancel_reason"}),
        "inspectors.relationship_withdraw": ("股份已转让", "inspectors.relationship", {"withdrawn_at"}),
    }
    for action, (reason, object_type, fields) in expected.items():
        entry = AuditEntry.objects.get(action=action)
        assert entry.reason == reason and entry.object_type == object_type
        assert fields <= set(entry.after) and entry.organisation_id == water.organisation_id
        assert entry.actor.username == "sw_admin"
    assert AuditEntry.objects.get(action="inspectors.leave_end").before["end"] == "2026-12-05"


def test_redeclaring_a_withdrawn_relationship_through_the_page(client, login, water, records):
    login("sw_admin")
    rel, target = records["relationship"], records["target"]
    client.post(f"/inspectors/{water.pk}/relationships/{rel.pk}/withdraw/", {"reason": "股份已转让"})
    response = client.post(
        f"/inspectors/{water.pk}/relationships/",
        {"target_code": target.code, "kind": "shareholding", "declared_on": "2026-08-01", "note": "重新持股"},
        follow=True,
    )
    assert "已登记利害关系申报" in response.content.decode()
    assert Relationship.objects.filter(inspector=water, target=target).count() == 2
    assert Relationship.objects.live().get(inspector=water, target=target).note == "重新持股"


def test_api_shows_the_state(client, login, water, records, admin):
    services.void_training(records["training"], "录入错误", user=admin)
    services.end_leave(records["leave"], date(2026, 11, 30), "提前返岗", user=admin)
    services.withdraw_relationship(records["relationship"], "股份已转让", user=admin)
    login("sw_admin")
    body = client.get(f"/api/inspectors/{water.pk}").json()
    (training,) = body["trainings"]
    assert training["state"] == "voided" and training["void_reason"] == "录入错误"
    assert training["voided_by"] == "王志强" and training["voided_at"]
    (leave,) = body["leave_periods"]
    assert leave["state"] == "ended_early"
    assert (leave["end"], leave["planned_end"], leave["end_reason"]) == ("2026-11-30", "2026-12-05", "提前返岗")
    assert leave["cancelled_at"] is None and leave["cancel_reason"] == ""
    (rel,) = body["relationships"]
    assert rel["state"] == "withdrawn" and rel["withdraw_reason"] == "股份已转让" and rel["withdrawn_by"] == "王志强"

    services.cancel_leave(LeavePeriod.objects.get(), "实际未休", user=admin)
    (leave,) = client.get(f"/api/inspectors/{water.pk}").json()["leave_periods"]
    assert leave["state"] == "cancelled" and leave["cancel_reason"] == "实际未休" and leave["cancelled_by"] == "王志强"
