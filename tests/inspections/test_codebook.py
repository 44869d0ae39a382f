"""The result codebook: the 11 categories of issue 13, loaded by a data migration, versioned."""

import pytest

from shuangsuiji.inspections.models import CODEBOOK_VERSION, ResultCode, ResultKind

pytestmark = pytest.mark.django_db


def test_the_2026_codebook_has_the_eleven_categories_in_order():
    labels = list(ResultCode.objects.filter(codebook_version=CODEBOOK_VERSION).values_list("label", flat=True))
    assert labels == [
        "未发现问题",
        "发现问题待后续处理",
        "发现问题经责令已改正",
        "未发现开展本次抽查涉及的经营活动",
        "已关闭停业或正在组织清算",
        "不配合检查情节严重",
        "通过登记的住所（经营场所）无法联系",
        "注销",
        "被吊销",
        "被撤销",
        "迁出",
    ]


def test_non_inspection_outcomes_need_a_note_and_no_items():
    for code in ResultCode.objects.filter(kind=ResultKind.NON_INSPECTION):
        assert code.needs_note and not code.needs_items, code.label
    for code in ResultCode.objects.filter(kind=ResultKind.INSPECTED):
        assert code.needs_items, code.label


def test_register_outcomes_name_the_register_change():
    proposals = dict(ResultCode.objects.exclude(register_field="").values_list("label", "register_value"))
    assert proposals["注销"] == "deregistered"
    assert proposals["被吊销"] == "revoked"
    assert proposals["迁出"] == "moved_out"
    assert proposals["通过登记的住所（经营场所）无法联系"] == "true"


def test_only_the_interim_code_starts_a_follow_up_and_is_not_published():
    interim = ResultCode.objects.get(label="发现问题待后续处理")
    assert interim.starts_follow_up and not interim.publishable
