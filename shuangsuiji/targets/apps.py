from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "shuangsuiji.targets"
    verbose_name = "检查对象名录库"
