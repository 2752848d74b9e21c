"""Safe parser for activation formulas in x: a whitelisted AST walk, never ``sympify``.

``parse_formula("x/(1+Abs(x))")`` returns a SymPy expression in the real symbol ``x``.
The text goes through ``ast.parse(mode="eval")`` only; the tree is then checked against hard
bounds (length, depth, node count) and a strict whitelist before any SymPy object is built.
Allowed: int/float literals (|n| < 1e15, at most 40 digits), the name ``x``, the constants
``pi`` and ``E``, ``+ - * / **``, unary ``+ -``, calls of whitelisted functions with positional
arguments, and, inside ``Piecewise`` conditions only, comparisons, ``and``/``or``/``not`` and
``True``. Everything else raises :class:`TheoryCheckError` with a one-line message:
``unsafe-formula`` for what is not on the whitelist or exceeds a bound, ``invalid-formula``
for syntax errors, unknown symbols, wrong arity, or a result that is constant, non-real or
not finite.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable

import mpmath as mp
import sympy as sp

from theorycheck.activations._compile import compile_mpmath
from theorycheck.activations.singularities import real_singularity
from theorycheck.errors import Status, TheoryCheckError

#: the real variable every activation is written in
X = sp.Symbol("x", real=True)

MAX_LENGTH = 1000
MAX_DEPTH = 60
MAX_NODES = 2000
MAX_INT = 10**15
MAX_DIGITS = 50
MAX_EXPONENT = 64
#: decimal magnitude bound for a power of two numbers (10**300)
MAX_CONST_LOG10 = 300

_CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}


def _sigmoid(a: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-a))


def _softplus(a: sp.Expr) -> sp.Expr:
    return sp.log(1 + sp.exp(a))


def _relu(a: sp.Expr) -> sp.Expr:
    return sp.Piecewise((0, a < 0), (a, True))


# name -> (builder, min arity, max arity)
_FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int]] = {
    "Abs": (sp.Abs, 1, 1), "abs": (sp.Abs, 1, 1),
    "exp": (sp.exp, 1, 1), "log": (sp.log, 1, 1), "sqrt": (sp.sqrt, 1, 1),
    "tanh": (sp.tanh, 1, 1), "sinh": (sp.sinh, 1, 1), "cosh": (sp.cosh, 1, 1),
    "sin": (sp.sin, 1, 1), "cos": (sp.cos, 1, 1),
    "atan": (sp.atan, 1, 1), "arctan": (sp.atan, 1, 1),
    "erf": (sp.erf, 1, 1), "erfc": (sp.erfc, 1, 1), "sign": (sp.sign, 1, 1),
    "Max": (sp.Max, 2, 16), "max": (sp.Max, 2, 16),
    "Min": (sp.Min, 2, 16), "min": (sp.Min, 2, 16),
    "Heaviside": (sp.Heaviside, 1, 1),
    "sigmoid": (_sigmoid, 1, 1), "softplus": (_softplus, 1, 1), "relu": (_relu, 1, 1),
    "Piecewise": (sp.Piecewise, 1, 16),
}

ALLOWED_FUNCTIONS: tuple[str, ...] = tuple(sorted(_FUNCTIONS))
_ALLOWED_TEXT = ", ".join(ALLOWED_FUNCTIONS)

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
_CMPOPS: dict[type, Callable[[sp.Expr, sp.Expr], sp.Basic]] = {
    ast.Lt: sp.StrictLessThan, ast.LtE: sp.LessThan,
    ast.Gt: sp.StrictGreaterThan, ast.GtE: sp.GreaterThan,
}

_NODE_WORDS: dict[type, str] = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambda",
    ast.IfExp: "conditional expressions (use Piecewise)", ast.Starred: "starred arguments",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions", ast.GeneratorExp: "comprehensions",
    ast.List: "lists", ast.Dict: "dicts", ast.Set: "sets", ast.JoinedStr: "f-strings",
    ast.NamedExpr: "assignment expressions", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "slices", ast.FormattedValue: "f-strings",
}


def _unsafe(msg: str) -> TheoryCheckError:
    return TheoryCheckError(msg, status=Status.UNSAFE_FORMULA)


def _invalid(msg: str) -> TheoryCheckError:
    return TheoryCheckError(msg, status=Status.INVALID_FORMULA)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _check_size(tree: ast.AST) -> None:
    """Bound depth and node count iteratively (no recursion), before anything is built."""
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise _unsafe(f"formula too large: more than {MAX_NODES} syntax nodes")
        if depth > MAX_DEPTH:
            raise _unsafe(f"formula nested too deeply: depth over {MAX_DEPTH}")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Builder:
    """Walk a size-checked AST with a strict whitelist, building SymPy objects directly."""

    def __init__(self, text: str) -> None:
        self.text = text

    def expr(self, node: ast.AST) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node.id)
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINOPS):
                raise _unsafe(f"operator {type(node.op).__name__} is not allowed; "
                              "allowed: + - * / **")
            left, right = self.expr(node.left), self.expr(node.right)
            return self.binop(node.op, left, right)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.expr(node.operand)
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            raise _unsafe(f"unary operator {type(node.op).__name__} is not allowed here")
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            raise _invalid("comparisons are only allowed inside Piecewise conditions")
        if isinstance(node, ast.Tuple):
            raise _invalid("tuples are only allowed as Piecewise (value, condition) pairs")
        raise _unsafe(f"{_NODE_WORDS.get(type(node), type(node).__name__)} not allowed "
                      "in a formula")

    def number(self, node: ast.Constant) -> sp.Expr:
        v = node.value
        if isinstance(v, bool):
            raise _invalid("True/False are only allowed as Piecewise conditions")
        if isinstance(v, int):
            if abs(v) >= MAX_INT:
                raise _unsafe(f"integer literal too large (|n| must be < {MAX_INT:.0e})")
            return sp.Integer(v)
        if isinstance(v, float):
            src = ast.get_source_segment(self.text, node) or repr(v)
            digits = sum(ch.isdigit() for ch in src.split("e")[0].split("E")[0])
            if not math.isfinite(v) or abs(v) >= MAX_INT or digits > MAX_DIGITS:
                raise _unsafe(f"number literal {src[:20]} out of range "
                              f"(|v| < {MAX_INT:.0e}, at most {MAX_DIGITS} digits)")
            if v != 0 and abs(v) < 1e-30:
                raise _unsafe(f"number literal {src[:20]} too small (|v| >= 1e-30 or 0)")
            src = src.replace("_", "")
            if digits > 12:
                # long decimals stay Floats at their written precision (so str() round-trips)
                return sp.Float(src, max(digits, 15))
            try:
                return sp.Rational(src)
            except (TypeError, ValueError):
                return sp.Rational(repr(v))
        kind = "string" if isinstance(v, (str, bytes)) else type(v).__name__
        raise _unsafe(f"{kind} literals are not allowed in a formula")

    def name(self, ident: str) -> sp.Expr:
        if ident == "x":
            return X
        if ident in _CONSTANTS:
            return _CONSTANTS[ident]
        if ident.startswith("_"):
            raise _unsafe(f"name {ident!r} is not allowed")
        if ident in _FUNCTIONS:
            raise _invalid(f"function {ident!r} used without arguments")
        raise _invalid(f"unknown symbol {ident!r}: a formula uses the one variable x "
                       "(constants: pi, E)")

    def binop(self, op: ast.operator, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, ast.Mult):
            return a * b
        if isinstance(op, ast.Div):
            if b == 0:
                raise _invalid("division by zero")
            return a / b
        # power: bound the exponent, and the size of a number raised to a number
        if b.is_Number:
            if abs(b) > MAX_EXPONENT:
                raise _unsafe(f"exponent {b} too large (|p| <= {MAX_EXPONENT})")
            if a.is_Number:
                if a == 0 and b < 0:
                    raise _invalid("zero raised to a negative power")
                if a != 0 and float(abs(b)) * math.log10(float(abs(a))) > MAX_CONST_LOG10:
                    raise _unsafe(f"number too large: a power above 1e{MAX_CONST_LOG10}")
        elif b.is_number:
            # a constant but non-literal exponent (e.g. pi): bound it numerically
            bv = complex(sp.N(b, 15))
            if not math.isfinite(abs(bv)) or abs(bv) > MAX_EXPONENT:
                raise _unsafe(f"exponent too large (|p| <= {MAX_EXPONENT})")
        if a.is_Number and a != 0 and b.free_symbols and not a.is_positive:
            raise _invalid("a negative number raised to a power in x is not real")
        return a**b

    def call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            what = "attribute access" if isinstance(node.func, ast.Attribute) else \
                "calling an expression"
            raise _unsafe(f"{what} is not allowed; call a function by name: {_ALLOWED_TEXT}")
        fname = node.func.id
        if fname not in _FUNCTIONS:
            raise _unsafe(f"unknown function {fname!r}; allowed: {_ALLOWED_TEXT}")
        if node.keywords:
            raise _unsafe(f"keyword arguments are not allowed (in {fname})")
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise _unsafe(f"starred arguments are not allowed (in {fname})")
        builder, lo, hi = _FUNCTIONS[fname]
        n = len(node.args)
        if not lo <= n <= hi:
            want = str(lo) if lo == hi else f"{lo} to {hi}"
            raise _invalid(f"{fname} takes {want} argument(s), got {n}")
        if fname == "Piecewise":
            return self.piecewise(node.args)
        args = [self.expr(a) for a in node.args]
        return builder(*args)

    def piecewise(self, items: list[ast.expr]) -> sp.Expr:
        pairs = []
        for i, item in enumerate(items):
            if not (isinstance(item, ast.Tuple) and len(item.elts) == 2):
                raise _invalid("Piecewise takes (value, condition) pairs")
            value = self.expr(item.elts[0])
            cond = self.condition(item.elts[1])
            if cond is sp.true and i != len(items) - 1:
                raise _invalid("only the last Piecewise pair may have the condition True")
            pairs.append((value, cond))
        if pairs[-1][1] is not sp.true:
            raise _invalid("Piecewise must end with a (value, True) pair so it is defined "
                           "everywhere")
        return sp.Piecewise(*pairs)

    def condition(self, node: ast.AST) -> sp.Basic:
        if isinstance(node, ast.Constant) and node.value is True:
            return sp.true
        if isinstance(node, ast.Compare):
            terms = [self.expr(node.left), *(self.expr(c) for c in node.comparators)]
            rels = []
            for op, a, b in zip(node.ops, terms, terms[1:], strict=False):
                if type(op) not in _CMPOPS:
                    raise _unsafe(f"comparison {type(op).__name__} not allowed; "
                                  "allowed: < <= > >=")
                rels.append(_CMPOPS[type(op)](a, b))
            return sp.And(*rels) if len(rels) > 1 else rels[0]
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v) for v in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return sp.Not(self.condition(node.operand))
        raise _invalid("a Piecewise condition must be a comparison such as x < 0, or True")


def _check_result(expr: sp.Expr) -> None:
    """Reject results that are constant, non-real, or not finite at sample points, and those
    with a real pole, logarithm of zero or non-real branch anywhere (seen by
    :func:`~theorycheck.activations.singularities.real_singularity`)."""
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise _invalid("formula is not finite (division by zero or an infinite constant)")
    if not isinstance(expr, sp.Expr) or X not in expr.free_symbols:
        raise _invalid("formula does not depend on x")
    f = compile_mpmath(expr, X)
    with mp.workdps(15):
        for p in ("0", "0.5", "-0.5", "1", "-1", "2.3", "-2.3", "3", "-3"):
            try:
                v = f(mp.mpf(p))
            except ZeroDivisionError:
                raise _invalid(f"formula is not finite at x = {p} (division by zero)") from None
            except (ValueError, OverflowError) as exc:
                why = _one_line(str(exc))[:80] or type(exc).__name__
                raise _invalid(f"formula cannot be evaluated at x = {p}: {why}") from None
            if isinstance(v, mp.mpc):
                if abs(v.imag) > 1e-12 * (1 + abs(v.real)):
                    raise _invalid(f"formula takes non-real values (at x = {p})")
                v = v.real
            if not mp.isfinite(v):
                raise _invalid(f"formula is not finite at x = {p}")
    found = real_singularity(expr, X)
    if found is not None:
        raise _invalid(found.message())


def parse_formula(text: str) -> sp.Expr:
    """Parse an activation formula in ``x`` into a SymPy expression, safely.

    The result's only free symbol is the real symbol ``x`` (:data:`X`). Raises
    :class:`TheoryCheckError` (``unsafe-formula`` or ``invalid-formula``, one line) otherwise.
    """
    if not isinstance(text, str):
        raise _invalid(f"a formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise _unsafe(f"formula too long ({len(text)} characters; at most {MAX_LENGTH})")
    if not text.strip():
        raise _invalid("empty formula")
    if "\x00" in text:
        raise _invalid("formula contains a NUL character")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise _invalid(f"syntax error in formula: {_one_line(exc.msg)}") from None
    except (RecursionError, MemoryError, ValueError):
        raise _unsafe("formula too deeply nested to parse") from None
    _check_size(tree)
    try:
        expr = _Builder(text.strip()).expr(tree.body)
    except TheoryCheckError:
        raise
    except (TypeError, ValueError, ZeroDivisionError, RecursionError, AttributeError) as exc:
        raise _invalid(f"formula is not a valid expression: {_one_line(str(exc))[:100]}") from None
    if not isinstance(expr, sp.Expr):
        raise _invalid("formula is not an expression")
    _check_result(expr)
    return expr
