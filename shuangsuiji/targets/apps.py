from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "shuangsuiji.targets"
    verbose_name = "检查对象名录库"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.targets import importer  # noqa: F401  (registers the importer)
        from shuangsuiji.targets.models import LastInspection, RiskClassChange, Target

        track(Target, exclude=("created_at", "updated_at", "import_job"))
        track(RiskClassChange)
        track(LastInspection)
