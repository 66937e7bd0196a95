"""No two modules of `game/` and `agents/` import each other, directly or round a circle.

Every import counts, at the top of a module or inside a function (a lazy import only hides
a circle until the day someone moves it), except those under `if TYPE_CHECKING:`, which
never run. `from pkg import name` is an edge to the submodule `pkg.name` when there is
one, else to `pkg`; a submodule's implicit import of its parent package is not an edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]


def module_files() -> dict[str, Path]:
    mods = {}
    for top in ("game", "agents"):
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            mods[".".join(parts)] = path
    return mods


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST):
    """Import nodes of a tree, leaving out `if TYPE_CHECKING:` bodies."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_names(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package[:len(package) - node.level + 1]
            base = ".".join(anchor + ([node.module] if node.module else []))
        for alias in node.names:
            sub = f"{base}.{alias.name}"
            found.add(sub if sub in mods else base)
    return found


def import_graph() -> nx.DiGraph:
    mods = module_files()
    graph = nx.DiGraph()
    graph.add_nodes_from(mods)
    for name, path in mods.items():
        for target in imported_names(name, path, mods):
            while target and target not in mods:      # game.x.func -> game.x
                target = target.rpartition(".")[0]
            if target and target != name:
                graph.add_edge(name, target)
    return graph


def test_the_graph_sees_the_packages_and_their_imports():
    graph = import_graph()
    assert {"game.api", "game.world", "agents.policies", "game.actions.dispatch"} <= set(graph)
    assert graph.has_edge("game.phases.adjudication", "game.actions.dispatch")
    assert graph.has_edge("game.actions.diplomacy", "game.actions.base")


def test_no_import_cycles_among_game_and_agents_modules():
    cycles = sorted(" -> ".join(c + [c[0]]) for c in nx.simple_cycles(import_graph()))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_a_cycle_would_be_found(tmp_path):
    (tmp_path / "a.py").write_text("def f():\n    from b import g\n")
    (tmp_path / "b.py").write_text("import a\n")
    mods = {"a": tmp_path / "a.py", "b": tmp_path / "b.py"}
    graph = nx.DiGraph((n, t) for n, p in mods.items() for t in imported_names(n, p, mods))
    assert list(nx.simple_cycles(graph))
