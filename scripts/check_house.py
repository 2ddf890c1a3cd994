"""Check the house rules that keep ``src/efh_screen`` easy to find one's way in.

1. No import cycle among the package's modules (imports inside functions and under
   ``TYPE_CHECKING`` count too).
2. No function body longer than 60 lines, unless its docstring says why under a line
   starting ``Longer than 60 lines because``.
3. No underscore name imported from another module of the package (a name used outside
   its module is that module's API and gets a plain name).

Run ``python scripts/check_house.py``; it prints each breach and exits 1 if there is any.
The test suite runs it too.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "efh_screen"
ROOT = Path(__file__).resolve().parent.parent / "src" / PACKAGE
MAX_BODY_LINES = 60
EXCEPTION_MARK = "Longer than 60 lines because"


def module_name(path: Path) -> str:
    """Dotted module name of a file under ``src/``."""
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute module name of a (possibly relative) import."""
    if level == 0:
        return target or ""
    base = current.split(".")
    if not is_package:
        base = base[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def imports(path: Path, modules: set[str]) -> Iterator[tuple[str, str | None, int]]:
    """Yield (module imported, name imported or None, line) for package-internal imports."""
    current = module_name(path)
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = resolve(current, is_package, node.level, node.module)
            if base.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    yield submodule, None, node.lineno
                else:
                    yield base, alias.name, node.lineno


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
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
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def long_functions(path: Path) -> Iterator[str]:
    """Functions whose body runs past the limit without a stated reason."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = node.body
        first = body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            body = body[1:] or body
        length = (node.end_lineno or node.lineno) - body[0].lineno + 1
        docstring = ast.get_docstring(node) or ""
        if length > MAX_BODY_LINES and EXCEPTION_MARK not in docstring:
            yield f"{path.relative_to(ROOT.parent)}:{node.lineno} {node.name} has {length} lines"


def breaches() -> list[str]:
    """Every breach of the three rules, as readable lines."""
    files = sorted(ROOT.rglob("*.py"))
    modules = {module_name(path) for path in files}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    found: list[str] = []
    for path in files:
        current = module_name(path)
        for target, name, line in imports(path, modules):
            if target in modules and target != current:
                # A package's __init__ running is not a dependency on its siblings' users.
                graph[current].add(target)
            if name is not None and name.startswith("_") and not name.startswith("__"):
                found.append(
                    f"{path.relative_to(ROOT.parent)}:{line} imports the underscore name "
                    f"{name} from {target}"
                )
        found.extend(long_functions(path))
    for cycle in find_cycles(graph):
        found.append("import cycle: " + " -> ".join(cycle))
    return found


def room_of(module: str) -> str:
    """Return the room a module belongs to (a package counts as one room)."""
    parts = module.split(".")[1:]
    if not parts:
        return "__init__ (public API)"
    if len(parts) > 1 or (ROOT / parts[0]).is_dir():
        return parts[0] + "/"
    return parts[0]


def layers() -> dict[str, int]:
    """Layer of each room: 0 imports no other room; otherwise one above its highest import."""
    files = sorted(ROOT.rglob("*.py"))
    modules = {module_name(path) for path in files}
    needs: dict[str, set[str]] = {}
    for path in files:
        room = room_of(module_name(path))
        needs.setdefault(room, set())
        for target, _, _ in imports(path, modules):
            if target in modules and room_of(target) != room:
                needs[room].add(room_of(target))
    found: dict[str, int] = {}

    def layer(room: str) -> int:
        if room not in found:
            found[room] = 1 + max((layer(other) for other in needs[room]), default=-1)
        return found[room]

    for room in needs:
        layer(room)
    return found


def render_layers() -> str:
    """Return the import-order picture of docs/architecture.md, top layer first."""
    by_layer: dict[int, list[str]] = {}
    for room, number in layers().items():
        by_layer.setdefault(number, []).append(room)
    lines = []
    for number in sorted(by_layer, reverse=True):
        rooms = sorted(by_layer[number], key=lambda room: room.lstrip("_").lower())
        lines.append(f"{number:<3}" + "".join(f"{room:<25}" for room in rooms).rstrip())
    return "\n".join(lines)


def main() -> int:
    """Print each breach and return 1 if there is any; ``--layers`` prints the import order."""
    if sys.argv[1:] == ["--layers"]:
        print(render_layers())
        return 0
    found = breaches()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
