from django.urls import path

from shuangsuiji.imports import views

app_name = "imports"
urlpatterns = [
    path("<slug:kind>/upload/", views.upload, name="upload"),
    path("<slug:kind>/template.<slug:fmt>", views.import_template, name="template"),
    path("jobs/<id:pk>/", views.job_detail, name="job"),
    path("jobs/<id:pk>/errors.xlsx", views.error_report, name="errors"),
]
