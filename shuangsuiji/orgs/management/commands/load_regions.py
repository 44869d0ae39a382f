from django.core.management.base import BaseCommand

from shuangsuiji.orgs.models import Region
from shuangsuiji.orgs.regions import load_regions


class Command(BaseCommand):
    help = "从随附的 GB/T 2260 行政区划表更新行政区划（只新增和更名，不删除）。"

    def handle(self, *args, **options):
        created, updated = load_regions(Region)
        self.stdout.write(f"行政区划：新增 {created}，更新 {updated}")
