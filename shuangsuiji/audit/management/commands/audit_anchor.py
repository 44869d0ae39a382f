from django.core.management.base import BaseCommand

from shuangsuiji.audit.anchors import verify_and_anchor
from shuangsuiji.audit.management.commands.audit_verify import report_outcome


class Command(BaseCommand):
    help = (
        "把审计链头（创世标识、序号、哈希、时间）追加写入库外锚点文件 SHUANGSUIJI_AUDIT_ANCHOR_FILE；"
        "先校验整条链与已有锚点，链损坏时不写并返回 1。每日由任务队列自动执行一次。"
    )

    def handle(self, *args, **options):
        report_outcome(self, verify_and_anchor(write=True))
