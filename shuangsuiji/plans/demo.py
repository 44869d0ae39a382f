"""seed_demo step: annual plans of the demo county.

- 2026: each county department (水务局, 市场监管局, 自然资源和规划局) publishes its annual plan
  covering its published items (市场监管局 with one explicit waiver);
- 2027: 水务局's draft plan, submitted by the unit operator, awaits the department
  administrator's approval (a to-do on the home page);
- 2026: the county 双随机办's joint plan for 水务局 + 市场监管局 on 生产建设项目 (approved by the
  city 双随机办: whoever submits a plan may not approve it).

Idempotent: a plan is looked up by owner, year and title and left alone when it exists.
"""

from __future__ import annotations

from shuangsuiji.items.services import published_items
from shuangsuiji.plans import services
from shuangsuiji.plans.models import Plan
from shuangsuiji.plans.services import LineSpec, PlanContent

DEPARTMENTS = {
    "water": ("sw_admin", "清河县水务局"),
    "market": ("sc_admin", "清河县市场监督管理局"),
    "natural_resources": ("zr_admin", "清河县自然资源和规划局"),
}
# The unit operator who submits each department's plan (the administrator approves it).
SUBMITTERS = {"water": "sw_operator", "market": "sc_operator", "natural_resources": "zr_operator"}
# Quarter by position in the list, so that the year's work is spread out.
WINDOWS = [(3, 5), (4, 6), (7, 9), (9, 11), (5, 8)]
MARKET_WAIVER = ("SC-004", "产品质量监督抽查由邢台市市场监督管理局统一组织实施，本局配合，不单独列入本局计划。")
JOINT_TITLE = "清河县2026年度生产建设项目部门联合抽查工作计划"
JOINT_CODES = ["SW-001", "SW-003", "SC-002"]


def _lines(versions, codes=None) -> list[LineSpec]:
    out = []
    for pos, v in enumerate(versions):
        if codes is not None and v.item.code not in codes:
            continue
        start, end = WINDOWS[pos % len(WINDOWS)]
        out.append(
            LineSpec(
                item_version=v,
                ratio=v.min_ratio,
                methods=list(v.methods[:2]),
                start_month=start,
                end_month=end,
                target_note="本县登记在册的检查对象",
            )
        )
    return out


def _publish(plan: Plan, submitter, approver) -> None:
    """Submitted by one person, approved by another (whoever submits may not approve)."""
    services.submit(plan, submitter)
    services.approve(plan, approver)
    services.publish(plan, approver)


def seed(demo, log) -> None:
    j = demo.jurisdiction
    created = 0
    for key, (admin_name, org_name) in DEPARTMENTS.items():
        dept = j.department(key)
        admin = j.users[admin_name]
        title = f"{dept.name}2026年度“双随机、一公开”抽查工作计划"
        if Plan.objects.filter(owner=dept, year=2026, title=title).exists():
            continue
        versions = list(published_items(dept))
        waived = MARKET_WAIVER if key == "market" else None
        codes = [v.item.code for v in versions if not waived or v.item.code != waived[0]]
        plan = services.create_plan(
            dept,
            year=2026,
            content=PlanContent(
                title=title,
                scope=f"{org_name}随机抽查事项清单所列全部事项；检查对象为本县行政区域内的相关市场主体和项目。",
                notes="抽查结果于抽查完成之日起 20 个工作日内录入并公示。",
                lines=_lines(versions, codes),
            ),
            user=admin,
        )
        if waived:
            item = next(v.item for v in versions if v.item.code == waived[0])
            services.waive(plan, item, waived[1], admin)
        _publish(plan, j.users[SUBMITTERS[key]], admin)
        created += 1

    water = j.department("water")
    title_2027 = f"{water.name}2027年度“双随机、一公开”抽查工作计划"
    if not Plan.objects.filter(owner=water, year=2027, title=title_2027).exists():
        operator = j.users["sw_operator"]
        plan = services.create_plan(
            water,
            year=2027,
            content=PlanContent(
                title=title_2027,
                scope="本局随机抽查事项清单所列全部事项。",
                lines=_lines(list(published_items(water))),
            ),
            user=operator,
        )
        services.submit(plan, operator)
        created += 1

    office = j.users["qh_office"].organisation
    if not Plan.objects.filter(owner=office, year=2026, title=JOINT_TITLE).exists():
        market = j.department("market")
        coordinator = j.users["qh_office"]
        versions = list(published_items(water)) + list(published_items(market))
        plan = services.create_plan(
            office,
            year=2026,
            participants=[water, market],
            content=PlanContent(
                title=JOINT_TITLE,
                scope="本县在建生产建设项目：水土保持方案落实、河道管理范围内建设及建设单位登记事项，一次检查、联合实施。",
                notes="水务局牵头，市场监督管理局配合；“进一次门、查多项事”。",
                lines=_lines(versions, JOINT_CODES),
            ),
            user=coordinator,
        )
        for v in services.uncovered_items(plan):
            services.waive(plan, v.item, "不属于生产建设项目联合抽查范围，已列入本部门年度抽查计划。", coordinator)
        _publish(plan, coordinator, j.users["xt_office"])  # approved by the city 双随机办
        created += 1
    log(f"年度抽查计划：共 {Plan.objects.count()} 个（本次新增 {created} 个）")
