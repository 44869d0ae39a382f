"""The items step of seed_demo: real-looking lists, claimed from the city; idempotent."""

from types import SimpleNamespace

import pytest

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.items import demo as items_demo
from shuangsuiji.items import services
from shuangsuiji.items.models import CheckForm, FormField, Item, ItemVersion, LegalBasis, SubItem

pytestmark = pytest.mark.django_db


def _run(demo):
    with acting(actor_name="测试"):
        items_demo.seed(SimpleNamespace(jurisdiction=demo), lambda *_: None)


def _counts():
    return tuple(m.objects.count() for m in (Item, ItemVersion, SubItem, LegalBasis, CheckForm, FormField, AuditEntry))


def test_items_step_is_idempotent(demo):
    _run(demo)
    first = _counts()
    _run(demo)
    assert _counts() == first


def test_county_lists_are_published_and_claimed_from_the_city(demo):
    _run(demo)
    water = demo.department("water")
    published = {v.item.code: v for v in services.published_items(water)}
    assert set(published) == {"SW-001", "SW-002", "SW-003"}
    soil = published["SW-001"]
    assert soil.name == "生产建设项目水土保持方案实施情况的监督检查"
    assert soil.claimed_from.item.department == water.parent
    assert "《中华人民共和国水土保持法》" in [b.law for b in soil.legal_bases.all()]
    assert soil.published_by == demo.users["sw_admin"]
    form = soil.forms.get(code="SW-001-F").published_version
    assert "水土保持补偿费缴纳金额（万元）" in [f.label for f in form.fields.all()]
    market = {v.item.code for v in services.published_items(demo.department("market"))}
    assert "QH-SC-101" in market and "SC-001" in market
    # ZR-002 (mines) stays on the city list only, so the claim page has something to claim.
    zr = demo.department("natural_resources")
    assert "ZR-002" in {v.item.code for v in services.claimable_versions(zr)}
    assert "ZR-002" not in {v.item.code for v in services.published_items(zr)}
