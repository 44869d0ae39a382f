from django.urls import path

from shuangsuiji.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("<id:pk>/", views.organisation_detail, name="detail"),
    path("users/", views.user_list, name="users"),
]
