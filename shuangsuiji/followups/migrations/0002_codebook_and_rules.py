"""The follow-up type codebook, version 2026 (issue 14's list), and the default credit rules
(version 1 of each, with the reasons the seeds give)."""

from decimal import Decimal

from django.db import migrations

VERSION = "2026"

# code, label, kind, due workdays, rectify workdays, rectify deadline?, case?, text?, receiver?
TYPES = [
    ("00", "无需后续处置", "none", 0, None, False, False, False, False),
    ("01", "行政指导（教育、建议、提醒）", "guidance", 20, None, False, False, False, False),
    ("02", "责令改正", "rectify", 20, 10, True, False, False, False),
    ("03", "发现案件线索，移送办案机构", "case", 20, None, False, False, False, False),
    ("04", "立案", "case", 20, None, False, True, False, False),
    ("05", "移送其他部门", "transfer", 20, None, False, False, False, True),
    ("06", "移送公安司法机关", "external", 20, None, False, False, True, False),
    ("07", "列入经营异常名录", "listing", 20, None, False, False, False, False),
    ("08", "列入严重违法失信名单", "listing", 20, None, False, False, False, False),
    ("09", "抄告相关部门", "transfer", 20, None, False, False, False, True),
    ("10", "反馈日常监管部门", "guidance", 20, None, False, False, False, False),
    ("11", "其他", "other", 20, None, False, False, True, False),
]

# key, title, trigger, code, min fine, floor, months, weight, flag, abnormal, clean, reason
RULES = [
    (
        "R01",
        "列入严重违法失信名单",
        "followup_type",
        "08",
        None,
        "D",
        None,
        None,
        "",
        False,
        False,
        "列入严重违法失信名单的市场主体为高风险（D 类），实施重点监管（国发〔2019〕5号、004 第十二条）。",
    ),
    (
        "R02",
        "立案并处罚款",
        "case_fine",
        "",
        Decimal("0.0001"),
        "C",
        12,
        None,
        "",
        False,
        False,
        "受到行政处罚的市场主体纳入信用记录（004 第十二条）；12 个月内信用风险分类不低于 C 类。",
    ),
    (
        "R03",
        "复查仍不合格后立案（拒不整改）",
        "refused_rectify",
        "",
        None,
        "D",
        None,
        None,
        "",
        False,
        False,
        "抽查发现问题拒不整改、整改不到位的，视情节列入失信黑名单（004 第十二条，001、003）：D 类。",
    ),
    (
        "R04",
        "不配合检查情节严重",
        "result_code",
        "06",
        None,
        "C",
        12,
        None,
        "",
        False,
        False,
        "不配合检查情节严重的，依法处理并纳入信用记录（002 §四（四））；信用风险分类不低于 C 类。",
    ),
    (
        "R05",
        "通过登记的住所无法联系",
        "result_code",
        "07",
        None,
        "",
        None,
        None,
        "住所无法联系",
        True,
        False,
        "通过登记的住所（经营场所）无法联系的，标记并建议列入经营异常名录（企业信息公示暂行条例第十七条）。",
    ),
    (
        "R06",
        "未发现问题",
        "result_code",
        "01",
        None,
        "",
        None,
        None,
        "",
        False,
        True,
        "对守信市场主体降低抽查比例和频次（国发〔2019〕5号）：计入无问题检查次数。",
    ),
    (
        "R07",
        "责令改正（有违法记录）",
        "followup_type",
        "02",
        None,
        "",
        12,
        2,
        "",
        False,
        False,
        "对有违法失信记录的市场主体加大抽查频次（国发〔2019〕5号）：12 个月内抽取权重 2。",
    ),
]


def load(apps, schema_editor):
    FollowUpType = apps.get_model("followups", "FollowUpType")
    for pos, (code, label, kind, due, rect, rd, case, text, recv) in enumerate(TYPES, start=1):
        FollowUpType.objects.update_or_create(
            codebook_version=VERSION,
            code=code,
            defaults=dict(
                label=label,
                kind=kind,
                due_workdays=due,
                rectify_workdays=rect,
                needs_rectify_deadline=rd,
                needs_case=case,
                needs_text=text,
                needs_receiver=recv,
                position=pos,
            ),
        )
    CreditRule = apps.get_model("followups", "CreditRule")
    for key, title, trigger, code, fine, floor, months, weight, flag, abnormal, clean, reason in RULES:
        if CreditRule.objects.filter(key=key).exists():
            continue
        CreditRule.objects.create(
            key=key,
            version=1,
            title=title,
            trigger=trigger,
            trigger_code=code,
            min_fine_wan=fine,
            risk_floor=floor,
            months=months,
            weight=weight,
            flag=flag,
            proposes_abnormal=abnormal,
            counts_clean=clean,
            reason=reason,
        )


def unload(apps, schema_editor):
    apps.get_model("followups", "FollowUpType").objects.filter(codebook_version=VERSION).delete()
    apps.get_model("followups", "CreditRule").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("followups", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
