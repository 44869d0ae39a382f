"""The hook the results app calls when a part is determined: the rules of its result codes
(不配合检查情节严重 → at least C; 无法联系 → flag; 未发现问题 → a clean inspection), once."""

from __future__ import annotations

import pytest

from shuangsuiji.followups import services
from shuangsuiji.followups.models import CreditConsequence
from tests.followups.helpers import determined_part, world_with_task


@pytest.mark.django_db
def test_result_code_rules(demo):
    world = world_with_task(demo)
    sw = world.users["sw_admin"]
    drawn = [d.target for d in world.draw.drawn_targets.filter(replaced_by__isnull=True).order_by("position")]
    a_or_b = next(t for t in drawn if t.risk_class in "AB")
    others = [t for t in drawn if t != a_or_b]
    refused = determined_part(world, world.water, a_or_b, code="06")
    services.on_part_determined(refused, sw)
    services.on_part_determined(refused, sw)  # once per rule and record
    a_or_b.refresh_from_db()
    assert a_or_b.risk_class == "C" and "R04" in a_or_b.risk_source
    assert CreditConsequence.objects.filter(part=refused).count() == 1

    gone = determined_part(world, world.water, others[0], code="07")
    services.on_part_determined(gone, sw)
    [c] = CreditConsequence.objects.filter(part=gone)
    assert c.flag == "住所无法联系" and c.risk_before == c.risk_after

    clean = determined_part(world, world.water, others[1], code="01")
    services.on_part_determined(clean, sw)
    [c] = CreditConsequence.objects.filter(part=clean)
    assert c.counts_clean and not c.moved_stratum
