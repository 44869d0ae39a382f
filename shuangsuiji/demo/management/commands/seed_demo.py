"""Build the demo county. Deterministic and idempotent: a second run changes nothing.

The dataset grows step by step: each later capability adds a step to ``STEPS`` (the
registers add items, inspectors and businesses to the same jurisdiction).
"""

from types import SimpleNamespace

from django.core.management.base import BaseCommand
from django.db import transaction

from shuangsuiji.audit.context import acting
from shuangsuiji.demo import inspectors as demo_inspectors
from shuangsuiji.demo import jurisdiction
from shuangsuiji.demo import targets as demo_targets
from shuangsuiji.followups import demo as followups_demo
from shuangsuiji.inspections import demo as inspections_demo
from shuangsuiji.items import demo as items_demo
from shuangsuiji.plans import demo as plans_demo
from shuangsuiji.publicity import demo as publicity_demo
from shuangsuiji.reports import demo as reports_demo
from shuangsuiji.tasks import demo as tasks_demo

STEPS = [
    jurisdiction.build,
    demo_targets.seed,
    items_demo.seed,
    demo_inspectors.seed,
    plans_demo.seed,
    tasks_demo.seed,
    inspections_demo.seed,
    followups_demo.seed,
    publicity_demo.seed,
    reports_demo.seed,
]


class Command(BaseCommand):
    help = "生成演示县（河北省邢台市清河县）的机构、用户等演示数据；可重复执行，结果不变。"

    def add_arguments(self, parser):
        parser.add_argument("--logins", action="store_true", help="完成后打印各角色的演示账号")
        parser.add_argument("--logins-only", action="store_true", help="只打印演示账号，不改动数据")

    def handle(self, *args, **options):
        if options["logins_only"]:
            self.print_logins(jurisdiction.load())
            return
        with acting(actor_name="系统（seed_demo 演示数据）", reason="生成演示数据"), transaction.atomic():
            demo = SimpleNamespace()
            for step in STEPS:
                step(demo, self.stdout.write)
        if options["logins"]:
            self.print_logins(demo.jurisdiction)

    def print_logins(self, j):
        self.stdout.write(f"演示账号（密码均为 {jurisdiction.DEMO_PASSWORD}）：")
        for username, roles, full_name, org in jurisdiction.login_table(j):
            self.stdout.write(f"  {username:<14} {roles}\t{full_name}\t{org}")
