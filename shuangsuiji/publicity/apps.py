from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "shuangsuiji.publicity"
    verbose_name = "一公开"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.publicity import models

        for model in (models.Publication, models.Withdrawal, models.Redaction):
            track(model)
        track(models.ExportBatch, exclude=("gsxt_json", "gsxt_csv", "hlw_json", "hlw_csv"))
