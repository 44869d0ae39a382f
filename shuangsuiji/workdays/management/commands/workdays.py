from datetime import date

from django.core.management.base import BaseCommand, CommandError

from shuangsuiji.workdays.services import CalendarDataMissing, WorkdayCalendar


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = "工作日计算：add D N 输出 D 之后第 N 个工作日；is D 判断是否工作日；between D1 D2 统计 (D1, D2] 内工作日数。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        add = sub.add_parser("add", help="D 之后（不含 D）第 N 个工作日")
        add.add_argument("date")
        add.add_argument("n", type=int)
        is_ = sub.add_parser("is", help="是否工作日")
        is_.add_argument("date")
        between = sub.add_parser("between", help="(D1, D2] 内的工作日数")
        between.add_argument("start")
        between.add_argument("end")

    def handle(self, *args, **options):
        cal = WorkdayCalendar()
        try:
            if options["op"] == "add":
                self.stdout.write(cal.add_workdays(_date(options["date"]), options["n"]).isoformat())
            elif options["op"] == "is":
                self.stdout.write("工作日" if cal.is_workday(_date(options["date"])) else "休息日")
            else:
                self.stdout.write(str(cal.workdays_between(_date(options["start"]), _date(options["end"]))))
        except (CalendarDataMissing, ValueError) as exc:
            raise CommandError(str(exc)) from exc
