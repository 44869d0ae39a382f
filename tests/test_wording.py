"""What a user reads: no seed-document references ("004 §13"), the right measure word for
counts of targets (项目 are 个, not 户), change histories as separate entries with Chinese field
names and names instead of internal ids."""

import ast
import re
from pathlib import Path

import pytest

CODE = Path(__file__).resolve().parent.parent / "shuangsuiji"
SEED_REFERENCE = re.compile(r"(?<![0-9.\-/])00[0-9](?![0-9])\s*(§|第)|§\s*\d|spec v1")


def user_strings():
    """Template text and the Chinese string constants of the code (docstrings left out)."""
    for path in CODE.rglob("*.html"):
        yield path, path.read_text()
    for path in CODE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        docs = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            text = node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""
            if id(node) not in docs and re.search("[\u4e00-\u9fff]", text):
                yield path, text


def test_no_seed_document_references_reach_the_user():
    found = [(p.name, m.group(0)) for p, text in user_strings() for m in SEED_REFERENCE.finditer(text)]
    assert not found


def test_counts_of_targets_do_not_use_the_measure_word_for_households():
    found = [
        (p.name, m.group(0)) for p, text in user_strings() for m in re.finditer(r"(}}|\d)\s*(</span>)?\s*户", text)
    ]
    assert not found


@pytest.mark.django_db
def test_a_targets_history_reads_as_separate_entries_with_names(client, login, demo, tmp_path):
    from shuangsuiji.tags.models import Tag
    from shuangsuiji.tags.services import ensure_tag
    from shuangsuiji.targets.models import Target
    from tests.targets.helpers import GOOD_USCC, run, write_csv

    tag = ensure_tag("tag-cashmere", "羊绒加工", scope=Tag.Scope.TARGETS)
    header = ["名称", "统一社会信用代码", "对象类型", "行政区划代码", "信用风险分类", "标签"]
    user = login("sc_operator")
    run(write_csv(tmp_path / "a.csv", [["甲公司", GOOD_USCC[0], "企业", "130534", "B", ""]], header), user=user)
    run(write_csv(tmp_path / "b.csv", [["乙公司", GOOD_USCC[0], "企业", "130534", "C", tag.name]], header), user=user)
    target = Target.objects.get()
    body = client.get(f"/targets/{target.pk}/").content.decode()
    cells = re.findall(r'<td data-testid="change-lines">(.*?)</td>', body, re.S)
    assert len(cells) == 1
    lines = re.findall(r"<div>(.*?)</div>", cells[0])
    assert "名称：甲公司 → 乙公司" in lines and "信用风险分类：B 一般风险 → C 较高风险" in lines
    assert f"标签：— → {tag.full_name}" in lines
    assert "导入：b.csv" in body and "导入 #" not in body
