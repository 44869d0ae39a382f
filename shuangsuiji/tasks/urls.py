from django.urls import path

from shuangsuiji.tasks import sheet_views, views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create, name="create"),
    path("<int:pk>/", views.task_detail, name="detail"),
    path("<int:pk>/edit/", views.task_edit, name="edit"),
    path("<int:pk>/preview/", views.task_preview, name="preview"),
    path("<int:pk>/freeze/", views.task_freeze, name="freeze"),
    path("draws/<int:draw_pk>/ceremony/", views.draw_ceremony, name="ceremony"),
    path("draws/<int:draw_pk>/draw/", views.draw_run, name="draw_run"),
    path("draws/<int:draw_pk>/", views.draw_detail, name="draw"),
    path("draws/<int:draw_pk>/targets/", views.sealed_list, name="sealed_list"),
    path("draws/<int:draw_pk>/targets.xlsx", views.sealed_export, name="sealed_export"),
    path("draws/<int:draw_pk>/bundle.zip", views.draw_bundle, name="bundle"),
    path("draws/<int:draw_pk>/confirm/", views.draw_confirm, name="confirm"),
    path("draws/<int:draw_pk>/report/", views.draw_report, name="report"),
    path("draws/<int:draw_pk>/inspectors/", views.inspectors_draw, name="inspectors_draw"),
    path("draws/<int:draw_pk>/substitute/", views.inspector_substitute, name="substitute"),
    path("draws/<int:draw_pk>/void/", views.void_request, name="void_request"),
    path("voids/<int:void_pk>/decide/", views.void_decide, name="void_decide"),
    path("<int:pk>/sheets/", sheet_views.sheet_list, name="sheets"),
    path("<int:pk>/sheets/<int:target_pk>/", sheet_views.sheet_detail, name="sheet"),
    path("<int:pk>/sheets/<int:target_pk>/pdf/", sheet_views.sheet_pdf, name="sheet_pdf"),
    path("<int:pk>/sheets.pdf", sheet_views.sheets_pdf, name="sheets_pdf"),
]
