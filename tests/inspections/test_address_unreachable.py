"""A determined "通过登记的住所（经营场所）无法联系" proposes both register changes: the flag
住所无法联系 and the listing in the 经营异常名录; the register keepers apply them, with history."""

import pytest

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import RegisterChangeProposal
from shuangsuiji.targets.models import Target
from tests.inspections.helpers import build, code

pytestmark = pytest.mark.django_db

UNREACHABLE = "通过登记的住所（经营场所）无法联系"


def _determined_unreachable(w):
    sw = w.users["sw_inspector"]
    note = "按登记的住所实地核查三次，均无法联系。"
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code(UNREACHABLE).pk], note=note)
    part = services.submit(w.record, w.water.pk, sw)
    return services.determine(part, w.users["sw_admin"])


def test_unreachable_proposes_the_flag_and_the_abnormal_listing(demo):
    w = build(demo)
    part = _determined_unreachable(w)
    proposals = dict(RegisterChangeProposal.objects.filter(part=part).values_list("field", "value"))
    assert proposals == {"address_unreachable": "true", "abnormal_operation": "true"}
    # other non-inspection outcomes do not flag the address
    assert not code("注销").proposes_address_unreachable


def test_the_keepers_apply_both_with_history(demo):
    w = build(demo)
    part = _determined_unreachable(w)
    target = Target.objects.get(pk=w.target.pk)
    assert not target.address_unreachable and not target.abnormal_operation
    flag = RegisterChangeProposal.objects.get(part=part, field="address_unreachable")
    services.decide_proposal(flag, w.users["sw_admin"], True, "已核实")
    target.refresh_from_db()
    assert target.address_unreachable and not target.abnormal_operation
    assert target.changes.filter(action="update").order_by("-id").first().after == {"address_unreachable": True}
    listing = RegisterChangeProposal.objects.get(part=part, field="abnormal_operation")
    services.decide_proposal(listing, w.users["sw_admin"], False, "已由登记机关另行处理")
    target.refresh_from_db()
    assert not target.abnormal_operation
    assert RegisterChangeProposal.objects.get(pk=listing.pk).status == "declined"


def test_the_proposals_page_names_the_flag(demo, client):
    w = build(demo)
    _determined_unreachable(w)
    client.force_login(w.users["sw_admin"])
    page = client.get("/inspections/register-changes/").content.decode()
    assert "住所无法联系 → 标记" in page and "列入经营异常名录 → 列入" in page
