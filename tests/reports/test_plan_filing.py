"""Plan filing (报备) with the office above, and the "late" mark of a plan published after its
deadline (2026's plans were due at the end of February; these are published today)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from shuangsuiji.reports import filings, supervision
from shuangsuiji.reports.services import ReportRuleError
from tests.plans.helpers import published_plan, seed_items


@pytest.mark.django_db
def test_filing_and_late_mark(demo, client, login):
    seed_items(demo)
    plan = published_plan(demo)
    assert filings.published_late(plan)
    with pytest.raises(PermissionDenied):
        filings.file_plan(plan, demo.users["sc_admin"])  # another department's plan
    login("sw_admin")
    assert plan in filings.fileable_plans(demo.users["sw_admin"])
    client.post("/reports/filings/", {"plan": str(plan.pk), "note": "按期报备"})
    filing = filings.PlanFiling.objects.get()
    assert (filing.office, filing.filed_by) == (demo.orgs["county_office"], demo.users["sw_admin"])
    with pytest.raises(ReportRuleError, match="已报备"):
        filings.file_plan(plan, demo.users["sw_admin"])
    assert client.post("/reports/filings/", {"plan": "x"}).status_code == 302  # a message, no 500

    login("qh_office")
    page = client.get("/reports/filings/").content.decode()
    assert plan.title in page and "逾期发布" in page and "按期报备" in page
    late = supervision.late_published_plans(demo.users["qh_supervisor"])
    assert [r["plan"].pk for r in late] == [plan.pk] and late[0]["late"] > 100
