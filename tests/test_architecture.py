"""The house's shape, checked from the source: layers import only downward, no import cycle
(type-only and function-level imports included), function-level imports only for a heavy
optional dependency with the reason on the line, and modules of a readable size
(issue 11, targets 1 and 5; docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: import package -> its folder (the claims are installed as theorycheck.proofs; pyproject maps
#: the repository's proofs/ there)
PACKAGES = {"theorycheck": "theorycheck", "theorycheck.proofs": "proofs"}
#: the floors of theorycheck/, bottom first; a module imports only from its floor or below
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "numbers", "cache", "timing", "placement", "display", "tasks"),
    ("activations",),
    ("gaussian",),
    ("meanfield",),
    ("information", "spectra"),
    ("simulate",),
    ("claims",),
    ("proofs",),          # theorycheck's own claims sit on the engine, beside any plugin's
    ("report", "testing"),  # testing: the public API for a user's own test suite
    ("cli", "__main__"),
)
#: what a function-level import may bring in: heavy optional dependencies kept lazy
LAZY_ALLOWED = ("torch", "matplotlib", "theorycheck.simulate",
                "dask", "distributed")  # dask: only --executor dask needs it (0.7 s to import)
MAX_LINES = 450
MAX_CLAIM_LINES = 350


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package, folder in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = [*package.split("."), *path.relative_to(ROOT / folder).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> Iterator[tuple[ast.stmt, str, bool]]:
    """(node, imported project module, at module level) for every import in the file."""
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    top_level = {id(n) for n in tree.body}
    for node in tree.body:   # `if TYPE_CHECKING:` blocks count as module level
        if isinstance(node, ast.If):
            top_level |= {id(n) for n in node.body}
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - node.level + 1]
                base = ".".join([*here, base] if base else here)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        for target in targets:
            yield node, target, id(node) in top_level


def _project(target: str) -> str | None:
    """The project module an import resolves to (the longest known prefix), else None."""
    parts = target.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def _floor(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else ""
    for i, names in enumerate(LAYERS):
        if key in names:
            return i
    return 0          # theorycheck/__init__.py


def _graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for name, path in MODULES.items():
        for _, target, _ in _imports(name, path):
            dep = _project(target)
            if dep is not None and dep != name:
                edges[name].add(dep)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_layers_import_only_downward() -> None:
    upward = [f"{m} ({LAYERS[_floor(m)][0]}) imports {d} ({LAYERS[_floor(d)][0]})"
              for m, deps in _graph().items() for d in deps if _floor(d) > _floor(m)]
    assert upward == []


def test_function_level_imports_only_for_lazy_heavy_dependencies() -> None:
    bad = []
    for name, path in MODULES.items():
        lines = path.read_text().splitlines()
        for node, target, at_top in _imports(name, path):
            if at_top:
                continue
            line = lines[node.lineno - 1]
            lazy = target.startswith(LAZY_ALLOWED) and "# lazy:" in line
            if not lazy:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {line.strip()}")
    assert sorted(set(bad)) == []


def test_report_never_imports_the_claims_modules() -> None:
    leaks = [f"{m} imports {d}" for m, deps in _graph().items() if m.startswith(
        "theorycheck.report") for d in deps if d.startswith("theorycheck.proofs")]
    assert leaks == []


def test_nothing_imports_the_public_testing_api() -> None:
    users = [m for m, deps in _graph().items() if "theorycheck.testing" in deps]
    assert users == []


def test_modules_are_small() -> None:
    big = {str(p.relative_to(ROOT)): n for p in MODULES.values()
           if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert big == {}
    claims = {str(p.relative_to(ROOT)): n for m, p in MODULES.items()
              if m.startswith("theorycheck.proofs.") and (n := len(p.read_text().splitlines()))
              >= MAX_CLAIM_LINES}
    assert claims == {}


def test_the_claims_are_imported_only_as_theorycheck_proofs() -> None:
    """``proofs`` is a folder of the repository, not an import package: a module imported as
    both ``proofs.x`` and ``theorycheck.proofs.x`` would declare its claim twice."""
    folders = ("theorycheck", "proofs", "tests", "bench", "examples", "docs")
    files = [p for f in folders if (ROOT / f).is_dir() for p in sorted((ROOT / f).rglob("*.py"))]
    bad = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            bad += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names
                    if n == "proofs" or n.startswith("proofs.")]
    assert bad == []
