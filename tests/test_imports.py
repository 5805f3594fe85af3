"""No import cycles inside the package, and none upward from its core and model: read statically
with ast (symdrop itself is never imported)."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "symdrop"


def modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Every module under the package folder ``root``: dotted name -> (file, is a package)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


def import_graph(root: Path) -> dict[str, dict[str, int]]:
    """Module -> {package module it imports: line of the first such import}. Every import counts,
    also in functions and under ``if TYPE_CHECKING``: a lazy import only puts the cycle off."""
    mods = modules(root)
    graph = {name: {} for name in mods}
    for name, (path, is_package) in mods.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # from . / .. / ...: climb level - 1 packages from this one
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                # "from pkg import name": the submodule pkg.name when there is one, else pkg itself
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            else:
                continue
            for target in targets:
                # import a.b.c of a name not on disk still runs a.b: fall back to the nearest module
                while target not in mods and "." in target:
                    target = target.rpartition(".")[0]
                if target in mods and target != name:
                    graph[name].setdefault(target, node.lineno)
    return graph


def components(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module: each holds a cycle."""
    index, low, stack, found = {}, {}, [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = stack[stack.index(v):]
            del stack[stack.index(v):]
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def cycle_in(graph: dict[str, dict[str, int]], component: list[str]) -> list[str]:
    """A shortest path from the component's first module back to it (breadth first): one to cut."""
    start = component[0]
    parent, queue = {start: None}, [start]
    for v in queue:  # the queue grows while it is walked
        if start in graph[v]:
            path = [v]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])
            return path[::-1] + [start]
        for w in sorted(set(component) & set(graph[v]) - parent.keys()):
            parent[w] = v
            queue.append(w)


def test_package_has_no_import_cycles():
    graph, files = import_graph(PACKAGE), modules(PACKAGE)
    report = []
    for group in components(graph):
        cycle = cycle_in(graph, group)
        at = [f"{files[a][0].relative_to(PACKAGE.parent)}:{graph[a][b]}" for a, b in zip(cycle, cycle[1:])]
        report.append(f"  {' -> '.join(cycle)}\n    imports at {', '.join(at)}")
        if len(group) > len(cycle) - 1:  # the shortest cycle leaves out modules caught in the same knot
            report.append(f"    the whole group: {', '.join(group)}")
    title = f"import cycles in {PACKAGE.name}, one per group of modules importing each other:"
    assert not report, "\n".join([title, *report])


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "pkg"


TINY = {
    "pkg/__init__.py": "",
    "pkg/a.py": "def f():\n    from .sub import b\n",  # lazy: inside a function
    "pkg/sub/__init__.py": "",
    "pkg/sub/b.py": "import os\nfrom ..c import thing\n",  # two levels up, then a name in c
}


def test_walker_finds_a_cycle_through_lazy_relative_and_type_checking_imports(tmp_path):
    c = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\nthing = 1\n"
    root = write_package(tmp_path, {**TINY, "pkg/c.py": c})
    graph = import_graph(root)
    assert [cycle_in(graph, group) for group in components(graph)] == [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]]


def test_walker_resolves_edges_and_finds_no_cycle(tmp_path):
    root = write_package(tmp_path, {**TINY, "pkg/c.py": "from . import missing\nthing = 1\n"})
    graph = import_graph(root)
    assert {m: set(targets) for m, targets in graph.items()} == {
        "pkg": set(), "pkg.a": {"pkg.sub.b"}, "pkg.sub": set(), "pkg.sub.b": {"pkg.c"}, "pkg.c": {"pkg"},
    }
    assert components(graph) == []


# The arrows run one way (model <- core <- exercises <- render <- io/cli): the numbers' model and
# the one forward and backward pass know nothing of what is built on them.
LOWER = ("symdrop.core", "symdrop.model")
UPPER = ("symdrop.exercises", "symdrop.grading", "symdrop.render", "symdrop.io", "symdrop.commands", "symdrop.cli", "symdrop.api")


def within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def upward_imports(root: Path) -> list[str]:
    """``file:line imports module`` for each module of UPPER that a module of LOWER imports
    (absolute or relative, at the top, in a function or under ``if TYPE_CHECKING``)."""
    files, graph = modules(root), import_graph(root)
    return [f"{files[name][0].relative_to(root.parent)}:{line} imports {target}"
            for name, targets in sorted(graph.items()) if within(name, LOWER)
            for target, line in sorted(targets.items()) if within(target, UPPER)]


def test_core_and_model_import_nothing_built_on_them():
    assert len([name for name in modules(PACKAGE) if within(name, LOWER)]) >= 10  # the walk found them
    found = upward_imports(PACKAGE)
    assert not found, "symdrop.core and symdrop.model import from the layers above them:\n  " + "\n  ".join(found)


def test_layering_walk_finds_relative_absolute_and_lazy_imports_upward(tmp_path):
    write_package(tmp_path, {
        "symdrop/__init__.py": "", "symdrop/cli.py": "", "symdrop/io/__init__.py": "",
        "symdrop/render/__init__.py": "", "symdrop/render/printer.py": "from ..core import a\n",  # downward
        "symdrop/core/__init__.py": "",
        "symdrop/core/a.py": "import sympy\nfrom ..render import printer\n",
        "symdrop/core/b.py": "def f():\n    import symdrop.cli\n",
        "symdrop/model/__init__.py": "from .. import io\n",
        "symdrop/model/c.py": "from symdrop.core import a\n",  # within the lower layers
    })
    assert upward_imports(tmp_path / "symdrop") == [
        "symdrop/core/a.py:2 imports symdrop.render.printer",
        "symdrop/core/b.py:2 imports symdrop.cli",
        "symdrop/model/__init__.py:1 imports symdrop.io",
    ]
