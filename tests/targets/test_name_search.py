"""Searching the register by part of a name: any case, any position, wildcards taken
literally, and on PostgreSQL served by the trigram index on the plain name column."""

import pytest
from django.db import connection

from shuangsuiji.targets.models import Target
from shuangsuiji.targets.queries import TargetFilter
from tests.targets.helpers import GOOD_USCC

pytestmark = pytest.mark.django_db

NAMES = ["清河县ABC羊绒制品有限公司", "邢台市华美100%纯棉厂", "河北华美_制品有限公司"]


@pytest.fixture
def targets():
    for code, name in zip(GOOD_USCC, NAMES, strict=False):
        Target.objects.create(code=code, uscc=code, name=name, target_type="enterprise", region_id="130534")


def found(q: str) -> list[str]:
    return sorted(TargetFilter(q=q).apply(Target.objects.all()).values_list("name", flat=True))


def test_part_of_a_name_in_any_case(targets):
    assert found("abc羊绒") == [NAMES[0]]
    assert found("华美") == sorted(NAMES[1:])
    assert found("100%") == [NAMES[1]]  # % and _ are letters here, not wildcards
    assert found("华美_") == [NAMES[2]]
    assert found("不存在") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_the_search_can_use_the_trigram_index(targets):
    qs = TargetFilter(q="羊绒制品").apply(Target.objects.order_by())
    with connection.cursor() as cur:  # a table of three rows: forbid the plans that need no index
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        plan = qs.explain()
    assert "target_name_trgm_idx" in plan and "ILIKE" in plan.replace("~~*", "ILIKE"), plan
