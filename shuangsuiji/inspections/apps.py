from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shuangsuiji.inspections"
    verbose_name = "检查记录与结果认定"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.inspections import models

        # Results are sealed content until the task's list is published: the text of every
        # record, part and item result goes to the audit entries' sealed part.
        track(models.InspectionRecord, sealed=("place", "signer", "witnesses", "refusal_note"))
        track(models.RecordInspector)
        track(models.DepartmentPart, sealed=("note", "return_reason", "correction_reason"))
        track(models.PartResultCode)
        track(models.ItemResult, sealed=("answers", "problem", "legal_basis"))
        track(models.Evidence, exclude=("thumbnail",), sealed=("original_name", "description"))
        track(models.InspectionSummary, sealed=("content", "findings", "handling_opinion", "suggestions"))
        track(models.RegisterChangeProposal)
        from shuangsuiji.inspections import deadlines
        from shuangsuiji.workdays.deadlines import register

        register(deadlines.KIND)  # the publication deadline, recomputed when its year is entered
