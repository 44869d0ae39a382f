from functools import partial

from django.urls import path

from shuangsuiji.followups import views

app_name = "followups"

ACTIONS = ("step", "close", "transfer", "accept", "return", "reinspect", "reinspection_result", "escalate")

urlpatterns = [
    path("", views.followup_list, name="list"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<id:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("parts/<id:part_pk>/open/", views.part_open, name="open"),
    path("targets/<id:target_pk>/", views.target_credit, name="target"),
    path("targets/<id:target_pk>/objection/", views.objection_file, name="objection"),
    path("objections/<id:objection_pk>/decide/", views.objection_decide, name="objection_decide"),
    path("<id:pk>/", views.followup_detail, name="detail"),
    path("<id:pk>/export/<str:fmt>/", views.followup_export, name="export"),
    *[path(f"<id:pk>/{a}/", partial(views.followup_action, action=a), name=a.replace("_", "-")) for a in ACTIONS],
]
