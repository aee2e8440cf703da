"""``flowscore explain``: one unit's score, item by item, every explanation whole.

A vertical layout, not a table: an explanation is a sentence with numbers in it, and a table
column at 80 columns cut it with "…". Each item is a heading line (序号, 项目, 分值, 自评分,
核定分, 来源), then its explanation and the assessor's remark as indented paragraphs that wrap
on a terminal and stay whole lines when piped. The unit's own problems close the page: what
an assessor has to settle before the score is final."""

from __future__ import annotations

from typing import Any

from flowscore.catalog import name_of
from flowscore.cli.console import console, escape, paragraph
from flowscore.cli.ranking_view import num
from flowscore.labels import ENTRY_KIND_LABELS, STATUS_LABELS, no_sheet_note
from flowscore.names import norm
from flowscore.results import NO_SHEET

_LEVELS = {"error": ("错误", "bold red"), "warning": ("警告", "yellow"), "info": ("提示", "cyan")}


def unit_findings(data: dict[str, Any], unit: dict[str, Any]) -> list[dict[str, Any]]:
    """The problems that concern this unit: those naming it, and those in its own sheet."""
    name, file = norm(unit["unit"]), unit.get("file") or ""
    return [
        f
        for f in data.get("findings", [])
        if (f.get("unit") and norm(f["unit"]) == name) or (file and f.get("file") == file)
    ]


def print_explain(unit: dict[str, Any], findings: list[dict[str, Any]] | None = None) -> None:
    st = unit["status"]
    rank = f"第{unit['rank']}名" if unit.get("rank") else "未排名"
    console.print(
        f"[bold]{escape(unit['unit'])}[/]  {escape(unit.get('tier_label', unit['tier']))}"
        f"  基本分 {num(unit['base'], 1)}  {STATUS_LABELS.get(st, st)}  {rank}"
    )
    if unit.get("file"):
        paragraph(f"评分表：{escape(unit['file'])}", indent=2)
    if st in NO_SHEET:
        paragraph(f"[red]{escape(no_sheet_note(st, unit.get('file') or ''))}[/]", indent=2)
    else:
        _items(unit)
        _totals(unit)
    _problems(findings or [])


def _items(unit: dict[str, Any]) -> None:
    category = None
    for it in unit["items"]:
        if it.get("category") and it["category"] != category:
            category = it["category"]
            console.print(f"  [bold]{escape(category)}[/]")
        self_score = num(it["self_score"])
        verified = num(it["verified"])
        source = it.get("source_label") or it["source"]
        head = (
            f"{escape(str(it['no']))} {escape(it.get('short') or '')}"
            f"  分值 {escape(str(it.get('max_label', it['max'])))}"
            f"  自评分 {self_score}  核定分 [bold]{verified}[/]  {escape(source)}"
        )
        paragraph(head, indent=2)
        paragraph(escape(it["explanation"]), indent=6)
        if it.get("remark") and it["remark"] not in it["explanation"]:
            paragraph(f"备注：{escape(it['remark'])}", indent=6)
        if it.get("assessor"):
            paragraph(f"核定单位：{escape(it['assessor'])}", indent=6)
        if it.get("register"):
            paragraph(register_line(it["register"]), indent=6)


def register_line(reg: dict[str, Any]) -> str:
    """An item's entry in the assessor's register (核定登记表): who, when, what, why, whether
    it was used, and where it is."""
    used = "采用" if reg.get("used") else "未采用（见问题清单）"
    why = f"，理由：{escape(reg['reason'])}" if reg.get("reason") else "，未写理由"
    return (
        f"核定登记：{escape(reg['who'])}，{escape(reg.get('date') or '日期未填')}，"
        f"登记 {num(reg['score'])} 分{why}；{used}"
        f"[dim]（{escape(reg['file'])} › {escape(reg['sheet'])} 第{reg['row']}行）[/]"
    )


def print_unit_comparison(data: dict[str, Any], unit: str) -> None:
    """The unit beside last year, when the results were made with ``compute --compare``."""
    cmp = data.get("comparison")
    found = next((u for u in (cmp or {}).get("units", []) if u.get("unit") == unit), None)
    if cmp is None or found is None:
        return
    prev = cmp.get("previous", {}).get("scheme", {}).get("title", "")
    delta = found.get("delta")
    shown = ("+" if delta is not None and delta > 0 else "") + num(delta)
    note = f"（{escape(found['note'])}）" if found.get("note") else ""
    console.print(f"  [bold]与上年比较[/]（{escape(prev)}）")
    paragraph(
        f"评价得分 {num(found.get('total'))}，上年 {num(found.get('previous_total'))}，"
        f"增减 {shown}；名次{escape(found.get('rank_text', ''))}{note}",
        indent=4,
    )
    for it in found.get("items", []):
        if not it.get("comparable"):
            paragraph(
                f"序号{escape(str(it['no']))} 不作比较：{escape(it.get('why', ''))}", indent=4
            )


def _totals(unit: dict[str, Any]) -> None:
    if unit.get("categories"):
        paragraph(
            "分类得分："
            + "；".join(
                f"{escape(c['category'])} {num(c['verified'])}／{num(c['max'], 0)}"
                for c in unit["categories"]
            ),
            indent=2,
        )
    for e in unit.get("entries", []):
        kind = ENTRY_KIND_LABELS.get(e["kind"], e["kind"])
        mark = "计入" if e["counted"] else "不计入"
        why = f"（{escape(e['reason'])}）" if e.get("reason") else ""
        note = f"：{escape(e['note'])}" if e.get("note") else ""
        paragraph(
            f"{kind} {num(e['points'])}  {escape(e['topic'] or '（未写专题）')}{note}；{mark}{why}",
            indent=2,
        )
    paragraph(
        f"小计 {num(unit['subtotal'])} + 加分 {num(unit['bonus'])} "
        f"+ 减分 {num(unit['penalty'])} = 评价得分 [bold]{num(unit['total'])}[/]；"
        f"折算得分 = {num(unit['base'], 1)} × {num(unit['total'])} / 100 = "
        f"[bold]{num(unit['contribution'], 4)}[/]",
        indent=2,
    )


def _problems(findings: list[dict[str, Any]]) -> None:
    if not findings:
        return
    console.print("  [bold]这个单位的问题[/]")
    for f in findings:
        label, style = _LEVELS.get(f["level"], ("提示", "cyan"))
        where = " ".join(p for p in (f.get("file"), f.get("sheet"), f.get("cell")) if p)
        paragraph(
            f"[{style}]{label} {escape(name_of(f['code']))}[/]：{escape(f['message'])}"
            + (f"（{escape(where)}）" if where else ""),
            indent=4,
        )
        if f.get("hint"):
            paragraph(f"[dim]提示：{escape(f['hint'])}[/]", indent=6)
