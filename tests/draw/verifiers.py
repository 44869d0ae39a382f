"""The three verifiers of a bundle, reduced to (verdict, first failing check)."""

import contextlib
import functools
import importlib.util
import io
import os

from shuangsuiji.draw import verify
from shuangsuiji.draw.__main__ import main as cli_main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "verify_draw.py")


@functools.cache
def tool_module():
    """tools/verify_draw.py loaded from its file (it imports nothing of the project)."""
    spec = importlib.util.spec_from_file_location("verify_draw_tool", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _parse(first_line: str):
    if first_line.startswith("OK consistent"):
        return ("OK", None)
    assert first_line.startswith("FAIL "), first_line
    return ("FAIL", first_line[5:].split(":", 1)[0])


def verdicts(path, commitment=None):
    """[engine verify, CLI module, stdlib tool] as (verdict, check)."""
    r = verify(path, commitment)
    engine = (r.verdict, r.check)
    out = io.StringIO()
    args = ["verify", path] + (["--commitment", commitment] if commitment else [])
    with contextlib.redirect_stdout(out):
        code = cli_main(args)
    cli = _parse(out.getvalue().splitlines()[0])
    assert code == (0 if cli[0] == "OK" else 1)
    ok, check, lines = tool_module().report(path, commitment)
    tool = ("OK", None) if ok else ("FAIL", check)
    assert _parse(lines[0]) == tool
    return [engine, cli, tool]
