from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from shuangsuiji.accounts.scope import visible_organisations
from shuangsuiji.web.navigation import HOME_TITLES, SECTIONS_BY_SLUG
from shuangsuiji.workdays import deadlines
from shuangsuiji.workdays.services import PROVISIONAL_NOTE, WorkdayCalendar, deadline


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    calendar = WorkdayCalendar(provisional=True)
    today_is_workday = calendar.is_workday(today)
    result_deadline = deadline(today, 20)
    context = {
        "title": HOME_TITLES.get(user.primary_role, "工作台"),
        "role": user.primary_role or "",
        "today": today,
        "today_is_workday": today_is_workday,
        "result_deadline": result_deadline.day,
        "result_deadline_provisional": result_deadline.provisional,
        "provisional_note": PROVISIONAL_NOTE,
        "calendar_reminder": deadlines.reminder(user, today),
        "deadline_notices": deadlines.notices_for(user),
        "org_count": visible_organisations(user).count(),
    }
    return render(request, "web/home.html", context)


@login_required
def section_pending(request, slug: str):
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None or section.ready:
        raise Http404("没有这个栏目。")
    return render(request, "web/pending.html", {"section": section})
