"""Transfer (issue 14 "Done means"): 水务局 transfers a problem to 自然资源局, which sees it in
its to-do, accepts and closes it; the chain is visible from both sides; an unrelated
department sees nothing (404), a supervisor reads but cannot act (403)."""

from __future__ import annotations

import pytest

from shuangsuiji.followups import services
from shuangsuiji.followups.models import FollowUpStatus, TransferStatus
from shuangsuiji.followups.todo import todo_for
from tests.followups.helpers import determined_part, drawn_target, world_with_task


@pytest.mark.django_db
def test_transfer_accept_close_and_the_chain_from_both_sides(demo, client):
    world = world_with_task(demo)
    sw, zr, sc = world.users["sw_admin"], world.users["zr_admin"], world.users["sc_admin"]
    part = determined_part(
        world, world.water, drawn_target(world, world.water), problem="项目占用耕地，不属水务部门职责"
    )
    [fu] = services.open_followups(part, sw, type_code="05")
    natural = demo.department("natural_resources")

    # through the page, as the user does it
    client.force_login(sw)
    r = client.post(
        f"/followups/{fu.pk}/transfer/",
        {"to_department": natural.pk, "kind": "transfer", "reason": "涉及耕地保护，属自然资源部门职责"},
    )
    assert r.status_code == 302
    fu.refresh_from_db()
    assert fu.status == FollowUpStatus.TRANSFERRING
    [tr] = fu.transfers.all()
    assert tr.respond_by > tr.sent_on

    titles = [t["title"] for t in todo_for(zr)]
    assert any("接收或退回清河县水务局的移送" in t for t in titles), titles
    assert not any("移送" in t["title"] for t in todo_for(sc))

    client.force_login(sc)  # the sender cannot accept for the receiver; an unrelated department sees nothing
    assert client.get(f"/followups/{fu.pk}/").status_code == 404
    assert client.post(f"/followups/{fu.pk}/accept/", {"transfer": tr.pk}).status_code == 404
    client.force_login(sw)
    assert client.post(f"/followups/{fu.pk}/accept/", {"transfer": tr.pk}).status_code == 403

    client.force_login(zr)
    r = client.get(f"/followups/{fu.pk}/")
    assert r.status_code == 200 and "接收或退回移送" in r.content.decode()
    r = client.post(f"/followups/{fu.pk}/accept/", {"transfer": tr.pk, "type_code": "01"})
    assert r.status_code == 302
    tr.refresh_from_db()
    assert tr.status == TransferStatus.ACCEPTED
    received = tr.received_followup
    assert received.department == natural and received.parent_id == fu.pk
    fu.refresh_from_db()
    assert fu.status == FollowUpStatus.CLOSED and received.number in fu.outcome
    r = client.post(f"/followups/{received.pk}/close/", {"outcome": "已对项目单位进行行政指导，完成整改"})
    assert r.status_code == 302
    received.refresh_from_db()
    assert received.status == FollowUpStatus.CLOSED

    # the chain from both sides
    for user, own, other in ((sw, fu, received), (zr, received, fu)):
        client.force_login(user)
        for f in (own, other):
            page = client.get(f"/followups/{f.pk}/").content.decode()
            assert fu.number in page and received.number in page
        listing = client.get("/followups/").content.decode()
        assert fu.number in listing and received.number in listing

    # an unrelated department sees nothing, not even in the list or the export
    client.force_login(sc)
    for f in (fu, received):
        assert client.get(f"/followups/{f.pk}/").status_code == 404
    assert fu.number not in client.get("/followups/").content.decode()
    assert received.number not in client.get("/followups/").content.decode()

    # the supervisor reads the chain, cannot act
    client.force_login(world.users["qh_supervisor"])
    assert client.get(f"/followups/{received.pk}/").status_code == 200
    assert client.post(f"/followups/{received.pk}/step/", {"text": "督查意见"}).status_code == 403


@pytest.mark.django_db
def test_a_returned_transfer_comes_back_with_its_reason(demo, client):
    world = world_with_task(demo)
    sw, zr = world.users["sw_admin"], world.users["zr_admin"]
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(part, sw, type_code="05")
    tr = services.transfer(fu, demo.department("natural_resources"), "疑似占用耕地", sw)
    client.force_login(zr)
    r = client.post(f"/followups/{fu.pk}/return/", {"transfer": tr.pk, "reason": ""})
    assert r.status_code == 302
    tr.refresh_from_db()
    assert tr.status == TransferStatus.PENDING  # a return needs its reason
    client.post(f"/followups/{fu.pk}/return/", {"transfer": tr.pk, "reason": "经核查不涉及耕地"})
    tr.refresh_from_db()
    fu.refresh_from_db()
    assert tr.status == TransferStatus.RETURNED and fu.status == FollowUpStatus.OPEN
    assert fu.steps.filter(kind="returned", text__contains="经核查不涉及耕地").exists()
    client.force_login(zr)
    assert client.get(f"/followups/{fu.pk}/").status_code == 200  # the returned chain stays visible to both
