"""Demo target register for 清河县: 20,000 businesses and 600 production-construction projects.

Invented but realistic: names built from the county's real industries (羊绒, 汽车密封件,
硬质合金刀具 …), its real towns, GB/T 4754 divisions, valid USCC check digits (GB 32100-2015,
with a valid GB 11714 organisation code inside). Deterministic (fixed seed) and idempotent
(only codes not yet present are inserted; a second run writes nothing).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone

from shuangsuiji.audit.services import record
from shuangsuiji.demo.realistic import BRANDS, COUNTY, GIVEN, STREETS, SURNAMES, TOWNS, TRADES, make_uscc
from shuangsuiji.tags.models import Tag
from shuangsuiji.tags.services import ensure_tag
from shuangsuiji.targets.choices import RegistrationStatus, RiskClass, TargetType
from shuangsuiji.targets.models import Target

SEED = 20261123
BUSINESSES = 20_000
PROJECTS = 600

RISK_WEIGHTS = [(RiskClass.A, 30), (RiskClass.B, 50), (RiskClass.C, 15), (RiskClass.D, 5)]
PROJECT_KINDS = [
    ("羊绒产业园{n}期建设项目", "48"),
    ("{road}改建工程", "48"),
    ("{town}{n}兆瓦光伏发电项目", "44"),
    ("汽车零部件生产线扩建项目", "36"),
    ("{town}农田水利灌溉工程", "76"),
    ("{town}农村饮水安全巩固提升工程", "76"),
    ("物流仓储中心建设项目", "54"),
    ("{town}砂石料加工项目", "10"),
    ("商住小区{n}号地块开发项目", "70"),
    ("{road}污水管网建设工程", "77"),
]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _address(rng: random.Random) -> str:
    town = rng.choice(TOWNS)
    return f"河北省邢台市清河县{town}{rng.choice(STREETS)}{rng.randint(1, 999)}号"


def generate(rng: random.Random) -> list[dict]:
    """The demo targets as plain rows (deterministic for a given generator state)."""
    rows: list[dict] = []
    seen: set[str] = set()
    trade_pairs = [((d, words), share) for d, words, share in TRADES]
    start = date(1998, 1, 1)
    while len(rows) < BUSINESSES:
        division, words = _weighted(rng, trade_pairs)
        kind = _weighted(rng, [(TargetType.ENTERPRISE, 60), (TargetType.INDIVIDUAL, 35), (TargetType.COOPERATIVE, 5)])
        if division in ("01", "03") and kind == TargetType.ENTERPRISE:
            kind = TargetType.COOPERATIVE
        category = {TargetType.ENTERPRISE: "1", TargetType.INDIVIDUAL: "2", TargetType.COOPERATIVE: "3"}[kind]
        code = make_uscc(rng, category)
        if code in seen:
            continue
        seen.add(code)
        brand, trade = rng.choice(BRANDS), rng.choice(words)
        if kind == TargetType.ENTERPRISE:
            name = f"清河县{brand}{trade}{rng.choice(['有限公司', '有限责任公司', '股份有限公司'])}"
        elif kind == TargetType.INDIVIDUAL:
            name = f"清河县{rng.choice(TOWNS)}{brand}{trade}"
        else:
            name = f"清河县{rng.choice(TOWNS)}{brand}{trade}专业合作社"
        name = f"{name}（{len(rows) + 1:05d}）" if name in {r["name"] for r in rows[-50:]} else name
        status = _weighted(
            rng,
            [
                (RegistrationStatus.ACTIVE, 93),
                (RegistrationStatus.DEREGISTERED, 4),
                (RegistrationStatus.REVOKED, 2),
                (RegistrationStatus.CLOSED, 1),
            ],
        )
        rows.append(
            {
                "code": code,
                "uscc": code,
                "name": name,
                "target_type": kind,
                "legal_representative": _person(rng),
                "business_scope": f"{trade}的生产、加工、销售（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
                "address": _address(rng),
                "industry_id": division,
                "registration_status": status,
                "established_on": start + timedelta(days=rng.randint(0, 10_000)),
                "risk_class": _weighted(rng, RISK_WEIGHTS),
                "abnormal_operation": rng.random() < 0.03,
                "serious_violation": rng.random() < 0.005,
                "complaint_count": rng.choice([0] * 18 + [1, 2]),
                "project": False,
            }
        )
    for n in range(1, PROJECTS + 1):
        template, division = rng.choice(PROJECT_KINDS)
        name = "清河县" + template.format(n=rng.randint(1, 9), road=rng.choice(STREETS), town=rng.choice(TOWNS[:-1]))
        rows.append(
            {
                "code": f"Z{COUNTY}P{n:010d}",
                "uscc": None,
                "name": f"{name}（{2020 + n % 7}-{n:04d}）",
                "target_type": TargetType.PROJECT,
                "legal_representative": _person(rng),
                "business_scope": "生产建设项目（水土保持、规划许可、用地审批范围内）",
                "address": _address(rng),
                "industry_id": division,
                "registration_status": RegistrationStatus.ACTIVE,
                "established_on": date(2020, 1, 1) + timedelta(days=rng.randint(0, 2000)),
                "risk_class": _weighted(rng, RISK_WEIGHTS),
                "abnormal_operation": False,
                "serious_violation": False,
                "complaint_count": rng.choice([0] * 9 + [1]),
                "project": True,
            }
        )
    return rows


def seed(demo, log) -> None:
    parent = ensure_tag("target-feature", "对象特征", scope=Tag.Scope.TARGETS)
    project_tag = ensure_tag("construction-project", "生产建设项目", parent=parent, scope=Tag.Scope.TARGETS)
    cashmere_tag = ensure_tag("cashmere-cluster", "羊绒产业集群", parent=parent, scope=Tag.Scope.TARGETS)

    rows = generate(random.Random(SEED))
    existing = set(Target.objects.filter(code__in=[r["code"] for r in rows]).values_list("code", flat=True))
    missing = [r for r in rows if r["code"] not in existing]
    if not missing:
        log(f"演示检查对象：已存在 {len(rows)} 个，无需生成")
        return
    fields = [f for f in missing[0] if f != "project"]
    today, now = timezone.localdate(), timezone.now()
    # The current classification is on the target; no earlier ones, so no history rows.
    current = {
        "risk_source": "演示数据：企业信用风险分类结果",
        "risk_effective_on": today.replace(month=1, day=1),
        "risk_recorded_at": now,
    }
    objs = [Target(region_id=COUNTY, **{f: r[f] for f in fields}, **current) for r in missing]
    Target.objects.bulk_create(objs, batch_size=2000)
    ids = dict(Target.objects.filter(code__in=[r["code"] for r in missing]).values_list("code", "id"))
    through = Target.tags.through
    links = [through(target_id=ids[r["code"]], tag_id=project_tag.pk) for r in missing if r["project"]]
    links += [
        through(target_id=ids[r["code"]], tag_id=cashmere_tag.pk)
        for r in missing
        if r["industry_id"] in ("17", "18") and not r["project"]
    ]
    through.objects.bulk_create(links, batch_size=5000)
    record(
        action="targets.seed_demo",
        object_type="targets.target",
        object_id=COUNTY,
        object_repr=f"演示检查对象 {len(missing)} 个",
        after={"created": len(missing), "region": COUNTY},
    )
    businesses = sum(1 for r in missing if not r["project"])
    log(f"演示检查对象：新增企业等 {businesses} 个、生产建设项目 {len(missing) - businesses} 个")
