"""The product's URLs plus the framework's floor (bench only, never in the product)."""

from django.http import HttpResponse
from django.urls import path

from shuangsuiji.urls import urlpatterns as product


def floor(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/floor/", floor), *product]
