"""Small builders for the item tests (services only, as the pages would call them)."""

from __future__ import annotations

from decimal import Decimal

from shuangsuiji.items import services
from shuangsuiji.items.services import FieldSpec, ItemContent


def published_form(department, user, code="F-BASIC"):
    draft = services.create_form(
        department,
        code=code,
        name="基础检查表",
        kind="basic",
        fields=[FieldSpec("是否在现场公示", "boolean"), FieldSpec("现场照片", "attachment", required=False)],
        user=user,
    )
    return services.publish_form(draft, user).form


def content(form=None, **changes) -> ItemContent:
    data = {
        "name": "取水许可情况的检查",
        "kind": "general",
        "min_ratio": Decimal("0.05"),
        "frequency": "每年不少于1次",
        "target_types": ["enterprise"],
        "methods": ["on_site"],
        "sub_items": [("Q-01", "取水许可证持证情况", "是否依法取得取水许可证")],
        "legal_bases": [("《取水许可和水资源费征收管理条例》", "第二条")],
        "forms": [form] if form is not None else [],
    }
    data.update(changes)
    return ItemContent(**data)


def published_item(department, user, code="Q-01", **changes):
    form = published_form(department, user, code=f"F-{code}")
    draft = services.create_item(department, code=code, content=content(form, **changes), user=user)
    return services.publish_item(draft, user)
