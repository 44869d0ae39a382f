"""Every state change of item lists and check forms, and the queries later issues call.

For planning and tasks (later issues):
- :func:`published_items` – the items a department may inspect (latest published version of
  each item, withdrawn items excluded);
- :func:`published_forms` – the forms a department may use;
- :func:`validate_answers` – check an inspector's answers (一企一表) against a form version.

Versioning: a published version is immutable; :func:`start_revision` opens the next draft
(version + 1), :func:`publish_item` publishes it and marks the previous one superseded.
Claiming (:func:`claim`) copies a published item of the level above into a draft of the
claimer's list and keeps the link to its source version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from shuangsuiji.audit.context import acting
from shuangsuiji.audit.services import record
from shuangsuiji.items.access import ancestor_departments
from shuangsuiji.items.models import (
    CHOICE_TYPES,
    GENERAL_MIN_RATIO,
    CheckForm,
    FieldType,
    FormField,
    FormVersion,
    Item,
    ItemKind,
    ItemList,
    ItemVersion,
    LegalBasis,
    SubItem,
    VersionStatus,
)
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.ratios import RatioError, parse_fraction
from shuangsuiji.rules import RuleError
from shuangsuiji.targets.choices import InspectionMethod, TargetType


class ItemRuleError(RuleError):
    """A refused change of an item list, item or form."""


@dataclass
class ItemContent:
    """The editable content of an item version."""

    name: str
    kind: str = ItemKind.GENERAL
    min_ratio: Decimal | None = None  # None: the list's default for general items
    frequency: str = ""
    target_types: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    national_code: str = ""
    remarks: str = ""
    change_note: str = ""
    sub_items: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, check content)
    legal_bases: list[tuple[str, str]] = field(default_factory=list)  # (law, articles)
    requirements: list = field(default_factory=list)  # tags.Tag
    forms: list = field(default_factory=list)  # CheckForm

    @classmethod
    def of(cls, version: ItemVersion) -> ItemContent:
        return cls(
            name=version.name,
            kind=version.kind,
            min_ratio=version.min_ratio,
            frequency=version.frequency,
            target_types=list(version.target_types),
            methods=list(version.methods),
            national_code=version.national_code,
            remarks=version.remarks,
            change_note="",
            sub_items=[(s.code, s.name, s.check_content) for s in version.sub_items.all()],
            legal_bases=[(b.law, b.articles) for b in version.legal_bases.all()],
            requirements=list(version.inspector_requirements.all()),
            forms=list(version.forms.all()),
        )


@dataclass
class FieldSpec:
    label: str
    field_type: str
    required: bool = True
    options: list[str] = field(default_factory=list)
    help_text: str = ""
    key: str = ""  # empty: f1, f2 … by position


# --- Reading (for later issues) -------------------------------------------------------------


def published_items(department: Organisation) -> QuerySet[ItemVersion]:
    """The items ``department`` may inspect: the latest published version of each of its items,
    withdrawn items excluded."""
    return (
        ItemVersion.objects.filter(
            item__department=department, status=VersionStatus.PUBLISHED, item__withdrawn_at__isnull=True
        )
        .select_related("item")
        .order_by("item__code")
    )


def published_forms(department: Organisation) -> QuerySet[FormVersion]:
    return (
        FormVersion.objects.filter(form__department=department, status=VersionStatus.PUBLISHED)
        .select_related("form")
        .order_by("form__code")
    )


def claimable_versions(department: Organisation) -> QuerySet[ItemVersion]:
    """Published, current items of the departments above ``department`` in its line."""
    uppers = [d.pk for d in ancestor_departments(department)]
    return (
        ItemVersion.objects.filter(
            item__department__in=uppers, status=VersionStatus.PUBLISHED, item__withdrawn_at__isnull=True
        )
        .select_related("item", "item__department")
        .order_by("item__department__path", "item__code")
    )


def claimed_source_items(department: Organisation) -> dict[int, Item]:
    """Upper-level item id → the item of ``department`` claimed from it."""
    out: dict[int, Item] = {}
    for v in ItemVersion.objects.filter(item__department=department, claimed_from__isnull=False).select_related(
        "item", "claimed_from"
    ):
        out.setdefault(v.claimed_from.item_id, v.item)
    return out


# --- Item lists -----------------------------------------------------------------------------


def get_item_list(department: Organisation) -> ItemList:
    if department.kind != Organisation.Kind.DEPARTMENT:
        raise ItemRuleError("事项清单只属于部门。")
    item_list = ItemList.objects.filter(department=department).first()
    if item_list is None:
        with transaction.atomic():
            item_list = ItemList.objects.create(department=department)
    return item_list


def _refresh_list_status(department: Organisation, *, published_by=None, published_now=False) -> None:
    item_list = get_item_list(department)
    has_drafts = Item.objects.filter(
        department=department, latest_version__status=VersionStatus.DRAFT, withdrawn_at__isnull=True
    ).exists()
    wanted = ItemList.Status.DRAFT if has_drafts else ItemList.Status.PUBLISHED
    changed = item_list.status != wanted
    item_list.status = wanted
    if published_now:
        item_list.revision += 1
        item_list.published_at = timezone.now()
        item_list.published_by = published_by
        changed = True
    if changed:
        item_list.save()


@transaction.atomic
def update_list_settings(item_list: ItemList, *, default_min_ratio: Decimal, user, reason: str = "") -> ItemList:
    ratio = _ratio(default_min_ratio)
    if ratio < GENERAL_MIN_RATIO or ratio > 1:
        raise ItemRuleError("「一般事项默认抽查比例」必须在 5% 到 100% 之间。")
    if item_list.default_min_ratio != ratio:
        with acting(action="items.list_settings", reason=reason):
            item_list.default_min_ratio = ratio
            item_list.save()
    return item_list


# --- Item drafts ----------------------------------------------------------------------------


def _ratio(value) -> Decimal:
    """The one ratio parser (shuangsuiji/ratios.py): a fraction, or a percent with its sign."""
    try:
        return parse_fraction(value)
    except RatioError as exc:
        raise ItemRuleError(f"「最低抽查比例」：{exc}。") from exc


def _check_draft_shape(content: ItemContent) -> None:
    """What even a draft must satisfy (the rest is checked on publishing)."""
    errors = []
    if not content.name.strip():
        errors.append("「事项名称」不能为空。")
    if content.kind not in ItemKind.values:
        errors.append("「事项类别」无效。")
    bad_types = [t for t in content.target_types if t not in TargetType.values]
    if bad_types:
        errors.append(f"「检查对象类型」无效：{'、'.join(bad_types)}。")
    bad_methods = [m for m in content.methods if m not in InspectionMethod.values]
    if bad_methods:
        errors.append(f"「检查方式」无效：{'、'.join(bad_methods)}。")
    codes = [c.strip() for c, _n, _t in content.sub_items]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        errors.append(f"「子项」编码重复：{'、'.join(duplicates)}。")
    if content.min_ratio is not None:
        try:
            _ratio(content.min_ratio)
        except ItemRuleError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ItemRuleError(errors)


def _write_content(version: ItemVersion, content: ItemContent, item_list: ItemList) -> None:
    before_m2m = _m2m_summary(version) if version.pk else None
    version.name = content.name.strip()
    version.kind = content.kind
    if content.min_ratio is None:
        version.min_ratio = item_list.default_min_ratio
    else:
        version.min_ratio = _ratio(content.min_ratio)
    version.frequency = content.frequency.strip()
    version.target_types = [t for t in TargetType.values if t in content.target_types]
    version.methods = [m for m in InspectionMethod.values if m in content.methods]
    version.national_code = content.national_code.strip()
    version.remarks = content.remarks.strip()
    version.change_note = content.change_note.strip()
    version.save()

    wanted_subs = [(c.strip(), n.strip(), t.strip()) for c, n, t in content.sub_items]
    current_subs = [(s.code, s.name, s.check_content) for s in version.sub_items.all()]
    if wanted_subs != current_subs:
        for s in version.sub_items.all():
            s.delete()
        for pos, (code, name, text) in enumerate(wanted_subs, start=1):
            SubItem.objects.create(version=version, position=pos, code=code, name=name, check_content=text)
    wanted_bases = [(law.strip(), art.strip()) for law, art in content.legal_bases]
    current_bases = [(b.law, b.articles) for b in version.legal_bases.all()]
    if wanted_bases != current_bases:
        for b in version.legal_bases.all():
            b.delete()
        for pos, (law, articles) in enumerate(wanted_bases, start=1):
            LegalBasis.objects.create(version=version, position=pos, law=law, articles=articles)
    version.inspector_requirements.set(content.requirements)
    version.forms.set(content.forms)
    after_m2m = _m2m_summary(version)
    if after_m2m != before_m2m:
        record(
            action=_current_action("items.save_draft"),
            obj=version,
            before=before_m2m,
            after=after_m2m,
        )


def _current_action(default: str) -> str:
    from shuangsuiji.audit.context import current

    return current().action or default


def _m2m_summary(version: ItemVersion) -> dict:
    return {
        "inspector_requirements": sorted(t.full_name for t in version.inspector_requirements.all()),
        "forms": sorted(f.code for f in version.forms.all()),
    }


def _set_latest(item: Item, version: ItemVersion) -> None:
    if item.latest_version_id != version.pk:
        item.latest_version = version
        item.save()


@transaction.atomic
def create_item(department: Organisation, *, code: str, content: ItemContent, user, reason: str = "") -> ItemVersion:
    """A new item of ``department``'s list, as draft version 1."""
    code = code.strip()
    if not code:
        raise ItemRuleError("「事项编码」不能为空。")
    if Item.objects.filter(department=department, code=code).exists():
        raise ItemRuleError(f"「事项编码」{code} 在本部门清单中已存在。")
    _check_draft_shape(content)
    item_list = get_item_list(department)
    with acting(action="items.create", reason=reason):
        item = Item.objects.create(department=department, code=code)
        version = ItemVersion(item=item, version=1, created_by=user)
        _write_content(version, content, item_list)
        _set_latest(item, version)
        _refresh_list_status(department)
    return version


@transaction.atomic
def start_revision(item: Item, user, reason: str = "") -> ItemVersion:
    """The item's draft: the open one, or a new version copied from the published one."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    draft = item.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    if item.is_withdrawn:
        raise ItemRuleError("该事项已停用，不能修订。")
    base = item.published_version
    if base is None:
        raise ItemRuleError("该事项没有可修订的版本。")
    content = ItemContent.of(base)
    with acting(action="items.revise", reason=reason):
        version = ItemVersion(item=item, version=base.version + 1, created_by=user, claimed_from=base.claimed_from)
        _write_content(version, content, get_item_list(item.department))
        _set_latest(item, version)
        _refresh_list_status(item.department)
    return version


@transaction.atomic
def save_draft(version: ItemVersion, content: ItemContent, user, reason: str = "") -> ItemVersion:
    version = ItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ItemRuleError("已发布的版本不可修改；请先“修订”生成新版本。")
    _check_draft_shape(content)
    with acting(action="items.save_draft", reason=reason):
        _write_content(version, content, get_item_list(version.item.department))
    return version


@transaction.atomic
def edit_item(item: Item, content: ItemContent, user, reason: str = "") -> ItemVersion:
    """Save ``content`` as the item's draft, opening the next version if the item is published."""
    return save_draft(start_revision(item, user, reason), content, user, reason)


@transaction.atomic
def discard_draft(version: ItemVersion, user, reason: str = "") -> Item | None:
    """Delete a draft. A never-published item disappears with it; otherwise the published
    version becomes the latest again."""
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ItemRuleError("只能删除草稿。")
    item = version.item
    department = item.department
    with acting(action="items.discard_draft", reason=reason):
        item.latest_version = item.published_version
        item.save()
        version.inspector_requirements.clear()
        version.forms.clear()
        version.delete()
        if item.published_version_id is None:
            item.delete()
            item = None
        _refresh_list_status(department)
    return item


# --- Publishing -----------------------------------------------------------------------------


def publish_errors(version: ItemVersion) -> list[str]:
    """Why ``version`` cannot be published (empty: it can)."""
    errors = []
    if not version.name.strip():
        errors.append("「事项名称」不能为空。")
    bases = list(version.legal_bases.all())
    if not bases:
        errors.append("「法律依据」至少填写一条（法律法规名称及条款）。")
    for b in bases:
        if not b.law.strip():
            errors.append(f"「法律依据」第 {b.position} 条缺少法律法规名称。")
    subs = list(version.sub_items.all())
    if not subs:
        errors.append("「子项」至少填写一个（编码、名称、检查内容）。")
    for s in subs:
        if not s.code.strip() or not s.name.strip():
            errors.append(f"「子项」第 {s.position} 项缺少编码或名称。")
        elif not s.check_content.strip():
            errors.append(f"「子项」{s.code} 缺少检查内容。")
    if not version.target_types:
        errors.append("「检查对象类型」至少选择一项。")
    if not version.methods:
        errors.append("「检查方式」至少选择一项。")
    if not version.frequency.strip():
        errors.append("「抽查频次」不能为空，如“每年不少于1次”。")
    ratio = version.min_ratio
    percent = f"{(ratio * 100).normalize():f}%"
    if ratio > 1:
        errors.append(f"「最低抽查比例」不能超过 100%（当前 {percent}）。")
    elif version.kind == ItemKind.GENERAL and ratio < GENERAL_MIN_RATIO:
        errors.append(f"「最低抽查比例」：一般检查事项不得低于 5%（当前 {percent}）。")
    elif ratio <= 0:
        errors.append("「最低抽查比例」必须大于 0。")
    forms = list(version.forms.select_related("latest_version"))
    if not forms:
        errors.append("「检查表格」至少关联一张已发布的检查表格。")
    for f in forms:
        if f.published_version_id is None:
            errors.append(f"「检查表格」{f} 尚未发布。")
    if version.item.is_withdrawn:
        errors.append("该事项已停用，不能发布。")
    return errors


def _publish_one(version: ItemVersion, user) -> None:
    item = Item.objects.select_for_update().get(pk=version.item_id)
    previous = item.published_version
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save()
    version.status = VersionStatus.PUBLISHED
    version.published_by = user
    version.published_at = timezone.now()
    version.save()
    item.published_version = version
    item.latest_version = version
    item.save()


@transaction.atomic
def publish_item(version: ItemVersion, user, reason: str = "") -> ItemVersion:
    version = ItemVersion.objects.select_for_update().select_related("item").get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ItemRuleError("该版本已发布，无需重复发布。")
    errors = publish_errors(version)
    if errors:
        raise ItemRuleError(errors)
    with acting(action="items.publish", reason=reason):
        _publish_one(version, user)
        _refresh_list_status(version.item.department, published_by=user, published_now=True)
    return version


@transaction.atomic
def publish_list(department: Organisation, user, reason: str = "") -> list[ItemVersion]:
    """Publish every draft of the list at once, or none of them (the errors name each item)."""
    drafts = list(
        ItemVersion.objects.select_for_update()
        .filter(item__department=department, status=VersionStatus.DRAFT, item__withdrawn_at__isnull=True)
        .select_related("item")
        .order_by("item__code")
    )
    if not drafts:
        raise ItemRuleError("清单中没有待发布的草稿。")
    errors = []
    for v in drafts:
        errors.extend(f"{v.item.code} {v.name}：{e}" for e in publish_errors(v))
    if errors:
        raise ItemRuleError(errors)
    with acting(action="items.publish_list", reason=reason):
        for v in drafts:
            _publish_one(v, user)
        _refresh_list_status(department, published_by=user, published_now=True)
    return drafts


@transaction.atomic
def withdraw_item(item: Item, user, reason: str) -> Item:
    """Take an item out of the list (e.g. its legal basis was repealed). Its versions stay."""
    if not reason.strip():
        raise ItemRuleError("停用事项必须填写「停用原因」。")
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.is_withdrawn:
        raise ItemRuleError("该事项已停用。")
    with acting(action="items.withdraw", reason=reason):
        item.withdrawn_at = timezone.now()
        item.withdrawn_by = user
        item.withdraw_reason = reason.strip()
        item.save()
        _refresh_list_status(item.department)
    return item


# --- Claiming -------------------------------------------------------------------------------


@transaction.atomic
def claim(source: ItemVersion, department: Organisation, user, reason: str = "") -> ItemVersion:
    """Adopt ``source`` (published by a department above ``department``) into a draft of
    ``department``'s list; the copy keeps ``claimed_from`` = ``source``."""
    source = ItemVersion.objects.select_related("item", "item__department").get(pk=source.pk)
    if source.status != VersionStatus.PUBLISHED or source.item.is_withdrawn:
        raise ItemRuleError("只能认领上级部门已发布的现行事项。")
    uppers = ancestor_departments(department)
    if source.item.department_id not in {d.pk for d in uppers}:
        names = "、".join(d.name for d in uppers) or "无"
        raise ItemRuleError(f"只能认领本系统上级部门（{names}）发布的事项。")
    already = claimed_source_items(department).get(source.item_id)
    if already is not None:
        raise ItemRuleError(f"该事项已认领：本部门清单中的“{already}”即认领自此事项。")
    code = source.item.code
    if Item.objects.filter(department=department, code=code).exists():
        raise ItemRuleError(f"本部门清单中已有编码为 {code} 的事项，无法认领同编码的上级事项。")
    content = ItemContent.of(source)
    item_list = get_item_list(department)
    with acting(action="items.claim", reason=reason or f"认领{source.item.department.name}事项 {code}"):
        item = Item.objects.create(department=department, code=code)
        version = ItemVersion(item=item, version=1, created_by=user, claimed_from=source)
        _write_content(version, content, item_list)
        _set_latest(item, version)
        _refresh_list_status(department)
    return version


# --- Check forms ----------------------------------------------------------------------------


def _check_fields(fields: list[FieldSpec], *, for_publish: bool) -> list[str]:
    errors = []
    if for_publish and not fields:
        errors.append("「表格字段」至少填写一个。")
    labels: list[str] = []
    keys: list[str] = []
    for pos, f in enumerate(fields, start=1):
        where = f"第 {pos} 个字段"
        label = f.label.strip()
        if not label:
            errors.append(f"{where}缺少「字段名称」。")
        elif label in labels:
            errors.append(f"字段名称“{label}”重复。")
        labels.append(label)
        key = f.key or f"f{pos}"
        if key in keys:
            errors.append(f"{where}的字段键 {key} 重复。")
        keys.append(key)
        if f.field_type not in FieldType.values:
            errors.append(f"{where}“{label}”的「字段类型」无效：{f.field_type}。")
        if f.field_type in CHOICE_TYPES:
            options = [o.strip() for o in f.options if o.strip()]
            if len(options) < 2:
                errors.append(f"{where}“{label}”是选择题，至少需要两个选项。")
            if len(set(options)) != len(options):
                errors.append(f"{where}“{label}”的选项重复。")
        elif f.options:
            errors.append(f"{where}“{label}”不是选择题，不能设置选项。")
    return errors


def _write_fields(version: FormVersion, fields: list[FieldSpec]) -> None:
    wanted = [
        (
            f.key or f"f{pos}",
            f.label.strip(),
            f.field_type,
            bool(f.required),
            [o.strip() for o in f.options if o.strip()],
            f.help_text.strip(),
        )
        for pos, f in enumerate(fields, start=1)
    ]
    current = [(x.key, x.label, x.field_type, x.required, x.options, x.help_text) for x in version.fields.all()]
    if wanted == current:
        return
    for x in version.fields.all():
        x.delete()
    for pos, (key, label, ftype, required, options, help_text) in enumerate(wanted, start=1):
        FormField.objects.create(
            form_version=version,
            position=pos,
            key=key,
            label=label,
            field_type=ftype,
            required=required,
            options=options,
            help_text=help_text,
        )


@transaction.atomic
def create_form(
    department: Organisation,
    *,
    code: str,
    name: str,
    kind: str = CheckForm.Kind.CUSTOM,
    description: str = "",
    fields: list[FieldSpec],
    user,
    reason: str = "",
) -> FormVersion:
    code = code.strip()
    errors = []
    if not code:
        errors.append("「表格编码」不能为空。")
    elif CheckForm.objects.filter(department=department, code=code).exists():
        errors.append(f"「表格编码」{code} 在本部门表格库中已存在。")
    if not name.strip():
        errors.append("「表格名称」不能为空。")
    if kind not in CheckForm.Kind.values:
        errors.append("「表格类别」无效。")
    errors += _check_fields(fields, for_publish=False)
    if errors:
        raise ItemRuleError(errors)
    with acting(action="items.form_create", reason=reason):
        form = CheckForm.objects.create(department=department, code=code, kind=kind)
        version = FormVersion.objects.create(
            form=form, version=1, name=name.strip(), description=description.strip(), created_by=user
        )
        _write_fields(version, fields)
        form.latest_version = version
        form.save()
    return version


@transaction.atomic
def start_form_revision(form: CheckForm, user, reason: str = "") -> FormVersion:
    form = CheckForm.objects.select_for_update().get(pk=form.pk)
    draft = form.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is not None:
        return draft
    base = form.published_version
    if base is None:
        raise ItemRuleError("该表格没有可修订的版本。")
    with acting(action="items.form_revise", reason=reason):
        version = FormVersion.objects.create(
            form=form, version=base.version + 1, name=base.name, description=base.description, created_by=user
        )
        _write_fields(version, [spec_of(x) for x in base.fields.all()])
        form.latest_version = version
        form.save()
    return version


def spec_of(f: FormField) -> FieldSpec:
    return FieldSpec(
        label=f.label, field_type=f.field_type, required=f.required, options=list(f.options), help_text=f.help_text
    )


@transaction.atomic
def save_form_draft(
    version: FormVersion, *, name: str, description: str, fields: list[FieldSpec], user, reason: str = ""
) -> FormVersion:
    version = FormVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ItemRuleError("已发布的表格版本不可修改；请先“修订”生成新版本。")
    errors = [] if name.strip() else ["「表格名称」不能为空。"]
    errors += _check_fields(fields, for_publish=False)
    if errors:
        raise ItemRuleError(errors)
    with acting(action="items.form_save", reason=reason):
        if (version.name, version.description) != (name.strip(), description.strip()):
            version.name, version.description = name.strip(), description.strip()
            version.save()
        _write_fields(version, fields)
    return version


@transaction.atomic
def edit_form(form: CheckForm, *, name: str, description: str, fields: list[FieldSpec], user, reason: str = ""):
    """Save a form's draft, opening the next version if the form is published."""
    draft = start_form_revision(form, user, reason)
    return save_form_draft(draft, name=name, description=description, fields=fields, user=user, reason=reason)


@transaction.atomic
def publish_form(version: FormVersion, user, reason: str = "") -> FormVersion:
    version = FormVersion.objects.select_for_update().select_related("form").get(pk=version.pk)
    if version.status != VersionStatus.DRAFT:
        raise ItemRuleError("该表格版本已发布，无需重复发布。")
    errors = [] if version.name.strip() else ["「表格名称」不能为空。"]
    errors += _check_fields([spec_of(x) for x in version.fields.all()], for_publish=True)
    if errors:
        raise ItemRuleError(errors)
    with acting(action="items.form_publish", reason=reason):
        form = CheckForm.objects.select_for_update().get(pk=version.form_id)
        previous = form.published_version
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.save()
        version.status = VersionStatus.PUBLISHED
        version.published_by = user
        version.published_at = timezone.now()
        version.save()
        form.published_version = version
        form.latest_version = version
        form.save()
    return version


# --- Answers (一企一表) ------------------------------------------------------------------------

TEXT_MAX = 2000


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def validate_answers(form_version: FormVersion, answers: dict) -> list[str]:
    """Check ``answers`` (field key → value) against the form; returns Chinese error messages.

    Values: boolean → ``True``/``False``; single choice → one option string; multiple choice →
    list of option strings; text → string; number → int/Decimal/float or a numeric string;
    date → ``datetime.date`` or "YYYY-MM-DD"; photo/attachment → a file reference string or
    a list of them. Missing or empty answers are allowed only for optional fields.
    """
    errors: list[str] = []
    if not isinstance(answers, dict):
        return ["答案格式无效：应为“字段键 → 值”的对象。"]
    fields = list(form_version.fields.all())
    known = {f.key for f in fields}
    for key in sorted(set(answers) - known, key=str):
        errors.append(f"未知字段：{key}。")
    for f in fields:
        value = answers.get(f.key)
        name = f"「{f.label}」"
        if _is_empty(value):
            if f.required:
                errors.append(f"{name}为必填项。")
            continue
        error = _field_error(f, value)
        if error:
            errors.append(f"{name}{error}")
    return errors


def _field_error(f: FormField, value) -> str:
    t = f.field_type
    if t == FieldType.BOOLEAN:
        return "" if isinstance(value, bool) else "应为“是”或“否”。"
    if t == FieldType.SINGLE_CHOICE:
        if not isinstance(value, str):
            return "应为一个选项。"
        return "" if value in f.options else f"的选项“{value}”不在可选项（{'、'.join(f.options)}）中。"
    if t == FieldType.MULTIPLE_CHOICE:
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            return "应为选项列表。"
        bad = [v for v in value if v not in f.options]
        if bad:
            return f"的选项“{'、'.join(bad)}”不在可选项（{'、'.join(f.options)}）中。"
        return "选项重复。" if len(set(value)) != len(value) else ""
    if t == FieldType.TEXT:
        if not isinstance(value, str):
            return "应为文字。"
        return f"不能超过 {TEXT_MAX} 个字。" if len(value) > TEXT_MAX else ""
    if t == FieldType.NUMBER:
        if isinstance(value, bool):
            return "应为数字。"
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return "应为数字。"
        return "" if number.is_finite() else "应为数字。"
    if t == FieldType.DATE:
        if isinstance(value, dt.datetime):
            return "应为日期（不含时间）。"
        if isinstance(value, dt.date):
            return ""
        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value.strip())
            except ValueError:
                return "应为日期，格式 YYYY-MM-DD。"
            return ""
        return "应为日期，格式 YYYY-MM-DD。"
    if t == FieldType.ATTACHMENT:
        refs = [value] if isinstance(value, str) else value
        if not isinstance(refs, list | tuple) or not all(isinstance(r, str) and r.strip() for r in refs):
            return "应为照片或附件（文件引用）。"
        return ""
    return "字段类型未知。"
