from django.core.management.base import BaseCommand

from shuangsuiji.audit.services import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：完好时输出 OK <n> entries 并返回 0，否则指出第一条损坏记录并返回 1。"

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"OK {report.count} entries")
            return
        self.stderr.write(f"BROKEN at entry {report.broken_seq}: {report.problem}")
        raise SystemExit(1)
