"""The platform's HTTP API (django-ninja). OpenAPI at /api/openapi.json, viewer at /api/docs.

Authentication: the signed-in session (CSRF required for unsafe methods). Every endpoint
applies the same role checks and data scope as the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import DataError
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

from shuangsuiji.accounts.api import router as accounts_router
from shuangsuiji.audit.api import router as audit_router
from shuangsuiji.followups.api import router as followups_router
from shuangsuiji.imports.rows import RowsRefused
from shuangsuiji.inspections.api import router as inspections_router
from shuangsuiji.inspectors.api import router as inspectors_router
from shuangsuiji.items.api import router as items_router
from shuangsuiji.orgs.api import router as orgs_router
from shuangsuiji.plans.api import router as plans_router
from shuangsuiji.publicity.api import router as public_router
from shuangsuiji.reports.api import router as reports_router
from shuangsuiji.rules import RuleError
from shuangsuiji.tags.api import router as tags_router
from shuangsuiji.targets.api import router as targets_router
from shuangsuiji.tasks.api import router as tasks_router
from shuangsuiji.tasks.indexes import IndexPending
from shuangsuiji.web.lengths import TextTooLong
from shuangsuiji.workdays.api import router as workdays_router

# Every operation may answer these; documented once for all (the bodies are {"detail": ...}).
ERROR_RESPONSES = {
    400: "请求无效（如含空字符、格式错误的请求体）",
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
        for url, path in schema["paths"].items():
            for operation in path.values():
                for code, description in ERROR_RESPONSES.items():
                    operation["responses"].setdefault(code, {"description": description, **ref})
                if url.startswith("/api/public/"):  # rate limited per client address
                    operation["responses"].setdefault(429, {"description": "请求过于频繁", **ref})
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
api.add_router("/inspections", inspections_router)
api.add_router("/followups", followups_router)
api.add_router("/public", public_router)
api.add_router("/reports", reports_router)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "您的角色无权访问此功能。"}, status=403)


@api.exception_handler(IndexPending)
def index_pending(request, exc):
    """A read of a draw's index rows while the job queue writes them: 409, retry later."""
    return api.create_response(request, {"detail": exc.messages}, status=409)


@api.exception_handler(RuleError)
def refused(request, exc):
    """A refused change (``shuangsuiji.rules.RuleError``): 422 with the Chinese reasons."""
    return api.create_response(request, {"detail": exc.messages}, status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    """An integer parameter beyond what the database stores (SQLite: 64-bit) is invalid input;
    text longer than its field allows names the field (shuangsuiji/web/lengths.py)."""
    if isinstance(exc, TextTooLong):
        return api.create_response(request, {"detail": str(exc)}, status=422)
    return api.create_response(request, {"detail": "参数超出允许范围。"}, status=422)


@api.exception_handler(RowsRefused)
def rows_refused(request, exc):
    """Register rows the import refused (imports/rows.py): 422, each row's reason in Chinese."""
    return api.create_response(request, exc.body(), status=422)


_PYDANTIC_MESSAGES = {
    "missing": "必填",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为日期时间",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "greater_than": "应大于 {gt}",
    "less_than": "应小于 {lt}",
    "json_invalid": "不是有效的 JSON",
    "extra_forbidden": "不是可用的字段",
}


def chinese_error(error: dict) -> dict:
    """A pydantic error with its message in Chinese, naming the field (``loc`` stays)."""
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path", "payload")]
    field = ".".join(loc)
    template = _PYDANTIC_MESSAGES.get(error.get("type", ""), "参数无效")
    try:
        text = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        text = template
    return {**error, "msg": f"{field}：{text}" if field else text}


@api.exception_handler(NinjaValidationError)
def invalid_input(request, exc):
    """Input that does not fit the schema: 422, each error's message in Chinese."""
    return api.create_response(request, {"detail": [chinese_error(e) for e in exc.errors]}, status=422)
