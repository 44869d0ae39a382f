"""A re-sent offline submission (same client_request_id) is stored once; a determined part is
frozen and corrected by a new version with a reason, both readable; evidence checks."""

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import DepartmentPart, ItemResult, PartEvent, PartStatus
from tests.inspections.helpers import build, code, visit, water_failed_entry, water_passed_entry

pytestmark = pytest.mark.django_db


def test_a_resent_submission_is_stored_once(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    codes = [code("发现问题待后续处理").pk]
    entries = water_failed_entry(w)
    first = services.save_draft(w.record, w.water.pk, sw, code_ids=codes, items=entries, client_request_id="u-1")
    again = services.save_draft(w.record, w.water.pk, sw, code_ids=codes, items=entries, client_request_id="u-1")
    assert first.pk == again.pk
    s1 = services.submit(w.record, w.water.pk, sw, client_request_id="u-1")
    s2 = services.submit(w.record, w.water.pk, sw, client_request_id="u-1")
    assert s1.pk == s2.pk and s2.status == PartStatus.SUBMITTED
    assert list(PartEvent.objects.values_list("action", flat=True)) == ["save", "submit"]


def test_a_resent_submission_by_page_is_stored_once(demo, client):
    w = build(demo)
    visit(w)
    client.force_login(w.users["sw_inspector"])
    ti = w.water_item
    data = {"client_request_id": "offline-42", "action": "submit", "codes": [str(code("未发现问题").pk)], "note": ""}
    for e in water_passed_entry(w):
        p = f"i{ti.pk}_"
        data.update({p + "method": e.method, p + "outcome": e.outcome})
        for k, v in e.answers.items():
            data[f"{p}f_{k}"] = ("yes" if v else "no") if isinstance(v, bool) else v
    url = f"/inspections/tasks/{w.task.pk}/targets/{w.target.pk}/parts/{w.water.pk}/"
    r1 = client.post(url, data)
    r2 = client.post(url, data)
    assert r1.status_code == r2.status_code == 302
    assert DepartmentPart.objects.get().status == PartStatus.SUBMITTED
    assert PartEvent.objects.filter(action="submit").count() == 1


def test_a_correction_is_a_new_version_and_both_stay(demo):
    w = build(demo)
    visit(w)
    sw, admin = w.users["sw_inspector"], w.users["sw_admin"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=water_passed_entry(w))
    v1 = services.determine(services.submit(w.record, w.water.pk, sw), admin)
    # frozen: neither the part nor its rows change or go
    v1.note = "改"
    with pytest.raises(ValidationError):
        v1.save()
    row = ItemResult.objects.get(part=v1)
    row.outcome = "problem"
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(services.ResultRuleError, match="更正原因"):
        services.start_correction(v1, sw, "")
    v2 = services.start_correction(v1, sw, "复核发现弃渣场拦挡缺失，结果录入有误")
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    v2 = services.submit_correction(v2, sw)
    v2 = services.determine(v2, admin)
    v1.refresh_from_db()
    assert (v1.version, v1.status, v2.version, v2.status) == (1, "superseded", 2, "determined")
    assert v2.supersedes_id == v1.pk and v2.correction_reason.startswith("复核发现")
    assert [c.code.label for c in v1.codes.all()] == ["未发现问题"]
    assert [c.code.label for c in v2.codes.all()] == ["发现问题待后续处理"]


def test_evidence_types_and_limits_are_checked_naming_the_file(demo):
    w = build(demo)
    sw = w.users["sw_inspector"]
    with pytest.raises(services.ResultRuleError, match=r"文件「说明\.exe」的类型不允许"):
        services.add_evidence(w.record, sw, name="说明.exe", data=b"MZ..", department_id=w.water.pk)
    with pytest.raises(services.ResultRuleError, match=r"文件「照片\.jpg」的内容与扩展名 \.jpg 不符"):
        services.add_evidence(w.record, sw, name="照片.jpg", data=b"%PDF-1.4", department_id=w.water.pk)
    big = b"%PDF-" + b"0" * services.MAX_EVIDENCE_BYTES
    with pytest.raises(services.ResultRuleError, match=r"文件「大\.pdf」过大.*不超过 20 MB"):
        services.add_evidence(w.record, sw, name="大.pdf", data=big, department_id=w.water.pk)
    ev = services.add_evidence(w.record, sw, name="记录.pdf", data=b"%PDF-1.4 x", department_id=w.water.pk)
    assert (ev.size, ev.content_type, len(ev.sha256)) == (10, "application/pdf", 64)
    with pytest.raises(services.ResultRuleError):
        services.add_evidence(w.record, w.users["sc_inspector"], name="a.pdf", data=b"%PDF-1", department_id=w.water.pk)


def test_progress_counts_a_record_once_while_its_correction_is_open(demo):
    """The determined version and its open correction are one record entered, submitted and
    determined, through the draft, the submitted correction and its determination."""
    w = build(demo)
    visit(w)
    sw, admin = w.users["sw_inspector"], w.users["sw_admin"]

    def water():
        r = {r.participant.department_id: r for r in services.progress(w.task)}[w.water.pk]
        return r.entered, r.submitted, r.determined, r.due

    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=water_passed_entry(w))
    v1 = services.determine(services.submit(w.record, w.water.pk, sw), admin)
    assert water() == (1, 1, 1, 1)
    v2 = services.start_correction(v1, sw, "复核发现弃渣场拦挡缺失，结果录入有误")
    assert (
        DepartmentPart.objects.filter(record=w.record, department_id=w.water.pk).exclude(status="superseded").count()
        == 2
    )
    assert water() == (1, 1, 1, 1)
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=water_failed_entry(w))
    v2 = services.submit_correction(v2, sw)
    assert water() == (1, 1, 1, 1)
    services.determine(v2, admin)
    assert water() == (1, 1, 1, 1)
    sc = {r.participant.department_id: r for r in services.progress(w.task)}[w.market.pk]
    assert (sc.entered, sc.submitted, sc.determined) == (0, 0, 0)
