"""What every command shares: the ``--debug`` state, the guard that turns a FlowscoreError into
one Chinese message and its exit code, and the options several commands take."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from flowscore.cli import console as ui
from flowscore.errors import FlowscoreError

state = {"debug": False}

F = TypeVar("F", bound=Callable[..., Any])


def guarded(func: F) -> F:
    """Every FlowscoreError a command raises ends in a Chinese message and its exit code,
    never a traceback (unless --debug). Used on every command, so CliRunner tests see it too."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FlowscoreError as exc:
            if state["debug"]:
                raise
            ui.fail(exc.message, exc.hint)
            if exc.findings:
                ui.print_findings(exc.findings, to_stderr=True)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]  # functools.wraps keeps the signature Typer reads


def new_app(help: str, **settings: Any) -> typer.Typer:
    """A Typer app with flowscore's Chinese metavars and help options."""
    return typer.Typer(
        help=help,
        no_args_is_help=True,
        options_metavar="[选项]",
        subcommand_metavar="命令 [参数]...",
        **settings,
    )


MaxSizeOpt = Annotated[
    float,
    typer.Option(
        "--max-size",
        help="单个文件（及其解压后内容）的大小上限，单位 MB；超过的文件不读取。",
        min=1,
        metavar="MB",
    ),
]
MaxRowsOpt = Annotated[
    int,
    typer.Option(
        "--max-rows",
        help="单个工作表的行数上限；超过的工作表不读取。",
        min=100,
        max=1_048_576,
        metavar="行数",
    ),
]
RubricOpt = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        help="评分细则：内置编号（如 haishu-2019）或 .toml 文件路径。",
        metavar="编号或文件",
    ),
]
OutDir = Path
