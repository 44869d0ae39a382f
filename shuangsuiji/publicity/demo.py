"""seed_demo step: 一公开 of the demo county.

Each department's item list and every published plan version are published by their owner
(the department's 部门系统管理员, the office's 双随机办) through 国家企业信用信息公示系统 and the
department's website. The demo task of the tasks step is still a draft (a draw needs its own
entropy and witnesses), so nothing of it is published in advance.

The earlier task with results (``inspections.demo``, 2026 first quarter) is published through
the services, so that the portal (/gongshi/) shows results after ``make run``:

- the task and its drawn list (this ends its sealing);
- the third business: both departments' results, published on time (its business page shows
  two departments), and 市场监管局's result corrected afterwards (a new part version with a
  reason, determined again) and published as a correction beside the original;
- the first business: both results, determined on 31 March, published now: late, for ever;
  the eighth business's 市场监管局 result too;
- the fourth business's 市场监管局 result (submitted) is determined as of 17 working days ago:
  it stays in 市场监管局's publication queue due in 3 working days, beside the second
  business's result, left unpublished past its deadline (overdue).

Idempotent: what already has a publication is left alone.
"""

from __future__ import annotations

from shuangsuiji.accounts.models import Role, User
from shuangsuiji.items.models import ItemList
from shuangsuiji.plans.models import Plan, PlanStatus
from shuangsuiji.publicity import services
from shuangsuiji.publicity.models import Kind
from shuangsuiji.rules import RuleError

CHANNELS = ["gsxt", "department"]


def _publisher(org):
    return (
        User.objects.filter(organisation=org, is_active=True)
        .filter(role_grants__role__in=[Role.DEPARTMENT_ADMIN, Role.COORDINATING_OFFICE])
        .order_by("pk")
        .first()
    )


def seed(demo, log) -> None:
    done = 0
    for item_list in ItemList.objects.select_related("department__region").order_by("department_id"):
        dept = item_list.department
        user = _publisher(dept)
        if user is None or services.latest(Kind.ITEMS, dept.pk) is not None:
            continue
        try:
            services.publish_items(dept, CHANNELS, user)
            done += 1
        except RuleError:
            continue
    for plan in Plan.objects.filter(status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]).select_related("owner"):
        user = _publisher(plan.owner)
        if user is None or services.latest(Kind.PLAN, plan.pk) is not None:
            continue
        services.publish_plan(plan, CHANNELS, user)
        done += 1
    log(f"演示信息公开：公开事项清单与年度计划 {done} 项" if done else "演示信息公开：已公开，无需生成")
    _results(demo, log)


DUE_IN = 3  # working days left of the one result left due in the queue


def _results(demo, log) -> None:
    import datetime as dt

    from shuangsuiji.inspections import demo as results_demo
    from shuangsuiji.inspections import services as results
    from shuangsuiji.inspections.models import DepartmentPart, PartStatus
    from shuangsuiji.tasks import drawday
    from shuangsuiji.tasks.models import Task
    from shuangsuiji.workdays.services import WorkdayCalendar

    task = Task.objects.filter(title=results_demo.TITLE).first()
    if task is None:
        log("演示信息公开：没有演示检查结果，未公开检查结果")
        return
    if services.latest(Kind.DRAWN_LIST, task.pk) is not None:
        log("演示信息公开：演示任务的名单与检查结果已公开，无需生成")
        return
    j = demo.jurisdiction
    water, market = j.department("water"), j.department("market")
    admins = {water.pk: j.users["sw_admin"], market.pk: j.users["sc_admin"]}
    services.publish_drawn_list(task, CHANNELS, admins[water.pk])
    targets = [r.target_id for r in drawday.active_targets(drawday.live_target_draw(task))]

    def part(n: int, dept, status=PartStatus.DETERMINED):
        return (
            DepartmentPart.objects.filter(
                record__task=task, record__target_id=targets[n], department=dept, status=status
            )
            .order_by("-version")
            .first()
        )

    published = late = 0
    # the third business: both departments on time, then 市场监管局's correction beside the original
    for dept in (water, market):
        p = part(2, dept)
        if p is not None:
            services.publish_result(p, CHANNELS, admins[dept.pk])
            published += 1
    original = part(2, market)
    if original is not None and original.entered_by_id is not None:
        inspector = original.entered_by
        fix = results.start_correction(
            original, inspector, "复核发现：检查结论说明遗漏，补充经营者出示许可证件的情况。"
        )
        items = [
            results.ItemEntry(
                task_item_id=r.task_item_id,
                method=r.method,
                answers=r.answers,
                outcome=r.outcome,
                problem=r.problem,
                legal_basis=r.legal_basis,
            )
            for r in fix.item_results.all()
        ]
        results.save_draft(
            fix.record,
            market.pk,
            inspector,
            code_ids=[c.code_id for c in fix.codes.all()],
            note="检查时经营者出示了有效的许可证件，现场情况与许可内容一致。",
            items=items,
        )
        fix = results.submit_correction(fix, inspector)
        fix = results.determine(fix, admins[market.pk], "更正属实，予以认定。")
        services.publish_result(fix, CHANNELS, admins[market.pk])
        published += 1
    # determined on 31 March, published now: late
    for n, dept in ((0, water), (0, market), (7, market)):
        p = part(n, dept)
        if p is not None:
            late += services.publish_result(p, CHANNELS, admins[dept.pk]).late
            published += 1
    # one result due in 3 working days (the second business's stays overdue)
    waiting = part(3, market, PartStatus.SUBMITTED)
    if waiting is not None:
        cal, today = WorkdayCalendar(provisional=True), dt.date.today()
        day = today
        while cal.workdays_between(today, results.publication_due(day)) > DUE_IN:
            day -= dt.timedelta(days=1)
        results.determine(waiting, admins[market.pk], "经审核，检查结果属实。", today=day)
    log(f"演示信息公开：{task.code} 的名单已公开；公开检查结果 {published} 项（其中逾期公开 {late} 项）")
