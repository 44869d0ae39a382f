"""The department's publication queue: 20 working days from determination; one result due in
3 working days, one overdue; publishing the overdue one marks it late, for ever."""

import datetime as dt

import pytest

from shuangsuiji.publicity import results, services
from tests.publicity import results_world as rw
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def test_queue_due_overdue_and_late_publication(demo, client, login):
    w = public_world.build(demo)
    today = dt.date.today()
    targets = [r.target for r in w.draw.drawn_targets.filter(replaced_by__isnull=True).order_by("position")]
    soon = rw.part(w.task, targets[0], w.world.water, determined_on=rw.determined_for(3, today))
    late = rw.part(w.task, targets[1], w.world.water, determined_on=rw.determined_for(-2, today))

    entries = {e.part.pk: e for e in results.queue(w.world.water, today)}
    assert entries[soon.pk].days_left == 3 and entries[soon.pk].state == "待公开"
    assert entries[late.pk].days_left == -2 and entries[late.pk].overdue and entries[late.pk].state == "已逾期"
    # the overdue one comes first
    assert next(iter(results.queue(w.world.water, today))).part.pk == late.pk

    login("sw_admin")
    page = client.get("/publicity/").content.decode()
    assert "已逾期" in page and "逾期 2 个工作日" in page and ">3<" in page
    response = client.post(f"/publicity/results/{late.pk}/publish/", {"channels": ["gsxt", "department"]})
    assert response.status_code == 302
    entries = {e.part.pk: e for e in results.queue(w.world.water, today)}
    pub = entries[late.pk].publication
    assert pub is not None and pub.late and entries[late.pk].state == "逾期公开"
    assert "逾期公开" in client.get(f"/gongshi/publications/{pub.pk}/").content.decode()
    on_time = services.publish_result(soon, ["gsxt"], w.world.users["sw_admin"], today=today)
    assert not on_time.late
