"""The portal's search table (``CurrentName``) is kept equal to the live definition of the
businesses the portal shows (``published.current_names()``: names of publications neither
corrected nor withdrawn) by ``services`` in every publication, correction and approved
withdrawal; the search and the business page read it and find what the live query finds."""

import pytest
from django.db.models import F

from shuangsuiji.audit.context import acting
from shuangsuiji.publicity import published, services
from shuangsuiji.publicity.models import CurrentName, Decision, Withdrawal
from shuangsuiji.targets.models import Target
from shuangsuiji.targets.queries import NameContains
from tests.publicity import results_world as rw
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def _kept() -> set[tuple]:
    return set(CurrentName.objects.values_list("target_id", "code", "name"))


def _live() -> set[tuple]:
    return {(r["target_id"], r["code"], r["name"]) for r in published.current_names()}


def _live_search(q: str) -> list[int]:
    """The search as the live query would answer it (the definition, without the table)."""
    names = published.named().filter(NameContains(F("name"), q))
    ids = set(names.values_list("target_id", flat=True))
    return list(Target.objects.filter(pk__in=ids).order_by("name", "pk").values_list("pk", flat=True))


def test_the_table_equals_the_live_query_through_publications_corrections_and_withdrawals(demo):
    w = public_world.build(demo, results=True)
    users = w.world.users
    assert _kept() == _live()
    assert (w.first.pk, w.first.code, w.first.name) in _kept()
    # (the published list and the results: a drawn business is named once, not per publication)
    assert len(_kept()) == len({t for t, _, _ in _kept()})

    # a rename in the register, then a correction: the corrected version's old name goes, the
    # new one comes; the drawn list (not corrected) still names the business under the old one
    with acting(actor_name="测试"):
        Target.objects.filter(pk=w.second.pk).update(name="更名后的测试企业")
    w.second.refresh_from_db()
    corrected = rw.part(
        w.task, w.second, w.world.water, code="03", supersedes=w.pub_other.part, reason="整改已完成，结果更正"
    )
    correction = services.publish_result(corrected, public_world.CHANNELS, users["sw_admin"])
    assert correction.corrects_id == w.pub_other.pk
    assert _kept() == _live()
    assert (w.second.pk, w.second.code, "更名后的测试企业") in _kept()

    # withdrawing the correction and the drawn list: the business is no longer shown at all
    for pub in (correction, w.list_publication):
        wd = services.request_withdrawal(pub, "检查对象认定错误", users["sw_admin"])
        services.decide_withdrawal(wd, True, users["qh_office"])
        assert _kept() == _live()
    assert not CurrentName.objects.filter(target=w.second).exists()
    assert published.business(w.second.pk) is None
    assert published.business(w.first.pk) is not None  # still named by its results

    # a rejected withdrawal changes nothing
    wd = services.request_withdrawal(w.pub_market, "申请撤回", users["sc_admin"])
    before = _kept()
    services.decide_withdrawal(wd, False, users["qh_office"])
    assert Withdrawal.objects.get(pk=wd.pk).status == Decision.REJECTED
    assert _kept() == before == _live()


def test_the_search_finds_what_the_live_query_finds(demo, client):
    w = public_world.build(demo, results=True)
    for q in (w.first.name[-2:], w.first.name[:3], w.second.name[-3:], "企业", "不存在的名称"):
        assert list(published.search_businesses(q).values_list("pk", flat=True)) == _live_search(q), q
    assert list(published.search_businesses(w.second.code).values_list("pk", flat=True)) == [w.second.pk]
    sealed = public_world.sealed_strings(w)
    for key, value in sealed.items():
        if key.startswith("sealed code"):
            assert not published.search_businesses(value).exists(), key


def test_a_broad_fragment_is_bounded_to_the_first_names(demo, monkeypatch):
    """Past SEARCH_IDS matching names the search keeps the first COUNT_CAP + 1 businesses in
    the order of the published name (a bounded walk, not a sort of every match)."""
    from shuangsuiji.web import pagination

    public_world.build(demo, results=True)
    everyone = _live_search("")  # every shown business
    assert len(everyone) > 3
    monkeypatch.setattr(published, "SEARCH_IDS", 0)
    monkeypatch.setattr(pagination, "COUNT_CAP", 2)
    common = _common_fragment()
    order = CurrentName.objects.order_by("name", "target_id").values_list("target_id", flat=True)
    expected = set(list(dict.fromkeys(order))[:3])
    found = list(published.search_businesses(common).values_list("pk", flat=True))
    assert set(found) == expected and len(found) == 3


def _common_fragment() -> str:
    """A character every current name contains (the test world's names share one)."""
    names = list(CurrentName.objects.values_list("name", flat=True))
    for ch in names[0]:
        if all(ch in n for n in names):
            return ch
    pytest.skip("no fragment shared by every name")
