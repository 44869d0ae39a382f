"""Creating tags (idempotent) and resolving tag names given in imports."""

from __future__ import annotations

from django.db import transaction

from shuangsuiji.tags.models import Tag


@transaction.atomic
def ensure_tag(code: str, name: str, *, parent: Tag | None = None, scope: str = Tag.Scope.BOTH) -> Tag:
    tag = Tag.objects.filter(code=code).first()
    if tag is None:
        return Tag.objects.create(code=code, name=name, parent=parent, scope=scope)
    if (tag.name, tag.parent_id, tag.scope) != (name, parent.pk if parent else None, scope):
        tag.name, tag.parent, tag.scope = name, parent, scope
        tag.save()
    return tag


def tags_by_name(scope: str) -> dict[str, Tag]:
    """Active tags usable in ``scope``, by name and by full name ("专业/水土保持")."""
    allowed = (scope, Tag.Scope.BOTH)
    out: dict[str, Tag] = {}
    for tag in Tag.objects.filter(is_active=True, scope__in=allowed).select_related("parent"):
        out.setdefault(tag.name, tag)
        out[tag.full_name] = tag
    return out
