"""The portal's list lines as tags: ``{% publication_line p %}`` (a publication in a list: its
link, kind, badges, department and day) and ``{% business_line t %}`` (a business found by the
search: its link, USCC and region), each the one place its markup is written; and
``{% filter_options choices chosen %}``, the options of a list filter's ``<select>``.

Tags, not included templates, for speed: a list page shows 25 lines, and the template engine
resolves each ``{{ … }}`` and ``{% if %}`` of an included line one lookup at a time (45 µs a line,
1.1 of the department list's 1.8 ms of rendering at 3,000,000 results, bench/portal.py). Here
each value is escaped as the engine escapes it (``html.escape``, which Django's ``escape`` is,
without its lazy-string wrappers: values read from the database are plain strings) and the
line is one ``str.format``. The markup is that of the templates they replaced, character for
character (tests/publicity/test_portal_lines.py)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from shuangsuiji.publicity import links

register = template.Library()


def _text(value) -> str:
    """``{{ value }}`` of a plain value: its text, escaped."""
    return escape(str(value))


_WITHDRAWN = '<span class="badge text-bg-secondary">已撤回</span>'
_VERSION = '<span class="badge text-bg-info">更正第 {} 版</span>'
_LATE = '<span class="badge text-bg-warning">逾期公开</span>'
_LINE = (
    '<a href="{}">{}</a>\n<span class="badge text-bg-light">{}</span>\n{}\n{}\n{}\n'
    '<div class="small text-secondary">{} · {}</div>\n'
)
_BUSINESS = '<a href="{}" data-testid="business-link">{}</a>\n      <div class="small text-secondary">{} · {}</div>'


@register.simple_tag
def publication_line(p) -> str:
    """A publication (``Publication`` annotated with ``withdrawn``, or ``published.PublicLine``)."""
    line = _LINE.format(
        links.link("gongshi:publication", p.pk),
        _text(p.title),
        _text(p.get_kind_display()),
        _WITHDRAWN if p.withdrawn else "",
        _VERSION.format(int(p.version)) if p.version > 1 else "",
        _LATE if p.late else "",
        _text(p.department.name),
        _text(p.published_day),
    )
    return mark_safe(line)  # (every value above is escaped, or an integer)


@register.simple_tag
def business_line(t) -> str:
    """A business (``published.PublicBusiness`` or a ``Target`` with its region)."""
    line = _BUSINESS.format(links.link("gongshi:business", t.pk), _text(t.name), _text(t.code), _text(t.region.name))
    return mark_safe(line)  # (every value is escaped, or an integer)


@register.simple_tag
def filter_options(choices, chosen) -> str:
    """``<option>``s of ``choices`` (pairs of value and label, or values that are their own
    labels), the ``chosen`` value selected."""
    options = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple | list) else (choice, choice)
        selected = " selected" if value == chosen else ""
        options.append(f'<option value="{_text(value)}"{selected}>{_text(label)}</option>')
    return mark_safe("".join(options))  # (every value is escaped)
