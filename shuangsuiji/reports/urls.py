from django.urls import path, re_path

from shuangsuiji.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("form/", views.report_form, name="form"),
    re_path(r"^form\.(?P<fmt>xlsx|pdf)$", views.report_form, name="form_file"),
    path("incoming/", views.incoming, name="incoming"),
    path("supervision/", views.supervision_page, name="supervision"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("dashboard/drill/", views.dashboard_drill, name="drill"),
    path("filings/", views.filings, name="filings"),
    path("revisits/", views.revisit_list, name="revisits"),
    path("revisits/<id:pk>/", views.revisit_detail, name="revisit"),
    path("revisits/<id:pk>/draw/", views.revisit_draw, name="revisit_draw"),
    path("revisits/<id:pk>/finding/", views.revisit_finding, name="revisit_finding"),
    path("revisits/<id:pk>/bundle.zip", views.revisit_bundle, name="revisit_bundle"),
    path("<id:pk>/", views.report_detail, name="detail"),
    path("<id:pk>/report.xlsx", views.report_file, {"fmt": "xlsx"}, name="xlsx"),
    path("<id:pk>/report.pdf", views.report_file, {"fmt": "pdf"}, name="pdf"),
    path("<id:pk>/save/", views.report_save, name="save"),
    path("<id:pk>/check/", views.report_check, name="check"),
    path("<id:pk>/sign/", views.report_sign, name="sign"),
    path("<id:pk>/submit/", views.report_submit, name="submit"),
    path("<id:pk>/resubmit/", views.report_resubmit, name="resubmit"),
]
