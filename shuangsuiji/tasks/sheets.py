"""一企一表 (one joint record form per drawn target): what the page and the PDF show.

A sheet brings together, for one target of a task's target draw:

- the target's business details (名称、统一社会信用代码、法定代表人、住所、经营范围 …);
- per participating department, lead first: its items (with methods, 检查内容 and 法律依据)
  and the published version of each check form of those items with its fields;
- the department's current inspectors and experts for this target (name, 执法证号, unit) from
  its live inspector draw, or an explicit "尚未抽取检查人员" state.

Builders take a list of drawn targets and run a constant number of queries whatever its
length (participants with items and forms, the live inspector draws, the assignments).
Nothing here checks access: the views call ``sealed.require_sealed`` first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from shuangsuiji.items.models import CHOICE_TYPES, CheckForm, FieldType, FormField
from shuangsuiji.tasks.models import (
    LIVE,
    Assignment,
    Draw,
    DrawKind,
    DrawnTarget,
    DrawStatus,
    ItemWithdrawal,
    Task,
    TaskParticipant,
)
from shuangsuiji.tasks.services import participants_lead_first, stratum_label

NOT_DRAWN = "尚未抽取检查人员"
FROZEN = "尚未抽取检查人员（检查人员抽取已冻结，待抽取）"
NONE_FOR_TARGET = "本对象未分配到检查人员（可用人员不足，待递补抽取）"
WITHDRAWN = "本部门已报告该对象不属本部门职责：本部门事项已移除，不派检查人员"

ORDINALS = "一二三四五六七八九十"

INSPECTOR_LABEL = "执法检查人员"
EXPERT_LABEL = "专家"


# --- The sheet -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    position: int
    label: str
    type_label: str
    required: bool
    help_text: str
    choices: tuple[str, ...]  # boxes to tick on paper (是/否, or the options); empty: write in
    is_attachment: bool


@dataclass(frozen=True)
class Form:
    code: str
    name: str
    version: int
    kind_label: str
    description: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class SubItem:
    code: str
    name: str
    check_content: str


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    kind_label: str
    version: int
    methods: tuple[str, ...]
    sub_items: tuple[SubItem, ...]
    legal_bases: tuple[str, ...]
    forms: tuple[Form, ...]


@dataclass(frozen=True)
class Person:
    name: str
    certificate_no: str
    unit: str
    is_expert: bool
    from_substitution: bool

    @property
    def role_label(self) -> str:
        return EXPERT_LABEL if self.is_expert else INSPECTOR_LABEL


@dataclass(frozen=True)
class Department:
    department_id: int
    ordinal: str  # 一、二 … in the sheet's order (lead first)
    name: str
    role: str
    role_label: str
    unit_name: str  # 承办股室, may be blank
    items: tuple[Item, ...]
    inspector_draw_id: str  # blank when there is no live inspector draw
    people: tuple[Person, ...]  # inspectors first, then experts
    inspector_state: str  # blank when people are listed; else why nobody is listed

    @property
    def is_lead(self) -> bool:
        return self.role == TaskParticipant.Role.LEAD

    @property
    def inspectors(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if not p.is_expert)

    @property
    def experts(self) -> tuple[Person, ...]:
        return tuple(p for p in self.people if p.is_expert)

    @property
    def inspectors_drawn(self) -> bool:
        return bool(self.people)


@dataclass(frozen=True)
class TargetDetails:
    pk: int
    code: str
    uscc: str
    name: str
    legal_representative: str
    address: str
    business_scope: str
    type_label: str
    region: str
    industry: str
    risk_label: str


@dataclass(frozen=True)
class Sheet:
    number: str
    position: int
    stratum: str
    from_reserve: bool
    task: Task
    draw_id: str
    target: TargetDetails
    departments: tuple[Department, ...]

    @property
    def all_inspectors_drawn(self) -> bool:
        return all(d.inspectors_drawn for d in self.departments)


def sheet_number(task: Task, position: int) -> str:
    return f"{task.code}-{position:03d}"


# --- Queries --------------------------------------------------------------------------------


def live_inspector_draws(target_draw: Draw) -> dict[int, Draw]:
    """Department id → its live (frozen or drawn) inspector draw for this target draw."""
    return {
        d.department_id: d
        for d in target_draw.inspector_draws.filter(kind=DrawKind.INSPECTORS, status__in=LIVE).order_by("id")
    }


def assigned_target_ids(target_draw: Draw, inspector) -> QuerySet:
    """Targets where ``inspector`` has a current assignment in a live inspector draw."""
    return Assignment.objects.filter(
        draw__target_draw=target_draw,
        draw__kind=DrawKind.INSPECTORS,
        draw__status__in=LIVE,
        inspector=inspector,
        ended_at__isnull=True,
    ).values("target_id")


def is_assigned(target_draw: Draw, inspector, target_id: int) -> bool:
    return assigned_target_ids(target_draw, inspector).filter(target_id=target_id).exists()


def drawn_targets(target_draw: Draw, only_inspector=None, q: str = "") -> QuerySet[DrawnTarget]:
    """The draw's current targets in draw order, optionally an inspector's own and/or searched."""
    qs = DrawnTarget.objects.filter(draw=target_draw, replaced_by__isnull=True).select_related(
        "target", "target__industry", "target__region__parent__parent"
    )
    if only_inspector is not None:
        qs = qs.filter(target_id__in=assigned_target_ids(target_draw, only_inspector))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(target__name__icontains=q) | Q(target__code__icontains=q) | Q(target__uscc__icontains=q))
    return qs.order_by("position")


# --- Builders -------------------------------------------------------------------------------


def _field(f: FormField) -> Field:
    if f.field_type == FieldType.BOOLEAN:
        choices: tuple[str, ...] = ("是", "否")
    elif f.field_type in CHOICE_TYPES:
        choices = tuple(str(o) for o in (f.options or []))
    else:
        choices = ()
    return Field(
        position=f.position,
        label=f.label,
        type_label=f.get_field_type_display(),
        required=f.required,
        help_text=f.help_text,
        choices=choices,
        is_attachment=f.field_type == FieldType.ATTACHMENT,
    )


def _form(form: CheckForm) -> Form | None:
    fv = form.published_version
    if fv is None:  # never published (or withdrawn): not part of the record
        return None
    return Form(
        code=form.code,
        name=fv.name,
        version=fv.version,
        kind_label=form.get_kind_display(),
        description=fv.description,
        fields=tuple(_field(f) for f in fv.fields.all()),
    )


def _item(task_item) -> Item:
    iv = task_item.item_version
    forms = tuple(f for f in (_form(cf) for cf in iv.forms.all()) if f is not None)
    return Item(
        code=iv.item.code,
        name=iv.name,
        kind_label=iv.get_kind_display(),
        version=iv.version,
        methods=tuple(task_item.method_labels),
        sub_items=tuple(SubItem(s.code, s.name, s.check_content) for s in iv.sub_items.all()),
        legal_bases=tuple(f"{b.law}{b.articles}" for b in iv.legal_bases.all()),
        forms=forms,
    )


def _participants(task: Task) -> list[TaskParticipant]:
    parts = participants_lead_first(task)
    prefetch_related_objects(
        parts,
        "items__item_version__sub_items",
        "items__item_version__legal_bases",
        Prefetch(
            "items__item_version__forms",
            queryset=CheckForm.objects.select_related("published_version").order_by("code"),
        ),
        Prefetch(
            "items__item_version__forms__published_version__fields",
            queryset=FormField.objects.order_by("position"),
        ),
    )
    return parts


def _target_details(t) -> TargetDetails:
    return TargetDetails(
        pk=t.pk,
        code=t.code,
        uscc=t.uscc or "",
        name=t.name,
        legal_representative=t.legal_representative,
        address=t.address,
        business_scope=t.business_scope,
        type_label=t.get_target_type_display(),
        region=t.region.full_name if t.region_id else "",
        industry=f"{t.industry.code} {t.industry.name}" if t.industry_id else "",
        risk_label=t.get_risk_class_display(),
    )


def _person(a: Assignment) -> Person:
    i = a.inspector
    return Person(
        name=i.name,
        certificate_no=i.certificate_no,
        unit=i.organisation.name if i.organisation_id else "",
        is_expert=a.is_expert,
        from_substitution=a.from_substitution,
    )


def build_sheets(task: Task, target_draw: Draw, targets: Iterable[DrawnTarget]) -> list[Sheet]:
    """One sheet per drawn target, in the given order; a constant number of queries."""
    targets = list(targets)
    if not targets:
        return []
    parts = _participants(task)
    items = {p.pk: tuple(_item(ti) for ti in p.items.all()) for p in parts}
    idraws = live_inspector_draws(target_draw)
    people: dict[tuple[int, int], list[Person]] = defaultdict(list)
    drawn_ids = [d.pk for d in idraws.values() if d.status == DrawStatus.DRAWN]
    if drawn_ids:
        rows = (
            Assignment.objects.filter(
                draw_id__in=drawn_ids, target_id__in=[dt.target_id for dt in targets], ended_at__isnull=True
            )
            .select_related("inspector", "inspector__organisation")
            .order_by("is_expert", "id")
        )
        dept_of = {d.pk: dep for dep, d in idraws.items()}
        for a in rows:
            people[(dept_of[a.draw_id], a.target_id)].append(_person(a))

    withdrawn = set(
        ItemWithdrawal.objects.filter(draw=target_draw, target_id__in=[dt.target_id for dt in targets]).values_list(
            "department_id", "target_id"
        )
    )
    sheets = []
    for dt in targets:
        departments = []
        for n, p in enumerate(parts):
            idraw = idraws.get(p.department_id)
            listed = tuple(people.get((p.department_id, dt.target_id), ()))
            out = (p.department_id, dt.target_id) in withdrawn
            if out:
                state = WITHDRAWN
            elif idraw is None:
                state = NOT_DRAWN
            elif idraw.status != DrawStatus.DRAWN:
                state = FROZEN
            elif not listed:
                state = NONE_FOR_TARGET
            else:
                state = ""
            departments.append(
                Department(
                    department_id=p.department_id,
                    ordinal=ORDINALS[n] if n < len(ORDINALS) else str(n + 1),
                    name=p.department.name,
                    role=p.role,
                    role_label=p.get_role_display(),
                    unit_name=p.unit.name if p.unit_id else "",
                    items=() if out else items[p.pk],
                    inspector_draw_id=idraw.draw_id if idraw is not None else "",
                    people=listed,
                    inspector_state=state,
                )
            )
        sheets.append(
            Sheet(
                number=sheet_number(task, dt.position),
                position=dt.position,
                stratum=stratum_label(dt.stratum),
                from_reserve=dt.from_reserve,
                task=task,
                draw_id=target_draw.draw_id,
                target=_target_details(dt.target),
                departments=tuple(departments),
            )
        )
    return sheets


def build_sheet(task: Task, target_draw: Draw, drawn_target: DrawnTarget) -> Sheet:
    return build_sheets(task, target_draw, [drawn_target])[0]


def sheets_for(task: Task, target_draw: Draw, only_inspector=None) -> list[Sheet]:
    """Every sheet of the draw (or only the targets ``only_inspector`` is assigned to)."""
    return build_sheets(task, target_draw, drawn_targets(target_draw, only_inspector))
