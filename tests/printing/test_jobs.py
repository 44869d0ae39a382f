"""一企一表 print jobs: request, run in the queue (huey immediate in tests), ZIP content read back,
who may see the job and its download, the audit trail, expiry."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.printing import services
from shuangsuiji.printing.models import PrintJob
from shuangsuiji.tasks import drawday, sheets
from shuangsuiji.tasks.models import Assignment
from tests.tasks.helpers import confirmed_with_inspectors, drawn_task, seed_world


@pytest.fixture
def world(demo):
    return seed_world(demo)


@pytest.fixture
def joint(world):
    task, draw, _idraws = confirmed_with_inspectors(world)
    return task, draw


@pytest.fixture(autouse=True)
def small_volumes(settings):
    settings.SHUANGSUIJI_PRINT_SHEETS_PER_FILE = 4


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages))


def sheet_count(pdf: bytes) -> int:
    """Sheets in a PDF: each starts a page with the seal line and the title."""
    return sum(
        "保密·名单公开前不得泄露" in re.sub(r"\s+", "", p.extract_text() or "")
        for p in PdfReader(io.BytesIO(pdf)).pages
    )


def start(client, task, grouping, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/printing/tasks/{task.pk}/", {"grouping": grouping})
    assert r.status_code == 302, r.content.decode()[:500]
    job = PrintJob.objects.get(pk=int(r["Location"].rstrip("/").split("/")[-1]))
    assert r["Location"] == f"/printing/jobs/{job.pk}/"
    return job


def download(client, job) -> zipfile.ZipFile:
    r = client.get(f"/printing/jobs/{job.pk}/download/")
    assert r.status_code == 200
    assert "no-store" in r["Cache-Control"]
    assert "attachment" in r["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(r.streaming_content)))


def sealed(action: str, task) -> int:
    return AuditEntry.objects.filter(action=action, after__task=task.code).count()


def link(user, inspector: Inspector) -> None:
    Inspector.objects.filter(pk=inspector.pk).update(user=user)
    user.refresh_from_db()


def test_department_job_end_to_end(client, login, world, joint, django_capture_on_commit_callbacks):
    task, draw = joint
    user = login("sw_admin")
    page = client.get(f"/printing/tasks/{task.pk}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "按部门" in page.content.decode() and "按检查组" in page.content.decode()

    job = start(client, task, "department", django_capture_on_commit_callbacks)
    assert job.status == PrintJob.Status.DONE, job.message
    active = list(drawday.active_targets(draw).select_related("target").order_by("position"))
    volumes = -(-len(active) // 4)
    assert job.total_sheets == job.done_sheets == len(active)
    assert job.file_count == 2 * volumes
    assert job.expires_at - job.finished_at == dt.timedelta(days=7)
    assert sealed("tasks.sealed_sheet_print", task) == 1

    r = client.get(f"/printing/jobs/{job.pk}/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    assert "下载 ZIP" in r.content.decode() and job.file_sha256 in r.content.decode()

    zf = download(client, job)
    names = zf.namelist()
    assert names[0] == "说明.txt" and task.code in zf.read("说明.txt").decode()
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert len(pdfs) == 2 * volumes
    water = sorted(n for n in pdfs if n.startswith(f"01-{world.water.name}/"))
    market = sorted(n for n in pdfs if n.startswith(f"02-{world.market.name}/"))
    assert len(water) == len(market) == volumes
    assert (
        water[0]
        == f"01-{world.water.name}/{world.water.name}-第001册（第{active[0].position}-{active[3].position}号）.pdf"
    )
    texts = [text_of(zf.read(n)) for n in water]
    assert [sheet_count(zf.read(n)) for n in water] == [min(4, len(active) - 4 * k) for k in range(volumes)]
    every = "".join(texts)
    for dt_ in active:
        assert dt_.target.name in every and dt_.target.code in every
        assert sheets.sheet_number(task, dt_.position) in every
    for label in ("部门联合双随机抽查“一企一表”", "一、检查对象基本情况", "检查人员签字", "被检查单位确认"):
        assert all(label in t for t in texts), label
    assert all(user.display_name in t and user.username in t for t in texts)  # the viewer mark
    assert zf.read(water[0]) == zf.read(market[0])  # one rendering, one copy per department
    assert sealed("tasks.sealed_sheet_zip", task) == 1
    download(client, job)
    assert sealed("tasks.sealed_sheet_zip", task) == 2  # every download


def test_group_job_has_one_pdf_per_inspection_group(client, login, world, joint, django_capture_on_commit_callbacks):
    task, draw = joint
    login("sc_admin")
    job = start(client, task, "group", django_capture_on_commit_callbacks)
    assert job.status == PrintJob.Status.DONE, job.message
    active = {dt_.target_id: dt_ for dt_ in drawday.active_targets(draw).select_related("target")}
    zf = download(client, job)
    for n, dept in ((1, world.water), (2, world.market)):
        groups: dict[frozenset, set[int]] = {}
        for a in Assignment.objects.filter(
            draw__target_draw=draw, draw__department=dept, ended_at__isnull=True
        ).select_related("inspector"):
            groups.setdefault(a.target_id, set()).add(a.inspector.name)
        by_set: dict[frozenset, set[int]] = {}
        for target_id, people in groups.items():
            by_set.setdefault(frozenset(people), set()).add(target_id)
        files = [f for f in zf.namelist() if f.startswith(f"0{n}-{dept.name}/")]
        assert len(files) == sum(-(-len(t) // 4) for t in by_set.values())
        seen = set()
        for f in files:
            text = text_of(zf.read(f))
            mine = {t for t, d in active.items() if d.target.code in text}
            assert mine, f
            (members,) = {frozenset(groups[t]) for t in mine}  # one group per PDF
            assert all(name in f for name in members)
            seen |= mine
        assert seen == set(active)
    assert job.total_sheets == 2 * len(active)


def test_inspector_job_holds_only_own_targets(client, login, world, joint, django_capture_on_commit_callbacks):
    task, draw = joint
    mine = Assignment.objects.filter(draw__target_draw=draw, draw__department=world.market, is_expert=False).first()
    user = world.users["sc_inspector"]
    link(user, mine.inspector)
    own = set(sheets.assigned_target_ids(draw, mine.inspector).values_list("target_id", flat=True))
    others = drawday.active_targets(draw).exclude(target_id__in=own).select_related("target")
    assert others.exists()
    login("sc_inspector")
    job = start(client, task, "department", django_capture_on_commit_callbacks)
    assert (job.mode, job.inspector_id, job.status) == ("own", mine.inspector_id, PrintJob.Status.DONE)
    zf = download(client, job)
    pdfs = [n for n in zf.namelist() if n.endswith(".pdf")]
    assert pdfs and all(n.startswith(f"01-{world.market.name}/") for n in pdfs)  # their department only
    text = "".join(text_of(zf.read(n)) for n in pdfs)
    for dt_ in drawday.active_targets(draw).filter(target_id__in=own).select_related("target"):
        assert dt_.target.code in text
    for dt_ in others:
        assert dt_.target.code not in text
    assert job.total_sheets == len(own)


def test_non_participants_and_other_users_get_404(client, login, world, joint, django_capture_on_commit_callbacks):
    task, _draw = joint
    login("sw_admin")
    job = start(client, task, "department", django_capture_on_commit_callbacks)
    before = sealed("tasks.sealed_sheet_zip", task)
    other = Inspector.objects.filter(organisation__name__startswith="清河县自然资源").first()
    link(world.users["zr_inspector"], other)
    # zr_*: not participating; qh_supervisor: 督查 (not a participant); sc_admin: a participant,
    # but the job and its PDFs carry sw_admin's name; sc_inspector: not linked to an inspector.
    for username in ("zr_admin", "zr_inspector", "qh_supervisor", "sc_admin", "sc_inspector"):
        client.logout()
        login(username)
        assert client.get(f"/printing/jobs/{job.pk}/").status_code == 404, username
        assert client.get(f"/printing/jobs/{job.pk}/download/").status_code == 404, username
        if username != "sc_admin":
            assert client.get(f"/printing/tasks/{task.pk}/").status_code == 404, username
            assert client.post(f"/printing/tasks/{task.pk}/", {"grouping": "department"}).status_code == 404
    assert sealed("tasks.sealed_sheet_zip", task) == before
    assert PrintJob.objects.count() == 1
    client.logout()
    assert client.get(f"/printing/jobs/{job.pk}/download/").status_code == 302  # to the login page


def test_not_drawn_task_cannot_be_printed(client, login, world):
    from tests.tasks.helpers import joint_task

    task = joint_task(world)
    login("sw_admin")
    assert client.get(f"/printing/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/printing/tasks/{task.pk}/", {"grouping": "department"}).status_code == 404


def test_pending_job_page_polls_its_progress(client, login, world):
    task, _draw = drawn_task(world)
    login("sw_admin")
    r = client.post(f"/printing/tasks/{task.pk}/", {"grouping": "department"})  # queued, not run yet
    job = PrintJob.objects.get()
    assert r["Location"] == f"/printing/jobs/{job.pk}/" and job.status == PrintJob.Status.PENDING
    r = client.get(f"/printing/jobs/{job.pk}/", headers={"HX-Request": "true"})
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert 'hx-trigger="every 1s"' in html and "排队中" in html and "<progress" in html
    assert client.get(f"/printing/jobs/{job.pk}/download/").status_code == 409
    job = services.run(job.pk)  # what the worker does
    assert job.status == PrintJob.Status.DONE
    html = client.get(f"/printing/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html and "下载 ZIP" in html
    # departments without inspector draws say so on every sheet
    zf = download(client, job)
    first = next(n for n in zf.namelist() if n.endswith(".pdf"))
    assert sheets.NOT_DRAWN in text_of(zf.read(first))


def test_files_expire_on_access_and_by_the_periodic_task(
    client, login, world, joint, django_capture_on_commit_callbacks
):
    task, _draw = joint
    login("sw_admin")
    first = start(client, task, "department", django_capture_on_commit_callbacks)
    second = start(client, task, "group", django_capture_on_commit_callbacks)
    paths = [Path(first.file_path), Path(second.file_path)]
    assert all(p.exists() for p in paths)
    assert services.expire_due() == 0  # nothing due yet

    PrintJob.objects.filter(pk=first.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    r = client.get(f"/printing/jobs/{first.pk}/")
    assert r.status_code == 200 and "已过期" in r.content.decode()
    assert not paths[0].exists() and paths[1].exists()
    r = client.get(f"/printing/jobs/{first.pk}/download/")
    assert r.status_code == 410 and "已过期" in r.content.decode()
    first.refresh_from_db()
    assert first.status == PrintJob.Status.EXPIRED and first.file_sha256 and first.expired_at

    assert services.expire_due(timezone.now() + dt.timedelta(days=7, minutes=1)) == 1  # the hourly task
    assert not paths[1].exists()
    assert PrintJob.objects.get(pk=second.pk).status == PrintJob.Status.EXPIRED
    assert AuditEntry.objects.filter(action="printing.file_expired").count() == 2
    assert PrintJob.objects.count() == 2  # the rows stay


def test_a_failing_job_is_marked_failed_and_leaves_no_file(client, login, world, joint, monkeypatch):
    task, _draw = joint
    login("sw_admin")
    client.post(f"/printing/tasks/{task.pk}/", {"grouping": "department"})
    job = PrintJob.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(services, "render_pdf", broken)
    job = services.run(job.pk)
    assert job.status == PrintJob.Status.FAILED and "字体缺失" in job.message
    assert not list(services.storage_dir().glob(f"{job.pk}.zip*"))
    r = client.get(f"/printing/jobs/{job.pk}/")
    assert "生成失败" in r.content.decode()
    assert client.get(f"/printing/jobs/{job.pk}/download/").status_code == 409


def test_a_job_whose_worker_died_is_failed_by_the_periodic_task(client, login, world, joint):
    task, _draw = joint
    login("sw_admin")
    client.post(f"/printing/tasks/{task.pk}/", {"grouping": "department"})
    job = PrintJob.objects.get()
    services.storage_dir().mkdir(parents=True, exist_ok=True)
    part = services.storage_dir() / f"{job.pk}.zip.part"
    part.write_bytes(b"PK")
    PrintJob.objects.filter(pk=job.pk).update(status=PrintJob.Status.RUNNING, started_at=timezone.now())
    services.expire_due()
    assert PrintJob.objects.get(pk=job.pk).status == PrintJob.Status.RUNNING  # still within its time
    services.expire_due(timezone.now() + dt.timedelta(hours=7))
    job.refresh_from_db()
    assert job.status == PrintJob.Status.FAILED and "生成中断" in job.message and not part.exists()
