"""One home for the mean field: maps and fixed-point routines are defined in theorycheck/meanfield/.

Every other module -- the rest of ``theorycheck/`` and the claims in ``proofs/`` -- calls them
and keeps no private copy (issue 11, "One mean field").  The test reads the source (AST, no
imports) and flags every function or class whose *name* says it computes a mean-field map, a
fixed point, the edge of chaos or a depth scale.  Claim entry points (``@claim``, named after
their claim id, e.g. ``qmap``) and checks (``check_*``) are not computations and pass.  The
allow-list below is explicit: each entry says why it is still there and who removes it, and an
entry that no longer matches anything fails the test (so the list only shrinks).

The same files are held to the house rules for imports in ``activations/`` and ``meanfield/``:
no import cycle (``if TYPE_CHECKING`` imports included) and no function-level import except a
lazy heavy dependency marked ``# lazy: <why>``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "theorycheck" / "meanfield"

#: names of functions and methods that compute a map, a fixed point, the EOC or a depth scale
COMPUTES = re.compile(r"""
      q_?star | c_?star                                   # the fixed points q*, c*
    | fixed_?points? (?!_claim)                           # fixed-point searches and polish
    | (^|_) (q|c|v|variance|correlation) _?map ($|_|s$)   # the variance / correlation maps
    | qmap | cmap                                         # qmap_grid, cmap_slope_at_one ...
    | (^|_) kernel (_grid)? $                             # E psi(u1) psi(u2) (the c-map kernel)
    | eoc_s[wb]2 | edge_of_chaos | (^|_) eoc_point        # points of the edge of chaos
    | (^|_) chi1 $ | (^|_) xi_[qc] ($|_)                  # chi1 and the depth scales at q*
""", re.X | re.I)
#: names of classes that hold a mean-field implementation
HOLDS = re.compile(r"mean_?field | fixed_?point | q_?table", re.X | re.I)
#: names that are about a mean-field quantity without computing it (checks, tests, assertions)
CHECK = re.compile(r"^_?(check|test|assert)_", re.I)

#: "path::qualname" -> why it is still outside meanfield/ (remove the entry with the code)
ALLOWED: dict[str, str] = {}


def _sources() -> list[Path]:
    files = sorted((ROOT / "theorycheck").rglob("*.py")) + sorted((ROOT / "proofs").rglob("*.py"))
    return [f for f in files if HOME not in f.parents]


def _is_claim(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("claim", "check", "derive"):   # a claim's declaration, check or findings
            return True
    return False


def _definitions(tree: ast.AST, prefix: str = "") -> list[tuple[str, ast.AST]]:
    out: list[tuple[str, ast.AST]] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            qual = f"{prefix}{node.name}"
            out.append((qual, node))
            out.extend(_definitions(node, qual + "."))
        else:
            out.extend(_definitions(node, prefix))
    return out


def _offenders(path: Path) -> list[str]:
    rel = path.relative_to(ROOT).as_posix()
    found = []
    for qual, node in _definitions(ast.parse(path.read_text(), str(path))):
        name = qual.rsplit(".", 1)[-1]
        if CHECK.search(name):
            continue
        if isinstance(node, ast.ClassDef):
            hit = HOLDS.search(name)
        else:
            hit = COMPUTES.search(name) and not _is_claim(node)  # type: ignore[arg-type]
        if hit:
            found.append(f"{rel}::{qual}")
    return found


def test_no_meanfield_map_or_fixed_point_outside_meanfield() -> None:
    offenders = [o for f in _sources() for o in _offenders(f)]
    unexpected = [o for o in offenders if o not in ALLOWED]
    assert not unexpected, (
        "mean-field maps / fixed-point routines defined outside theorycheck/meanfield/ "
        "(move them there and call them):\n  " + "\n  ".join(unexpected))
    stale = sorted(set(ALLOWED) - set(offenders))
    assert not stale, "allow-list entries that match nothing any more (delete them):\n  " + \
        "\n  ".join(stale)


def test_the_patterns_recognise_maps_and_spare_checks() -> None:
    # names the old tree used for private copies, and names that merely mention a quantity
    for name in ("FastMeanField", "FixedPoint", "QTable", "q_star", "noisy_q_star",
                 "mp_fixed_point_beta", "qmap_grid", "cmap_slope_at_one", "kernel_grid",
                 "noisy_eoc_sw2", "chi1", "xi_c", "variance_map", "c_map", "_c_star"):
        assert (HOLDS if name[0].isupper() else COMPUTES).search(name), name
    for name in ("chi1_curve", "eoc_section", "mi_along_eoc", "check_q_star_finite",
                 "_symbolic_map_at_zero", "meanfield", "kernels_of", "eoc"):
        assert CHECK.search(name) or not COMPUTES.search(name), name


# -- imports in activations/ and meanfield/ ------------------------------------------------------
LAYERS = ("activations", "meanfield")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> tuple[set[str], list[str]]:
    """(theorycheck modules imported anywhere in the file, function-level imports unmarked)."""
    src = path.read_text()
    lines = src.splitlines()
    tree = ast.parse(src, str(path))
    mods: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            mods.add(node.module)
            mods.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
    unmarked: set[str] = set()
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(fn):
                if isinstance(node, ast.Import | ast.ImportFrom) \
                        and "# lazy:" not in lines[node.lineno - 1]:
                    unmarked.add(f"{path.relative_to(ROOT)}:{node.lineno}")
    return {m for m in mods if m.startswith("theorycheck.")}, sorted(unmarked)


def _layer_files() -> dict[str, Path]:
    files = [f for layer in LAYERS for f in sorted((ROOT / "theorycheck" / layer).glob("*.py"))]
    return {_module_name(f): f for f in files}


def test_activations_and_meanfield_import_at_module_top() -> None:
    unmarked = [u for f in _layer_files().values() for u in _imports(f)[1]]
    assert not unmarked, "function-level imports without '# lazy: <why>':\n  " + \
        "\n  ".join(unmarked)


def test_activations_and_meanfield_have_no_import_cycle() -> None:
    names = _layer_files()
    # an import of a package (theorycheck.activations) reaches only its __init__, which
    # re-exports; "from theorycheck.meanfield import roots" is an edge to the module roots
    graph = {mod: {m for m in _imports(f)[0] if m in names and m != mod}
             for mod, f in names.items()}
    for layer in LAYERS:
        graph[f"theorycheck.{layer}"] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycle = [*stack[stack.index(n):], n]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
