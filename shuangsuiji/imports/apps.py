from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "shuangsuiji.imports"
    verbose_name = "导入导出"
