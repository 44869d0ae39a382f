"""一企一表: the builder, the pages, the PDFs, who may see which sheet, and the audit trail."""

from __future__ import annotations

import io
import re
import zlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.inspectors.models import Inspector
from shuangsuiji.tasks import drawday, sheets
from shuangsuiji.tasks.models import Assignment
from tests.tasks.helpers import confirmed_with_inspectors, drawn_task, seed_world


@pytest.fixture
def world(demo):
    return seed_world(demo)


@pytest.fixture
def joint(world):
    """The joint task, drawn, confirmed, inspectors drawn by both departments."""
    task, draw, idraws = confirmed_with_inspectors(world)
    first = drawday.active_targets(draw).first()
    return task, draw, idraws, first


def page_texts(data: bytes) -> list[str]:
    """The text of each page, read back from the PDF's bytes (pypdf)."""
    return [re.sub(r"\s+", "", p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages]


def pdf_streams(data: bytes) -> bytes:
    """Every stream of the PDF, inflated where compressed (objects live in object streams)."""
    out = []
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[m.end() : m.end() + 10_000_000]))
        except zlib.error:
            continue
    return data + b"".join(out)


def pdf_text(data: bytes) -> str:
    return "".join(page_texts(data))


def link(user, inspector: Inspector) -> None:
    Inspector.objects.filter(pk=inspector.pk).update(user=user)
    user.refresh_from_db()


def assigned(draw, department_id, target_id) -> list[Assignment]:
    return list(
        Assignment.objects.filter(
            draw__target_draw=draw, draw__department_id=department_id, target_id=target_id, ended_at__isnull=True
        ).select_related("inspector")
    )


def sealed_entries(action: str, task) -> int:
    return AuditEntry.objects.filter(action=action, after__task=task.code).count()


# --- Builder ---------------------------------------------------------------------------------


def test_sheet_joins_target_departments_forms_and_inspectors(world, joint):
    task, draw, _idraws, first = joint
    sheet = sheets.build_sheet(task, draw, first)
    assert sheet.number == f"{task.code}-{first.position:03d}"
    assert sheet.target.name == first.target.name
    assert sheet.target.legal_representative == first.target.legal_representative
    lead, coop = sheet.departments
    assert (lead.name, lead.role_label, coop.name) == (world.water.name, "牵头部门", world.market.name)
    assert [i.code for i in lead.items] == ["SW-001"] and [i.code for i in coop.items] == ["SC-002"]
    assert lead.items[0].methods == ("实地检查",)
    forms = lead.items[0].forms
    assert forms and all(f.fields for f in forms)
    assert any(f.choices == ("是", "否") for form in forms for f in form.fields)
    people = [p for d in sheet.departments for p in d.people]
    assert len(people) == 4 and all(p.certificate_no for p in people)
    expected = {
        a.inspector.certificate_no for d in (world.water, world.market) for a in assigned(draw, d.pk, first.target_id)
    }
    assert {p.certificate_no for p in people} == expected
    assert sheet.all_inspectors_drawn


def test_departments_without_inspector_draw_say_so(world):
    task, draw = drawn_task(world)
    sheet = sheets.sheets_for(task, draw)[0]
    assert [d.inspector_state for d in sheet.departments] == [sheets.NOT_DRAWN, sheets.NOT_DRAWN]
    assert not sheet.all_inspectors_drawn


def test_queries_do_not_grow_with_the_number_of_sheets(joint):
    task, draw, _idraws, first = joint
    with CaptureQueriesContext(connection) as one:
        sheets.build_sheets(task, draw, list(sheets.drawn_targets(draw).filter(pk=first.pk)))
    with CaptureQueriesContext(connection) as every:
        built = sheets.sheets_for(task, draw)
    assert len(built) > 10
    assert len(every) <= len(one) + 1, [q["sql"] for q in every.captured_queries]


# --- Pages ---------------------------------------------------------------------------------


def test_page_shows_both_departments_items_and_four_inspectors(client, login, world, joint):
    task, draw, _idraws, first = joint
    login("sw_admin")
    r = client.get(f"/tasks/{task.pk}/sheets/{first.target_id}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert first.target.name in html and first.target.legal_representative in html
    for dept, code, name in ((world.water, "SW-001", world.sw1.name), (world.market, "SC-002", world.sc2.name)):
        assert dept.name in html and code in html and name in html
    assert html.count('data-testid="sheet-person"') == 4
    for d in (world.water, world.market):
        for a in assigned(draw, d.pk, first.target_id):
            assert a.inspector.name in html and a.inspector.certificate_no in html
    assert "被检查单位法定代表人（负责人）签字：" in html and "拒绝签字的情况记录：" in html and "（盖章）" in html
    assert sealed_entries("tasks.sealed_sheet", task) == 1


def test_list_is_paginated_searchable_and_audited(client, login, world, joint):
    task, draw, _idraws, first = joint
    login("sc_admin")
    r = client.get(f"/tasks/{task.pk}/sheets/")
    assert r.status_code == 200
    active = list(drawday.active_targets(draw))
    assert r.content.decode().count('data-testid="sheet-row"') == len(active)
    r = client.get(f"/tasks/{task.pk}/sheets/", {"q": first.target.code})
    assert r.content.decode().count('data-testid="sheet-row"') == 1
    assert r.context["page_obj"].paginator.count == 1
    r = client.get(f"/tasks/{task.pk}/sheets/", {"q": "不存在的对象"})
    assert "没有符合条件的检查对象" in r.content.decode()
    assert sealed_entries("tasks.sealed_sheet", task) == 3


# --- PDFs ----------------------------------------------------------------------------------


def test_pdf_is_a_form_with_embedded_chinese_fonts_and_the_viewer_mark(client, login, world, joint):
    task, _draw, _idraws, first = joint
    user = login("sw_admin")
    r = client.get(f"/tasks/{task.pk}/sheets/{first.target_id}/pdf/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "attachment" in r["Content-Disposition"]
    data = r.content
    assert data.startswith(b"%PDF-")
    streams = pdf_streams(data)
    assert streams.count(b"/FontFile") >= 2  # serif body and sans headings, embedded
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+NotoSerifCJKsc", streams), "serif CJK font embedded as a subset"
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+NotoSansCJKsc", streams), "sans CJK font embedded as a subset"
    # bookmarks (the sheet, then each department) and document information
    reader = PdfReader(io.BytesIO(data))
    (sheet_mark, departments) = reader.outline
    assert "一企一表" in sheet_mark.title
    titles = [d.title for d in departments]
    assert titles[0].startswith(f"（一）{world.water.name}") and titles[1].startswith(f"（二）{world.market.name}")
    assert reader.metadata.author == user.display_name
    # the text of the pages, read back from the bytes
    pages = page_texts(data)
    text = "".join(pages)
    for needle in (
        first.target.name,
        first.target.code,
        world.water.name,
        world.market.name,
        "部门联合双随机抽查“一企一表”",
        "检查对象基本情况",
        "拒绝签字的情况记录：",
        "见证人签字：",
        "（盖章）",
    ):
        assert needle in text, needle
    number = sheets.sheet_number(task, first.position)
    assert all(p.startswith(f"保密（名单公开前）一企一表{number}") for p in pages)  # every header
    assert all(user.display_name in p and user.username in p for p in pages)  # every footer
    assert pages[-1].endswith(f"第{len(pages)}页/共{len(pages)}页")
    for a in assigned(_draw, world.water.pk, first.target_id):
        assert a.inspector.name in text and a.inspector.certificate_no in text
    assert sealed_entries("tasks.sealed_sheet_pdf", task) == 1


def test_inspector_sees_only_own_targets(client, login, world, joint):
    task, draw, _idraws, first = joint
    (mine,) = [a for a in assigned(draw, world.market.pk, first.target_id) if not a.is_expert][:1]
    user = world.users["sc_inspector"]
    link(user, mine.inspector)
    own = set(sheets.assigned_target_ids(draw, mine.inspector).values_list("target_id", flat=True))
    other = drawday.active_targets(draw).exclude(target_id__in=own).first()
    login("sc_inspector")

    r = client.get(f"/tasks/{task.pk}/sheets/")
    assert r.status_code == 200
    assert r.context["page_obj"].paginator.count == len(own)
    assert {s.target.pk for s in r.context["sheets"]} == own
    assert client.get(f"/tasks/{task.pk}/sheets/{first.target_id}/").status_code == 200
    assert client.get(f"/tasks/{task.pk}/sheets/{other.target_id}/").status_code == 404
    assert client.get(f"/tasks/{task.pk}/sheets/{other.target_id}/pdf/").status_code == 404
    # the whole task's download leads to the print job (tests/printing covers its content)
    r = client.get(f"/tasks/{task.pk}/sheets.pdf")
    assert r.status_code == 302 and r["Location"] == f"/printing/tasks/{task.pk}/"
    # the refused sheets were not recorded as viewed
    assert AuditEntry.objects.filter(actor=user, action="tasks.sealed_sheet").count() == 2


def test_inspector_of_another_department_gets_404(client, login, world, joint):
    task, _draw, _idraws, first = joint
    other = Inspector.objects.filter(organisation__name__startswith="清河县自然资源").first()
    link(world.users["zr_inspector"], other)
    login("zr_inspector")
    for url in (
        f"/tasks/{task.pk}/sheets/",
        f"/tasks/{task.pk}/sheets/{first.target_id}/",
        f"/tasks/{task.pk}/sheets/{first.target_id}/pdf/",
        f"/tasks/{task.pk}/sheets.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert not AuditEntry.objects.filter(action__startswith="tasks.sealed_sheet").exists()


def test_unlinked_inspector_and_non_participants_get_404(client, login, joint):
    task, _draw, _idraws, first = joint
    for username in ("sc_inspector", "zr_admin", "qh_supervisor"):
        login(username)
        assert client.get(f"/tasks/{task.pk}/sheets/{first.target_id}/").status_code == 404, username
        assert client.get(f"/tasks/{task.pk}/sheets/{first.target_id}/pdf/").status_code == 404, username


def test_not_drawn_task_has_no_sheets(client, login, world):
    from tests.tasks.helpers import joint_task

    task = joint_task(world)
    login("sw_admin")
    assert client.get(f"/tasks/{task.pk}/sheets/").status_code == 404
    assert client.get(f"/tasks/{task.pk}/sheets.pdf").status_code == 404


def test_anonymous_is_sent_to_login(client, joint):
    task, _draw, _idraws, first = joint
    r = client.get(f"/tasks/{task.pk}/sheets/{first.target_id}/pdf/")
    assert r.status_code == 302 and "login" in r["Location"]
