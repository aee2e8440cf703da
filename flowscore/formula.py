"""Derived indicators: a tiny, safe arithmetic language over indicator names.

``城镇流动人口数 / 800 + 农村流动人口数 / 500`` is parsed with Python's ``ast`` and only numbers,
names, + − × ÷ and parentheses are admitted, so a rubric file can never run code. Values are
exact fractions."""

from __future__ import annotations

import ast
from decimal import Decimal
from fractions import Fraction

_OPS = {
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


def parse(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(_translate(formula), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"公式“{formula}”写法有误：{exc.msg}") from None
    for node in ast.walk(tree):
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
            continue
        raise FormulaError(f"公式“{formula}”中有不允许的内容（{type(node).__name__}）")
    return tree


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
