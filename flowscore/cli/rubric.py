"""``flowscore rubric …``: list, show and check rubric files.

A rubric is a user-facing file: an office copies a built-in one for a new year and edits it
(README “为新年度复制一份评分细则并检查”). ``check`` reports what loading validates and what
``rubric.lint`` adds; ``show`` describes every rule in Chinese (``rubric.describe``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flowscore.cli import console as ui
from flowscore.cli.common import guarded, new_app
from flowscore.findings import Level

rubric_app = new_app("评分细则：列出内置细则、查看细则内容、检查细则文件。")

RubricArg = Annotated[
    str | None,
    typer.Argument(
        help="评分细则：内置编号（如 beilun-streets）或 .toml 文件路径。",
        metavar="编号或文件",
        show_default=False,
    ),
]
RubricOpt = Annotated[
    str | None,
    typer.Option(
        "--rubric",
        "-r",
        help="评分细则：内置编号或 .toml 文件路径（与位置参数二选一）。",
        metavar="编号或文件",
    ),
]


def _resolve(spec: str | None, option: str | None) -> Path:
    from flowscore.rubric.load import resolve_rubric

    return resolve_rubric(spec or option)


@rubric_app.command("list", options_metavar="[选项]")
@guarded
def list_cmd() -> None:
    """列出内置的评分细则：编号、名称、年度、单位数和评分表。"""
    from flowscore.cli import rubric_view
    from flowscore.rubric.load import builtin_rubric_summaries

    rubric_view.print_rubric_list(builtin_rubric_summaries())


@rubric_app.command("show", options_metavar="[选项]")
@guarded
def show_cmd(spec: RubricArg = None, rubric: RubricOpt = None) -> None:
    """显示一份评分细则：单位和基本分、各评分表的项目、分值和计分规则。"""
    from flowscore.rubric.load import load_rubric

    scheme, warnings = load_rubric(_resolve(spec, rubric))
    from flowscore.cli import rubric_view

    rubric_view.print_scheme(scheme)
    if warnings:
        ui.console.print()
        ui.print_findings(warnings)


@rubric_app.command("check", options_metavar="[选项]")
@guarded
def check_cmd(spec: RubricArg = None, rubric: RubricOpt = None) -> None:
    """检查评分细则文件：格式、引用、分值合计、重叠的规则、没有类别的单位等。有错误时退出码为 1。"""
    from flowscore.rubric.lint import lint_rubric

    path = _resolve(spec, rubric)
    scheme, findings = lint_rubric(path)
    if findings:
        ui.print_findings(findings)
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    warnings = sum(1 for f in findings if f.level is Level.WARNING)
    ui.console.print(f"检查了 {path}：错误 {errors}、警告 {warnings}")
    if errors or scheme is None:
        ui.fail(f"评分细则 {path.name} 有错误，不能使用", "按上面列出的位置逐条修正后重新检查")
        raise typer.Exit(1)
    sheets = len(scheme.sheets)
    items = sum(len(s.items) for s in scheme.sheets)
    ui.ok(
        f"评分细则可以使用：{len(scheme.units)} 个单位，{sheets} 张评分表，{items} 个考核项目"
        + ("；请逐条确认上面的警告" if warnings else "")
    )
