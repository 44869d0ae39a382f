"""Demo results for the demo county (seed_demo step): see ``seed``."""

from __future__ import annotations

import datetime as dt

from shuangsuiji.items.models import FieldType


def sample_answers(form_version, *, photo_refs: list[str], failed: bool = False) -> dict:
    """Valid answers to every field of a check form (the first option, "是" …); ``failed``
    answers the first boolean question "否"."""
    answers: dict = {}
    first_bool = True
    for f in form_version.fields.all():
        t = f.field_type
        if t == FieldType.BOOLEAN:
            answers[f.key] = not (failed and first_bool)
            first_bool = False
        elif t == FieldType.SINGLE_CHOICE:
            answers[f.key] = f.options[-1 if failed else 0]
        elif t == FieldType.MULTIPLE_CHOICE:
            answers[f.key] = f.options[:1]
        elif t == FieldType.TEXT:
            answers[f.key] = "发现问题，已当场告知整改要求" if failed else "符合要求"
        elif t == FieldType.NUMBER:
            answers[f.key] = 1
        elif t == FieldType.DATE:
            answers[f.key] = dt.date(2026, 1, 5).isoformat()
        elif t == FieldType.ATTACHMENT and photo_refs:
            answers[f.key] = list(photo_refs)
    return answers


# --- seed_demo step -----------------------------------------------------------------------------

TITLE = "清河县2026年第一季度生产建设项目部门联合抽查"
WINDOW = (dt.date(2026, 3, 2), dt.date(2026, 3, 27))
CEREMONY = [
    {
        "kind": "dice",
        "value": "4 2 6 1 3 5 5 2 1 6 3 4 2 2 6 5 1 3 4 6 1 5 3 2 6 4",  # 26 dice: the ≥ 64-bit minimum
        "source": "演示抽取仪式：见证人 李卫东、王秀兰（2026-03-01）",
    }
]

# (water outcome, market outcome) per drawn target, in draw order; None = nothing entered yet.
# Outcomes: (state, code label, failed item?, determined on: "past" → overdue | "recent")
PLAN = [
    (("determined", "未发现问题", False, "past"), ("determined", "未发现问题", False, "past")),
    (("determined", "发现问题待后续处理", True, "past"), ("determined", "未发现问题", False, "past")),
    (("determined", "发现问题经责令已改正", True, "recent"), ("determined", "未发现问题", False, "recent")),
    (("determined", "发现问题待后续处理", True, "recent"), ("submitted", "未发现问题", False, None)),
    (("submitted", "未发现问题", False, None), ("draft", "未发现问题", False, None)),
    (("returned", "发现问题待后续处理", True, None), None),
    (("draft", "未发现问题", False, None), None),
    (("corrected", "发现问题待后续处理", True, "past"), ("determined", "未发现问题", False, "past")),
    (("determined", "通过登记的住所（经营场所）无法联系", False, "past"), None),
]
# Further drawn targets with both parts determined (no problem, or one corrected on the spot):
# LastInspection comes only from determined results, and the later demo task's "not inspected
# in the last 12 months" condition must find real inspections to exclude.
MORE_DETERMINED = 24


def plan() -> list:
    clean = ("determined", "未发现问题", False, "past")
    corrected = ("determined", "发现问题经责令已改正", True, "past")
    return PLAN + [(corrected if k % 4 == 1 else clean, clean) for k in range(MORE_DETERMINED)]


def tiny_png(rgb: tuple[int, int, int], w: int = 64, h: int = 48) -> bytes:
    """A solid-colour PNG (a stand-in for an on-site photo), made with the standard library."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _account(inspector, log):
    """The inspector's own account (created for the demo when the register row has none)."""
    from shuangsuiji.accounts.models import Role
    from shuangsuiji.accounts.services import ensure_user
    from shuangsuiji.demo.jurisdiction import DEMO_PASSWORD

    if inspector.user_id is not None:
        return inspector.user
    username = "zf" + "".join(ch for ch in inspector.certificate_no.lower() if ch.isalnum())[:28]
    user, _ = ensure_user(
        username=username,
        full_name=inspector.name,
        organisation=inspector.organisation,
        roles=[Role.INSPECTOR],
        password=DEMO_PASSWORD,
    )
    inspector.user = user
    inspector.save(update_fields=["user"])
    return user


def _fill(record, participant, outcome, users, reviewer, log) -> None:
    from shuangsuiji.inspections import access, services

    state, label, failed, when = outcome
    dep = participant.department_id
    assigned = list(
        access.assignments(record.task_id, record.target_id, dep).filter(is_expert=False).select_related("inspector")
    )
    if not assigned:
        return
    user = users.setdefault(assigned[0].inspector_id, _account(assigned[0].inspector, None))
    user.refresh_from_db()
    code = services.codebook().get(label=label)
    if code.kind == "non_inspection":
        items, note = [], "按登记的住所（经营场所）实地核查三次，均无法联系，电话无人接听。"
    else:
        png = tiny_png((90, 140, 90) if not failed else (170, 110, 60))
        ev = services.add_evidence(
            record, user, name=f"现场照片-{record.target.code}.png", data=png, department_id=dep, description="现场照片"
        )
        items, note = [], ""
        for ti in services.task_items(participant):
            fv = services.form_version_of(ti)
            items.append(
                services.ItemEntry(
                    task_item_id=ti.pk,
                    method=ti.methods[0],
                    answers=sample_answers(fv, photo_refs=[services.evidence_ref(ev)], failed=failed) if fv else {},
                    outcome="problem" if failed else "passed",
                    problem="弃渣场未设置拦挡措施，临时堆土未苫盖" if failed else "",
                    legal_basis="《中华人民共和国水土保持法》第三十八条" if failed else "",
                )
            )
    services.save_draft(record, dep, user, code_ids=[code.pk], note=note, items=items)
    if state == "draft":
        return
    part = services.submit(record, dep, user)
    if state == "submitted":
        return
    if state == "returned":
        services.return_part(part, reviewer, "请补充弃渣场拦挡措施的现场照片，并写明问题所在位置。")
        return
    today = dt.date.today()
    day = dt.date(2026, 3, 31) if when == "past" else today
    part = services.determine(part, reviewer, "经审核，检查结果属实。", today=day)
    if state == "corrected":
        new = services.start_correction(part, user, "复核发现：问题所在位置录入错误（应为 2 号弃渣场）。")
        services.submit_correction(new, user)
        services.determine(new, reviewer, "更正属实，予以认定。", today=dt.date(2026, 4, 3))


def seed(demo, log) -> None:
    """Results for an earlier 2026 task of the demo county, drawn in the past through the real
    services (freeze, a recorded demo ceremony's entropy, draw, confirmations, inspector draws),
    with results in every state: draft, submitted, returned, determined (with and without
    problems, some past their publication deadline), a correction, a non-inspection outcome
    that proposes register changes, and ``MORE_DETERMINED`` more targets determined by both
    departments (the demo's only source of ``LastInspection``). Idempotent by the task's title."""
    from shuangsuiji.inspections import services
    from shuangsuiji.inspections.models import InspectionRecord
    from shuangsuiji.items.services import published_items
    from shuangsuiji.tasks import drawday, indexes
    from shuangsuiji.tasks.models import Task
    from shuangsuiji.tasks.services import ItemChoice, ParticipantSpec, TaskRuleError, TaskSpec, create_task

    j = demo.jurisdiction
    if Task.objects.filter(title=TITLE).exists():
        log("演示检查结果：已存在，无需生成")
        return
    water, market = j.department("water"), j.department("market")
    operator, sw_admin, sc_admin = j.users["sw_operator"], j.users["sw_admin"], j.users["sc_admin"]
    spec = TaskSpec(
        title=TITLE,
        lead=ParticipantSpec(
            water,
            [ItemChoice(published_items(water).get(item__code="SW-001"), ["on_site"])],
            unit=operator.organisation,
        ),
        cooperating=[
            ParticipantSpec(market, [ItemChoice(published_items(market).get(item__code="SC-002"), ["on_site"])])
        ],
        window_from=WINDOW[0],
        window_to=WINDOW[1],
        strata={"ALL": {"ratio": "0.2", "reserves": 2}},
        stratify=False,
        population={"target_types": ["project"]},
        source="temporary",
        justification="县双随机办部署的第一季度联合抽查（演示数据）",
    )
    try:
        task = create_task(spec, operator, today=dt.date(2026, 3, 1))
        draw = drawday.freeze_targets(task, operator, today=dt.date(2026, 3, 1))
        drawday.draw_targets(draw, drawday.parse_entropy(CEREMONY), operator, witnesses="李卫东、王秀兰")
        indexes.complete(draw.pk)  # the index rows, as the worker writes them (no worker runs here)
        draw.refresh_from_db()
        drawday.confirm(draw, water.pk, sw_admin)
        drawday.confirm(draw, market.pk, sc_admin)
        for p in task.participants.all():
            indexes.complete(drawday.draw_inspectors(draw, p, sw_admin if p.department_id == water.pk else sc_admin).pk)
    except (TaskRuleError, services.RuleError) as exc:
        log(f"演示检查结果：未生成（{exc}）")
        return
    users: dict[int, object] = {}
    participants = {p.department_id: p for p in task.participants.all()}
    targets = list(drawday.active_targets(draw))
    for drawn, outcomes in zip(targets, plan(), strict=False):
        first_user = None
        for dep, reviewer, outcome in ((water.pk, sw_admin, outcomes[0]), (market.pk, sc_admin, outcomes[1])):
            if outcome is None:
                continue
            from shuangsuiji.inspections import access

            if first_user is None:
                a = access.assignments(task.pk, drawn.target_id).select_related("inspector").first()
                first_user = _account(a.inspector, log)
                record = services.open_record(task, drawn.target_id, first_user)
                present = [x.inspector_id for x in access.assignments(task.pk, drawn.target_id).filter(is_expert=False)]
                try:
                    services.record_visit(
                        record,
                        services.Visit(
                            visit_date=dt.date(2026, 3, 10) + dt.timedelta(days=drawn.position % 10),
                            place=drawn.target.address or "项目现场",
                            inspector_ids=present,
                            signature="signed"
                            if outcome[1] != "通过登记的住所（经营场所）无法联系"
                            else "not_applicable",
                            signer=drawn.target.legal_representative or "项目负责人",
                        ),
                        first_user,
                    )
                except services.ResultRuleError as exc:
                    log(f"演示检查结果：{drawn.target.name} 检查情况未记录（{exc}）")
                record = InspectionRecord.objects.get(pk=record.pk)
            try:
                _fill(record, participants[dep], outcome, users, reviewer, log)
            except services.ResultRuleError as exc:
                log(f"演示检查结果：{drawn.target.name} 未生成（{exc}）")
    rows = services.progress(task)
    log(
        f"演示检查结果：{task.code}（抽中 {rows[0].total} 个对象；"
        + "；".join(f"{r.participant.department.name} 已录入 {r.entered}、已认定 {r.determined}" for r in rows)
        + "）"
    )
