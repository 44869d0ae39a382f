"""seed_demo step: the item lists and check forms of the demo county and the city above it.

- Tags for inspector requirements (专业特长, 资格), scope inspectors — the inspector register's
  demo may use the same codes (``SPECIALTIES``, ``QUALIFICATIONS``).
- 邢台市 water, market and natural-resources departments publish their lists and forms;
  the 清河县 departments claim from them (and 市场监管 adds one item of its own), then publish.

Idempotent: everything is looked up by its natural key (department + code) and left alone
when it exists, so a second run changes nothing and writes no audit entries. National
"互联网+监管" item codes are left empty: the demo does not invent official identifiers.
"""

from __future__ import annotations

from decimal import Decimal

from shuangsuiji.items import services
from shuangsuiji.items.models import CheckForm, Item, VersionStatus
from shuangsuiji.items.services import FieldSpec, ItemContent
from shuangsuiji.tags.models import Tag
from shuangsuiji.tags.services import ensure_tag

SPECIALTY_PARENT = ("specialty", "专业特长")
SPECIALTIES = [
    ("specialty-soil-water", "水土保持"),
    ("specialty-water-resources", "水资源管理"),
    ("specialty-river", "河道管理"),
    ("specialty-market-registration", "市场主体登记"),
    ("specialty-food-safety", "食品安全"),
    ("specialty-product-quality", "产品质量"),
    ("specialty-metrology", "计量"),
    ("specialty-land", "土地管理"),
    ("specialty-mineral", "矿产资源"),
    ("specialty-planning", "城乡规划"),
]
QUALIFICATION_PARENT = ("qualification", "资格")
QUALIFICATIONS = [
    ("qualification-enforcement-cert", "执法证"),
    ("qualification-safety-engineer", "注册安全工程师"),
    ("qualification-food-inspector", "食品检查员"),
    ("qualification-metrology-verifier", "注册计量师"),
]

CONCLUSIONS = ["未发现问题", "发现问题待后续处理", "发现问题经责令已改正", "未发现开展本次抽查涉及的经营活动"]


def _basic_form(prefix: str, line: str) -> dict:
    return {
        "code": f"{prefix}-BASIC",
        "name": f"{line}随机抽查现场检查记录表（基础表）",
        "kind": CheckForm.Kind.BASIC,
        "description": "所有事项通用；检查人员不少于 2 名，出示执法证件，被检查对象法定代表人签字确认或注明拒签情况。",
        "fields": [
            FieldSpec("检查日期", "date"),
            FieldSpec("检查人员是否出示执法证件", "boolean"),
            FieldSpec("被检查对象是否配合检查", "boolean"),
            FieldSpec("检查结果", "single_choice", options=CONCLUSIONS),
            FieldSpec("现场照片", "attachment"),
            FieldSpec("法定代表人（负责人）签字或拒签说明", "attachment"),
            FieldSpec("备注", "text", required=False),
        ],
    }


# City-level lists: (department key, code prefix, line name, items). Each item carries its custom form.
CITY_LISTS = [
    (
        "water",
        "SW",
        "水利",
        [
            {
                "code": "SW-001",
                "name": "生产建设项目水土保持方案实施情况的监督检查",
                "national_code": "1313000000001",  # “互联网+监管”事项目录编码 (demo value)
                "kind": "key",
                "ratio": "0.20",
                "frequency": "每年不少于1次",
                "target_types": ["project", "enterprise"],
                "methods": ["on_site", "written", "delegated"],
                "requirements": ["specialty-soil-water", "qualification-enforcement-cert"],
                "legal_bases": [
                    ("《中华人民共和国水土保持法》", "第二十五条、第二十七条、第二十九条、第三十二条、第四十三条"),
                    ("《生产建设项目水土保持监督管理办法》", ""),
                ],
                "sub_items": [
                    ("SW-001-01", "水土保持方案编报审批情况", "是否依法编报水土保持方案并经审批；重大变更是否报批"),
                    ("SW-001-02", "水土保持措施落实情况", "水土保持设施是否与主体工程同时设计、同时施工、同时投产使用"),
                    ("SW-001-03", "水土保持补偿费缴纳情况", "是否按规定足额缴纳水土保持补偿费"),
                ],
                "form": (
                    "SW-001-F",
                    "生产建设项目水土保持监督检查表",
                    [
                        FieldSpec("是否编报水土保持方案并经审批", "boolean"),
                        FieldSpec("水土保持设施是否与主体工程同时设计、同时施工、同时投产使用", "boolean"),
                        FieldSpec("是否按规定开展水土保持监测", "boolean"),
                        FieldSpec("是否足额缴纳水土保持补偿费", "boolean"),
                        FieldSpec("水土保持补偿费缴纳金额（万元）", "number", required=False),
                        FieldSpec("弃土弃渣处置情况", "single_choice", options=["规范", "基本规范", "不规范"]),
                        FieldSpec("现场照片", "attachment"),
                        FieldSpec("检查意见", "text"),
                    ],
                ),
            },
            {
                "code": "SW-002",
                "name": "取水许可情况的检查",
                "kind": "general",
                "ratio": "0.05",
                "frequency": "每年不少于1次",
                "target_types": ["enterprise", "individual", "cooperative"],
                "methods": ["on_site", "written"],
                "requirements": ["specialty-water-resources", "qualification-enforcement-cert"],
                "legal_bases": [
                    ("《取水许可和水资源费征收管理条例》", ""),
                    ("《中华人民共和国水法》", "第七条、第四十八条"),
                ],
                "sub_items": [
                    ("SW-002-01", "取水许可证持证情况", "是否依法取得取水许可证并在有效期内"),
                    ("SW-002-02", "取水计量设施安装运行情况", "是否安装取水计量设施并正常运行"),
                    ("SW-002-03", "按许可取水情况", "实际取水量、取水用途是否符合许可要求"),
                ],
                "form": (
                    "SW-002-F",
                    "取水许可监督检查表",
                    [
                        FieldSpec("是否持有有效的取水许可证", "boolean"),
                        FieldSpec("取水许可证编号", "text", required=False),
                        FieldSpec("是否安装取水计量设施", "boolean"),
                        FieldSpec("计量设施运行状况", "single_choice", options=["正常", "故障", "未安装"]),
                        FieldSpec("上年度实际取水量（万立方米）", "number"),
                        FieldSpec("取水用途", "multiple_choice", options=["生活", "工业", "农业", "其他"]),
                        FieldSpec("现场照片", "attachment"),
                    ],
                ),
            },
            {
                "code": "SW-003",
                "name": "河道管理范围内建设项目检查",
                "kind": "general",
                "ratio": "0.05",
                "frequency": "每年不少于1次",
                "target_types": ["project"],
                "methods": ["on_site"],
                "requirements": ["specialty-river", "qualification-enforcement-cert"],
                "legal_bases": [
                    ("《中华人民共和国防洪法》", "第二十七条"),
                    ("《中华人民共和国河道管理条例》", "第十一条"),
                ],
                "sub_items": [
                    ("SW-003-01", "工程建设方案审查同意情况", "工程建设方案是否报经河道主管机关审查同意"),
                    ("SW-003-02", "按审查同意的位置和界限施工情况", "是否按照审查同意的位置和界限建设"),
                ],
                "form": (
                    "SW-003-F",
                    "河道管理范围内建设项目检查表",
                    [
                        FieldSpec("工程建设方案是否经河道主管机关审查同意", "boolean"),
                        FieldSpec("是否按审查同意的位置和界限施工", "boolean"),
                        FieldSpec("是否存在弃置、堆放阻碍行洪物体", "boolean"),
                        FieldSpec("现场照片", "attachment"),
                    ],
                ),
            },
        ],
    ),
    (
        "market",
        "SC",
        "市场监管",
        [
            {
                "code": "SC-001",
                "name": "企业公示信息情况检查",
                "kind": "general",
                "ratio": "0.05",
                "frequency": "每年不少于1次",
                "target_types": ["enterprise", "cooperative"],
                "methods": ["written", "online", "on_site"],
                "requirements": ["specialty-market-registration"],
                "legal_bases": [("《企业信息公示暂行条例》", "第三条、第十四条")],
                "sub_items": [
                    ("SC-001-01", "年度报告公示信息检查", "年度报告公示信息是否真实、及时"),
                    ("SC-001-02", "即时公示信息检查", "股东出资、行政许可等即时信息是否按时公示"),
                ],
                "form": (
                    "SC-001-F",
                    "企业公示信息检查表",
                    [
                        FieldSpec("是否按时报送年度报告", "boolean"),
                        FieldSpec("年度报告公示信息是否真实", "boolean"),
                        FieldSpec("即时信息是否按规定公示", "boolean"),
                        FieldSpec(
                            "不实信息涉及项目",
                            "multiple_choice",
                            required=False,
                            options=["住所", "出资", "资产", "从业人数", "其他"],
                        ),
                    ],
                ),
            },
            {
                "code": "SC-002",
                "name": "登记事项检查",
                "kind": "general",
                "ratio": "0.05",
                "frequency": "每年不少于1次",
                "target_types": ["enterprise", "individual", "cooperative", "foreign_rep"],
                "methods": ["on_site", "written"],
                "requirements": ["specialty-market-registration"],
                "legal_bases": [("《中华人民共和国市场主体登记管理条例》", "第三十八条")],
                "sub_items": [
                    ("SC-002-01", "住所（经营场所）检查", "实际住所（经营场所）与登记是否一致"),
                    ("SC-002-02", "经营范围检查", "是否超出登记的经营范围从事需审批的经营活动"),
                ],
                "form": (
                    "SC-002-F",
                    "登记事项检查表",
                    [
                        FieldSpec("住所（经营场所）与登记是否一致", "boolean"),
                        FieldSpec("法定代表人（负责人）与登记是否一致", "boolean"),
                        FieldSpec("是否存在未经许可从事许可经营项目", "boolean"),
                    ],
                ),
            },
            {
                "code": "SC-003",
                "name": "食品生产经营检查",
                "kind": "key",
                "ratio": "0.20",
                "frequency": "每年不少于1次",
                "target_types": ["enterprise", "individual"],
                "methods": ["on_site", "testing"],
                "requirements": ["specialty-food-safety", "qualification-food-inspector"],
                "legal_bases": [
                    ("《中华人民共和国食品安全法》", "第一百一十条"),
                    ("《食品生产经营监督检查管理办法》", ""),
                ],
                "sub_items": [
                    ("SC-003-01", "许可资质检查", "是否取得食品生产（经营）许可证并在有效期内"),
                    ("SC-003-02", "从业人员健康管理检查", "从业人员是否取得健康证明"),
                    ("SC-003-03", "进货查验记录检查", "是否建立并执行进货查验记录制度"),
                ],
                "form": (
                    "SC-003-F",
                    "食品生产经营监督检查表",
                    [
                        FieldSpec("是否持有有效的食品生产（经营）许可证", "boolean"),
                        FieldSpec("从业人员是否持有健康证明", "boolean"),
                        FieldSpec("是否建立进货查验记录", "boolean"),
                        FieldSpec("抽检样品数量（批次）", "number", required=False),
                        FieldSpec("现场照片", "attachment"),
                    ],
                ),
            },
            {
                "code": "SC-004",
                "name": "产品质量监督抽查",
                "kind": "general",
                "ratio": "0.05",
                "frequency": "每年不少于1次",
                "target_types": ["enterprise", "product"],
                "methods": ["testing", "on_site"],
                "requirements": ["specialty-product-quality"],
                "legal_bases": [
                    ("《中华人民共和国产品质量法》", "第十五条"),
                    ("《产品质量监督抽查管理暂行办法》", ""),
                ],
                "sub_items": [
                    ("SC-004-01", "产品抽样检验", "按监督抽查实施细则抽样并送检"),
                    ("SC-004-02", "产品标识检查", "产品标识是否符合规定"),
                ],
                "form": (
                    "SC-004-F",
                    "产品质量监督抽查记录表",
                    [
                        FieldSpec("抽样产品名称", "text"),
                        FieldSpec("抽样数量", "number"),
                        FieldSpec("产品标识是否符合规定", "boolean"),
                        FieldSpec("抽样单照片", "attachment"),
                    ],
                ),
            },
        ],
    ),
    (
        "natural_resources",
        "ZR",
        "自然资源",
        [
            {
                "code": "ZR-001",
                "name": "土地利用情况及违法用地检查",
                "kind": "general",
                "ratio": "0.05",
                "frequency": "每年不少于1次",
                "target_types": ["enterprise", "project"],
                "methods": ["on_site", "online"],
                "requirements": ["specialty-land", "qualification-enforcement-cert"],
                "legal_bases": [
                    ("《中华人民共和国土地管理法》", "第六十七条"),
                    ("《中华人民共和国土地管理法实施条例》", ""),
                ],
                "sub_items": [
                    ("ZR-001-01", "用地审批手续检查", "建设用地是否依法取得批准"),
                    ("ZR-001-02", "按批准用途使用土地检查", "是否按出让合同、划拨决定约定的用途使用土地"),
                ],
                "form": (
                    "ZR-001-F",
                    "土地利用情况检查表",
                    [
                        FieldSpec("是否依法取得用地批准", "boolean"),
                        FieldSpec("是否按批准用途使用", "boolean"),
                        FieldSpec("违法占地面积（平方米）", "number", required=False),
                        FieldSpec("现场照片", "attachment"),
                    ],
                ),
            },
            {
                "code": "ZR-002",
                "name": "矿产资源开采情况检查",
                "kind": "key",
                "ratio": "0.30",
                "frequency": "每年不少于1次",
                "target_types": ["enterprise"],
                "methods": ["on_site", "delegated"],
                "requirements": ["specialty-mineral", "qualification-enforcement-cert"],
                "legal_bases": [("《中华人民共和国矿产资源法》", ""), ("《矿产资源开采登记管理办法》", "")],
                "sub_items": [
                    ("ZR-002-01", "采矿许可证检查", "是否持有效采矿许可证"),
                    ("ZR-002-02", "越界开采检查", "是否在批准的矿区范围内开采"),
                ],
                "form": (
                    "ZR-002-F",
                    "矿产资源开采情况检查表",
                    [
                        FieldSpec("是否持有效采矿许可证", "boolean"),
                        FieldSpec("是否在批准的矿区范围内开采", "boolean"),
                        FieldSpec("现场照片", "attachment"),
                    ],
                ),
            },
            {
                "code": "ZR-003",
                "name": "建设工程规划许可执行情况检查",
                "kind": "general",
                "ratio": "0.05",
                "frequency": "每年不少于1次",
                "target_types": ["project"],
                "methods": ["on_site"],
                "requirements": ["specialty-planning", "qualification-enforcement-cert"],
                "legal_bases": [("《中华人民共和国城乡规划法》", "第四十条、第五十三条")],
                "sub_items": [
                    ("ZR-003-01", "规划许可取得情况", "是否取得建设工程规划许可证"),
                    ("ZR-003-02", "按规划许可内容建设情况", "建设位置、面积、高度等是否符合规划许可"),
                ],
                "form": (
                    "ZR-003-F",
                    "建设工程规划许可执行情况检查表",
                    [
                        FieldSpec("是否取得建设工程规划许可证", "boolean"),
                        FieldSpec(
                            "建设内容是否符合规划许可", "single_choice", options=["符合", "部分不符合", "不符合"]
                        ),
                        FieldSpec("超出许可面积（平方米）", "number", required=False),
                        FieldSpec("现场照片", "attachment"),
                    ],
                ),
            },
        ],
    ),
]

# What the county departments claim from the city (ZR-002 stays unclaimed: no mines in the county).
COUNTY_CLAIMS = {
    "water": ["SW-001", "SW-002", "SW-003"],
    "market": ["SC-001", "SC-002", "SC-003", "SC-004"],
    "natural_resources": ["ZR-001", "ZR-003"],
}

# Items a county department keeps on its own list.
COUNTY_OWN = {
    "market": [
        {
            "code": "QH-SC-101",
            "name": "计量器具检查",
            "kind": "general",
            "ratio": "0.05",
            "frequency": "每年不少于1次",
            "target_types": ["enterprise", "individual"],
            "methods": ["on_site", "testing"],
            "requirements": ["specialty-metrology"],
            "legal_bases": [("《中华人民共和国计量法》", "第九条"), ("《中华人民共和国计量法实施细则》", "")],
            "sub_items": [
                ("QH-SC-101-01", "强制检定计量器具检查", "列入强制检定目录的计量器具是否按期检定"),
                ("QH-SC-101-02", "集贸市场计量器具检查", "集贸市场在用衡器是否准确、检定合格"),
            ],
            "form": (
                "QH-SC-101-F",
                "计量器具检查表",
                [
                    FieldSpec("在用强制检定计量器具数量", "number"),
                    FieldSpec("是否全部按期检定", "boolean"),
                    FieldSpec("检定证书照片", "attachment", required=False),
                ],
            ),
        }
    ]
}

COUNTY_ADMINS = {"water": "sw_admin", "market": "sc_admin", "natural_resources": "zr_admin"}


def seed_tags() -> dict[str, Tag]:
    tags = {}
    for (parent_code, parent_name), children in (
        (SPECIALTY_PARENT, SPECIALTIES),
        (QUALIFICATION_PARENT, QUALIFICATIONS),
    ):
        parent = ensure_tag(parent_code, parent_name, scope=Tag.Scope.INSPECTORS)
        tags[parent_code] = parent
        for code, name in children:
            tags[code] = ensure_tag(code, name, parent=parent, scope=Tag.Scope.INSPECTORS)
    return tags


def _ensure_form(department, spec: dict, user) -> tuple[CheckForm, bool]:
    form = CheckForm.objects.filter(department=department, code=spec["code"]).first()
    if form is not None:
        return form, False
    draft = services.create_form(
        department,
        code=spec["code"],
        name=spec["name"],
        kind=spec.get("kind", CheckForm.Kind.CUSTOM),
        description=spec.get("description", ""),
        fields=spec["fields"],
        user=user,
    )
    return services.publish_form(draft, user).form, True


def _content(spec: dict, tags: dict[str, Tag], forms: list[CheckForm]) -> ItemContent:
    return ItemContent(
        name=spec["name"],
        kind=spec["kind"],
        min_ratio=Decimal(spec["ratio"]),
        frequency=spec["frequency"],
        target_types=spec["target_types"],
        methods=spec["methods"],
        national_code=spec.get("national_code", ""),
        sub_items=spec["sub_items"],
        legal_bases=spec["legal_bases"],
        requirements=[tags[c] for c in spec["requirements"]],
        forms=forms,
    )


def _custom_form_spec(spec: dict) -> dict:
    code, name, fields = spec["form"]
    return {"code": code, "name": name, "kind": CheckForm.Kind.CUSTOM, "fields": fields}


def seed(demo, log) -> None:
    j = demo.jurisdiction
    tags = seed_tags()
    created_items = created_forms = 0
    city_items: dict[str, Item] = {}
    for key, prefix, line, specs in CITY_LISTS:
        county = j.department(key)
        city = county.parent
        basic, new = _ensure_form(city, _basic_form(prefix, line), None)
        created_forms += new
        for spec in specs:
            custom, new = _ensure_form(city, _custom_form_spec(spec), None)
            created_forms += new
            item = Item.objects.filter(department=city, code=spec["code"]).first()
            if item is None:
                draft = services.create_item(
                    city, code=spec["code"], content=_content(spec, tags, [basic, custom]), user=None
                )
                services.publish_item(draft, None)
                item = Item.objects.get(pk=draft.item_id)
                created_items += 1
            city_items[spec["code"]] = item

    for key, codes in COUNTY_CLAIMS.items():
        county = j.department(key)
        admin = j.users[COUNTY_ADMINS[key]]
        claimed = services.claimed_source_items(county)
        for code in codes:
            source = city_items[code]
            if source.pk in claimed or Item.objects.filter(department=county, code=code).exists():
                continue
            services.claim(source.published_version, county, admin)
            created_items += 1
        for spec in COUNTY_OWN.get(key, []):
            if Item.objects.filter(department=county, code=spec["code"]).exists():
                continue
            custom, new = _ensure_form(county, _custom_form_spec(spec), admin)
            created_forms += new
            basic = CheckForm.objects.get(department=county.parent, code=f"{spec['code'].split('-')[1]}-BASIC")
            services.create_item(county, code=spec["code"], content=_content(spec, tags, [basic, custom]), user=admin)
            created_items += 1
        if county.items.filter(versions__status=VersionStatus.DRAFT).exists():
            services.publish_list(county, admin, reason="演示：认领上级事项并发布本部门清单")

    total = Item.objects.filter(department__in=[j.department(k) for k in COUNTY_CLAIMS]).count()
    log(f"随机抽查事项清单：县级部门 {total} 个事项（本次新增事项 {created_items} 个、表格 {created_forms} 张）")
