"""Chinese for the words Typer and its bundled click print themselves (panel titles, usage
line, the --help option, parse errors). Applied once when the CLI module loads.

Typer exposes most of these as module constants; the rest are hard-coded English, so messages
are translated by pattern on their way to the error panel."""

from __future__ import annotations

import re

_MESSAGES = [
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
    (re.compile(r"^No such command '?(.+?)'?\.$"), lambda m: f"没有命令“{m[1]}”"),
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


def apply() -> None:
    from typer import _click, rich_utils
    from typer._click import decorators, formatting

    rich_utils.ARGUMENTS_PANEL_TITLE = "参数"
    rich_utils.OPTIONS_PANEL_TITLE = "选项"
    rich_utils.COMMANDS_PANEL_TITLE = "命令"
    rich_utils.ERRORS_PANEL_TITLE = "错误"
    rich_utils.ABORTED_TEXT = "已中止。"
    rich_utils.RICH_HELP = "运行 [blue]'{command_path} {help_option}'[/] 查看帮助。"
    rich_utils.DEFAULT_STRING = "[默认：{}]"
    rich_utils.REQUIRED_LONG_STRING = "[必填]"
    rich_utils.ENVVAR_STRING = "[环境变量：{}]"
    rich_utils.DEPRECATED_STRING = "（已弃用）"

    original_write_usage = formatting.HelpFormatter.write_usage

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_write_usage(self, prog, args, "用法：" if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    original_help_option = decorators.help_option

    def help_option(*param_decls, **kwargs):
        decorate = original_help_option(*param_decls, **kwargs)

        def apply_zh(f):
            result = decorate(f)
            params = getattr(result, "params", None) or getattr(result, "__click_params__", [])
            if params and params[-1].help == "Show this message and exit.":
                params[-1].help = "显示本帮助并退出。"
            return result

        return apply_zh

    decorators.help_option = help_option

    original_format_error = rich_utils.rich_format_error

    def rich_format_error(self: _click.ClickException) -> None:
        original = self.format_message
        self.format_message = lambda: translate(original())  # type: ignore[method-assign]
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

    def display_type(self, ctx):  # type: ignore[no-untyped-def]
        label = original(self, ctx)
        return _TYPE_LABELS.get(label, label)

    core._TyperParameter.display_type = display_type  # type: ignore[method-assign]
    core.describe_number_range = _range_zh
