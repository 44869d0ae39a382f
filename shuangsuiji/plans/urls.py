from django.urls import path, re_path

from shuangsuiji.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", views.plan_export, name="export"),
    path("new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/print/", views.plan_print, name="print"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/approve/", views.plan_approve, name="approve"),
    path("<int:pk>/return/", views.plan_return, name="return"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/waive/", views.plan_waive, name="waive"),
    path("<int:pk>/adjust/", views.plan_adjust, name="adjust"),
    path("<int:pk>/adjustments/<int:adj_pk>/approve/", views.adjustment_approve, name="adjustment_approve"),
    path("<int:pk>/adjustments/<int:adj_pk>/return/", views.adjustment_return, name="adjustment_return"),
]
