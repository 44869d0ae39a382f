"""Who may read and write results (issue 13 role tests), by services and pages:

- an inspector of the other department neither reads nor writes the first department's draft;
- the person who entered a part cannot determine it, even holding the reviewer role;
- outsiders (another department of the county, the neighbouring county) get 404 on the
  record, the part and the evidence;
- every read of a sealed record is audited.
"""

import pytest

from shuangsuiji.accounts.models import RoleGrant
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import DepartmentPart, Evidence, PartStatus
from tests.inspections.helpers import build, code, visit, water_failed_entry
from tests.neighbour import neighbour_county

pytestmark = pytest.mark.django_db

PROBLEM = "水土保持措施未落实：弃渣场未设置拦挡"


def _water_draft(w):
    codes = [code("发现问题待后续处理").pk]
    return services.save_draft(
        w.record, w.water.pk, w.users["sw_inspector"], code_ids=codes, items=water_failed_entry(w)
    )


def test_the_other_departments_inspector_cannot_write_or_read_the_draft(demo, client):
    w = build(demo)
    part = _water_draft(w)
    sc = w.users["sc_inspector"]
    with pytest.raises(services.ResultRuleError, match="谁检查、谁录入"):
        services.save_draft(w.record, w.water.pk, sc, code_ids=[code("未发现问题").pk])
    with pytest.raises(services.ResultRuleError):
        services.submit(w.record, w.water.pk, sc)
    client.force_login(sc)
    entry = f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/parts/{w.water.pk}/"
    assert client.get(entry).status_code == 404
    assert client.post(entry, {"action": "save", "codes": [code("未发现问题").pk]}).status_code == 404
    assert client.get(f"/inspections/parts/{part.pk}/").status_code == 404
    ev = Evidence.objects.filter(department=w.water).first()
    assert client.get(f"/inspections/evidence/{ev.pk}/").status_code == 404
    page = client.get(f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/")
    assert page.status_code == 200  # the shared record: yes; the water draft's content: no
    body = page.content.decode()
    assert PROBLEM not in body and "由该部门录入中" in body
    part.refresh_from_db()
    assert part.status == PartStatus.DRAFT and DepartmentPart.objects.count() == 1


def test_the_enterer_cannot_determine_their_own_part(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    # the inspector also holds the department's reviewer role
    sw.organisation = w.water
    sw.save()
    RoleGrant.objects.create(user=sw, role="department_admin")
    sw = type(sw).objects.get(pk=sw.pk)
    _water_draft(w)
    part = services.submit(w.record, w.water.pk, sw)
    with pytest.raises(services.ResultRuleError, match="不能是录入人本人"):
        services.determine(part, sw)
    with pytest.raises(services.ResultRuleError, match="不能是录入人本人"):
        services.return_part(part, sw, "自己退回")
    part = services.determine(part, w.users["sw_admin"])
    assert part.status == PartStatus.DETERMINED and part.determined_by == w.users["sw_admin"]


def test_outsiders_get_404_on_record_part_and_evidence(demo, client):
    w = build(demo)
    part = _water_draft(w)
    ev = Evidence.objects.first()
    outsiders = [w.users["zr_admin"], w.users["zr_inspector"], *neighbour_county(demo).users.values()]
    urls = [
        f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/",
        f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/parts/{w.water.pk}/",
        f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/summary/",
        f"/inspections/parts/{part.pk}/",
        f"/inspections/evidence/{ev.pk}/",
        f"/inspections/evidence/{ev.pk}/thumb/",
    ]
    for user in outsiders:
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user.username, url)
        assert client.post(f"/inspections/parts/{part.pk}/determine/").status_code == 404
        assert PROBLEM not in client.get("/inspections/").content.decode()


def test_every_sealed_read_is_audited(demo, client):
    w = build(demo)
    part = _water_draft(w)
    ev = Evidence.objects.first()
    client.force_login(w.users["sw_admin"])
    before = AuditEntry.objects.filter(action__startswith="tasks.sealed_").count()
    assert client.get(f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/").status_code == 200
    assert client.get(f"/inspections/parts/{part.pk}/").status_code == 200
    assert client.get(f"/inspections/evidence/{ev.pk}/").status_code == 200
    entries = list(AuditEntry.objects.filter(action__startswith="tasks.sealed_").order_by("seq")[before:])
    assert [e.action for e in entries] == ["tasks.sealed_page", "tasks.sealed_page", "tasks.sealed_evidence"]
    assert all(e.actor_id == w.users["sw_admin"].pk for e in entries)
