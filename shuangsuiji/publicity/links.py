"""Links to the portal's pages of one object (a publication, a business, a task) without a
``reverse`` per link: a list page renders 25 of them, and ``{% url %}`` cost 35 µs each, a third
of the department list's template (bench/portal.py). The URL of each page is reversed once, with
a marker for the id, and the id is put in its place; urls.py stays the only place that says
what the URLs are. The patterns are made again when the URL configuration changes. (``page``:
the same for a page without arguments, which every portal page links four times.)"""

from __future__ import annotations

from functools import cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse

_MARK = 2147483647


@cache
def _pattern(name: str) -> str:
    url = reverse(name, args=[_MARK])
    head, tail = url.split(str(_MARK))  # (exactly once: a marker elsewhere in the URL fails here)
    return head + "{}" + tail


@cache
def page(name: str) -> str:
    """``reverse(name)`` of a page without arguments, reversed once."""
    return reverse(name)


def link(name: str, pk) -> str:
    """``reverse(name, args=[pk])`` for a URL whose one argument is an integer id."""
    return _pattern(name).format(int(pk))


@receiver(setting_changed)
def _urls_changed(*, setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _pattern.cache_clear()
        page.cache_clear()
