from django.urls import path

from shuangsuiji.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("<id:seq>/", views.entry_detail, name="detail"),
]
