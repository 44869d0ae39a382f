"""The demo shows an inspector's day: after the demo draw (preview, freeze, ceremony, draw,
both inspector draws, all through the services), sw_inspector and sc_inspector are linked to
register people with their own names, are assigned targets, and see their sealed targets and
一企一表."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from shuangsuiji.accounts.models import User
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.tasks import demo as tasks_demo
from shuangsuiji.tasks import drawday, services
from shuangsuiji.tasks.models import Assignment, Task
from tests.tasks.helpers import DICE, WITNESSES

pytestmark = pytest.mark.django_db


def test_demo_inspectors_have_an_assigned_day(client):
    call_command("seed_demo")
    task = Task.objects.get(title=tasks_demo.TITLE)
    operator = User.objects.get(username="sw_operator")
    preview = services.preview(task)
    assert not preview.errors, preview.errors
    draw = drawday.freeze_targets(task, operator)
    drawday.draw_targets(draw, drawday.parse_entropy(DICE), operator, witnesses=WITNESSES)
    draw.refresh_from_db()
    for p in services.participants_lead_first(task):
        admin = User.objects.get(username="sw_admin" if p.department.name.endswith("水务局") else "sc_admin")
        drawday.confirm(draw, p.department_id, admin)
    for p in services.participants_lead_first(task):
        admin = User.objects.get(username="sw_admin" if p.department.name.endswith("水务局") else "sc_admin")
        drawday.draw_inspectors(draw, p, admin)

    for username in ("sw_inspector", "sc_inspector", "zr_inspector"):
        user = User.objects.get(username=username)
        person = Inspector.objects.get(user=user)
        assert person.name == user.display_name, username
        assert person.organisation_id == user.organisation_id
    for username in ("sw_inspector", "sc_inspector"):
        user = User.objects.get(username=username)
        person = user.inspector
        own = set(
            Assignment.objects.filter(inspector=person, ended_at__isnull=True, draw__task=task).values_list(
                "target_id", flat=True
            )
        )
        assert own, f"{username} has no assigned target after the demo draw"
        client.force_login(user)
        home = client.get("/").content.decode()
        assert task.title in home, username
        sheets = client.get(f"/tasks/{task.pk}/sheets/")
        assert sheets.status_code == 200
        assert {s.target.pk for s in sheets.context["sheets"]} <= own
        assert sheets.context["page_obj"].paginator.count == len(own)
        target_id = sorted(own)[0]
        assert client.get(f"/tasks/{task.pk}/sheets/{target_id}/").status_code == 200
        listed = client.get(f"/tasks/draws/{draw.pk}/targets/")
        assert listed.status_code == 200, username
