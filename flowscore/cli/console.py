"""The one module that owns the terminal: consoles and every rich rendering.

The library returns plain data; this module turns it into tables and lines."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape as _markup_escape

from flowscore.display import printable
from flowscore.findings import Finding, Level
from flowscore.labels import ENTRY_KIND_LABELS, MODE_LABELS, SOURCE_LABELS, STATUS_LABELS
from flowscore.numbers import fmt_plain
from flowscore.results import BatchResult
from flowscore.rubric.describe import describe_item
from flowscore.rubric.model import Scheme, Sheet

# soft_wrap: plain lines are not broken at the terminal width (paths and messages stay whole
# when piped or captured); tables still fit the width.
if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from flowscore.diff import RunDiff
    from flowscore.writers import Written

console = Console(highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

_STYLE = {Level.ERROR: "bold red", Level.WARNING: "yellow", Level.INFO: "cyan"}


def escape(text: str) -> str:
    """Text for a rich line: made printable first (a file named ``\x1b[2J.xlsx``, a cell holding
    an escape sequence, a name that is not UTF-8 — ``display.printable``), then its markup
    escaped. Every piece of text this module prints that is not its own passes here."""
    return _markup_escape(printable(text))


def fail(message: str, hint: str = "") -> None:
    """A refusal: one Chinese line (and a hint) on stderr."""
    err_console.print(f"[bold red]错误：[/]{escape(message)}")
    if hint:
        err_console.print(f"[dim]提示：{escape(hint)}[/]")


def ok(message: str) -> None:
    console.print(f"[green]✓[/] {escape(message)}")


def print_findings(
    findings: Iterable[Finding], *, group_by_file: bool = True, to_stderr: bool = False
) -> None:
    out = err_console if to_stderr else console
    current = None
    for f in findings:
        if group_by_file and f.file != current:
            current = f.file
            out.print(f"[bold]{escape(f.file or '（整体）')}[/]")
        where = " › ".join(p for p in (f.sheet, f.cell, f.key, f.unit) if p)
        where = f"[dim]{escape(where)}[/] " if where else ""
        out.print(
            f"  [{_STYLE[f.level]}]{f.level.label}[/] [dim]{f.code}[/] {where}{escape(f.message)}"
        )
        if f.hint:
            out.print(f"      [dim]提示：{escape(f.hint)}[/]")


# -- results rendering (from the plain dict of results.json) ----------------------------------

_STATUS_STYLE = {"final": "green", "provisional": "yellow", "missing": "red"}


def _num(value: object, places: int = 2) -> str:
    from decimal import Decimal

    if value is None:
        return "—"
    return f"{Decimal(str(value)):.{places}f}"


def ranking_rows(data: dict[str, Any], tier: str | None = None) -> list[dict[str, Any]]:
    """The ranking as plain rows (what ``rank --json`` prints and the table shows)."""
    rows = []
    for u in data["units"]:
        if tier and u["tier"] != tier:
            continue
        rows.append(
            {
                "tier": u["tier"],
                "tier_label": u.get("tier_label", u["tier"]),
                "rank": u["rank"],
                "unit": u["unit"],
                "total": u["total"],
                "base": u["base"],
                "contribution": u["contribution"],
                "status": u["status"],
                # category subtotals (北仑: 基础工作 / 管理工作 / 服务工作), empty for flat sheets
                "categories": {c["category"]: c["verified"] for c in u.get("categories", [])},
            }
        )
    return rows


def _categories_of(group: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(c for r in group for c in r.get("categories", {})))


# Above this many rows, or when stdout is not a terminal, ``print_ranking`` writes a plain padded
# text table: laying out a rich Table costs about half a millisecond a row.
_RICH_RANK_ROWS = 200
_RANK_HEADERS = ("名次", "单位", "评价得分", "基本分", "折算得分", "状态")
_RANK_RIGHT = (True, False, True, True, True, False)


def _rank_cells(r: dict[str, Any], cats: list[str]) -> tuple[str, ...]:
    st = r["status"]
    return (
        str(r["rank"]) if r["rank"] is not None else "—",
        r["unit"],
        _num(r["total"]),
        _num(r["base"], 1) if r["base"] is not None else "—",
        _num(r["contribution"], 4),
        STATUS_LABELS.get(st, st),
        *(_num(r["categories"].get(c)) for c in cats),
    )


def _plain_ranking(title: str, tiers: dict[str, list[dict[str, Any]]]) -> str:
    """The ranking as plain text: the title line, then per tier its heading line and a table
    padded by display width (a CJK character takes two columns), numbers right-aligned."""
    from rich.cells import cell_len

    def width(text: str) -> int:
        return len(text) if text.isascii() else cell_len(text)

    lines = [printable(title)]
    for tid, group in tiers.items():
        cats = _categories_of(group)
        right = (*_RANK_RIGHT, *(True for _ in cats))
        table = [
            (*_RANK_HEADERS, *map(printable, cats)),
            *(tuple(map(printable, _rank_cells(r, cats))) for r in group),
        ]
        sizes = [[width(text) for text in row] for row in table]
        widths = [max(col) for col in zip(*sizes, strict=True)]
        lines.append("")
        lines.append(printable(f"{group[0]['tier_label']}（{tid}）"))
        for n, (row, size) in enumerate(zip(table, sizes, strict=True)):
            cells = []
            for text, used, room, align in zip(row, size, widths, right, strict=True):
                fill = " " * (room - used)
                cells.append(fill + text if align else text + fill)
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("─" * w for w in widths))
    lines.append("")
    return "\n".join(lines)


def print_ranking(data: dict[str, Any], *, tier: str | None = None) -> None:
    """Each tier's ranking: a rich table on a terminal for a short list, otherwise (many rows,
    or output piped or captured) plain padded text written at once."""
    rows = ranking_rows(data, tier)
    tiers: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        tiers.setdefault(r["tier"], []).append(r)
    if len(rows) > _RICH_RANK_ROWS or not console.is_terminal:
        import sys

        sys.stdout.write(_plain_ranking(data["scheme"]["title"], tiers))
        return

    from rich.table import Table

    console.print(f"[bold]{escape(data['scheme']['title'])}[/]")
    for tid, group in tiers.items():
        label = group[0]["tier_label"]
        table = Table(title=f"{label}（{tid}）", title_justify="left", show_lines=False)
        table.add_column("名次", justify="right")
        table.add_column("单位")
        table.add_column("评价得分", justify="right")
        table.add_column("基本分", justify="right")
        table.add_column("折算得分", justify="right")
        table.add_column("状态")
        cats = _categories_of(group)
        for c in cats:
            table.add_column(escape(c), justify="right")
        for r in group:
            st = r["status"]
            table.add_row(
                str(r["rank"]) if r["rank"] is not None else "—",
                escape(r["unit"]),
                _num(r["total"]),
                _num(r["base"], 1) if r["base"] is not None else "—",
                _num(r["contribution"], 4),
                f"[{_STATUS_STYLE.get(st, 'white')}]{STATUS_LABELS.get(st, st)}[/]",
                *(_num(r["categories"].get(c)) for c in cats),
            )
        console.print(table)


def print_explain(unit: dict[str, Any]) -> None:
    """One unit's derivation item by item."""
    from rich.table import Table

    st = unit["status"]
    rank = f"第{unit['rank']}名" if unit.get("rank") else "未排名"
    console.print(
        f"[bold]{escape(unit['unit'])}[/]  {escape(unit.get('tier_label', unit['tier']))}"
        f"  基本分 {_num(unit['base'], 1)}  状态 {STATUS_LABELS.get(st, st)}  {rank}"
    )
    if st == "missing":
        console.print("[red]未报送评分表，没有得分。[/]")
        return
    table = Table(show_lines=True)
    table.add_column("序号", justify="right")
    table.add_column("项目")
    table.add_column("分值", justify="right")
    table.add_column("自评分", justify="right")
    table.add_column("核定分", justify="right")
    table.add_column("来源")
    table.add_column("说明", ratio=1)
    for it in unit["items"]:
        table.add_row(
            str(it["no"]),
            escape(it.get("short") or ""),
            str(it.get("max_label", it["max"])),
            _num(it["self_score"]),
            _num(it["verified"]),
            SOURCE_LABELS.get(it["source"], it["source"]),
            escape(it["explanation"]),
        )
    console.print(table)
    if unit.get("categories"):
        console.print(
            "  分类得分："
            + "；".join(
                f"{escape(c['category'])} {_num(c['verified'])}／{_num(c['max'], 0)}"
                for c in unit["categories"]
            )
        )
    for e in unit.get("entries", []):
        kind = ENTRY_KIND_LABELS.get(e["kind"], e["kind"])
        mark = "计入" if e["counted"] else "不计入"
        console.print(
            f"  {kind} {_num(e['points'])}  {escape(e['topic'])}  {mark}：{escape(e['reason'])}"
        )
    for it in unit["items"]:
        reg = it.get("register")  # the assessor's register (核定登记表): who, when, why
        if reg:
            used = "采用" if reg.get("used") else "未采用（见问题清单）"
            why = f"，理由：{escape(reg['reason'])}" if reg.get("reason") else "，未写理由"
            console.print(
                f"  核定登记 序号{escape(str(it['no']))}：{escape(reg['who'])}，"
                f"{escape(reg.get('date') or '日期未填')}，登记 {_num(reg['score'])} 分{why}；{used}"
                f"[dim]（{escape(reg['file'])} › {escape(reg['sheet'])} 第{reg['row']}行）[/]"
            )
    console.print(
        f"  小计 {_num(unit['subtotal'])} + 加分 {_num(unit['bonus'])} "
        f"+ 减分 {_num(unit['penalty'])} = 评价得分 [bold]{_num(unit['total'])}[/]；"
        f"折算得分 = {_num(unit['base'], 1)} × {_num(unit['total'])} / 100 = "
        f"[bold]{_num(unit['contribution'], 4)}[/]"
    )


def print_unit_comparison(data: dict[str, Any], unit: str) -> None:
    """``explain``: the unit beside last year, when the results were made with --compare."""
    cmp = data.get("comparison")
    if not cmp:
        return
    found = next((u for u in cmp.get("units", []) if u.get("unit") == unit), None)
    if found is None:
        return
    prev = cmp.get("previous", {}).get("scheme", {}).get("title", "")
    delta = found.get("delta")
    delta_text = ("+" if delta is not None and delta > 0 else "") + _num(delta)
    console.print(
        f"  与上年（{escape(prev)}）比较：评价得分 {_num(found.get('total'))}，"
        f"上年 {_num(found.get('previous_total'))}，增减 {delta_text}；"
        f"名次{escape(found.get('rank_text', ''))}"
        + (f"（{escape(found['note'])}）" if found.get("note") else "")
    )
    for it in found.get("items", []):
        if not it.get("comparable"):
            console.print(f"    序号{escape(str(it['no']))} 不作比较：{escape(it.get('why', ''))}")


_CHANGE_LABELS = {"added": "增加", "removed": "删去", "changed": "改动"}


def _diff_value(name: str, value: object) -> str:
    if value is None:
        return "—"
    if name == "status":
        return STATUS_LABELS.get(str(value), str(value))
    if name == "rank":
        return f"第{value}名"
    return _num(value, 4 if name == "contribution" else 2)


def _size(value: object) -> str:
    return "—" if value is None else f"{value:,} 字节"


def print_diff(d: RunDiff) -> None:
    """``flowscore diff``: the inputs, the rubric and the units that changed, in Chinese."""
    from rich.table import Table

    from flowscore.diff import UNIT_FIELDS

    console.print(f"[bold]比较[/] {escape(d.old)} → {escape(d.new)}")
    (old_id, old_sha), (new_id, new_sha) = d.old_rubric, d.new_rubric
    if d.rubric_changed:
        console.print(
            f"评分细则：由“{escape(old_id)}”（{old_sha[:8] or '未记录'}）改为"
            f"“{escape(new_id)}”（{new_sha[:8] or '未记录'}）"
        )
    else:
        console.print(f"评分细则：相同（{escape(new_id)}）")
    for note in d.notes:
        console.print(f"[yellow]注意：[/]{escape(note)}")
    if d.inputs:
        table = Table(title=f"输入文件：{len(d.inputs)} 个变化", title_justify="left")
        table.add_column("变化")
        table.add_column("文件")
        table.add_column("大小", justify="right")
        for f in d.inputs:
            size = (
                f"{_size(f.old_size)} → {_size(f.new_size)}"
                if f.change == "changed"
                else _size(f.new_size if f.change == "added" else f.old_size)
            )
            table.add_row(_CHANGE_LABELS[f.change], escape(f.path), size)
        console.print(table)
    elif not d.notes:
        console.print("输入文件：相同")
    if d.units:
        table = Table(title=f"单位：{len(d.units)} 个有变化", title_justify="left")
        table.add_column("单位")
        table.add_column("类别")
        table.add_column("变化")
        for label in UNIT_FIELDS.values():
            table.add_column(label, justify="right")
        for u in d.units:
            cells = []
            for name in UNIT_FIELDS:
                if name not in u.fields:
                    cells.append("")
                    continue
                a, b = u.fields[name]
                cells.append(f"{_diff_value(name, a)} → {_diff_value(name, b)}")
            table.add_row(escape(u.unit), escape(u.tier_label), _CHANGE_LABELS[u.change], *cells)
        console.print(table)
        for u in d.units:
            if not u.items:
                continue
            console.print(f"[bold]{escape(u.unit)}[/]")
            for it in u.items:
                before = f"{_num(it.before)}（{SOURCE_LABELS.get(it.before_source, '无')}）"
                after = f"{_num(it.after)}（{SOURCE_LABELS.get(it.after_source, '无')}）"
                console.print(f"  序号{escape(it.no)} {escape(it.short)}：{before} → {after}")
                if it.before_explanation:
                    console.print(f"    [dim]之前：[/]{escape(it.before_explanation)}")
                if it.after_explanation:
                    console.print(f"    [dim]之后：[/]{escape(it.after_explanation)}")
    else:
        console.print("单位：各单位的状态、得分和名次都没有变化")
    if d.changed:
        parts = []
        if d.rubric_changed:
            parts.append("评分细则")
        if d.inputs:
            parts.append(f"输入文件 {len(d.inputs)} 个")
        if d.units:
            parts.append(f"单位 {len(d.units)} 个")
        console.print(f"[bold yellow]有变化：[/]{'、'.join(parts)}")
    else:
        console.print("[green]两次结果相同[/]")


def print_compute_summary(
    result: BatchResult,
    *,
    out_dir: str | None,
    show_info: bool = False,
    list_findings: bool = True,
    written: Written | None = None,
) -> None:
    """What a compute run did: files and units read, findings by level, where outputs went.
    Reads the result directly (building the whole results dict would cost memory at scale)."""
    counts = result.report.counts()
    st = {s: sum(1 for u in result.units if u.status == s) for s in STATUS_LABELS}
    if list_findings:
        findings = [f for f in result.report if show_info or f.level is not Level.INFO]
        if findings:
            print_findings(findings)
            console.print()
    console.print(
        f"读取文件 {len(result.inputs)} 个；单位 {len(result.units)} 个：已定 {st['final']}、"
        f"暂定 {st['provisional']}、未报送 {st['missing']}"
    )
    console.print(
        f"问题：[bold red]错误 {counts['error']}[/]、"
        f"[yellow]警告 {counts['warning']}[/]、[cyan]提示 {counts['info']}[/]"
    )
    if out_dir and written is not None:
        console.print(f"结果已写入 {escape(out_dir)}（{escape(_written_names(written))}）")
        for note in written.notes:
            console.print(f"[yellow]注意：[/]{escape(note)}")


def _written_names(written: Written) -> str:
    """The outputs in the order of the registry: files by name, folders as 反馈单/."""
    from flowscore.writers.registry import OUTPUTS, pdf_name

    tops = {p.parent.name if p.parent.name in _folders() else p.name for p in written.paths}
    names = []
    for o in OUTPUTS:
        if o.name in tops:
            names.append(f"{o.name}/" if o.write_units is not None else o.name)
        if o.write is not None and pdf_name(o.name) in tops:
            names.append(pdf_name(o.name))
    return "、".join(names)


def _folders() -> set[str]:
    from flowscore.writers.registry import OUTPUTS

    return {o.name for o in OUTPUTS if o.write_units is not None}


class ReadingProgress:
    """A progress bar for reading files that appears only when a run takes more than a moment,
    and never when stderr is not a terminal (or with --quiet). Once every file is read it says
    that scoring is under way; ``writing()`` then shows one line while the outputs are written."""

    DELAY = 0.5  # seconds before the bar shows

    def __init__(self, *, enabled: bool) -> None:
        import time

        self.enabled = enabled and err_console.is_terminal
        self._start = time.monotonic()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self.shown = False  # the bar appeared: the run is long enough to say what happens next

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        import time

        if self._bar is None:
            if time.monotonic() - self._start < self.DELAY or done >= total:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("读取文件", total=total)
            self.shown = True
        assert self._task is not None  # added with the bar
        self._bar.update(
            self._task, completed=done, description="计分、排名" if done >= total else "读取文件"
        )

    def close(self) -> None:
        if self._bar is not None:
            # rich stops its refresh thread without waiting for it; wait, so that no thread is
            # left when the writer forks (see ``writing``).
            thread = getattr(self._bar.live, "_refresh_thread", None)
            self._bar.stop()
            if thread is not None:
                thread.join(timeout=2)
            self._bar = None

    def writing(self, units: int) -> AbstractContextManager[object]:
        """While the outputs are written: one transient line, drawn once. No refresh thread,
        since the summary workbook is written by a forked child (a fork must not copy a
        thread holding the terminal's lock)."""
        if not self.shown:
            return nullcontext()
        from rich.live import Live
        from rich.text import Text

        line = Text(f"写出考核汇总.xlsx、results.json 和报告（{units:,} 个单位）…")
        return Live(
            line,
            console=err_console,
            auto_refresh=False,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )


def print_rubric_list(rubrics: list[tuple[str, Scheme | None]]) -> None:
    """The built-in rubrics: id, title, year, units and sheets (a broken one says so)."""
    from rich.table import Table

    table = Table(title="内置评分细则", title_justify="left")
    table.add_column("编号")
    table.add_column("名称")
    table.add_column("年度", justify="right")
    table.add_column("单位", justify="right")
    table.add_column("评分表")
    for rid, s in rubrics:
        if s is None:
            table.add_row(rid, "[red]（有错误，运行 flowscore rubric check 查看）[/]", "", "", "")
            continue
        annexes = list(dict.fromkeys(sh.annex or sh.title for sh in s.sheets))
        sheets = f"{len(s.sheets)}（{'、'.join(annexes)}）"
        table.add_row(
            escape(rid),
            escape(s.title),
            str(s.year) if s.year else "未注明",
            str(len(s.units)),
            escape(sheets),
        )
    console.print(table)
    console.print(
        "查看内容：flowscore rubric show 编号；复制后修改的细则用 "
        "flowscore rubric check 文件 检查。"
    )


def print_scheme(scheme: Scheme) -> None:
    from rich.table import Table

    esc = escape
    c = console
    c.print(
        f"[bold]{esc(scheme.title)}[/]（编号 {esc(scheme.id)}，年度 "
        f"{scheme.year if scheme.year else '未注明'}）"
    )
    if scheme.source:
        c.print(f"依据：{esc(scheme.source)}")
    if scheme.deadline:
        c.print(f"报送截止：{esc(scheme.deadline)}")
    if scheme.path:
        c.print(f"文件：{esc(scheme.path)}")
    tiers = Table(title="考核单位和基本分", title_justify="left")
    tiers.add_column("类别")
    tiers.add_column("基本分", justify="right")
    tiers.add_column("单位")
    for t in scheme.tiers:
        names = [u.name for u in scheme.units if u.tier == t.id]
        tiers.add_row(esc(t.label), fmt_plain(t.base), esc(f"{len(names)}个：" + "、".join(names)))
    c.print(tiers)
    c.print("折算得分 = 基本分 × 评价得分 ÷ 100")
    if scheme.assessors:
        c.print("成员单位（实地检查评分）：" + esc("、".join(scheme.assessors)))
    for sheet in scheme.sheets:
        _print_sheet(scheme, sheet)
    if scheme.derived:
        c.print("[bold]派生指标[/]")
        for d in scheme.derived:
            c.print(f"  {esc(d.name)} = {esc(d.formula)}")


def _print_sheet(scheme: Scheme, sheet: Sheet) -> None:
    from rich.table import Table

    esc = escape
    users = [u.name for u in scheme.units if u.sheet == sheet.id]
    head = " ".join(x for x in (sheet.annex, sheet.title) if x)
    table = Table(
        title=f"{head}（{sheet.id}，总分 {fmt_plain(sheet.total)}，{len(users)}个单位使用）",
        title_justify="left",
        show_lines=True,
    )
    has_cat = bool(sheet.categories)
    has_owner = any(it.owner for it in sheet.items)
    table.add_column("序号", justify="right", no_wrap=True)
    if has_cat:
        table.add_column("分类")
    table.add_column("考核项目")
    table.add_column("分值", justify="right", no_wrap=True)
    table.add_column("计分方式")
    table.add_column("规则", ratio=1)
    if has_owner:
        table.add_column("负责单位")
    for it in sheet.items:
        row = [esc(str(it.no))]
        if has_cat:
            row.append(esc(it.category))
        row += [
            esc(it.short or it.text[:20]),
            esc(it.max_label),
            MODE_LABELS.get(it.mode, it.mode),
            esc(describe_item(it, scheme)),
        ]
        if has_owner:
            row.append(esc(it.owner or "（共同评分）"))
        table.add_row(*row)
    console.print(table)
    for cat in sheet.categories:
        bounds = []
        if cat.max is not None:
            bounds.append(f"分值 {fmt_plain(cat.max)}")
        if cat.min is not None:
            bounds.append(f"最低 {fmt_plain(cat.min)}")
        console.print(f"  分类 {esc(cat.name)}：{'，'.join(bounds) or '不设上下限'}")
    for pool in (sheet.bonus, sheet.penalty):
        if pool is None:
            continue
        kind = ENTRY_KIND_LABELS[pool.kind]
        same = "，同一专题按最高一项计" if pool.same_topic == "highest" else ""
        cap = f"，合计最多{fmt_plain(pool.cap)}分" if pool.cap is not None else ""
        console.print(f"  {kind}：每项 {fmt_plain(pool.min)}～{fmt_plain(pool.max)} 分{same}{cap}")
