"""The credit rule table: shipped defaults with reasons; only the platform administrator
edits; each edit is a new version (the old one kept) and an audit entry with the reason."""

from __future__ import annotations

import pytest

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.followups import credit
from shuangsuiji.followups.models import CreditRule


@pytest.mark.django_db
def test_defaults_are_shipped_with_reasons():
    rules = {r.key: r for r in credit.current_rules()}
    assert rules["R01"].risk_floor == "D" and rules["R03"].risk_floor == "D"
    assert rules["R02"].risk_floor == "C" and rules["R02"].months == 12
    assert rules["R04"].trigger_code == "06" and rules["R04"].risk_floor == "C"
    assert rules["R05"].flag == "住所无法联系" and rules["R05"].proposes_abnormal
    assert rules["R06"].counts_clean and rules["R07"].weight == 2
    assert all(r.reason for r in rules.values())


@pytest.mark.django_db
def test_only_the_platform_admin_edits_and_each_edit_is_a_version(demo, client):
    client.force_login(demo.users["sw_admin"])
    r02 = CreditRule.objects.get(key="R02", version=1)
    assert client.post(f"/followups/rules/{r02.pk}/edit/", {"months": "24", "reason": "x"}).status_code == 403
    client.force_login(demo.users["admin"])
    client.post(f"/followups/rules/{r02.pk}/edit/", {"months": "24", "reason": ""})
    assert not CreditRule.objects.filter(key="R02", version=2).exists()  # a reason is required
    client.post(f"/followups/rules/{r02.pk}/edit/", {"months": "abc", "reason": "延长"})
    assert not CreditRule.objects.filter(key="R02", version=2).exists()
    r = client.post(
        f"/followups/rules/{r02.pk}/edit/",
        {"months": "24", "risk_floor": "C", "weight": "", "reason": "市级文件要求 24 个月"},
    )
    assert r.status_code == 302
    new = CreditRule.objects.get(key="R02", superseded_at__isnull=True)
    assert new.version == 2 and new.months == 24 and new.reason == r02.reason
    r02.refresh_from_db()
    assert r02.superseded_at is not None and r02.months == 12  # the old version kept as it was
    entry = AuditEntry.objects.filter(action="followups.rule_edit").order_by("-seq").first()
    assert entry is not None and entry.reason == "市级文件要求 24 个月"
    page = client.get("/followups/rules/").content.decode()
    assert "已替代" in page and "24 个月" in page
