from shuangsuiji.imports.command import ImportCommand


class Command(ImportCommand):
    help = "从 xlsx/csv 导入检查对象（按统一社会信用代码更新），默认全部正确才导入。"
    kind = "targets"
