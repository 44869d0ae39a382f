"""Schemathesis against the served OpenAPI schema: every GET endpoint, signed in, must answer
within its schema and never with a server error, whatever the generated parameters.

(Driven through Hypothesis directly: schemathesis' pytest plugin does not support pytest 9.)
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_test_connection():
    """Requests through the raw WSGI app must not close the test's connection (Django's test
    Client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_get_endpoints_conform(client, demo, keep_test_connection):
    from shuangsuiji.accounts.models import User
    from shuangsuiji.wsgi import application

    client.force_login(User.objects.get(username="qh_office"))
    cookies = {"sessionid": client.cookies["sessionid"].value}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET":
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
        )
        def conforms(case):
            response = case.call(cookies=cookies)
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
            # Business rules may refuse schema-valid input (e.g. a year without calendar data → 422
            # naming the year), so "positive data acceptance" is not asserted; everything else is.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        conforms()
        checked.append(operation.path)
    assert any("/targets/" in p for p in checked) and any("/orgs/" in p for p in checked)
    assert any("/inspections/records/" in p for p in checked)


def test_openapi_is_served_offline(client):
    body = client.get("/api/openapi.json").json()
    assert body["info"]["title"].startswith("双随机")
    assert any(p.startswith("/api/targets/") for p in body["paths"])
