"""Public entropy at the ceremony: a documented minimum (≥ 64 bits), entries as people type
them, the witness required, and "骰子" rather than the internal code on the draw page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from shuangsuiji.tasks import drawday
from shuangsuiji.tasks import entropy as rules
from shuangsuiji.tasks.drawday import DrawRuleError
from shuangsuiji.tasks.models import DrawStatus
from tests.tasks.helpers import DICE_DIGITS, joint_task, seed_world

SHORT = [{"kind": "dice", "value": "3", "source": "见证人 张三"}]


def test_the_minimum_is_64_bits_or_25_dice():
    assert rules.MINIMUM_BITS == 64 and rules.MINIMUM_DICE == 25
    assert rules.bits_of("dice", " ".join("3" * 25)) >= 64 > rules.bits_of("dice", " ".join("3" * 24))
    # a named lottery draw counts at most 24 bits: it is completed with dice
    assert rules.bits_of("lottery", "03 07 12 19 25 31 + 08") == pytest.approx(7 * 3.3219, abs=0.01)
    assert rules.bits_of("lottery", " ".join(["1"] * 40)) == 24
    assert rules.bits_of("other", "123456789012345678901234567890") == 0


def test_entries_are_normalised_as_people_type_them():
    [e] = drawday.parse_entropy([{"kind": "dice", "value": "３ １ ６，２、５  4", "source": " 张三 "}])
    assert (e.value, e.source) == ("3 1 6 2 5 4", "张三")
    [e] = drawday.parse_entropy([{"kind": "dice", "value": "316625", "source": "张三"}])
    assert e.value == "3 1 6 6 2 5"
    typed = "０３，07、12 19；25 31 + 08"
    [e] = drawday.parse_entropy([{"kind": "lottery", "value": typed, "source": "双色球 2026138 期"}])
    assert e.value == "03 07 12 19 25 31 + 08"


def test_a_refusal_says_what_is_accepted():
    with pytest.raises(DrawRuleError) as exc:
        drawday.parse_entropy([{"kind": "dice", "value": "3 7 1", "source": "张三"}])
    assert "1–6" in str(exc.value) and "至少 25 个" in str(exc.value) and "彩票" in str(exc.value)


def test_a_single_die_does_not_draw(demo):
    world = seed_world(demo)
    operator = world.users["sw_operator"]
    draw = drawday.freeze_targets(joint_task(world), operator)
    with pytest.raises(DrawRuleError, match=r"公开随机数不足.*至少需要 64 位.*还差约 24 个骰子点数"):
        drawday.draw_targets(draw, drawday.parse_entropy(SHORT), operator, witnesses="张三")
    # "other" entries are recorded but count nothing
    other = [{"kind": "other", "value": "9" * 60, "source": "操作员"}]
    with pytest.raises(DrawRuleError, match="公开随机数不足"):
        drawday.draw_targets(draw, drawday.parse_entropy(other), operator, witnesses="张三")
    # enough dice but no witness
    with pytest.raises(DrawRuleError, match="见证人"):
        drawday.draw_targets(draw, drawday.parse_entropy([{**SHORT[0], "value": DICE_DIGITS}]), operator)
    draw.refresh_from_db()
    assert draw.status == DrawStatus.FROZEN
    # a lottery draw plus 16 dice reach the minimum
    lottery_and_dice = [
        {"kind": "lottery", "value": "03 07 12 19 25 31 + 08", "source": "中国福利彩票双色球 2026138 期"},
        {"kind": "dice", "value": "１ ２ ３ ４ ５ ６ ６ ５ ４ ３ ２ １ ２ ３ ４ ５", "source": "见证人 张三"},
    ]
    drawday.draw_targets(draw, drawday.parse_entropy(lottery_and_dice), operator, witnesses="张三、李四")
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN
    assert [p["value"] for p in json.loads(bytes(draw.entropy_json))["public"]] == [
        "03 07 12 19 25 31 + 08",
        "1 2 3 4 5 6 6 5 4 3 2 1 2 3 4 5",
    ]


def test_the_ceremony_page_shows_collected_against_minimum(demo, client):
    world = seed_world(demo)
    operator = world.users["sw_operator"]
    draw = drawday.freeze_targets(joint_task(world), operator)
    client.force_login(operator)
    page = client.get(reverse("tasks:ceremony", args=[draw.pk])).content.decode()
    assert "至少需要 <strong>64</strong> 位" in page and "还差约 25 个骰子点数" in page
    assert 'name="witnesses" value="" placeholder="姓名、单位" required' in page and "必填" in page
    assert "tasks/ceremony.js" in page
    form = {"kind_1": "dice", "value_1": "３，１、６", "source_1": "张三", "witnesses": "张三"}
    page = client.post(reverse("tasks:draw_run", args=[draw.pk]), form).content.decode()
    tally = page[page.find("entropy-tally") :][:400]
    assert "公开随机数不足" in page and '<strong data-testid="entropy-bits">7.7</strong>' in tally, tally
    assert "还差约 22 个骰子点数" in tally
    assert 'value="３，１、６"' in page  # what was typed is kept
    draw.refresh_from_db()
    assert draw.status == DrawStatus.FROZEN

    form["value_1"] = DICE_DIGITS
    response = client.post(reverse("tasks:draw_run", args=[draw.pk]), form)
    assert response.status_code == 302
    page = client.get(reverse("tasks:draw", args=[draw.pk])).content.decode()
    assert "骰子：" in page and "dice：" not in page
