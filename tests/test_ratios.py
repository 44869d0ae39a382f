"""One parser for every ratio (shuangsuiji/ratios.py): full-width digits and ％ accepted,
messages in the unit the user typed, every page (the preview included) shows percentages."""

import re
from decimal import Decimal

import pytest
from django.http import QueryDict

from shuangsuiji.ratios import RatioError, parse_fraction, parse_percent


@pytest.mark.parametrize(
    ("typed", "fraction"),
    [("5", "0.05"), ("5%", "0.05"), ("５％", "0.05"), (" 12.5 % ", "0.125"), ("１００", "1"), ("0.05", "0.0005")],
)
def test_percent_fields_read_what_people_type(typed, fraction):
    assert parse_percent(typed) == Decimal(fraction)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("150", "150 % 超过 100 %"),
        ("１５０％", "150 % 超过 100 %"),
        ("0", "0 % 须大于 0"),
        ("-5", "-5 % 不能为负数"),
        ("12.345", "12.345 % 最多保留两位小数"),
        ("五", "不是比例"),
    ],
)
def test_percent_refusals_speak_in_percent(typed, message):
    with pytest.raises(RatioError, match=re.escape(message)):
        parse_percent(typed)


def test_api_fractions_speak_in_the_unit_sent():
    assert parse_fraction("0.05") == Decimal("0.05") and parse_fraction("5%") == Decimal("0.05")
    assert parse_fraction(Decimal("0.1")) == Decimal("0.1")
    with pytest.raises(RatioError, match=re.escape("1.5（150 %）超过 1（100 %）")):
        parse_fraction("1.5")
    with pytest.raises(RatioError, match=re.escape("150 % 超过 100 %")):
        parse_fraction("150%")


def test_items_and_plans_share_the_parser():
    from shuangsuiji.items.importer import parse_percent as item_percent
    from shuangsuiji.web.fields import PercentField

    assert item_percent("５％") == Decimal("0.05")
    assert PercentField(required=False).clean("７．５％") == Decimal("7.5")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=re.escape("3% 低于 5%")):
        PercentField(minimum=5).clean("3")


@pytest.mark.django_db
def test_the_task_form_and_api_say_150_percent_exceeds_100(demo):
    from shuangsuiji.tasks import forms, services

    post = QueryDict(mutable=True)
    post.update({"title": "x", "ratio_ALL": "１５０％", "window_from": "2026-12-10", "window_to": "2026-12-20"})
    _spec, errors = forms.parse(post, demo.department("water"))
    assert any("150 % 超过 100 %" in e for e in errors), errors
    _strata, errors = services.normalise_strata({"ALL": {"ratio": "1.5"}}, stratify=False)
    assert any("抽查比例 1.5（150 %）超过 1（100 %）" in e for e in errors), errors


@pytest.mark.django_db
def test_the_preview_shows_percentages(client, login, demo):
    from tests.tasks.helpers import joint_task, seed_world

    world = seed_world(demo)
    task = joint_task(world)
    login("sw_operator")
    body = client.get(f"/tasks/{task.pk}/preview/").content.decode()
    table = re.search(r'data-testid="preview-strata">(.*?)</table>', body, re.S).group(1)
    ratios = [cells[3] for cells in re.findall(r"<tr>" + r"<td>([^<]*)</td>" * 6 + "</tr>", table)]
    assert ratios and all(r.endswith("%") for r in ratios), ratios
    assert "20%" in ratios and "0.2" not in ratios
