"""The role matrix (issue 17): every URL pattern of the project and every GET operation of
the API, with the real ids of a drawn task, requested by every demo role, anonymous, users of
the neighbouring county (临西县) and participants and non-participants of the task.

No response is a server error, and no non-participant reads a sealed string: drawn target
codes and names, the seeds and server secrets, reserve and substitute details, notes. Strings
that a public register shows anyway (target names on the target register, inspectors'
certificate numbers on the inspector register and in its audit entries) are checked only
where they would say something about the draw.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from shuangsuiji.api import api
from shuangsuiji.audit.models import AuditEntry
from shuangsuiji.items.models import CheckForm, Item, ItemVersion
from shuangsuiji.tasks import access, drawday
from shuangsuiji.tasks.models import Assignment, VoidRequest
from tests.tasks.sealed_world import VOID_REASON, build, sealed_strings

pytestmark = pytest.mark.django_db

PARTICIPANTS = {"qh_office", "xt_office", "sw_admin", "sw_operator", "sc_admin"}
# Where a register shows targets (names, codes) or inspectors (certificate numbers) anyway.
# /followups/targets/<pk>/: a target's credit consequences, a register page of that target.
TARGET_REGISTER = ("/targets/", "/api/targets/", "/imports/", "/followups/targets/")
INSPECTOR_REGISTER = ("/inspectors/", "/api/inspectors/", "/audit/", "/api/audit/")
SKIP = ("admin/r/", "admin/(?P<url>", "logout/", "api/docs")  # redirects elsewhere / logs out / JS shell


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and getattr(p.callback, "__module__", "") != "ninja.operation":
            yield prefix + str(p.pattern)


def _fill(route: str, values: dict[str, list]) -> list[str]:
    """Every concrete path of a route for the given parameter values."""
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    route = re.sub(r"\(\?P<(\w+)>([\w|]+)\)", lambda m: m.group(2).split("|")[0], route)
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    paths = ["/" + route]
    for name in names:
        options = values.get(name, [1])
        paths = [re.sub(rf"<(?:\w+:)?{name}>", str(v), p, count=1) for p in paths for v in options]
    return paths


def _api_paths(values: dict[str, list]) -> list[str]:
    out = []
    today = timezone.localdate().isoformat()
    for path, ops in api.get_openapi_schema()["paths"].items():
        op = ops.get("get")
        if op is None:
            continue
        query = []
        for param in op.get("parameters", []):
            if param["in"] == "query" and param.get("required"):
                kind = param.get("schema", {}).get("type")
                value = today if param["name"] == "start" else 1 if kind == "integer" else "x"
                query.append(f"{param['name']}={value}")
        route = re.sub(r"\{(\w+)\}", r"<\1>", path.lstrip("/"))
        for p in _fill(route, values):
            out.append(p + ("?" + "&".join(query) if query else ""))
    return out


# A follow-up of the sealed task (issue 14), opened, with a step and a transfer: sealed like
# its result. Its readers besides the participants: the receiving department (自然资源局),
# the region's 督查; the participants of the task who do not own it (市场监管局) read nothing.
FOLLOWUP_READERS = {"qh_office", "xt_office", "sw_admin", "qh_supervisor", "zr_admin"}
FOLLOWUP_STRINGS = {
    "follow-up step": "封存标记戊：后续处置步骤",
    "follow-up summary": "封存标记己：后续处置问题",
    "follow-up transfer reason": "封存标记庚：移送理由",
}


def _sealed_followup(w):
    from shuangsuiji.followups import services as followups
    from tests.followups.helpers import determined_part

    sw = w.world.users["sw_admin"]
    w.world.task, w.world.draw = w.task, w.draw
    target = w.sheet_target
    part = determined_part(w.world, w.world.water, target, problem=FOLLOWUP_STRINGS["follow-up summary"])
    [fu] = followups.open_followups(part, sw, type_code="05")
    followups.add_step(fu, sw, text=FOLLOWUP_STRINGS["follow-up step"])
    natural = w.world.users["zr_admin"].organisation
    followups.transfer(fu, natural, FOLLOWUP_STRINGS["follow-up transfer reason"], sw)
    return fu, part


def _text(r) -> str:
    data = b"".join(r.streaming_content) if r.streaming else r.content
    if r.get("Content-Type", "").startswith("application/json"):
        return json.dumps(json.loads(data), ensure_ascii=False)
    if r.get("Content-Type", "").startswith(("text/", "application/xhtml")):
        return data.decode("utf-8", "replace")
    return data.decode("latin-1")  # zip, xlsx, pdf: the bytes as they are


def test_no_sealed_string_reaches_a_non_participant_and_no_server_error(demo):
    started = time.monotonic()
    w = build(demo)
    fu, fu_part = _sealed_followup(w)
    users = dict(w.world.users) | w.neighbours
    idraws = list(w.inspector_draws.values())
    void = drawday.request_void(idraws[-1], VOID_REASON, users["sc_admin"])
    assert void.status == VoidRequest.Status.REQUESTED
    for name, user in users.items():  # the participants named here are the ones the rules name
        assert (access.sealed_access(user, w.task) == access.ALL_TARGETS) == (name in PARTICIPANTS), name
    assigned = Assignment.objects.filter(draw__in=idraws).select_related("inspector").first().inspector
    item = Item.objects.filter(department=w.world.water).first()
    version = ItemVersion.objects.filter(item=item).first()
    seqs = list(AuditEntry.objects.filter(action__startswith="tasks.").values_list("seq", flat=True))
    values = {
        "pk": [w.task.pk],
        "task_id": [w.task.pk],
        "draw_pk": [w.draw.pk, *(d.pk for d in idraws)],
        "draw_id": [w.draw.pk, *(d.pk for d in idraws)],
        "target_pk": [w.sheet_target.pk, w.replaced.pk],
        "target_id": [w.sheet_target.pk, w.replacement.pk],
        "void_pk": [void.pk],
        "void_id": [void.pk],
        "seq": seqs,
        "inspector_id": [assigned.pk],
        "org_id": [w.world.water.pk],
        "department_pk": [w.world.water.pk],
        "item_id": [item.pk],
        "version_id": [version.pk],
        "version_pk": [version.pk],
        "number": [version.version],
        "form_id": [CheckForm.objects.values_list("pk", flat=True).first() or 1],
        "kind": ["targets"],
        "fmt": ["xlsx"],
        "slug": ["results"],
        "task_pk": [w.task.pk],
        "dept_pk": [w.world.water.pk, w.world.market.pk],
        "action": ["determine"],
        "followup_id": [fu.pk],
        "transfer_id": [fu.transfers.get().pk],
        "part_pk": [fu_part.pk],
        "objection_pk": [1],
    }
    paths = []
    for route in _routes(get_resolver().url_patterns):
        if route.startswith(SKIP):
            continue
        for p in _fill(route, values):
            # the other apps' <pk> is not a task: their own pages take the register's ids
            if p.startswith("/targets/"):
                p = p.replace(f"/targets/{w.task.pk}/", f"/targets/{w.sheet_target.pk}/")
            elif p.startswith("/inspectors/"):
                p = p.replace(f"/inspectors/{w.task.pk}/", f"/inspectors/{assigned.pk}/")
            elif p.startswith("/items/"):
                p = p.replace(f"/items/{w.task.pk}/", f"/items/{item.pk}/")
            elif p.startswith("/followups/"):
                p = p.replace(f"/followups/{w.task.pk}/", f"/followups/{fu.pk}/")
            paths.append(p)
    paths += _api_paths(values)
    paths = sorted(set(paths))

    everything = sealed_strings(w) | FOLLOWUP_STRINGS
    no_targets = sealed_strings(w, register=False) | FOLLOWUP_STRINGS
    no_certificates = {k: v for k, v in everything.items() if "certificate" not in k}

    failures: list[str] = []
    requests = 0
    for username in ["", *sorted(users)]:
        client = Client()
        if username:
            client.force_login(users[username])
        for path in paths:
            # the follow-up's own readers: the task's, its receiving department, the region's 督查
            readers = FOLLOWUP_READERS if path.startswith(("/followups/", "/api/followups/")) else PARTICIPANTS
            outsider = username not in readers
            if not outsider and path.endswith(("pdf/", ".pdf")):
                continue  # participants' PDFs take seconds each; tests/tasks/test_sheets.py has them
            if path == "/api/openapi.json" and username not in ("", "admin"):
                continue  # the same schema for everyone
            requests += 1
            try:
                r = client.get(path)
            except Exception as exc:  # a server error, reported with the rest
                failures.append(f"{username or '匿名'} GET {path}: {type(exc).__name__}: {exc}")
                continue
            if r.status_code >= 500:
                failures.append(f"{username or '匿名'} GET {path}: {r.status_code}")
                continue
            if not outsider or r.status_code != 200:
                if r.streaming:  # read to the end: the test client then closes the file (not the database)
                    b"".join(r.streaming_content)
                continue
            strings = (
                no_targets
                if path.startswith(TARGET_REGISTER)
                else no_certificates
                if path.startswith(INSPECTOR_REGISTER)
                else everything
            )
            if username in FOLLOWUP_READERS:  # elsewhere (the home to-do) they may name its target
                strings = {k: v for k, v in strings.items() if v not in (fu.target.name, fu.target.code)}
            body = _text(r)
            leaked = [label for label, s in strings.items() if s and s in body]
            if leaked:
                failures.append(f"{username or '匿名'} GET {path}: {', '.join(leaked)}")
    elapsed = time.monotonic() - started
    assert failures == [], "\n".join(failures)
    assert requests > 2000, requests  # the matrix really ran
    print(f"role matrix: {len(paths)} paths × {len(users) + 1} identities = {requests} requests, {elapsed:.1f} s")
