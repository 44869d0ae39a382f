from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shuangsuiji.reports"
    verbose_name = "统计报表与督查"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.reports import models

        for model in (models.Report, models.PlanFiling):
            track(model)
