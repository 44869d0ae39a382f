from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "shuangsuiji.tasks"
    verbose_name = "抽查任务与抽取"

    def ready(self) -> None:
        from shuangsuiji.audit import sealed as audit_sealed
        from shuangsuiji.audit.services import track
        from shuangsuiji.tasks import models
        from shuangsuiji.tasks.sealed import AuditPolicy

        for model in (models.Task, models.TaskParticipant, models.TaskItem):
            track(model)
        # Notes and reasons about a drawn list may name its targets: the entries' sealed part.
        track(models.Confirmation, sealed=("note",))
        track(models.VoidRequest, sealed=("reason", "decision_note"))
        audit_sealed.register(AuditPolicy())
        from shuangsuiji.tasks import deadlines
        from shuangsuiji.workdays.deadlines import register

        register(deadlines.KIND)
        # Draws are audited by their named actions (tasks.freeze, tasks.draw, …) in services;
        # their frozen files are large and never change, so they are not snapshotted here.
