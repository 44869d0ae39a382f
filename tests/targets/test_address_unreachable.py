"""The register flag 住所无法联系 is a data field like 经营异常名录: imported, exported,
changed with history, shown on the detail page and in the API."""

import pytest

from shuangsuiji.targets.importer import COLUMNS, export_row
from shuangsuiji.targets.models import DATA_FIELDS, Target
from shuangsuiji.targets.services import update_target
from tests.targets.helpers import GOOD_USCC, HEADER, run, write_csv

pytestmark = pytest.mark.django_db


def test_it_is_a_data_field_and_a_template_column():
    assert "address_unreachable" in DATA_FIELDS
    assert "住所无法联系" in [c.header for c in COLUMNS]


def test_import_sets_it_and_export_writes_it(tmp_path):
    header = [*HEADER, "住所无法联系"]
    rows = [
        ["清河县甲公司", GOOD_USCC[0], "企业", "130534", "", "", "否", "", "是"],
        ["清河县乙公司", GOOD_USCC[1], "企业", "130534", "", "", "否", "", ""],
    ]
    job = run(write_csv(tmp_path / "t.csv", rows, header=header))
    assert job.status == "done", job.errors
    flagged, plain = Target.objects.get(uscc=GOOD_USCC[0]), Target.objects.get(uscc=GOOD_USCC[1])
    assert flagged.address_unreachable and not plain.address_unreachable
    assert export_row(flagged)["address_unreachable"] == "是"
    assert export_row(plain)["address_unreachable"] == "否"
    bad = run(
        write_csv(
            tmp_path / "bad.csv",
            [["清河县丙公司", GOOD_USCC[2], "企业", "130534", "", "", "", "", "也许"]],
            header=header,
        )
    )
    assert bad.created_count == 0 and any("住所无法联系" in str(e) for e in bad.errors)


def test_a_change_is_kept_in_the_history_and_shown(demo, client, tmp_path):
    from shuangsuiji.audit.context import acting

    admin = demo.users["sw_admin"]
    assert (
        run(write_csv(tmp_path / "t.csv", [["清河县甲公司", GOOD_USCC[0], "企业", "130534", "", "", "否", ""]])).status
        == "done"
    )
    target = Target.objects.get(uscc=GOOD_USCC[0])
    assert not target.address_unreachable
    with acting(actor=admin):
        update_target(target, {"address_unreachable": True}, user=admin, reason="检查认定无法联系")
    target.refresh_from_db()
    assert target.address_unreachable
    assert target.changes.order_by("-id").first().after == {"address_unreachable": True}
    client.force_login(admin)
    assert "住所无法联系" in client.get(f"/targets/{target.pk}/").content.decode()
    api = client.get(f"/api/targets/targets/{target.pk}")
    assert api.status_code == 200 and api.json()["address_unreachable"] is True
