from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "shuangsuiji.plans"
    verbose_name = "年度抽查计划"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from shuangsuiji.audit.services import track
        from shuangsuiji.plans import models

        for model in (models.Plan, models.PlanLine, models.PlanWaiver, models.PlanAdjustment):
            track(model)
        through = models.Plan.participants.through
        m2m_changed.connect(_refuse_published_m2m, sender=through, dispatch_uid="plans:frozen:participants")


def _refuse_published_m2m(sender, instance, action, reverse, pk_set=None, **kwargs):
    """A published plan's participating departments are frozen with it."""
    from django.core.exceptions import ValidationError

    from shuangsuiji.plans.models import FROZEN, Plan

    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if not reverse:
        frozen = instance.status in FROZEN
    elif action == "pre_clear":
        frozen = Plan.objects.filter(participants=instance, status__in=FROZEN).exists()
    else:
        frozen = Plan.objects.filter(pk__in=pk_set or (), status__in=FROZEN).exists()
    if frozen:
        raise ValidationError("已发布的计划版本不可修改；请申请调整。")
