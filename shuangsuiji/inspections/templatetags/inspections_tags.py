"""Template tags other apps' pages include (the tasks app stays unaware of results):

- ``{% inspection_progress task as rows %}`` + ``inspections/_progress.html``: the task page's
  entry progress per department;
- ``{% inspection_work user as rows %}``: the home page's list of assigned targets with what is
  left, deadline and overdue flag.
"""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def inspection_progress(task):
    from shuangsuiji.inspections.services import drawn_target_draw, progress
    from shuangsuiji.tasks.indexes import index_pending

    draw = drawn_target_draw(task)
    if draw is None or index_pending(draw) is not None:  # no rows to count yet
        return {"rows": [], "complete": False}
    rows = progress(task, draw=draw)
    return {"rows": rows, "complete": bool(rows) and all(r.complete for r in rows), "link": reverse("inspections:home")}


@register.simple_tag
def inspection_work(user):
    from shuangsuiji.inspections.deadlines import provisional_parts
    from shuangsuiji.inspections.services import publication_states, publication_waiting, review_queue, work_list

    out = []
    for r in work_list(user, limit=50):
        if r["done"] and not r["overdue"]:
            continue
        out.append(
            {
                "title": f"检查结果：{r['target'].name}（{r['department'].name}，{r['left']}）",
                "url": reverse("inspections:record", args=[r["task"].pk, r["target"].pk]),
                "due": r["due"],
                "overdue": r["overdue"],
            }
        )
    for p in review_queue(user, limit=50):
        out.append(
            {
                "title": f"审核检查结果：{p.record.target.name}（{p.department.name}）",
                "url": reverse("inspections:part", args=[p.pk]),
                "due": None,
                "overdue": False,
            }
        )
    waiting = list(publication_waiting(user))
    states = publication_states(waiting)
    provisional = provisional_parts(waiting)
    for p in waiting:
        out.append(
            {
                "title": f"公示检查结果：{p.record.target.name}（{p.department.name}，已认定）",
                "url": reverse("inspections:part", args=[p.pk]),
                "due": p.publication_due_on,
                "due_provisional": p.pk in provisional,
                "overdue": states[p.pk] is not None and states[p.pk].overdue,
            }
        )
    return out
