"""The check-form library: typed fields, versioning, and answer validation for 一企一表."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shuangsuiji.items import services
from shuangsuiji.items.models import FormField, VersionStatus
from shuangsuiji.items.services import FieldSpec, ItemRuleError, validate_answers

pytestmark = pytest.mark.django_db

FIELDS = [
    FieldSpec("是否编报水土保持方案并经审批", "boolean"),
    FieldSpec("弃土弃渣处置情况", "single_choice", options=["规范", "基本规范", "不规范"]),
    FieldSpec("取水用途", "multiple_choice", required=False, options=["生活", "工业", "农业"]),
    FieldSpec("检查意见", "text", required=False),
    FieldSpec("水土保持补偿费缴纳金额（万元）", "number", required=False),
    FieldSpec("检查日期", "date"),
    FieldSpec("现场照片", "attachment"),
]


@pytest.fixture
def form_version(demo):
    user = demo.users["sw_admin"]
    draft = services.create_form(demo.department("water"), code="F1", name="水土保持检查表", fields=FIELDS, user=user)
    return services.publish_form(draft, user)


GOOD = {"f1": True, "f2": "规范", "f3": ["生活", "工业"], "f4": "", "f5": "12.5", "f6": "2026-03-02", "f7": ["a.jpg"]}


def test_valid_answers_pass(form_version):
    assert validate_answers(form_version, GOOD) == []
    assert validate_answers(form_version, {**GOOD, "f6": dt.date(2026, 3, 2), "f7": "b.jpg", "f5": 3}) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"f1": None}, "「是否编报水土保持方案并经审批」为必填项。"),
        ({"f1": "是"}, "「是否编报水土保持方案并经审批」应为“是”或“否”。"),
        ({"f2": "优秀"}, "「弃土弃渣处置情况」的选项“优秀”不在可选项（规范、基本规范、不规范）中。"),
        ({"f3": ["生活", "渔业"]}, "「取水用途」的选项“渔业”不在可选项（生活、工业、农业）中。"),
        ({"f3": "生活"}, "「取水用途」应为选项列表。"),
        ({"f5": "十万"}, "「水土保持补偿费缴纳金额（万元）」应为数字。"),
        ({"f5": True}, "「水土保持补偿费缴纳金额（万元）」应为数字。"),
        ({"f6": "2026-02-30"}, "「检查日期」应为日期，格式 YYYY-MM-DD。"),
        ({"f7": []}, "「现场照片」为必填项。"),
        ({"f4": "字" * 2001}, "「检查意见」不能超过 2000 个字。"),
        ({"zz": 1}, "未知字段：zz。"),
    ],
)
def test_invalid_answers_are_named(form_version, changes, expected):
    assert expected in validate_answers(form_version, {**GOOD, **changes})


def test_optional_fields_may_be_missing(form_version):
    answers = {k: v for k, v in GOOD.items() if k not in ("f3", "f4", "f5")}
    assert validate_answers(form_version, answers) == []


def test_field_definitions_are_checked(demo):
    user = demo.users["sw_admin"]
    with pytest.raises(ItemRuleError, match="至少需要两个选项"):
        services.create_form(
            demo.department("water"),
            code="F2",
            name="表",
            fields=[FieldSpec("结论", "single_choice", options=["符合"])],
            user=user,
        )
    draft = services.create_form(demo.department("water"), code="F3", name="空表", fields=[], user=user)
    with pytest.raises(ItemRuleError, match="「表格字段」至少填写一个"):
        services.publish_form(draft, user)


def test_published_form_is_immutable_and_edit_makes_a_new_version(demo, form_version):
    user = demo.users["sw_admin"]
    field = FormField.objects.get(form_version=form_version, key="f1")
    field.required = False
    with pytest.raises(ValidationError):
        field.save()
    v2 = services.edit_form(
        form_version.form, name="水土保持检查表（2026）", description="", fields=FIELDS[:3], user=user
    )
    assert (v2.version, v2.status) == (2, VersionStatus.DRAFT)
    form_version.refresh_from_db()
    assert form_version.fields.count() == 7 and form_version.status == VersionStatus.PUBLISHED
    services.publish_form(v2, user)
    form_version.refresh_from_db()
    assert form_version.status == VersionStatus.SUPERSEDED
    assert [v.version for v in services.published_forms(demo.department("water"))] == [2]


def test_form_editing_page_parses_lines(client, demo, login):
    login("sw_admin")
    response = client.post(
        "/items/forms/new/",
        {
            "code": "F9",
            "kind": "custom",
            "name": "取水许可监督检查表",
            "fields_text": "是否持证｜是否｜必填\n计量设施运行状况｜单选｜必填｜正常、故障\n备注｜文本｜选填",
        },
    )
    assert response.status_code == 302
    fields = FormField.objects.filter(form_version__form__code="F9").order_by("position")
    assert [(f.field_type, f.required, f.options) for f in fields] == [
        ("boolean", True, []),
        ("single_choice", True, ["正常", "故障"]),
        ("text", False, []),
    ]
    bad = client.post("/items/forms/new/", {"code": "F10", "kind": "custom", "name": "x", "fields_text": "字段｜颜色"})
    assert "类型“颜色”无效" in bad.content.decode()
