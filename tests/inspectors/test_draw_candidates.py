"""draw_candidates: the plain data the draw engine's Inspector is built from."""

from dataclasses import fields
from datetime import date

import pytest

from shuangsuiji.draw import Inspector as DrawInspector
from shuangsuiji.inspectors.models import LeavePeriod, Relationship, TrainingRecord
from shuangsuiji.inspectors.services import draw_candidates
from tests.inspectors.helpers import make_inspector, make_target, specialty

pytestmark = pytest.mark.django_db

WINDOW = (date(2026, 12, 1), date(2026, 12, 15))


@pytest.fixture
def register(demo):
    water = demo.department("water")
    unit = demo.unit("water", "水政监察大队")
    ok = make_inspector(unit, no="13053410001", name="张伟", cert_valid_from=date(2024, 1, 1))
    expired = make_inspector(unit, no="13053410002", name="王芳", valid_to=date(2026, 12, 10))
    away = make_inspector(water, no="13053410003", name="李娜")
    expert = make_inspector(water, no="ZJ13053410061", name="赵强", is_expert=True, is_active=False)
    make_inspector(demo.department("market"), no="13053420001", name="刘洋")  # other department
    tag = specialty()
    ok.specialties.add(tag)
    TrainingRecord.objects.create(inspector=ok, course="执法资格培训", completed_on=date(2025, 5, 1))
    TrainingRecord.objects.create(inspector=away, course="执法资格培训", completed_on=date(2026, 12, 5))  # too late
    LeavePeriod.objects.create(inspector=away, start=date(2026, 11, 25), end=date(2026, 12, 2), reason="年休假")
    LeavePeriod.objects.create(inspector=away, start=date(2026, 1, 1), end=date(2026, 1, 9), reason="病假")
    target = make_target()
    Relationship.objects.create(inspector=ok, target=target, kind="kinship", declared_on=date(2026, 1, 5))
    return {"ok": ok, "expired": expired, "away": away, "expert": expert, "target": target, "tag": tag}


def test_keys_are_exactly_the_engines_fields(demo, register):
    out = draw_candidates(demo.department("water"), WINDOW)
    engine_fields = {f.name for f in fields(DrawInspector)}
    assert all(set(d) == engine_fields for d in out)
    built = [DrawInspector(**d) for d in out]  # the caller builds the engine's input directly
    assert [i.id for i in built] == ["13053410001", "13053410002", "13053410003", "ZJ13053410061"]


def test_values(demo, register):
    water = demo.department("water")
    by_id = {d["id"]: d for d in draw_candidates(water, WINDOW)}
    assert "13053420001" not in by_id  # only the department's subtree
    ok = by_id["13053410001"]
    assert ok["department"] == str(water.pk)  # a unit's inspector counts for its department
    assert ok["cert_valid_from"] == "2024-01-01" and ok["cert_valid_to"] == "2028-12-31"
    assert ok["trained"] is True and ok["leave"] == ()
    assert ok["specialties"] == {"specialty-soil-water"}
    assert ok["conflicts"] == {register["target"].code}
    assert ok["active"] is True and ok["is_expert"] is False
    assert ok["workload"] == 0 and ok["last_inspected"] == set()

    expired = by_id["13053410002"]
    assert expired["cert_valid_to"] == "2026-12-10" and expired["cert_valid_from"] is None
    assert expired["trained"] is False  # no training record

    away = by_id["13053410003"]
    assert away["leave"] == (("2026-11-25", "2026-12-02"),)  # only the period overlapping the window
    assert away["trained"] is False  # trained after the window starts does not count

    expert = by_id["ZJ13053410061"]
    assert expert["is_expert"] is True and expert["active"] is False


def test_engine_eligibility_follows_the_register(demo, register):
    """Feed the output to the engine: only the valid, trained, present inspector qualifies."""
    from shuangsuiji.draw import AssignmentParams, DepartmentRequirement, assign_inspectors

    water = str(demo.department("water").pk)
    inspectors = [DrawInspector(**d) for d in draw_candidates(demo.department("water"), WINDOW)]
    params = AssignmentParams(
        departments={water: DepartmentRequirement(g=1, experts=0, specialties=set())},
        window_from=WINDOW[0].isoformat(),
        window_to=WINDOW[1].isoformat(),
        cap=None,
        rotation=False,
    )
    result = assign_inspectors(["OTHER-TARGET", register["target"].code], inspectors, params, b"\x01" * 32)
    groups = {g.target: g.inspectors for g in result.groups}
    assert groups["OTHER-TARGET"] == ("13053410001",) or list(groups["OTHER-TARGET"]) == ["13053410001"]
    assert register["target"].code not in groups  # recusal: the only eligible one declared a conflict
    assert [s.target for s in result.shortfalls] == [register["target"].code]


def test_window_must_be_ordered(demo):
    with pytest.raises(ValueError):
        draw_candidates(demo.department("water"), (date(2026, 12, 2), date(2026, 12, 1)))
