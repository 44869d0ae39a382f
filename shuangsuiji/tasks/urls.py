from django.urls import path

from shuangsuiji.tasks import index_views, sheet_views, views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_create, name="create"),
    path("<id:pk>/", views.task_detail, name="detail"),
    path("<id:pk>/edit/", views.task_edit, name="edit"),
    path("<id:pk>/preview/", views.task_preview, name="preview"),
    path("<id:pk>/freeze/", views.task_freeze, name="freeze"),
    path("draws/<id:draw_pk>/ceremony/", views.draw_ceremony, name="ceremony"),
    path("draws/<id:draw_pk>/draw/", views.draw_run, name="draw_run"),
    path("draws/<id:draw_pk>/", views.draw_detail, name="draw"),
    path("draws/<id:draw_pk>/targets/", views.sealed_list, name="sealed_list"),
    path("draws/<id:draw_pk>/targets.xlsx", views.sealed_export, name="sealed_export"),
    path("draws/<id:draw_pk>/index/", index_views.index_progress, name="index_progress"),
    path("draws/<id:draw_pk>/bundle.zip", views.draw_bundle, name="bundle"),
    path("draws/<id:draw_pk>/confirm/", views.draw_confirm, name="confirm"),
    path("draws/<id:draw_pk>/report/", views.draw_report, name="report"),
    path("draws/<id:draw_pk>/inspectors/", views.inspectors_draw, name="inspectors_draw"),
    path("draws/<id:draw_pk>/substitute/", views.inspector_substitute, name="substitute"),
    path("draws/<id:draw_pk>/substitute-all/", views.inspector_substitute_all, name="substitute_all"),
    path("draws/<id:draw_pk>/void/", views.void_request, name="void_request"),
    path("voids/<id:void_pk>/decide/", views.void_decide, name="void_decide"),
    path("<id:pk>/sheets/", sheet_views.sheet_list, name="sheets"),
    path("<id:pk>/sheets/<id:target_pk>/", sheet_views.sheet_detail, name="sheet"),
    path("<id:pk>/sheets/<id:target_pk>/pdf/", sheet_views.sheet_pdf, name="sheet_pdf"),
    path("<id:pk>/sheets.pdf", sheet_views.sheets_pdf, name="sheets_pdf"),
]
