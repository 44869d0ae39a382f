"""``publicity.links``: the portal's links to one object, as ``reverse`` gives them."""

from django.test import override_settings
from django.urls import reverse

from shuangsuiji.publicity import links
from shuangsuiji.publicity.templatetags.portal_links import portal_link, portal_url


def test_links_are_what_reverse_gives():
    for name in ["gongshi:publication", "gongshi:business", "gongshi:task"]:
        for pk in [1, 42, 2147483646, 10**12]:
            assert links.link(name, pk) == reverse(name, args=[pk])
    assert portal_link(7, "business") == reverse("gongshi:business", args=[7])
    assert links.link("gongshi:publication", "12") == reverse("gongshi:publication", args=[12])
    for page in ["home", "search", "publications", "opendata"]:
        assert links.page(f"gongshi:{page}") == portal_url(page) == reverse(f"gongshi:{page}")


def test_links_follow_a_change_of_the_url_configuration():
    before = links.link("gongshi:business", 5)
    with override_settings(FORCE_SCRIPT_NAME="/ssj/"):
        from django.urls import set_script_prefix

        set_script_prefix("/ssj/")
        try:
            assert links.link("gongshi:business", 5) == "/ssj" + before == reverse("gongshi:business", args=[5])
            assert links.page("gongshi:search") == reverse("gongshi:search")
        finally:
            set_script_prefix("/")
    assert links.link("gongshi:business", 5) == before


def test_the_day_a_list_shows_is_the_date_filters():
    import datetime as dt

    from django.template.defaultfilters import date as date_filter
    from django.utils import timezone

    from shuangsuiji.publicity.models import local_day

    for moment in [dt.datetime(2026, 12, 4, 15, 59, tzinfo=dt.UTC), dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)]:
        assert local_day(moment) == date_filter(timezone.localtime(moment), "Y-m-d")
    assert local_day(dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)) == "2026-12-05"  # Asia/Shanghai
