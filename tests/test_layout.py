"""The package layout: the README's architecture block matches the tree; no import circles; no function-level
imports of the project's own modules; rooms import only from rooms before them; only store/ writes SPARQL Update."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "sozialgraph"
DATA_LINKS = {"ontology", "shapes", "queries", "data"}  # links to the top-level data folders (package data)

# The stages in the order data flows; a room may import from its own stage and every stage before it.
STAGES = [
    {"config", "namespaces", "errors", "formats", "resources", "labels", "csvsafe", "tables"},
    {"store"},
    {"sparql", "context"},
    {"reference", "capture"},
    {"analysis"},
    {"steering"},
    {"publish"},
    {"web"},
    {"cli"},
]


def modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG)
        if rel.parts[0] in DATA_LINKS:
            continue
        name = ".".join(("sozialgraph",) + rel.with_suffix("").parts)
        out[name.removesuffix(".__init__")] = p
    return out


def architecture_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Aufbau / Architecture"):]
    return section[section.index("```") + 3:section.index("```", section.index("```") + 3)]


def test_readme_architecture_block_matches_the_tree():
    block = architecture_block()
    rooms = {m.group(1): set(re.findall(r"\b[\w]+\.py\b", m.group(2)))
             for m in re.finditer(r"^  (\w+)/\s+(.*)$", block, re.M)}
    root_line = re.search(r"^  ((?:\w+\.py ?)+)$", block, re.M)
    assert root_line, "the block lists the package's top-level modules on one line"
    tree_rooms = {p.name for p in PKG.iterdir() if p.is_dir() and p.name not in DATA_LINKS | {"__pycache__"}}
    assert set(rooms) == tree_rooms
    for room, listed in rooms.items():
        on_disk = {p.name for p in (PKG / room).glob("*.py")} - {"__init__.py"}
        assert on_disk <= listed | {"__init__.py"}, f"{room}/: not in README: {sorted(on_disk - listed)}"
        assert listed - {"__init__.py"} <= on_disk, f"{room}/: README names missing files: {sorted(listed - on_disk)}"
    top = {p.name for p in PKG.glob("*.py")} - {"__init__.py"}
    assert set(root_line.group(1).split()) == top
    for folder in DATA_LINKS:
        assert (PKG / folder).resolve() == (ROOT / folder).resolve(), f"src/sozialgraph/{folder} links ../../{folder}"


def _imports(path: Path) -> tuple[list[str], list[tuple[int, str]]]:
    """(module-level imports of sozialgraph modules, [(line, module)] of imports inside functions or classes)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top: list[str] = []
    nested: list[tuple[int, str]] = []

    def targets(node) -> list[str]:
        if isinstance(node, ast.Import):
            return [a.name for a in node.names if a.name.startswith("sozialgraph")]
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sozialgraph"):
            known = modules()
            return [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module
                    for a in node.names]
        return []

    for node in tree.body:
        if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
            continue  # a module run as a program may import itself under its package name
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            top += targets(node)
            continue
        for sub in ast.walk(node):
            if isinstance(sub, (ast.Import, ast.ImportFrom)):
                nested += [(sub.lineno, t) for t in targets(sub)]
    return top, nested


def test_no_function_level_imports_of_our_own_modules():
    found = [f"{path.relative_to(ROOT)}:{line} imports {mod}"
             for path in modules().values() for line, mod in _imports(path)[1]]
    assert found == []


def test_no_import_circles():
    known = modules()
    graph = {name: {t for t in _imports(path)[0] if t in known and t != name} for name, path in known.items()}
    # a package's __init__ that imports its own submodules is the package speaking for them, not a circle
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                circles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    assert circles == []


def _stage(module: str) -> int:
    room = module.split(".")[1] if "." in module else ""
    return next(i for i, s in enumerate(STAGES) if room in s)


def test_rooms_import_only_from_earlier_stages():
    backwards = []
    for name, path in modules().items():
        if name == "sozialgraph":
            continue
        for target in _imports(path)[0]:
            if target != "sozialgraph" and _stage(target) > _stage(name):
                backwards.append(f"{name} -> {target}")
    assert backwards == []


def test_only_the_store_writes_sparql_update():
    update = re.compile(r"\b(INSERT\s+DATA|DELETE\s+DATA|DROP\s+(SILENT\s+)?GRAPH|ADD\s+(SILENT\s+)?GRAPH|"
                        r"INSERT\s*\{|DELETE\s*\{|CLEAR\s+GRAPH|(store|_store|native)\.update\()", re.I)
    offenders = [f"{p.relative_to(ROOT)}:{i}" for name, p in modules().items() if not name.startswith("sozialgraph.store")
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if update.search(line) and not line.lstrip().startswith("#")]
    assert offenders == []
