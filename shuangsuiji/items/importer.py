"""Importing the item list (事项清单导入): columns, row validation, upsert into drafts.

Upsert key: 部门 + 事项编码. An import never publishes: a new code becomes a draft item
(version 1); a code that exists gets its content saved as the item's draft, opening the next
version when the item is published (the published version stays in force until the list is
published again, see ``services.publish_list``). A row equal to the item's latest version is
counted unchanged. Every change goes through ``services`` (same rules and audit entries as the
entry form), inside the import's one transaction.

部门 is the department's full name; it may be left blank by someone who keeps one
department's list (部门系统管理员, 业务股室操作员, 双随机办), and must be a department whose list
the importing user may edit. 子项 and 法律依据 take one entry per line, fields separated by
｜ (or |). 执法检查人员要求 are tag names of the tag library (专业特长/水土保持 or 水土保持),
检查表格 are form codes of the department (or published forms of the level above).
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

from shuangsuiji import ratios
from shuangsuiji.imports.runner import Column, Counts, Importer, RowError, register
from shuangsuiji.items import access, services
from shuangsuiji.items.models import GENERAL_MIN_RATIO, CheckForm, Item, ItemKind, ItemList
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.tags.models import Tag
from shuangsuiji.tags.services import tags_by_name
from shuangsuiji.targets.choices import InspectionMethod, TargetType
from shuangsuiji.targets.validation import split_list

COLUMNS = (
    Column("部门", "department", example="", note="部门全称；只维护一个部门清单的用户可留空"),
    Column("事项编码", "code", required=True, example="SW-001", note="本部门内唯一；按部门+事项编码更新"),
    Column("事项名称", "name", required=True, example="生产建设项目水土保持方案实施情况的监督检查"),
    Column("事项类别", "kind", required=True, example="一般检查事项", note="重点检查事项 / 一般检查事项"),
    Column(
        "最低抽查比例（%）",
        "min_ratio",
        example="5",
        note="百分数，如 5 或 5%；一般检查事项不低于 5；留空取清单默认比例",
    ),
    Column("抽查频次", "frequency", example="每年不少于1次"),
    Column("检查对象类型", "target_types", example="项目、企业", note="、".join(TargetType.labels)),
    Column("检查方式", "methods", example="实地检查、书面检查", note="、".join(InspectionMethod.labels)),
    Column(
        "子项（每行：编码｜名称｜检查内容）",
        "sub_items",
        example="SW-001-01｜水土保持方案编报审批情况｜是否依法编报水土保持方案并经审批\n"
        "SW-001-02｜水土保持补偿费缴纳情况｜是否足额缴纳水土保持补偿费",
        note="每个子项一行",
    ),
    Column(
        "法律依据（每行：法律法规名称｜条款）",
        "legal_bases",
        example="《中华人民共和国水土保持法》｜第二十五条、第二十七条\n《生产建设项目水土保持监督管理办法》｜",
        note="每条一行",
    ),
    Column(
        "执法检查人员要求",
        "requirements",
        example="专业特长/水土保持",
        note="标签字库中的名称（适用于执法检查人员），多个以顿号分隔",
    ),
    Column("检查表格", "forms", example="", note="检查表格库中的表格编码，多个以顿号分隔"),
    Column("“互联网+监管”事项编码", "national_code", example=""),
    Column("备注", "remarks", example=""),
)

_KINDS = {label: value for value, label in ItemKind.choices} | {"重点": ItemKind.KEY, "一般": ItemKind.GENERAL}
_TYPES = {label: value for value, label in TargetType.choices}
_METHODS = {label: value for value, label in InspectionMethod.choices}
_FIELD_SEP = re.compile(r"\s*[｜|]\s*")
_LIMITS = {"code": 64, "name": 200, "frequency": 100, "national_code": 64}


def parse_percent(value: str) -> Decimal | None:
    """ "5", "5%", "12.5" → 0.05, 0.05, 0.125; blank → None; ValueError with a Chinese reason."""
    if not value.strip():
        return None
    return ratios.parse_percent(value)  # RatioError is a ValueError with the reason in percent


def _lines(value: str) -> list[list[str]]:
    return [_FIELD_SEP.split(line.strip()) for line in value.splitlines() if line.strip()]


@register
class ItemImporter(Importer):
    kind = "items"
    title = "随机抽查事项"
    columns = COLUMNS
    batch_size = 200  # rows go through the services one by one; small batches show progress

    @classmethod
    def may_import(cls, user) -> bool:
        return access.editable_departments(user).exists()

    def begin(self) -> None:
        actor = self.job.created_by
        departments = (
            access.editable_departments(actor)
            if actor is not None
            else Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, is_active=True)
        )
        self.departments: dict[str, list[int]] = {}
        for pk, name in departments.values_list("pk", "name"):
            self.departments.setdefault(name, []).append(pk)
        pks = [pk for v in self.departments.values() for pk in v]
        own = access.kept_department(actor) if actor is not None else None
        self.default_department = own.pk if own is not None and own.pk in pks else None
        self.withdrawn = set(
            Item.objects.filter(department_id__in=pks, withdrawn_at__isnull=False).values_list("department_id", "code")
        )
        self.tags = {name: tag.pk for name, tag in tags_by_name(Tag.Scope.INSPECTORS).items()}
        self.forms = _form_codes(pks)
        ratios = dict(ItemList.objects.filter(department_id__in=pks).values_list("department_id", "default_min_ratio"))
        self.lists = {pk: ratios.get(pk, GENERAL_MIN_RATIO) for pk in pks}

    # --- validation ---------------------------------------------------------------------

    def clean(self, row: int, raw: dict[str, str]) -> tuple[Any, str | None, list[RowError]]:
        errors: list[RowError] = []
        out: dict[str, Any] = {}

        def fail(f: str, reason: str) -> None:
            errors.append(self.error(row, f, raw.get(f, ""), reason))

        dept_name = raw.get("department", "").strip()
        dept_ids = self.departments.get(dept_name, []) if dept_name else []
        if not dept_name:
            if self.default_department is None:
                fail("department", "请填写部门全称（您可维护多个部门的清单，或以命令行导入）")
            out["department_id"] = self.default_department
        elif not dept_ids:
            fail("department", "部门不存在，或您无权维护该部门的事项清单（请填写部门全称）")
            out["department_id"] = None
        elif len(dept_ids) > 1:
            fail("department", "部门名称不唯一，请由管理员导入")
            out["department_id"] = None
        else:
            out["department_id"] = dept_ids[0]
        dept = out["department_id"]

        for f in ("code", "name", "frequency", "national_code", "remarks"):
            out[f] = raw.get(f, "").strip()
            limit = _LIMITS.get(f)
            if limit and len(out[f]) > limit:
                fail(f, f"不能超过 {limit} 个字符")
        if not out["code"]:
            fail("code", "事项编码不能为空")
        if not out["name"]:
            fail("name", "事项名称不能为空")
        if dept is not None and (dept, out["code"]) in self.withdrawn:
            fail("code", "该事项已停用，不能通过导入修改")

        kind = raw.get("kind", "").strip()
        out["kind"] = _KINDS.get(kind)
        if out["kind"] is None:
            fail("kind", "事项类别应为“重点检查事项”或“一般检查事项”")

        try:
            out["min_ratio"] = parse_percent(raw.get("min_ratio", ""))
        except ValueError as exc:
            fail("min_ratio", str(exc))
            out["min_ratio"] = None
        ratio = out["min_ratio"] if out["min_ratio"] is not None else self.lists.get(dept)
        if out["kind"] == ItemKind.GENERAL and ratio is not None and ratio < GENERAL_MIN_RATIO:
            fail("min_ratio", "一般检查事项的最低抽查比例不得低于 5%")

        for f, labels, what in (("target_types", _TYPES, "检查对象类型"), ("methods", _METHODS, "检查方式")):
            values = []
            for label in split_list(raw.get(f, "")):
                if label in labels:
                    values.append(labels[label])
                else:
                    fail(f, f"{what}“{label}”无效，应为：{'、'.join(labels)}")
            out[f] = values

        subs = []
        for number, parts in enumerate(_lines(raw.get("sub_items", "")), start=1):
            if len(parts) != 3 or not parts[0] or not parts[1]:
                fail("sub_items", f"第 {number} 行应为“编码｜名称｜检查内容”三段")
            elif len(parts[0]) > 64 or len(parts[1]) > 200:
                fail("sub_items", f"第 {number} 行：子项编码不超过 64 字、名称不超过 200 字")
            else:
                subs.append(tuple(parts))
        codes = [s[0] for s in subs]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            fail("sub_items", f"子项编码重复：{'、'.join(repeated)}")
        out["sub_items"] = subs

        bases = []
        for number, parts in enumerate(_lines(raw.get("legal_bases", "")), start=1):
            if len(parts) == 1:
                parts = [parts[0], ""]
            if len(parts) != 2 or not parts[0]:
                fail("legal_bases", f"第 {number} 行应为“法律法规名称｜条款”")
            elif len(parts[0]) > 200 or len(parts[1]) > 300:
                fail("legal_bases", f"第 {number} 行：名称不超过 200 字、条款不超过 300 字")
            else:
                bases.append(tuple(parts))
        out["legal_bases"] = bases

        tag_ids = []
        for name in split_list(raw.get("requirements", "")):
            if name in self.tags:
                tag_ids.append(self.tags[name])
            else:
                fail("requirements", f"“{name}”不在标签字库中（或不适用于执法检查人员）")
        out["requirement_ids"] = sorted(set(tag_ids))

        form_ids = []
        for code in split_list(raw.get("forms", "")):
            pk = self.forms.get(dept, {}).get(code) if dept is not None else None
            if pk is None:
                fail("forms", f"检查表格“{code}”不在本部门的表格库中（或上级表格未发布）")
            else:
                form_ids.append(pk)
        out["form_ids"] = sorted(set(form_ids))

        key = f"{dept}:{out['code']}" if dept is not None and out["code"] else None
        return out, key, errors

    # --- writing ------------------------------------------------------------------------

    def apply(self, batch: list[dict[str, Any]]) -> Counts:
        counts = Counts()
        user = self.job.created_by
        reason = f"导入 {self.job.file_name}"
        tags = Tag.objects.in_bulk({pk for r in batch for pk in r["requirement_ids"]})
        forms = CheckForm.objects.in_bulk({pk for r in batch for pk in r["form_ids"]})
        existing = {
            (i.department_id, i.code): i
            for i in Item.objects.filter(
                department_id__in={r["department_id"] for r in batch}, code__in={r["code"] for r in batch}
            ).select_related("department", "latest_version")
        }
        departments = Organisation.objects.in_bulk({r["department_id"] for r in batch})
        for r in batch:
            content = services.ItemContent(
                name=r["name"],
                kind=r["kind"],
                min_ratio=r["min_ratio"],
                frequency=r["frequency"],
                target_types=r["target_types"],
                methods=r["methods"],
                national_code=r["national_code"],
                remarks=r["remarks"],
                change_note=reason[:200],
                sub_items=list(r["sub_items"]),
                legal_bases=list(r["legal_bases"]),
                requirements=[tags[pk] for pk in r["requirement_ids"]],
                forms=[forms[pk] for pk in r["form_ids"]],
            )
            item = existing.get((r["department_id"], r["code"]))
            if item is None:
                services.create_item(
                    departments[r["department_id"]], code=r["code"], content=content, user=user, reason=reason
                )
                counts.created += 1
            elif _same(item, content, self.lists[item.department_id]):
                counts.unchanged += 1
            else:
                services.edit_item(item, content, user, reason)
                counts.updated += 1
        return counts


def _form_codes(department_pks: list[int]) -> dict[int, dict[str, int]]:
    """{department: {form code: form pk}} of the forms an item of the department may link:
    its own, and the published ones of the departments above it in its line (its own win on
    equal codes). Two queries, whatever the number of departments."""
    parent_of = dict(Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT).values_list("pk", "parent_id"))

    def uppers(pk: int) -> list[int]:  # nearest first, as access.ancestor_departments
        out, node = [], parent_of.get(pk)
        while node in parent_of:
            out.append(node)
            node = parent_of[node]
        return out

    lines = {pk: uppers(pk) for pk in department_pks}
    wanted = set(department_pks).union(*lines.values())
    by_department: dict[int, list[tuple[str, int, bool]]] = defaultdict(list)
    for pk, code, department_id, published in CheckForm.objects.filter(department_id__in=wanted).values_list(
        "pk", "code", "department_id", "published_version_id"
    ):
        by_department[department_id].append((code, pk, published is not None))
    out: dict[int, dict[str, int]] = {}
    for pk, line in lines.items():
        codes: dict[str, int] = {}
        for upper in reversed(line):
            codes.update((code, form) for code, form, published in by_department[upper] if published)
        codes.update((code, form) for code, form, _published in by_department[pk])
        out[pk] = codes
    return out


def _comparable(content: services.ItemContent, default_ratio: Decimal) -> tuple:
    ratio = content.min_ratio if content.min_ratio is not None else default_ratio
    return (
        content.name,
        content.kind,
        Decimal(ratio).quantize(Decimal("0.0001")),
        content.frequency,
        sorted(content.target_types),
        sorted(content.methods),
        content.national_code,
        content.remarks,
        [tuple(s) for s in content.sub_items],
        [tuple(b) for b in content.legal_bases],
        sorted(t.pk for t in content.requirements),
        sorted(f.pk for f in content.forms),
    )


def _same(item: Item, content: services.ItemContent, default_ratio: Decimal) -> bool:
    """Whether ``content`` equals the item's latest version (draft or published)."""
    if item.latest_version is None:
        return False
    current = services.ItemContent.of(item.latest_version)
    return _comparable(current, default_ratio) == _comparable(content, default_ratio)
