"""The portal's list lines written as tags (``portal_lines``) give the markup of the templates they
replaced, character for character, and escape what they show."""

from types import SimpleNamespace

import pytest
from django.template import engines

from shuangsuiji.publicity.models import Kind
from shuangsuiji.publicity.templatetags.portal_lines import business_line, filter_options, publication_line

# the templates the tags replaced (``_pub_line.html``, the search page's line, the filters' loops)
PUBLICATION_LINE = """{% load portal_links %}<a href="{{ p.pk|portal_link:"publication" }}">{{ p.title }}</a>
<span class="badge text-bg-light">{{ p.get_kind_display }}</span>
{% if p.withdrawn %}<span class="badge text-bg-secondary">已撤回</span>{% endif %}
{% if p.version > 1 %}<span class="badge text-bg-info">更正第 {{ p.version }} 版</span>{% endif %}
{% if p.late %}<span class="badge text-bg-warning">逾期公开</span>{% endif %}
<div class="small text-secondary">{{ p.department.name }} · {{ p.published_day }}</div>
"""
BUSINESS_LINE = (
    '{% load portal_links %}<a href="{{ t.pk|portal_link:"business" }}" data-testid="business-link">{{ t.name }}</a>\n'
    """      <div class="small text-secondary">{{ t.code }} · {{ t.region.name }}</div>"""
)
OPTIONS = (
    '{% for v, l in choices %}<option value="{{ v }}"{% if v == chosen %} selected{% endif %}>{{ l }}</option>'
    "{% endfor %}"
)
PLAIN_OPTIONS = (
    '{% for r in choices %}<option value="{{ r }}"{% if r == chosen %} selected{% endif %}>{{ r }}</option>{% endfor %}'
)

HOSTILE = "<script>alert('x')</script> & \"名\""


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def _line(kind=Kind.RESULT, **changes):
    values = {
        "pk": 123,
        "title": "某某公司检查结果",
        "kind": kind,
        "version": 1,
        "withdrawn": False,
        "late": False,
        "department": SimpleNamespace(name="涉县水务局"),
        "published_day": "2026-05-04",
        **changes,
    }
    line = SimpleNamespace(**values)
    line.get_kind_display = lambda: Kind(line.kind).label
    return line


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"withdrawn": True},
        {"version": 2},
        {"late": True},
        {"withdrawn": True, "version": 3, "late": True},
        {"kind": Kind.DRAWN_LIST},
        {"title": HOSTILE, "department": SimpleNamespace(name=HOSTILE)},
    ],
)
def test_a_publication_line_is_the_template_it_replaced(changes):
    p = _line(**changes)
    assert publication_line(p) == _render(PUBLICATION_LINE, p=p)


def test_a_line_escapes_what_it_shows():
    html = publication_line(_line(title=HOSTILE))
    assert "<script>" not in html and "&lt;script&gt;" in html
    html = business_line(
        SimpleNamespace(pk=5, name=HOSTILE, code="91130534MA0000000X", region=SimpleNamespace(name="涉县"))
    )
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("name", ["河北某某制品有限公司", HOSTILE])
def test_a_business_line_is_the_template_it_replaced(name):
    t = SimpleNamespace(pk=77, name=name, code="91130534MA0000000X", region=SimpleNamespace(name="涉县"))
    assert business_line(t) == _render(BUSINESS_LINE, t=t)


@pytest.mark.parametrize("chosen", ["", Kind.RESULT, "no-such-kind"])
def test_filter_options_are_the_loop_they_replaced(chosen):
    assert filter_options(Kind.choices, chosen) == _render(OPTIONS, choices=Kind.choices, chosen=chosen)
    labels = ["未发现问题", "发现问题", HOSTILE]
    for picked in [chosen, "发现问题", HOSTILE]:
        assert filter_options(labels, picked) == _render(PLAIN_OPTIONS, choices=labels, chosen=picked)
    assert " selected>发现问题<" in filter_options(labels, "发现问题")
