"""The commands: each parses its options, calls one library function, renders through
``console`` and sets the exit code.

Heavy libraries (openpyxl, pandas, jinja2) are imported inside the commands that need them, so
``flowscore --help`` and ``flowscore rank`` start fast."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flowscore.cli import console as ui
from flowscore.cli import ranking_view, typer_zh
from flowscore.cli.common import MaxRowsOpt, MaxSizeOpt, RubricOpt, guarded, new_app, state
from flowscore.cli.rubric import rubric_app
from flowscore.contract import DEFAULT_OUT as DEFAULT_OUT_NAME
from flowscore.contract import RESULTS_NAME

if TYPE_CHECKING:
    from flowscore.inputs.safety import Limits
    from flowscore.rubric.model import Scheme

typer_zh.apply()

app = new_app(
    "流动人口服务管理目标考核批量评分：生成附件评分表、核定得分、按基本分折算并排名。",
    name="flowscore",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    """``--version`` alone prints the version: eager, so it answers before a command is needed."""
    if value:
        from flowscore import __version__

        ui.console.print(f"flowscore {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: Annotated[
        bool, typer.Option("--debug", help="出错时显示完整的程序调用栈（供开发者排查）。")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", help="显示版本号并退出。", callback=_version, is_eager=True
        ),
    ] = False,
) -> None:
    """流动人口服务管理目标考核批量评分。"""
    state["debug"] = debug


def _load(rubric: str | None) -> Scheme:
    from flowscore.rubric import load_rubric

    scheme, _warnings = load_rubric(rubric)
    return scheme


@app.command("template", options_metavar="[选项]")
@guarded
def template_cmd(
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="单位名称（可重复）。", metavar="单位")
    ] = None,
    all_units: Annotated[
        bool, typer.Option("--all", help="为名单中的每个单位各生成一份评分表。")
    ] = False,
    indicators: Annotated[
        bool,
        typer.Option("--indicators", help="生成空白的指标数据工作簿（指标、加减分、市考排名）。"),
    ] = False,
    register: Annotated[
        bool,
        typer.Option(
            "--register",
            help="生成空白的核定登记表（核定登记表.xlsx）：登记任一单位任一项目的核定分、理由、核定人和日期。",
        ),
    ] = False,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="输出文件夹（默认当前文件夹）。", metavar="文件夹")
    ] = Path("."),
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的文件。")] = False,
    assessor: Annotated[
        str | None,
        typer.Option(
            "--assessor",
            help="成员单位名称：生成该成员单位实地检查用的评分表（只填本单位负责项目的核定分）。",
            metavar="成员单位",
        ),
    ] = None,
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="评分表的格式：xlsx（Excel，默认）或 docx（Word 文档）。",
            metavar="格式",
        ),
    ] = "xlsx",
    rubric: RubricOpt = None,
) -> None:
    """生成空白的附件评分表（.xlsx 或 .docx），供各单位填写自评分。"""
    from flowscore import template

    if not (unit or all_units or indicators or register):
        ui.fail(
            "请指定 --unit 单位名称、--all、--indicators 或 --register",
            "例如：flowscore template --unit 月湖街道",
        )
        raise typer.Exit(2)
    for name in [*(unit or []), *([assessor] if assessor else [])]:
        if not name.strip() or not name.isprintable():
            ui.fail(
                f"单位名称“{name}”中有控制字符或为空，不能用作单位名称",
                "请按考核名单输入单位名称，例如：flowscore template --unit 月湖街道",
            )
            raise typer.Exit(2)
    _folder_not_file(out)
    scheme = _load(rubric)
    names = [u.name for u in scheme.units] if all_units else list(unit or [])
    try:
        if register:  # refused before anything is written, like the other templates
            from flowscore.template_register import refuse_existing

            refuse_existing(out, force=force)
        written = []
        if names or indicators:
            written = template.write_templates(
                scheme,
                units=names,
                indicators=indicators,
                out_dir=out,
                force=force,
                assessor=assessor,
                file_format=file_format.strip().lower(),
            )
        if register:
            from flowscore.template_register import write_register

            written += write_register(scheme, out_dir=out, force=force)
    except OSError as exc:
        from flowscore.writers import output_error

        raise output_error(out, exc) from exc
    for path in written:
        ui.ok(f"已生成 {path}")
    if names and file_format.strip().lower() == "xlsx":
        ui.paragraph(ui.escape(template.protection_note(scheme)), indent=2)


DEFAULT_OUT = Path(DEFAULT_OUT_NAME)

# What a clerk may type after --out meaning a file: the option names a folder, and a folder
# called 月湖.xlsx would only confuse the next person who opens it.
_FILE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".docx", ".doc", ".wps", ".json", ".md")


def _folder_not_file(out: Path) -> None:
    if out.suffix.lower() in _FILE_SUFFIXES and not out.is_dir():
        ui.fail(
            f"--out 要的是文件夹，“{out}”像是一个文件名",
            "文件名由 flowscore 按单位取（如 附件1-月湖街道.xlsx），以便认出报送的单位；"
            f"请给出文件夹，如 --out {out.with_suffix('')}",
        )
        raise typer.Exit(2)


def _date(text: str | None) -> dt.date | None:
    """``--date``: a calendar date as 2019-12-20 (or 2019年12月20日, 2019/12/20)."""
    if text is None:
        return None
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", text)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else dt.date.fromisoformat(text)
    except ValueError:
        ui.fail(f"--date 的日期“{text}”无法识别", "写成 年-月-日，如 --date 2019-12-20")
        raise typer.Exit(2) from None


MAX_SIZE_MB = 4096  # a workbook is a zip: past 4 GB it needs zip64, which no clerk's file has


def _limits(max_size_mb: float, max_rows: int) -> Limits:
    import math

    from flowscore.inputs.safety import Limits

    if not math.isfinite(max_size_mb) or not 1 <= max_size_mb <= MAX_SIZE_MB:
        ui.fail(
            f"--max-size 应为 1 到 {MAX_SIZE_MB} 之间的数（单位 MB），不能是“{max_size_mb}”",
            "例如 --max-size 512",
        )
        raise typer.Exit(2)
    return Limits.from_options(max_size_mb=max_size_mb, max_rows=max_rows)


@app.command("compute", options_metavar="[选项]")
@guarded
def compute_cmd(
    folder: Annotated[
        Path, typer.Argument(help="存放各单位评分表和指标数据的文件夹。", metavar="文件夹")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", "-o", help="输出文件夹（默认 ./flowscore-output）。", metavar="文件夹"
        ),
    ] = DEFAULT_OUT,
    force: Annotated[bool, typer.Option("--force", "-f", help="覆盖已存在的输出文件夹。")] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="有待核定项目时视为失败（退出码 1）。")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="在终端输出机器可读的 JSON 结果。")
    ] = False,
    no_reports: Annotated[
        bool,
        typer.Option(
            "--no-reports", help="不生成各单位的反馈单（反馈单/，以及 --text 的 reports/）。"
        ),
    ] = False,
    text: Annotated[
        bool,
        typer.Option(
            "--text", help="另外写出纯文本的总体报告（考核报告.md）和各单位反馈（reports/）。"
        ),
    ] = False,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf", help="另外把考核结果通报和反馈单转换为 PDF（需要安装 LibreOffice）。"
        ),
    ] = False,
    date: Annotated[
        str | None,
        typer.Option(
            "--date",
            help="通报、反馈单和汇总表上印的日期，如 2019-12-20（默认：最新一份材料的修改日期）。",
            metavar="年-月-日",
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="同时列出提示级别的问题。")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="不显示进度条和问题清单，只显示汇总。")
    ] = False,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            help="并行的读取进程数（1 表示一个读取进程、写出在本进程内完成，0 表示按处理器核数）。"
            "文件总在单独的读取进程中读取：一个文件使读取程序崩溃时只影响它自己。",
            min=0,
        ),
    ] = 0,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare",
            help="上年的结果（results.json 或输出文件夹）：在排名表、通报和反馈单中加上上年评价得分、增减和名次变化。",
            metavar="上年结果",
        ),
    ] = None,
    max_size: MaxSizeOpt = 256,
    max_rows: MaxRowsOpt = 200_000,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="不使用读取缓存：每个文件都重新读取（缓存在用户的缓存文件夹中，文件未变时"
            "沿用上次读取的结果，结果与不用缓存时完全相同）。",
        ),
    ] = False,
    rubric: RubricOpt = None,
) -> None:
    """读取文件夹中的评分表和指标数据，核定得分、折算、排名，并写出汇总工作簿和报告。"""
    from flowscore.compute import compute_folder
    from flowscore.parallel import default_jobs
    from flowscore.todo import next_steps
    from flowscore.writers import Choices, write_outputs
    from flowscore.writers.results_json import json_text, result_to_dict

    _folder_not_file(out)
    printed = _date(date)
    limits = _limits(max_size, max_rows)
    choices = Choices(unit_feedback=not no_reports, text=text, pdf=pdf)
    plan = listing = None
    seen: dict[tuple[str, str], Any] | None = None
    if not no_cache and not pdf and folder.is_dir():
        from flowscore.inputs.folder import list_folder
        from flowscore.rerun import Plan

        listing = list_folder(folder, exclude=(out,))
        plan = Plan.make(
            folder,
            out,
            listing=listing,
            rubric=rubric,
            limits=limits,
            options=(choices, printed),
            compare=compare,
        )
        kept = plan.unchanged(out, force=force) if plan is not None and not as_json else None
        if kept is not None:  # nothing changed: the outputs are what this run would write
            ui.print_compute_summary(
                kept,
                out_dir=str(out),
                show_info=verbose,
                list_findings=not quiet,
                unchanged=True,
            )
            ui.print_next_steps(kept.steps, strict=strict)
            raise typer.Exit(1 if kept.has_errors or (strict and kept.provisional) else 0)
        seen = {}
    progress = ui.ReadingProgress(enabled=not quiet and not as_json)
    jobs = min(jobs or default_jobs(), 32)  # more readers than that only compete for memory
    try:
        result = compute_folder(
            folder,
            rubric=rubric,
            exclude=(out,),
            jobs=jobs,
            progress=progress,
            scanning=progress.scanning,
            limits=limits,
            isolate=True,
            cache=not no_cache,
            compare_with=compare,
            listing=listing,
            seen=seen,
        )
    finally:
        progress.close()
    if printed is not None:
        result.as_of = printed
    with progress.writing(len(result.units)):
        written = write_outputs(
            result,
            out_dir=out,
            force=force,
            choices=choices,
            jobs=jobs,
            digests=plan is not None,
        )
    if plan is not None and seen is not None:
        plan.remember(seen, result, written.files)
    if as_json:
        sys.stdout.write(json_text(result_to_dict(result)))
    else:
        from flowscore.rerun import summary_of

        ui.print_compute_summary(
            summary_of(result),
            out_dir=str(out),
            show_info=verbose,
            list_findings=not quiet,
            written=written,
        )
        ui.print_next_steps(next_steps(result), strict=strict)
    pending = any(u.status == "provisional" for u in result.units)
    raise typer.Exit(1 if result.report.has_errors or (strict and pending) else 0)


@app.command("check", options_metavar="[选项]")
@guarded
def check_cmd(
    folder: Annotated[
        Path, typer.Argument(help="存放各单位评分表和指标数据的文件夹。", metavar="文件夹")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="输出机器可读的问题清单（JSON）。")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="同时列出提示级别的问题。")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="不显示进度条和问题清单，只显示汇总和下一步。")
    ] = False,
    max_size: MaxSizeOpt = 256,
    max_rows: MaxRowsOpt = 200_000,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="不使用读取缓存：每个文件都重新读取（缓存在用户的缓存文件夹中，文件未变时"
            "沿用上次读取的结果，结果与不用缓存时完全相同）。",
        ),
    ] = False,
    rubric: RubricOpt = None,
) -> None:
    """只检查文件夹中的文件（读取和校验），按文件列出问题，不写任何文件。有错误时退出码为 1。"""
    from flowscore.compute import compute_folder
    from flowscore.parallel import default_jobs
    from flowscore.todo import next_steps

    progress = ui.ReadingProgress(enabled=not as_json and not quiet)
    try:
        result = compute_folder(
            folder,
            rubric=rubric,
            exclude=(DEFAULT_OUT,),
            jobs=default_jobs(),
            progress=progress,
            scanning=progress.scanning,
            limits=_limits(max_size, max_rows),
            isolate=True,
            cache=not no_cache,
        )
    finally:
        progress.close()
    findings = [f for f in result.report if verbose or f.level.value != "info"]
    if as_json:
        from flowscore.writers.results_json import json_text

        sys.stdout.write(json_text([f.to_dict() for f in findings]))
    else:
        if findings and not quiet:
            ui.print_findings(findings)
        counts = result.report.counts()
        ui.console.print(
            f"检查了 {len(result.inputs)} 个文件：错误 {counts['error']}、"
            f"警告 {counts['warning']}、提示 {counts['info']}"
        )
        ui.print_next_steps(next_steps(result))
    raise typer.Exit(1 if result.report.has_errors else 0)


def _results_data(source: Path | None, rubric: str | None) -> dict[str, Any]:
    """results.json (a file, or an output folder holding one), or a submissions folder scored
    in memory without writing anything."""
    from flowscore.results_file import load_results

    source = source or DEFAULT_OUT / RESULTS_NAME
    if source.is_dir() and not (source / RESULTS_NAME).is_file():
        from flowscore.compute import compute_folder
        from flowscore.writers.results_json import result_to_dict

        return result_to_dict(compute_folder(source, rubric=rubric, isolate=True))
    return load_results(source)


SourceArg = Annotated[
    Path | None,
    typer.Argument(
        help="results.json、输出文件夹或评分表文件夹（默认 ./flowscore-output/results.json）。",
        metavar="来源",
        show_default=False,
    ),
]


@app.command("rank", options_metavar="[选项]")
@guarded
def rank_cmd(
    source: SourceArg = None,
    tier: Annotated[
        str | None,
        typer.Option(
            "--tier",
            "-t",
            help="只显示一个类别：编号或名称，如 A 或 A类街道、部门 或 区级部门。",
            metavar="类别",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出机器可读的 JSON 行。")] = False,
    rubric: RubricOpt = None,
) -> None:
    """在终端显示各类别的排名表。"""
    data = _results_data(source, rubric)
    if tier is not None:
        tier = _tier_id(data, tier)
    if as_json:
        from flowscore.writers.results_json import json_text

        sys.stdout.write(json_text(ranking_view.ranking_rows(data, tier)))
    else:
        ranking_view.print_ranking(data, tier=tier)


def _is_source(path: Path) -> bool:
    """A results file or a folder, as opposed to a unit's name."""
    return path.suffix.lower() == ".json" or path.is_dir()


def _tier_id(data: dict[str, Any], given: str) -> str:
    """The tier a ``--tier`` names: its id (A) or its label as printed (A类街道), as typed."""
    from flowscore.names import norm

    tiers = {u["tier"]: u.get("tier_label", u["tier"]) for u in data["units"]}
    for tid, label in tiers.items():
        if norm(given) in (norm(tid), norm(label)):
            return str(tid)
    ui.fail(
        f"没有类别“{given}”",
        "可用的类别：" + "、".join(f"{t}（{lb}）" if lb != t else t for t, lb in tiers.items()),
    )
    raise typer.Exit(2)


@app.command("explain", options_metavar="[选项]")
@guarded
def explain_cmd(
    name: Annotated[
        str | None,
        typer.Argument(
            help="单位名称（也可以用 --unit 给出）。", metavar="单位", show_default=False
        ),
    ] = None,
    source: SourceArg = None,
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="单位名称。", metavar="单位")
    ] = None,
    rubric: RubricOpt = None,
) -> None:
    """逐项显示一个单位的得分来历：规则、数据、扣分、核定人和理由，以及该单位的问题。

    例如：flowscore explain 龙观乡"""
    if unit is None and name is not None and source is None and _is_source(Path(name)):
        source, name = Path(name), None  # ``explain 输出文件夹``: the unit is what is missing
    if unit is None:
        unit = name
    elif name is not None:  # ``explain --unit 南门街道 输出文件夹``: the one argument is the source
        if source is not None:
            ui.fail(f"多余的参数：{source}", "用法：flowscore explain 单位 [来源]")
            raise typer.Exit(2)
        source = Path(name)
    if not unit:
        ui.fail("请给出单位名称", "例如：flowscore explain 龙观乡（或 --unit 龙观乡）")
        raise typer.Exit(2)
    from flowscore.names import norm

    data = _results_data(source, rubric)
    found = [u for u in data["units"] if norm(u["unit"]) == norm(unit)]
    if not found:
        import difflib

        close = difflib.get_close_matches(unit, [u["unit"] for u in data["units"]], n=3, cutoff=0.3)
        ui.fail(f"结果中没有单位“{unit}”", "最相近的单位：" + ("、".join(close) or "（无）"))
        raise typer.Exit(2)
    from flowscore.cli import explain_view

    explain_view.print_explain(found[0], explain_view.unit_findings(data, found[0]))
    explain_view.print_unit_comparison(data, found[0]["unit"])


@app.command("diff", options_metavar="[选项]")
@guarded
def diff_cmd(
    old: Annotated[
        Path,
        typer.Argument(help="较早的结果：results.json 或输出文件夹。", metavar="旧结果"),
    ],
    new: Annotated[
        Path,
        typer.Argument(help="较新的结果：results.json 或输出文件夹。", metavar="新结果"),
    ],
    as_json: Annotated[bool, typer.Option("--json", help="输出机器可读的 JSON。")] = False,
) -> None:
    """比较两次结果：增加、删去和改动的输入文件，评分细则的变化，状态、评价得分、折算得分或名次有变化的单位及其背后的项目（前后的分数和说明）。没有变化时退出码为 0，有变化时为 1。"""
    from flowscore.diff import diff_paths

    found = diff_paths(old, new)
    if as_json:
        from flowscore.writers.results_json import json_text

        sys.stdout.write(json_text(found.to_dict()))
    else:
        from flowscore.cli.diff_view import print_diff

        print_diff(found)
    raise typer.Exit(1 if found.changed else 0)


app.add_typer(rubric_app, name="rubric")  # listed after the commands above
