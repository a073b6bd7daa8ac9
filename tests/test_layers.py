"""The layering of jetpy/: runtime imports between subpackages point one way only (no cycle).

The graph is built from the source with `ast`: module-level imports only, leaving out imports
under `if TYPE_CHECKING:` (types only) and inside functions (made when called, e.g. Alembic).
"""

from __future__ import annotations

import ast
from pathlib import Path

JETPY = Path(__file__).resolve().parents[1] / "jetpy"

# lowest first: each layer may import the ones before it at runtime, never one after it
LAYERS = [
    "errors",
    "cache",
    "definitions",
    "modules",
    "kernel",
    "data",
    "queue",
    "mail",
    "web",
    "media",
    "auth",
    "rest",
    "project",
    "app",
    "wsgi",
    "studio",
    "cli",
    "__init__",
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(JETPY.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def runtime_imports(path: Path, package: str = "") -> set[str]:
    """The jetpy modules `path` (of `package`, for relative imports) imports when imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: `from .x import y` inside `package`
                    parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parents, base]).strip(".")
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []))
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return {name for name in found if name == "jetpy" or name.startswith("jetpy.")}


def sources() -> dict[str, Path]:
    return {module_name(path): path for path in JETPY.rglob("*.py")}


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_graph() -> dict[str, set[str]]:
    known = sources()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        imported = runtime_imports(path, package)
        # a package's own __init__ is always run first: `from jetpy.kernel import csrf` in
        # jetpy.kernel.controller needs jetpy.kernel.csrf, not the package as a whole
        graph[name] = {
            target
            for target in imported
            if target in known and target != name and not name.startswith(target + ".")
        }
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := walk(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_every_subpackage_has_a_layer() -> None:
    assert {layer_of(name) for name in sources()} <= set(LAYERS)


def test_subpackages_import_only_lower_layers() -> None:
    wrong = [
        f"{name} imports {imported} ({layer_of(name)} → {layer_of(imported)})"
        for name, targets in module_graph().items()
        for imported in targets
        if LAYERS.index(layer_of(imported)) > LAYERS.index(layer_of(name))
    ]
    assert wrong == [], (
        "runtime imports pointing upwards (import under TYPE_CHECKING or move it):\n"
        + "\n".join(wrong)
    )


def test_no_import_cycle_between_subpackages() -> None:
    packages: dict[str, set[str]] = {}
    for name, targets in module_graph().items():
        packages.setdefault(layer_of(name), set()).update(
            layer_of(t) for t in targets if layer_of(t) != layer_of(name)
        )
    assert find_cycle(packages) is None


def test_no_import_cycle_between_modules() -> None:
    assert find_cycle(module_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_type_only_and_function_imports_are_left_out(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "import jetpy.errors\n"
        "if TYPE_CHECKING:\n    from jetpy.app import Application\n"
        "def later():\n    from jetpy.cli import main\n"
    )
    assert runtime_imports(source) == {"jetpy.errors"}
