"""``{{ pk|portal_link:"publication" }}``: the portal page of that publication (``business``,
``task``), as ``{% url 'gongshi:publication' pk %}`` gives it, at a fraction of its cost
(``publicity.links``)."""

from django import template

from shuangsuiji.publicity import links

register = template.Library()


@register.filter
def portal_link(pk, page: str) -> str:
    return links.link(f"gongshi:{page}", pk)
