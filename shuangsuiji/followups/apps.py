from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shuangsuiji.followups"
    verbose_name = "后续处置与信用闭环"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.followups import models
        from shuangsuiji.tasks.population import register_weight_provider

        # the credit loop's draw weights go into every task draw's population (weight column)
        register_weight_provider(loop_weights)

        from shuangsuiji.followups import deadlines
        from shuangsuiji.workdays.deadlines import register

        for kind in deadlines.KINDS:  # provisional deadlines, recomputed when the year is entered
            register(kind)

        # Every create and change is an audit entry; domain actions name themselves
        # (followups.open, followups.transfer, … with audit.context.acting). A follow-up speaks
        # of a drawn target's finding: its texts go to the entries' sealed part (shown once the
        # task is published, before that to the sealed list's readers on request).
        sealed = {
            models.FollowUp: ("summary", "case_number", "decision", "other_text", "outcome"),
            models.FollowUpStep: ("text", "original_name"),
            models.Transfer: ("reason", "return_reason"),
            models.ReInspection: ("seed", "bundle", "note"),
            models.ReInspectionItem: ("problem",),
            models.CreditConsequence: ("source",),
        }
        for model in (
            models.FollowUpType,
            models.FollowUp,
            models.FollowUpProblem,
            models.FollowUpStep,
            models.Transfer,
            models.ReInspection,
            models.ReInspectionItem,
            models.CreditRule,
            models.CreditConsequence,
            models.Objection,
            models.ReInspectionRule,
        ):
            track(model, exclude=("file",) if model is models.FollowUpStep else (), sealed=sealed.get(model, ()))


def loop_weights(population, today):
    """The draw weights the credit loop raises among a task's population (tasks.population)."""
    from shuangsuiji.followups.credit import draw_weights

    return draw_weights(population.values("pk"), today)
