"""Demo reports for the demo county (seed_demo step): every state of submission upward.

Through ``reports.services`` only, relative to today so that the states hold on any day:

- 清河县水务局: this month's monthly report, drafted (the office's lines filled in);
- 清河县市场监督管理局: this quarter's quarterly report, submitted on time (its deadline, the 3rd
  working day of the next quarter, is still ahead);
- 清河县水务局: the quarterly report of the quarter before last, submitted now, i.e. late;
- 清河县自然资源和规划局: this quarter's quarterly report submitted, then resubmitted as
  version 2 with a reason and submitted again;
- 清河县双随机办: the annual statistics table and the joint-task table of 2026, drafted (their
  figures computed live from the demo's results, follow-ups and publications).

The 邢台市 office above sees what arrived from the county office, and the county office
(上级) sees what arrived from its departments and what is late (``services.arrivals``).
Idempotent: nothing is written when the county's reports exist.
"""

from __future__ import annotations

from django.utils import timezone

from shuangsuiji.reports import services, summary
from shuangsuiji.reports.models import Report, ReportKind

YEAR = 2026


def periods(today):
    """(year, month), (year, quarter) of today, and the quarter before last."""
    quarter = (today.month - 1) // 3 + 1
    back = (today.year, quarter - 2) if quarter > 2 else (today.year - 1, quarter + 2)
    return (today.year, today.month), (today.year, quarter), back


def _submit(report, operator, admin):
    services.check(report, operator)
    services.sign_off(report, admin)
    return services.submit(report, operator)


def seed(demo, log) -> None:
    j = demo.jurisdiction
    water, market, land = j.department("water"), j.department("market"), j.department("natural_resources")
    office = j.orgs["county_office"]
    n = summary.rebuild()  # the figures' summary, current whatever the steps before wrote
    log(f"统计汇总：{n['tasks']} 个任务，任务×部门 {n['task_figures']} 行")
    if Report.objects.filter(organisation__in=[water, market, land, office]).exists():
        log("演示报表：已生成，无需重复")
        return
    u = j.users
    (y, m), (qy, q), (by, bq) = periods(timezone.localdate())
    services.create_report(
        water, ReportKind.MONTHLY, y, m, u["sw_operator"],
        {
            "meetings": f"{m}月3日 全县水务系统双随机抽查工作部署会",
            "documents": "《清河县水务局关于开展2026年度双随机抽查的通知》（清水字〔2026〕12号）",
            "training": "水政执法人员双随机抽查业务培训，18人，检查表填写与结果录入",
            "handler": "张丽娜",
            "phone": "0319-8161234",
        },
    )  # fmt: skip
    on_time = services.create_report(
        market, ReportKind.QUARTERLY, qy, q, u["sc_operator"],
        {"summary": "按计划完成本季度双随机抽查，结果已按时公示。", "problems": "个别检查结果录入不及时。",
         "next_steps": "加强结果录入的督促。", "handler": "孙晓明", "phone": "0319-8165678"},
    )  # fmt: skip
    _submit(on_time, u["sc_operator"], u["sc_admin"])
    late = services.create_report(
        water, ReportKind.QUARTERLY, by, bq, u["sw_operator"],
        {"summary": "完成生产建设项目水土保持联合抽查。", "problems": "报送不及时。",
         "next_steps": "按期报送季度报告。", "handler": "张丽娜", "phone": "0319-8161234"},
    )  # fmt: skip
    _submit(late, u["sw_operator"], u["sw_admin"])
    first = services.create_report(
        land, ReportKind.QUARTERLY, qy, q, u["zr_operator"],
        {"summary": "完成耕地保护事项抽查。", "problems": "无。", "next_steps": "继续开展。",
         "handler": "郑凯", "phone": "0319-8169012"},
    )  # fmt: skip
    first = _submit(first, u["zr_operator"], u["zr_admin"])
    second = services.resubmit(first, u["zr_operator"], "工作开展情况漏报一次联合抽查，予以补充")
    second = services.save_entries(
        second, {**second.entered, "summary": "完成耕地保护事项抽查，并参加一次部门联合抽查。"}, u["zr_operator"]
    )
    _submit(second, u["zr_operator"], u["zr_admin"])
    services.create_report(office, ReportKind.ANNUAL, YEAR, 0, u["qh_office"], {"handler": "田婷婷"})
    services.create_report(office, ReportKind.JOINT, YEAR, 0, u["qh_office"], {"handler": "田婷婷"})
    log(
        f"演示报表：{m}月月报（草稿），第{q}季度报告按时报送、第{bq}季度逾期报送、重新报送 1 份，"
        f"{YEAR}年度统计表（草稿）"
    )
