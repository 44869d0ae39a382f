from django.urls import path, re_path

from shuangsuiji.items import views

app_name = "items"
urlpatterns = [
    path("", views.item_list, name="list"),
    re_path(r"^export\.(?P<fmt>xlsx|csv)$", views.item_export, name="export"),
    path("new/", views.item_create, name="create"),
    path("claim/", views.claim_list, name="claim"),
    path("claim/<id:version_pk>/", views.claim_item, name="claim_item"),
    path("lists/<id:department_pk>/", views.list_detail, name="list_detail"),
    path("lists/<id:department_pk>/publish/", views.list_publish, name="list_publish"),
    path("forms/", views.form_list, name="forms"),
    path("forms/new/", views.form_create, name="form_create"),
    path("forms/<id:pk>/", views.form_detail, name="form_detail"),
    path("forms/<id:pk>/edit/", views.form_edit, name="form_edit"),
    path("forms/<id:pk>/publish/", views.form_publish, name="form_publish"),
    path("<id:pk>/", views.item_detail, name="detail"),
    path("<id:pk>/v<id:number>/", views.version_detail, name="version"),
    path("<id:pk>/edit/", views.item_edit, name="edit"),
    path("<id:pk>/publish/", views.item_publish, name="publish"),
    path("<id:pk>/discard/", views.item_discard, name="discard"),
    path("<id:pk>/withdraw/", views.item_withdraw, name="withdraw"),
]
