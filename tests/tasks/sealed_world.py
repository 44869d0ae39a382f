"""A drawn joint task whose sealed list has been through everything that writes sealed
content somewhere: a reserve replacement that reopened a confirmation, inspector draws,
a substitute draw and a participant's 一企一表 views. ``sealed_strings`` lists what a
non-participant must never read before publication (issue 17)."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import Client

from shuangsuiji.tasks import drawday, services
from shuangsuiji.tasks.models import Assignment, DrawnTarget
from tests.neighbour import neighbour_county
from tests.tasks.helpers import drawn_task, seed_world

RESERVE_REASON = "封存标记甲：该项目已完工验收"
SUBSTITUTE_REASON = "封存标记乙：因病无法参加"
CONFIRM_NOTE = "封存标记丙：已核对全部对象"
VOID_REASON = "封存标记丁：作废申请"


def build(demo) -> SimpleNamespace:
    world = seed_world(demo)
    sw_admin, sc_admin = world.users["sw_admin"], world.users["sc_admin"]
    task, draw = drawn_task(world)
    # 市场监管局 confirms, then 水务局 (the lead) reports a target: a reserve takes its place
    # and 市场监管局's confirmation is reopened with a note naming both targets.
    drawday.confirm(draw, world.market.pk, sc_admin)
    replaced = drawday.active_targets(draw).first().target
    new_row = drawday.report_out_of_scope(draw, world.water.pk, replaced, RESERVE_REASON, sw_admin)
    drawday.confirm(draw, world.market.pk, sc_admin, note=CONFIRM_NOTE)
    drawday.confirm(draw, world.water.pk, sw_admin)
    inspector_draws = {}
    for p in services.participants_lead_first(task):
        admin = sw_admin if p.department_id == world.water.pk else sc_admin
        inspector_draws[p.department_id] = drawday.draw_inspectors(draw, p, admin)
    idraw = inspector_draws[world.water.pk]
    leaving = Assignment.objects.filter(draw=idraw).select_related("target", "inspector").first()
    substitute = drawday.substitute_inspector(idraw, leaving.target, leaving.inspector, SUBSTITUTE_REASON, sw_admin)
    # A participant opens one 一企一表 (the trail records which).
    sheet_target = drawday.active_targets(draw).last().target
    c = Client()
    c.force_login(sw_admin)
    assert c.get(f"/tasks/{task.pk}/sheets/{sheet_target.pk}/").status_code == 200
    draw.refresh_from_db()
    for d in inspector_draws.values():
        d.refresh_from_db()
    return SimpleNamespace(
        world=world,
        task=task,
        draw=draw,
        inspector_draws=inspector_draws,
        replaced=replaced,
        replacement=new_row.target,
        substituted=leaving,
        substitute=substitute,
        sheet_target=sheet_target,
        neighbours=neighbour_county(demo).users,
    )


def sealed_strings(w: SimpleNamespace, *, register: bool = True) -> dict[str, str]:
    """label → string. ``register=False`` leaves out what the public registers show anyway
    (target names and codes, inspectors' certificate numbers)."""
    out = {
        "target draw seed": w.draw.seed,
        "target draw server secret": w.draw.server_secret,
        "reserve reason": RESERVE_REASON,
        "substitute reason": SUBSTITUTE_REASON,
        "confirmation note": CONFIRM_NOTE,
        "void reason": VOID_REASON,
    }
    for dep, d in w.inspector_draws.items():
        out[f"inspector draw seed {dep}"] = d.seed
        out[f"inspector draw secret {dep}"] = d.server_secret
    if register:
        for row in DrawnTarget.objects.filter(draw=w.draw).select_related("target"):
            out[f"drawn code #{row.position}"] = row.target.code
            out[f"drawn name #{row.position}"] = row.target.name
        out["substituted certificate"] = w.substituted.inspector.certificate_no
        out["substitute certificate"] = w.substitute.inspector.certificate_no
    return out
