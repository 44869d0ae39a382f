"""The immutability guard reads the stored row before a save; the audit trail's "before" is
taken from that same read (one read of the row per save, not two) and says what it said when
it read the row itself."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.audit.services import snapshot
from shuangsuiji.plans.models import Plan
from tests.plans.helpers import department_plan, seed_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(demo):
    seed_items(demo)
    return department_plan(demo)


def _reads_of_the_row(queries, table: str) -> int:
    return sum(1 for q in queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])


def test_a_guarded_tracked_save_reads_its_row_once_and_records_the_same_before(plan):
    stored = snapshot(Plan.objects.get(pk=plan.pk))
    old_title = plan.title
    plan.title = "改过的计划名称"
    with CaptureQueriesContext(connection) as q:
        plan.save()
    assert _reads_of_the_row(q.captured_queries, Plan._meta.db_table) == 1
    entry = AuditEntry.objects.filter(object_type="plans.plan", object_id=str(plan.pk)).order_by("-seq").first()
    assert entry.action == "update"
    assert entry.before == {"title": old_title} and entry.after == {"title": "改过的计划名称"}
    assert stored["title"] == old_title
    assert "_immutability_stored" not in plan.__dict__  # this save's read only


def test_a_save_of_some_fields_reads_the_whole_row_for_the_trail(plan):
    old_title = plan.title
    plan.title = "只存名称"
    with CaptureQueriesContext(connection) as q:
        plan.save(update_fields=["title"])
    # the guard read the title only: the trail reads the row itself, as before
    assert _reads_of_the_row(q.captured_queries, Plan._meta.db_table) == 2
    entry = AuditEntry.objects.filter(object_type="plans.plan", object_id=str(plan.pk)).order_by("-seq").first()
    assert entry.before == {"title": old_title} and entry.after == {"title": "只存名称"}
