"""``反馈单/<单位>.docx``: the feedback sheet the office sends each unit, to print and seal.

A unit reads it to see where its points went, so it carries every item's 分值, 自评分 and
核定分, each item's explanation whole, the bonuses and penalties with the reason each counted
or not, its rank in its category and, where the scheme has categories, their subtotals. What
is for the operator only (file names, cells, codes, program options, hints on how to run
flowscore) stays out: the texts come from ``reports.unit_view``, which the .txt feedback uses
too, but only its Chinese wording for people is printed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from flowscore.contract import FEEDBACK_DIR
from flowscore.findings import Finding
from flowscore.labels import SOURCE_LABELS
from flowscore.numbers import fmt
from flowscore.results import BatchResult, UnitResult
from flowscore.rubric.document import DocumentStyle
from flowscore.writers.docx_common import (
    BODY,
    CLOSING,
    HEADING,
    SUBTITLE,
    TITLE,
    add_paragraph,
    add_table,
    date_text,
    new_document,
    save_docx,
)
from flowscore.writers.for_unit import for_unit, shown_to_unit
from flowscore.writers.reports import tier_counts, unit_view
from flowscore.writers.safe import clean_text, unique_filenames

SUFFIX = ".docx"

INFO_WIDTHS = (36.0, 120.0)
ITEM_HEADERS = ("序号", "考核项目", "分值", "自评分", "核定分", "差额", "来源")
ITEM_WIDTHS = (16.0, 50.0, 16.0, 18.0, 18.0, 18.0, 20.0)
CATEGORY_HEADERS = ("分类", "分值", "核定得分")
CATEGORY_WIDTHS = (76.0, 40.0, 40.0)

_NUMERALS = "一二三四五六七八九十"


def feedback_names(result: BatchResult) -> dict[str, str]:
    """Unit name → its feedback sheet's file name inside ``反馈单/`` (safe and distinct)."""
    return unique_filenames((u.unit for u in result.units), suffix=SUFFIX)


class _Context:
    """What every unit's sheet needs from the whole batch, worked out once."""

    def __init__(self, result: BatchResult) -> None:
        self.result = result
        self.ranked = tier_counts(result)
        seen: dict[tuple[str, int], int] = {}
        for u in result.units:
            if u.rank is not None:
                seen[(u.tier, u.rank)] = seen.get((u.tier, u.rank), 0) + 1
        self.tied = {k for k, n in seen.items() if n > 1}
        self.findings: dict[str, list[Finding]] = {}
        for f in result.report.sorted():
            if f.unit:
                self.findings.setdefault(f.unit, []).append(f)

    def view(self, u: UnitResult) -> dict[str, Any]:
        return unit_view(
            u,
            result=self.result,
            ranked=self.ranked.get(u.tier, 0),
            tied=u.rank is not None and (u.tier, u.rank) in self.tied,
            findings=self.findings.get(u.unit, []),
        )


def _info_rows(v: dict[str, Any]) -> list[list[str]]:
    rows = [
        ["单位", v["unit"]],
        ["类别", f"{v['tier_label']}（基本分{v['base']}）"],
        ["状态", v["status"]],
    ]
    if v["missing"]:
        return rows
    return [
        *rows,
        ["评价得分", v["total"]],
        ["折算得分", f"{v['contribution']}（基本分{v['base']} × 评价得分{v['total']} ÷ 100）"],
        ["类别内名次", v["rank"].replace(" ", "")],
    ]


def _item_rows(u: UnitResult) -> list[list[str]]:
    def signed(value: Any) -> str:
        if value is None:
            return "—"
        return fmt(value) if value == 0 else (fmt(value) if value < 0 else "+" + fmt(value))

    return [
        [
            str(it.no),
            clean_text(it.short or it.text),
            it.max_label,
            fmt(it.self_score),
            fmt(it.verified),
            signed(it.difference),
            SOURCE_LABELS.get(it.source, it.source),
        ]
        for it in u.items
    ]


def _scores(doc: Document, u: UnitResult, v: dict[str, Any]) -> None:
    add_table(doc, ITEM_HEADERS, _item_rows(u), widths_mm=ITEM_WIDTHS, aligns="clcrrrc")
    add_paragraph(
        doc,
        f"项目小计{v['subtotal']}（自评合计{v['self_total']}），加分{v['bonus']}，"
        f"减分{v['penalty']}，评价得分{v['total']}。",
        BODY,
    )
    if v["categories"]:
        p = add_paragraph(doc, "分类得分：", BODY)
        p.paragraph_format.keep_with_next = True
        rows = [[c["name"], c["max"], c["verified"]] for c in v["categories"]]
        add_table(doc, CATEGORY_HEADERS, rows, widths_mm=CATEGORY_WIDTHS, aligns="lrr")


def _explained(doc: Document, v: dict[str, Any]) -> None:
    for it in v["explained"]:
        head = f"{it['no']}. {it['name']}（分值{it['max_label']}，{it['source']}）："
        texts = [head + it["explanation"]]
        if it["remark"]:
            texts.append(f"备注：{it['remark']}")
        for text in texts:
            # Left-aligned: justifying a line that ends before "（1561/4714）" spreads it thin.
            add_paragraph(doc, text, BODY, multiline=True).alignment = WD_ALIGN_PARAGRAPH.LEFT


def _entries(doc: Document, v: dict[str, Any]) -> None:
    if not v["entries"]:
        add_paragraph(doc, "无。", BODY)
        return
    for e in v["entries"]:
        text = f"{e['kind']}{e['points']}　{e['topic'] or '（未写专题）'}"
        if e["note"]:
            text += f"：{e['note']}"
        text += "。" + ("计入" if e["counted"] else "不计入")
        if e["reason"]:
            text += f"（{e['reason']}）"
        add_paragraph(doc, text + "。", BODY)


COMPARE_HEADERS = ("序号", "考核项目", "本年核定分", "上年核定分", "增减或说明")
COMPARE_WIDTHS = (16.0, 52.0, 26.0, 26.0, 36.0)


def _compared(doc: Document, c: dict[str, Any]) -> None:
    """Last year beside this year: the totals and ranks in a sentence, then the items (a
    number where they can be compared, the reason where they cannot)."""
    text = f"评价得分{c['total']}，上年{c['previous_total']}"
    if c["delta"] != c["previous_total"]:
        text += f"，增减{c['delta']}"
    text += f"；类别内{c['rank']}，上年{c['previous_rank']}，名次{c['rank_text']}。"
    if c["previous_unit"]:
        text += f"上年名称为“{c['previous_unit']}”。"
    if c["note"] and c["note"] not in text:
        text += c["note"].rstrip("。") + "。"
    add_paragraph(doc, text, BODY)
    if c["rows"]:
        add_table(doc, COMPARE_HEADERS, c["rows"], widths_mm=COMPARE_WIDTHS, aligns="clrrl")


def _pending(doc: Document, v: dict[str, Any]) -> None:
    for it in v["pending"]:
        add_paragraph(doc, f"第{it['no']}项“{it['name']}”尚未核定，得分和名次为暂定。", BODY)


def _unit_findings(ctx: _Context, u: UnitResult) -> list[str]:
    texts = (for_unit(f.message) for f in shown_to_unit(ctx.findings.get(u.unit, [])))
    return [clean_text(t, multiline=True).rstrip("。") + "。" for t in texts if t]


def _findings(doc: Document, texts: list[str]) -> None:
    for text in texts:
        add_paragraph(doc, text, BODY, multiline=True)


def _sections(u: UnitResult, v: dict[str, Any], findings: list[str]) -> Iterable[tuple[str, Any]]:
    if u.items:
        yield "各项得分", lambda doc: _scores(doc, u, v)
        yield "得分说明", lambda doc: _explained(doc, v)
    if not v["missing"]:
        yield "加分与减分", lambda doc: _entries(doc, v)
    if v["pending"]:
        yield "待核定项目", lambda doc: _pending(doc, v)
    if v["comparison"] is not None:
        yield "与上年比较", lambda doc: _compared(doc, v["comparison"])
    if findings:
        yield "需要说明的问题", lambda doc: _findings(doc, findings)


def _closing(doc: Document, *, style: DocumentStyle, date: dt.date | None) -> None:
    add_paragraph(doc, "", BODY)
    for i, text in enumerate((style.seal_text, date_text(date, style))):
        p = add_paragraph(doc, text, CLOSING)
        p.paragraph_format.keep_with_next = i == 0  # the seal line never without its date
        p.paragraph_format.right_indent = Pt(style.body_size_pt * 4)  # 右空四字


def _build(ctx: _Context, u: UnitResult, *, style: DocumentStyle, date: dt.date | None) -> Document:
    v = ctx.view(u)
    doc = new_document(style, title=f"{style.feedback_title}：{clean_text(u.unit)}")
    add_paragraph(doc, style.feedback_title, TITLE)
    add_paragraph(doc, clean_text(ctx.result.scheme_title), SUBTITLE)
    add_paragraph(doc, "", BODY)
    add_table(doc, ("项目", "内容"), _info_rows(v), widths_mm=INFO_WIDTHS, aligns="cl")
    if v["missing"]:
        add_paragraph(doc, v["no_sheet_note"], BODY)
    elif v["provisional"]:
        add_paragraph(doc, "尚有待核定项目，以上得分和名次为暂定。", BODY)
    for n, (heading, fill) in enumerate(_sections(u, v, _unit_findings(ctx, u)), start=1):
        add_paragraph(doc, f"{_NUMERALS[n - 1]}、{heading}", HEADING)
        fill(doc)
    _closing(doc, style=style, date=date)
    return doc


def build_feedback(
    result: BatchResult, unit: UnitResult, *, style: DocumentStyle, date: dt.date | None
) -> Document:
    """One unit's feedback sheet as a python-docx document (``write_feedback`` saves it)."""
    return _build(_Context(result), unit, style=style, date=date)


def write_feedback(
    result: BatchResult,
    unit: UnitResult,
    path: Path,
    *,
    style: DocumentStyle,
    date: dt.date | None,
) -> None:
    """Write ``unit``'s feedback sheet to ``path``; ``date`` goes under the seal line (a blank
    form when None)."""
    save_docx(build_feedback(result, unit, style=style, date=date), path)


def write_units(result: BatchResult, folder: Path, units: Sequence[str]) -> list[Path]:
    """The feedback sheets of ``units`` into ``folder`` (the rubric's document style, the
    result's date), under the names of ``feedback_names``."""
    ctx = _Context(result)
    names = feedback_names(result)
    by_name = {u.unit: u for u in result.units}
    written = []
    for name in units:
        path = folder / names[name]
        save_docx(_build(ctx, by_name[name], style=result.document, date=result.as_of), path)
        written.append(path)
    return written


def write_all_feedback(
    result: BatchResult, out_dir: Path, *, style: DocumentStyle, date: dt.date | None
) -> list[Path]:
    """Write every unit's sheet into ``out_dir/反馈单/`` (made if missing) under the names of
    ``feedback_names``; the written paths, in the batch's unit order."""
    folder = Path(out_dir) / FEEDBACK_DIR
    folder.mkdir(parents=True, exist_ok=True)
    ctx = _Context(result)
    names = feedback_names(result)
    written = []
    for u in result.units:
        path = folder / names[u.unit]
        save_docx(_build(ctx, u, style=style, date=date), path)
        written.append(path)
    return written
