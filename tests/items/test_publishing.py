"""Publishing validates the item and names the field in Chinese; the list publishes all or nothing."""

from decimal import Decimal

import pytest

from shuangsuiji.items import services
from shuangsuiji.items.models import ItemList, ItemVersion, VersionStatus
from shuangsuiji.items.services import ItemRuleError
from tests.items.helpers import content, published_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(demo):
    user = demo.users["sw_admin"]
    dept = demo.department("water")
    return dept, user, published_form(dept, user)


def _publish_messages(dept, user, **changes):
    form = changes.pop("form")
    draft = services.create_item(dept, code="X-1", content=content(form, **changes), user=user)
    with pytest.raises(ItemRuleError) as exc:
        services.publish_item(draft, user)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    return exc.value.messages


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"legal_bases": []}, "「法律依据」至少填写一条"),
        ({"sub_items": []}, "「子项」至少填写一个"),
        ({"sub_items": [("A", "名称", "")]}, "「子项」A 缺少检查内容"),
        ({"min_ratio": Decimal("0.03")}, "「最低抽查比例」：一般检查事项不得低于 5%（当前 3%）"),
        ({"target_types": []}, "「检查对象类型」至少选择一项"),
        ({"methods": []}, "「检查方式」至少选择一项"),
        ({"frequency": ""}, "「抽查频次」不能为空"),
    ],
)
def test_publish_rules_name_the_field(setup, changes, expected):
    dept, user, form = setup
    messages = _publish_messages(dept, user, form=form, **changes)
    assert any(expected in m for m in messages), messages


def test_an_item_needs_a_published_check_form(setup):
    dept, user, _form = setup
    messages = _publish_messages(dept, user, form=None)
    assert any("「检查表格」至少关联一张已发布的检查表格" in m for m in messages)
    draft_form = services.create_form(dept, code="F-DRAFT", name="草稿表", fields=[], user=user).form
    version = services.create_item(dept, code="X-2", content=content(draft_form), user=user)
    with pytest.raises(ItemRuleError, match="尚未发布"):
        services.publish_item(version, user)


def test_a_zero_ratio_is_refused_when_the_draft_is_saved(setup):
    dept, user, form = setup
    with pytest.raises(ItemRuleError, match=r"「最低抽查比例」：0（0 %）须大于 0"):
        services.create_item(dept, code="K-0", content=content(form, kind="key", min_ratio=Decimal("0")), user=user)


def test_key_items_have_no_upper_limit_below_100_percent(setup):
    dept, user, form = setup
    draft = services.create_item(dept, code="K-1", content=content(form, kind="key", min_ratio=Decimal("1")), user=user)
    assert services.publish_item(draft, user).status == VersionStatus.PUBLISHED
    with pytest.raises(ItemRuleError, match=r"1\.5（150 %）超过 1（100 %）"):
        services.create_item(dept, code="K-2", content=content(form, kind="key", min_ratio=Decimal("1.5")), user=user)


def test_general_ratio_defaults_to_the_lists_default(setup):
    dept, user, form = setup
    item_list = services.get_item_list(dept)
    services.update_list_settings(item_list, default_min_ratio=Decimal("0.08"), user=user)
    draft = services.create_item(dept, code="G-1", content=content(form, min_ratio=None), user=user)
    assert draft.min_ratio == Decimal("0.0800")
    with pytest.raises(ItemRuleError, match="5% 到 100%"):
        services.update_list_settings(item_list, default_min_ratio=Decimal("0.04"), user=user)


def test_publish_list_is_all_or_nothing_and_records_who(setup):
    dept, user, form = setup
    good = services.create_item(dept, code="A-1", content=content(form), user=user)
    bad = services.create_item(dept, code="A-2", content=content(form, legal_bases=[]), user=user)
    with pytest.raises(ItemRuleError) as exc:
        services.publish_list(dept, user)
    assert any(m.startswith("A-2 ") and "法律依据" in m for m in exc.value.messages)
    good.refresh_from_db()
    assert good.status == VersionStatus.DRAFT
    assert ItemList.objects.get(department=dept).status == ItemList.Status.DRAFT
    services.save_draft(bad, content(form), user)
    services.publish_list(dept, user)
    assert set(ItemVersion.objects.filter(item__department=dept).values_list("status", flat=True)) == {"published"}
    item_list = ItemList.objects.get(department=dept)
    assert (item_list.status, item_list.published_by, item_list.revision) == ("published", user, 1)
    assert item_list.published_at is not None


def test_publish_is_audited_under_its_action(setup):
    from shuangsuiji.audit.models import AuditEntry

    dept, user, form = setup
    draft = services.create_item(dept, code="B-1", content=content(form), user=user)
    services.publish_item(draft, user, reason="年度清单发布")
    entry = AuditEntry.objects.filter(action="items.publish", object_type="items.itemversion").get()
    assert entry.object_id == str(draft.pk) and entry.reason == "年度清单发布"
    assert entry.after["status"] == "published"


def test_publish_page_shows_the_messages(client, setup, login):
    dept, user, form = setup
    login("sw_admin")
    draft = services.create_item(dept, code="C-1", content=content(form, sub_items=[]), user=user)
    response = client.post(f"/items/{draft.item_id}/publish/", follow=True)
    assert "「子项」至少填写一个" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
