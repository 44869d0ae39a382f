"""seed_demo: one real county with its city and province; idempotent; every role present."""

import pytest
from django.core.management import call_command

from shuangsuiji.accounts.models import Role, RoleGrant, User
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Organisation.objects.count(),
        User.objects.count(),
        RoleGrant.objects.count(),
        AuditEntry.objects.count(),
    )


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = _counts()
    from django.db.models import F
    from django.utils import timezone

    from shuangsuiji.targets.models import LastInspection, RiskClassChange, Target

    earlier = LastInspection.objects.select_related("department")
    assert earlier.count() >= 40  # the determined results of the earlier demo task
    assert {e.department.name for e in earlier} == {"清河县市场监督管理局", "清河县水务局"}
    assert max(e.inspected_on for e in earlier) < timezone.localdate()
    _last_inspections_come_from_determined_results()
    # The demo classification is each target's current one: on the target, no history rows,
    # except where the credit loop (follow-ups, issue 14) reclassified a target.
    looped = Target.objects.filter(credit_consequences__risk_after__gt=F("credit_consequences__risk_before"))
    assert not RiskClassChange.objects.exclude(target__in=looped).exists()
    assert not Target.objects.exclude(risk_source="演示数据：企业信用风险分类结果").exclude(pk__in=looped).exists()
    assert set(Target.objects.exclude(pk__in=looped).values_list("risk_effective_on", flat=True)) == {
        timezone.localdate().replace(month=1, day=1)
    }
    assert looped.filter(risk_class="D").exists()  # the demo's escalated case (立案, 1.5 万元)
    call_command("seed_demo")
    assert _counts() == first  # no new rows, and no new audit entries either
    call_command("audit_verify")
    assert f"OK {first[3]} entries" in capsys.readouterr().out.splitlines()


def test_demo_county_is_real_and_complete(demo):
    assert demo.county.code == "130534" and demo.county.name == "清河县"
    assert demo.county.parent_id == "130500" and demo.city.parent_id == "130000"
    for kind in ("water", "market", "natural_resources"):
        dept = demo.department(kind)
        assert dept.region_id == "130534"
        assert dept.children.filter(is_coordinating_office=True).count() == 1
        assert dept.children.count() >= 4
    assert demo.orgs["county_office"].is_coordinating_office
    held = set(RoleGrant.objects.values_list("role", flat=True))
    assert held == set(Role.values)


def test_region_codes_are_validated(demo):
    from django.core.exceptions import ValidationError

    org = Organisation(name="不存在的局", kind=Organisation.Kind.OFFICE, region_id="999999")
    with pytest.raises(ValidationError, match="region"):
        org.full_clean()


def _last_inspections_come_from_determined_results():
    """No placeholder: every LastInspection is the visit of a determined, inspected part of that
    department for that target; the later task's "not inspected in the last 12 months"
    condition excludes some of them."""
    from django.utils import timezone

    from shuangsuiji.inspections.models import DepartmentPart, PartStatus, ResultKind
    from shuangsuiji.targets.models import LastInspection
    from shuangsuiji.tasks import demo as tasks_demo
    from shuangsuiji.tasks.models import Task
    from shuangsuiji.tasks.population import count_population

    determined = {
        (target_id, dep): day
        for target_id, dep, day in DepartmentPart.objects.filter(
            status=PartStatus.DETERMINED, codes__code__kind=ResultKind.INSPECTED, record__visit_date__isnull=False
        ).values_list("record__target_id", "department_id", "record__visit_date")
    }
    for target_id, dep, day in LastInspection.objects.values_list("target_id", "department_id", "inspected_on"):
        assert determined.get((target_id, dep)) == day, (target_id, dep, day)
    later = Task.objects.get(title=tasks_demo.TITLE)
    assert later.population.get("exclude_inspected_months") == 12
    assert sum(count_population(later, timezone.localdate()).excluded.values()) > 0
