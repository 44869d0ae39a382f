"""Report workflow (报送): draft → checked → signed off → submitted to the office above.

A submitted version is frozen with the figures it was submitted with; a resubmission is a
new version (``supersedes``) with a reason, drafted again from the entries of the last one.
Deadlines on the official working-day calendar (``shuangsuiji.workdays``):

- monthly report of month M: by the 20th of month M+1 (seed 000: "每月20日前");
- quarterly report of quarter Q: by the 3rd working day of the first month of the next quarter;
- the annual tables: no deadline in the seeds (none shown, never late).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.reports import access, annex
from shuangsuiji.reports.models import Report, ReportKind, ReportStatus
from shuangsuiji.rules import RuleError
from shuangsuiji.workdays.services import CalendarDataMissing, WorkdayCalendar

ENTRY_FIELDS = {
    ReportKind.MONTHLY: (
        ("meetings", "本月召开会议部署随机抽查工作情况（会议时间及名称）"),
        ("documents", "本月印发双随机工作文件情况（文件名称及文号）"),
        ("training", "本月组织双随机抽查业务培训情况（培训名称、培训人员数量及内容）"),
        ("handler", "填表人"),
        ("phone", "联系电话"),
    ),
    ReportKind.QUARTERLY: (
        ("summary", "工作开展情况"),
        ("problems", "存在的问题"),
        ("next_steps", "下一步工作打算"),
        ("handler", "填表人"),
        ("phone", "联系电话"),
    ),
    ReportKind.ANNUAL: (("handler", "经办人"), ("phone", "联系电话")),
    ReportKind.JOINT: (
        ("answered", "现场解答疑难问题（户）"),
        ("handler", "经办人"),
        ("phone", "联系电话"),
    ),
}
INTEGER_FIELDS = {"answered"}


class ReportRuleError(RuleError):
    """A workflow rule; the message is Chinese."""


def check_period(kind: str, year, period) -> tuple[int, int]:
    """``(year, period)`` as integers, or a Chinese error naming the field."""
    if kind not in ReportKind.values:
        raise ReportRuleError("报表类别不存在。")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ReportRuleError("年度须为四位数字。") from None
    if not 2000 <= year <= 2100:
        raise ReportRuleError("年度须在 2000–2100 之间。")
    if kind in (ReportKind.ANNUAL, ReportKind.JOINT):
        return year, 0
    try:
        period = int(period)
    except (TypeError, ValueError):
        period = -1
    top = 12 if kind == ReportKind.MONTHLY else 4
    if not 1 <= period <= top:
        raise ReportRuleError("月份须为 1–12。" if kind == ReportKind.MONTHLY else "季度须为 1–4。")
    return year, period


def due_date(kind: str, year: int, period: int) -> dt.date | None:
    if kind == ReportKind.MONTHLY:
        y, m = (year + 1, 1) if period == 12 else (year, period + 1)
        return dt.date(y, m, 20)
    if kind == ReportKind.QUARTERLY:
        y, m = (year + 1, 1) if period == 4 else (year, period * 3 + 1)
        first = dt.date(y, m, 1)
        try:
            return WorkdayCalendar(provisional=True).add_workdays(first - dt.timedelta(days=1), 3)
        except CalendarDataMissing:
            return None
    return None


def recipient_of(org: Organisation) -> Organisation | None:
    """The office above: for a department, its region's 双随机办 (the leading group's office);
    for an office, the 双随机办 of the region above."""
    region_id = org.region_id if org.kind != Organisation.Kind.OFFICE else org.region.parent_id
    if region_id is None:
        return None
    return (
        Organisation.objects.filter(
            region_id=region_id, kind=Organisation.Kind.OFFICE, is_coordinating_office=True, is_active=True
        )
        .order_by("pk")
        .first()
    )


def workdays_late(due: dt.date | None, done: dt.date | None, today: dt.date) -> int:
    """Working days past ``due``: until ``done`` (submitted), or until today when not done."""
    if due is None:
        return 0
    end = done or today
    if end <= due:
        return 0
    try:
        return WorkdayCalendar(provisional=True).workdays_between(due, end)
    except CalendarDataMissing:
        return (end - due).days


def late_days(report: Report, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    done = timezone.localdate(report.submitted_at) if report.submitted_at else None
    return workdays_late(report.due_on, done, today)


def clean_entries(kind: str, data) -> dict:
    out, errors = {}, []
    for name, label in ENTRY_FIELDS[kind]:
        value = str(data.get(name, "") or "").strip()
        if len(value) > 2000:
            errors.append(f"“{label}”不能超过 2000 字。")
        if name in INTEGER_FIELDS and value:
            if not value.isdigit() or len(value) > 9:
                errors.append(f"“{label}”须为非负整数。")
            else:
                value = str(int(value))
        out[name] = value
    if errors:
        raise ReportRuleError(errors)
    return out


def live_figures(report: Report) -> dict:
    if report.is_frozen:
        return report.figures
    return annex.compute(report.kind, report.organisation, report.year, report.period)


def form_of(report: Report) -> annex.AnnexForm:
    filled = timezone.localdate(report.submitted_at) if report.submitted_at else timezone.localdate()
    return annex.layout(
        report.kind, report.organisation, report.year, report.period, live_figures(report), report.entered, filled
    )


def _locked(report: Report) -> Report:
    return Report.objects.select_for_update().select_related("organisation", "organisation__region").get(pk=report.pk)


@transaction.atomic
def create_report(org: Organisation, kind: str, year, period, user, entered=None) -> Report:
    if user is not None:
        access.require(access.can_edit(user, org))
    year, period = check_period(kind, year, period)
    existing = Report.objects.filter(organisation=org, kind=kind, year=year, period=period)
    if existing.exists():
        raise ReportRuleError("本期报表已存在；已报送的报表如需更正请重新报送。")
    with acting(actor=user, action="reports.create"):
        report = Report.objects.create(
            organisation=org,
            recipient=recipient_of(org),
            kind=kind,
            year=year,
            period=period,
            entered=clean_entries(kind, entered or {}),
            due_on=due_date(kind, year, period),
            created_by=user,
        )
    return report


@transaction.atomic
def save_entries(report: Report, data, user) -> Report:
    report = _locked(report)
    if user is not None:
        access.require(access.can_edit(user, report.organisation))
    if report.status == ReportStatus.SUBMITTED:
        raise ReportRuleError("已报送的报表不可修改；如需更正，请重新报送。")
    report.entered = clean_entries(report.kind, data)
    report.status = ReportStatus.DRAFT  # a change after checking or signing needs them again
    report.checked_at = report.checked_by = report.signed_at = report.signed_by = None
    with acting(actor=user, action="reports.save"):
        report.save()
    return report


def _move(report, user, frm, to, action, message, **fields) -> Report:
    if report.status != frm:
        raise ReportRuleError(message)
    report.status = to
    for k, v in fields.items():
        setattr(report, k, v)
    with acting(actor=user, action=action):
        report.save()
    return report


@transaction.atomic
def check(report: Report, user) -> Report:
    report = _locked(report)
    if user is not None:
        access.require(access.can_edit(user, report.organisation))
    return _move(
        report, user, ReportStatus.DRAFT, ReportStatus.CHECKED, "reports.check", "只有草稿可以审核。",
        checked_at=timezone.now(), checked_by=user,
    )  # fmt: skip


@transaction.atomic
def sign_off(report: Report, user) -> Report:
    report = _locked(report)
    if user is not None:
        access.require(access.can_sign(user, report.organisation))
    return _move(
        report, user, ReportStatus.CHECKED, ReportStatus.SIGNED, "reports.sign", "只有已审核的报表可以签发。",
        signed_at=timezone.now(), signed_by=user,
    )  # fmt: skip


@transaction.atomic
def submit(report: Report, user) -> Report:
    """Freezes the figures as they are now and sends the report to the office above."""
    report = _locked(report)
    if user is not None:
        access.require(access.can_edit(user, report.organisation))
    if report.recipient_id is None:
        raise ReportRuleError("未找到上级双随机办，无法报送。")
    figures = annex.compute(report.kind, report.organisation, report.year, report.period)
    return _move(
        report, user, ReportStatus.SIGNED, ReportStatus.SUBMITTED, "reports.submit", "只有已签发的报表可以报送。",
        submitted_at=timezone.now(), submitted_by=user, figures=figures,
    )  # fmt: skip


@transaction.atomic
def resubmit(report: Report, user, reason: str) -> Report:
    """A new draft version of a submitted report, with the reason; the old one stays as it was."""
    report = _locked(report)
    if user is not None:
        access.require(access.can_edit(user, report.organisation))
    reason = (reason or "").strip()
    if not reason:
        raise ReportRuleError("重新报送须填写原因。")
    if len(reason) > 500:
        raise ReportRuleError("重新报送原因不能超过 500 字。")
    if report.status != ReportStatus.SUBMITTED:
        raise ReportRuleError("只有已报送的报表可以重新报送；未报送的版本请直接修改。")
    latest = (
        Report.objects.filter(
            organisation=report.organisation, kind=report.kind, year=report.year, period=report.period
        )
        .order_by("-version")
        .first()
    )
    if latest.pk != report.pk:
        raise ReportRuleError("该报表已有更新的版本。")
    with acting(actor=user, action="reports.resubmit", reason=reason):
        new = Report.objects.create(
            organisation=report.organisation,
            recipient=recipient_of(report.organisation),
            kind=report.kind,
            year=report.year,
            period=report.period,
            version=report.version + 1,
            supersedes=report,
            reason=reason,
            entered=dict(report.entered),
            due_on=report.due_on,
            created_by=user,
        )
    return new


def current_versions(qs):
    """The newest version of each report in ``qs`` (organisation, kind, year, period)."""
    from django.db.models import Max, OuterRef, Subquery

    newest = (
        Report.objects.filter(
            organisation=OuterRef("organisation"),
            kind=OuterRef("kind"),
            year=OuterRef("year"),
            period=OuterRef("period"),
        )
        .values("organisation")
        .annotate(v=Max("version"))
        .values("v")
    )
    return qs.filter(version=Subquery(newest))


def latest_submitted(org_ids, kind, year, period):
    """The newest submitted version per organisation (what the office above counts)."""
    rows = Report.objects.filter(
        organisation_id__in=org_ids, kind=kind, year=year, period=period, status=ReportStatus.SUBMITTED
    ).order_by("organisation_id", "-version")
    out = {}
    for r in rows:
        out.setdefault(r.organisation_id, r)
    return out


def arrivals(office: Organisation, kind: str, year: int, period: int, today: dt.date | None = None) -> list[dict]:
    """What the office above sees: every organisation that reports to it, with the newest
    submitted version (or none yet), the deadline and the working days late; and the
    aggregate of the submitted figures (``aggregate``)."""
    today = today or timezone.localdate()
    senders = [
        o
        for o in Organisation.objects.filter(is_active=True)
        .filter(kind__in=(Organisation.Kind.OFFICE, Organisation.Kind.DEPARTMENT))
        .filter(region__path__startswith=office.region.path)
        .exclude(pk=office.pk)
        .select_related("region")
        if _reports_to(o, office)
    ]
    submitted = latest_submitted([o.pk for o in senders], kind, year, period)
    due = due_date(kind, year, period)
    out = []
    for o in senders:
        r = submitted.get(o.pk)
        done = timezone.localdate(r.submitted_at) if r else None
        out.append({"organisation": o, "report": r, "due_on": due, "late": workdays_late(due, done, today)})
    return out


def _reports_to(org: Organisation, office: Organisation) -> bool:
    target = recipient_of(org)
    return target is not None and target.pk == office.pk


def aggregate(rows: list[dict]) -> dict:
    return annex.add_up([row["report"].figures for row in rows if row["report"] is not None])


def record_read(report: Report, user, what: str) -> None:
    record(action=f"reports.{what}", obj=report)
