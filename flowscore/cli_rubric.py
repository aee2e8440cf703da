"""``flowscore rubric …``: list, show and check rubric files (a sub-command group of cli.py)."""

from __future__ import annotations

import typer

rubric_app = typer.Typer(
    help="评分细则：列出内置细则、查看细则内容、检查细则文件。",
    no_args_is_help=True,
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
)
