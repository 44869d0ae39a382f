"""List filters (page and API): search, organisation, specialty, expert, active, certificate, leave."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shuangsuiji.inspectors.models import LeavePeriod
from tests.inspectors.helpers import make_inspector, specialty

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(demo):
    today = timezone.localdate()
    unit = demo.unit("water", "水政监察大队")
    water = demo.department("water")
    tag = specialty()
    make_inspector(unit, no="13053410001", name="张伟").specialties.add(tag)
    make_inspector(water, no="13053410002", name="王芳", valid_to=today + timedelta(days=10))
    make_inspector(water, no="13053410003", name="李娜", valid_to=today - timedelta(days=1))
    make_inspector(water, no="ZJ13053410061", name="赵强", is_expert=True, is_active=False)
    away = make_inspector(water, no="13053410004", name="刘洋")
    LeavePeriod.objects.create(inspector=away, start=today, end=today + timedelta(days=3), reason="年休假")
    return {"tag": tag, "unit": unit}


def ids(client, **params):
    response = client.get("/api/inspectors/", params)
    assert response.status_code == 200
    return sorted(i["certificate_no"] for i in response.json()["items"])


def test_filters(client, login, people):
    login("sw_admin")
    assert ids(client, q="王") == ["13053410002"]
    assert ids(client, q="1305341000") == ["13053410001", "13053410002", "13053410003", "13053410004"]
    assert ids(client, organisation=people["unit"].pk) == ["13053410001"]
    assert ids(client, tag=people["tag"].pk) == ["13053410001"]
    assert ids(client, expert="1") == ["ZJ13053410061"]
    assert ids(client, active="0") == ["ZJ13053410061"]
    assert ids(client, cert="expiring") == ["13053410002"]
    assert ids(client, cert="expired") == ["13053410003"]
    assert "13053410003" not in ids(client, cert="valid")
    assert ids(client, on_leave="1") == ["13053410004"]


def test_list_page_paginates_and_searches(client, login, people):
    login("sw_admin")
    page = client.get("/inspectors/", {"q": "张伟"})
    body = page.content.decode()
    assert page.status_code == 200 and "张伟" in body and "王芳" not in body
    assert "不计入" in body  # the UI says experts do not count toward the group


def test_navigation_points_at_the_register(client, login, people):
    login("sw_admin")
    assert 'href="/inspectors/"' in client.get("/").content.decode()
