from __future__ import annotations

from datetime import date

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from shuangsuiji.accounts.scope import get_in_region_scope_or_404, region_scope_q
from shuangsuiji.apipages import Pages
from shuangsuiji.imports.rows import RowError, RowsRefused, import_rows
from shuangsuiji.imports.schemas import ImportResultOut, Mode, result
from shuangsuiji.targets.importer import export_row
from shuangsuiji.targets.models import Target
from shuangsuiji.targets.queries import targets_for

router = Router(tags=["检查对象名录库"])


class TargetOut(Schema):
    id: int
    code: str
    uscc: str | None
    name: str
    target_type: str
    legal_representative: str
    address: str
    region_code: str
    industry_code: str | None
    registration_status: str
    established_on: date | None
    risk_class: str
    risk_source: str
    risk_effective_on: date | None
    abnormal_operation: bool
    address_unreachable: bool
    serious_violation: bool
    complaint_count: int

    @staticmethod
    def resolve_region_code(obj: Target) -> str:
        return obj.region_id

    @staticmethod
    def resolve_industry_code(obj: Target) -> str | None:
        return obj.industry_id


class TargetDetailOut(TargetOut):
    business_scope: str
    tags: list[str]

    @staticmethod
    def resolve_tags(obj: Target) -> list[str]:
        return [t.full_name for t in obj.tags.all()]


@router.get("/targets", response=list[TargetOut], summary="检查对象列表（限数据范围，支持与页面相同的筛选）")
@paginate(Pages, page_size=50)
def list_targets(
    request,
    q: str = "",
    region: str = "",
    industry: str = "",
    target_type: str = "",
    risk_class: str = "",
    status: str = "",
    tag: str = "",
    flag: str = "",
):
    params = {
        "q": q,
        "region": region,
        "industry": industry,
        "target_type": target_type,
        "risk_class": risk_class,
        "status": status,
        "tag": tag,
        "flag": flag,
    }
    return targets_for(request.user, params)


# --- writes: the import path (imports/rows.py), for systems that keep the register in step ---

_CELL = "与导入模板同一列的取值与校验"


class TargetFieldsIn(Schema):
    """A target as the import template's columns; values as the cells of the template."""

    legal_representative: str | None = Field(None, description="法定代表人（负责人）")
    business_scope: str | None = Field(None, description="经营范围")
    address: str | None = Field(None, description="住所（经营场所）")
    industry: str | None = Field(None, description="行业代码（GB/T 4754-2017 门类字母或两位大类代码）")
    registration_status: str | None = Field(None, description="登记状态（中文名称或代码）")
    established_on: str | None = Field(None, description="成立日期（YYYY-MM-DD）")
    risk_class: str | None = Field(None, description="信用风险分类 A、B、C、D；空：未分类 / 更新时不变")
    risk_source: str | None = Field(None, description="风险分类来源")
    abnormal_operation: bool | str | None = Field(None, description="经营异常名录（true/false 或 是/否）")
    address_unreachable: bool | str | None = Field(None, description="住所无法联系（true/false 或 是/否）")
    serious_violation: bool | str | None = Field(None, description="严重违法失信名单")
    complaint_count: int | str | None = Field(None, description="投诉举报次数")
    tags: list[str] | None = Field(None, description="标签（标签字库中的名称）")


class TargetRowIn(TargetFieldsIn):
    name: str = Field(description="名称")
    uscc: str | None = Field(None, description="统一社会信用代码（按它更新已有对象）")
    code: str | None = Field(None, description="对象编码（无统一社会信用代码的对象，更新时填写）")
    target_type: str = Field(description="对象类型（中文名称或代码）")
    region: str = Field(description="行政区划代码（GB/T 2260 六位）")


class TargetUpdateIn(TargetFieldsIn):
    """Only the fields given change; the USCC and the code identify the target and stay."""

    name: str | None = Field(None, description="名称")
    target_type: str | None = Field(None, description="对象类型")
    region: str | None = Field(None, description="行政区划代码")


class TargetBulkIn(Schema):
    mode: Mode = Field("all", description="all：任一条有错则全部不写入；valid：只写入无错的条目")
    rows: list[TargetRowIn]


class TargetWriteOut(TargetDetailOut):
    import_job_id: int | None


def _rows(payload) -> list[dict]:
    return [row.dict() for row in payload]


def _load(request, pk: int) -> Target:
    return get_in_region_scope_or_404(request.user, Target.objects.prefetch_related("tags"), pk=pk)


@router.post(
    "/targets/bulk",
    response=ImportResultOut,
    summary="批量新增或更新检查对象（与文件导入相同的校验、行错误与变更记录，一次请求一个事务）",
)
def bulk_upsert_targets(request, payload: TargetBulkIn):
    job = import_rows(kind="targets", rows=_rows(payload.rows), user=request.user, mode=payload.mode, label="检查对象")
    return result(job)


@router.post("/targets", response={201: TargetWriteOut}, summary="新增检查对象（与文件导入相同的校验）")
def create_target(request, payload: TargetRowIn):
    row = payload.dict()
    key = (row.get("uscc") or "").strip().upper()
    if (row.get("code") or "").strip():
        error = RowError(1, "对象编码", row["code"], "新增时不填写对象编码")
        raise RowsRefused(None, "新增时不填写对象编码（由平台生成）。", [error])
    if key and Target.objects.filter(region_scope_q(request.user), code=key).exists():
        error = RowError(1, "统一社会信用代码", key, "已登记，请使用更新接口")
        raise RowsRefused(None, "该统一社会信用代码已登记，请使用更新接口。", [error])
    job = import_rows(kind="targets", rows=[row], user=request.user, label="检查对象")
    target = Target.objects.filter(import_job=job).order_by("-pk").first()
    if job.created_count != 1 or target is None:
        raise RowsRefused(job, "已存在同一对象（同类型、同区划、同名称），请使用更新接口。", [])
    return 201, target


@router.put(
    "/targets/{target_id}",
    response=TargetWriteOut,
    summary="修改检查对象（只改所给字段；与文件导入相同的校验，变更记入对象历史）",
)
def update_target(request, target_id: int, payload: TargetUpdateIn):
    target = _load(request, target_id)
    row = export_row(target) | {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    if "risk_class" not in payload.dict(exclude_unset=True):
        row["risk_class"] = ""  # not given: the stored class stays (see TargetImporter.pack)
    import_rows(kind="targets", rows=[row], user=request.user, label="检查对象")
    return _load(request, target_id)


# After the fixed paths (``bulk``): a path parameter would take them.
@router.get("/targets/{target_id}", response=TargetDetailOut, summary="检查对象详情")
def get_target(request, target_id: int):
    return get_in_region_scope_or_404(request.user, Target.objects.prefetch_related("tags"), pk=target_id)
