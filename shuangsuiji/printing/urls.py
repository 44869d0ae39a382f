from django.urls import path

from shuangsuiji.printing import views

app_name = "printing"
urlpatterns = [
    path("tasks/<id:pk>/", views.start, name="start"),
    path("jobs/<id:pk>/", views.job_detail, name="job"),
    path("jobs/<id:pk>/download/", views.download, name="download"),
]
