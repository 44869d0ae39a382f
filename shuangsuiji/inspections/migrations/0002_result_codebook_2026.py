"""The result codebook, version 2026: the 11 categories of issue 13 (anchors/results.md).

kind inspected: the part answers every task item; non_inspection: no item answers, a note.
Non-inspection outcomes that say something about the register propose a change of it.
"""

from django.db import migrations

VERSION = "2026"

# code, label, kind, needs_items, needs_note, found_problem, starts_follow_up, publishable, field, value
CODES = [
    ("01", "未发现问题", "inspected", True, False, False, False, True, "", ""),
    ("02", "发现问题待后续处理", "inspected", True, False, True, True, False, "", ""),
    ("03", "发现问题经责令已改正", "inspected", True, False, True, False, True, "", ""),
    ("04", "未发现开展本次抽查涉及的经营活动", "non_inspection", False, True, False, False, True, "", ""),
    ("05", "已关闭停业或正在组织清算", "non_inspection", False, True, False, False, True, "registration_status", "closed"),
    ("06", "不配合检查情节严重", "non_inspection", False, True, True, True, True, "", ""),
    (
        "07",
        "通过登记的住所（经营场所）无法联系",
        "non_inspection",
        False,
        True,
        True,
        False,
        True,
        "abnormal_operation",
        "true",
    ),
    ("08", "注销", "non_inspection", False, True, False, False, True, "registration_status", "deregistered"),
    ("09", "被吊销", "non_inspection", False, True, False, False, True, "registration_status", "revoked"),
    ("10", "被撤销", "non_inspection", False, True, False, False, True, "registration_status", "cancelled"),
    ("11", "迁出", "non_inspection", False, True, False, False, True, "registration_status", "moved_out"),
]


def load(apps, schema_editor):
    ResultCode = apps.get_model("inspections", "ResultCode")
    for pos, (code, label, kind, items, note, problem, follow, public, field, value) in enumerate(CODES, start=1):
        ResultCode.objects.update_or_create(
            codebook_version=VERSION,
            code=code,
            defaults=dict(
                label=label,
                kind=kind,
                needs_items=items,
                needs_note=note,
                found_problem=problem,
                starts_follow_up=follow,
                publishable=public,
                register_field=field,
                register_value=value,
                position=pos,
            ),
        )


def unload(apps, schema_editor):
    apps.get_model("inspections", "ResultCode").objects.filter(codebook_version=VERSION).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_records")]
    operations = [migrations.RunPython(load, unload)]
