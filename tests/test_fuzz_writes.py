"""No 5xx from bad input (issue 17, point 5): every form POST and every API write, fuzzed.

The pages: the URL resolver is walked, every pattern is filled with ids of real objects of a
drawn, confirmed demo task (and, for each integer parameter, with ids beyond 64 bits), each
page is fetched and the forms on it are collected (action, field names, file inputs). Each
form is then posted (as the platform administrator and as a department's own users) with
every nasty value in every field at once, then with Hypothesis mixing them per field: huge
integers, over-long strings, NUL bytes, wrong types, unknown choices. The API: schemathesis
over every POST/PUT/PATCH/DELETE operation of the served OpenAPI schema, positive and
negative bodies. Any 5xx — or an exception escaping a view — fails, naming the request.

Bounded: a few examples per endpoint, well under two minutes on SQLite.
"""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tasks.helpers import confirmed_with_inspectors, seed_world

pytestmark = pytest.mark.django_db

HUGE_IDS = ["9223372036854775808", "99999999999999999999"]
NASTY = [
    *HUGE_IDS,
    "-9223372036854775809",
    "9" * 400,
    "1e400",
    "x" * 20_000,
    "\x00",
    "a\x00b",
    "",
    "-1",
    "1.5",
    "[]",
    '{"a": 1}',
    "NaN",
    "２０２６-１３-４５",
    "2026-02-30",
    "99999-12-31",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
]
SKIP_PREFIXES = ("admin/", "api/", "login/", "logout/")
DOWNLOADS = ("pdf/", ".pdf", ".zip", ".xlsx", "xlsx|csv)$", "template.<slug:fmt>")


class _Forms(HTMLParser):
    """The POST forms of a page: [(action, {field name}, {file field name})]."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, set[str], set[str]]] = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._current = (a.get("action") or "", set(), set())
            self.forms.append(self._current)
        elif self._current is not None and tag in ("input", "select", "textarea", "button") and a.get("name"):
            if a.get("name") == "csrfmiddlewaretoken":
                return
            (self._current[2] if a.get("type") == "file" else self._current[1]).add(a["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _patterns(patterns=None, prefix=""):
    for p in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(p.pattern)
        if route.startswith(SKIP_PREFIXES):
            continue
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def _ids(world, task, draw):
    """Ids of real objects for each URL parameter: {(route prefix or "", parameter): id}."""
    from shuangsuiji.audit.models import AuditEntry
    from shuangsuiji.followups.models import CreditRule, FollowUp, Objection
    from shuangsuiji.imports.models import ImportJob
    from shuangsuiji.inspections.models import DepartmentPart, Evidence, RegisterChangeProposal
    from shuangsuiji.inspectors.models import Inspector, LeavePeriod, Relationship, TrainingRecord
    from shuangsuiji.items.models import CheckForm, ItemVersion
    from shuangsuiji.plans.models import Plan, PlanAdjustment
    from shuangsuiji.printing.models import PrintJob
    from shuangsuiji.publicity.models import ExportBatch, Publication, Redaction, Withdrawal
    from shuangsuiji.reports.models import Report
    from shuangsuiji.tasks import drawday
    from shuangsuiji.tasks.models import VoidRequest

    def first(qs):
        return qs.values_list("pk", flat=True).first()

    inspector = Inspector.objects.filter(organisation__path__startswith=world.water.path).first()
    target = drawday.active_targets(draw).first().target_id
    return {
        ("orgs/", "pk"): world.water.pk,
        ("followups/rules/", "pk"): first(CreditRule.objects.filter(superseded_at__isnull=True)),
        ("followups/", "pk"): first(FollowUp.objects.all()),
        ("items/forms/", "pk"): first(CheckForm.objects.all()),
        ("items/", "pk"): world.sw1.item_id,
        ("plans/", "pk"): first(Plan.objects.filter(owner=world.water)),
        ("tasks/", "pk"): task.pk,
        ("printing/tasks/", "pk"): task.pk,
        ("printing/jobs/", "pk"): first(PrintJob.objects.all()),
        ("reports/", "pk"): first(Report.objects.all()),
        ("targets/", "pk"): target,
        ("inspectors/", "pk"): inspector.pk,
        ("imports/", "pk"): first(ImportJob.objects.all()),
        ("training/", "record_id"): first(TrainingRecord.objects.filter(inspector=inspector)),
        ("leave/", "record_id"): first(LeavePeriod.objects.filter(inspector=inspector)),
        ("relationships/", "record_id"): first(Relationship.objects.filter(inspector=inspector)),
        ("", "seq"): AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first(),
        ("", "version_pk"): first(ItemVersion.objects.all()),
        ("", "department_pk"): world.water.pk,
        ("", "number"): 1,
        ("", "draw_pk"): draw.pk,
        ("", "void_pk"): first(VoidRequest.objects.all()),
        ("", "target_pk"): target,
        ("", "adj_pk"): first(PlanAdjustment.objects.all()),
        ("", "task_pk"): task.pk,
        ("", "dept_pk"): world.water.pk,
        ("inspections/parts/", "pk"): first(DepartmentPart.objects.all()),
        ("inspections/evidence/", "pk"): first(Evidence.objects.all()),
        ("inspections/register-changes/", "pk"): first(RegisterChangeProposal.objects.all()),
        ("", "part_pk"): FollowUp.objects.values_list("part_id", flat=True).first(),
        ("", "objection_pk"): first(Objection.objects.all()),
        # publicity: the public portal (/gongshi/) and the publication desk (/publicity/)
        ("gongshi/publications/", "pk"): first(Publication.objects.all()),
        ("gongshi/businesses/", "pk"): target,
        ("gongshi/departments/", "pk"): world.water.pk,
        ("gongshi/tasks/", "pk"): task.pk,
        ("publicity/results/", "pk"): first(DepartmentPart.objects.all()),
        ("publicity/redactions/", "pk"): first(Redaction.objects.all()),
        ("publicity/publications/", "pk"): first(Publication.objects.all()),
        ("publicity/withdrawals/", "pk"): first(Withdrawal.objects.all()),
        ("publicity/plans/", "pk"): first(Plan.objects.filter(owner=world.water)),
        ("publicity/tasks/", "pk"): task.pk,
        ("publicity/exports/", "pk"): first(ExportBatch.objects.all()),
        ("", "code"): 130534,
        ("", "year"): 2026,
    }


def _fill(route: str, ids: dict, huge: str | None = None) -> str:
    """A concrete URL for ``route``; ``huge`` replaces every integer parameter."""
    route = re.sub(r"\^|\$", "", route)
    route = re.sub(r"\(\?P<fmt>[^)]*\)", "xlsx", route).replace("\\.", ".")
    route = route.replace("<slug:kind>", "targets").replace("<slug:fmt>", "csv").replace("<slug:slug>", "results")
    route = route.replace("<slug:action>", "return")

    def value(m):
        if huge is not None:
            return huge
        name, before = m.group(1), route[: m.start()]
        if name == "record_id":
            key = next(k for k in ids if k[1] == name and k[0] in before)
        elif name == "pk":
            key = next(k for k in ids if k[1] == name and before.startswith(k[0]))
        else:
            key = ("", name)
        pk = ids.get(key)
        return str(pk if pk is not None else 1)

    return "/" + re.sub(r"<(?:int|id):([a-z_]+)>", value, route)


def _post(client, url, fields, files, value_of):
    data = {name: value_of(name) for name in fields}
    for name in files:
        data[name] = SimpleUploadedFile("x.csv", b"\x00\xff" + "名称,x\n".encode() * 3, content_type="text/csv")
    response = client.post(url, data)
    assert response.status_code < 500, f"POST {url} {sorted(fields)}: {response.status_code}"
    return response


def _mixed(client, url, fields, files, value):
    """A Hypothesis test posting to ``url`` with values mixed per field."""
    names = sorted(fields)

    @given(data=st.fixed_dictionaries({n: st.one_of(value, st.lists(value, max_size=3)) for n in names}))
    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def mixed(data):
        _post(client, url, data, files, data.__getitem__)

    return mixed


class _Failures(list):
    """Every failing request, so that one run names them all."""

    def check(self, label, call, *args):
        try:
            return call(*args)
        except Exception as exc:  # an exception escaping a view is a 500 for the user
            self.append(f"{label}: {type(exc).__name__}: {str(exc)[:200]}")
            return None


@pytest.fixture
def drawn(demo):
    from types import SimpleNamespace

    from shuangsuiji.audit.context import acting
    from shuangsuiji.plans import demo as plans_demo
    from shuangsuiji.tasks import drawday
    from tests.tasks.helpers import joint_task

    world = seed_world(demo)
    task, draw, idraws = confirmed_with_inspectors(world)
    with acting(actor_name="测试"):
        plans_demo.seed(SimpleNamespace(jurisdiction=demo), lambda *_: None)
    from shuangsuiji.reports import services as reports_services

    reports_services.create_report(world.water, "monthly", 2026, 3, world.users["sw_operator"])
    # Pages whose forms only show in earlier states: a draft task, a frozen draw (ceremony).
    draft = joint_task(world, title="草稿任务")
    frozen = drawday.freeze_targets(joint_task(world, title="已冻结任务"), world.users["sw_operator"])
    world.extra_pages = [f"/tasks/{draft.pk}/", f"/tasks/{draft.pk}/edit/", f"/tasks/{draft.pk}/preview/"]
    # A follow-up (责令改正) with a pending transfer, so that their forms are fuzzed too.
    from shuangsuiji.followups import services as followup_services
    from tests.followups.helpers import determined_part, drawn_target

    world.task, world.draw = task, draw
    part = determined_part(world, world.water, drawn_target(world, world.water))
    [fu] = followup_services.open_followups(part, world.users["sw_admin"], type_code="02")
    followup_services.transfer(
        fu, demo.department("natural_resources"), "测试抄告", world.users["sw_admin"], kind="notify"
    )
    world.extra_pages += [f"/followups/parts/{part.pk}/open/"]
    world.extra_pages += [
        f"/tasks/{frozen.task_id}/",
        f"/tasks/draws/{frozen.pk}/ceremony/",
        f"/tasks/draws/{frozen.pk}/",
    ]
    return world, task, draw, idraws


def test_every_form_and_url_answers_bad_input_without_a_server_error(drawn):
    world, task, draw, _ = drawn
    ids = _ids(world, task, draw)
    routes = list(_patterns())
    assert len(routes) > 60
    failures = _Failures()
    started, timings = time.monotonic(), {}
    forms: dict[str, tuple[set[str], set[str]]] = {}
    admin = Client(raise_request_exception=True)
    admin.force_login(world.users["admin"])

    readers = [admin]
    for username in ("sw_admin", "sw_operator", "qh_office"):
        reader = Client(raise_request_exception=True)
        reader.force_login(world.users[username])
        readers.append(reader)

    def status(method, url, expected=None, c=admin):
        response = getattr(c, method)(url)
        assert response.status_code < 500 and (expected is None or response.status_code == expected), (
            f"{response.status_code}"
        )
        return response

    for route in [*routes, *world.extra_pages]:
        # Every integer parameter beyond 64 bits: 404, never a server error.
        if "<int:" in route or "<id:" in route:
            for huge in HUGE_IDS:
                url = _fill(route, ids, huge)
                for method in ("get", "post"):
                    failures.check(f"{method.upper()} {url}", status, method, url, 404)
        url = _fill(route, ids) if "<" in route or not route.startswith("/") else route
        forms.setdefault(url, (set(), set()))  # POST-only actions too
        if route.endswith(DOWNLOADS):
            continue  # PDFs, spreadsheets, bundles: no forms (and a PDF of every sheet takes seconds)
        for c in readers:  # each role sees the forms of its own actions
            response = failures.check(f"GET {url}", status, "get", url, None, c)
            if response is None or response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode())
            for action, fields, files in parser.forms:
                target = action or url
                if target.startswith(("/login/", "/logout/", "/admin/")):
                    continue
                known = forms.setdefault(target, (set(), set()))
                known[0].update(fields)
                known[1].update(files)
    assert "/items/new/" in forms and "requirements" in forms["/items/new/"][0]
    assert "/targets/new/" in forms and "tags" in forms["/targets/new/"][0]
    assert "/imports/targets/upload/" in forms and "file" in forms["/imports/targets/upload/"][1]

    users = {}
    for username in ("admin", "sw_operator"):
        c = Client(raise_request_exception=True)
        c.force_login(world.users[username])
        users[username] = c

    # Every nasty value in every field at once, for each form and user.
    timings["collect"] = time.monotonic() - started
    for url, (fields, files) in sorted(forms.items()):
        for username, c in users.items():
            for nasty in NASTY if fields or files else [""]:
                failures.check(
                    f"POST {url} as {username}, all = {nasty[:20]!r}",
                    _post,
                    c,
                    url,
                    fields,
                    files,
                    lambda _n, v=nasty: v,
                )

    # Hypothesis: the values mixed per field (and repeated fields for multiple choices).
    value = st.one_of(st.sampled_from(NASTY), st.text(max_size=30), st.integers().map(str))
    for url, (fields, files) in sorted(forms.items()):
        if not fields:
            continue
        failures.check(f"Hypothesis POST {url}", _mixed(users["sw_operator"], url, fields, files, value))
    timings["all"] = time.monotonic() - started
    print("fuzz:", timings, len(forms), "URLs,", sum(1 for f in forms.values() if f[0] or f[1]), "forms")
    assert not failures, "\n".join(failures)


def test_unknown_import_mode_is_a_form_error(client, login, demo):
    login("sc_operator")
    upload = SimpleUploadedFile(
        "a.csv", "名称,对象类型,行政区划代码\n甲,企业,130534\n".encode(), content_type="text/csv"
    )
    response = client.post("/imports/targets/upload/", {"file": upload, "mode": "everything"})
    assert response.status_code == 400
    assert "未知的导入模式" in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_a_body_over_the_upload_limit_is_a_chinese_4xx(client, login, demo, settings, debug):
    settings.DEBUG = debug
    login("sw_operator")
    body = b'{"title": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'
    response = client.post("/api/tasks/", body, content_type="application/json")
    assert response.status_code == 413
    assert "超过" in response.json()["detail"]
    response = client.post("/targets/new/", {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert response.status_code == 413
    assert "超过" in response.content.decode() and response["Content-Type"].startswith("text/html")


def test_too_many_fields_is_a_chinese_4xx(client, login, demo, settings):
    login("sw_operator")
    response = client.post("/targets/new/", {f"f{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 5)})
    assert response.status_code == 400
    assert "字段" in response.content.decode()


@pytest.fixture
def keep_test_connection():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_api_write_answers_bad_input_without_a_server_error(client, drawn, keep_test_connection):
    import schemathesis
    from django.middleware.csrf import _get_new_csrf_string
    from schemathesis import GenerationMode

    from shuangsuiji.wsgi import application

    world, *_ = drawn
    client.force_login(world.users["sw_operator"])
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    headers = {"X-CSRFToken": token}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in ("POST", "PUT", "PATCH", "DELETE"):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
            )
            def no_server_error(case):
                response = case.call(cookies=cookies, headers=headers)
                assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
                assert response.status_code != 403 or "CSRF" not in response.text  # the writes were really tried

            no_server_error()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 10, checked


def test_every_url_id_goes_through_the_bounded_converter():
    """``<int:…>`` lets ids beyond 64 bits reach the query; ``<id:…>`` answers 404 for them."""
    from django.urls.converters import IntConverter

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            converters = getattr(p.pattern, "converters", {})
            if not route.startswith(("admin/", "api/")):
                for name, converter in converters.items():
                    assert not isinstance(converter, IntConverter), f"{route}: <int:{name}> (use <id:{name}>)"
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            else:
                yield route

    assert len(list(walk(get_resolver().url_patterns))) > 60


def test_nul_characters_are_refused_in_chinese(client, login, demo):
    login("sw_operator")
    response = client.get("/targets/", {"q": "清河\x00"})
    assert response.status_code == 400 and "空字符" in response.content.decode()
    response = client.post("/api/tasks/", '{"title": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 400 and "空字符" in response.json()["detail"]
    response = client.post("/api/tasks/", '{"title": "a\\\\u0000b"}', content_type="application/json")
    assert response.status_code != 400 or "空字符" not in response.content.decode()  # an escaped backslash
    response = client.post("/targets/new/", {"name": "甲\x00"})
    assert response.status_code == 400 and "空字符" in response.content.decode()


def test_a_value_the_database_refuses_as_data_is_a_400_page():
    """A view that lets too-long text reach PostgreSQL (``DataError``), or a number SQLite
    cannot hold (``OverflowError``): a Chinese 400 page; the API keeps its own 422."""
    from django.db import DataError
    from django.test import RequestFactory

    from shuangsuiji.web.limits import RequestLimitsMiddleware

    middleware = RequestLimitsMiddleware(lambda request: None)
    for exc in (DataError("value too long for type character varying(500)"), OverflowError("too large")):
        response = middleware.process_exception(RequestFactory().post("/tasks/draws/1/void/"), exc)
        assert response.status_code == 400 and "超出允许的长度或范围" in response.content.decode()
        assert middleware.process_exception(RequestFactory().post("/api/tasks/"), exc) is None
    assert middleware.process_exception(RequestFactory().post("/x/"), ValueError("a bug")) is None
