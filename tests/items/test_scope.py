"""Who sees and who changes item lists: 404 outside scope, 403 for read-only roles."""

import pytest

from shuangsuiji.items import services
from shuangsuiji.items.models import VersionStatus
from tests.items.helpers import content, published_form, published_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def water_draft(demo):
    user = demo.users["sw_admin"]
    dept = demo.department("water")
    form = published_form(dept, user)
    return services.create_item(dept, code="D-1", content=content(form, name="水务草稿事项"), user=user)


@pytest.mark.parametrize("username", ["sc_admin", "zr_operator", "sc_inspector"])
def test_another_departments_draft_is_404_by_page_and_api(client, demo, login, water_draft, username):
    login(username)
    pk = water_draft.item_id
    assert client.get(f"/items/{pk}/").status_code == 404
    assert client.get(f"/items/{pk}/v1/").status_code == 404
    assert client.get(f"/items/{pk}/edit/").status_code == 404
    assert client.post(f"/items/{pk}/publish/").status_code == 404
    assert client.get(f"/api/items/items/{pk}").status_code == 404
    assert client.get(f"/api/items/versions/{water_draft.pk}").status_code == 404
    listed = client.get("/api/items/items").json()["items"]
    assert water_draft.pk not in {v["id"] for v in listed}
    assert "水务草稿事项" not in client.get("/items/").content.decode()
    assert "水务草稿事项" not in client.get("/items/export.csv").content.decode("utf-8-sig")


def test_supervisor_reads_but_post_is_403(client, demo, login, water_draft):
    login("qh_supervisor")
    pk = water_draft.item_id
    assert client.get(f"/items/{pk}/").status_code == 200
    assert client.get(f"/api/items/items/{pk}").status_code == 200
    assert client.post(f"/items/{pk}/publish/").status_code == 403
    assert client.post(f"/items/{pk}/edit/", {"name": "x", "kind": "general"}).status_code == 403
    assert client.post(f"/items/{pk}/withdraw/", {"reason": "x"}).status_code == 403
    assert client.post(f"/items/lists/{water_draft.item.department_id}/publish/").status_code == 403
    assert client.get("/items/new/").status_code == 403
    water_draft.refresh_from_db()
    assert water_draft.status == VersionStatus.DRAFT


def test_inspector_reads_own_departments_published_items_but_not_drafts(client, demo, login, water_draft):
    published = published_item(demo.department("water"), demo.users["sw_admin"], code="P-1")
    login("sw_inspector")
    assert client.get(f"/items/{published.item_id}/").status_code == 200
    assert client.get(f"/items/{water_draft.item_id}/").status_code == 404
    assert client.post(f"/items/{published.item_id}/publish/").status_code == 403


def test_unit_operator_keeps_the_departments_list(client, demo, login, water_draft):
    login("sw_operator")
    assert client.get(f"/items/{water_draft.item_id}/").status_code == 200
    assert client.post(f"/items/{water_draft.item_id}/publish/").status_code == 302
    water_draft.refresh_from_db()
    assert water_draft.status == VersionStatus.PUBLISHED


def test_county_office_sees_county_drafts_not_city_drafts(client, demo, login, water_draft):
    city_item = published_item(demo.department("water").parent, None, code="C-1")
    city_draft = services.start_revision(city_item.item, None)
    login("qh_office")
    assert client.get(f"/items/{water_draft.item_id}/").status_code == 200
    assert client.get(f"/items/{city_item.item_id}/").status_code == 404  # the city is not in the county's scope
    assert client.get(f"/api/items/versions/{city_draft.pk}").status_code == 404


def test_forms_follow_the_same_rule(client, demo, login):
    draft = services.create_form(
        demo.department("water"), code="FX", name="水务草稿表", fields=[], user=demo.users["sw_admin"]
    )
    login("sc_admin")
    assert client.get(f"/items/forms/{draft.form_id}/").status_code == 404
    assert client.get(f"/api/items/forms/{draft.form_id}").status_code == 404
    assert client.post(f"/items/forms/{draft.form_id}/publish/").status_code == 404
    login("qh_supervisor")
    assert client.get(f"/items/forms/{draft.form_id}/").status_code == 200
    assert client.post(f"/items/forms/{draft.form_id}/publish/").status_code == 403


def test_anonymous_is_sent_to_login(client, demo):
    assert client.get("/items/").status_code == 302
    assert client.get("/api/items/items").status_code == 401
