from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from shuangsuiji.accounts.models import User
from shuangsuiji.accounts.scope import get_in_scope_or_404, in_scope, visible_organisations
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.web.pagination import paginate


@login_required
def organisation_list(request):
    qs = visible_organisations(request.user).select_related("region", "department_kind", "parent")
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(region__name__icontains=q))
    if kind in Organisation.Kind.values:
        qs = qs.filter(kind=kind)
    qs = qs.order_by("region__path", "path")
    context = {"q": q, "kind": kind, "kinds": Organisation.Kind.choices, "active_section": "orgs"}
    context.update(paginate(request, qs))
    return render(request, "orgs/organisation_list.html", context)


@login_required
def organisation_detail(request, pk: int):
    org = get_in_scope_or_404(
        request.user, Organisation.objects.select_related("region", "parent", "department_kind"), "", pk=pk
    )
    children = in_scope(request.user, org.children.all(), "").order_by("name")
    users = in_scope(request.user, User.objects.filter(organisation=org), "organisation").prefetch_related(
        "role_grants"
    )
    return render(
        request,
        "orgs/organisation_detail.html",
        {"org": org, "children": children, "users": users.order_by("username"), "active_section": "orgs"},
    )


@login_required
def user_list(request):
    qs = in_scope(request.user, User.objects.select_related("organisation"), "organisation").prefetch_related(
        "role_grants"
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q) | Q(organisation__name__icontains=q))
    context = {"q": q, "active_section": "orgs"}
    context.update(paginate(request, qs.order_by("organisation__path", "username")))
    return render(request, "orgs/user_list.html", context)
