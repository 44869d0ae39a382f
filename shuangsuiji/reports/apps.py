from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shuangsuiji.reports"
    verbose_name = "统计报表与督查"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.reports import models, summary

        summary.connect()  # the saves that change a task's figures mark its summary

        for model in (models.Report, models.PlanFiling, models.RevisitFinding):
            track(model)
        files = ("population_csv", "exclusions_csv", "params_json", "commitment_json", "entropy_json", "result_json")
        track(models.RevisitDraw, secret=("server_secret",), exclude=(*files, "bundle_zip"))
