from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "shuangsuiji.plans"
    verbose_name = "年度抽查计划"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.plans import models

        for model in (models.Plan, models.PlanLine, models.PlanWaiver, models.PlanAdjustment):
            track(model)
        # Published versions, their lines, waivers and participants: shuangsuiji.immutability.
