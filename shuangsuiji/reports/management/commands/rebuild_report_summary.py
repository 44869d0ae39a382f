"""Recompute the report summary (``reports/summary.py``) from scratch: after a bulk load that
bypassed the services, or to check that the kept summary is what the records say."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from shuangsuiji.reports import summary


class Command(BaseCommand):
    help = "从原始记录重新计算统计报表与监管指标的汇总数据（任务×部门计数、到期计数、检查人员工作量、对象×牵头部门）。"

    def handle(self, *args, **options):
        t = time.perf_counter()
        n = summary.rebuild()
        self.stdout.write(
            f"汇总已重建：{n['tasks']} 个任务，任务×部门 {n['task_figures']} 行，到期 {n['task_due']} 行，"
            f"检查人员工作量 {n['inspector_load']} 行，对象×牵头部门 {n['target_lead']} 行，"
            f"用时 {time.perf_counter() - t:.1f} 秒"
        )
