from django.urls import path, re_path

from shuangsuiji.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", views.plan_export, name="export"),
    path("new/", views.plan_create, name="create"),
    path("<id:pk>/", views.plan_detail, name="detail"),
    path("<id:pk>/print/", views.plan_print, name="print"),
    path("<id:pk>/edit/", views.plan_edit, name="edit"),
    path("<id:pk>/submit/", views.plan_submit, name="submit"),
    path("<id:pk>/approve/", views.plan_approve, name="approve"),
    path("<id:pk>/return/", views.plan_return, name="return"),
    path("<id:pk>/publish/", views.plan_publish, name="publish"),
    path("<id:pk>/waive/", views.plan_waive, name="waive"),
    path("<id:pk>/adjust/", views.plan_adjust, name="adjust"),
    path("<id:pk>/adjustments/<id:adj_pk>/approve/", views.adjustment_approve, name="adjustment_approve"),
    path("<id:pk>/adjustments/<id:adj_pk>/return/", views.adjustment_return, name="adjustment_return"),
]
