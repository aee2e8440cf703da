"""Writing a run's outputs: ``考核汇总.xlsx``, ``考核报告.md``, ``results.json`` and one
``reports/<单位>.txt`` per unit, into one folder, completely or not at all.

The folder is built beside the target and swapped in (``atomic.replace_dir_atomic``). Replacing
a folder deletes what was in it, so an existing folder is replaced only with ``force`` and only
when it holds nothing but what flowscore writes: ``--out .`` by mistake must never wipe a
working folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from flowscore.atomic import replace_dir_atomic
from flowscore.contract import OVERALL_NAME, REPORTS_DIR, RESULTS_NAME, SUMMARY_NAME
from flowscore.errors import OutputError
from flowscore.results import BatchResult
from flowscore.writers.results_json import json_text, load_results, result_to_dict
from flowscore.writers.safe import unique_filenames

# openpyxl and Jinja2 are imported only when outputs are written: `flowscore rank` reads
# results.json through this package and must start fast.

__all__ = [
    "OUTPUT_NAMES",
    "check_out_dir",
    "json_text",
    "load_results",
    "report_names",
    "result_to_dict",
    "templates_dir",
    "write_outputs",
]

OUTPUT_NAMES = frozenset({SUMMARY_NAME, OVERALL_NAME, RESULTS_NAME, REPORTS_DIR})


def templates_dir() -> Path:
    from flowscore.writers.reports import templates_dir as find

    return find()


# Files the operating system drops into folders people open; they do not make a folder foreign.
_OS_CLUTTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_REPORT_SUFFIX = ".txt"


def report_names(result: BatchResult) -> dict[str, str]:
    """Unit name → its report's file name inside ``reports/`` (safe and distinct)."""
    return unique_filenames((u.unit for u in result.units), suffix=_REPORT_SUFFIX)


def _foreign(out_dir: Path) -> list[str]:
    """What in ``out_dir`` flowscore did not write (relative names, sorted)."""
    foreign = []
    for entry in sorted(os.scandir(out_dir), key=lambda e: e.name):
        name = entry.name
        if name in _OS_CLUTTER:
            continue
        if entry.is_symlink() or name not in OUTPUT_NAMES:
            foreign.append(name)
        elif name == REPORTS_DIR:
            if not entry.is_dir(follow_symlinks=False):
                foreign.append(name)
                continue
            for sub in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if sub.name in _OS_CLUTTER:
                    continue
                if (
                    sub.is_symlink()
                    or not sub.is_file(follow_symlinks=False)
                    or not sub.name.endswith(_REPORT_SUFFIX)
                ):
                    foreign.append(f"{REPORTS_DIR}/{sub.name}")
        elif not entry.is_file(follow_symlinks=False):
            foreign.append(name)
    return foreign


def check_out_dir(out_dir: Path, *, force: bool) -> None:
    """Refuse an output folder flowscore must not (re)place; see the module docstring."""
    if out_dir.is_symlink():
        raise OutputError(
            f"输出位置 {out_dir} 是符号链接，flowscore 不会替换它",
            hint="请用 --out 指定一个普通文件夹",
        )
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise OutputError(
            f"输出位置 {out_dir} 已存在且不是文件夹", hint="请用 --out 指定一个文件夹"
        )
    resolved = out_dir.resolve()
    try:
        cwd = Path.cwd().resolve()
    except OSError:  # the working folder itself was removed: it cannot be the target either
        cwd = None
    if cwd is not None and (resolved == cwd or resolved in cwd.parents):
        raise OutputError(
            f"不能把当前文件夹（或其上级）{out_dir} 作为输出文件夹：输出时会整个替换它",
            hint="请用 --out 指定一个新的子文件夹，例如 --out 考核结果",
        )
    with os.scandir(out_dir) as entries:
        if next(entries, None) is None:
            return
    if not force:
        raise OutputError(f"输出文件夹 {out_dir} 已存在且不为空", hint="加 --force 覆盖")
    if (out_dir / f"~${SUMMARY_NAME}").exists():
        raise OutputError(
            f"{out_dir / SUMMARY_NAME} 正在 Excel 中打开", hint="请先关闭该文件再运行"
        )
    foreign = _foreign(out_dir)
    if foreign:
        shown = "、".join(foreign[:5]) + ("等" if len(foreign) > 5 else "")
        raise OutputError(
            f"输出文件夹 {out_dir} 中有不是 flowscore 生成的文件（{shown}），为安全起见不会覆盖",
            hint="请用 --out 指定一个新的或空的文件夹",
        )


# From this many units on, the summary workbook (and half the unit reports) is written by a
# forked child while this process writes results.json and the rest: on 2 cores, 10,000 units
# take ~1.7 s instead of ~4.2 s. Below it a fork costs more than it saves.
FORK_FROM = 400


def _fill(result: BatchResult, folder: Path, *, unit_reports: bool, jobs: int) -> list[Path]:
    from flowscore.parallel import Forked, can_fork
    from flowscore.writers import results_json, summary_xlsx

    assert summary_xlsx.FILE_NAME == SUMMARY_NAME
    names = report_names(result) if unit_reports else {}
    if unit_reports:
        (folder / REPORTS_DIR).mkdir()
    units = [u.unit for u in result.units] if unit_reports else []
    if jobs > 1 and len(result.units) >= FORK_FROM and can_fork():
        child = Forked(_write_share, result, folder, names, units=units[1::2], summary=True)
        try:
            _write_share(result, folder, names, units=units[0::2], summary=False)
            child.result()
        except BaseException:  # a failure, or a signal while waiting: the child stops first,
            child.cancel()  # so nothing is written into the folder once it is removed
            raise
    else:
        _write_share(result, folder, names, units=units, summary=True)
        _write_share(result, folder, names, units=[], summary=False)
    written = [folder / results_json.FILE_NAME, folder / OVERALL_NAME, folder / SUMMARY_NAME]
    return written + [folder / REPORTS_DIR / names[u] for u in units]


def _write_share(
    result: BatchResult, folder: Path, names: dict[str, str], *, units: list[str], summary: bool
) -> None:
    """One process's share of the outputs: the summary workbook (``summary``) or results.json
    and the overall report, and the reports of ``units``."""
    from flowscore.writers import results_json, summary_xlsx
    from flowscore.writers.reports import UnitReports, render_overall

    if summary:
        summary_xlsx.write_summary(result, folder / summary_xlsx.FILE_NAME)
    else:
        results_json.write_results(result, folder / results_json.FILE_NAME)
        text = render_overall(result)
        (folder / OVERALL_NAME).write_text(text, encoding="utf-8", newline="\n")
    if units:
        renderer = UnitReports(result)
        by_name = {u.unit: u for u in result.units}
        for name in units:
            path = folder / REPORTS_DIR / names[name]
            path.write_text(renderer.render(by_name[name]), encoding="utf-8", newline="\n")


def write_outputs(
    result: BatchResult,
    *,
    out_dir: Path,
    force: bool,
    unit_reports: bool = True,
    jobs: int = 2,
) -> list[Path]:
    """Write every output into ``out_dir`` (whole or not at all) and return the written files'
    final paths, sorted. Raises OutputError when the folder must not be replaced. ``jobs`` = 1
    keeps all writing in this process (else a large batch is written by two)."""
    from flowscore.outlock import output_lock

    out_dir = Path(out_dir)
    relative: list[Path] = []

    def fill(tmp: Path) -> None:
        written = _fill(result, tmp, unit_reports=unit_reports, jobs=jobs)
        relative.extend(p.relative_to(tmp) for p in written)

    try:
        with output_lock(out_dir):
            check_out_dir(out_dir, force=force)
            final = out_dir.resolve()
            replace_dir_atomic(out_dir, fill)
    except OSError as exc:
        raise output_error(out_dir, exc) from exc
    return sorted(final / r for r in relative)


def output_error(out_dir: Path, exc: OSError) -> OutputError:
    """A failure to write outputs, said in Chinese: which folder, and why."""
    from flowscore.display import readable

    return OutputError(
        f"无法写出结果到 {readable(str(out_dir))}：{_cause(exc)}，原有的结果没有改动",
        hint=_fix(exc.errno or 0),
    )


def _cause(exc: OSError) -> str:
    import errno

    return {
        errno.ENOSPC: "磁盘空间不足",
        errno.EDQUOT: "磁盘配额已满",
        errno.EROFS: "该位置是只读的",
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有权限（文件夹可能被设为只读或不可修改）",
        errno.ENOTDIR: "路径中有一段是文件，不是文件夹",
        errno.EEXIST: "路径中有一段是文件，不是文件夹",
        errno.ENAMETOOLONG: "路径太长",
        errno.EIO: "写入设备出错",
        errno.EBUSY: "文件被占用",
    }.get(exc.errno or 0, f"系统错误（{exc.strerror or type(exc).__name__}）")


def _fix(code: int) -> str:
    import errno

    return {
        errno.ENOSPC: "清理磁盘空间后重新运行，或用 --out 指定其他磁盘上的文件夹",
        errno.EDQUOT: "清理磁盘空间后重新运行，或用 --out 指定其他磁盘上的文件夹",
        errno.EROFS: "用 --out 指定一个可以写入的文件夹",
        errno.EACCES: "用 --out 指定一个有写入权限的文件夹",
        errno.EPERM: "确认文件夹没有被设为只读或不可修改，或用 --out 指定其他文件夹",
        errno.ENOTDIR: "用 --out 指定一个文件夹路径（不要放在文件下面）",
        errno.EEXIST: "用 --out 指定一个文件夹路径（不要放在文件下面）",
    }.get(code, "确认该位置可以写入后重新运行，或用 --out 指定其他文件夹")
