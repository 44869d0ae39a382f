"""Point 4 of issue 17: every import applies the page forms' data scope (accounts/scope.py).

A user of the neighbouring county 临西县 (130535) must neither create nor update a 清河县
(130534) record through an import: such rows are row errors naming the row and the region,
and in mode ``all`` nothing at all changes.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.imports.models import ImportJob
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.targets.models import Target
from tests.inspectors import helpers as ih
from tests.neighbour import NEIGHBOUR as LINXI
from tests.neighbour import neighbour_county
from tests.targets.helpers import GOOD_USCC, run, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def linxi(demo):
    """临西县: its 双随机办 (region-wide office user) and its water department's administrator."""
    county = neighbour_county(demo)
    return {"office": county.users["lx_office"], "admin": county.users["lx_sw_admin"], "water": county.water}


def _qinghe_target(tmp_path):
    rows = [["清河县甲羊绒有限公司", GOOD_USCC[0], "企业", "130534", "17", "B", "否", ""]]
    assert run(write_csv(tmp_path / "seed.csv", rows)).created_count == 1
    return Target.objects.get(uscc=GOOD_USCC[0])


def _snapshot():
    return sorted(Target.objects.values_list("code", "name", "region_id", "risk_class", "registration_status"))


def _attack_rows():
    return [
        # row 2: updates the existing 清河 target (same USCC), keeping its region
        ["清河县甲羊绒有限公司（改）", GOOD_USCC[0], "企业", "130534", "17", "D", "否", ""],
        # row 3: a new 清河 target
        ["清河县新公司", GOOD_USCC[1], "企业", "130534", "17", "B", "否", ""],
        # row 4: a new 临西 target (in scope)
        ["临西县新公司", GOOD_USCC[2], "企业", LINXI, "17", "B", "否", ""],
        # row 5: the existing 清河 target "moved" into 临西 by its USCC
        ["清河县甲羊绒有限公司", GOOD_USCC[0], "企业", LINXI, "17", "B", "否", ""],
    ]


@pytest.mark.parametrize("who", ["office", "admin"])
def test_all_mode_changes_nothing_and_names_each_out_of_scope_row(tmp_path, linxi, who):
    _qinghe_target(tmp_path)
    before = _snapshot()
    rows = _attack_rows()[:3]
    job = run(write_csv(tmp_path / "attack.csv", rows), user=linxi[who])
    assert job.status == ImportJob.Status.REJECTED
    assert _snapshot() == before
    reasons = {(e["row"], e["reason"]) for e in job.errors}
    assert (2, "行政区划 130534 不在您的数据范围内") in reasons
    assert (3, "行政区划 130534 不在您的数据范围内") in reasons
    assert {e["row"] for e in job.errors} == {2, 3}
    assert job.error_count == 2


def test_valid_mode_keeps_only_the_rows_in_scope(tmp_path, linxi):
    target = _qinghe_target(tmp_path)
    job = run(write_csv(tmp_path / "attack.csv", _attack_rows()), mode="valid", user=linxi["office"])
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.updated_count) == (1, 0)
    assert {e["row"] for e in job.errors} == {2, 3, 5}
    target.refresh_from_db()
    assert (target.name, target.region_id, target.risk_class) == ("清河县甲羊绒有限公司", "130534", "B")
    assert Target.objects.filter(region_id=LINXI).count() == 1
    assert not Target.objects.filter(uscc=GOOD_USCC[1]).exists()


def test_the_upload_page_applies_the_scope(client, tmp_path, linxi):
    target = _qinghe_target(tmp_path)
    client.force_login(linxi["office"])
    path = write_csv(tmp_path / "attack.csv", _attack_rows()[:2])
    with path.open("rb") as fh:
        response = client.post("/imports/targets/upload/", {"file": fh, "mode": "valid"})
    assert response.status_code == 302
    job = ImportJob.objects.latest("pk")
    assert {e["row"] for e in job.errors} == {2, 3}
    target.refresh_from_db()
    assert target.risk_class == "B" and target.name == "清河县甲羊绒有限公司"


def test_the_command_with_user_applies_the_scope(tmp_path, linxi):
    _qinghe_target(tmp_path)
    before = _snapshot()
    path = write_csv(tmp_path / "attack.csv", _attack_rows()[:1])
    with pytest.raises(CommandError):
        call_command("import_targets", str(path), "--user", "lx_office")
    assert _snapshot() == before


def test_the_county_itself_may_still_update_its_target(tmp_path, demo):
    _qinghe_target(tmp_path)
    rows = [_attack_rows()[0]]
    job = run(write_csv(tmp_path / "own.csv", rows), user=demo.users["qh_office"])
    assert (job.status, job.updated_count) == (ImportJob.Status.DONE, 1)


def test_inspector_of_another_county_is_not_updated_by_certificate_number(tmp_path, linxi):
    seed = ih.write_csv(tmp_path / "seed.csv", [ih.row(name="张伟", no="13053410001")])
    ih_job = ih.run(seed)
    assert ih_job.created_count == 1
    inspector = Inspector.objects.get(certificate_no="13053410001")
    # 临西's administrator names their own department but 清河's certificate number.
    rows = [
        ih.row(name="李四", no="13053410001", org="临西县水利局"),
        ih.row(name="王五", no="13053510001", org="临西县水利局"),
    ]
    job = ih.run(ih.write_csv(tmp_path / "attack.csv", rows), user=linxi["admin"])
    assert job.status == ImportJob.Status.REJECTED
    assert [(e["row"], e["reason"]) for e in job.errors] == [(2, "执法证号 13053410001 的人员不在您的数据范围内")]
    inspector.refresh_from_db()
    assert (inspector.name, inspector.organisation.name) == ("张伟", ih.WATER_UNIT)
    assert not Inspector.objects.filter(certificate_no="13053510001").exists()


def test_item_of_another_county_department_is_a_row_error(tmp_path, linxi):
    from shuangsuiji.items.models import Item
    from tests.items.test_import import item_row, run, write

    rows = [item_row("SW-901", department="清河县水务局"), item_row("SW-902", department="临西县水利局")]
    job = run(write(tmp_path / "items.csv", rows), linxi["admin"])
    assert job.status == ImportJob.Status.REJECTED
    assert [e["row"] for e in job.errors] == [2]
    assert "无权维护该部门" in job.errors[0]["reason"]
    assert not Item.objects.filter(code__in=["SW-901", "SW-902"]).exists()
