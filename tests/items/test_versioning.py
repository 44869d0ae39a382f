"""A published item version is immutable; changing it makes the next version."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from shuangsuiji.items import services
from shuangsuiji.items.models import ItemVersion, LegalBasis, VersionStatus
from tests.items.helpers import content, published_item

pytestmark = pytest.mark.django_db


def test_editing_a_published_item_makes_a_new_draft_version(demo):
    user = demo.users["sw_admin"]
    dept = demo.department("water")
    v1 = published_item(dept, user)
    v2 = services.edit_item(v1.item, content(name="取水许可情况的检查（修订）", forms=list(v1.forms.all())), user)
    assert (v2.version, v2.status) == (2, VersionStatus.DRAFT)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED
    assert v1.name == "取水许可情况的检查"
    # Until v2 is published, plans see v1.
    assert list(services.published_items(dept)) == [v1]
    services.publish_item(v2, user)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.SUPERSEDED and v1.name == "取水许可情况的检查"
    assert [v.version for v in services.published_items(dept)] == [2]
    v2.refresh_from_db()
    assert v2.published_by == user and v2.published_at is not None


def test_published_version_refuses_changes_at_model_level(demo):
    v1 = published_item(demo.department("water"), demo.users["sw_admin"])
    v1.name = "偷偷修改"
    with pytest.raises(ValidationError, match="不可修改"):
        v1.save()
    basis = LegalBasis.objects.get(version=v1)
    basis.articles = "第九十九条"
    with pytest.raises(ValidationError):
        basis.save()
    with pytest.raises(services.ItemRuleError, match="已发布的版本不可修改"):
        services.save_draft(v1, content(), demo.users["sw_admin"])
    with pytest.raises(ValidationError), transaction.atomic():
        v1.forms.clear()
    assert v1.forms.count() == 1


def test_old_version_page_stays_readable(client, demo, login):
    user = login("sw_admin")
    v1 = published_item(demo.department("water"), user)
    v2 = services.edit_item(v1.item, content(name="新名称", forms=list(v1.forms.all())), user)
    services.publish_item(v2, user)
    page = client.get(f"/items/{v1.item_id}/v1/")
    assert page.status_code == 200
    assert "取水许可情况的检查" in page.content.decode()
    detail = client.get(f"/items/{v1.item_id}/").content.decode()
    assert "新名称" in detail and "第 1 版" in detail and "已被替代" in detail


def test_revision_through_the_page(client, demo, login):
    user = login("sw_admin")
    v1 = published_item(demo.department("water"), user)
    form_id = v1.forms.get().pk
    response = client.post(
        f"/items/{v1.item_id}/edit/",
        {
            "name": "取水许可情况的检查",
            "kind": "key",
            "min_ratio_percent": "30",
            "frequency": "每年不少于2次",
            "target_types": ["enterprise", "project"],
            "methods": ["on_site", "written"],
            "sub_items": "Q-01｜取水许可证持证情况｜是否持证\nQ-02|计量设施|是否安装取水计量设施",
            "legal_bases": "《取水许可和水资源费征收管理条例》｜第二条",
            "check_forms": [form_id],
            "change_note": "增加计量设施子项",
        },
    )
    assert response.status_code == 302
    v2 = ItemVersion.objects.get(item=v1.item, version=2)
    assert v2.min_ratio == Decimal("0.3000") and v2.kind == "key"
    assert [s.code for s in v2.sub_items.all()] == ["Q-01", "Q-02"]
    assert client.post(f"/items/{v1.item_id}/publish/").status_code == 302
    v2.refresh_from_db()
    assert v2.status == VersionStatus.PUBLISHED


def test_withdrawn_items_are_not_usable(demo):
    user = demo.users["sw_admin"]
    v1 = published_item(demo.department("water"), user)
    services.withdraw_item(v1.item, user, "法规废止")
    assert not services.published_items(demo.department("water")).exists()
    ItemVersion.objects.get(pk=v1.pk)  # still readable


def test_list_shows_one_row_per_item(client, demo, login):
    user = login("sw_admin")
    v1 = published_item(demo.department("water"), user)
    v2 = services.edit_item(v1.item, content(name="修订中的名称", forms=list(v1.forms.all())), user)
    rows = client.get("/api/items/items").json()["items"]
    assert [(r["item_id"], r["version"]) for r in rows] == [(v1.item_id, 2)]
    assert "修订中的名称" in client.get("/items/").content.decode()
    # A reader who may not see drafts gets the published version.
    login("sw_inspector")
    rows = client.get("/api/items/items").json()["items"]
    assert [(r["item_id"], r["version"], r["status"]) for r in rows] == [(v1.item_id, 1, "published")]
    assert v2.status == VersionStatus.DRAFT


def test_withdrawing_an_item_with_a_draft_leaves_the_list_published(demo):
    from shuangsuiji.items.models import ItemList

    user = demo.users["sw_admin"]
    v1 = published_item(demo.department("water"), user)
    services.start_revision(v1.item, user)
    assert ItemList.objects.get(department=demo.department("water")).status == ItemList.Status.DRAFT
    services.withdraw_item(v1.item, user, "职责调整")
    assert ItemList.objects.get(department=demo.department("water")).status == ItemList.Status.PUBLISHED
    with pytest.raises(services.ItemRuleError, match="停用原因"):
        services.withdraw_item(published_item(demo.department("water"), user, code="Q-02").item, user, " ")
