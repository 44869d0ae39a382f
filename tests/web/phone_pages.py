"""The pages a phone test walks: every demo role's home page and, for the roles that use them,
the main list, detail and form pages (a drawn joint task gives the sealed pages)."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.items.models import Item
from shuangsuiji.targets.models import Target
from tests.plans.helpers import department_plan
from tests.tasks import sealed_world

HOME_ROLES = (
    "admin",
    "qh_office",
    "qh_supervisor",
    "sw_admin",
    "sw_operator",
    "sw_inspector",
    "sc_admin",
    "zr_inspector",
)


def build(demo):
    """(world, {username: [path, …]}) with real ids of the demo county."""
    w = sealed_world.build(demo)
    plan = department_plan(demo)
    target = Target.objects.filter(region_id="130534").order_by("pk").first()
    water = w.world.water
    inspector = Inspector.objects.filter(Q(organisation=water) | Q(organisation__parent=water)).order_by("pk").first()
    item = Item.objects.filter(department=w.world.water).order_by("pk").first()
    task, draw = w.task, w.draw
    sheet = w.sheet_target.pk
    entry = AuditEntry.objects.order_by("-seq").first()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.TARGETS,
        status=ImportJob.Status.REJECTED,
        file_name="检查对象导入_水务局.csv",
        file_path="",
        file_sha256="0" * 64,
        organisation=water,
        created_by=demo.users["sw_admin"],
        finished_at=timezone.now(),
        total_rows=2,
        processed_rows=2,
        errors=[{"row": 3, "column": "统一社会信用代码", "value": "91440300708461136X", "reason": "校验位错误"}],
        message="第 3 行有错误，未导入任何数据。",
    )
    pages = {u: ["/"] for u in HOME_ROLES}
    pages["sw_admin"] += [
        "/targets/",
        f"/targets/{target.pk}/",
        f"/targets/{target.pk}/edit/",
        "/targets/new/",
        "/inspectors/",
        f"/inspectors/{inspector.pk}/",
        f"/inspectors/{inspector.pk}/edit/",
        "/items/",
        f"/items/{item.pk}/",
        "/items/new/",
        "/items/forms/",
        "/plans/",
        f"/plans/{plan.pk}/",
        "/plans/new/",
        "/tasks/",
        f"/tasks/{task.pk}/",
        "/tasks/new/",
        f"/tasks/draws/{draw.pk}/",
        f"/tasks/draws/{draw.pk}/targets/",
        f"/tasks/{task.pk}/sheets/",
        f"/tasks/{task.pk}/sheets/{sheet}/",
        "/imports/targets/upload/",
        "/imports/inspectors/upload/",
        "/imports/items/upload/",
        f"/imports/jobs/{job.pk}/",
        "/calendar/",
        "/orgs/",
        "/orgs/users/",
        "/tags/",
    ]
    pages["sw_inspector"] += ["/tasks/", f"/tasks/{task.pk}/", "/calendar/"]
    pages["qh_supervisor"] += ["/audit/", f"/audit/{entry.seq}/"]
    pages["admin"] += ["/audit/", "/calendar/", "/orgs/"]
    return w, pages
