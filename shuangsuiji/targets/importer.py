"""Importing the target register (检查对象导入): columns, row validation, batched upsert.

Upsert key: the USCC when the row has one; otherwise the internal code (对象编码, ``Z…``)
when given; otherwise the natural key (type, region, name) of a target without USCC, so
that re-importing a list of projects updates them instead of duplicating them.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone

from shuangsuiji.imports import bulk
from shuangsuiji.imports.runner import Column, Counts, Importer, RowError, register
from shuangsuiji.orgs.models import Region
from shuangsuiji.tags.models import Tag
from shuangsuiji.tags.services import tags_by_name
from shuangsuiji.targets.choices import RegistrationStatus, RiskClass, TargetType
from shuangsuiji.targets.models import (
    DATA_FIELDS,
    INTERNAL_CODE_PREFIX,
    Industry,
    RiskClassChange,
    Target,
    TargetChange,
    new_internal_code,
)
from shuangsuiji.targets.validation import (
    USCC_REQUIRED,
    clean_uscc,
    parse_bool,
    parse_count,
    parse_date,
    split_list,
)

COLUMNS = (
    Column("名称", "name", required=True, example="清河县示例羊绒制品有限公司"),
    Column(
        "统一社会信用代码",
        "uscc",
        example="91130534MA0CXXXXXX",
        note="企业、个体工商户、农民专业合作社、外国企业常驻代表机构必填",
    ),
    Column("对象编码", "code", note="无统一社会信用代码的对象（项目、产品）由平台生成，更新时填写"),
    Column("对象类型", "target_type", required=True, example="企业", note="、".join(TargetType.labels)),
    Column("法定代表人（负责人）", "legal_representative", example="张三"),
    Column("经营范围", "business_scope", example="羊绒制品加工、销售"),
    Column("住所（经营场所）", "address", example="河北省邢台市清河县葛仙庄镇"),
    Column("行政区划代码", "region", required=True, example="130534", note="GB/T 2260 六位代码"),
    Column("行业代码", "industry", example="17", note="GB/T 4754-2017 门类字母或两位大类代码"),
    Column("登记状态", "registration_status", example="存续（在业）", note="、".join(RegistrationStatus.labels)),
    Column("成立日期", "established_on", example="2019-05-20"),
    Column("信用风险分类", "risk_class", example="B", note="A、B、C、D"),
    Column("风险分类来源", "risk_source", example="市场监管部门企业信用风险分类结果"),
    Column("经营异常名录", "abnormal_operation", example="否", note="是/否"),
    Column("严重违法失信名单", "serious_violation", example="否", note="是/否"),
    Column("投诉举报次数", "complaint_count", example="0"),
    Column("标签", "tags", example="", note="标签字库中的名称，多个以顿号分隔"),
)


_TYPE_BY_LABEL = {label: value for value, label in TargetType.choices} | {v: v for v in TargetType.values}
_STATUS_BY_LABEL = (
    {label: value for value, label in RegistrationStatus.choices}
    | {label.split("（")[0]: value for value, label in RegistrationStatus.choices}
    | {v: v for v in RegistrationStatus.values}
    | {"在业": RegistrationStatus.ACTIVE, "开业": RegistrationStatus.ACTIVE}
)


_RISK_CLASSES = frozenset(RiskClass.values)


def _natural_key(target_type: str, region: str, name: str) -> str:
    return f"N|{target_type}|{region}|{name}"


@register
class TargetImporter(Importer):
    kind = "targets"
    title = "检查对象"
    columns = COLUMNS
    batch_size = 10_000
    maintained_models = (Target, RiskClassChange)

    def begin(self) -> None:
        self.region_codes = set(Region.objects.values_list("code", flat=True))
        self.industry_codes = set(Industry.objects.values_list("code", flat=True))
        self.tags = tags_by_name(Tag.Scope.TARGETS)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.actor = self.job.created_by

    # --- validation ---------------------------------------------------------------------

    def clean(self, row: int, raw: dict[str, str]) -> tuple[Any, str | None, list[RowError]]:
        errors: list[RowError] = []
        out: dict[str, Any] = {}

        def fail(f: str, reason: str) -> None:
            errors.append(self.error(row, f, raw.get(f, ""), reason))

        name = raw.get("name", "")
        if not name:
            fail("name", "名称不能为空")
        elif len(name) > 200:
            fail("name", "名称不能超过 200 个字符")
        out["name"] = name

        target_type = _TYPE_BY_LABEL.get(raw.get("target_type", ""))
        if target_type is None:
            fail("target_type", f"对象类型应为：{'、'.join(TargetType.labels)}")
        out["target_type"] = target_type

        uscc = raw.get("uscc", "").upper()
        if uscc:
            try:
                uscc = clean_uscc(uscc)
            except ValueError as exc:
                fail("uscc", str(exc))
        elif target_type in USCC_REQUIRED:
            fail("uscc", f"{TargetType(target_type).label}必须填写统一社会信用代码")
        out["uscc"] = uscc or None

        code = raw.get("code", "").upper()
        if code and not uscc and not (code.startswith(INTERNAL_CODE_PREFIX) and len(code) == 18):
            fail("code", "对象编码应为平台生成的 18 位内部编码（以 Z 开头）")
        out["code"] = uscc or code or None

        region = raw.get("region", "")
        if region not in self.region_codes:
            fail("region", "行政区划代码不存在（GB/T 2260）")
        out["region_id"] = region

        industry = raw.get("industry", "").upper()
        if industry and len(industry) == 1 and industry.isdigit():
            industry = "0" + industry
        if industry and industry not in self.industry_codes:
            fail("industry", "行业代码不存在（GB/T 4754-2017 门类或大类）")
        out["industry_id"] = industry or None

        status = raw.get("registration_status", "")
        out["registration_status"] = _STATUS_BY_LABEL.get(status) if status else RegistrationStatus.ACTIVE
        if out["registration_status"] is None:
            fail("registration_status", f"登记状态应为：{'、'.join(RegistrationStatus.labels)}")

        risk = raw.get("risk_class", "").upper()
        if risk and risk not in _RISK_CLASSES:
            fail("risk_class", "信用风险分类应为 A、B、C、D 之一")
        out["risk_class"] = risk or None
        out["risk_source"] = raw.get("risk_source", "")[:200]

        for f, parser in (
            ("established_on", parse_date),
            ("abnormal_operation", parse_bool),
            ("serious_violation", parse_bool),
            ("complaint_count", parse_count),
        ):
            try:
                out[f] = parser(raw.get(f, ""))
            except ValueError as exc:
                fail(f, str(exc))

        tag_ids = []
        for tag_name in split_list(raw.get("tags", "")):
            tag = self.tags.get(tag_name)
            if tag is None:
                fail("tags", f"标签“{tag_name}”不在标签字库中")
            else:
                tag_ids.append(tag.pk)
        out["tag_ids"] = sorted(set(tag_ids))

        for f in ("legal_representative", "address"):
            out[f] = raw.get(f, "")[: 255 if f == "address" else 64]
        out["business_scope"] = raw.get("business_scope", "")

        key = out["code"] or (_natural_key(target_type, region, name) if target_type else None)
        return out, key, errors

    # --- writing ------------------------------------------------------------------------

    def apply(self, batch: list[dict[str, Any]]) -> Counts:
        counts = Counts()
        codes = [r["code"] for r in batch if r["code"]]
        # One cheap query finds which codes exist; only those are loaded as objects.
        found = bulk.existing_values(Target, "code", codes)
        existing = {t.code: t for t in Target.objects.filter(code__in=found).prefetch_related("tags")} if found else {}
        keyless = [r for r in batch if not r["code"]]
        if keyless:
            names = {r["name"] for r in keyless}
            for t in Target.objects.filter(name__in=names, uscc__isnull=True).prefetch_related("tags"):
                existing[_natural_key(t.target_type, t.region_id, t.name)] = t

        new_rows: list[dict[str, Any]] = []
        changed: list[Target] = []
        changes: list[TargetChange] = []
        risk_changes: list[RiskClassChange] = []
        tag_updates: dict[int, list[int]] = {}

        for r in batch:
            key = r["code"] or _natural_key(r["target_type"], r["region_id"], r["name"])
            target = existing.get(key)
            if target is None:
                new_rows.append(r)
                continue
            before = {f: getattr(target, f) for f in DATA_FIELDS}
            after = {f: r[f] for f in DATA_FIELDS}
            diff = [f for f in DATA_FIELDS if before[f] != after[f]]
            old_tags = sorted(t.pk for t in target.tags.all())
            tags_changed = r["tag_ids"] != old_tags and bool(r["tag_ids"] or old_tags)
            risk_changed = r["risk_class"] is not None and r["risk_class"] != target.risk_class
            if not diff and not tags_changed and not risk_changed:
                counts.unchanged += 1
                continue
            summary_before = {f: before[f] for f in diff}
            summary_after = {f: after[f] for f in diff}
            for f in diff:
                setattr(target, f, after[f])
            if risk_changed:
                summary_before["risk_class"], summary_after["risk_class"] = target.risk_class, r["risk_class"]
                target.risk_class = r["risk_class"]
                risk_changes.append(self._risk(target.pk, r))
            if tags_changed:
                summary_before["tags"], summary_after["tags"] = old_tags, r["tag_ids"]
                tag_updates[target.pk] = r["tag_ids"]
            target.import_job = self.job
            target.updated_at = self.now
            changed.append(target)
            changes.append(
                TargetChange(
                    target=target,
                    action="update",
                    before=_jsonable(summary_before),
                    after=_jsonable(summary_after),
                    import_job=self.job,
                    changed_by=self.actor,
                )
            )
            counts.audit.append(
                {"action": "targets.import_update", "obj": target, "before": summary_before, "after": summary_after}
            )
            counts.updated += 1

        if new_rows:
            ids = bulk.insert_dicts(Target, [self._new_target(r) for r in new_rows])
            default_source = []
            for pk, r in zip(ids, new_rows, strict=True):
                if r["risk_class"] and r["risk_source"]:
                    risk_changes.append(self._risk(pk, r))
                elif r["risk_class"]:
                    default_source.append(pk)
                if r["tag_ids"]:
                    tag_updates[pk] = r["tag_ids"]
            self._initial_risk_history(default_source)
            counts.created += len(new_rows)
        if changed:
            Target.objects.bulk_update(changed, [*DATA_FIELDS, "risk_class", "import_job", "updated_at"])
            TargetChange.objects.bulk_create(changes)
        bulk.insert_dicts(RiskClassChange, risk_changes)
        if tag_updates:
            through = Target.tags.through
            through.objects.filter(target_id__in=list(tag_updates)).delete()
            bulk.insert_dicts(
                through,
                [{"target_id": tid, "tag_id": tag_id} for tid, tag_ids in tag_updates.items() for tag_id in tag_ids],
            )
        return counts

    def _new_target(self, r: dict[str, Any]) -> dict[str, Any]:
        row = {f: r[f] for f in DATA_FIELDS}
        row["code"] = r["code"] or new_internal_code(r["region_id"])
        row["risk_class"] = r["risk_class"] or RiskClass.B
        row["import_job_id"] = self.job.pk
        row["created_at"] = row["updated_at"] = self.now
        return row

    def _initial_risk_history(self, target_ids: list[int]) -> None:
        """History rows for new targets whose risk class came without its own source, made by
        the database from the rows just written (no per-row Python)."""
        if not target_ids:
            return
        where, params = bulk.in_list("id", target_ids)
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {RiskClassChange._meta.db_table} "
                "(target_id, risk_class, effective_on, source, recorded_at, recorded_by_id) "
                f"SELECT id, risk_class, %s, %s, %s, %s FROM {Target._meta.db_table} WHERE {where}",
                [self.today, f"导入：{self.job.file_name}", self.now, self.actor.pk if self.actor else None, *params],
            )

    def _risk(self, target_id: int, r: dict[str, Any]) -> dict[str, Any]:
        return {
            "target_id": target_id,
            "risk_class": r["risk_class"],
            "effective_on": self.today,
            "source": r["risk_source"] or f"导入：{self.job.file_name}",
            "recorded_at": self.now,
            "recorded_by_id": self.actor.pk if self.actor else None,
        }


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}
