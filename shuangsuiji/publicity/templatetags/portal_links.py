"""``{{ pk|portal_link:"publication" }}``: the portal page of that publication (``business``,
``task``), as ``{% url 'gongshi:publication' pk %}`` gives it, at a fraction of its cost
(``publicity.links``); ``{% portal_url "search" %}``: ``{% url 'gongshi:search' %}`` of a page
without arguments, reversed once."""

from django import template

from shuangsuiji.publicity import links

register = template.Library()


@register.filter
def portal_link(pk, page: str) -> str:
    return links.link(f"gongshi:{page}", pk)


@register.simple_tag
def portal_url(page: str) -> str:
    return links.page(f"gongshi:{page}")
