"""Consistency rules of a submission: 未发现问题 with a failed item is refused naming the
item; non-inspection outcomes need a note and no item answers; the visit needs 2 enforcement
inspectors with certificates valid that day; answers are checked against the check form."""

import datetime as dt

import pytest

from shuangsuiji.inspections import services
from shuangsuiji.inspections.models import PartStatus, RegisterChangeProposal
from shuangsuiji.targets.models import Target
from tests.inspections.helpers import build, code, photo, visit, water_failed_entry, water_passed_entry

pytestmark = pytest.mark.django_db


def test_no_problem_with_a_failed_item_is_refused_naming_the_item(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=water_failed_entry(w))
    with pytest.raises(services.ResultRuleError) as exc:
        services.submit(w.record, w.water.pk, sw)
    name = w.water_item.item_version.name
    assert f"检查结果为“未发现问题”，但事项「{name}」发现问题。" in exc.value.messages


def test_no_problem_cannot_be_combined_with_a_problem_code(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    codes = [code("未发现问题").pk, code("发现问题经责令已改正").pk]
    services.save_draft(w.record, w.water.pk, sw, code_ids=codes, items=water_failed_entry(w))
    with pytest.raises(services.ResultRuleError, match="不能与发现问题的结果同时选择"):
        services.submit(w.record, w.water.pk, sw)


def test_non_inspection_needs_a_note_and_no_items(demo):
    w = build(demo)
    sw = w.users["sw_inspector"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("注销").pk], items=water_passed_entry(w))
    with pytest.raises(services.ResultRuleError) as exc:
        services.submit(w.record, w.water.pk, sw)
    assert any("须填写情况说明" in m for m in exc.value.messages)
    assert any("未能实施检查时不填写" in m for m in exc.value.messages)
    # with a note and without item answers (and no visit needed): accepted
    part = services.current_part(w.record, w.water.pk)
    part.item_results.all().delete()
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("注销").pk], note="经查询登记机关，该项目单位已注销")
    part = services.submit(w.record, w.water.pk, sw)
    part = services.determine(part, w.users["sw_admin"])
    proposal = RegisterChangeProposal.objects.get(part=part)
    assert (proposal.field, proposal.value, proposal.status) == ("registration_status", "deregistered", "proposed")
    # the register keepers apply it: the target changes, with its history
    services.decide_proposal(proposal, w.users["sw_admin"], True, "已核实")
    target = Target.objects.get(pk=w.target.pk)
    assert target.registration_status == "deregistered"
    assert target.changes.filter(action="update").first().after == {"registration_status": "deregistered"}


def test_a_failed_item_needs_the_problem_and_its_legal_basis(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    entries = water_failed_entry(w)
    entries[0].legal_basis = ""
    entries[0].problem = ""
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("发现问题待后续处理").pk], items=entries)
    with pytest.raises(services.ResultRuleError) as exc:
        services.submit(w.record, w.water.pk, sw)
    name = w.water_item.item_version.name
    assert f"事项「{name}」：发现问题时须描述问题。" in exc.value.messages
    assert f"事项「{name}」：发现问题时须填写问题的法律依据。" in exc.value.messages


def test_a_method_outside_the_task_items_methods_is_refused(demo):
    w = build(demo)
    entries = water_passed_entry(w)
    entries[0].method = "online"
    with pytest.raises(services.ResultRuleError, match="不是本任务规定的方式"):
        services.save_draft(w.record, w.water.pk, w.users["sw_inspector"], code_ids=[], items=entries)


def test_the_visit_needs_two_enforcement_inspectors_with_valid_certificates(demo):
    w = build(demo)
    sw = w.users["sw_inspector"]
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=water_passed_entry(w))
    one = services.Visit(
        visit_date=dt.date.today(), inspector_ids=[w.water_inspectors[0].pk], signature="signed", signer="张三"
    )
    services.record_visit(w.record, one, sw)
    with pytest.raises(services.ResultRuleError, match="至少 2 名执法检查人员"):
        services.submit(w.record, w.water.pk, sw)
    expired = w.water_inspectors[1]
    expired.cert_valid_to = dt.date.today() - dt.timedelta(days=1)
    expired.save()
    two = services.Visit(
        visit_date=dt.date.today(), inspector_ids=[i.pk for i in w.water_inspectors], signature="signed", signer="张三"
    )
    with pytest.raises(services.ResultRuleError, match="不在有效期内"):
        services.record_visit(w.record, two, sw)
    refused = services.Visit(visit_date=dt.date.today(), inspector_ids=[w.water_inspectors[0].pk], signature="refused")
    with pytest.raises(services.ResultRuleError, match="须记录见证人"):
        services.record_visit(w.record, refused, sw)


def test_answers_are_validated_by_the_check_form(demo):
    w = build(demo)
    visit(w)
    sw = w.users["sw_inspector"]
    entries = water_passed_entry(w, refs=["evidence:999999"])
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=entries)
    with pytest.raises(services.ResultRuleError) as exc:
        services.submit(w.record, w.water.pk, sw)
    assert any("不是本部门为本记录上传的材料" in m for m in exc.value.messages)
    entries = water_passed_entry(w, refs=[photo(w)])
    entries[0].answers = {}
    services.save_draft(w.record, w.water.pk, sw, code_ids=[code("未发现问题").pk], items=entries)
    with pytest.raises(services.ResultRuleError, match="为必填项"):
        services.submit(w.record, w.water.pk, sw)
    assert services.current_part(w.record, w.water.pk).status == PartStatus.DRAFT
