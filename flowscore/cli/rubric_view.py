"""``flowscore rubric list`` and ``rubric show`` in the terminal: what an office compares with the
published document, in its words — titles, never internal sheet ids or source file names.

Vertical, not tables: a rule is a sentence, and a table column at 80 columns cut it with "…".
Every line is a ``paragraph``: wrapped under its indent on a terminal, whole when piped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowscore.cli.console import console, escape, paragraph
from flowscore.labels import ENTRY_KIND_LABELS, MODE_LABELS
from flowscore.numbers import fmt_plain
from flowscore.rubric.describe import describe_item

if TYPE_CHECKING:
    from flowscore.rubric.model import Item, Scheme, Sheet


def print_rubric_list(rubrics: list[tuple[str, Scheme | None]]) -> None:
    """The built-in rubrics: the id to type, the title, year, units and score sheets."""
    console.print("[bold]内置评分细则[/]")
    for rid, s in rubrics:
        if s is None:
            paragraph(
                f"{escape(rid)}  [red]（有错误，运行 flowscore rubric check {escape(rid)} 查看）[/]",
                indent=2,
            )
            continue
        paragraph(f"[bold]{escape(rid)}[/]  {escape(s.title)}", indent=2)
        annexes = list(dict.fromkeys(sh.annex or sh.title for sh in s.sheets))
        paragraph(
            f"年度 {s.year if s.year else '未注明'}，{len(s.units)} 个单位，"
            f"{len(s.sheets)} 张评分表（{escape('、'.join(annexes))}）"
            + (f"；依据{escape(s.source)}" if s.source else ""),
            indent=6,
        )
    paragraph(
        "查看内容：flowscore rubric show 编号；复制后修改的细则用 "
        "flowscore rubric check 文件 检查。"
    )


def print_scheme(scheme: Scheme) -> None:
    """The whole rubric: what it follows, units and base points, then every sheet's items."""
    paragraph(f"[bold]{escape(scheme.title)}[/]")
    if scheme.source:
        paragraph(f"依据：{escape(scheme.source)}", indent=2)
    facts = [f"年度 {scheme.year}" if scheme.year else "年度未注明"]
    if scheme.deadline:
        facts.append(f"报送截止 {escape(scheme.deadline)}")
    facts.append(f"编号 {escape(scheme.id)}")
    paragraph("；".join(facts), indent=2)
    if scheme.path:
        paragraph(f"细则文件：{escape(str(scheme.path))}", indent=2)
    console.print()
    console.print("[bold]考核单位和基本分[/]（折算得分 = 基本分 × 评价得分 ÷ 100）")
    for t in scheme.tiers:
        names = [u.name for u in scheme.units if u.tier == t.id]
        paragraph(
            f"{escape(t.label)}，基本分 {fmt_plain(t.base)}，{len(names)} 个："
            + escape("、".join(names)),
            indent=2,
        )
    if scheme.assessors:
        paragraph("成员单位（实地检查评分）：" + escape("、".join(scheme.assessors)), indent=2)
    for sheet in scheme.sheets:
        console.print()
        _print_sheet(scheme, sheet)
    if scheme.derived:
        console.print()
        console.print("[bold]派生指标[/]")
        for d in scheme.derived:
            paragraph(f"{escape(d.name)} = {escape(d.formula)}", indent=2)


def _print_sheet(scheme: Scheme, sheet: Sheet) -> None:
    users = [u.name for u in scheme.units if u.sheet == sheet.id]
    head = " ".join(x for x in (sheet.annex, sheet.title) if x)
    paragraph(f"[bold]{escape(head)}[/]")
    total = f"总分 {fmt_plain(sheet.total)}"
    if sheet.published_sum is not None:
        total += f"，各项分值合计 {fmt_plain(sheet.published_sum)}（文件原样公布）"
    paragraph(f"{total}；使用单位 {len(users)} 个：" + escape("、".join(users)), indent=2)
    category = None
    for it in sheet.items:
        if it.category and it.category != category:
            category = it.category
            cat = next((c for c in sheet.categories if c.name == category), None)
            bounds = []
            if cat is not None and cat.max is not None:
                bounds.append(f"分值 {fmt_plain(cat.max)}")
            if cat is not None and cat.min is not None:
                bounds.append(f"最低 {fmt_plain(cat.min)}")
            extra = f"（{'，'.join(bounds)}）" if bounds else ""
            paragraph(f"[bold]{escape(category)}[/]{extra}", indent=2)
        _print_item(scheme, it)
    for pool in (sheet.bonus, sheet.penalty):
        if pool is None:
            continue
        kind = ENTRY_KIND_LABELS[pool.kind]
        same = "，同一专题按最高一项计" if pool.same_topic == "highest" else ""
        cap = f"，合计最多{fmt_plain(pool.cap)}分" if pool.cap is not None else ""
        paragraph(
            f"{kind}：每项 {fmt_plain(pool.min)}～{fmt_plain(pool.max)} 分{same}{cap}", indent=2
        )
    for note in sheet.footnotes:
        paragraph(f"[dim]注：{escape(note)}[/]", indent=2)


def _print_item(scheme: Scheme, it: Item) -> None:
    mode = MODE_LABELS.get(it.mode, it.mode)
    paragraph(
        f"{escape(str(it.no))} {escape(it.short or it.text[:20])}"
        f"（分值 {escape(it.max_label)}，{mode}）",
        indent=2,
    )
    if it.owner:
        paragraph(f"负责单位：{escape(it.owner)}", indent=6)
    elif scheme.assessors:
        own = scheme.decisions.own_sheet_assessor
        paragraph(
            f"负责单位：{escape(own)}（未注明负责单位的项目）" if own else "各成员单位共同评分",
            indent=6,
        )
    for line in describe_item(it, scheme).splitlines():
        if line.startswith("·"):
            paragraph(escape(line[1:].strip()), indent=8, first="·")
        else:
            paragraph(escape(line), indent=6)
