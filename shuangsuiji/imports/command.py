"""Shared body of the import_targets / import_inspectors management commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.accounts.models import User
from shuangsuiji.imports.models import ImportJob
from shuangsuiji.imports.runner import create_job, run_import


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 或 csv 文件")
        parser.add_argument(
            "--mode", choices=["all", "valid"], default="all", help="all：全部正确才导入（默认）；valid：只导入正确的行"
        )
        parser.add_argument("--user", help="以该用户名义导入（记入审计日志）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"用户不存在：{options['user']}")
        job = create_job(kind=self.kind, source=path, file_name=path.name, mode=options["mode"], user=user)
        job = run_import(job.pk)
        self.stdout.write(job.message)
        if job.error_report_path:
            self.stdout.write(f"错误报告：{job.error_report_path}")
            for e in job.errors[:20]:
                self.stdout.write(f"  第 {e['row']} 行 [{e['column']}] {e['value']!r}：{e['reason']}")
        if job.status != ImportJob.Status.DONE:
            raise CommandError(f"导入未完成（{job.get_status_display()}）")
