"""``flowscore diff`` in the terminal: what moved between two runs, in Chinese.

First the rubric and the input files, then a table of the units that changed (padded text
that fits 80 columns: 单位, 变化, 评价得分, 名次, each ``before → after``), then under each
unit every other field that changed (状态, 折算得分, 加分, 减分) and the items behind the change,
before → after, with both explanations whole as indented paragraphs."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len

from flowscore.cli.console import console, escape, paragraph
from flowscore.cli.ranking_view import num
from flowscore.diff import UNIT_FIELDS, RunDiff
from flowscore.display import printable
from flowscore.labels import SOURCE_LABELS, STATUS_LABELS

CHANGE_LABELS = {"added": "增加", "removed": "删去", "changed": "改动"}
_TABLE_FIELDS = ("total", "rank")  # in the table; the others under each unit


def value_text(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if name == "status":
        return STATUS_LABELS.get(str(value), str(value))
    if name == "rank":
        return f"第{value}名"
    return num(value, 4 if name == "contribution" else 2)


def _moved(name: str, pair: tuple[Any, Any] | None) -> str:
    if pair is None:
        return ""
    return f"{value_text(name, pair[0])} → {value_text(name, pair[1])}"


def _size(value: Any) -> str:
    return "—" if value is None else f"{value:,} 字节"


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def _padded(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [text + " " * (w - _width(text)) for text, w in zip(row, widths, strict=True)]
        lines.append("  " + "  ".join(cells).rstrip())
        if n == 0:
            lines.append("  " + "  ".join("─" * w for w in widths))
    return lines


def units_table(d: RunDiff) -> list[str]:
    """The units that changed as padded lines: 单位, 变化, 评价得分, 名次."""
    rows = [["单位", "变化", "评价得分", "名次"]]
    for u in d.units:
        rows.append(
            [
                printable(u.unit),
                CHANGE_LABELS[u.change],
                *(_moved(name, u.fields.get(name)) for name in _TABLE_FIELDS),
            ]
        )
    return _padded(rows)


def print_diff(d: RunDiff) -> None:
    paragraph(f"[bold]比较[/] {escape(d.old)} → {escape(d.new)}")
    (old_id, old_sha), (new_id, new_sha) = d.old_rubric, d.new_rubric
    if d.rubric_changed:
        paragraph(
            f"评分细则：由“{escape(old_id)}”（{old_sha[:8] or '未记录'}）改为"
            f"“{escape(new_id)}”（{new_sha[:8] or '未记录'}）"
        )
    else:
        paragraph(f"评分细则：相同（{escape(new_id)}）")
    for note in d.notes:
        paragraph(f"[yellow]注意：[/]{escape(note)}")
    if d.inputs:
        console.print(f"输入文件：{len(d.inputs)} 个有变化")
        for f in d.inputs:
            if f.change == "changed":
                size = f"{_size(f.old_size)} → {_size(f.new_size)}"
            else:
                size = _size(f.new_size if f.change == "added" else f.old_size)
            paragraph(f"{CHANGE_LABELS[f.change]}  {escape(f.path)}（{size}）", indent=2)
    elif not d.notes:
        console.print("输入文件：相同")
    if not d.units:
        console.print("单位：各单位的状态、得分和名次都没有变化")
    else:
        console.print(f"单位：{len(d.units)} 个有变化")
        for line in units_table(d):
            console.print(escape(line))
        for u in d.units:
            _unit(u)
    if d.changed:
        parts = ["评分细则"] if d.rubric_changed else []
        if d.inputs:
            parts.append(f"输入文件 {len(d.inputs)} 个")
        if d.units:
            parts.append(f"单位 {len(d.units)} 个")
        console.print(f"[bold yellow]有变化：[/]{'、'.join(parts)}")
    else:
        console.print("[green]两次结果相同[/]")


def _unit(u: Any) -> None:
    others = [
        f"{label} {_moved(name, u.fields[name])}"
        for name, label in UNIT_FIELDS.items()
        if name not in _TABLE_FIELDS and name in u.fields
    ]
    if not others and not u.items:
        return
    console.print(f"[bold]{escape(u.unit)}[/]（{escape(u.tier_label)}）")
    if others and u.change == "changed":
        paragraph(escape("；".join(others)), indent=2)
    for it in u.items:
        before = f"{num(it.before)}（{SOURCE_LABELS.get(it.before_source, '无')}）"
        after = f"{num(it.after)}（{SOURCE_LABELS.get(it.after_source, '无')}）"
        paragraph(f"序号{escape(it.no)} {escape(it.short)}：{before} → {after}", indent=2)
        if it.before_explanation:
            paragraph(f"[dim]之前：[/]{escape(it.before_explanation)}", indent=4)
        if it.after_explanation:
            paragraph(f"[dim]之后：[/]{escape(it.after_explanation)}", indent=4)
