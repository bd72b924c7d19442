"""The shape of the code: the import graph of advisor/ and the size of its modules and functions.

Every import is counted, at module level or inside a function, under TYPE_CHECKING or not.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# What a renderer may not import: the stages before the decision, the library's front door
# and the check's machinery (its result model, check_result, and record are allowed).
FORBIDDEN_IN_FORMATS = {"workload", "api", "engine", "check", "decision"}


def module_name(path: Path) -> str:
    parts = ("advisor", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """The advisor modules that module ``name`` (at ``path``) imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # from . import x: a module x
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imported(name, path) for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle once, as the modules around it (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def parents(name: str) -> set[str]:
    """A package's __init__ runs before its modules: importing a.b imports a too."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def test_no_import_cycles():
    """No advisor module reaches itself through imports, at module level or inside functions."""
    graph = {name: {m for m in targets if m not in parents(name)} for name, targets in GRAPH.items()}
    assert cycles(graph) == []


def test_cycle_finder_sees_a_cycle():
    """The cycle finder reports a three-module loop and nothing for a chain."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_renderers_import_no_earlier_stage():
    """advisor/formats/ imports none of workload, api, engine, check or decision."""
    bad = {
        (name, target)
        for name, targets in GRAPH.items()
        if name.startswith("advisor.formats")
        for target in targets
        if target.removeprefix("advisor.") in FORBIDDEN_IN_FORMATS
    }
    assert bad == set()


def test_only_the_command_line_imports_the_front_door():
    """advisor.api is imported only by the cli*.py modules."""
    users = {name for name, targets in GRAPH.items() if "advisor.api" in targets}
    assert {name for name in users if not name.removeprefix("advisor.").startswith("cli")} == set()


def test_the_graph_sees_function_level_and_relative_imports():
    """The walker finds the command line's imports made inside its functions (api, in decide)."""
    assert "advisor.api" in GRAPH["advisor.cli"]
    assert "advisor.engine" in GRAPH["advisor.decision"]


def test_modules_are_small():
    """No advisor module is over 400 lines."""
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_functions_are_short():
    """No advisor function is over 60 lines, from its def to its last line."""
    long = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long[f"{name}.{node.name}"] = lines
    assert long == {}
