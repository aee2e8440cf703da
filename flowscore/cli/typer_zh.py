"""The one module that touches Typer's internals: Chinese for the words Typer and its bundled
click print themselves, and command-line values converted without pydantic. Applied once when
the CLI loads (``apply``); Typer is pinned to 0.29.x in pyproject.toml because of it.

Chinese: Typer exposes most of its words (panel titles, usage line, the --help option) as module
constants; parse errors are hard-coded English, so they are translated by pattern on their way
to the error panel.

Values: Typer 0.29 converts every option through a pydantic ``TypeAdapter``: importing pydantic and
building the adapters costs ~0.12 s on every start, a third of ``flowscore rank``. flowscore's
options are plain ``str``, ``Path``, ``int``, ``float``, ``bool`` and ``list[str]``, optional or
not, with at most a ``min``/``max``; those are converted here directly, with the Chinese
messages the pydantic path gave (after the translation above). Any other annotation or option
setting is left to Typer.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typer import _coercion, core
from typer._click.exceptions import BadParameter

_MESSAGES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(
            r"^No such option: (\S+)(?: Did you mean (.+)\?)?(?: \(Possible options: (.+)\))?$",
            re.S,
        ),
        lambda m: (
            f"没有选项 {m[1]}"
            + (f"，是不是要用 {m[2]}？" if m[2] else "")
            + (f"（相近的选项：{m[3]}）" if m[3] else "")
        ),
    ),
    (
        re.compile(r"^No such command '?(.+?)'?\.(?: Did you mean (.+)\?)?$", re.S),
        lambda m: f"没有命令“{m[1]}”" + (f"。是不是要用{_quoted(m[2])}？" if m[2] else ""),
    ),
    (re.compile(r"^Missing option (.+?)\.?$"), lambda m: f"缺少选项 {_unquoted(m[1])}"),
    (re.compile(r"^Missing argument (.+?)\.?$"), lambda m: f"缺少参数 {_unquoted(m[1])}"),
    (re.compile(r"^Missing command\.$"), lambda m: "缺少命令"),
    (
        re.compile(r"^Invalid value for (.+?): (.+)$", re.S),
        lambda m: f"{m[1]} 的取值无效：{_value(m[2])}",
    ),
    (re.compile(r"^Invalid value: (.+)$", re.S), lambda m: f"取值无效：{_value(m[1])}"),
    (
        re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.+)\)$"),
        lambda m: f"多余的参数：{m[1]}",
    ),
    (re.compile(r"^Option '?(.+?)'? requires an argument\.$"), lambda m: f"选项 {m[1]} 需要一个值"),
    (
        re.compile(r"^Option '?(.+?)'? does not take a value\.$"),
        lambda m: f"选项 {m[1]} 不接受取值",
    ),
]

_VALUES = [
    (re.compile(r"Input should be a valid integer.*"), "应为整数"),
    (re.compile(r"Input should be a valid number.*"), "应为数字"),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"应不小于 \1"),
    (re.compile(r"'?(.+?)'? is not a valid integer( range)?\.?"), r"“\1”不是有效的整数"),
    (re.compile(r"(.+?) is not in the range (.+)\.?"), r"\1 不在范围 \2 内"),
    (re.compile(r"(.+?) is not (?:a valid )?(.+?)\.?$"), r"\1 不是有效的 \2"),
]


def _unquoted(names: str) -> str:
    """``'--unit' / '-u'`` → ``--unit / -u``."""
    return names.replace("'", "")


def _quoted(names: str) -> str:
    """``'compute', 'check'`` → ``“compute”或“check”``."""
    return "或".join("“" + n.strip().strip("'") + "”" for n in names.split(","))


def _value(text: str) -> str:
    for pattern, repl in _VALUES:
        new, n = pattern.subn(repl, text, count=1)
        if n:
            return new
    return text


def translate(message: str) -> str:
    for pattern, make in _MESSAGES:
        m = pattern.match(message.strip())
        if m:
            return make(m)
    return message


class _StandIn(type):
    """A class of a module not imported yet: imported when the class is first used."""

    _module: str

    def _real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls.__name__)

    def __getattr__(cls, name: str) -> Any:
        return getattr(cls._real(), name)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls._real()(*args, **kwargs)


# What typer.rich_utils imports only for help in Markdown (flowscore's is rich markup) and for
# Typer's own tracebacks (flowscore shows none without --debug): ~50 ms of a 0.2 s start.
_LATER = {"rich.markdown": ("Markdown",), "rich.traceback": ("Traceback",)}


def _import_rich_utils() -> types.ModuleType:
    """typer.rich_utils, imported with stand-ins for ``_LATER``'s classes. The stand-ins are
    in ``sys.modules`` only while it is imported: anything importing those modules afterwards
    gets the real ones."""
    placed = {}
    for module, names in _LATER.items():
        if module not in sys.modules:
            stand_in = types.ModuleType(module)
            for name in names:
                setattr(stand_in, name, _StandIn(name, (), {"_module": module}))
            placed[module] = sys.modules[module] = stand_in
    try:
        from typer import rich_utils
    finally:
        for module, stand_in in placed.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]
    return rich_utils


def _apply_chinese() -> None:
    from rich.text import Text
    from typer import _click
    from typer._click import decorators, formatting

    rich_utils: Any = _import_rich_utils()

    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.RICH_HELP = "运行 [blue]{command_path} {help_option}[/] 查看帮助。"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.DEPRECATED_STRING = "（已弃用）"

    original_write_usage = formatting.HelpFormatter.write_usage

    def write_usage(
        self: formatting.HelpFormatter, prog: str, args: str = "", prefix: str | None = None
    ) -> None:
        original_write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]  # the patch itself

    original_help_option = decorators.help_option

    def help_option(param_decls: list[str]) -> Callable[[Any], Any]:
        decorate = original_help_option(param_decls)

        def apply_zh(f: Any) -> Any:
            result = decorate(f)
            params = getattr(result, "params", None) or getattr(result, "__click_params__", [])
            if params and params[-1].help == "Show this message and exit.":
                params[-1].help = "显示本帮助并退出。"
            return result

        return apply_zh

    decorators.help_option = help_option

    # Chinese help has no spaces to wrap at: rich would cut a long help line with "…" in the
    # 80-column help table. Folding wraps it at the column's edge instead.
    original_rich_text = rich_utils._make_rich_text

    def make_rich_text(**kwargs: Any) -> Any:
        text = original_rich_text(**kwargs)
        if isinstance(text, Text):
            text.overflow = "fold"
        return text

    rich_utils._make_rich_text = make_rich_text

    original_format_error = rich_utils.rich_format_error

    def rich_format_error(self: _click.ClickException) -> None:
        original = self.format_message
        self.format_message = lambda: translate(original())  # type: ignore[method-assign]  # per exception, on purpose
        original_format_error(self)

    rich_utils.rich_format_error = rich_format_error

    _type_labels_in_chinese()


# Typer's type column: ``<bool>`` on a flag (which takes no value: shown as nothing), ``<path>``,
# ``<int range> [x>=0]``. Labels Typer has no word for keep its own.
_TYPE_LABELS = {
    "<bool>": "",
    "<path>": "路径",
    "<int>": "整数",
    "<int range>": "整数",
    "<float>": "数字",
    "<float range>": "数字",
    "<str>": "文本",
}


def _range_zh(min: float | None, max: float | None) -> str | None:
    if min is None and max is None:
        return None
    if min is None:
        return f"不大于 {max}"
    if max is None:
        return f"不小于 {min}"
    return f"{min}～{max}"


def _type_labels_in_chinese() -> None:
    from typer import core

    original = core._TyperParameter.display_type

    def display_type(self: Any, ctx: Any) -> str:
        label: str = original(self, ctx)
        return _TYPE_LABELS.get(label, label)

    core._TyperParameter.display_type = display_type  # type: ignore[method-assign]  # the patch itself
    core.describe_number_range = _range_zh  # type: ignore[attr-defined]  # private in typer.core


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


def _apply_plain_params() -> None:
    if hasattr(core, "build_runtime_param"):  # another Typer: keep its own (slower) conversion
        core.build_runtime_param = plain_param


def apply() -> None:
    _apply_chinese()
    _apply_plain_params()
