from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "shuangsuiji.items"
    verbose_name = "抽查事项清单"

    def ready(self) -> None:
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
        # Published versions, their rows and many-to-many fields: shuangsuiji.immutability.
