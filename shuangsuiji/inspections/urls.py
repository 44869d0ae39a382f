from django.urls import path

from shuangsuiji.inspections import views

app_name = "inspections"
urlpatterns = [
    path("", views.work_list, name="home"),
    path("tasks/<id:task_pk>/targets/<id:target_pk>/", views.record_page, name="record"),
    path("tasks/<id:task_pk>/targets/<id:target_pk>/visit/", views.record_visit, name="visit"),
    path("tasks/<id:task_pk>/targets/<id:target_pk>/summary/", views.summary, name="summary"),
    path("tasks/<id:task_pk>/targets/<id:target_pk>/parts/<id:dept_pk>/", views.part_entry, name="entry"),
    path(
        "tasks/<id:task_pk>/targets/<id:target_pk>/parts/<id:dept_pk>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("parts/<id:pk>/", views.part_detail, name="part"),
    path("parts/<id:pk>/<slug:action>/", views.part_action, name="part_action"),
    path("evidence/<id:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<id:pk>/thumb/", views.evidence_thumb, name="evidence_thumb"),
    path("register-changes/", views.proposals, name="proposals"),
    path("register-changes/<id:pk>/decide/", views.proposal_decide, name="proposal_decide"),
]
