from django.apps import AppConfig


class InspectorsConfig(AppConfig):
    name = "shuangsuiji.inspectors"
    verbose_name = "执法检查人员名录库"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.inspectors import importer  # noqa: F401  (registers the importer)
        from shuangsuiji.inspectors.models import Inspector, LeavePeriod, Relationship, TrainingRecord

        track(Inspector, exclude=("created_at", "updated_at", "import_job"))
        track(TrainingRecord, exclude=("recorded_at",))
        track(LeavePeriod, exclude=("recorded_at",))
        track(Relationship, exclude=("recorded_at",))
