"""A drawn joint task (水务局 lead, 市场监管局 cooperating) with inspectors drawn, and the
demo inspector accounts linked to the inspectors assigned to one target:

- ``sw_inspector`` and a second account ``sw_inspector2`` → 水务局's two inspectors of the target;
- ``sc_inspector`` → one of 市场监管局's inspectors of the target;
- ``sw_admin_inspector``: a 水务局 administrator who is also the first 水务局 inspector's
  account would be impossible (one account per inspector), so the "enterer cannot determine"
  test grants ``sw_inspector`` the 部门系统管理员 role in the department instead.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.services import ensure_user
from shuangsuiji.audit.context import acting
from shuangsuiji.demo.jurisdiction import DEMO_PASSWORD
from shuangsuiji.inspections import services
from shuangsuiji.inspections.demo import sample_answers
from shuangsuiji.inspections.models import ResultCode
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.tasks.models import Assignment
from tests.tasks.helpers import confirmed_with_inspectors, seed_world


def _link(inspector: Inspector, user) -> None:
    Inspector.objects.filter(user=user).exclude(pk=inspector.pk).update(user=None)
    inspector.user = user
    inspector.save()


def code(label: str) -> ResultCode:
    return services.codebook().get(label=label)


def build(demo) -> SimpleNamespace:
    world = seed_world(demo)
    task, draw, idraws = confirmed_with_inspectors(world)
    target = services.drawn_target_draw(task).drawn_targets.filter(replaced_by__isnull=True).first().target
    water = list(
        Assignment.objects.filter(draw=idraws[world.water.pk], target=target, is_expert=False)
        .select_related("inspector")
        .order_by("id")
    )
    market = list(
        Assignment.objects.filter(draw=idraws[world.market.pk], target=target, is_expert=False)
        .select_related("inspector")
        .order_by("id")
    )
    users = world.users
    with acting(actor_name="测试"):
        sw2, _ = ensure_user(
            username="sw_inspector2",
            full_name="陈明",
            organisation=users["sw_inspector"].organisation,
            roles=[Role.INSPECTOR],
            password=DEMO_PASSWORD,
        )
        users["sw_inspector2"] = sw2
        _link(water[0].inspector, users["sw_inspector"])
        _link(water[1].inspector, sw2)
        _link(market[0].inspector, users["sc_inspector"])
    for u in ("sw_inspector", "sw_inspector2", "sc_inspector"):
        users[u].refresh_from_db()
    record = services.open_record(task, target.pk, users["sw_inspector"])
    return SimpleNamespace(
        world=world,
        users=users,
        task=task,
        draw=draw,
        idraws=idraws,
        target=target,
        record=record,
        water=world.water,
        market=world.market,
        water_inspectors=[a.inspector for a in water],
        market_inspectors=[a.inspector for a in market],
        water_item=task.participants.get(department=world.water).items.get(),
        market_item=task.participants.get(department=world.market).items.get(),
    )


def visit(w, day: dt.date | None = None) -> None:
    """Record the visit with every assigned enforcement inspector of the target."""
    services.record_visit(
        w.record,
        services.Visit(
            visit_date=day or timezone.localdate(),
            place=w.target.address,
            inspector_ids=[i.pk for i in w.water_inspectors + w.market_inspectors],
            signature="signed",
            signer=w.target.legal_representative or "负责人",
        ),
        w.users["sw_inspector"],
    )
    w.record.refresh_from_db()


PHOTO = b"\xff\xd8\xff\xe0" + b"0" * 200


def photo(w, user="sw_inspector", department=None):
    ev = services.add_evidence(
        w.record,
        w.users[user],
        name="现场照片.jpg",
        data=PHOTO,
        department_id=(department or w.water).pk,
    )
    return services.evidence_ref(ev)


def answers(task_item, refs, failed=False) -> dict:
    fv = services.form_version_of(task_item)
    return sample_answers(fv, photo_refs=refs, failed=failed) if fv is not None else {}


def water_failed_entry(w, refs=None) -> list[services.ItemEntry]:
    refs = refs if refs is not None else [photo(w)]
    return [
        services.ItemEntry(
            task_item_id=w.water_item.pk,
            method="on_site",
            answers=answers(w.water_item, refs, failed=True),
            outcome="problem",
            problem="水土保持措施未落实：弃渣场未设置拦挡",
            legal_basis="《中华人民共和国水土保持法》第三十八条",
        )
    ]


def water_passed_entry(w, refs=None) -> list[services.ItemEntry]:
    refs = refs if refs is not None else [photo(w)]
    return [
        services.ItemEntry(
            task_item_id=w.water_item.pk, method="on_site", answers=answers(w.water_item, refs), outcome="passed"
        )
    ]


def market_passed_entry(w, refs=None) -> list[services.ItemEntry]:
    refs = refs if refs is not None else [photo(w, "sc_inspector", w.market)]
    return [
        services.ItemEntry(
            task_item_id=w.market_item.pk, method="on_site", answers=answers(w.market_item, refs), outcome="passed"
        )
    ]
