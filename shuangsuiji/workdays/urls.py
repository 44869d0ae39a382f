from django.urls import path

from shuangsuiji.workdays import views

app_name = "workdays"
urlpatterns = [path("", views.calendar_view, name="calendar")]
