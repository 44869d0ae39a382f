from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "shuangsuiji.tasks"
    verbose_name = "抽查任务与抽取"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.tasks import models

        for model in (models.Task, models.TaskParticipant, models.TaskItem, models.VoidRequest, models.Confirmation):
            track(model)
        # Draws are audited by their named actions (tasks.freeze, tasks.draw, …) in services;
        # their frozen files are large and never change, so they are not snapshotted here.
