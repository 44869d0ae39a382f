"""The platform's HTTP API (django-ninja). OpenAPI at /api/openapi.json, viewer at /api/docs.

Authentication: the signed-in session (CSRF required for unsafe methods). Every endpoint
applies the same role checks and data scope as the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import DataError
from ninja import NinjaAPI
from ninja.security import django_auth

from shuangsuiji.accounts.api import router as accounts_router
from shuangsuiji.audit.api import router as audit_router
from shuangsuiji.inspectors.api import router as inspectors_router
from shuangsuiji.items.api import router as items_router
from shuangsuiji.orgs.api import router as orgs_router
from shuangsuiji.plans.api import router as plans_router
from shuangsuiji.reports.api import router as reports_router
from shuangsuiji.rules import RuleError
from shuangsuiji.tags.api import router as tags_router
from shuangsuiji.targets.api import router as targets_router
from shuangsuiji.tasks.api import router as tasks_router
from shuangsuiji.workdays.api import router as workdays_router

# Every operation may answer these; documented once for all (the bodies are {"detail": ...}).
ERROR_RESPONSES = {
    401: "未登录",
    403: "角色无权访问",
    404: "对象不存在或不在数据范围内",
    422: "参数无效",
}
ERROR_SCHEMA = {
    "title": "ErrorMessage",
    "type": "object",
    "properties": {"detail": {"title": "Detail", "anyOf": [{"type": "string"}, {"type": "array"}]}},
    "required": ["detail"],
}


class PlatformAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorMessage"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}}}
        for path in schema["paths"].values():
            for operation in path.values():
                for code, description in ERROR_RESPONSES.items():
                    operation["responses"].setdefault(code, {"description": description, **ref})
        return schema


api = PlatformAPI(
    title="双随机、一公开监管平台 API",
    version="1",
    description="所有接口与页面执行相同的角色与数据范围规则。",
    auth=django_auth,
    urls_namespace="api",
)
api.add_router("/accounts", accounts_router)
api.add_router("/orgs", orgs_router)
api.add_router("/audit", audit_router)
api.add_router("/workdays", workdays_router)
api.add_router("/tags", tags_router)
api.add_router("/items", items_router)
api.add_router("/targets", targets_router)
api.add_router("/inspectors", inspectors_router)
api.add_router("/plans", plans_router)
api.add_router("/tasks", tasks_router)
api.add_router("/reports", reports_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "您的角色无权访问此功能。"}, status=403)


@api.exception_handler(RuleError)
def refused(request, exc):
    """A refused change (``shuangsuiji.rules.RuleError``): 422 with the Chinese reasons."""
    return api.create_response(request, {"detail": exc.messages}, status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    """An integer parameter beyond what the database stores (SQLite: 64-bit) is invalid input."""
    return api.create_response(request, {"detail": "参数超出允许范围。"}, status=422)
