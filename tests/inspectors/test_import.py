"""Importing inspectors: both modes, reasons naming row and column, upsert history, atomicity."""

import pytest
from django.core.management import CommandError, call_command

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.imports import runner
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.inspectors.models import Inspector, InspectorChange, TrainingRecord
from tests.inspectors.helpers import MARKET, row, run, specialty, write_csv

pytestmark = pytest.mark.django_db


def mixed():
    return [
        row("张伟", "13053410001", specialties="水土保持", training_on="2026-03-15", course="行政执法资格培训"),
        row("王芳", "13053410002", org="不存在的机构"),  # unknown organisation
        row("李娜", "13053410003", valid_to=""),  # missing 证件有效期止
        row("赵强", "13053410004", expert="是", status="停用"),
        row("刘洋", "13053410005", expert="也许", specialties="烹饪"),  # two bad cells
    ]


def test_all_mode_rejects_the_whole_file_with_chinese_reasons(demo, tmp_path):
    specialty()
    job = run(write_csv(tmp_path / "mixed.csv", mixed()))
    assert job.status == ImportJob.Status.REJECTED
    assert Inspector.objects.count() == 0
    assert job.error_count == 3
    errors = {(e["row"], e["column"]): e["reason"] for e in job.errors}
    assert set(errors) == {(3, "所属机构"), (4, "证件有效期止"), (6, "是否专家"), (6, "专业特长")}
    assert "机构全称" in errors[(3, "所属机构")]
    assert "不能为空" in errors[(4, "证件有效期止")]
    assert "烹饪" in errors[(6, "专业特长")]
    assert "未导入任何数据" in job.message


def test_valid_mode_imports_the_good_rows(demo, tmp_path):
    tag = specialty()
    job = run(write_csv(tmp_path / "mixed.csv", mixed()), mode="valid", user=demo.users["sw_admin"])
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.created_count, job.error_count) == (2, 3)
    zhang = Inspector.objects.get(certificate_no="13053410001")
    assert zhang.organisation == demo.unit("water", "水土保持股")
    assert list(zhang.specialties.all()) == [tag]
    assert TrainingRecord.objects.get(inspector=zhang).course == "行政执法资格培训"
    zhao = Inspector.objects.get(certificate_no="13053410004")
    assert zhao.is_expert and not zhao.is_active
    assert AuditEntry.objects.filter(action="inspectors.import").count() == 1
    assert AuditEntry.objects.filter(object_type="inspectors.inspector").count() == 0  # one entry per import


def test_organisation_outside_the_users_scope_is_an_error(demo, tmp_path):
    job = run(write_csv(tmp_path / "a.csv", [row(org=MARKET)]), user=demo.users["sw_admin"])
    assert job.status == ImportJob.Status.REJECTED
    assert job.errors[0]["row"] == 2 and job.errors[0]["column"] == "所属机构"
    # without a user (management command run by an administrator) any organisation goes
    assert run(write_csv(tmp_path / "b.csv", [row(org=MARKET)])).status == ImportJob.Status.DONE


def test_reimport_upserts_and_records_history(demo, tmp_path):
    specialty()
    first = [row("张伟", "13053410001", specialties="水土保持", position="科员")]
    run(write_csv(tmp_path / "a.csv", first))
    inspector = Inspector.objects.get(certificate_no="13053410001")
    second = [row("张伟", "13053410001", position="股长", valid_to="2029-06-30", specialties="", phone="")]
    job = run(write_csv(tmp_path / "b.csv", second))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 0)
    inspector.refresh_from_db()
    assert inspector.position == "股长" and inspector.cert_valid_to.isoformat() == "2029-06-30"
    # blank optional columns keep the stored values
    assert inspector.phone == "0319-8160001" and inspector.specialties.count() == 1
    change = InspectorChange.objects.get(inspector=inspector, action="update")
    assert change.import_job_id == job.pk
    assert change.before == {"position": "科员", "cert_valid_to": "2028-12-31"}
    assert change.after == {"position": "股长", "cert_valid_to": "2029-06-30"}
    audited = AuditEntry.objects.get(action="inspectors.import_update", object_id=str(inspector.pk))
    assert audited.before["position"] == "科员" and audited.after["position"] == "股长"
    again = run(write_csv(tmp_path / "c.csv", second))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)


def test_duplicate_numbers_in_one_file_name_the_other_row(demo, tmp_path):
    job = run(write_csv(tmp_path / "dup.csv", [row("甲", "13053410001"), row("乙", "13053410001")]))
    assert job.status == ImportJob.Status.REJECTED
    assert "第 2 行" in job.errors[0]["reason"]


def test_failure_half_way_leaves_the_database_unchanged(demo, tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "BATCH_SIZE", 1)
    rows = [row(f"人员{i}", f"1305341000{i}", training_on="2026-01-10") for i in range(1, 5)]
    before = (
        Inspector.objects.count(),
        InspectorChange.objects.count(),
        TrainingRecord.objects.count(),
        AuditEntry.objects.count(),
    )
    job = run(write_csv(tmp_path / "boom.csv", rows), fail_after_rows=1)
    assert job.status == ImportJob.Status.FAILED
    assert "未做任何改动" in job.message
    after = (
        Inspector.objects.count(),
        InspectorChange.objects.count(),
        TrainingRecord.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_management_command(demo, tmp_path, capsys):
    path = write_csv(tmp_path / "cmd.csv", [row()])
    call_command("import_inspectors", str(path), "--user", "sw_admin")
    assert "新增 1" in capsys.readouterr().out
    bad = write_csv(tmp_path / "bad.csv", [row(no="!!")])
    with pytest.raises(CommandError):
        call_command("import_inspectors", str(bad), "--mode", "all")


def test_template_download(demo, client, login):
    login("sw_admin")
    response = client.get("/imports/inspectors/template.csv")
    assert response.status_code == 200
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.startswith("姓名*,执法证号*,所属机构*")


def test_upload_page_is_the_generic_one_and_supervisors_cannot_import(demo, client, login):
    login("sw_admin")
    page = client.get("/imports/inspectors/upload/")
    assert page.status_code == 200 and "执法检查人员" in page.content.decode()
    login("qh_supervisor")
    assert client.get("/imports/inspectors/upload/").status_code == 403


def test_reimporting_a_voided_training_records_it_again(demo, tmp_path):
    from shuangsuiji.inspectors.services import void_training

    path = write_csv(tmp_path / "t.csv", [row(training_on="2026-03-15", course="行政执法资格培训")])
    assert run(path).status == ImportJob.Status.DONE
    record = TrainingRecord.objects.get()
    void_training(record, "录入错误：课程日期有误", user=demo.users["sw_admin"])
    assert run(path).status == ImportJob.Status.DONE
    assert TrainingRecord.objects.count() == 2 and TrainingRecord.objects.live().count() == 1
    assert run(path).status == ImportJob.Status.DONE  # and only once
    assert TrainingRecord.objects.live().count() == 1
