"""Linking a login to a register person, from the inspector form and from the user admin:
one person has at most one login, one login belongs to at most one person, and the names
must agree or the difference is shown and confirmed."""

import pytest

from shuangsuiji.accounts.models import User
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspectors.models import Inspector, InspectorChange
from tests.inspectors.helpers import make_inspector

pytestmark = pytest.mark.django_db


def _form(inspector, **extra):
    return {
        "name": inspector.name,
        "organisation": inspector.organisation_id,
        "certificate_no": inspector.certificate_no,
        "cert_valid_to": "2028-12-31",
        "is_active": "on",
        **extra,
    }


def test_inspector_form_links_a_login(client, login, demo):
    account = demo.users["sw_inspector"]  # 刘振华, 水政监察大队
    same = make_inspector(demo.unit("water", "水政监察大队"), no="13053419001", name=account.full_name)
    other = make_inspector(demo.unit("water", "水政监察大队"), no="13053419002", name="张伟")
    login("sw_admin")
    form = client.get(f"/inspectors/{same.pk}/edit/").content.decode()
    assert "平台账号" in form and "sw_inspector" in form

    response = client.post(f"/inspectors/{same.pk}/edit/", _form(same, account=account.pk))
    assert response.status_code == 302
    same.refresh_from_db()
    assert same.user == account
    change = InspectorChange.objects.filter(inspector=same).latest("id")
    assert change.before == {"user": None} and change.after == {"user": "sw_inspector"}
    assert AuditEntry.objects.filter(action="inspectors.link_account").exists()
    assert "sw_inspector" in client.get(f"/inspectors/{same.pk}/").content.decode()

    # one login belongs to one person
    page = client.post(f"/inspectors/{other.pk}/edit/", _form(other, account=account.pk, confirm_name="on"))
    assert page.status_code == 200
    assert "已关联名录库人员" in page.content.decode() and "一个账号只能关联一名人员" in page.content.decode()
    other.refresh_from_db()
    assert other.user is None

    # names must agree, or the difference is shown and confirmed
    second = demo.users["sw_operator"]
    page = client.post(f"/inspectors/{other.pk}/edit/", _form(other, account=second.pk)).content.decode()
    assert "姓名不一致" in page and f"“{second.full_name}”" in page and "“张伟”" in page
    assert Inspector.objects.get(pk=other.pk).user is None
    response = client.post(f"/inspectors/{other.pk}/edit/", _form(other, account=second.pk, confirm_name="on"))
    assert response.status_code == 302
    change = InspectorChange.objects.filter(inspector=other).latest("id")
    assert change.after == {"user": "sw_operator", "name_difference_confirmed": f"{second.full_name} ≠ 张伟"}

    # unlinking is kept in the history too
    client.post(f"/inspectors/{same.pk}/edit/", _form(same, account=""))
    same.refresh_from_db()
    assert same.user is None
    assert InspectorChange.objects.filter(inspector=same).latest("id").after == {"user": None}


def test_accounts_outside_the_scope_are_not_offered(client, login, demo):
    person = make_inspector(demo.unit("water", "水政监察大队"), no="13053419001", name="张伟")
    login("sw_admin")
    page = client.post(f"/inspectors/{person.pk}/edit/", _form(person, account=demo.users["sc_inspector"].pk))
    assert page.status_code == 200 and "error-account" in page.content.decode()
    assert Inspector.objects.get(pk=person.pk).user is None


def test_user_admin_links_a_login(client, demo):
    account = demo.users["sc_inspector"]  # 周永刚
    person = make_inspector(demo.unit("market", "综合行政执法大队"), no="13053429001", name=account.full_name)
    namesake = make_inspector(demo.unit("market", "综合行政执法大队"), no="13053429002", name="王芳")
    taken = make_inspector(demo.unit("market", "综合行政执法大队"), no="13053429003", name=account.full_name)
    taken.user = demo.users["sc_admin"]
    taken.save()
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    url = f"/admin/accounts/user/{account.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "名录库人员" in page.content.decode()

    def post(**extra):
        data = {
            "username": account.username,
            "full_name": account.full_name,
            "organisation": account.organisation_id,
            "is_active": "on",
            "role_grants-TOTAL_FORMS": "0",
            "role_grants-INITIAL_FORMS": "0",
            **extra,
        }
        return client.post(url, data)

    # a person who already has another login
    page = post(inspector=taken.pk).content.decode()
    assert "一名人员至多一个平台账号" in page
    # another name: shown, then confirmed
    page = post(inspector=namesake.pk).content.decode()
    assert "姓名不一致" in page and "“王芳”" in page
    assert not Inspector.objects.filter(user=account).exists()
    response = post(inspector=person.pk)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Inspector.objects.get(user=account) == person
    # clearing the field unlinks
    assert post(inspector="").status_code == 302
    assert not Inspector.objects.filter(user=account).exists()
    assert InspectorChange.objects.filter(inspector=person).latest("id").after == {"user": None}
