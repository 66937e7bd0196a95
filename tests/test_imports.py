"""The engine's and the agents' modules import each other without cycles.

Every import counts, at the top of a module or inside a function (a deferred import hides
a cycle, it does not remove it), except those under ``if TYPE_CHECKING:``, which never
run. Importing a submodule ``a.b.c`` counts as an edge to ``a.b.c`` alone: that Python
runs the package's ``__init__`` first is how packages work, not a dependency of the
importer. The one allowed loop is the usual Mesa shape: the model (``game.world``)
creates its agents (``agents.*``), whose code reads the model back.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("game", "agents")
#: (importer, imported) edges allowed to close a loop: the model building its Mesa agents
ALLOWED = {("game.world", "agents.firm"), ("game.world", "agents.state"), ("game.world", "agents"),
           # known loops from the save and session work, to be broken there (listed so
           # that any other cycle still fails): Game.load (game.api) defers to game.save,
           # which builds a Game
           ("game.api", "game.save"),
           # and game.session reading seat options through game.cli, which runs sessions
           ("game.session", "game.cli")}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def imported_names(tree: ast.AST, here: str, is_package: bool):
    """Dotted names a module imports (``from x import y`` gives both x.y and x)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = here.split(".") if is_package else here.split(".")[:-1]
                pkg = pkg[:len(pkg) - node.level + 1]
                base = ".".join(pkg + ([base] if base else []))
            for alias in node.names:
                yield base, alias.name
        stack.extend(ast.iter_child_nodes(node))


def import_graph() -> dict[str, set[str]]:
    mods = project_modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        edges = set()
        for base, item in imported_names(tree, name, path.name == "__init__.py"):
            if item is not None and f"{base}.{item}" in mods:
                edges.add(f"{base}.{item}")          # a submodule imported from its package
            elif base in mods:
                edges.add(base)
        edges.discard(name)
        graph[name] = {e for e in edges if (name, e) not in ALLOWED}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}                       # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_no_import_cycle_in_engine_or_agents():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_check_finds_a_deferred_cycle():
    """The checker itself: a cycle closed by an import inside a function is found."""
    a = ast.parse("import b\n")
    b = ast.parse("def f():\n    from a import g\n")
    graph = {"a": {n for n, _ in imported_names(a, "a", False)},
             "b": {n for n, _ in imported_names(b, "b", False)}}
    assert find_cycle(graph) == ["a", "b", "a"]


def test_the_market_is_one_package():
    mods = project_modules()
    market = {m for m in mods if m.startswith("game.market.")}
    assert {"game.market.build", "game.market.solve", "game.market.prices", "game.market.routes"} <= market
    assert not any(m in mods for m in ("game.lp_build", "game.lp_backend", "game.lp_prices", "game.routes"))
