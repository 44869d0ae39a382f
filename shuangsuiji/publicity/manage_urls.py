from django.urls import path

from shuangsuiji.publicity import views

app_name = "publicity"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("results/<id:pk>/", views.result_detail, name="result"),
    path("results/<id:pk>/publish/", views.result_publish, name="result_publish"),
    path("results/<id:pk>/redactions/", views.result_redact, name="result_redact"),
    path("redactions/<id:pk>/decide/", views.redaction_decide, name="redaction_decide"),
    path("publications/<id:pk>/correct/", views.publication_correct, name="correct"),
    path("publications/<id:pk>/withdraw/", views.publication_withdraw, name="withdraw"),
    path("withdrawals/<id:pk>/decide/", views.withdrawal_decide, name="withdrawal_decide"),
    path("items/publish/", views.items_publish, name="items_publish"),
    path("plans/<id:pk>/publish/", views.plan_publish, name="plan_publish"),
    path("tasks/<id:pk>/publish/", views.task_publish, {"what": "task"}, name="task_publish"),
    path("tasks/<id:pk>/publish-list/", views.task_publish, {"what": "list"}, name="list_publish"),
    path("exports/", views.export_make, name="export_make"),
    path("exports/<id:pk>/gsxt.json", views.export_file, {"name": "gsxt.json"}, name="export_gsxt_json"),
    path("exports/<id:pk>/gsxt.csv", views.export_file, {"name": "gsxt.csv"}, name="export_gsxt_csv"),
    path("exports/<id:pk>/hlw.json", views.export_file, {"name": "hlw.json"}, name="export_hlw_json"),
    path("exports/<id:pk>/hlw.csv", views.export_file, {"name": "hlw.csv"}, name="export_hlw_csv"),
]
