from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "shuangsuiji.workdays"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.workdays.models import CalendarOverride, CalendarYear

        track(CalendarOverride)
        track(CalendarYear)
