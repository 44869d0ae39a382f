"""Schemathesis over the public API as an anonymous client: every operation answers within
its schema, never a server error, never asks for a login."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.test_openapi_fuzz import keep_test_connection  # noqa: F401  (fixture)
from tests.publicity import world as public_world

pytestmark = pytest.mark.django_db


def test_public_operations_conform_anonymously(demo, keep_test_connection):  # noqa: F811
    from shuangsuiji.wsgi import application

    public_world.build(demo)
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/public/"):
            continue
        assert operation.method.upper() == "GET", operation.path  # read-only

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
        )
        def conforms(case):
            response = case.call()
            assert response.status_code not in (401, 403), f"{case.formatted_path} asks for a login"
            assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
            case.validate_response(response, excluded_checks=[positive_data_acceptance])

        conforms()
        checked.append(operation.path)
    assert len(checked) == 5, checked


def test_rate_limit_answers_429_in_chinese(client, settings):
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT = (3, 60)
    from django.core.cache import cache

    cache.clear()
    for _ in range(3):
        assert client.get("/api/public/publications", REMOTE_ADDR="203.0.113.7").status_code == 200
    response = client.get("/api/public/publications", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429 and "请求过于频繁" in response.json()["detail"]
    assert int(response["Retry-After"]) >= 1
    page = client.get("/gongshi/", REMOTE_ADDR="203.0.113.7")
    assert page.status_code == 429 and "请求过于频繁" in page.content.decode()
    # another address is not limited; signed-in pages are not limited
    assert client.get("/gongshi/", REMOTE_ADDR="203.0.113.8").status_code == 200
    assert client.get("/login/", REMOTE_ADDR="203.0.113.7").status_code == 200
