"""seed_demo step: follow-ups in every state on the demo county's determined results.

Runs AFTER the results step (issue 13's demo). First the credit rules of every determined
result with a problem are applied (what the results app's hook will do on determination).
Then, from the parts waiting for a follow-up ("发现问题待后续处理", in id order) and the
parts rectified on the spot ("发现问题经责令已改正", preferred for the closed one):

1. escalated (责令改正 → re-inspection by a small inspector draw fails → 立案 with a fine of
   1.5 万元, itself open; the credit rules move the target to class D: the loop is visible),
2. transferred (移送其他部门 → 自然资源和规划局, waiting to be accepted),
3. overdue (行政指导 opened 45 days ago, past its 20 working days),
4. closed (行政指导, closed with its outcome),
5. open (行政指导, within its deadline), when there is a fifth part.

Then the result of the overdue one is corrected through the results app's services (a new
version, determined again, without the problem): the follow-up shows both versions and waits
in its owner's to-do for review (point 2 of the corrections rule, docs/architecture.md).

Without determined parts (the results step not there yet) it logs so and does nothing.
Idempotent: nothing is done when follow-ups exist.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shuangsuiji.draw import PublicEntropy
from shuangsuiji.followups import services
from shuangsuiji.followups.models import FollowUp, FollowUpProblem


def _parts():
    """(parts waiting for a follow-up "发现问题待后续处理", parts with problems already rectified
    on the spot "发现问题经责令已改正"), each in id order, with problem items and no follow-up."""
    from shuangsuiji.inspections.models import DepartmentPart, ItemOutcome, ItemResult, PartStatus

    problem = Exists(ItemResult.objects.filter(part=OuterRef("pk"), outcome=ItemOutcome.PROBLEM))
    used = Exists(FollowUpProblem.objects.filter(item_result__part=OuterRef("pk")))
    base = (
        DepartmentPart.objects.filter(status=PartStatus.DETERMINED, codes__code__found_problem=True)
        .filter(problem)
        .exclude(used)
        .select_related("department", "record__target")
        .distinct()
        .order_by("id")
    )
    waiting = list(base.filter(codes__code__starts_follow_up=True))
    rectified = [p for p in base.exclude(codes__code__starts_follow_up=True) if p not in waiting]
    return waiting, rectified


def _handler(j, part):
    for key in ("water", "market", "natural_resources"):
        if j.department(key).pk == part.department_id:
            return j.users[{"water": "sw_admin", "market": "sc_admin", "natural_resources": "zr_admin"}[key]]
    return j.users["admin"]


def seed(demo, log) -> None:
    j = demo.jurisdiction
    if FollowUp.objects.exists():
        log("演示后续处置：已存在，无需生成")
        return
    waiting, rectified = _parts()
    for part in [*waiting, *rectified]:  # the credit rules of the results (the results app's hook)
        services.on_part_determined(part, _handler(j, part))
    if not waiting and not rectified:
        log("演示后续处置：没有已认定且发现问题的检查结果（检查结果演示数据生成后再执行）")
        return
    today = timezone.localdate()
    plan = []  # (state, part): the loop's states first; "closed" prefers a part rectified on the spot
    for state in ("escalated", "transferred", "overdue", "closed", "open"):
        pool = (rectified or waiting) if state == "closed" else (waiting or rectified)
        if pool:
            plan.append((state, pool.pop(0)))
    made = []
    overdue = None
    for state, part in plan:
        user = _handler(j, part)
        whole = [[p.pk for p in services.problem_items(part)]]
        try:
            if state == "open":
                services.open_followups(part, user, type_code="01", today=today)
            elif state == "overdue":
                [overdue] = services.open_followups(
                    part, user, type_code="01", groups=whole, today=today - dt.timedelta(days=45)
                )
            elif state == "transferred":
                [fu] = services.open_followups(part, user, type_code="05", groups=whole)
                other = "natural_resources" if part.department_id != j.department("natural_resources").pk else "water"
                services.transfer(fu, j.department(other), "涉及耕地保护和国土空间规划，属接收部门职责", user)
            elif state == "closed":
                [fu] = services.open_followups(part, user, type_code="01", groups=whole)
                services.add_step(fu, user, text="约谈项目负责人，提醒依法落实相关措施")
                services.close(fu, "已行政指导，项目单位书面承诺并已整改", user)
            else:
                start = today - dt.timedelta(days=30)
                [fu] = services.open_followups(
                    part, user, type_code="02", rectify_workdays=10, today=start, groups=whole
                )
                digits = "5 2 3 6 1 4 4 1 6 2 5 3 3 6 1 5 2 4 6 2 1 3 5 4 2 6"  # 26 dice: the ≥ 64-bit minimum
                dice = [PublicEntropy("dice", digits, "演示：复查抽取见证人 王五、赵六")]
                ri = services.schedule_reinspection(fu, user, public=dice, today=fu.rectify_by)
                results = {it.item_result_id: ("problem", "复查时仍未整改") for it in ri.items.all()}
                services.determine_reinspection(ri, results, user, today=fu.rectify_by)
                services.escalate(
                    fu,
                    user,
                    type_code="04",
                    reason="复查仍不合格，拒不整改",
                    case_number=f"清河罚〔{today.year}〕演示1号",
                    decision="责令限期整改，并处罚款",
                    fine_wan="1.5",
                    today=fu.rectify_by,
                )
            made.append(state)
        except services.FollowUpRuleError as exc:
            log(f"演示后续处置（{state}）：未生成（{exc}）")
    if overdue is not None:
        why = _correct_without_the_finding(j, overdue)
        if why:
            log(f"演示后续处置（检查结果更正）：未生成（{why}）")
        else:
            made.append("检查结果已更正待复核")
    log(f"演示后续处置：{len(made)} 件（{'、'.join(made)}）")


def _correct_without_the_finding(j, fu) -> str:
    """Correct the result ``fu`` was opened from, through the results app's services: the
    assigned inspector asks for the correction and enters the items as passed, the department's
    administrator determines it. Returns why not ("" when done)."""
    from django.core.exceptions import ValidationError

    from shuangsuiji.inspections import access as result_access
    from shuangsuiji.inspections import services as results
    from shuangsuiji.inspections.demo import sample_answers
    from shuangsuiji.rules import RuleError

    part = fu.part
    record = part.record
    row = (
        result_access.assignments(record.task_id, record.target_id, part.department_id)
        .filter(is_expert=False, inspector__user__isnull=False)
        .select_related("inspector__user")
        .first()
    )
    if row is None:
        return "该检查结果没有可登录的检查人员"
    inspector = row.inspector.user
    try:
        with transaction.atomic():  # all or nothing
            new = results.start_correction(part, inspector, "复核发现：弃渣场拦挡措施已按方案设置，原认定有误。")
            ev = record.evidence.filter(department_id=part.department_id).first()
            refs = [results.evidence_ref(ev)] if ev is not None else []
            items = []
            for ti in results.task_items(part.participant):
                fv = results.form_version_of(ti)
                items.append(
                    results.ItemEntry(
                        task_item_id=ti.pk,
                        method=ti.methods[0],
                        answers=sample_answers(fv, photo_refs=refs) if fv else {},
                        outcome="passed",
                    )
                )
            clean = results.codebook().get(code="01")
            results.save_draft(record, part.department_id, inspector, code_ids=[clean.pk], note=new.note, items=items)
            new = results.submit_correction(new, inspector)
            results.determine(new, _handler(j, part), "更正属实，予以认定。")
    except (RuleError, ValidationError) as exc:
        return "；".join(exc.messages)
    return ""
