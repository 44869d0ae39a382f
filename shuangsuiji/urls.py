from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import shuangsuiji.converters  # noqa: F401  (registers <id:…> before the apps' URLconfs are included)
from shuangsuiji.api import api
from shuangsuiji.web import pwa
from shuangsuiji.web import views as web_views

admin.site.site_header = "双随机、一公开监管平台 · 系统后台"
admin.site.site_title = "系统后台"
admin.site.index_title = "系统后台管理"

urlpatterns = [
    path("", web_views.home, name="home"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="web_manifest"),
    path("offline/", pwa.offline, name="offline"),
    path("favicon.ico", pwa.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sections/<slug:slug>/", web_views.section_pending, name="section_pending"),
    path("orgs/", include("shuangsuiji.orgs.urls")),
    path("audit/", include("shuangsuiji.audit.urls")),
    path("tags/", include("shuangsuiji.tags.urls")),
    path("items/", include("shuangsuiji.items.urls")),
    path("plans/", include("shuangsuiji.plans.urls")),
    path("tasks/", include("shuangsuiji.tasks.urls")),
    path("printing/", include("shuangsuiji.printing.urls")),
    path("inspections/", include("shuangsuiji.inspections.urls")),
    path("followups/", include("shuangsuiji.followups.urls")),
    path("reports/", include("shuangsuiji.reports.urls")),
    path("targets/", include("shuangsuiji.targets.urls")),
    path("inspectors/", include("shuangsuiji.inspectors.urls")),
    path("imports/", include("shuangsuiji.imports.urls")),
    path("calendar/", include("shuangsuiji.workdays.urls")),
    path("gongshi/", include("shuangsuiji.publicity.urls")),
    path("publicity/", include("shuangsuiji.publicity.manage_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
