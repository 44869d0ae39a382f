from django.urls import path, re_path

from shuangsuiji.items import views

app_name = "items"
urlpatterns = [
    path("", views.item_list, name="list"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", views.item_export, name="export"),
    path("new/", views.item_create, name="create"),
    path("claim/", views.claim_list, name="claim"),
    path("claim/<int:version_pk>/", views.claim_item, name="claim_item"),
    path("lists/<int:department_pk>/", views.list_detail, name="list_detail"),
    path("lists/<int:department_pk>/publish/", views.list_publish, name="list_publish"),
    path("forms/", views.form_list, name="forms"),
    path("forms/new/", views.form_create, name="form_create"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("forms/<int:pk>/publish/", views.form_publish, name="form_publish"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/v<int:number>/", views.version_detail, name="version"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/publish/", views.item_publish, name="publish"),
    path("<int:pk>/discard/", views.item_discard, name="discard"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
]
