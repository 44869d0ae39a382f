from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "shuangsuiji.tags"
    verbose_name = "标签字库"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.tags.models import Tag

        track(Tag, exclude=("path",))
