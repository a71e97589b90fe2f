"""ARCHITECTURE.md's floors, checked: no import runs back up a floor, no two wings import each other."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "newsdistill"

GROUND = {
    "model",
    "errors",
    "limits",
    "lexicons",
    "neardup",
    "nlp",
    "nlp_greedy_ner",
    "nlp_speedups",
    "onnx_models",
    "pool",
    "pipeline",
    "render",
}
ALLOWED: dict[str, set[str]] = {
    **{name: set(GROUND) for name in GROUND},
    "inputs": GROUND,
    "clean": GROUND,
    "entities": GROUND,
    "attribution": GROUND | {"entities"},
    "stages": GROUND,
    "corpus": GROUND | {"inputs", "stages", "entities", "attribution"},
    "scale": GROUND | {"inputs", "stages"},
    "web": GROUND | {"corpus", "stages", "entities"},
}
TOP = {"cli", "__init__", "__main__"}  # the command line and the Python API may import anything


def wing(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imported_modules(path: Path) -> set[str]:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    package = ".".join(relative.parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            found |= {target} if node.module else {f"{target}.{a.name}" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("newsdistill"):
            found.add(str(node.module))
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("newsdistill")}
    return found


def import_edges() -> set[tuple[str, str]]:
    edges = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts)
        for target in imported_modules(path):
            source, destination = wing(module), wing(target)
            if source != destination and destination != "__init__":
                edges.add((source, destination))
    return edges


def test_every_import_stays_on_its_floor_or_goes_down() -> None:
    wrong = sorted((a, b) for a, b in import_edges() if a not in TOP and b not in ALLOWED.get(a, set()))
    assert not wrong, f"imports that break ARCHITECTURE.md: {wrong}"


def test_no_import_cycles_between_wings() -> None:
    edges = import_edges()
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(
            n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in graph.get(start, ())
        )

    cycles = sorted(a for a in graph if reaches(a, a, {a}))
    assert not cycles, f"wings in an import cycle: {cycles}"


def test_every_wing_is_placed() -> None:
    wings = {
        wing(".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)) for p in PACKAGE.rglob("*.py")
    }
    assert wings <= set(ALLOWED) | TOP, f"wings missing from ARCHITECTURE.md: {wings - set(ALLOWED) - TOP}"


MAX_FUNCTION_LINES = 40  # issue 11: the longest function stays under this many lines


def test_every_function_is_shorter_than_40_lines() -> None:
    """Counted from `def` to its last line (decorators left out), sync and async, nested ones too."""
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines >= MAX_FUNCTION_LINES:
                    where = path.relative_to(PACKAGE.parent)
                    too_long.append(f"{where}:{node.lineno} {node.name} ({lines} lines)")
    assert not too_long, "functions of 40 lines or more:\n" + "\n".join(too_long)
