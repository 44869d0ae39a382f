from django.core.management.base import BaseCommand

from shuangsuiji.audit.anchors import anchor_path, verify_and_anchor


class Command(BaseCommand):
    help = (
        "校验审计日志哈希链（含创世记录、链头和库外锚点）：完好时输出 OK <n> entries、写入一个新锚点并返回 0；"
        "否则指出第一条损坏的记录或第一个不再相符的锚点并返回 1。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-anchor", action="store_true", help="只校验，不写入新锚点（例如校验数据库副本时）")

    def handle(self, *args, **options):
        outcome = verify_and_anchor(write=not options["no_anchor"])
        report_outcome(self, outcome)


def report_outcome(command: BaseCommand, outcome) -> None:
    """Print the outcome the same way for audit_verify and audit_anchor; exit 1 when broken."""
    if outcome.file_problem:
        command.stderr.write(f"BROKEN anchor file {anchor_path()}: {outcome.file_problem}")
        raise SystemExit(1)
    report = outcome.report
    if not report.ok:
        where = f"anchor line {report.anchor_line}" if report.anchor_line is not None else f"entry {report.broken_seq}"
        command.stderr.write(f"BROKEN at {where}: {report.problem}")
        raise SystemExit(1)
    command.stdout.write(f"OK {report.count} entries")
    note = f"已核对 {report.anchors} 个锚点"
    if outcome.anchor is not None:
        note += f"；锚点：第 {outcome.anchor.seq} 条 {outcome.anchor.hash[:16]}… → {anchor_path()}"
    command.stdout.write(note)
