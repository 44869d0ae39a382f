from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from shuangsuiji.tags.models import Tag
from shuangsuiji.web.pagination import paginate


@login_required
def tag_list(request):
    qs = Tag.objects.select_related("parent")
    q = request.GET.get("q", "").strip()
    scope = request.GET.get("scope", "")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if scope in Tag.Scope.values:
        qs = qs.filter(scope=scope)
    context = {"q": q, "scope": scope, "scopes": Tag.Scope.choices, "active_section": "tags"}
    context.update(paginate(request, qs.order_by("path"), per_page=100))
    return render(request, "tags/tag_list.html", context)
