from django.urls import path

from shuangsuiji.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.target_list, name="list"),
    path("new/", views.target_edit, name="create"),
    path("<id:pk>/", views.target_detail, name="detail"),
    path("<id:pk>/edit/", views.target_edit, name="edit"),
    path("<id:pk>/risk/", views.target_risk, name="risk"),
]
