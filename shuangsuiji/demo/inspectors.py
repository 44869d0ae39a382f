"""Demo inspector register for the three 清河县 departments (seed_demo step).

65 people per department (60 enforcement inspectors spread over the department's units and
5 experts attached to the department itself), invented but realistic:

- 执法证号 in the Hebei numeric style: 6-digit region code + 5-digit serial, the serial's
  first digit naming the department (1 水务, 2 市场监管, 3 自然资源和规划), e.g. 13053410001.
  Experts have no enforcement certificate; they are registered with an expert appointment
  number ``ZJ`` + the same 11 digits (e.g. ZJ13053410061).
- Certificates valid from 2021–2025 to 2027–2029; three per department already expired.
- Three per department on leave this month; about 90 % with a training record.
- Specialties from the tag library under 专业特长 (``specialty``), scope inspectors, one or two
  per person matching their unit; the enforcement-certificate qualification tag when the
  items demo has created it.
- Two declared relationships (回避) per department with demo targets, chosen by code order.
- The demo inspector logins (ACCOUNTS) each have one register person of their unit who is
  eligible for the demo task and bears the login's name; seed_demo's task step links them
  (``tasks.demo._link_inspectors``), so the demo draw can reach them.

Deterministic (fixed seed; dates that must be "this month" or "expired" are relative to the
day of the first run) and idempotent: only certificate numbers not yet present are
inserted, with their training, leave, tags and relationships, and one audit entry is
written only when something was created. Existing tags are reused as they are (looked up by
code, then by name under 专业特长) and never modified.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from shuangsuiji.audit.services import record
from shuangsuiji.inspectors.choices import RelationshipKind
from shuangsuiji.inspectors.models import Inspector, LeavePeriod, Relationship, TrainingRecord
from shuangsuiji.tags.models import Tag
from shuangsuiji.tags.services import ensure_tag

SEED = 20261124
COUNTY = "130534"
PER_DEPARTMENT = 60
EXPERTS = 5
EXPIRED = 3
ON_LEAVE = 3
RELATIONSHIPS = 2

SPECIALTY_PARENT = ("specialty", "专业特长")
SPECIALTIES = [
    ("specialty-soil-water", "水土保持"),
    ("specialty-water-resources", "水资源管理"),
    ("specialty-river", "河道管理"),
    ("specialty-registration", "市场主体登记"),
    ("specialty-food", "食品安全"),
    ("specialty-quality", "产品质量"),
    ("specialty-metrology", "计量"),
    ("specialty-land", "土地管理"),
    ("specialty-minerals", "矿产资源"),
    ("specialty-planning", "城乡规划"),
]
ENFORCEMENT_QUALIFICATION = "qualification-enforcement-cert"  # created by the items demo, if present

# department key → (serial digit, specialties of the line, {unit short name: main specialty})
LINES = {
    "water": (
        "1",
        ["水土保持", "水资源管理", "河道管理"],
        {"水土保持股": "水土保持", "水资源管理股": "水资源管理", "水政监察大队": "河道管理"},
    ),
    "market": (
        "2",
        ["市场主体登记", "食品安全", "产品质量", "计量"],
        {"登记注册股": "市场主体登记", "食品安全监督管理股": "食品安全", "产品质量监督管理股": "产品质量"},
    ),
    "natural_resources": (
        "3",
        ["土地管理", "矿产资源", "城乡规划"],
        {"耕地保护股": "土地管理", "国土空间规划股": "城乡规划", "矿产资源管理股": "矿产资源"},
    ),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞",
    "平", "刚", "建国", "志强", "海燕", "红梅", "立新", "玉兰", "文军", "永刚", "晓东", "春梅", "宏伟", "建华",
    "振华", "金凤", "淑珍", "国庆", "丽娟", "建军", "海涛", "晓燕", "秀芳", "俊杰", "子涵", "浩然", "雨欣",
]  # fmt: skip
POSITIONS = ["科员", "科员", "一级科员", "四级主任科员", "副股长", "股长", "执法队员", "执法队员", "副大队长"]
EXPERT_POSITIONS = ["高级工程师", "工程师", "正高级工程师", "注册安全工程师"]
COURSES = ["行政执法人员资格培训", "“双随机、一公开”监管业务培训", "行政执法“三项制度”专题培训"]
ISSUERS = ["河北省司法厅", "邢台市司法局", "清河县司法局"]
LEAVE_REASONS = ["年休假", "病假", "外出培训", "借调"]

# The demo inspector logins and the register person each belongs to: a person of the login's
# unit, eligible for the demo task (the specialty its items require, trained, certificate
# valid, not on leave, no declared relationship), with the login's name.
# department key → (username, specialty the demo task's item requires or None)
ACCOUNTS = {
    "water": ("sw_inspector", "水土保持"),
    "market": ("sc_inspector", "市场主体登记"),
    "natural_resources": ("zr_inspector", None),
}
DECLARING = (2, 7)  # indexes of the people with a declared relationship


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in taken:
            taken.add(name)
            return name


def _tag(code: str, name: str, parent: Tag | None) -> Tag:
    """An existing tag (by code, then by name under the parent) or a new one; never modifies tags."""
    tag = Tag.objects.filter(code=code).first()
    if tag is None:
        tag = Tag.objects.filter(parent=parent, name=name).first()
    return tag or ensure_tag(code, name, parent=parent, scope=Tag.Scope.INSPECTORS)


def specialty_tags() -> dict[str, Tag]:
    """专业特长 tags by name (created if missing)."""
    parent = _tag(*SPECIALTY_PARENT, None)
    return {name: _tag(code, name, parent) for code, name in SPECIALTIES}


def generate(rng: random.Random, j, today: date) -> list[dict]:
    """The demo inspectors as plain rows (deterministic for a given generator state and day)."""
    from shuangsuiji.demo.jurisdiction import COUNTY_UNITS

    rows: list[dict] = []
    for key, (digit, line, unit_specialty) in LINES.items():
        department = j.department(key)
        units = [name for name, _coord in COUNTY_UNITS[key]]
        taken: set[str] = set()
        expired = set(rng.sample(range(PER_DEPARTMENT), EXPIRED))
        on_leave = set(rng.sample(sorted(set(range(PER_DEPARTMENT)) - expired), ON_LEAVE))
        for n in range(PER_DEPARTMENT + EXPERTS):
            expert = n >= PER_DEPARTMENT
            serial = f"{COUNTY}{digit}{n + 1:04d}"
            unit = None if expert else units[n % len(units)]
            org = department if unit is None else j.unit(key, unit)
            main = unit_specialty.get(unit) if unit else None
            specialties = {main or rng.choice(line)}
            if rng.random() < 0.4:
                specialties.add(rng.choice(line))
            valid_from = date(rng.randint(2021, 2025), rng.randint(1, 12), 1)
            valid_to = date(rng.randint(2027, 2029), 12, 31)
            if n in expired:
                valid_from = date(2019, 1, 1)
                valid_to = today - timedelta(days=rng.randint(20, 300))
            trained = expert or rng.random() < 0.9
            rows.append(
                {
                    "certificate_no": f"ZJ{serial}" if expert else serial,
                    "name": _name(rng, taken),
                    "organisation_id": org.pk,
                    "position": rng.choice(EXPERT_POSITIONS if expert else POSITIONS),
                    "cert_valid_from": valid_from,
                    "cert_valid_to": valid_to,
                    "phone": f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
                    "is_expert": expert,
                    "specialties": sorted(specialties),
                    "training": (
                        (rng.choice(COURSES), today - timedelta(days=rng.randint(30, 900)), rng.choice(ISSUERS))
                        if trained
                        else None
                    ),
                    "leave": (
                        (today.replace(day=1), today.replace(day=1) + timedelta(days=rng.randint(5, 20)))
                        if n in on_leave
                        else None
                    ),
                    "leave_reason": rng.choice(LEAVE_REASONS),
                    "department": key,
                    "index": n,
                    "eligible": not expert and trained and n not in expired and n not in on_leave,
                }
            )
    _give_accounts(rows, j)
    return rows


def _give_accounts(rows: list[dict], j) -> None:
    """Mark the register person of each demo login (see ACCOUNTS): same unit, eligible, the
    login's name (swapped with the person who had it, if any), the required specialty."""
    for key, (username, specialty) in ACCOUNTS.items():
        user = j.users.get(username)
        if user is None:
            continue
        mine = [r for r in rows if r["department"] == key]
        person = next(
            (
                r
                for r in mine
                if r["organisation_id"] == user.organisation_id and r["eligible"] and r["index"] not in DECLARING
            ),
            None,
        )
        if person is None:
            continue
        namesake = next((r for r in mine if r["name"] == user.full_name and r is not person), None)
        if namesake is not None:
            namesake["name"] = person["name"]
        person["name"] = user.full_name
        if specialty and specialty not in person["specialties"]:
            person["specialties"] = sorted({*person["specialties"], specialty})
        person["account"] = username


def seed(demo, log) -> None:
    from shuangsuiji.targets.models import Target

    j = demo.jurisdiction
    today = timezone.localdate()
    tags = specialty_tags()
    qualification = Tag.objects.filter(code=ENFORCEMENT_QUALIFICATION).first()
    rows = generate(random.Random(SEED), j, today)
    existing = set(
        Inspector.objects.filter(certificate_no__in=[r["certificate_no"] for r in rows]).values_list(
            "certificate_no", flat=True
        )
    )
    missing = [r for r in rows if r["certificate_no"] not in existing]
    if not missing:
        log(f"演示执法检查人员：已存在 {len(rows)} 人，无需生成")
        return
    fields = ["certificate_no", "name", "organisation_id", "position", "cert_valid_from", "cert_valid_to", "phone"]
    Inspector.objects.bulk_create(
        [Inspector(is_expert=r["is_expert"], **{f: r[f] for f in fields}) for r in missing],
        batch_size=1000,
    )
    ids = dict(
        Inspector.objects.filter(certificate_no__in=[r["certificate_no"] for r in missing]).values_list(
            "certificate_no", "id"
        )
    )
    through = Inspector.specialties.through
    links = [
        through(inspector_id=ids[r["certificate_no"]], tag_id=tags[s].pk) for r in missing for s in r["specialties"]
    ]
    if qualification is not None:
        links += [
            through(inspector_id=ids[r["certificate_no"]], tag_id=qualification.pk)
            for r in missing
            if not r["is_expert"]
        ]
    through.objects.bulk_create(links, batch_size=2000)
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                inspector_id=ids[r["certificate_no"]],
                course=r["training"][0],
                completed_on=r["training"][1],
                hours=16,
                issuer=r["training"][2],
            )
            for r in missing
            if r["training"]
        ]
    )
    LeavePeriod.objects.bulk_create(
        [
            LeavePeriod(
                inspector_id=ids[r["certificate_no"]], start=r["leave"][0], end=r["leave"][1], reason=r["leave_reason"]
            )
            for r in missing
            if r["leave"]
        ]
    )
    # Declared relationships: the first targets of the county by code, two per department.
    targets = list(Target.objects.filter(region_id=COUNTY).order_by("code").values_list("id", flat=True)[:6])
    kinds = [RelationshipKind.KINSHIP, RelationshipKind.FORMER_EMPLOYMENT, RelationshipKind.SHAREHOLDING]
    relationships = []
    declaring = [r for r in missing if not r["is_expert"] and r["index"] in (2, 7)]
    for n, (r, target_id) in enumerate(zip(declaring, targets, strict=False)):
        relationships.append(
            Relationship(
                inspector_id=ids[r["certificate_no"]],
                target_id=target_id,
                kind=kinds[n % len(kinds)],
                note="演示数据：本人申报",
                declared_on=date(2026, 1, 5),
            )
        )
    Relationship.objects.bulk_create(relationships)
    experts = sum(1 for r in missing if r["is_expert"])
    record(
        action="inspectors.seed_demo",
        object_type="inspectors.inspector",
        object_id=COUNTY,
        object_repr=f"演示执法检查人员 {len(missing)} 人",
        after={"created": len(missing), "experts": experts, "relationships": len(relationships)},
    )
    enforcement = len(missing) - experts
    log(f"演示执法检查人员：新增执法人员 {enforcement} 名、专家 {experts} 名，利害关系申报 {len(relationships)} 条")
