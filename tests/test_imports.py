"""No import cycles inside the package, read statically with ast (symdrop itself is never imported)."""

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
