"""Claiming copies a published item of the level above into a draft; the link is kept."""

import pytest

from shuangsuiji.items import services
from shuangsuiji.items.models import ItemVersion, VersionStatus
from shuangsuiji.items.services import ItemRuleError
from tests.items.helpers import published_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_item(demo):
    city = demo.department("water").parent  # 邢台市水利局
    return published_item(city, None, code="SW-900")


def test_claim_copies_into_a_draft_and_keeps_the_source(demo, city_item):
    county = demo.department("water")
    user = demo.users["sw_admin"]
    copy = services.claim(city_item, county, user)
    assert copy.item.department == county
    assert (copy.status, copy.version, copy.claimed_from) == (VersionStatus.DRAFT, 1, city_item)
    assert copy.item.code == "SW-900" and copy.name == city_item.name
    assert [s.code for s in copy.sub_items.all()] == [s.code for s in city_item.sub_items.all()]
    assert list(copy.forms.all()) == list(city_item.forms.all())
    published = services.publish_item(copy, user)
    # A later revision still says where the item came from.
    v2 = services.start_revision(published.item, user)
    assert v2.claimed_from == city_item


def test_claiming_twice_is_refused(demo, city_item):
    county = demo.department("water")
    services.claim(city_item, county, demo.users["sw_admin"])
    with pytest.raises(ItemRuleError, match="该事项已认领"):
        services.claim(city_item, county, demo.users["sw_admin"])
    assert ItemVersion.objects.filter(item__department=county).count() == 1


def test_only_the_line_above_can_be_claimed(demo, city_item):
    with pytest.raises(ItemRuleError, match="只能认领本系统上级部门"):
        services.claim(city_item, demo.department("market"), demo.users["sc_admin"])


def test_drafts_of_the_level_above_cannot_be_claimed(demo, city_item):
    draft = services.start_revision(city_item.item, None)
    with pytest.raises(ItemRuleError, match="已发布的现行事项"):
        services.claim(draft, demo.department("water"), demo.users["sw_admin"])


def test_claim_page_lists_the_level_above_and_marks_claimed(client, demo, login, city_item):
    login("sw_operator")  # 业务股室 claims for its department
    body = client.get("/items/claim/").content.decode()
    assert "SW-900" in body and "认领</button>" in body
    response = client.post(f"/items/claim/{city_item.pk}/")
    assert response.status_code == 302
    body = client.get("/items/claim/").content.decode()
    assert "已认领" in body
    again = client.post(f"/items/claim/{city_item.pk}/", follow=True).content.decode()
    assert "该事项已认领" in again


def test_upper_item_detail_is_readable_but_its_draft_is_not(client, demo, login, city_item):
    draft = services.start_revision(city_item.item, None)
    login("sw_admin")
    assert client.get(f"/items/{city_item.item_id}/").status_code == 200
    assert client.get(f"/items/{city_item.item_id}/v{draft.version}/").status_code == 404
    assert client.get(f"/api/items/versions/{draft.pk}").status_code == 404
    assert client.get(f"/api/items/versions/{city_item.pk}").status_code == 200
