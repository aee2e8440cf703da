"""The Word documents as flowscore built them with python-docx before they were written as text
(``writers/docx_text.py``), kept as the reference the fast writers are checked against part by
part (``test_docx_fast.py``). Copied from writers/feedback_docx.py and writers/notice_docx.py
as they were, with main's later changes to them (the register's findings left out, units whose
file could not be read, the comparison with last year) carried in.
The text of each row, heading and finding comes from the writers themselves (imported below):
what is compared is how the documents are built, not their wording twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from flowscore.labels import no_sheet_note
from flowscore.numbers import fmt, fmt_plain
from flowscore.results import BatchResult, UnitResult
from flowscore.rubric.document import DocumentStyle
from flowscore.writers.docx_common import (
    BODY,
    CLOSING,
    HEADING,
    SUBHEADING,
    SUBTITLE,
    TITLE,
    add_paragraph,
    add_table,
    date_text,
    new_document,
    page_break,
)
from flowscore.writers.feedback_docx import (
    _NUMERALS,
    CATEGORY_HEADERS,
    CATEGORY_WIDTHS,
    INFO_WIDTHS,
    ITEM_HEADERS,
    ITEM_WIDTHS,
    _Context,
    _info_rows,
    _item_rows,
    _unit_findings,
)
from flowscore.writers.notice_docx import (
    ITEM_HEADERS as NOTICE_ITEM_HEADERS,
)
from flowscore.writers.notice_docx import (
    ITEM_WIDTHS as NOTICE_ITEM_WIDTHS,
)
from flowscore.writers.notice_docx import (
    LOST_SHOWN,
    RANK_HEADERS,
    RANK_WIDTHS,
    _numeral,
    _opening,
    _pending_names,
    _signed,
    _unit_heading,
    item_rows,
    notice_title,
)
from flowscore.writers.reports import lost_items, overall_view
from flowscore.writers.results_json import ordered_units, tier_summaries
from flowscore.writers.safe import clean_text


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


FEEDBACK_COMPARE_HEADERS = ("序号", "考核项目", "本年核定分", "上年核定分", "增减或说明")
FEEDBACK_COMPARE_WIDTHS = (16.0, 52.0, 26.0, 26.0, 36.0)


def _feedback_compared(doc: Document, c: dict[str, Any]) -> None:
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
        add_table(
            doc,
            FEEDBACK_COMPARE_HEADERS,
            c["rows"],
            widths_mm=FEEDBACK_COMPARE_WIDTHS,
            aligns="clrrl",
        )


def _pending(doc: Document, v: dict[str, Any]) -> None:
    for it in v["pending"]:
        add_paragraph(doc, f"第{it['no']}项“{it['name']}”尚未核定，得分和名次为暂定。", BODY)


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
        yield "与上年比较", lambda doc: _feedback_compared(doc, v["comparison"])
    if findings:
        yield "需要说明的问题", lambda doc: _findings(doc, findings)


def _closing(doc: Document, *, style: DocumentStyle, date: dt.date | None) -> None:
    add_paragraph(doc, "", BODY)
    for i, text in enumerate((style.seal_text, date_text(date, style))):
        p = add_paragraph(doc, text, CLOSING)
        p.paragraph_format.keep_with_next = i == 0  # the seal line never without its date
        p.paragraph_format.right_indent = Pt(style.body_size_pt * 4)  # 右空四字


def build_feedback_reference(
    ctx: _Context, u: UnitResult, *, style: DocumentStyle, date: dt.date | None
) -> Document:
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


def _rank_tables(doc: Document, result: BatchResult) -> None:
    tiers = overall_view(result)["tiers"]
    for i, tier in enumerate(tiers, start=1):
        label = clean_text(tier["label"])
        if len(tiers) > 1:
            add_paragraph(doc, f"（{_numeral(i)}）{label}", SUBHEADING)
        intro = add_paragraph(
            doc,
            f"{label}共{tier['units']}个单位，基本分{tier['base']}，"
            "折算得分 = 基本分 × 评价得分 ÷ 100。",
            BODY,
        )
        intro.paragraph_format.keep_with_next = True  # not alone at the foot of a page
        rows = [
            [
                # A shared rank is the same number on each tied row, as tables print it.
                r["rank"].replace("（并列）", ""),
                r["unit"],
                r["total"],
                r["base"],
                r["contribution"],
                r["status"],
            ]
            for r in tier["rows"]
        ]
        add_table(doc, RANK_HEADERS, rows, widths_mm=RANK_WIDTHS, aligns="clrrrc")


def _open_units(doc: Document, result: BatchResult) -> None:
    provisional = [u for u in ordered_units(result) if u.status == "provisional"]
    missing = [u for u in ordered_units(result) if u.no_sheet]
    if not provisional and not missing:
        add_paragraph(doc, "全部单位的得分均已核定。", BODY)
        return
    for u in provisional:
        add_paragraph(
            doc,
            f"{clean_text(u.unit)}（{clean_text(u.tier_label)}）：{_pending_names(u)}尚待核定，"
            f"评价得分{fmt(u.total)}、名次为暂定。",
            BODY,
        )
    for u in missing:
        add_paragraph(
            doc,
            f"{clean_text(u.unit)}（{clean_text(u.tier_label)}）："
            + (
                "未报送评分表，不计得分，不参加排名。"
                if u.status == "missing"
                else f"报送的评分表（{clean_text(u.file)}）无法读取，不计得分，不参加排名。"
            ),
            BODY,
        )


def _lost(doc: Document, result: BatchResult) -> None:
    lost = lost_items(result)
    if not lost:
        add_paragraph(doc, "各单位各项目均未失分。", BODY)
        return
    for g in lost[:LOST_SHOWN]:
        head = f"第{clean_text(g.no)}项“{g.name}”（分值{g.max_label}）："
        if len(g.losers) == 1:
            (points, unit), *_ = g.losers
            text = f"{head}{clean_text(unit)}失分{fmt(points)}分。"
        else:
            most = "、".join(f"{clean_text(unit)}{fmt(points)}分" for points, unit in g.losers[:3])
            more = "等" if len(g.losers) > 3 else ""
            text = f"{head}{len(g.losers)}个单位失分，合计{fmt(g.lost)}分，其中{most}{more}。"
        add_paragraph(doc, text, BODY)


COMPARE_HEADERS = ("名次", "单位", "评价得分", "上年", "增减", "名次变化")
COMPARE_WIDTHS = (16.0, 44.0, 22.0, 22.0, 22.0, 30.0)


def _compared(doc: Document, result: BatchResult) -> None:
    cmp = result.comparison
    assert cmp is not None
    prev = clean_text(cmp.scheme_title or cmp.scheme_id)
    intro = f"与上年（{prev}）相比，各单位评价得分和类别内名次的变化如下。"
    if not cmp.same_rubric:
        intro += "上年所用评分细则与本年不同，只比较分值和评分标准都相同的项目。"
    add_paragraph(doc, intro, BODY)
    tiers = tier_summaries(result)
    for i, tier in enumerate(tiers, start=1):
        label = clean_text(tier["label"])
        if len(tiers) > 1:
            add_paragraph(doc, f"（{_numeral(i)}）{label}", SUBHEADING)
        rows = []
        for u in result.tier_units(tier["id"]):
            c = cmp.unit(u.unit)
            if c is None:
                continue
            prev_total = fmt(c.previous_total) if c.previous_total is not None else "—"
            rows.append(
                [
                    str(u.rank) if u.rank is not None else "—",
                    clean_text(u.unit),
                    fmt(u.total),
                    prev_total,
                    c.delta_text if c.delta is not None else "—",
                    clean_text(c.rank_text),
                ]
            )
        add_table(doc, COMPARE_HEADERS, rows, widths_mm=COMPARE_WIDTHS, aligns="clrrrc")
    reasons: dict[str, list[str]] = {}
    for c in cmp.units.values():
        unit = result.unit(c.unit)
        where = clean_text(unit.tier_label) if unit else ""
        for it in c.uncompared:
            if it.why in ("本年待核定", "上年待核定"):
                continue
            key = f"第{it.no}项“{clean_text(it.short)}”（{where}）：{it.why}"
            reasons.setdefault(key, []).append(c.unit)
    for key in reasons:
        add_paragraph(doc, f"{key}，不作比较。", BODY)


def _notice_closing(doc: Document, *, style: DocumentStyle, date: dt.date | None) -> None:
    add_paragraph(doc, "", BODY)
    for i, text in enumerate((style.seal_text, date_text(date, style))):
        p = add_paragraph(doc, text, CLOSING)
        p.paragraph_format.keep_with_next = i == 0  # the seal line never without its date
        # GB/T 9704: the date stands four characters in from the right margin.
        p.paragraph_format.right_indent = Pt(style.body_size_pt * 4)


def _annex(doc: Document, result: BatchResult, *, style: DocumentStyle) -> None:
    page_break(doc)
    p = add_paragraph(doc, "附件", HEADING)
    p.paragraph_format.first_line_indent = 0
    add_paragraph(doc, style.annex_title, TITLE)
    add_paragraph(doc, "", BODY)
    for i, u in enumerate(ordered_units(result), start=1):
        add_paragraph(doc, _unit_heading(i, u), SUBHEADING)
        if u.no_sheet or not u.items:
            add_paragraph(doc, no_sheet_note(u.status, clean_text(u.file)), BODY)
            continue
        add_table(
            doc, NOTICE_ITEM_HEADERS, item_rows(u), widths_mm=NOTICE_ITEM_WIDTHS, aligns="clcrrc"
        )
        sums = f"项目小计{fmt(u.subtotal)}，加分{_signed(u.bonus)}，减分{_signed(u.penalty)}，"
        sums += f"评价得分{fmt(u.total)}，折算得分{fmt(u.contribution, 4)}（基本分{fmt_plain(u.base)}）。"
        add_paragraph(doc, sums, BODY)


def build_notice_reference(
    result: BatchResult, *, style: DocumentStyle, date: dt.date | None, year: int | None
) -> Document:
    """The circular as a python-docx document (``write_notice`` saves it)."""
    title = notice_title(result, style=style, year=year)
    doc = new_document(style, title=title)
    add_paragraph(doc, title, TITLE)
    add_paragraph(doc, "", BODY)
    p = add_paragraph(doc, style.addressee, BODY)
    p.paragraph_format.first_line_indent = 0
    add_paragraph(doc, _opening(result, year), BODY)
    sections: tuple[tuple[str, Callable[[Document, BatchResult], None]], ...] = (
        ("考核结果", _rank_tables),
        ("暂定和未报送的单位", _open_units),
        ("失分较多的项目", _lost),
    )
    if result.comparison is not None:  # compute --compare
        sections += (("与上年比较", _compared),)
    for n, (heading, fill) in enumerate(sections, start=1):
        add_paragraph(doc, f"{_numeral(n)}、{heading}", HEADING)
        fill(doc, result)
    add_paragraph(doc, "", BODY)
    add_paragraph(doc, f"附件：{style.annex_title}", BODY)
    _notice_closing(doc, style=style, date=date)
    _annex(doc, result, style=style)
    return doc
