from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shuangsuiji.web"
    verbose_name = "界面"

    def ready(self) -> None:
        from shuangsuiji.web import lengths

        lengths.connect()
