"""Item list and check-form library API: the same visibility as the pages (``items.access``):
drafts only inside the user's scope, published items of the level above too; 404 otherwise."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from shuangsuiji.apipages import Pages
from shuangsuiji.items import access
from shuangsuiji.items.models import FormVersion, ItemVersion, VersionStatus

router = Router(tags=["抽查事项清单"])


class SubItemOut(Schema):
    position: int
    code: str
    name: str
    check_content: str


class LegalBasisOut(Schema):
    position: int
    law: str
    articles: str


class ItemVersionOut(Schema):
    id: int
    item_id: int
    code: str
    department_id: int
    department: str
    version: int
    status: str
    withdrawn: bool
    name: str
    kind: str
    min_ratio: Decimal
    frequency: str
    target_types: list[str]
    methods: list[str]
    national_code: str
    claimed_from_id: int | None
    published_at: datetime | None

    @staticmethod
    def resolve_code(obj: ItemVersion) -> str:
        return obj.item.code

    @staticmethod
    def resolve_department_id(obj: ItemVersion) -> int:
        return obj.item.department_id

    @staticmethod
    def resolve_department(obj: ItemVersion) -> str:
        return obj.item.department.name

    @staticmethod
    def resolve_withdrawn(obj: ItemVersion) -> bool:
        return obj.item.is_withdrawn


class ItemVersionDetailOut(ItemVersionOut):
    sub_items: list[SubItemOut]
    legal_bases: list[LegalBasisOut]
    inspector_requirements: list[str]
    form_ids: list[int]
    change_note: str
    published_by: str | None

    @staticmethod
    def resolve_sub_items(obj: ItemVersion):
        return list(obj.sub_items.all())

    @staticmethod
    def resolve_legal_bases(obj: ItemVersion):
        return list(obj.legal_bases.all())

    @staticmethod
    def resolve_inspector_requirements(obj: ItemVersion) -> list[str]:
        return [t.full_name for t in obj.inspector_requirements.select_related("parent")]

    @staticmethod
    def resolve_form_ids(obj: ItemVersion) -> list[int]:
        return [f.pk for f in obj.forms.all()]

    @staticmethod
    def resolve_published_by(obj: ItemVersion) -> str | None:
        return obj.published_by.display_name if obj.published_by_id else None


class ItemOut(Schema):
    id: int
    code: str
    department_id: int
    current: ItemVersionDetailOut
    versions: list[ItemVersionOut]


class FormFieldOut(Schema):
    position: int
    key: str
    label: str
    field_type: str
    required: bool
    options: list[str]
    help_text: str


class FormVersionOut(Schema):
    id: int
    form_id: int
    code: str
    kind: str
    department_id: int
    version: int
    status: str
    name: str
    description: str
    published_at: datetime | None
    fields: list[FormFieldOut]

    @staticmethod
    def resolve_code(obj: FormVersion) -> str:
        return obj.form.code

    @staticmethod
    def resolve_kind(obj: FormVersion) -> str:
        return obj.form.kind

    @staticmethod
    def resolve_department_id(obj: FormVersion) -> int:
        return obj.form.department_id

    @staticmethod
    def resolve_fields(obj: FormVersion):
        return list(obj.fields.all())


@router.get("/items", response=list[ItemVersionOut], summary="抽查事项（每项一行：可见的最新版本）")
@paginate(Pages, page_size=50)
def list_items(
    request, q: str = "", kind: str = "", status: str = "", target_type: str = "", department: int | None = None
):
    qs = access.head_versions(request.user).select_related("item", "item__department")
    if q:
        qs = qs.filter(Q(item__code__icontains=q) | Q(name__icontains=q) | Q(national_code__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status == "withdrawn":
        qs = qs.filter(item__withdrawn_at__isnull=False)
    elif status:
        qs = qs.filter(status=status, item__withdrawn_at__isnull=True)
    if target_type:
        qs = qs.filter(target_types__icontains=f'"{target_type}"')
    if department is not None:
        qs = qs.filter(item__department_id=department)
    return qs.order_by("item__department__path", "item__code")


@router.get("/items/{item_id}", response=ItemOut, summary="抽查事项详情与版本历史")
def get_item(request, item_id: int):
    item = access.visible_items(request.user).select_related("department").filter(pk=item_id).first()
    if item is None:
        raise Http404("未找到该事项，或不在您的数据范围内。")
    sees_drafts = access.may_see_drafts(request.user, item.department)
    current = item.latest_version if sees_drafts else item.published_version
    versions = access.visible_versions(request.user).filter(item=item).select_related("item", "item__department")
    return {
        "id": item.pk,
        "code": item.code,
        "department_id": item.department_id,
        "current": current,
        "versions": list(versions.order_by("-version")),
    }


@router.get("/versions/{version_id}", response=ItemVersionDetailOut, summary="事项的某一版本")
def get_version(request, version_id: int):
    version = (
        access.visible_versions(request.user)
        .select_related("item", "item__department", "published_by")
        .filter(pk=version_id)
        .first()
    )
    if version is None:
        raise Http404("未找到该版本，或不在您的数据范围内。")
    return version


@router.get("/forms", response=list[FormVersionOut], summary="检查表格库（每张表一行：可见的最新版本）")
@paginate(Pages, page_size=50)
def list_forms(request, q: str = "", kind: str = "", published_only: bool = False):
    qs = access.head_form_versions(request.user).select_related("form")
    if q:
        qs = qs.filter(Q(form__code__icontains=q) | Q(name__icontains=q))
    if kind:
        qs = qs.filter(form__kind=kind)
    if published_only:
        qs = qs.filter(status=VersionStatus.PUBLISHED)
    return qs.prefetch_related("fields").order_by("form__department__path", "form__code")


@router.get("/forms/{form_id}", response=FormVersionOut, summary="检查表格（可见的最新版本，或指定版本）")
def get_form(request, form_id: int, version: int | None = None):
    form = access.visible_forms(request.user).select_related("department").filter(pk=form_id).first()
    if form is None:
        raise Http404("未找到该表格，或不在您的数据范围内。")
    if version is not None:
        found = access.visible_form_versions(request.user).filter(form=form, version=version).first()
        if found is None:
            raise Http404("未找到该版本，或不在您的数据范围内。")
        return found
    return form.latest_version if access.may_see_drafts(request.user, form.department) else form.published_version
