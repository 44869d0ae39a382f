from django.urls import path

from shuangsuiji.inspectors import views

app_name = "inspectors"
urlpatterns = [
    path("", views.inspector_list, name="list"),
    path("new/", views.inspector_edit, name="create"),
    path("<int:pk>/", views.inspector_detail, name="detail"),
    path("<int:pk>/edit/", views.inspector_edit, name="edit"),
    path("<int:pk>/training/", views.add_training, name="training"),
    path("<int:pk>/leave/", views.add_leave, name="leave"),
    path("<int:pk>/relationships/", views.add_relationship, name="relationship"),
    path("<int:pk>/training/<int:record_id>/void/", views.void_training, name="training_void"),
    path("<int:pk>/leave/<int:record_id>/end/", views.end_leave, name="leave_end"),
    path("<int:pk>/leave/<int:record_id>/cancel/", views.cancel_leave, name="leave_cancel"),
    path("<int:pk>/relationships/<int:record_id>/withdraw/", views.withdraw_relationship, name="relationship_withdraw"),
]
