from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "shuangsuiji.items"
    verbose_name = "抽查事项清单"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed

        from shuangsuiji.audit.services import track
        from shuangsuiji.items import importer, models  # noqa: F401  (importer registers itself)

        for model in (
            models.ItemList,
            models.Item,
            models.ItemVersion,
            models.SubItem,
            models.LegalBasis,
            models.CheckForm,
            models.FormVersion,
            models.FormField,
        ):
            track(model)
        for through in (models.ItemVersion.inspector_requirements.through, models.ItemVersion.forms.through):
            m2m_changed.connect(_refuse_published_m2m, sender=through, dispatch_uid=f"items:frozen:{through.__name__}")


def _refuse_published_m2m(sender, instance, action, reverse, pk_set=None, **kwargs):
    """A published item version's requirements and forms are frozen with it."""
    from django.core.exceptions import ValidationError

    from shuangsuiji.items.models import ItemVersion, VersionStatus

    if action not in ("pre_add", "pre_remove", "pre_clear"):
        return
    if not reverse:
        frozen = instance.status != VersionStatus.DRAFT
    else:  # changed from the tag's or the form's side
        field = "forms" if sender is ItemVersion.forms.through else "inspector_requirements"
        versions = ItemVersion.objects.exclude(status=VersionStatus.DRAFT)
        if action == "pre_clear":
            frozen = versions.filter(**{field: instance}).exists()
        else:
            frozen = versions.filter(pk__in=pk_set or ()).exists()
    if frozen:
        raise ValidationError("已发布的事项版本不可修改；请创建新版本。")
