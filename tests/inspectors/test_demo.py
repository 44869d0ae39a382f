"""The demo step: 65 people per county department, deterministic and idempotent."""

from types import SimpleNamespace

import pytest

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.demo import inspectors as demo_inspectors
from shuangsuiji.inspectors.models import Inspector, LeavePeriod, Relationship, TrainingRecord
from tests.inspectors.helpers import make_target

pytestmark = pytest.mark.django_db


def test_seed_is_complete_and_idempotent(demo):
    for n in range(8):
        make_target(code=f"91130534MA0CXXXX{n:02d}", name=f"演示对象{n}")
    holder = SimpleNamespace(jurisdiction=demo)
    with acting(actor_name="测试"):
        demo_inspectors.seed(holder, lambda *_: None)
    for key in ("water", "market", "natural_resources"):
        dept = demo.department(key)
        people = Inspector.objects.filter(organisation__path__startswith=dept.path)
        assert people.count() >= 60
        assert people.filter(is_expert=True).count() == 5
        assert people.exclude(organisation=dept).count() == 60  # enforcement staff sit in the units
    assert Inspector.objects.filter(certificate_no="13053410001").exists()
    assert TrainingRecord.objects.count() > 0.8 * Inspector.objects.count()
    assert LeavePeriod.objects.count() == 9
    assert Relationship.objects.count() == 6
    assert all(i.specialties.exists() for i in Inspector.objects.prefetch_related("specialties"))

    snapshot = (Inspector.objects.count(), TrainingRecord.objects.count(), AuditEntry.objects.count())
    with acting(actor_name="测试"):
        demo_inspectors.seed(holder, lambda *_: None)
    assert (Inspector.objects.count(), TrainingRecord.objects.count(), AuditEntry.objects.count()) == snapshot
