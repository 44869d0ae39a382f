"""Importing the item list: both modes, reasons naming row and column, upsert into drafts
(never publishing), department scope, atomicity, the template and the upload page."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.imports.runner import create_job, run_import
from shuangsuiji.items import services
from shuangsuiji.items.importer import COLUMNS, parse_percent
from shuangsuiji.items.models import Item, ItemVersion, VersionStatus
from tests.inspectors.helpers import specialty
from tests.items.helpers import published_form

pytestmark = pytest.mark.django_db

HEADER = [f"{c.header}*" if c.required else c.header for c in COLUMNS]
SUBS = "SW-001-01｜水土保持方案编报审批情况｜是否依法编报水土保持方案并经审批\nSW-001-02|补偿费缴纳情况|是否足额缴纳"
BASES = "《中华人民共和国水土保持法》｜第二十五条\n《生产建设项目水土保持监督管理办法》"


def item_row(code="SW-001", name="生产建设项目水土保持方案实施情况的监督检查", **extra) -> list[str]:
    values = {
        "department": "",
        "kind": "一般检查事项",
        "ratio": "5",
        "frequency": "每年不少于1次",
        "types": "项目、企业",
        "methods": "实地检查、书面检查",
        "subs": SUBS,
        "bases": BASES,
        "requirements": "",
        "forms": "",
        "national": "",
        "remarks": "",
    } | extra
    return [
        values["department"],
        code,
        name,
        values["kind"],
        values["ratio"],
        values["frequency"],
        values["types"],
        values["methods"],
        values["subs"],
        values["bases"],
        values["requirements"],
        values["forms"],
        values["national"],
        values["remarks"],
    ]


def write(path, rows):
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def run(path, user, mode="all", **kwargs):
    job = create_job(kind="items", source=path, file_name=path.name, mode=mode, user=user)
    return run_import(job.pk, **kwargs)


def mixed():
    return [
        item_row("SW-001", requirements="水土保持", forms="F-SW"),
        item_row("SW-002", kind="普通"),  # unknown kind
        item_row("SW-003", ratio="3"),  # general item below 5 %
        item_row("SW-004", requirements="烹饪", subs="只有名称"),  # two bad cells
        item_row("SW-005", name="水土保持补偿费征收情况的检查", kind="重点检查事项", ratio="2%"),
    ]


def test_percent_parsing():
    assert parse_percent("5") == parse_percent("5%") == parse_percent(" 5 ％") == parse_percent("5.00")
    assert str(parse_percent("12.5")) == "0.1250"
    assert parse_percent("") is None
    for bad in ("abc", "0", "-1", "101", "5.001", "inf"):
        with pytest.raises(ValueError):
            parse_percent(bad)


def test_all_mode_rejects_the_whole_file(demo, tmp_path):
    admin = demo.users["sw_admin"]
    specialty()
    published_form(demo.department("water"), admin, code="F-SW")
    job = run(write(tmp_path / "mixed.csv", mixed()), admin)
    assert job.status == ImportJob.Status.REJECTED
    assert not Item.objects.exists()
    assert job.error_count == 3
    errors = {(e["row"], e["column"]): e for e in job.errors}
    assert set(errors) == {
        (3, "事项类别"),
        (4, "最低抽查比例（%）"),
        (5, "执法检查人员要求"),
        (5, "子项（每行：编码｜名称｜检查内容）"),
    }
    assert errors[(3, "事项类别")]["value"] == "普通"
    assert "不得低于 5%" in errors[(4, "最低抽查比例（%）")]["reason"]
    assert "烹饪" in errors[(5, "执法检查人员要求")]["reason"]
    assert "第 1 行" in errors[(5, "子项（每行：编码｜名称｜检查内容）")]["reason"]
    assert job.error_report_path and "未导入任何数据" in job.message


def test_valid_mode_imports_the_good_rows_as_drafts(demo, tmp_path):
    admin = demo.users["sw_admin"]
    tag = specialty()
    form = published_form(demo.department("water"), admin, code="F-SW")
    job = run(write(tmp_path / "mixed.csv", mixed()), admin, mode="valid")
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.created_count, job.error_count) == (2, 3)
    first = Item.objects.get(code="SW-001")
    assert first.department == demo.department("water")
    version = first.latest_version
    assert version.status == VersionStatus.DRAFT and version.version == 1
    assert version.target_types == ["enterprise", "project"] and version.methods == ["on_site", "written"]
    assert [(s.code, s.name) for s in version.sub_items.all()] == [
        ("SW-001-01", "水土保持方案编报审批情况"),
        ("SW-001-02", "补偿费缴纳情况"),
    ]
    assert [(b.law, b.articles) for b in version.legal_bases.all()] == [
        ("《中华人民共和国水土保持法》", "第二十五条"),
        ("《生产建设项目水土保持监督管理办法》", ""),
    ]
    assert list(version.inspector_requirements.all()) == [tag] and list(version.forms.all()) == [form]
    key = Item.objects.get(code="SW-005").latest_version
    assert key.kind == "key" and str(key.min_ratio) == "0.0200"
    # imported drafts publish through the normal step, with its checks
    assert services.publish_errors(version) == []
    assert "检查表格" in " ".join(services.publish_errors(key))
    assert AuditEntry.objects.filter(action="items.import", object_type="imports.importjob").count() == 1
    assert AuditEntry.objects.filter(action="items.create", reason="导入 mixed.csv").exists()


def test_reimport_opens_a_new_draft_and_keeps_the_published_version(demo, tmp_path):
    admin = demo.users["sw_admin"]
    form = published_form(demo.department("water"), admin, code="F-SW")
    path = write(tmp_path / "list.csv", [item_row(forms="F-SW")])
    assert run(path, admin).created_count == 1
    services.publish_list(demo.department("water"), admin)
    again = run(path, admin)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)

    changed = write(tmp_path / "list2.csv", [item_row(forms="F-SW", frequency="每年不少于2次")])
    job = run(changed, admin)
    assert (job.updated_count, job.unchanged_count) == (1, 0), job.message
    item = Item.objects.get(code="SW-001")
    assert item.published_version.version == 1 and item.published_version.frequency == "每年不少于1次"
    assert item.latest_version.version == 2 and item.latest_version.status == VersionStatus.DRAFT
    assert item.latest_version.frequency == "每年不少于2次"
    assert list(item.latest_version.forms.all()) == [form]
    assert ItemVersion.objects.filter(item=item).count() == 2

    services.withdraw_item(item, admin, "法律依据已废止")
    job = run(changed, admin)
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors[0]["column"] == "事项编码" and "已停用" in job.errors[0]["reason"]


def test_department_must_be_one_the_user_keeps(demo, tmp_path):
    market = demo.department("market").name
    job = run(write(tmp_path / "a.csv", [item_row(department=market)]), demo.users["sw_admin"])
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors[0]["row"] == 2 and job.errors[0]["column"] == "部门"
    # the unit operator keeps the department's list: blank 部门 means his department
    job = run(write(tmp_path / "b.csv", [item_row()]), demo.users["sw_operator"])
    assert job.status == ImportJob.Status.DONE, job.message
    assert Item.objects.get().department == demo.department("water")
    # without a user (management command) the department must be named
    job = run(write(tmp_path / "c.csv", [item_row("M-1")]), None)
    assert "部门全称" in job.errors[0]["reason"]
    job = run(write(tmp_path / "d.csv", [item_row("M-1", department=market)]), None)
    assert job.status == ImportJob.Status.DONE and Item.objects.get(code="M-1").department.name == market


def test_duplicate_codes_in_one_file(demo, tmp_path):
    job = run(write(tmp_path / "a.csv", [item_row(), item_row(name="另一个名称")]), demo.users["sw_admin"])
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors[0]["row"] == 3 and "第 2 行" in job.errors[0]["reason"]


def test_failure_half_way_leaves_nothing(demo, tmp_path):
    rows = [item_row(f"SW-{n:03d}") for n in range(1, 401)]
    job = run(write(tmp_path / "a.csv", rows), demo.users["sw_admin"], fail_after_rows=200)
    assert job.status == ImportJob.Status.FAILED and "未做任何改动" in job.message
    assert not Item.objects.exists() and not ItemVersion.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="items.").exists()


def test_management_command(demo, tmp_path):
    path = write(tmp_path / "a.csv", [item_row(department=demo.department("water").name)])
    out = io.StringIO()
    call_command("import_items", str(path), stdout=out)
    assert "新增 1" in out.getvalue()
    bad = write(tmp_path / "b.csv", [item_row(kind="")])
    with pytest.raises(CommandError):
        call_command("import_items", str(bad), "--user", "sw_admin", stdout=io.StringIO())


def test_template_and_upload_page(client, demo, login, tmp_path):
    login("sw_admin")
    response = client.get("/imports/items/template.xlsx")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content))).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert rows[0] == HEADER and rows[1][1] == "SW-001"
    page = client.get("/items/")
    assert "/imports/items/upload/" in page.content.decode()
    with write(tmp_path / "a.csv", [item_row()]).open("rb") as fh:
        response = client.post("/imports/items/upload/", {"file": fh, "mode": "all"})
    assert response.status_code == 302
    assert Item.objects.get(code="SW-001").latest_version.status == VersionStatus.DRAFT
    login("qh_supervisor")
    assert client.get("/imports/items/upload/").status_code == 403


def test_forms_of_the_level_above_only_when_published(demo, tmp_path):
    from shuangsuiji.items.models import CheckForm

    admin = demo.users["sw_admin"]
    city = demo.department("water").parent  # 邢台市水利局
    published_form(city, None, code="F-CITY")
    services.create_form(city, code="F-DRAFT", name="草稿表", kind="custom", fields=[], user=None)
    own = published_form(demo.department("water"), admin, code="F-CITY")  # same code: the own form wins
    job = run(write(tmp_path / "a.csv", [item_row(forms="F-CITY"), item_row("SW-002", forms="F-DRAFT")]), admin)
    assert job.status == ImportJob.Status.REJECTED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "检查表格")]
    assert "上级表格未发布" in job.errors[0]["reason"]
    job = run(write(tmp_path / "b.csv", [item_row(forms="F-CITY")]), admin)
    assert list(Item.objects.get(code="SW-001").latest_version.forms.all()) == [own]
    CheckForm.objects.filter(department=demo.department("water")).update(code="F-OWN")
    job = run(write(tmp_path / "c.csv", [item_row("SW-003", forms="F-CITY")]), admin)
    assert Item.objects.get(code="SW-003").latest_version.forms.get().department == city
