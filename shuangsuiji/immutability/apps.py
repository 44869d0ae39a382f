from django.apps import AppConfig


class ImmutabilityConfig(AppConfig):
    name = "shuangsuiji.immutability"
    verbose_name = "不可修改记录"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_migrate, pre_delete

        from shuangsuiji import immutability as im

        for model in im.guarded_models():
            pre_delete.connect(im.refuse_frozen_delete, sender=model, dispatch_uid=f"immutability:{model._meta.label}")
        for through in im.through_specs():
            sender = through.model._meta.get_field(through.field_name).remote_field.through
            m2m_changed.connect(
                im.refuse_frozen_m2m(through), sender=sender, dispatch_uid=f"immutability:{through.table}", weak=False
            )
        post_migrate.connect(_install_triggers, sender=self, dispatch_uid="immutability:triggers")


def _install_triggers(sender, using, **kwargs) -> None:
    """After every migrate (and every test flush): the triggers of the declarations."""
    from django.db import connections

    from shuangsuiji.immutability.sql import sync

    sync(connections[using])
