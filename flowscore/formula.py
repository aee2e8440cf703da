"""Derived indicators: a tiny, safe arithmetic language over indicator names.

``城镇流动人口数 / 800 + 农村流动人口数 / 500`` is parsed with Python's ``ast`` and only numbers,
names, + − × ÷ and parentheses are admitted, so a rubric file can never run code. Values are
exact fractions."""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

_OPS: dict[type[ast.operator], Callable[[Fraction, Fraction], Fraction]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


class FormulaError(ValueError):
    """A formula that is not of the admitted form (message in Chinese)."""


def _translate(formula: str) -> str:
    # Full-width operators and brackets as people type them in Chinese text.
    table = str.maketrans(
        {"（": "(", "）": ")", "＋": "+", "－": "-", "×": "*", "÷": "/", "＊": "*", "／": "/"}
    )
    return formula.translate(table)


MAX_LENGTH = 500  # characters: 应配协管员数 = 城镇流动人口数 / 800 + 农村流动人口数 / 500 is 40
MAX_NODES = 200
MAX_CONSTANT = Decimal(10) ** 9


@functools.lru_cache(maxsize=256)
def parse(formula: str) -> ast.Expression:
    """The formula's syntax tree, once admitted (bounded in size before the parser sees it:
    Python's parser recurses on nesting and unary signs)."""
    if len(formula) > MAX_LENGTH:
        raise FormulaError(f"公式太长（{len(formula):,} 个字符，最多 {MAX_LENGTH} 个）")
    try:
        tree = ast.parse(_translate(formula), mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        msg = exc.msg if isinstance(exc, SyntaxError) else "嵌套太深"
        raise FormulaError(f"公式“{formula}”写法有误：{msg}") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(f"公式“{formula[:40]}…”太复杂（最多 {MAX_NODES} 个部分）")
    for node in nodes:
        if isinstance(node, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            if isinstance(node, ast.operator) and type(node) not in _OPS:
                raise FormulaError(f"公式“{formula}”只能用 + − × ÷ 和括号")
            continue
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.Name):
            continue
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            if not _sensible(node.value):
                raise FormulaError(
                    f"公式“{formula[:40]}”中的数字超出范围（应为有限的数字，绝对值不超过 10 亿，"
                    "非零时不小于 0.000001）"
                )
            continue
        raise FormulaError(f"公式“{formula}”中有不允许的内容（{type(node).__name__}）")
    return tree


def _sensible(value: int | float) -> bool:
    """A constant exact arithmetic can carry: finite, at most a billion, and not so small that
    dividing by it blows a value up past every bound (1 / 1e-300)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return False
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return d.is_finite() and abs(d) <= MAX_CONSTANT and (d == 0 or abs(d) >= Decimal("0.000001"))


def names(formula: str) -> list[str]:
    """The indicator names a formula uses, in order."""
    out: list[str] = []
    for node in ast.walk(parse(formula)):
        if isinstance(node, ast.Name) and node.id not in out:
            out.append(node.id)
    return out


def evaluate(formula: str, values: dict[str, Decimal | bool | None]) -> Fraction | str:
    """The formula's exact value, or the Chinese reason it has none."""
    tree = parse(formula)

    def ev(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return Fraction(str(node.value))
        if isinstance(node, ast.Name):
            v = values.get(node.id)
            if v is None or isinstance(v, bool):
                raise LookupError(node.id)
            return Fraction(v)
        if isinstance(node, ast.UnaryOp):
            x = ev(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Div) and b == 0:
                raise ZeroDivisionError
            return _OPS[type(node.op)](a, b)
        raise FormulaError(type(node).__name__)  # parse() admits nothing else

    try:
        return ev(tree)
    except LookupError as exc:
        return f"缺少指标“{exc.args[0]}”"
    except ZeroDivisionError:
        return "公式中出现除以0"
