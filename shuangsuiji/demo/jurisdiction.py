"""Demo jurisdiction: 河北省邢台市清河县 (130534), the county of seed 002.

Regions are the real GB/T 2260 codes. Organisations and people are invented for the demo
but shaped like a real county: the county's 双随机办, three departments with their units
and their own 双随机办 unit, the departments of the same lines at city and province level
(the level above, for claiming items), and a supervision office.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shuangsuiji.accounts.models import Role
from shuangsuiji.accounts.services import ensure_user
from shuangsuiji.orgs.models import DepartmentKind, Organisation, Region
from shuangsuiji.orgs.services import ensure_organisation

DEMO_PASSWORD = "Qinghe@2026"
PROVINCE, CITY, COUNTY = "130000", "130500", "130534"

DEPARTMENT_KINDS = [
    # code, name, aliases, order
    ("water", "水务（水利）", "水务局、水利局、水利厅", 10),
    ("market", "市场监管", "市场监督管理局、市场监管局", 20),
    ("natural_resources", "自然资源和规划", "自然资源和规划局、自然资源局、自然资源厅", 30),
    ("ecology", "生态环境", "生态环境局、生态环境厅", 40),
    ("housing", "住房和城乡建设", "住房和城乡建设局、住建局", 50),
    ("emergency", "应急管理", "应急管理局、应急管理厅", 60),
    ("agriculture", "农业农村", "农业农村局、农业农村厅", 70),
    ("transport", "交通运输", "交通运输局、交通运输厅", 80),
]

# kind code → {level: department name}
DEPARTMENTS = {
    "water": {PROVINCE: "河北省水利厅", CITY: "邢台市水利局", COUNTY: "清河县水务局"},
    "market": {PROVINCE: "河北省市场监督管理局", CITY: "邢台市市场监督管理局", COUNTY: "清河县市场监督管理局"},
    "natural_resources": {
        PROVINCE: "河北省自然资源厅",
        CITY: "邢台市自然资源和规划局",
        COUNTY: "清河县自然资源和规划局",
    },
}

# County departments' units; the one marked True is the department's 双随机办.
COUNTY_UNITS = {
    "water": [
        ("政策法规股（双随机办）", True),
        ("水土保持股", False),
        ("水资源管理股", False),
        ("水政监察大队", False),
    ],
    "market": [
        ("信用监督管理股（双随机办）", True),
        ("登记注册股", False),
        ("食品安全监督管理股", False),
        ("产品质量监督管理股", False),
        ("综合行政执法大队", False),
    ],
    "natural_resources": [
        ("法规股（双随机办）", True),
        ("耕地保护股", False),
        ("国土空间规划股", False),
        ("矿产资源管理股", False),
        ("执法监察大队", False),
    ],
}

# username, full name, organisation key, roles
USERS = [
    ("admin", "平台管理员", "county_office", [Role.PLATFORM_ADMIN]),
    ("qh_office", "田婷婷", "county_office", [Role.COORDINATING_OFFICE]),
    ("qh_supervisor", "郭海新", "county_supervision", [Role.SUPERVISOR]),
    ("xt_office", "李建国", "city_office", [Role.COORDINATING_OFFICE]),
    ("sw_admin", "王志强", "water", [Role.DEPARTMENT_ADMIN]),
    ("sw_operator", "张丽娜", "water:水土保持股", [Role.UNIT_OPERATOR]),
    ("sw_inspector", "刘振华", "water:水政监察大队", [Role.INSPECTOR]),
    ("sc_admin", "赵文静", "market", [Role.DEPARTMENT_ADMIN]),
    ("sc_operator", "孙晓明", "market:信用监督管理股（双随机办）", [Role.UNIT_OPERATOR]),
    ("sc_inspector", "周永刚", "market:综合行政执法大队", [Role.INSPECTOR]),
    ("zr_admin", "吴秀英", "natural_resources", [Role.DEPARTMENT_ADMIN]),
    ("zr_operator", "郑凯", "natural_resources:耕地保护股", [Role.UNIT_OPERATOR]),
    ("zr_inspector", "冯国栋", "natural_resources:执法监察大队", [Role.INSPECTOR]),
]


@dataclass
class Jurisdiction:
    county: Region
    city: Region
    province: Region
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)

    def department(self, kind_code: str) -> Organisation:
        return self.orgs[kind_code]

    def unit(self, kind_code: str, name: str) -> Organisation:
        return self.orgs[f"{kind_code}:{name}"]


def build(demo, log) -> Jurisdiction:
    """Step 1 of seed_demo: sets ``demo.jurisdiction``."""
    regions = {r.code: r for r in Region.objects.filter(code__in=[PROVINCE, CITY, COUNTY])}
    j = Jurisdiction(county=regions[COUNTY], city=regions[CITY], province=regions[PROVINCE])

    kinds = {}
    for code, name, aliases, order in DEPARTMENT_KINDS:
        kind = DepartmentKind.objects.filter(code=code).first()
        if kind is None:
            kind = DepartmentKind.objects.create(code=code, name=name, aliases=aliases, sort_order=order)
        kinds[code] = kind

    Kind = Organisation.Kind
    j.orgs["city_office"], _ = ensure_organisation(
        name="邢台市双随机一公开工作领导小组办公室", kind=Kind.OFFICE, region=j.city, is_coordinating_office=True
    )
    j.orgs["county_office"], _ = ensure_organisation(
        name="清河县双随机一公开工作领导小组办公室",
        short_name="清河县双随机办",
        kind=Kind.OFFICE,
        region=j.county,
        is_coordinating_office=True,
    )
    j.orgs["county_supervision"], _ = ensure_organisation(
        name="清河县人民政府督查室", kind=Kind.OFFICE, region=j.county
    )
    for kind_code, by_level in DEPARTMENTS.items():
        parent = None
        for region_code in (PROVINCE, CITY, COUNTY):
            org, _ = ensure_organisation(
                name=by_level[region_code],
                kind=Kind.DEPARTMENT,
                region=regions[region_code],
                department_kind=kinds[kind_code],
                parent=parent,
            )
            parent = org
        j.orgs[kind_code] = parent
        for unit_name, coordinating in COUNTY_UNITS[kind_code]:
            j.orgs[f"{kind_code}:{unit_name}"], _ = ensure_organisation(
                name=f"{parent.name}{unit_name}",
                short_name=unit_name,
                kind=Kind.UNIT,
                region=j.county,
                parent=parent,
                is_coordinating_office=coordinating,
            )

    for username, full_name, org_key, roles in USERS:
        is_admin = Role.PLATFORM_ADMIN in roles
        j.users[username], _ = ensure_user(
            username=username,
            full_name=full_name,
            organisation=j.orgs[org_key],
            roles=list(roles),
            password=DEMO_PASSWORD,
            is_staff=is_admin,
            is_superuser=is_admin,
        )
    demo.jurisdiction = j
    place = f"{j.province.name}{j.city.name}{j.county.name}（{COUNTY}）"
    log(f"演示辖区：{place}，{len(j.orgs)} 个机构，{len(j.users)} 个用户")
    return j


def load() -> Jurisdiction:
    """The jurisdiction an earlier seed_demo built (read-only)."""
    from shuangsuiji.accounts.models import User

    regions = {r.code: r for r in Region.objects.filter(code__in=[PROVINCE, CITY, COUNTY])}
    j = Jurisdiction(county=regions[COUNTY], city=regions[CITY], province=regions[PROVINCE])
    users = {
        u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS]).select_related("organisation")
    }
    for username, _name, org_key, _roles in USERS:
        j.users[username] = users[username]
        j.orgs[org_key] = users[username].organisation
    return j


def login_table(j: Jurisdiction) -> list[tuple[str, str, str, str]]:
    """(username, role label, full name, organisation name) for printing the demo logins."""
    labels = dict(Role.choices)
    return [(u, "、".join(labels[r] for r in roles), name, j.orgs[org].name) for u, name, org, roles in USERS]
