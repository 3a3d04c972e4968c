"""The app's module import graph: layer violations and import cycles.

Every `import` statement counts, at module level or inside a function (a function-level import
still ties the two modules together), except under `if TYPE_CHECKING:` (annotations only).
Only imports between the app packages are followed.

Layers, lowest first; a module may import its own layer and the ones below, never one above:

    ppa  <-  cases  <-  referrals, privacy, coordination  <-  reports  <-  paperwork, imports

Every top-level package with an apps.py must have a layer here (unlisted_apps()).

Usage: python scripts/import_graph.py   (prints violations and cycles; exit 1 if any)
tests/test_layers.py runs the same checks in the test suite.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS: dict[str, int] = {
    "ppa": 0,
    "cases": 1,
    "referrals": 2,
    "privacy": 2,
    "coordination": 2,
    "reports": 3,
    # Printed documents use the annual report's renderer (reports.pdf).
    "paperwork": 4,
    # Imports write cases and the population figures of the rates (reports.models).
    "imports": 4,
}


def unlisted_apps() -> list[str]:
    """Django apps of the repository that have no layer in LAYERS (so nothing checks them)."""
    return sorted(p.parent.name for p in ROOT.glob("*/apps.py") if p.parent.name not in LAYERS)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    found = {}
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The app module an imported name belongs to (`cases.models.Case` -> `cases.models`)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[tuple[str, int]]:
    """(imported app module, line) for every import statement in the file."""
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[tuple[str, int]] = set()
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If)
        and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in type_only:  # annotations only: no import at run time
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.add((target, node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    modules = app_modules()
    return {m: {t for t, _ in imports_of(m, p, modules)} for m, p in modules.items()}


def is_upward(module: str, target: str) -> bool:
    """True when `module` may not import `target`: a higher layer, or a sibling app."""
    app, other = module.split(".")[0], target.split(".")[0]
    return LAYERS[other] > LAYERS[app] or (LAYERS[other] == LAYERS[app] and other != app)


def layer_violations() -> list[str]:
    modules = app_modules()
    problems = []
    for module, path in modules.items():
        for target, line in sorted(imports_of(module, path, modules)):
            if is_upward(module, target):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    return problems


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def main() -> int:
    problems = layer_violations() + [f"{app}: no layer in LAYERS" for app in unlisted_apps()]
    loops = cycles(graph())
    for problem in problems:
        print(f"layer: {problem}")
    for loop in loops:
        print(f"cycle: {' <-> '.join(loop)}")
    print(f"{len(problems)} layer violations, {len(loops)} import cycles")
    return 1 if problems or loops else 0


if __name__ == "__main__":
    sys.exit(main())
