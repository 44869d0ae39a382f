from shuangsuiji.imports.command import ImportCommand


class Command(ImportCommand):
    help = "从 xlsx/csv 导入执法检查人员（按执法证号更新），默认全部正确才导入。"
    kind = "inspectors"
