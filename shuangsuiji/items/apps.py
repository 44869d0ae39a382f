from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "shuangsuiji.items"
    verbose_name = "抽查事项清单"
