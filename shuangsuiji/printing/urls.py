from django.urls import path

from shuangsuiji.printing import views

app_name = "printing"
urlpatterns = [
    path("tasks/<int:pk>/", views.start, name="start"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/download/", views.download, name="download"),
]
