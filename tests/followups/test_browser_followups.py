"""The follow-up pages in Chromium at 1366 px and 390 px: the list and a follow-up with its
action forms are no wider than the layout itself (the home page) at phone width."""

from __future__ import annotations

import pytest

from shuangsuiji.followups import services
from tests.browser import sign_in
from tests.followups.helpers import determined_part, drawn_target, world_with_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_at_desktop_and_phone_width(live_server, demo, page, tmp_path):
    world = world_with_task(demo)
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = services.open_followups(part, world.users["sw_admin"], type_code="02", rectify_workdays=10)
    sign_in(page, live_server.url, "sw_admin")
    width_of = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + "/")
        layout = page.evaluate(width_of)  # the navigation column's own overflow, if any
        for url, marker in (("/followups/", "followup-table"), (f"/followups/{fu.pk}/", "steps")):
            page.goto(live_server.url + url)
            page.wait_for_selector(f"[data-testid={marker}]")
            overflow = page.evaluate(width_of)
            assert overflow <= layout + 1, f"{url} at {width}px overflows by {overflow}px (layout {layout}px)"
            page.screenshot(path=str(tmp_path / f"followups-{width}-{marker}.png"), full_page=True)
    assert fu.number in page.inner_text("body")
    assert "安排复查" in page.inner_text("body")
