"""The package stays easy to read: no module over 400 lines, no function over 60."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symdrop"
MODULE_LINES = 400
FUNCTION_LINES = 60


def long_parts(root: Path) -> list[str]:
    """Every module over MODULE_LINES lines and every function over FUNCTION_LINES, as text."""
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(root.parent)
        if len(text.splitlines()) > MODULE_LINES:
            found.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES:
                    found.append(f"{name}:{node.lineno} {node.name}: {lines} lines")
    return found


def test_no_module_or_function_is_too_long():
    assert len(list(PACKAGE.rglob("*.py"))) > 50  # the walk found the package
    found = long_parts(PACKAGE)
    assert not found, "too long to read at once:\n  " + "\n  ".join(found)


def test_the_walk_finds_a_long_module_and_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES))
    (tmp_path / "long.py").write_text("def f():\n" + body + "\n" + "\n" * (MODULE_LINES - FUNCTION_LINES), encoding="utf-8")
    (tmp_path / "short.py").write_text("def g():\n    return 1\n", encoding="utf-8")
    assert long_parts(tmp_path) == [f"{tmp_path.name}/long.py: {MODULE_LINES + 1} lines",
                                    f"{tmp_path.name}/long.py:1 f: {FUNCTION_LINES + 1} lines"]
