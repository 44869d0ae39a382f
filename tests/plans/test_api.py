"""The plan API follows the pages' scope: 404 outside it, published plans public in the region."""

import pytest

from shuangsuiji.plans import services
from tests.plans.helpers import department_plan, published_plan, seed_items

pytestmark = pytest.mark.django_db


def test_list_and_detail_follow_scope(demo, client, login):
    seed_items(demo)
    draft = department_plan(demo, key="water", user="sw_admin", year=2027)
    public = published_plan(demo, key="market", admin="sc_admin", year=2026)
    login("sw_operator")
    ids = {p["id"] for p in client.get("/api/plans/plans").json()["items"]}
    assert ids == {draft.pk, public.pk}
    login("zr_admin")
    ids = {p["id"] for p in client.get("/api/plans/plans").json()["items"]}
    assert ids == {public.pk}  # published plans of the region are public; drafts are not
    assert client.get(f"/api/plans/plans/{draft.pk}").status_code == 404
    detail = client.get(f"/api/plans/plans/{public.pk}").json()
    assert [x["item_code"] for x in detail["lines"]] == [v.item.code for v in services.published_items(public.owner)]
    assert detail["versions"][0]["id"] == public.pk and detail["status"] == "published"


def test_detail_shows_versions_and_uncovered(demo, client, login):
    seed_items(demo)
    plan = department_plan(demo, user="sw_admin", lines=[])
    login("sw_admin")
    detail = client.get(f"/api/plans/plans/{plan.pk}").json()
    assert len(detail["uncovered_item_ids"]) == 3 and detail["lines"] == []
    assert client.get("/api/plans/plans/99999999").status_code == 404


def test_anonymous_is_refused(client):
    assert client.get("/api/plans/plans").status_code == 401
