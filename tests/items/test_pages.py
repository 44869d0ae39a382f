"""Every items page renders on the demo data, in Chinese, under the 抽查事项清单 section."""

from types import SimpleNamespace

import pytest

from shuangsuiji.audit.context import acting
from shuangsuiji.items import demo as items_demo
from shuangsuiji.items.models import CheckForm, Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(demo):
    with acting(actor_name="测试"):
        items_demo.seed(SimpleNamespace(jurisdiction=demo), lambda *_: None)
    return demo


def test_pages_render(client, seeded, login):
    login("sw_admin")
    water = seeded.department("water")
    item = Item.objects.get(department=water, code="SW-001")
    form = CheckForm.objects.get(department=water.parent, code="SW-001-F")
    pages = {
        "/items/": "随机抽查事项清单",
        "/items/?q=水土&kind=key&status=published&target_type=project": "SW-001",
        f"/items/{item.pk}/": "《中华人民共和国水土保持法》",
        f"/items/{item.pk}/v1/": "生产建设项目水土保持方案实施情况的监督检查",
        f"/items/{item.pk}/edit/": "修订",
        "/items/new/": "新建抽查事项",
        f"/items/lists/{water.pk}/": "清河县水务局随机抽查事项清单",
        "/items/claim/": "已认领",
        "/items/forms/": "检查表格库",
        f"/items/forms/{form.pk}/": "水土保持补偿费缴纳金额（万元）",
        f"/items/forms/{form.pk}/?version=1": "现场照片",
    }
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert text in body, url
        assert 'nav-link active" href="/items/"' in body, url


def test_create_item_through_the_page(client, seeded, login):
    login("sc_admin")
    market = seeded.department("market")
    form = CheckForm.objects.get(department=market.parent, code="SC-BASIC")
    response = client.post(
        "/items/new/",
        {
            "department": market.pk,
            "code": "QH-SC-102",
            "name": "广告发布行为检查",
            "kind": "general",
            "min_ratio_percent": "",
            "frequency": "每年不少于1次",
            "target_types": ["enterprise"],
            "methods": ["online"],
            "sub_items": "QH-SC-102-01｜广告内容检查｜是否发布虚假广告",
            "legal_bases": "《中华人民共和国广告法》｜第四条",
            "check_forms": [form.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get(department=market, code="QH-SC-102")
    assert str(item.latest_version.min_ratio) == "0.0500"
    dup = client.post("/items/new/", {"department": market.pk, "code": "QH-SC-102", "name": "重复", "kind": "general"})
    assert "在本部门清单中已存在" in dup.content.decode()
