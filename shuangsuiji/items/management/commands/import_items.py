from shuangsuiji.imports.command import ImportCommand


class Command(ImportCommand):
    help = "从 xlsx/csv 导入随机抽查事项（按部门+事项编码更新，导入为草稿，发布另行操作），默认全部正确才导入。"
    kind = "items"
