from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "shuangsuiji.orgs"
    verbose_name = "机构与行政区划"

    def ready(self) -> None:
        from shuangsuiji.audit.services import track
        from shuangsuiji.orgs.models import DepartmentKind, Organisation

        track(Organisation, exclude=("path",))
        track(DepartmentKind)
