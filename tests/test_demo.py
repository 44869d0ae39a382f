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


def test_seed_demo_is_idempotent(capsys, client):
    call_command("seed_demo")
    first = _counts()
    _the_portal_shows_results(client)
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
    # the demo's escalated case (立案, 1.5 万元): its business is in class D through the loop's
    # rule (whatever class it had before: a business already in D stays there, not "moved")
    from decimal import Decimal

    from shuangsuiji.followups.models import FollowUp

    case = FollowUp.objects.get(type__code="04", fine_wan=Decimal("1.5"))
    escalated = Target.objects.get(pk=case.part.record.target_id)
    assert escalated.risk_class == "D"
    assert escalated.credit_consequences.filter(followup=case, risk_after="D").exists()
    _reports_in_every_state()
    call_command("seed_demo")
    assert _counts() == first  # no new rows, and no new audit entries either
    call_command("audit_verify")
    assert f"OK {first[3]} entries" in capsys.readouterr().out.splitlines()


def _reports_in_every_state():
    """The demo's reports (reports.demo): this month's monthly report drafted, a quarterly
    report submitted on time, one late, one resubmitted, the 2026 annual table computed, and the
    county office's view of what arrived and what is late."""
    from django.utils import timezone

    from shuangsuiji.reports import demo as reports_demo
    from shuangsuiji.reports import services
    from shuangsuiji.reports.models import Report, ReportStatus

    (y, m), (qy, q), (by, bq) = reports_demo.periods(timezone.localdate())
    monthly = Report.objects.get(organisation__name="清河县水务局", kind="monthly", year=y, period=m)
    assert monthly.status == ReportStatus.DRAFT and monthly.entered["meetings"]
    on_time = Report.objects.get(organisation__name="清河县市场监督管理局", kind="quarterly", year=qy, period=q)
    late = Report.objects.get(organisation__name="清河县水务局", kind="quarterly", year=by, period=bq)
    assert on_time.status == late.status == ReportStatus.SUBMITTED
    assert services.late_days(on_time) == 0 and services.late_days(late) > 0
    v1, v2 = Report.objects.filter(organisation__name="清河县自然资源和规划局", kind="quarterly").order_by("version")
    assert (v2.version, v2.supersedes_id, v2.status) == (2, v1.pk, ReportStatus.SUBMITTED) and v2.reason
    assert v1.status == ReportStatus.SUBMITTED and v1.entered["summary"] != v2.entered["summary"]
    annual = Report.objects.get(organisation__name="清河县双随机一公开工作领导小组办公室", kind="annual", year=2026)
    row = services.live_figures(annual)["rows"]["county_joint"]
    assert row["batches"] == 1 and row["targets"] > 0 and row["cases"] >= 1  # the demo's drawn joint task
    office = annual.organisation
    arrived = {r["organisation"].name: r for r in services.arrivals(office, "quarterly", qy, q)}
    assert arrived["清河县市场监督管理局"]["report"] == on_time and arrived["清河县水务局"]["report"] is None
    assert arrived["清河县自然资源和规划局"]["report"] == v2
    behind = {r["organisation"].name: r for r in services.arrivals(office, "quarterly", by, bq)}
    assert behind["清河县水务局"]["report"] == late and behind["清河县水务局"]["late"] > 0
    assert behind["清河县市场监督管理局"]["report"] is None and behind["清河县市场监督管理局"]["late"] > 0


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


def _the_portal_shows_results(client):
    """一公开 of the demo: the results task and its list published (unsealed); a business with
    both departments' results and a correction beside the original; results published late;
    市场监管局's queue with one result due in at most 3 working days and one overdue."""
    from shuangsuiji.inspections.demo import TITLE
    from shuangsuiji.publicity import results
    from shuangsuiji.publicity.models import Kind, Publication
    from shuangsuiji.tasks.models import Task

    task = Task.objects.get(title=TITLE)
    assert task.published_at is not None
    pubs = Publication.objects.filter(kind=Kind.RESULT, task=task)
    assert pubs.filter(late=True).exists() and pubs.filter(late=False).exists()
    correction = pubs.get(corrects__isnull=False)
    assert correction.part.supersedes_id == correction.corrects.part_id  # the part versions, linked
    target = correction.part.record.target
    assert pubs.filter(part__record__target=target).values("department").distinct().count() == 2
    page = client.get(f"/gongshi/businesses/{target.pk}/").content.decode()
    for text in ("清河县水务局", "清河县市场监督管理局", "更正第 2 版", "已有更正"):
        assert text in page, text
    market = Publication.objects.filter(kind=Kind.RESULT, department__name="清河县市场监督管理局").first().department
    queue = results.queue(market)
    assert any(e.state == "待公开" and 0 <= e.days_left <= 3 for e in queue)
    assert any(e.overdue for e in queue)


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
