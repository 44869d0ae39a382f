"""Scope: another department's inspector is 404 by page and API; supervisors are read-only."""

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspectors.models import Inspector, LeavePeriod, Relationship, TrainingRecord
from tests.inspectors.helpers import make_inspector, make_target

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(demo):
    water = make_inspector(demo.unit("water", "水政监察大队"), no="13053410001", name="张伟")
    market = make_inspector(demo.unit("market", "综合行政执法大队"), no="13053420001", name="王芳")
    return water, market


@pytest.mark.parametrize("username", ["sw_admin", "sw_operator", "sw_inspector"])
def test_other_departments_inspector_is_404_by_page_and_api(client, login, pair, username):
    _water, market = pair
    login(username)
    assert client.get(f"/inspectors/{market.pk}/").status_code == 404
    assert client.get(f"/inspectors/{market.pk}/edit/").status_code == 404
    assert client.post(f"/inspectors/{market.pk}/training/", {}).status_code == 404
    assert client.get(f"/api/inspectors/{market.pk}").status_code == 404
    listed = {i["certificate_no"] for i in client.get("/api/inspectors/").json()["items"]}
    assert "13053420001" not in listed
    assert "王芳" not in client.get("/inspectors/").content.decode()


def test_own_inspector_is_visible(client, login, pair):
    water, _market = pair
    login("sw_admin")
    assert client.get(f"/inspectors/{water.pk}/").status_code == 200
    body = client.get(f"/api/inspectors/{water.pk}").json()
    assert body["certificate_no"] == "13053410001" and body["organisation_name"] == "清河县水务局水政监察大队"


def test_unit_operator_sees_only_their_unit(client, login, demo, pair):
    other_unit = make_inspector(demo.unit("water", "水资源管理股"), no="13053410002", name="李娜")
    login("sw_operator")  # 水土保持股
    assert client.get(f"/inspectors/{other_unit.pk}/").status_code == 404


def test_county_office_sees_every_department(client, login, pair):
    login("qh_office")
    listed = {i["certificate_no"] for i in client.get("/api/inspectors/").json()["items"]}
    assert listed == {"13053410001", "13053420001"}


def test_supervisor_reads_but_every_write_is_403(client, login, demo, pair):
    water, _market = pair
    login("qh_supervisor")
    page = client.get(f"/inspectors/{water.pk}/")
    assert page.status_code == 200 and "修改" not in page.content.decode().split("变更记录")[0].split("<h1")[1]
    before = AuditEntry.objects.count()
    assert client.post("/inspectors/new/", {"name": "x"}).status_code == 403
    assert client.post(f"/inspectors/{water.pk}/edit/", {"name": "x"}).status_code == 403
    assert client.post(f"/inspectors/{water.pk}/training/", {"course": "x"}).status_code == 403
    assert client.post(f"/inspectors/{water.pk}/leave/", {"reason": "x"}).status_code == 403
    assert client.post(f"/inspectors/{water.pk}/relationships/", {"target_code": "x"}).status_code == 403
    assert AuditEntry.objects.count() == before
    assert Inspector.objects.get(pk=water.pk).name == "张伟"


def test_write_into_another_departments_organisation_is_refused(client, login, demo, pair):
    water, _market = pair
    login("sw_admin")
    response = client.post(
        f"/inspectors/{water.pk}/edit/",
        {"name": "张伟", "organisation": demo.department("market").pk, "certificate_no": "13053410001",
         "cert_valid_to": "2028-12-31", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200  # the form shows the error
    water.refresh_from_db()
    assert water.organisation == demo.unit("water", "水政监察大队")


def test_training_leave_relationship_are_recorded_and_audited(client, login, demo, pair):
    water, _market = pair
    target = make_target()
    login("sw_admin")
    client.post(f"/inspectors/{water.pk}/training/", {"course": "执法资格培训", "completed_on": "2026-03-01"})
    client.post(f"/inspectors/{water.pk}/leave/", {"start": "2026-11-01", "end": "2026-11-10", "reason": "年休假"})
    client.post(
        f"/inspectors/{water.pk}/relationships/",
        {"target_code": target.code.lower(), "kind": "kinship", "declared_on": "2026-01-05"},
    )
    assert TrainingRecord.objects.filter(inspector=water).count() == 1
    assert LeavePeriod.objects.filter(inspector=water).count() == 1
    assert Relationship.objects.get(inspector=water).target == target
    assert set(water.changes.values_list("action", flat=True)) == {"training", "leave", "relationship"}
    entries = AuditEntry.objects.filter(
        action__in=["inspectors.training", "inspectors.leave", "inspectors.relationship"]
    )
    assert entries.count() == 3
    assert set(entries.values_list("organisation_id", flat=True)) == {water.organisation_id}


def test_relationship_target_outside_the_region_is_refused(client, login, demo, pair):
    water, _market = pair
    elsewhere = make_target(code="91130100MA0CXXXX02", name="石家庄某公司", region="130100")
    login("sw_admin")
    response = client.post(
        f"/inspectors/{water.pk}/relationships/",
        {"target_code": elsewhere.code, "kind": "kinship", "declared_on": "2026-01-05"},
        follow=True,
    )
    assert "不存在或不在您的管辖区域内" in response.content.decode()
    assert not Relationship.objects.exists()


def test_leave_ending_before_it_starts_is_refused(client, login, pair):
    water, _market = pair
    login("sw_admin")
    response = client.post(
        f"/inspectors/{water.pk}/leave/", {"start": "2026-11-10", "end": "2026-11-01", "reason": "年休假"}, follow=True
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert not LeavePeriod.objects.exists()
