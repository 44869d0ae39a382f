"""Revisit sampling (回访抽取, seed 003): the supervising office draws a random sample of the
businesses inspected in a year in its region, with the draw engine (spec v1: freeze with a
commitment, public entropy, bundle that ``tools/verify_draw.py`` verifies), then records
whether each revisit confirmed the determined result.

Population: every target with a determined result (current version) of a task of that year
whose department lies in the office's region subtree; one stratum ``ALL``; ids = target codes.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.draw import (
    Candidate,
    Commitment,
    DrawError,
    DrawParams,
    Entropy,
    Frame,
    StratumRule,
    freeze,
    new_server_secret,
    server_secret_hash,
    write_bundle,
)
from shuangsuiji.draw.bundle import compute
from shuangsuiji.draw.params import parse_ratio
from shuangsuiji.inspections.models import DepartmentPart, PartStatus
from shuangsuiji.reports import access
from shuangsuiji.reports.models import RevisitDraw, RevisitFinding
from shuangsuiji.reports.services import ReportRuleError
from shuangsuiji.targets.models import Target


def _b(v) -> bytes:
    return bytes(v) if v is not None else b""


def population(office, year: int) -> list[str]:
    codes = (
        DepartmentPart.objects.filter(
            status=PartStatus.DETERMINED,
            record__task__year=year,
            department__region__path__startswith=office.region.path,
        )
        .values_list("record__target__code", flat=True)
        .distinct()
    )
    return sorted(set(codes), key=lambda c: c.encode())


def freeze_revisit(office, year, ratio: str, minimum, user) -> RevisitDraw:
    if user is not None:
        access.require(access.can_revisit(user, office))
    try:
        year = int(year)
        minimum = int(minimum)
    except (TypeError, ValueError):
        raise ReportRuleError("年度和最少回访户数须为整数。") from None
    if not 2000 <= year <= 2100 or not 0 <= minimum <= 100000:
        raise ReportRuleError("年度须在 2000–2100 之间，最少回访户数须为 0–100000。")
    ratio = (ratio or "").strip()
    try:
        parse_ratio(ratio)
    except DrawError:
        raise ReportRuleError("回访比例须为 0–1 之间的小数（如 0.1）或分数（如 1/10）。") from None
    codes = population(office, year)
    if not codes:
        raise ReportRuleError(f"{year}年度本地区没有已认定检查结果的检查对象，无法抽取回访对象。")
    n = RevisitDraw.objects.filter(office=office, year=year).count() + 1
    params = DrawParams(
        draw_id=f"{office.region_id}-{year}-R{n}",
        strata={"ALL": StratumRule(ratio, min=minimum, max=None, reserves=0)},
        meta={"kind": "revisit", "office": office.name, "year": str(year)},
    )
    secret = new_server_secret()
    try:
        c = freeze([Candidate(code, "ALL") for code in codes], [], params, server_secret_hash(secret))
    except DrawError as exc:
        raise ReportRuleError(f"冻结失败：{exc}") from exc
    try:
        with transaction.atomic(), acting(actor=user, action="reports.revisit_freeze"):
            draw = RevisitDraw.objects.create(
                office=office,
                year=year,
                draw_id=c.draw_id,
                ratio=ratio,
                minimum=minimum,
                population_csv=c.files["population.csv"],
                exclusions_csv=c.files["exclusions.csv"],
                params_json=c.files["params.json"],
                commitment_json=c.files["commitment.json"],
                commitment_sha256=c.sha256,
                server_secret=secret.hex(),
                population_count=len(codes),
                frozen_by=user,
            )
    except IntegrityError as exc:
        raise ReportRuleError("抽取编号冲突（可能刚被他人冻结），请重试。") from exc
    return draw


def _commitment(draw: RevisitDraw) -> Commitment:
    files = {
        "population.csv": _b(draw.population_csv),
        "exclusions.csv": _b(draw.exclusions_csv),
        "params.json": _b(draw.params_json),
        "commitment.json": _b(draw.commitment_json),
    }
    c = Commitment.from_json(json.loads(files["commitment.json"]))
    if c.sha256 != draw.commitment_sha256:
        raise ReportRuleError("回访抽取的承诺值与冻结时公布的不一致，不能抽取。")
    object.__setattr__(c, "files", files)
    object.__setattr__(c, "frame", Frame.from_frozen_csv(files["population.csv"], c.population_sha256))
    return c


def draw_revisit(draw: RevisitDraw, public, user, witnesses: str = "") -> RevisitDraw:
    """Enter the public entropy (``tasks.drawday.parse_entropy`` entries) and draw; stores the bundle."""
    if user is not None:
        access.require(access.can_revisit(user, draw.office))
    if draw.status != RevisitDraw.Status.FROZEN:
        raise ReportRuleError("该回访抽取已完成，不能重复抽取。")
    from shuangsuiji.tasks.drawday import DrawRuleError, require_minimum

    try:
        require_minimum(list(public))  # the ceremony's minimum holds for every draw
    except DrawRuleError as exc:
        raise ReportRuleError(str(exc)) from exc
    c = _commitment(draw)
    entropy = Entropy(server_secret=bytes.fromhex(draw.server_secret), public=public)
    params = DrawParams.from_json(json.loads(_b(draw.params_json)))
    seed, targets, _none = compute(c, entropy, params, c.frame)
    with tempfile.TemporaryDirectory(prefix="ssj-revisit-") as d:
        path = os.path.join(d, "bundle")
        result = write_bundle(path, c, entropy, targets)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name in sorted(os.listdir(path)):
                info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(os.path.join(path, name), "rb") as f:
                    z.writestr(info, f.read())
    with transaction.atomic():
        n = RevisitDraw.objects.filter(pk=draw.pk, status=RevisitDraw.Status.FROZEN).update(
            status=RevisitDraw.Status.DRAWN,
            entropy_json=entropy.canonical_json(),
            result_json=result,
            bundle_zip=buf.getvalue(),
            selected=targets.selected_ids(),
            drawn_at=timezone.now(),
            drawn_by=user,
            witnesses=(witnesses or "")[:300],
        )
        if n != 1:
            raise ReportRuleError("该回访抽取已由他人完成。")
        draw.refresh_from_db()
        with acting(actor=user):
            record(
                action="reports.revisit_draw",
                obj=draw,
                after={"draw_id": draw.draw_id, "selected": len(draw.selected), "seed": seed.hex()},
            )
    return draw


def sampled_targets(draw: RevisitDraw) -> list[Target]:
    by_code = {t.code: t for t in Target.objects.filter(code__in=draw.selected)}
    return [by_code[c] for c in draw.selected if c in by_code]


def record_finding(draw: RevisitDraw, target_id, confirmed: bool, note: str, user) -> RevisitFinding:
    if user is not None:
        access.require(access.can_revisit(user, draw.office))
    target = Target.objects.filter(pk=target_id, code__in=draw.selected or []).first()
    if target is None:
        raise ReportRuleError("该检查对象不在本次回访抽取的名单中。")
    note = (note or "").strip()[:500]
    if not confirmed and not note:
        raise ReportRuleError("回访与检查结果不符时须填写回访情况。")
    if RevisitFinding.objects.filter(revisit=draw, target=target).exists():
        raise ReportRuleError("该检查对象的回访结果已记录，不可修改。")
    with transaction.atomic(), acting(actor=user, action="reports.revisit_finding"):
        return RevisitFinding.objects.create(
            revisit=draw, target=target, confirmed=confirmed, note=note, recorded_by=user
        )


def confirmed_share(office, year: int | None = None) -> tuple[int, int]:
    """(confirmed, recorded) revisit findings of the office (the dashboard's share confirmed)."""
    qs = RevisitFinding.objects.filter(revisit__office=office)
    if year is not None:
        qs = qs.filter(revisit__year=year)
    return qs.filter(confirmed=True).count(), qs.count()
