from django.urls import path

from shuangsuiji.inspectors import views

app_name = "inspectors"
urlpatterns = [
    path("", views.inspector_list, name="list"),
    path("new/", views.inspector_edit, name="create"),
    path("<id:pk>/", views.inspector_detail, name="detail"),
    path("<id:pk>/edit/", views.inspector_edit, name="edit"),
    path("<id:pk>/training/", views.add_training, name="training"),
    path("<id:pk>/leave/", views.add_leave, name="leave"),
    path("<id:pk>/relationships/", views.add_relationship, name="relationship"),
    path("<id:pk>/training/<id:record_id>/void/", views.void_training, name="training_void"),
    path("<id:pk>/leave/<id:record_id>/end/", views.end_leave, name="leave_end"),
    path("<id:pk>/leave/<id:record_id>/cancel/", views.cancel_leave, name="leave_cancel"),
    path("<id:pk>/relationships/<id:record_id>/withdraw/", views.withdraw_relationship, name="relationship_withdraw"),
]
