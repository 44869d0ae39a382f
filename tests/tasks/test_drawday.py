"""The draw day: freeze and commitment, one draw per freeze, independent recomputation,
confirmations, reserves, inspector draws and substitutes, voids, and immutable draw rows."""

import csv
import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.draw import StratumRule, check_candidate, sample_size, ticket, verify_bundle
from shuangsuiji.inspectors.choices import RelationshipKind
from shuangsuiji.inspectors.models import Inspector, Relationship
from shuangsuiji.tasks import drawday, services
from shuangsuiji.tasks.drawday import DrawRuleError
from shuangsuiji.tasks.models import (
    Assignment,
    Confirmation,
    Draw,
    DrawKind,
    DrawnTarget,
    DrawResult,
    DrawStatus,
    TaskStatus,
)
from shuangsuiji.workdays.services import deadline
from tests.tasks.helpers import DICE, confirmed_with_inspectors, drawn_task, joint_task, seed_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo):
    return seed_world(demo)


def verify(draw: Draw, tmp_path, name: str = "bundle") -> tuple[list[str], dict[str, bytes]]:
    """Write the bundle zip as a user downloads it and check it with the engine."""
    draw.refresh_from_db()
    path = tmp_path / f"{name}.zip"
    path.write_bytes(drawday.bundle_zip(draw))
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    return verify_bundle(str(path)), files


def frame_of(draw: Draw) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(bytes(draw.population_csv).decode("utf-8"))):
        out.setdefault(row["stratum"], []).append(row["id"])
    return out


def active_codes(draw: Draw, stratum: str | None = None) -> list[str]:
    rows = drawday.active_targets(draw)
    return [r.target.code for r in rows if stratum is None or r.stratum == stratum]


def test_freeze_commits_then_one_draw_equal_to_an_independent_recomputation(world, tmp_path):
    operator = world.users["sw_operator"]
    task = joint_task(world)
    draw = drawday.freeze_targets(task, operator)
    task.refresh_from_db()
    assert task.status == TaskStatus.FIXED
    assert (draw.kind, draw.status, draw.attempt, draw.draw_id) == ("targets", "frozen", 1, f"{task.code}-T1")
    assert draw.commitment_sha256 == hashlib.sha256(bytes(draw.commitment_json)).hexdigest()
    frozen = AuditEntry.objects.get(action="tasks.freeze", object_id=str(draw.pk))
    assert frozen.after["commitment_sha256"] == draw.commitment_sha256
    assert frozen.after["population"] == draw.population_count == 40
    with pytest.raises(DrawRuleError, match="已有冻结或已完成的抽取"):
        drawday.freeze_targets(task, operator)

    stale = Draw.objects.get(pk=draw.pk)
    drawday.draw_targets(draw, drawday.parse_entropy(DICE), operator, witnesses="张三、李四")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    drawn_entry = AuditEntry.objects.get(action="tasks.draw", object_id=str(draw.pk))
    assert drawn_entry.seq > frozen.seq  # the commitment was recorded before the entropy came in
    # A second draw is refused, from a fresh page and from a stale one alike.
    with pytest.raises(DrawRuleError, match="不处于待抽取状态"):
        drawday.draw_targets(draw, drawday.parse_entropy(DICE), operator)
    with pytest.raises(DrawRuleError, match="已由他人完成"):
        drawday.draw_targets(stale, drawday.parse_entropy(DICE), operator, witnesses="张三")
    assert DrawResult.objects.filter(draw=draw).count() == 1
    assert DrawnTarget.objects.filter(draw=draw).count() == 15

    # The bundle as downloaded verifies with the engine.
    problems, files = verify(draw, tmp_path)
    assert problems == []
    assert "void.json" not in files
    result = json.loads(files["result.json"])

    # Independent recomputation (spec §7.2, §5, §8, §9).
    seed = hashlib.sha256(
        b"shuangsuiji/draw/v1/seed\n" + draw.commitment_sha256.encode("ascii") + b"\n" + bytes(draw.entropy_json)
    ).digest()
    assert draw.seed == result["seed"] == seed.hex()
    entropy = json.loads(bytes(draw.entropy_json))
    assert entropy["public"] == DICE
    assert (
        hashlib.sha256(bytes.fromhex(entropy["server_secret"])).hexdigest()
        == json.loads(bytes(draw.commitment_json))["server_secret_sha256"]
    )
    rows = {r.target.code: r for r in DrawnTarget.objects.filter(draw=draw).select_related("target")}
    for stratum, ids in frame_of(draw).items():
        rule = task.strata[stratum]
        n = sample_size(len(ids), StratumRule(rule["ratio"], rule["min"], rule["max"], rule["reserves"]))
        ranked = sorted(ids, key=lambda i: (ticket(seed, i), i.encode()))
        cutoff = result["targets"]["strata"][stratum]["cutoff"]
        drawn = set()
        for i in ids:
            t, is_drawn = check_candidate(seed, i, cutoff)
            assert t == ticket(seed, i).hex()
            if is_drawn:
                drawn.add(i)
        assert drawn == set(ranked[:n]) == {c for c, r in rows.items() if r.stratum == stratum}
        assert all(rows[c].ticket == ticket(seed, c).hex() for c in drawn)
        assert [r["id"] for r in result["targets"]["strata"][stratum]["reserves"]] == ranked[n : n + 2]
    assert {r.target.risk_class for r in rows.values() if r.stratum == "D"} == {"D"}

    # One confirmation per participating department, due one working day after the draw.
    due = deadline(timezone.localdate(), 1).day
    confirmations = Confirmation.objects.filter(draw=draw)
    assert {(c.department_id, c.status, c.due_on) for c in confirmations} == {
        (world.water.pk, "pending", due),
        (world.market.pk, "pending", due),
    }
    assert drawn_entry.after["confirm_by"] == due.isoformat()


def test_reserve_replaces_within_the_stratum_reopens_confirmations_until_exhausted(world, tmp_path):
    task, draw = drawn_task(world)
    sw_admin, sc_admin = world.users["sw_admin"], world.users["sc_admin"]
    drawday.confirm(draw, world.market.pk, sc_admin)
    v1 = drawday.result_of(draw)["targets"]["strata"]["A"]
    selected, reserves = [s["id"] for s in v1["selected"]], [r["id"] for r in v1["reserves"]]
    assert active_codes(draw, "A") == selected and len(reserves) == 2
    first = DrawnTarget.objects.get(draw=draw, target__code=selected[0]).target

    new_row = drawday.report_out_of_scope(draw, world.water.pk, first, "项目已完工验收，不在检查范围", sw_admin)
    assert (new_row.target.code, new_row.stratum, new_row.from_reserve) == (reserves[0], "A", True)
    assert new_row.target.risk_class == "A" and new_row.ticket == v1["reserves"][0]["ticket"]
    old = DrawnTarget.objects.get(draw=draw, target=first)
    assert (old.replaced_by, old.replaced_department_id) == (new_row, world.water.pk)
    assert active_codes(draw, "A") == [selected[1], reserves[0]] and len(active_codes(draw)) == 15
    latest = DrawResult.objects.filter(draw=draw).order_by("-version").first()
    assert (latest.version, latest.event, latest.reason) == (2, "reserve", "项目已完工验收，不在检查范围")
    assert DrawResult.objects.get(draw=draw, version=1).result_json  # the draw itself is kept
    # 市场监管局 had confirmed: asked to confirm again; 水务局 had not confirmed yet.
    market = Confirmation.objects.get(draw=draw, department=world.market)
    assert market.status == "pending" and market.confirmed_at is None and "请重新确认" in market.note
    entry = AuditEntry.objects.get(action="tasks.reserve", object_id=str(draw.pk))
    assert entry.after["reopened_confirmations"] == [world.market.pk]
    problems, files = verify(draw, tmp_path, "after-reserve")
    assert problems == []
    uses = json.loads(files["result.json"])["targets"]["reserve_uses"]
    assert [(u["replaced"], u["replacement"]) for u in uses] == [(selected[0], reserves[0])]

    # The second reserve (the lead reports again), then nothing left in stratum A.
    second = DrawnTarget.objects.get(draw=draw, target__code=selected[1]).target
    replacement = drawday.report_out_of_scope(draw, world.water.pk, second, "企业已注销", sw_admin)
    assert replacement.target.code == reserves[1]
    with pytest.raises(DrawRuleError) as exc:
        drawday.report_out_of_scope(draw, world.water.pk, new_row.target, "地址查无此项目", sw_admin)
    assert "A 低风险已无可用的备选对象，不能替换" in str(exc.value)
    assert DrawResult.objects.filter(draw=draw).count() == 3
    assert active_codes(draw, "A") == reserves
    assert verify(draw, tmp_path, "after-second-reserve")[0] == []

    # Inspectors are drawn only once every department has confirmed.
    water_participant = next(p for p in services.participants_lead_first(task) if p.department_id == world.water.pk)
    drawday.confirm(draw, world.water.pk, sw_admin)
    with pytest.raises(DrawRuleError, match="各参与部门确认检查对象后"):
        drawday.draw_inspectors(draw, water_participant, sw_admin)
    assert not Draw.objects.filter(kind=DrawKind.INSPECTORS).exists()
    with pytest.raises(DrawRuleError, match="本部门已确认"):
        drawday.report_out_of_scope(draw, world.water.pk, new_row.target, "再报", sw_admin)


def test_inspector_groups_own_department_no_conflicts_and_substitutes(world, tmp_path):
    task, draw = drawn_task(world)
    sw_admin, sc_admin = world.users["sw_admin"], world.users["sc_admin"]
    drawday.confirm(draw, world.water.pk, sw_admin)
    participants = services.participants_lead_first(task)
    with pytest.raises(DrawRuleError, match="各参与部门确认检查对象后"):
        drawday.draw_inspectors(draw, participants[0], sw_admin)
    drawday.confirm(draw, world.market.pk, sc_admin)

    # Half of each department's inspectors declare a relationship with every drawn target.
    targets = [r.target for r in drawday.active_targets(draw)]
    conflicted = list(Inspector.objects.order_by("certificate_no"))[::2]
    with acting(actor_name="测试"):
        Relationship.objects.bulk_create(
            Relationship(inspector=i, target=t, kind=RelationshipKind.OTHER, declared_on=timezone.localdate())
            for i in conflicted
            for t in targets
        )
    conflicts = set(Relationship.objects.values_list("inspector_id", "target_id"))

    draws = {}
    for p in participants:
        admin = sw_admin if p.department_id == world.water.pk else sc_admin
        draws[p.department_id] = drawday.draw_inspectors(draw, p, admin)
    with pytest.raises(DrawRuleError, match="本部门已抽取检查人员"):
        drawday.draw_inspectors(draw, participants[0], sw_admin)
    for department in (world.water, world.market):
        d = draws[department.pk]
        assert (d.kind, d.status, d.department_id, d.target_draw_id) == ("inspectors", "drawn", department.pk, draw.pk)
        assert drawday.shortfalls(d) == []
        rows = list(Assignment.objects.filter(draw=d).select_related("inspector__organisation"))
        assert {r.target_id for r in rows} == {t.pk for t in targets}
        for t in targets:
            group = [r for r in rows if r.target_id == t.pk]
            assert len(group) == task.group_size == len({r.inspector_id for r in group})
        for r in rows:
            org = r.inspector.organisation
            assert department.pk in (org.pk, org.parent_id)  # the department itself or one of its units
            assert not r.is_expert and (r.inspector_id, r.target_id) not in conflicts
        assert verify(d, tmp_path, f"inspectors-{department.pk}")[0] == []

    # 递补抽取 on one target until nobody eligible is left: each time exactly one person
    # changes, nobody replaced ever comes back, the other groups stay as they were.
    d = draws[world.water.pk]
    target = targets[0]
    with pytest.raises(DrawRuleError, match="须填写原因"):
        drawday.substitute_inspector(d, target, Assignment.objects.filter(draw=d).first().inspector, " ", sw_admin)
    others = set(Assignment.objects.filter(draw=d).exclude(target=target).values_list("target_id", "inspector_id"))
    group = list(Assignment.objects.filter(draw=d, target=target).order_by("id"))
    keep, leaving = group[0].inspector, group[1].inspector
    replaced = []
    for n in range(1, 40):
        try:
            row = drawday.substitute_inspector(d, target, leaving, "因病无法参加", sw_admin)
        except DrawRuleError as exc:
            assert "没有符合条件的人员可以递补" in str(exc)
            break
        replaced.append(leaving.pk)
        active = set(
            Assignment.objects.filter(draw=d, target=target, ended_at__isnull=True).values_list(
                "inspector_id", flat=True
            )
        )
        assert active == {keep.pk, row.inspector_id} and row.from_substitution
        assert row.inspector_id not in replaced and (row.inspector_id, target.pk) not in conflicts
        assert row.inspector.organisation_id in (world.water.pk, *world.water.children.values_list("pk", flat=True))
        assert Assignment.objects.filter(draw=d, ended_at__isnull=False).count() == n
        assert DrawResult.objects.filter(draw=d).latest("version").version == n + 1
        leaving = row.inspector
    else:
        pytest.fail("substitutes never ran out")
    assert len(replaced) >= 2
    assert others == set(
        Assignment.objects.filter(draw=d, ended_at__isnull=True)
        .exclude(target=target)
        .values_list("target_id", "inspector_id")
    )
    problems, files = verify(d, tmp_path, "after-substitutes")
    assert problems == []
    events = json.loads(files["result.json"])["assignment"]["events"]
    assert [e["kind"] for e in events] == ["substitute"] * len(replaced)
    assert AuditEntry.objects.filter(action="tasks.substitute", object_id=str(d.pk)).count() == len(replaced)


def test_void_needs_reason_and_another_approver_keeps_the_draw_and_allows_a_new_freeze(world, tmp_path):
    task, draw, inspector_draws = confirmed_with_inspectors(world)
    operator, admin = world.users["sw_operator"], world.users["sw_admin"]
    first_commitment = draw.commitment_sha256
    with pytest.raises(DrawRuleError, match="作废须填写原因"):
        drawday.request_void(draw, "  ", operator)
    request = drawday.request_void(draw, "抽查范围条件设置错误", operator)
    with pytest.raises(DrawRuleError, match="已有待审批的作废申请"):
        drawday.request_void(draw, "再次申请", operator)
    with pytest.raises(DrawRuleError, match="不能审批本人提出的作废申请"):
        drawday.decide_void(request, True, operator)
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    drawday.decide_void(request, True, admin, note="同意")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("approved", admin)

    draw.refresh_from_db()
    assert draw.status == DrawStatus.VOID
    for d in inspector_draws.values():
        d.refresh_from_db()
        assert d.status == DrawStatus.VOID
    assert Draw.objects.filter(task=task).count() == 3  # nothing deleted
    assert DrawnTarget.objects.filter(draw=draw).count() == 15
    assert AuditEntry.objects.filter(action="tasks.void").count() == 3
    problems, files = verify(draw, tmp_path, "void")
    assert problems == []
    latest = drawday.latest_result(draw)
    at = request.decided_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert json.loads(files["void.json"]) == {
        "reason": "抽查范围条件设置错误",
        "result_sha256": latest.result_sha256,
        "at": at,  # spec v1.1 §14: when the void took effect
    }
    # The standard-library verifier a third party runs reports when and why.
    tool = Path(__file__).resolve().parents[2] / "tools" / "verify_draw.py"
    out = subprocess.run([sys.executable, str(tool), str(tmp_path / "void.zip")], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"when: {at}" in out.stdout and "抽查范围条件设置错误" in out.stdout
    with pytest.raises(DrawRuleError, match="已作废"):
        drawday.request_void(draw, "再作废一次", operator)
    with pytest.raises(DrawRuleError):
        drawday.draw_targets(draw, drawday.parse_entropy(DICE), operator)
    draw.status = DrawStatus.DRAWN
    with pytest.raises(ValidationError, match="已作废的抽取不可恢复"):
        draw.save()

    again = drawday.freeze_targets(task, operator)
    assert (again.attempt, again.draw_id, again.status) == (2, f"{task.code}-T2", "frozen")
    assert again.commitment_sha256 != first_commitment
    assert bytes(again.population_csv) == bytes(Draw.objects.get(pk=draw.pk).population_csv)  # same inputs
    drawday.draw_targets(again, drawday.parse_entropy(DICE), operator, witnesses="张三")
    again.refresh_from_db()
    assert again.seed != Draw.objects.get(pk=draw.pk).seed  # same dice, new commitment, new draw


def test_inspector_draws_voided_with_their_target_draw_carry_void_json(world, tmp_path):
    _task, draw, inspector_draws = confirmed_with_inspectors(world)
    request = drawday.request_void(draw, "抽查范围条件设置错误", world.users["sw_operator"])
    drawday.decide_void(request, True, world.users["sw_admin"])
    for d in inspector_draws.values():
        d.refresh_from_db()
        assert d.status == DrawStatus.VOID
        _problems, files = verify(d, tmp_path, f"inspectors-{d.pk}")
        assert "void.json" in files


def test_draw_rows_and_results_refuse_edits_and_deletes(world):
    _task, draw = drawn_task(world)
    draw = Draw.objects.get(pk=draw.pk)
    draw.seed = "0" * 64
    with pytest.raises(ValidationError, match="不可修改（seed）"):
        draw.save()
    draw = Draw.objects.get(pk=draw.pk)
    draw.population_csv = b"id,stratum,weight\n"
    with pytest.raises(ValidationError, match="population_csv"):
        draw.save()
    with pytest.raises(ValidationError, match="不可删除"):
        Draw.objects.get(pk=draw.pk).delete()
    result = DrawResult.objects.get(draw=draw)
    result.reason = "改写"
    with pytest.raises(ValidationError, match="不可修改"):
        result.save()
    with pytest.raises(ValidationError, match="不可删除"):
        DrawResult.objects.get(pk=result.pk).delete()
    stored = Draw.objects.get(pk=draw.pk)
    assert stored.seed == drawday.result_of(stored)["seed"] != "0" * 64
    assert DrawResult.objects.filter(draw=draw).count() == 1


def test_frozen_draw_inputs_refuse_edits(world):
    frozen = drawday.freeze_targets(joint_task(world), world.users["sw_operator"])
    frozen = Draw.objects.get(pk=frozen.pk)
    frozen.population_csv = b"id,stratum,weight\n"
    with pytest.raises(ValidationError):
        frozen.save()
