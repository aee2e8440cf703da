"""Command-line values converted without pydantic.

Typer 0.29 converts every option through a pydantic ``TypeAdapter``: importing pydantic and
building the adapters costs ~0.12 s on every start, a third of ``flowscore rank``. flowscore's
options are plain ``str``, ``Path``, ``int``, ``float``, ``bool`` and ``list[str]``, optional or
not, with at most a ``min``/``max``; those are converted here directly, with the Chinese
messages the pydantic path gave (after ``cli_zh``'s translation). Any other annotation or
option setting is left to Typer. Applied once when the CLI module loads.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer import _coercion, core
from typer._click.exceptions import BadParameter

_LEAVES = (str, Path, int, float, bool)
# Path settings that need Typer's own checks (exists=..., resolve_path=...): left to Typer.
_PATH_SETTINGS = {
    "exists": False,
    "file_okay": True,
    "dir_okay": True,
    "writable": False,
    "readable": True,
    "resolve_path": False,
    "allow_dash": False,
    "path_type": None,
}
_TRUE = frozenset({"1", "true", "yes", "y", "on", "是"})
_FALSE = frozenset({"0", "false", "no", "n", "off", "否"})


def _shape(annotation: Any) -> tuple[type, bool] | None:
    """(leaf type, is a list) for the annotations converted here, else None."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            return None
        annotation = args[0]
        origin = typing.get_origin(annotation)
    many = origin is list
    if many:
        (annotation,) = typing.get_args(annotation)
    return (annotation, many) if annotation in _LEAVES else None


@dataclass(frozen=True)
class PlainParam(_coercion.RuntimeParam):
    leaf: type
    many: bool

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.many:
            items = value if isinstance(value, list | tuple) else [value]
            return [self._one(v, param, ctx) for v in items]
        return self._one(value, param, ctx)

    def _one(self, value: Any, param: Any, ctx: Any) -> Any:
        leaf = self.leaf
        if leaf is str:
            return value if isinstance(value, str) else str(value)
        if leaf is Path:
            return value if isinstance(value, Path) else Path(value)
        if leaf is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            raise BadParameter("应为是或否（true/false）", ctx=ctx, param=param)
        try:
            number = leaf(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            message = "应为整数" if leaf is int else "应为数字"
            raise BadParameter(message, ctx=ctx, param=param) from None
        if leaf is float and number != number:  # NaN compares false with every bound
            raise BadParameter("应为数字", ctx=ctx, param=param)
        info = self.parameter_info
        if info.min is not None and number < info.min:
            if not info.clamp:
                raise BadParameter(f"应不小于 {info.min}", ctx=ctx, param=param)
            number = leaf(info.min)
        if info.max is not None and number > info.max:
            if not info.clamp:
                raise BadParameter(f"应不大于 {info.max}", ctx=ctx, param=param)
            number = leaf(info.max)
        return number


def plain_param(descriptor: Any) -> Any:
    """A ``PlainParam`` for the simple annotations, else Typer's own (pydantic) conversion."""
    info = descriptor.parameter_info
    shape = None if descriptor.file_annotation is not None else _shape(descriptor.annotation)
    plain = (
        shape is not None
        and info.parser is None
        and getattr(info, "click_type", None) is None
        and (
            shape[0] is not Path or all(getattr(info, k, v) == v for k, v in _PATH_SETTINGS.items())
        )
    )
    if not plain:
        return _typer_builder(descriptor)
    assert shape is not None
    return PlainParam(
        parameter_info=info, annotation=descriptor.annotation, leaf=shape[0], many=shape[1]
    )


_typer_builder = _coercion.build_runtime_param


def apply() -> None:
    if hasattr(core, "build_runtime_param"):  # another Typer: keep its own (slower) conversion
        core.build_runtime_param = plain_param  # type: ignore[assignment]
