"""Schemathesis against the register writes (targets, inspectors): whatever the generated
body, the answer is within the documented schema and never a server error."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db

WRITES = {
    ("POST", "/api/targets/targets"),
    ("POST", "/api/targets/targets/bulk"),
    ("PUT", "/api/targets/targets/{target_id}"),
    ("POST", "/api/inspectors/"),
    ("POST", "/api/inspectors/bulk"),
    ("PUT", "/api/inspectors/{inspector_id}"),
}


@pytest.fixture
def keep_test_connection():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def check(operation, mode, cookies, headers):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
    def conforms(case):
        response = case.call(cookies=cookies, headers=headers)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
        assert response.status_code != 403 or "CSRF" not in response.text
        if mode == GenerationMode.POSITIVE:
            # Rows the import refuses are schema-valid input answered 422 with reasons.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

    conforms()


def test_register_writes_conform(client, demo, keep_test_connection):
    from django.middleware.csrf import _get_new_csrf_string

    from shuangsuiji.accounts.models import User
    from shuangsuiji.wsgi import application

    client.force_login(User.objects.get(username="sw_operator"))
    token = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": token}
    headers = {"X-CSRFToken": token}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    checked = set()
    for result in schema.get_all_operations():
        operation = result.ok()
        key = (operation.method.upper(), operation.path)
        if key not in WRITES:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            check(operation, mode, cookies, headers)
        checked.add(key)
    assert checked == WRITES
