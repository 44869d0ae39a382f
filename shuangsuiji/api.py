"""The platform's HTTP API (django-ninja). OpenAPI at /api/openapi.json, viewer at /api/docs.

Authentication: the signed-in session (CSRF required for unsafe methods). Every endpoint
applies the same role checks and data scope as the pages.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from shuangsuiji.accounts.api import router as accounts_router
from shuangsuiji.audit.api import router as audit_router
from shuangsuiji.inspectors.api import router as inspectors_router
from shuangsuiji.items.api import router as items_router
from shuangsuiji.orgs.api import router as orgs_router
from shuangsuiji.tags.api import router as tags_router
from shuangsuiji.targets.api import router as targets_router
from shuangsuiji.workdays.api import router as workdays_router

api = NinjaAPI(
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
