"""Published item and form versions, their rows and many-to-many fields: refused by the ORM
and by the database (a raw UPDATE through a cursor)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from shuangsuiji.items import services
from shuangsuiji.items.models import ItemVersion, SubItem, VersionStatus
from shuangsuiji.tags.models import Tag
from tests.immutability.helpers import accepted_by_database, postgresql_only, refused_by_database
from tests.items.helpers import content, published_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(demo):
    return published_item(demo.department("water"), demo.users["sw_admin"])


def test_model_level(published):
    published.name = "改名"
    with pytest.raises(ValidationError, match="事项名称"):
        published.save()
    with pytest.raises(ValidationError, match="事项名称"):
        ItemVersion.objects.filter(pk=published.pk).update(name="改名")
    with pytest.raises(ValidationError, match="不可删除"):
        ItemVersion.objects.filter(pk=published.pk).delete()
    sub = published.sub_items.get()
    with pytest.raises(ValidationError, match="已发布的版本不可修改"):
        SubItem.objects.filter(pk=sub.pk).update(name="改名")
    with pytest.raises(ValidationError, match="已发布的版本不可修改"):
        SubItem.objects.filter(pk=sub.pk).delete()
    tag = Tag.objects.create(code="t-imm", name="测试特长")
    with pytest.raises(ValidationError, match="已发布的事项版本不可修改"), transaction.atomic():
        published.inspector_requirements.add(tag)
    # Its status may still move on, by the ORM as by a bulk update.
    assert ItemVersion.objects.filter(pk=published.pk).update(status=VersionStatus.PUBLISHED) == 1


def test_database_level(published):
    t = ItemVersion._meta.db_table
    assert "事项名称" in refused_by_database(f"UPDATE {t} SET name = %s WHERE id = %s", ["改名", published.pk])
    assert "已发布" in refused_by_database(f"UPDATE {t} SET min_ratio = 1 WHERE id = %s", [published.pk])
    sub = published.sub_items.get()
    assert "已发布" in refused_by_database("UPDATE items_subitem SET name = %s WHERE id = %s", ["改名", sub.pk])
    assert "已发布" in refused_by_database(
        "INSERT INTO items_subitem (version_id, position, code, name, check_content) VALUES (%s, 9, 'X', 'X', '')",
        [published.pk],
    )
    tag = Tag.objects.create(code="t-imm", name="测试特长")
    assert "已发布" in refused_by_database(
        "INSERT INTO items_itemversion_inspector_requirements (itemversion_id, tag_id) VALUES (%s, %s)",
        [published.pk, tag.pk],
    )
    # What the ORM allows, the database allows: the status moves on; a draft is edited.
    assert accepted_by_database(f"UPDATE {t} SET status = 'superseded' WHERE id = %s", [published.pk]) == 1
    assert "不可再改变状态" in refused_by_database(f"UPDATE {t} SET status = 'draft' WHERE id = %s", [published.pk])
    draft = services.create_item(published.item.department, code="Q-02", content=content(), user=None)
    assert accepted_by_database(f"UPDATE {t} SET name = %s WHERE id = %s", ["草稿改名", draft.pk]) == 1


def test_database_refuses_deleting_a_published_version(published):
    postgresql_only()
    assert "不可删除" in refused_by_database(f"DELETE FROM {ItemVersion._meta.db_table} WHERE id = %s", [published.pk])
    assert "已发布" in refused_by_database("DELETE FROM items_subitem WHERE version_id = %s", [published.pk])
