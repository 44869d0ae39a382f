"""Importing targets: all-or-nothing, valid-rows mode, error report, upsert history, atomicity."""

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.imports import runner
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.targets.models import RiskClassChange, Target, TargetChange
from tests.targets.helpers import GOOD_USCC, run, write_csv

pytestmark = pytest.mark.django_db

MIXED = [
    ["清河县甲羊绒有限公司", GOOD_USCC[0], "企业", "130534", "17", "C", "否", ""],
    ["清河县乙公司", "91110000600037341X", "企业", "130534", "17", "B", "否", ""],  # bad check digit
    ["清河县丙公司", GOOD_USCC[1], "企业", "999999", "17", "B", "否", ""],  # unknown region
    ["清河县丁项目", "", "项目", "130534", "48", "A", "", ""],
]


def test_all_mode_rejects_the_whole_file_and_reports_each_error(tmp_path):
    job = run(write_csv(tmp_path / "mixed.csv", MIXED))
    assert job.status == ImportJob.Status.REJECTED
    assert Target.objects.count() == 0
    assert job.error_count == 2
    errors = {(e["row"], e["column"]) for e in job.errors}
    assert errors == {(3, "统一社会信用代码"), (4, "行政区划代码")}
    assert any("校验位" in e["reason"] for e in job.errors)
    sheet = CalamineWorkbook.from_path(job.error_report_path).get_sheet_by_index(0).to_python()
    assert sheet[0] == ["行号", "列", "值", "原因"]
    assert [row[:2] for row in sheet[1:]] == [[3.0, "统一社会信用代码"], [4.0, "行政区划代码"]] or [
        row[:2] for row in sheet[1:]
    ] == [["3", "统一社会信用代码"], ["4", "行政区划代码"]]


def test_valid_mode_imports_the_good_rows_and_reports_the_rest(tmp_path):
    job = run(write_csv(tmp_path / "mixed.csv", MIXED), mode="valid")
    assert job.status == ImportJob.Status.DONE
    assert job.created_count == 2 and job.error_count == 2
    assert set(Target.objects.values_list("name", flat=True)) == {"清河县甲羊绒有限公司", "清河县丁项目"}
    project = Target.objects.get(name="清河县丁项目")
    assert project.uscc is None and project.code.startswith("Z130534") and len(project.code) == 18
    # The file's risk class is the new target's current classification, from this import;
    # no history row is written for it (RiskClassChange keeps replaced classifications).
    good = Target.objects.get(uscc=GOOD_USCC[0])
    assert (good.risk_class, good.risk_source, good.risk_effective_on) == ("C", "导入：mixed.csv", timezone.localdate())
    assert good.risk_recorded_at is not None and good.import_job_id == job.pk
    assert not RiskClassChange.objects.exists()
    assert (project.risk_class, project.risk_source, project.risk_effective_on) == (
        "A",
        "导入：mixed.csv",
        timezone.localdate(),
    )
    assert AuditEntry.objects.filter(action="targets.import").count() == 1


def test_reimport_upserts_and_records_the_change(tmp_path):
    rows = [["清河县甲羊绒有限公司", GOOD_USCC[0], "企业", "130534", "17", "C", "否", ""]]
    run(write_csv(tmp_path / "a.csv", rows))
    target = Target.objects.get(uscc=GOOD_USCC[0])
    code_before = target.code
    rows[0][0] = "清河县甲羊绒制品有限公司"
    rows[0][5] = "D"
    job = run(write_csv(tmp_path / "b.csv", rows))
    assert (job.created_count, job.updated_count) == (0, 1)
    target.refresh_from_db()
    assert target.name == "清河县甲羊绒制品有限公司" and target.risk_class == "D" and target.code == code_before
    change = TargetChange.objects.get(target=target, action="update")
    assert change.before["name"] == "清河县甲羊绒有限公司"
    assert change.after["name"] == "清河县甲羊绒制品有限公司"
    assert change.before["risk_class"] == "C" and change.after["risk_class"] == "D"
    assert (target.risk_source, target.risk_effective_on) == ("导入：b.csv", timezone.localdate())
    replaced = target.risk_history.get()
    assert (replaced.risk_class, replaced.source, replaced.effective_on) == ("C", "导入：a.csv", timezone.localdate())
    assert [r.risk_class for r in target.risk_records()] == ["D", "C"]
    again = run(write_csv(tmp_path / "c.csv", rows))
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)


def test_a_row_without_a_risk_class_is_unclassified_with_no_source_and_no_date(tmp_path):
    run(write_csv(tmp_path / "a.csv", [["甲", GOOD_USCC[0], "企业", "130534", "", "", "", ""]]))
    target = Target.objects.get()
    assert (target.risk_class, target.risk_source, target.risk_effective_on, target.risk_recorded_at) == (
        "U",
        "",
        None,
        None,
    )
    # A later file that classifies it replaces the default; the default is kept as history.
    run(write_csv(tmp_path / "b.csv", [["甲", GOOD_USCC[0], "企业", "130534", "", "D", "", ""]]))
    target.refresh_from_db()
    assert (target.risk_class, target.risk_source) == ("D", "导入：b.csv")
    assert [(r.risk_class, r.source) for r in target.risk_history.all()] == [("U", "")]


def test_duplicate_rows_in_one_file_are_errors_naming_the_other_row(tmp_path):
    rows = [
        ["甲", GOOD_USCC[0], "企业", "130534", "", "", "", ""],
        ["甲二", GOOD_USCC[0], "企业", "130534", "", "", "", ""],
    ]
    job = run(write_csv(tmp_path / "dup.csv", rows))
    assert job.status == ImportJob.Status.REJECTED
    assert "第 2 行" in job.errors[0]["reason"]


def test_missing_required_column_is_rejected(tmp_path):
    job = run(write_csv(tmp_path / "cols.csv", [["甲"]], header=["名称"]))
    assert job.status == ImportJob.Status.REJECTED
    assert "缺少必填列" in job.message and "对象类型" in job.message


def test_failure_half_way_leaves_the_database_unchanged(tmp_path, monkeypatch):
    monkeypatch.setattr(runner, "BATCH_SIZE", 1)
    rows = [[f"企业{i}", code, "企业", "130534", "", "", "", ""] for i, code in enumerate(GOOD_USCC)]
    before = (Target.objects.count(), AuditEntry.objects.count(), RiskClassChange.objects.count())
    job = run(write_csv(tmp_path / "boom.csv", rows), fail_after_rows=2)
    assert job.status == ImportJob.Status.FAILED
    assert "未做任何改动" in job.message
    assert (Target.objects.count(), AuditEntry.objects.count(), RiskClassChange.objects.count()) == before


def test_xlsx_import(tmp_path):
    from shuangsuiji.imports.tabular import write_xlsx
    from tests.targets.helpers import HEADER

    path = tmp_path / "t.xlsx"
    write_xlsx(path, HEADER, [["清河县戊公司", GOOD_USCC[2], "企业", "130534", "36", "A", "是", ""]])
    job = run(path)
    assert job.status == ImportJob.Status.DONE
    target = Target.objects.get(uscc=GOOD_USCC[2])
    assert target.abnormal_operation and target.industry_id == "36"


def test_error_in_the_last_row_undoes_rows_already_written(tmp_path, monkeypatch):
    """Rows are written while later rows are still being validated; a late error undoes them."""
    monkeypatch.setattr(runner, "BATCH_SIZE", 1)
    rows = [[f"企业{i}", code, "企业", "130534", "", "", "", ""] for i, code in enumerate(GOOD_USCC[:3])]
    rows.append(["坏企业", "91110000600037341X", "企业", "130534", "", "", "", ""])
    before = (Target.objects.count(), AuditEntry.objects.count())
    job = run(write_csv(tmp_path / "late.csv", rows))
    assert job.status == ImportJob.Status.REJECTED
    assert job.error_count == 1 and job.errors[0]["row"] == 5
    assert (Target.objects.count(), AuditEntry.objects.count()) == before


def test_progress_is_reported_while_running_and_cleared_after(tmp_path, monkeypatch):
    from shuangsuiji.imports import progress

    seen = []
    monkeypatch.setattr(runner, "BATCH_SIZE", 1)
    monkeypatch.setattr(runner, "report_progress", lambda job_id, done, total: seen.append((done, total)))
    rows = [[f"企业{i}", code, "企业", "130534", "", "", "", ""] for i, code in enumerate(GOOD_USCC)]
    job = run(write_csv(tmp_path / "p.csv", rows))
    assert job.status == ImportJob.Status.DONE
    assert seen and seen[-1][1] == len(GOOD_USCC) and all(d <= len(GOOD_USCC) for d, _ in seen)
    assert progress.read_progress(job.pk) is None


def test_validation_in_a_forked_process_gives_the_same_result(tmp_path, monkeypatch):
    """Large files are validated in a forked process; force that path on a small file."""
    monkeypatch.setattr(runner, "PROCESS_THRESHOLD", 1)
    monkeypatch.setattr(runner, "BATCH_SIZE", 1)
    job = run(write_csv(tmp_path / "mixed.csv", MIXED), mode="valid")
    assert job.status == ImportJob.Status.DONE
    assert (job.created_count, job.error_count) == (2, 2)
    assert {(e["row"], e["column"]) for e in job.errors} == {(3, "统一社会信用代码"), (4, "行政区划代码")}
    rejected = run(write_csv(tmp_path / "mixed2.csv", MIXED))
    assert rejected.status == ImportJob.Status.REJECTED
    assert Target.objects.count() == 2  # only the first import's rows


def test_reimport_changes_are_in_the_audit_trail_and_the_chain_holds(tmp_path):
    from shuangsuiji.audit.services import verify_chain

    rows = [["清河县甲羊绒有限公司", GOOD_USCC[0], "企业", "130534", "17", "C", "否", ""]]
    run(write_csv(tmp_path / "a.csv", rows))
    rows[0][0] = "清河县甲羊绒制品有限公司"
    run(write_csv(tmp_path / "b.csv", rows))
    entry = AuditEntry.objects.get(action="targets.import_update")
    assert entry.before == {"name": "清河县甲羊绒有限公司"}
    assert entry.after == {"name": "清河县甲羊绒制品有限公司"}
    assert entry.object_id == str(Target.objects.get(uscc=GOOD_USCC[0]).pk)
    assert verify_chain().ok


def test_a_large_import_refreshes_the_planner_statistics(tmp_path, monkeypatch):
    """On PostgreSQL the filled tables are analysed right after a large import (VACUUM outside
    a transaction; tests run inside one, so ANALYZE); small imports and SQLite skip it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [[f"企业{i}", code, "企业", "130534", "", "", "", ""] for i, code in enumerate(GOOD_USCC[:2])]
    with CaptureQueriesContext(connection) as small:
        assert run(write_csv(tmp_path / "small.csv", rows)).status == ImportJob.Status.DONE
    assert not [q for q in small.captured_queries if q["sql"].startswith(("ANALYZE", "VACUUM"))]

    monkeypatch.setattr(runner, "MAINTAIN_AFTER_ROWS", 1)
    rows = [[f"企业{i}", code, "企业", "130534", "", "", "", ""] for i, code in enumerate(GOOD_USCC[2:4])]
    with CaptureQueriesContext(connection) as large:
        assert run(write_csv(tmp_path / "large.csv", rows)).status == ImportJob.Status.DONE
    maintenance = [q["sql"] for q in large.captured_queries if q["sql"].startswith(("ANALYZE", "VACUUM"))]
    if connection.vendor == "postgresql":
        assert maintenance == ['ANALYZE "targets_target"', 'ANALYZE "targets_riskclasschange"']
    else:
        assert maintenance == []


def test_tags_of_new_and_updated_targets(tmp_path):
    """New rows' tags need the ids the database gave them (read back by code, also for a
    project without USCC whose internal code was made during validation)."""
    from shuangsuiji.tags.models import Tag
    from shuangsuiji.tags.services import ensure_tag

    cashmere = ensure_tag("cashmere-cluster", "羊绒产业集群", scope=Tag.Scope.TARGETS)
    project = ensure_tag("construction-project", "生产建设项目", scope=Tag.Scope.TARGETS)
    rows = [
        ["甲羊绒", GOOD_USCC[0], "企业", "130534", "17", "", "", "羊绒产业集群"],
        ["乙公司", GOOD_USCC[1], "企业", "130534", "", "", "", ""],
        ["丙项目", "", "项目", "130534", "48", "", "", "生产建设项目、羊绒产业集群"],
    ]
    assert run(write_csv(tmp_path / "a.csv", rows)).created_count == 3

    def tags(name):
        return sorted(Target.objects.get(name=name).tags.values_list("pk", flat=True))

    assert tags("甲羊绒") == [cashmere.pk]
    assert tags("乙公司") == []
    assert tags("丙项目") == sorted([cashmere.pk, project.pk])
    rows[0][7], rows[2][7] = "", "生产建设项目"
    job = run(write_csv(tmp_path / "b.csv", rows))
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 2, 1)
    assert tags("甲羊绒") == [] and tags("丙项目") == [project.pk]
