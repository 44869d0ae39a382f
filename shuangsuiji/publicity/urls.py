from django.urls import path

from shuangsuiji.publicity import portal

app_name = "gongshi"

urlpatterns = [
    path("", portal.home, name="home"),
    path("search/", portal.search, name="search"),
    path("publications/", portal.publications, name="publications"),
    path("publications/<id:pk>/", portal.publication, name="publication"),
    path("businesses/<id:pk>/", portal.business, name="business"),
    path("departments/<id:pk>/", portal.department, name="department"),
    path("regions/<id:code>/", portal.region, name="region"),
    path("tasks/<id:pk>/", portal.task, name="task"),
    path("tasks/<id:pk>/draws/<id:draw_pk>/bundle.zip", portal.bundle, name="bundle"),
    path("opendata/", portal.opendata, name="opendata"),
    path("opendata/<id:code>/<id:year>/results.csv", portal.results_csv, name="results_csv"),
]
