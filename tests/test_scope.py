"""Data scope for every role: pages and API answer 404 outside the user's subtree."""

import pytest

from shuangsuiji.accounts.scope import visible_organisations

pytestmark = pytest.mark.django_db


def org_names(user):
    return set(visible_organisations(user).values_list("name", flat=True))


def test_department_admin_sees_own_department_and_units_only(demo):
    names = org_names(demo.users["sw_admin"])
    assert "清河县水务局" in names
    assert "清河县水务局水土保持股" in names
    assert "清河县市场监督管理局" not in names
    assert "邢台市水利局" not in names  # the level above is not in the subtree


def test_unit_operator_sees_own_unit_only(demo):
    assert org_names(demo.users["sw_operator"]) == {"清河县水务局水土保持股"}


def test_county_office_sees_the_whole_county_but_not_the_city(demo):
    names = org_names(demo.users["qh_office"])
    assert {"清河县水务局", "清河县市场监督管理局", "清河县自然资源和规划局"} <= names
    assert "邢台市水利局" not in names


def test_city_office_sees_the_city_and_its_counties(demo):
    names = org_names(demo.users["xt_office"])
    assert {"邢台市水利局", "清河县水务局"} <= names
    assert "河北省水利厅" not in names


def test_platform_admin_sees_everything(demo):
    assert "河北省水利厅" in org_names(demo.users["admin"])


@pytest.mark.parametrize(
    ("username", "other_key"),
    [
        ("sw_admin", "market"),
        ("sc_admin", "water"),
        ("zr_admin", "water"),
        ("sw_operator", "market"),
        ("sc_inspector", "water"),
        ("zr_inspector", "market"),
        ("qh_supervisor", "city_office"),
        ("qh_office", "city_office"),
    ],
)
def test_other_departments_objects_are_404_by_page_and_api(client, demo, login, username, other_key):
    login(username)
    other = demo.orgs[other_key]
    assert client.get(f"/orgs/{other.pk}/").status_code == 404
    assert client.get(f"/api/orgs/organisations/{other.pk}").status_code == 404
    listed = client.get("/api/orgs/organisations?page=1").json()["items"]
    assert other.pk not in {o["id"] for o in listed}


def test_own_department_is_visible(client, demo, login):
    login("sw_admin")
    assert client.get(f"/orgs/{demo.department('water').pk}/").status_code == 200
    assert client.get(f"/api/orgs/organisations/{demo.department('water').pk}").status_code == 200


@pytest.mark.parametrize("username", ["sw_admin", "sw_operator", "sw_inspector", "sc_admin"])
def test_audit_trail_is_forbidden_to_roles_without_oversight(client, demo, login, username):
    login(username)
    assert client.get("/audit/").status_code == 403
    assert client.get("/api/audit/entries").status_code == 403


@pytest.mark.parametrize("username", ["qh_supervisor", "qh_office", "admin"])
def test_audit_trail_is_open_to_oversight_roles(client, demo, login, username):
    login(username)
    assert client.get("/audit/").status_code == 200
    assert client.get("/api/audit/entries").status_code == 200


def test_supervisor_sees_county_entries_but_not_city_ones(client, demo, login):
    from shuangsuiji.audit.models import AuditEntry

    login("qh_supervisor")
    city_entry = AuditEntry.objects.filter(organisation=demo.orgs["city_office"]).first()
    county_entry = AuditEntry.objects.filter(organisation=demo.department("water")).first()
    assert client.get(f"/audit/{city_entry.seq}/").status_code == 404
    assert client.get(f"/audit/{county_entry.seq}/").status_code == 200


def test_user_list_is_scoped(client, demo, login):
    login("sc_admin")
    body = client.get("/orgs/users/").content.decode()
    assert "sc_inspector" in body
    assert "sw_admin" not in body


def test_anonymous_is_sent_to_login_and_api_says_401(client, demo):
    assert client.get("/orgs/").status_code == 302
    assert client.get("/api/orgs/organisations").status_code == 401
