"""The draw day: freeze, draw, dispatch and confirmation, reserves, inspector draws,
substitute draws, voids, and the verifiable bundle of every draw.

Every state change is one transaction and one named audit action:
``tasks.freeze``, ``tasks.draw``, ``tasks.reserve``, ``tasks.confirm``,
``tasks.inspector_draw``, ``tasks.substitute``, ``tasks.void_request``, ``tasks.void_approve``,
``tasks.void_reject``.

Storage: a Draw keeps the frozen bundle files of spec v1 byte for byte; each result (the
draw, then one version per reserve use or substitute draw) is a new DrawResult row made by
the engine's own bundle functions (which refuse anything but an append). DrawnTarget and
Assignment are indexes of the latest result for queries and pages.

Concurrency: the draw is a compare-and-set of the draw row from ``frozen`` to ``drawn``
inside the transaction that stores the result, so two operators pressing 抽取 at once
produce one draw; the partial unique constraints on Draw allow one live draw per task (and
per department for inspector draws), so two freezes at once produce one commitment.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Prefetch
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.draw import (
    AssignmentShortfall,
    Commitment,
    DrawError,
    DrawParams,
    Entropy,
    Frame,
    PublicEntropy,
    StratumRule,
    apply_reserve,
    apply_substitute,
    apply_substitute_person,
    canonical_json,
    freeze,
    new_server_secret,
    server_secret_hash,
)
from shuangsuiji.draw.assign import as_inspectors
from shuangsuiji.draw.bundle import compute, draw_result
from shuangsuiji.draw.canonical import sha256_hex
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.inspectors.services import draw_candidates
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.models import Target
from shuangsuiji.tasks import deadlines as task_deadlines
from shuangsuiji.tasks import entropy as entropy_rules
from shuangsuiji.tasks import indexes, storage
from shuangsuiji.tasks import population as pop
from shuangsuiji.tasks.history import with_history
from shuangsuiji.tasks.models import (
    DRAW_FILES,
    Assignment,
    Confirmation,
    Draw,
    DrawKind,
    DrawnTarget,
    DrawResult,
    DrawStatus,
    ItemWithdrawal,
    Task,
    TaskParticipant,
    TaskStatus,
    VoidRequest,
)
from shuangsuiji.tasks.sealed import REOPENED_NOTE
from shuangsuiji.tasks.services import assignment_params, ratio_errors, ratio_floor
from shuangsuiji.workdays import deadlines
from shuangsuiji.workdays.services import Deadline, deadline

CONFIRM_WORKDAYS = 1  # 各部门 1 个工作日内确认（seed 002）


class DrawRuleError(RuleError):
    """A refused draw-day step."""


# --- Files and bundles -----------------------------------------------------------------------


def _b(value) -> bytes:
    return bytes(value) if value is not None else b""


def _load_files(draw: Draw) -> Draw:
    """The draw with its stored files loaded (a fetched Draw leaves them out): one query."""
    deferred = draw.get_deferred_fields() & set(DRAW_FILES)
    if deferred:
        for name, value in storage.read(Draw, draw.pk, sorted(deferred)).items():
            setattr(draw, name, value)
    return draw


def input_files(draw: Draw) -> dict[str, bytes]:
    _load_files(draw)
    files = {
        "population.csv": _b(draw.population_csv),
        "exclusions.csv": _b(draw.exclusions_csv),
        "params.json": _b(draw.params_json),
        "commitment.json": _b(draw.commitment_json),
    }
    if draw.inspectors_json is not None:
        files["inspectors.json"] = _b(draw.inspectors_json)
    return files


def latest_result(draw: Draw) -> DrawResult | None:
    """The current result version, with its result.json."""
    res = draw.results.order_by("-version").first()
    if res is not None:
        res.result_json = storage.read(DrawResult, res.pk, ["result_json"])["result_json"]
    return res


def approved_void(draw: Draw) -> VoidRequest | None:
    """The approved request that voided the draw: its own, or its target draw's (inspector
    draws are voided with the target draw they were drawn for)."""
    own = draw.void_requests.filter(status=VoidRequest.Status.APPROVED).first()
    if own is None and draw.status == DrawStatus.VOID and draw.target_draw_id is not None:
        return approved_void(draw.target_draw)
    return own


def bundle_files(draw: Draw) -> dict[str, bytes]:
    """The bundle of spec v1 §14 as it stands now (inputs, entropy, latest result, void)."""
    files = input_files(draw)
    if draw.entropy_json is not None:
        files["entropy.json"] = _b(draw.entropy_json)
    res = latest_result(draw)
    if res is not None:
        files["result.json"] = _b(res.result_json)
        files["result.sha256"] = (res.result_sha256 + "\n").encode("ascii")
        void = approved_void(draw) if draw.status == DrawStatus.VOID else None
        if void is not None:
            reason = (
                void.reason if void.draw_id == draw.pk else f"随检查对象抽取 {void.draw.draw_id} 作废：{void.reason}"
            )
            void_json = {"reason": reason, "result_sha256": res.result_sha256}
            if void.decided_at is not None:  # spec v1.1 §14: when the void took effect, UTC
                void_json["at"] = void.decided_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            files["void.json"] = canonical_json(void_json)
    return files


def bundle_zip(draw: Draw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(bundle_files(draw).items()):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


@contextmanager
def _bundle_dir(draw: Draw) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="ssj-draw-") as d:
        path = os.path.join(d, "bundle")
        os.makedirs(path)
        for name, data in bundle_files(draw).items():
            with open(os.path.join(path, name), "wb") as f:
                f.write(data)
        yield path


def _read(path: str, name: str) -> bytes:
    with open(os.path.join(path, name), "rb") as f:
        return f.read()


def commitment_of(draw: Draw) -> Commitment:
    """The stored commitment with its frozen files and frame. The files were written and
    validated at the freeze (by the engine, or on PostgreSQL by the database with the checks of
    ``draw.postgres.population_csv_in_postgres``) and are never edited; their hashes are checked
    against the commitment (and the commitment against the one shown at the freeze)
    instead of parsing and validating the population again field by field."""
    files = input_files(draw)
    c = Commitment.from_json(json.loads(files["commitment.json"]))
    if c.sha256 != draw.commitment_sha256:
        raise DrawRuleError("抽取的承诺值与冻结时公布的不一致，不能抽取。")
    for name, expected in (("exclusions.csv", c.exclusions_sha256), ("inspectors.json", c.inspectors_sha256)):
        if expected is not None and sha256_hex(files.get(name, b"")) != expected:
            raise DrawRuleError(f"冻结的 {name} 与承诺值不一致，不能抽取。")
    object.__setattr__(c, "files", files)
    try:
        frame = Frame.from_frozen_csv(files["population.csv"], c.population_sha256)
    except DrawError as exc:
        raise DrawRuleError(f"冻结的 population.csv 与承诺值不一致，不能抽取：{exc}") from exc
    object.__setattr__(c, "frame", frame)
    return c


def params_of(draw: Draw) -> DrawParams:
    return DrawParams.from_json(json.loads(_b(draw.params_json)))


def result_of(draw: Draw) -> dict | None:
    res = latest_result(draw)
    return None if res is None else json.loads(_b(res.result_json))


def _store_result(draw: Draw, version: int, event: str, reason: str, result: bytes, user) -> DrawResult:
    row = DrawResult.objects.create(
        draw=draw,
        version=version,
        event=event,
        reason=reason,
        result_json=b"",
        result_sha256=sha256_hex(result),
        created_by=user,
    )
    storage.write(DrawResult, row.pk, {"result_json": result})
    row.result_json = result
    return row


# --- Queries the pages use ---------------------------------------------------------------------


_LIVE_TARGET_DRAW = {"kind": DrawKind.TARGETS, "status__in": [DrawStatus.FROZEN, DrawStatus.DRAWN]}


def live_target_draw(task: Task) -> Draw | None:
    cached = getattr(task, "_live_target_draws", None)  # with_live_target_draw: read with the tasks
    if cached is not None:
        return cached[0] if cached else None
    return task.draws.filter(**_LIVE_TARGET_DRAW).first()


def with_live_target_draw(tasks):
    """The tasks (a queryset) with their live target draw read in one query for all of them
    (a list of many tasks asks `live_target_draw` of each)."""
    live = Draw.objects.filter(**_LIVE_TARGET_DRAW).order_by("pk")
    return tasks.prefetch_related(Prefetch("draws", queryset=live, to_attr="_live_target_draws"))


def live_inspector_draw(target_draw: Draw, department_id: int) -> Draw | None:
    return target_draw.inspector_draws.filter(
        department_id=department_id, status__in=[DrawStatus.FROZEN, DrawStatus.DRAWN]
    ).first()


def active_targets(draw: Draw):
    return (
        draw.drawn_targets.filter(replaced_by__isnull=True)
        .select_related("target", "target__region")
        .order_by("position")
    )


index_pending = indexes.index_pending


def require_index(draw: Draw) -> None:
    """Refuse, with a clear Chinese message and the progress, a step that reads this draw's
    index rows while the job queue is writing them."""
    if not draw.index_complete:
        raise indexes.IndexPending(draw)


def all_confirmed(draw: Draw) -> bool:
    return not draw.confirmations.exclude(status=Confirmation.Status.CONFIRMED).exists()


# --- Freeze and draw (targets) -----------------------------------------------------------------


def _next_attempt(task: Task, kind: str, department_id: int | None) -> int:
    agg = Draw.objects.filter(task=task, kind=kind, department_id=department_id).aggregate(m=Max("attempt"))
    return (agg["m"] or 0) + 1


def _store_freeze(c: Commitment, secret: bytes, user, taken: str, **fields) -> Draw:
    """Store a frozen engine run: the committed files byte for byte, the secret kept back.
    ``taken`` is the refusal when the one-live-draw constraint says another freeze won."""
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                draw_id=c.draw_id,
                population_csv=b"",
                exclusions_csv=b"",
                params_json=c.files["params.json"],
                inspectors_json=None,
                commitment_json=c.files["commitment.json"],
                commitment_sha256=c.sha256,
                server_secret=secret.hex(),
                population_count=sum(c.counts().values()),
                stratum_counts=c.counts(),
                frozen_by=user,
                **fields,
            )
            # the large files as bytes, in the same transaction (storage.py)
            files = {
                "population_csv": c.files["population.csv"],
                "exclusions_csv": c.files["exclusions.csv"],
                "inspectors_json": c.files.get("inspectors.json"),
            }
            storage.write(Draw, draw.pk, files)
            for name, value in files.items():
                setattr(draw, name, value)
            return draw
    except IntegrityError as exc:
        raise DrawRuleError(taken) from exc


def freeze_targets(task: Task, user, today: dt.date | None = None) -> Draw:
    """Freeze the population and parameters; the commitment hash is shown and recorded."""
    today = today or timezone.localdate()
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status == TaskStatus.CANCELLED:
            raise DrawRuleError("任务已撤销。")
        if live_target_draw(task) is not None:
            raise DrawRuleError("本任务已有冻结或已完成的抽取；如需重新抽取，请先申请作废。")
        parts = list(task.participants.prefetch_related("items__item_version__item"))
        task_items = [(p.department, ti.item_version) for p in parts for ti in p.items.all()]
        errors = ratio_errors(task.strata, ratio_floor(task_items, task.plan))
        if errors:
            raise DrawRuleError(errors)
        strata = {k: StratumRule.from_json(v) for k, v in task.strata.items()}
        try:
            if connection.vendor == "postgresql":  # population.csv written by the database
                frozen = pop.build_population_file(task, today)
                population, exclusions, weighted = frozen.file, frozen.exclusions, frozen.weighted
            else:
                built = pop.build_population(task, today)
                population, exclusions, weighted = built.frame(), built.exclusions, bool(built.weights)
        except pop.PopulationError as exc:
            raise DrawRuleError(str(exc)) from exc
        except DrawError as exc:
            raise DrawRuleError(f"冻结失败：{exc}") from exc
        attempt = _next_attempt(task, DrawKind.TARGETS, None)
        params = DrawParams(
            draw_id=f"{task.code}-T{attempt}",
            strata=strata,
            # weighted when the credit loop raised a weight in the population (draw-spec §8);
            # otherwise unweighted as before, so the same inputs give the same bundle
            weighted=weighted,
            meta={
                "task": task.code,
                "title": task.title,
                "kind": "targets",
                "region": task.region_id,
                "conditions": "；".join(pop.describe(task)),
                "frozen_on": today.isoformat(),
            },
        )
        secret = new_server_secret()
        try:
            c = freeze(population, exclusions, params, server_secret_hash(secret))
        except DrawError as exc:
            raise DrawRuleError(f"冻结失败：{exc}") from exc
        draw = _store_freeze(
            c,
            secret,
            user,
            "本任务已有冻结或已完成的抽取（可能刚被他人冻结）。",
            task=task,
            kind=DrawKind.TARGETS,
            attempt=attempt,
            excluded_count=len(exclusions),
        )
        if task.status == TaskStatus.DRAFT:
            task.status = TaskStatus.FIXED
            with acting(actor=user, action="tasks.fix"):
                task.save(update_fields=["status"])
        with acting(actor=user):
            record(
                action="tasks.freeze",
                obj=draw,
                after={
                    "draw_id": draw.draw_id,
                    "commitment_sha256": draw.commitment_sha256,
                    "population": draw.population_count,
                    "excluded": draw.excluded_count,
                    "params_sha256": c.params_sha256,
                },
            )
    return draw


def parse_entropy(entries: list[dict]) -> list[PublicEntropy]:
    """Public entropy entries from a form or the API, with Chinese errors. Values are
    normalised as people type them (full-width digits, Chinese separators, spaces:
    :mod:`shuangsuiji.tasks.entropy`)."""
    out = []
    for i, e in enumerate(entries, start=1):
        kind = (e.get("kind") or "").strip() or "other"
        value = entropy_rules.normalise(kind, e.get("value") or "")
        source = " ".join((e.get("source") or "").split())
        if not value:
            continue
        if kind not in entropy_rules.KIND_LABELS or kind == "target_draw_seed":
            raise DrawRuleError(f"第 {i} 项公开随机数的类型“{kind}”无效：应为骰子、彩票开奖号码或其他公开随机数。")
        if not source:
            raise DrawRuleError(f"第 {i} 项公开随机数须填写见证人或来源。")
        if kind == "dice" and not all(len(t) == 1 and "1" <= t <= "6" for t in value.split()):
            raise DrawRuleError(f"第 {i} 项骰子点数只能是 1–6 的数字（录入的是“{value}”）。{entropy_rules.ACCEPTED}")
        try:
            out.append(PublicEntropy(kind, value, source))
        except DrawError as exc:
            raise DrawRuleError(f"第 {i} 项公开随机数无效：{exc}") from exc
    if not out:
        raise DrawRuleError(f"请录入公开随机数。{entropy_rules.ACCEPTED}")
    return out


def require_minimum(public: list[PublicEntropy]) -> None:
    """A target draw needs at least entropy.MINIMUM_BITS of public entropy (draw-spec §7.3)."""
    t = entropy_rules.tally(public)
    if not t.enough:
        raise DrawRuleError(
            f"公开随机数不足：已录入约 {t.shown} 位（比特），至少需要 {t.minimum} 位，"
            f"还差约 {t.dice_missing} 个骰子点数。{entropy_rules.ACCEPTED}"
        )


def _run(draw: Draw, public: list[PublicEntropy], frozen: tuple[Commitment, list] | None = None):
    """Compute the draw with the engine and its result.json (the bytes of its bundle).

    ``frozen``: the commitment and the inspectors (engine objects) that this same transaction
    froze and stored for ``draw`` (an inspector draw freezes and draws in one step); otherwise
    they are read back from the stored files (``commitment_of``).

    Returns (entropy, seed, target result, assignment result or None, result.json bytes)."""
    entropy = Entropy(server_secret=bytes.fromhex(draw.server_secret), public=public)
    params = params_of(draw)
    if frozen is not None:
        c, inspectors = frozen
    else:
        c = commitment_of(draw)
        inspectors = None
        if draw.inspectors_json is not None:
            from shuangsuiji.draw.assign import parse_inspectors

            inspectors = parse_inspectors(_b(draw.inspectors_json))
    seed, targets, assignment = compute(c, entropy, params, c.frame, inspectors)
    return entropy, seed, targets, assignment, draw_result(c, entropy, targets, assignment)


def _claim(draw: Draw, entropy: Entropy, seed: bytes, user, witnesses: str, index_total: int) -> None:
    """Compare-and-set frozen → drawn; refuses when someone else drew first. ``index_total``:
    the index rows of the result, written by the job queue after the commit (``indexes``)."""
    n = Draw.objects.filter(pk=draw.pk, status=DrawStatus.FROZEN).update(
        status=DrawStatus.DRAWN,
        index_total=index_total,
        entropy_json=entropy.canonical_json(),
        seed=seed.hex(),
        drawn_at=timezone.now(),
        drawn_by=user,
        witnesses=witnesses,
    )
    if n != 1:
        current = Draw.objects.filter(pk=draw.pk).values_list("status", flat=True).first()
        if current == DrawStatus.DRAWN:
            raise DrawRuleError("该抽取已由他人完成，不能重复抽取；请刷新页面查看结果。")
        raise DrawRuleError("该抽取已作废，不能抽取。")


def draw_targets(draw: Draw, public: list[PublicEntropy], user, witnesses: str = "") -> Draw:
    """Enter the public entropy and draw. Exactly one call succeeds per frozen draw."""
    if draw.kind != DrawKind.TARGETS:
        raise DrawRuleError("这不是检查对象抽取。")
    if draw.status != DrawStatus.FROZEN:
        raise DrawRuleError("该抽取不处于待抽取状态（已抽取或已作废）。")
    require_minimum(public)
    witnesses = " ".join((witnesses or "").split())
    if not witnesses:
        raise DrawRuleError("请填写现场见证人（姓名、单位），见证人为必填项。")
    entropy, seed, targets, _none, result_bytes = _run(draw, public)
    drawn_on = timezone.localdate()
    due = confirmation_due(drawn_on)
    selected = sum(len(r.selected) for r in targets.strata.values())
    with transaction.atomic():
        _claim(draw, entropy, seed, user, witnesses, selected)
        draw.refresh_from_db()
        _store_result(draw, 1, DrawResult.Event.DRAW, "", result_bytes, user)
        # the drawn targets' index rows: the job queue, after the commit (indexes.py)
        indexes.schedule(draw.pk)
        for p in draw.task.participants.all():
            conf = Confirmation.objects.create(draw=draw, department_id=p.department_id, due_on=due.day)
            deadlines.remember(task_deadlines.CONFIRMATION, conf.pk, drawn_on, CONFIRM_WORKDAYS, due)
        with acting(actor=user):
            record(
                action="tasks.draw",
                obj=draw,
                after={
                    "draw_id": draw.draw_id,
                    "selected": selected,
                    "result_sha256": sha256_hex(result_bytes),
                    "public_entropy": [p.to_json() for p in public],
                    "confirm_by": due.day.isoformat(),
                    "confirm_by_provisional": due.provisional,
                },
                sealed_task_id=draw.task_id,
                sealed={"after": {"seed": draw.seed}},
            )
    return draw


def confirmation_due(day: dt.date) -> Deadline:
    """One working day after the draw. A year the calendar lacks gives a provisional deadline
    (暂定, ``workdays.services.deadline``), recomputed when the year is entered."""
    return deadline(day, CONFIRM_WORKDAYS)


def _open_confirmation(draw: Draw, department_id: int) -> Confirmation:
    conf = Confirmation.objects.select_for_update().filter(draw=draw, department_id=department_id).first()
    if conf is None:
        raise DrawRuleError("本部门不是该任务的参与部门。")
    return conf


WITHDRAWN_REASON = "本部门报告不属本部门职责（联合抽查，本部门事项已移除）"


def withdrawn_departments(draw: Draw, target_id: int) -> set[int]:
    """Departments that reported this target outside their remit (joint task)."""
    return set(draw.withdrawals.filter(target_id=target_id).values_list("department_id", flat=True))


def withdrawn_targets(draw: Draw, department_id: int) -> set[int]:
    """Targets whose items this department removed (its inspectors are not assigned to them)."""
    return set(draw.withdrawals.filter(department_id=department_id).values_list("target_id", flat=True))


def report_out_of_scope(draw: Draw, department_id: int, target: Target, reason: str, user):
    """A department reports a drawn target outside its remit (or closed, moved …).

    Joint task (architecture.md "Joint tasks: a target outside a department's remit"): a
    cooperating department's report only removes that department's items for the target
    (an :class:`ItemWithdrawal`; its inspectors are not assigned to it). The target is
    replaced by the next reserve of its stratum (a new result version) only when the lead
    department reports it, or when no other department is left for it. Returns the new
    DrawnTarget, or the ItemWithdrawal."""
    reason = reason.strip()
    if not reason:
        raise DrawRuleError("报告问题须填写原因。")
    with transaction.atomic():
        locked = Draw.objects.select_for_update().get(pk=draw.pk)
        require_index(locked)
        task = locked.task
        if department_id != task.lead_id and locked.status == DrawStatus.DRAWN:
            others = (
                set(task.participants.values_list("department_id", flat=True))
                - withdrawn_departments(locked, target.pk)
                - {department_id}
            )
            if others:
                return _withdraw_items(locked, department_id, target, reason, user)
        return _replace_target(locked, department_id, target, reason, user)


def _withdraw_items(draw: Draw, department_id: int, target: Target, reason: str, user) -> ItemWithdrawal:
    if draw.kind != DrawKind.TARGETS:
        raise DrawRuleError("只有已抽取且未作废的检查对象抽取可以报告问题。")
    conf = _open_confirmation(draw, department_id)
    if conf.status != Confirmation.Status.PENDING:
        raise DrawRuleError("本部门已确认，不能再报告问题。")
    if live_inspector_draw(draw, department_id) is not None:
        raise DrawRuleError("本部门已抽取检查人员，不能再报告问题；如需调整请申请作废。")
    if not draw.drawn_targets.filter(target=target, replaced_by__isnull=True).exists():
        raise DrawRuleError(f"“{target.name}”不在本次抽中的对象中。")
    if draw.withdrawals.filter(target=target, department_id=department_id).exists():
        raise DrawRuleError(f"本部门已报告“{target.name}”不属本部门职责。")
    row = ItemWithdrawal.objects.create(
        draw=draw, target=target, department_id=department_id, reason=reason, created_by=user
    )
    with acting(actor=user):
        record(
            action="tasks.withdraw_items",
            obj=draw,
            reason="联合抽查：参与部门报告抽中对象不属本部门职责，仅移除本部门事项",
            after={"department": department_id},
            sealed_task_id=draw.task_id,
            sealed={"after": {"target": target.code}, "reason": reason},
        )
    return row


def _replace_target(draw: Draw, department_id: int, target: Target, reason: str, user) -> DrawnTarget:
    if draw.status != DrawStatus.DRAWN or draw.kind != DrawKind.TARGETS:
        raise DrawRuleError("只有已抽取且未作废的检查对象抽取可以替换对象。")
    conf = _open_confirmation(draw, department_id)
    if conf.status != Confirmation.Status.PENDING:
        raise DrawRuleError("本部门已确认，不能再报告问题。")
    if draw.inspector_draws.filter(status__in=[DrawStatus.FROZEN, DrawStatus.DRAWN]).exists():
        raise DrawRuleError("已有部门抽取检查人员，不能再替换检查对象；如需调整请申请作废。")
    dt_row = draw.drawn_targets.filter(target=target, replaced_by__isnull=True).first()
    if dt_row is None:
        raise DrawRuleError(f"“{target.name}”不在本次抽中的对象中。")
    last = latest_result(draw)
    with _bundle_dir(draw) as path:
        try:
            use = apply_reserve(path, dt_row.stratum, target.code, reason)
        except DrawError as exc:
            raise DrawRuleError(
                f"{pop.STRATUM_LABELS.get(dt_row.stratum, dt_row.stratum)}已无可用的备选对象，不能替换：{exc}"
            ) from exc
        result_bytes = _read(path, "result.json")
    _store_result(draw, last.version + 1, DrawResult.Event.RESERVE, reason, result_bytes, user)
    new_target = Target.objects.get(code=use.replacement)
    position = draw.drawn_targets.aggregate(m=Max("position"))["m"] + 1
    new_row = DrawnTarget.objects.create(
        draw=draw,
        target=new_target,
        code=new_target.code,
        stratum=dt_row.stratum,
        ticket=_reserve_ticket(json.loads(result_bytes), dt_row.stratum, use.replacement),
        position=position,
        from_reserve=True,
    )
    DrawnTarget.objects.filter(pk=dt_row.pk).update(
        replaced_by=new_row, replaced_reason=reason, replaced_department_id=department_id
    )
    reopened = []
    for other in draw.confirmations.select_for_update().exclude(department_id=department_id):
        if other.status == Confirmation.Status.CONFIRMED:
            other.status = Confirmation.Status.PENDING
            other.confirmed_at = None
            other.confirmed_by = None
            other.note = f"对象“{target.name}”已由备选对象“{new_target.name}”递补，请重新确认。"
            with acting(actor=user, action="tasks.reconfirm", reason=REOPENED_NOTE):
                other.save()
            reopened.append(other.department_id)
    with acting(actor=user):
        record(
            action="tasks.reserve",
            obj=draw,
            reason="抽中对象由同层备选对象递补",
            after={
                "department": department_id,
                "result_version": last.version + 1,
                "reopened_confirmations": reopened,
            },
            sealed_task_id=draw.task_id,
            sealed={
                "after": {"replaced": target.code, "replacement": new_target.code, "stratum": dt_row.stratum},
                "reason": reason,
            },
        )
    return new_row


def _reserve_ticket(result: dict, stratum: str, target_id: str) -> str:
    for entry in result["targets"]["strata"][stratum]["reserves"]:
        if entry["id"] == target_id:
            return entry["ticket"]
    return ""


def confirm(draw: Draw, department_id: int, user, note: str = "") -> Confirmation:
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.status != DrawStatus.DRAWN:
            raise DrawRuleError("该抽取未完成或已作废，不能确认。")
        require_index(draw)  # a department confirms the list it can read
        conf = _open_confirmation(draw, department_id)
        if conf.status == Confirmation.Status.CONFIRMED:
            raise DrawRuleError("本部门已确认。")
        conf.status = Confirmation.Status.CONFIRMED
        conf.confirmed_at = timezone.now()
        conf.confirmed_by = user
        conf.note = note.strip()
        late = timezone.localdate() > conf.due_on
        with acting(actor=user, action="tasks.confirm", reason="逾期确认" if late else ""):
            conf.save()
    return conf


def confirmation_overdue(conf: Confirmation, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return conf.status == Confirmation.Status.PENDING and today > conf.due_on


# --- Inspector draws -----------------------------------------------------------------------------


def draw_inspectors(target_draw: Draw, participant: TaskParticipant, user, extra: list[PublicEntropy] = ()) -> Draw:
    """Freeze this department's register and the confirmed targets, then draw its groups.

    The public entropy is the target draw's seed (published with it) plus anything entered;
    the fresh server secret committed at the freeze keeps the result unknown until the draw.
    """
    task = target_draw.task
    with transaction.atomic():
        target_draw = Draw.objects.select_for_update().get(pk=target_draw.pk)
        if target_draw.kind != DrawKind.TARGETS or target_draw.status != DrawStatus.DRAWN:
            raise DrawRuleError("检查对象尚未抽取或该抽取已作废。")
        if not all_confirmed(target_draw):
            raise DrawRuleError("各参与部门确认检查对象后，方可抽取检查人员。")
        if live_inspector_draw(target_draw, participant.department_id) is not None:
            raise DrawRuleError("本部门已抽取检查人员；如需更换个别人员，请使用递补抽取。")
        require_index(target_draw)
        # rotation and workload (tasks.history) read the department's earlier group places
        earlier = Draw.objects.filter(
            kind=DrawKind.INSPECTORS, department_id=participant.department_id, status=DrawStatus.DRAWN
        )
        for d in earlier.filter(index_done__lt=F("index_total")).order_by("pk")[:1]:
            raise indexes.IndexPending(d)
        # Targets this department reported outside its remit (joint task) are excluded from
        # its inspector draw, visibly: they are listed in the draw's exclusions.csv.
        withdrawn = withdrawn_targets(target_draw, participant.department_id)
        active = target_draw.drawn_targets.filter(replaced_by__isnull=True)
        # the codes as drawn, in list order (kept on the rows: no look-up in the register)
        codes = list(active.exclude(target_id__in=withdrawn).order_by("position").values_list("code", flat=True))
        excluded = [
            (code, WITHDRAWN_REASON)
            for code in sorted(active.filter(target_id__in=withdrawn).values_list("code", flat=True))
        ]
        if not codes:
            raise DrawRuleError("本部门已报告全部抽中对象不属本部门职责，无需抽取检查人员。")
        attempt = _next_attempt(task, DrawKind.INSPECTORS, participant.department_id)
        params = DrawParams(
            draw_id=f"{target_draw.draw_id}-P{participant.department_id}-{attempt}",
            strata={pop.ALL: StratumRule("1")},
            assignment=assignment_params(task, participant),
            meta={
                "task": task.code,
                "kind": "inspectors",
                "target_draw": target_draw.draw_id,
                "department": participant.department.name,
            },
        )
        secret = new_server_secret()
        try:
            # engine objects once: frozen into inspectors.json and given to the assignment below
            inspectors = as_inspectors(
                with_history(
                    draw_candidates(participant.department, (task.window_from, task.window_to)),
                    participant.department,
                    task,
                    active.exclude(target_id__in=withdrawn),
                )
            )
            c = freeze(
                Frame.from_columns({pop.ALL: codes}),
                excluded,
                params,
                server_secret_hash(secret),
                inspectors=inspectors,
            )
        except DrawError as exc:
            raise DrawRuleError(f"冻结失败：{exc}") from exc
        draw = _store_freeze(
            c,
            secret,
            user,
            "本部门已抽取检查人员（可能刚被他人抽取）。",
            task=task,
            kind=DrawKind.INSPECTORS,
            department=participant.department,
            target_draw=target_draw,
            attempt=attempt,
        )
        with acting(actor=user):
            record(
                action="tasks.freeze",
                obj=draw,
                after={
                    "draw_id": draw.draw_id,
                    "commitment_sha256": draw.commitment_sha256,
                    "inspectors": len(inspectors),
                },
            )
        public = [PublicEntropy("target_draw_seed", target_draw.seed, f"检查对象抽取 {target_draw.draw_id} 的随机种子")]
        public += list(extra)
        entropy, seed, _targets, assignment, result_bytes = _run(draw, public, frozen=(c, inspectors))
        places = sum(len(g.inspectors) + len(g.experts) for g in assignment.groups)
        _claim(draw, entropy, seed, user, "", places)
        draw.refresh_from_db()
        _store_result(draw, 1, DrawResult.Event.DRAW, "", result_bytes, user)
        # the group places' index rows: the job queue, after the commit (indexes.py)
        indexes.schedule(draw.pk)
        draw.drawn_shortfalls = [s.to_json() for s in assignment.shortfalls]
        with acting(actor=user):
            record(
                action="tasks.inspector_draw",
                obj=draw,
                after={
                    "draw_id": draw.draw_id,
                    "groups": len(assignment.groups),
                    "shortfalls": len(assignment.shortfalls),
                    "result_sha256": sha256_hex(result_bytes),
                },
                sealed_task_id=task.pk,
                sealed={"after": {"seed": draw.seed}},
            )
    return draw


def shortfalls(draw: Draw) -> list[dict]:
    """The groups the inspector draw could not fill (result.json's ``assignment.shortfalls``).

    A provincial inspector draw's result.json is 6–14 MB: the task page asked for it on every
    load (2.4 s at 100,000 results). Result versions are append-only, so the list is kept in the
    cache under the version's SHA-256 and the file is parsed once per version."""
    known = getattr(draw, "drawn_shortfalls", None)  # set by draw_inspectors on the draw it returns
    if known is not None:
        return known
    version = draw.results.order_by("-version").values_list("pk", "result_sha256").first()
    if version is None:
        return []
    key = f"tasks:shortfalls:{version[1]}"
    found = cache.get(key)
    if found is None:
        data = json.loads(_b(storage.read(DrawResult, version[0], ["result_json"])["result_json"]))
        found = data["assignment"]["shortfalls"] if data.get("assignment") else []
        cache.set(key, found, timeout=None)
    return found


def substitute_inspector(draw: Draw, target: Target, inspector: Inspector, reason: str, user) -> Assignment:
    """递补抽取: a drawn inspector who cannot attend is replaced by a new random draw."""
    reason = reason.strip()
    if not reason:
        raise DrawRuleError("递补抽取须填写原因（如因病、回避、公务冲突）。")
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.kind != DrawKind.INSPECTORS or draw.status != DrawStatus.DRAWN:
            raise DrawRuleError("只有已完成且未作废的检查人员抽取可以递补。")
        require_index(draw)
        row = draw.assignments.filter(target=target, inspector=inspector, ended_at__isnull=True).first()
        if row is None:
            raise DrawRuleError(f"{inspector.name}不在“{target.name}”的检查组中。")
        last = latest_result(draw)
        with _bundle_dir(draw) as path:
            try:
                event = apply_substitute(path, target.code, str(draw.department_id), inspector.certificate_no, reason)
            except AssignmentShortfall as exc:
                raise DrawRuleError(
                    f"没有符合条件的人员可以递补（{exc.shortfall.failed} 后仅剩 {exc.shortfall.eligible} 人）；"
                    "请请求上级或相邻地区支援。"
                ) from exc
            except DrawError as exc:
                raise DrawRuleError(f"递补失败：{exc}") from exc
            result_bytes = _read(path, "result.json")
        _store_result(draw, last.version + 1, DrawResult.Event.SUBSTITUTE, reason, result_bytes, user)
        now = timezone.now()
        Assignment.objects.filter(pk=row.pk).update(ended_at=now, ended_reason=reason)
        new_inspector = Inspector.objects.get(certificate_no=event.replacement)
        new_row = Assignment.objects.create(
            draw=draw, target=target, inspector=new_inspector, is_expert=row.is_expert, from_substitution=True
        )
        with acting(actor=user):
            record(
                action="tasks.substitute",
                obj=draw,
                reason="检查人员递补抽取",
                after={"result_version": last.version + 1},
                sealed_task_id=draw.task_id,
                sealed={
                    "after": {
                        "target": target.code,
                        "replaced": inspector.certificate_no,
                        "replacement": new_inspector.certificate_no,
                    },
                    "reason": reason,
                },
            )
    return new_row


def substitute_everywhere(draw: Draw, inspector: Inspector, reason: str, user) -> list[Assignment]:
    """递补抽取 of one inspector in ALL their current groups of this inspector draw (leave or a
    declared interest entered after the draw, ``tasks.changes``): one engine event
    (spec §13.3 ``substitute_person``), one reason, one new result version."""
    reason = reason.strip()
    if not reason:
        raise DrawRuleError("递补抽取须填写原因（如请假、申报利害关系）。")
    with transaction.atomic():
        draw = Draw.objects.select_for_update().get(pk=draw.pk)
        if draw.kind != DrawKind.INSPECTORS or draw.status != DrawStatus.DRAWN:
            raise DrawRuleError("只有已完成且未作废的检查人员抽取可以递补。")
        require_index(draw)
        rows = list(draw.assignments.filter(inspector=inspector, ended_at__isnull=True).select_related("target"))
        if not rows:
            raise DrawRuleError(f"{inspector.name}不在本次抽取的任何检查组中。")
        last = latest_result(draw)
        with _bundle_dir(draw) as path:
            try:
                event = apply_substitute_person(path, str(draw.department_id), inspector.certificate_no, reason)
            except AssignmentShortfall as exc:
                raise DrawRuleError(
                    f"没有符合条件的人员可以递补（{exc.shortfall.failed} 后仅剩 {exc.shortfall.eligible} 人）；"
                    "请请求上级或相邻地区支援。"
                ) from exc
            except DrawError as exc:
                raise DrawRuleError(f"递补失败：{exc}") from exc
            result_bytes = _read(path, "result.json")
        _store_result(draw, last.version + 1, DrawResult.Event.SUBSTITUTE, reason, result_bytes, user)
        now = timezone.now()
        by_code = {r.target.code: r for r in rows}
        replacements = dict(
            Inspector.objects.filter(certificate_no__in=[p.replacement for p in event.parts]).values_list(
                "certificate_no", "pk"
            )
        )
        new_rows = []
        for part in event.parts:
            old = by_code[part.target]
            Assignment.objects.filter(pk=old.pk).update(ended_at=now, ended_reason=reason)
            new_rows.append(
                Assignment.objects.create(
                    draw=draw,
                    target=old.target,
                    inspector_id=replacements[part.replacement],
                    is_expert=old.is_expert,
                    from_substitution=True,
                )
            )
        with acting(actor=user):
            record(
                action="tasks.substitute",
                obj=draw,
                reason="检查人员递补抽取（该人员的全部检查组）",
                after={"result_version": last.version + 1, "groups": len(new_rows)},
                sealed_task_id=draw.task_id,
                sealed={
                    "after": {
                        "replaced": inspector.certificate_no,
                        "substitutions": [[p.target, p.replacement] for p in event.parts],
                    },
                    "reason": reason,
                },
            )
    return new_rows


# --- Void -------------------------------------------------------------------------------------


def request_void(draw: Draw, reason: str, user) -> VoidRequest:
    reason = reason.strip()
    if not reason:
        raise DrawRuleError("作废须填写原因。")
    if draw.status == DrawStatus.VOID:
        raise DrawRuleError("该抽取已作废。")
    try:
        with transaction.atomic(), acting(actor=user, action="tasks.void_request"):
            return VoidRequest.objects.create(draw=draw, reason=reason, requested_by=user)
    except IntegrityError as exc:
        raise DrawRuleError("该抽取已有待审批的作废申请。") from exc


def decide_void(request: VoidRequest, approve: bool, user, note: str = "") -> VoidRequest:
    with transaction.atomic():
        request = VoidRequest.objects.select_for_update().select_related("draw").get(pk=request.pk)
        if request.status != VoidRequest.Status.REQUESTED:
            raise DrawRuleError("该作废申请已处理。")
        if request.requested_by_id == user.pk:
            raise DrawRuleError("不能审批本人提出的作废申请。")
        request.status = VoidRequest.Status.APPROVED if approve else VoidRequest.Status.REJECTED
        request.decided_at = timezone.now()
        request.decided_by = user
        request.decision_note = note.strip()
        action = "tasks.void_approve" if approve else "tasks.void_reject"
        with acting(actor=user, action=action):
            request.save()
        if approve:
            voided = [request.draw]
            if request.draw.kind == DrawKind.TARGETS:
                voided += list(request.draw.inspector_draws.exclude(status=DrawStatus.VOID))
            for d in voided:
                Draw.objects.filter(pk=d.pk).update(status=DrawStatus.VOID)
                with acting(actor=user):
                    record(
                        action="tasks.void",
                        obj=d,
                        after={"draw_id": d.draw_id},
                        sealed_task_id=d.task_id,
                        sealed={"reason": request.reason},
                    )
    return request


def entropy_of(draw: Draw) -> dict | None:
    """The public part of the entropy (the server secret is shown only in the bundle)."""
    if draw.entropy_json is None:
        return None
    e = json.loads(_b(draw.entropy_json))
    return {"public": e["public"], "server_secret": e["server_secret"]}
