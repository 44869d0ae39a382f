from django.apps import AppConfig


class InspectorsConfig(AppConfig):
    name = "shuangsuiji.inspectors"
    verbose_name = "执法检查人员名录库"
