"""Importing the inspector register (执法检查人员导入): columns, row validation, batched upsert.

Upsert key: 执法证号. A new inspector gets every column (blank optional columns take their
defaults: not an expert, 在岗, no specialties). When updating, **blank optional columns keep
the stored value**, so that a list with fewer columns never wipes data; every actual change
is written to the inspector's history (``InspectorChange``, with the import job).

所属机构 is the organisation's full name (e.g. 清河县水务局水土保持股); it must be a department
or a unit, and within the importing user's data scope when the job has a user. 最近培训日期
adds a training record (course 培训课程, or “导入的培训记录” when blank) unless the inspector
already has one with that date and course.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shuangsuiji.imports.runner import Column, Counts, Importer, RowError, register
from shuangsuiji.inspectors.models import Inspector, InspectorChange, TrainingRecord
from shuangsuiji.inspectors.validation import clean_certificate_no, clean_phone, parse_bool, parse_date, split_list
from shuangsuiji.orgs.models import Organisation
from shuangsuiji.tags.models import Tag
from shuangsuiji.tags.services import tags_by_name

DEFAULT_COURSE = "导入的培训记录"

COLUMNS = (
    Column("姓名", "name", required=True, example="张伟"),
    Column("执法证号", "certificate_no", required=True, example="13053410001", note="唯一；按执法证号更新"),
    Column(
        "所属机构",
        "organisation",
        required=True,
        example="清河县水务局水政监察大队",
        note="机构全称（部门或内设股室），须在您的数据范围内",
    ),
    Column("职务", "position", example="科员"),
    Column("证件有效期起", "cert_valid_from", example="2024-01-01"),
    Column("证件有效期止", "cert_valid_to", required=True, example="2028-12-31"),
    Column("联系电话", "phone", example="0319-8160000"),
    Column("专业特长", "specialties", example="水土保持、河道管理", note="标签字库中的名称，多个以顿号分隔"),
    Column("是否专家", "is_expert", example="否", note="是/否；专家只辅助检查，不计入执法检查人员人数"),
    Column("状态", "status", example="在岗", note="在岗/停用"),
    Column("最近培训日期", "training_on", example="2026-03-15"),
    Column("培训课程", "training_course", example="行政执法资格培训"),
)

# Fields compared and written on upsert; None in a clean row means "not given".
DATA_FIELDS = (
    "name",
    "organisation_id",
    "position",
    "cert_valid_from",
    "cert_valid_to",
    "phone",
    "is_expert",
    "is_active",
)
_STATUS = {"在岗": True, "启用": True, "停用": False, "离岗": False}


@register
class InspectorImporter(Importer):
    kind = "inspectors"
    title = "执法检查人员"
    columns = COLUMNS

    def begin(self) -> None:
        from shuangsuiji.accounts.scope import visible_organisations, writable_organisation_ids

        self.actor = self.job.created_by
        orgs = Organisation.objects.filter(kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.UNIT])
        if self.actor is not None:
            orgs = orgs & visible_organisations(self.actor)
        self.orgs: dict[str, list[int]] = {}
        for pk, name in orgs.values_list("pk", "name"):
            self.orgs.setdefault(name, []).append(pk)
        self.tags = tags_by_name(Tag.Scope.INSPECTORS)
        self.now = timezone.now()
        # An existing inspector (matched by 执法证号) must belong to the user's scope too.
        self.scope_orgs = writable_organisation_ids(self.actor)

    # --- validation ---------------------------------------------------------------------

    def clean(self, row: int, raw: dict[str, str]) -> tuple[Any, str | None, list[RowError]]:
        errors: list[RowError] = []
        out: dict[str, Any] = {}

        def fail(f: str, reason: str) -> None:
            errors.append(self.error(row, f, raw.get(f, ""), reason))

        name = raw.get("name", "").strip()
        if not name:
            fail("name", "姓名不能为空")
        elif len(name) > 64:
            fail("name", "姓名不能超过 64 个字符")
        out["name"] = name

        key = None
        try:
            key = clean_certificate_no(raw.get("certificate_no", ""))
        except ValueError as exc:
            fail("certificate_no", str(exc))
        out["certificate_no"] = key

        org_name = raw.get("organisation", "").strip()
        org_ids = self.orgs.get(org_name, [])
        if not org_name:
            fail("organisation", "所属机构不能为空")
        elif not org_ids:
            fail("organisation", "所属机构不存在、不是部门或内设股室，或不在您的数据范围内（请填写机构全称）")
        elif len(org_ids) > 1:
            fail("organisation", "所属机构名称不唯一，请由上级机构或管理员导入")
        out["organisation_id"] = org_ids[0] if len(org_ids) == 1 else None

        position = raw.get("position", "").strip()
        if len(position) > 64:
            fail("position", "职务不能超过 64 个字符")
        out["position"] = position or None

        for f in ("cert_valid_from", "cert_valid_to", "training_on"):
            try:
                out[f] = parse_date(raw.get(f, ""))
            except ValueError as exc:
                fail(f, str(exc))
                out[f] = None
        if not raw.get("cert_valid_to", "").strip():
            fail("cert_valid_to", "证件有效期止不能为空")
        if out["cert_valid_from"] and out["cert_valid_to"] and out["cert_valid_to"] < out["cert_valid_from"]:
            fail("cert_valid_to", "证件有效期止不能早于证件有效期起")

        try:
            out["phone"] = clean_phone(raw.get("phone", "")) or None
        except ValueError as exc:
            fail("phone", str(exc))

        expert = raw.get("is_expert", "").strip()
        out["is_expert"] = None
        if expert:
            try:
                out["is_expert"] = parse_bool(expert)
            except ValueError:
                fail("is_expert", "是否专家应填“是”或“否”")

        status = raw.get("status", "").strip()
        out["is_active"] = _STATUS.get(status) if status else None
        if status and out["is_active"] is None:
            fail("status", "状态应为“在岗”或“停用”")

        tag_ids: list[int] = []
        names = split_list(raw.get("specialties", ""))
        for tag_name in names:
            tag = self.tags.get(tag_name)
            if tag is None:
                fail("specialties", f"专业特长“{tag_name}”不在标签字库中（或不适用于执法检查人员）")
            else:
                tag_ids.append(tag.pk)
        out["tag_ids"] = sorted(set(tag_ids)) if names else None

        today = timezone.localtime(self.now).date()
        if out["training_on"] and out["training_on"] > today:
            fail("training_on", f"最近培训日期晚于今天（{today.isoformat()}），请核对")
        course = raw.get("training_course", "").strip()
        if course and not out["training_on"] and not raw.get("training_on", "").strip():
            fail("training_on", "填写培训课程时须填写最近培训日期")
        if len(course) > 200:
            fail("training_course", "培训课程不能超过 200 个字符")
        out["training_course"] = course or DEFAULT_COURSE
        out["row"] = row
        return out, key, errors

    # --- writing ------------------------------------------------------------------------

    def apply(self, batch: list[dict[str, Any]]) -> Counts:
        counts = Counts()
        existing = {
            i.certificate_no: i
            for i in Inspector.objects.filter(certificate_no__in=[r["certificate_no"] for r in batch]).prefetch_related(
                "specialties"
            )
        }
        trained = set(
            TrainingRecord.objects.live()
            .filter(inspector__certificate_no__in=list(existing))
            .values_list("inspector__certificate_no", "completed_on", "course")
        )
        new: list[Inspector] = []
        new_rows: list[dict[str, Any]] = []
        changed: list[Inspector] = []
        changes: list[InspectorChange] = []
        tag_updates: dict[str, list[int]] = {}
        trainings: list[tuple[str, dict[str, Any]]] = []

        for r in batch:
            no = r["certificate_no"]
            wants_training = (
                r["training_on"] is not None and (no, r["training_on"], r["training_course"]) not in trained
            )
            inspector = existing.get(no)
            outside = self.scope_orgs is not None and inspector is not None
            if outside and inspector.organisation_id not in self.scope_orgs:
                counts.errors.append(
                    self.error(r["row"], "certificate_no", no, f"执法证号 {no} 的人员不在您的数据范围内")
                )
                continue
            if inspector is None:
                inspector = Inspector(
                    certificate_no=no,
                    name=r["name"],
                    organisation_id=r["organisation_id"],
                    position=r["position"] or "",
                    cert_valid_from=r["cert_valid_from"],
                    cert_valid_to=r["cert_valid_to"],
                    phone=r["phone"] or "",
                    is_expert=bool(r["is_expert"]),
                    is_active=True if r["is_active"] is None else r["is_active"],
                    import_job=self.job,
                )
                new.append(inspector)
                new_rows.append(r)
                if r["tag_ids"]:
                    tag_updates[no] = r["tag_ids"]
                if r["training_on"] is not None:
                    trainings.append((no, r))
                continue
            before: dict[str, Any] = {}
            after: dict[str, Any] = {}
            for f in DATA_FIELDS:
                value = r[f]
                if value is None:
                    continue  # blank optional column: keep the stored value
                if getattr(inspector, f) != value:
                    before[f], after[f] = getattr(inspector, f), value
                    setattr(inspector, f, value)
            old_tags = sorted(t.pk for t in inspector.specialties.all())
            if r["tag_ids"] is not None and r["tag_ids"] != old_tags:
                before["specialties"], after["specialties"] = old_tags, r["tag_ids"]
                tag_updates[no] = r["tag_ids"]
            if wants_training:
                after["training"] = {"course": r["training_course"], "completed_on": r["training_on"]}
                trainings.append((no, r))
            if not after:
                counts.unchanged += 1
                continue
            if any(f in after for f in DATA_FIELDS):
                inspector.import_job = self.job
                inspector.updated_at = self.now
                changed.append(inspector)
            changes.append(
                InspectorChange(
                    inspector=inspector,
                    action=InspectorChange.Action.UPDATE,
                    before=_jsonable(before),
                    after=_jsonable(after),
                    import_job=self.job,
                    changed_by=self.actor,
                )
            )
            counts.audit.append(
                {"action": "inspectors.import_update", "obj": inspector, "before": before, "after": after}
            )
            counts.updated += 1

        ids = {i.certificate_no: i.pk for i in existing.values()}
        if new:
            Inspector.objects.bulk_create(new, batch_size=len(new))
            ids.update(
                Inspector.objects.filter(certificate_no__in=[i.certificate_no for i in new]).values_list(
                    "certificate_no", "id"
                )
            )
            for i, r in zip(new, new_rows, strict=True):
                i.pk = ids[i.certificate_no]
                after = {f: getattr(i, f) for f in DATA_FIELDS} | {"certificate_no": i.certificate_no}
                if r["tag_ids"]:
                    after["specialties"] = r["tag_ids"]
                changes.append(
                    InspectorChange(
                        inspector_id=i.pk,
                        action=InspectorChange.Action.CREATE,
                        after=_jsonable(after),
                        import_job=self.job,
                        changed_by=self.actor,
                    )
                )
            counts.created += len(new)
        if changed:
            Inspector.objects.bulk_update(changed, [*DATA_FIELDS, "import_job", "updated_at"])
        if changes:
            InspectorChange.objects.bulk_create(changes)
        if tag_updates:
            through = Inspector.specialties.through
            through.objects.filter(inspector_id__in=[ids[no] for no in tag_updates]).delete()
            through.objects.bulk_create(
                [
                    through(inspector_id=ids[no], tag_id=tag_id)
                    for no, tag_ids in tag_updates.items()
                    for tag_id in tag_ids
                ]
            )
        if trainings:
            TrainingRecord.objects.bulk_create(
                [
                    TrainingRecord(
                        inspector_id=ids[no],
                        course=r["training_course"],
                        completed_on=r["training_on"],
                        issuer="",
                        recorded_by=self.actor,
                    )
                    for no, r in trainings
                ]
            )
        return counts


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    def plain(v):
        if isinstance(v, dict):
            return _jsonable(v)
        return v.isoformat() if hasattr(v, "isoformat") else v

    return {k: plain(v) for k, v in data.items()}
