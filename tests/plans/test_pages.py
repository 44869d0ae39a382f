"""List, filters, export, print, create and edit pages."""

import pytest

from shuangsuiji.plans.models import Plan
from tests.plans.helpers import department_plan, published_plan, seed_items

pytestmark = pytest.mark.django_db


def test_list_search_and_export(demo, client, login):
    seed_items(demo)
    published_plan(demo)
    login("sw_admin")
    page = client.get("/plans/?q=水务").content.decode()
    assert "2026年度抽查计划" in page
    assert "2026年度抽查计划" not in client.get("/plans/?q=不存在").content.decode()
    assert "2026年度抽查计划" not in client.get("/plans/?status=draft").content.decode()
    csv = client.get("/plans/export.csv")
    assert csv.status_code == 200 and "2026年度抽查计划" in b"".join(csv.streaming_content).decode("utf-8-sig")
    assert client.get("/plans/export.xlsx").status_code == 200


def test_print_view(demo, client, login):
    seed_items(demo)
    plan = published_plan(demo)
    login("sw_operator")
    page = client.get(f"/plans/{plan.pk}/print/").content.decode()
    assert "no-print" in page and "SW-001" in page


def test_create_then_edit(demo, client, login):
    seed_items(demo)
    login("sw_operator")
    water = demo.department("water")
    response = client.post("/plans/new/", {"owner": water.pk, "year": 2027, "title": "2027计划"})
    plan = Plan.objects.get(title="2027计划")
    assert response.url == f"/plans/{plan.pk}/edit/"
    assert plan.lines.count() == 3 and plan.created_by == demo.users["sw_operator"]
    assert client.get(f"/plans/{plan.pk}/edit/").status_code == 200


def test_supervisor_cannot_create(demo, client, login):
    login("qh_supervisor")
    assert client.get("/plans/new/").status_code == 403
    assert client.post("/plans/new/", {}).status_code == 403


def test_published_plans_are_public_in_the_region(demo, client, login):
    seed_items(demo)
    plan = published_plan(demo)
    draft = department_plan(demo, year=2027)
    login("zr_operator")
    assert client.get(f"/plans/{plan.pk}/").status_code == 200
    assert client.get(f"/plans/{draft.pk}/").status_code == 404


def test_edit_page_moves_a_line_to_the_items_current_version(demo, client, login):
    from shuangsuiji.items import services as item_services
    from shuangsuiji.items.models import Item

    seed_items(demo)
    plan = department_plan(demo)
    admin = demo.users["sw_admin"]
    item = Item.objects.get(department=demo.department("water"), code="SW-002")
    old_version = item.published_version
    new_version = item_services.publish_item(item_services.start_revision(item, admin), admin)
    login("sw_operator")
    page = client.get(f"/plans/{plan.pk}/edit/").content.decode()
    assert f'name="inc_{new_version.pk}" checked' in page
    assert f'name="inc_{old_version.pk}"' not in page
